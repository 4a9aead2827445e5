"""The app API (issue 14, decision 0067) against a real server on SQLite and PostgreSQL: every
endpoint's scope and its denial, users by external id, the sync of a tree and its people,
messages as a user, as the bot and as the system, groups, presence, and single sign-on
tickets (spent once, even by two requests racing)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.admin import Staff, audit_since, last_audit_id, staff
from tests.support.apps import AppCredentials, app_token, bearer, create_app
from tests.support.server import ServerProcess
from tests.support.stored import Stored
from tests.support.waiting import eventually
from tidings.domain.apps import AppScope
from tidings.sdk import ServerError, TidingsApp, TidingsClient
from tidings.sdk.app import UserRef, ext

MISSING = 2**62
# People in the sync the server is killed in the middle of (its parts are 500 people each).
BIG_SYNC = 4000
EVERY_SCOPE = " ".join(s.value for s in AppScope)

# "METHOD /path as in OpenAPI": (the scopes it needs, path, body). A call must be harmless
# for an app holding the scopes (a missing user, an empty body).
APP_ENDPOINTS: dict[str, tuple[tuple[AppScope, ...], str, Any]] = {
    "GET /api/v1/app/me": ((), "/api/v1/app/me", None),
    "GET /api/v1/app/users/{ref}": ((AppScope.USERS_READ,), f"/api/v1/app/users/{MISSING}", None),
    "POST /api/v1/app/users": ((AppScope.USERS_WRITE,), "/api/v1/app/users", {}),
    "PATCH /api/v1/app/users/{ref}": (
        (AppScope.USERS_WRITE,),
        f"/api/v1/app/users/{MISSING}",
        {"nickname": "x"},
    ),
    "POST /api/v1/app/users/{ref}/disable": (
        (AppScope.USERS_WRITE,),
        f"/api/v1/app/users/{MISSING}/disable",
        None,
    ),
    "POST /api/v1/app/users/{ref}/enable": (
        (AppScope.USERS_WRITE,),
        f"/api/v1/app/users/{MISSING}/enable",
        None,
    ),
    "POST /api/v1/app/sync": (
        (AppScope.USERS_WRITE, AppScope.ORG_WRITE),
        "/api/v1/app/sync",
        {"dry_run": True},
    ),
    "POST /api/v1/app/messages": ((AppScope.MESSAGES_SEND,), "/api/v1/app/messages", {}),
    "POST /api/v1/app/notices": ((AppScope.NOTICES_SEND,), "/api/v1/app/notices", {}),
    "POST /api/v1/app/conversations/direct": (
        (AppScope.CONVERSATIONS_WRITE,),
        "/api/v1/app/conversations/direct",
        {},
    ),
    "POST /api/v1/app/groups": ((AppScope.CONVERSATIONS_WRITE,), "/api/v1/app/groups", {}),
    "POST /api/v1/app/groups/{conversation_id}/members": (
        (AppScope.CONVERSATIONS_WRITE,),
        f"/api/v1/app/groups/{MISSING}/members",
        {},
    ),
    "DELETE /api/v1/app/groups/{conversation_id}/members/{ref}": (
        (AppScope.CONVERSATIONS_WRITE,),
        f"/api/v1/app/groups/{MISSING}/members/bot",
        None,
    ),
    "POST /api/v1/app/presence": ((AppScope.PRESENCE_READ,), "/api/v1/app/presence", {}),
    "POST /api/v1/app/sso-tickets": ((AppScope.SSO,), "/api/v1/app/sso-tickets", {}),
    # Webhooks (decision 0068), customer service (0066) and workbench apps (0069).
    "GET /api/v1/app/webhooks": ((AppScope.WEBHOOKS,), "/api/v1/app/webhooks", None),
    "POST /api/v1/app/webhooks": ((AppScope.WEBHOOKS,), "/api/v1/app/webhooks", {}),
    "GET /api/v1/app/webhooks/{webhook_id}": (
        (AppScope.WEBHOOKS,),
        f"/api/v1/app/webhooks/{MISSING}",
        None,
    ),
    "PATCH /api/v1/app/webhooks/{webhook_id}": (
        (AppScope.WEBHOOKS,),
        f"/api/v1/app/webhooks/{MISSING}",
        {},
    ),
    "DELETE /api/v1/app/webhooks/{webhook_id}": (
        (AppScope.WEBHOOKS,),
        f"/api/v1/app/webhooks/{MISSING}",
        None,
    ),
    "POST /api/v1/app/webhooks/{webhook_id}/rotate-secret": (
        (AppScope.WEBHOOKS,),
        f"/api/v1/app/webhooks/{MISSING}/rotate-secret",
        None,
    ),
    "POST /api/v1/app/webhooks/{webhook_id}/resume": (
        (AppScope.WEBHOOKS,),
        f"/api/v1/app/webhooks/{MISSING}/resume",
        None,
    ),
    "GET /api/v1/app/webhooks/{webhook_id}/deliveries": (
        (AppScope.WEBHOOKS,),
        f"/api/v1/app/webhooks/{MISSING}/deliveries",
        None,
    ),
    "POST /api/v1/app/webhooks/{webhook_id}/deliveries/replay-failed": (
        (AppScope.WEBHOOKS,),
        f"/api/v1/app/webhooks/{MISSING}/deliveries/replay-failed",
        {},
    ),
    "POST /api/v1/app/webhooks/{webhook_id}/deliveries/{delivery_id}/replay": (
        (AppScope.WEBHOOKS,),
        f"/api/v1/app/webhooks/{MISSING}/deliveries/{MISSING}/replay",
        None,
    ),
    "POST /api/v1/app/service/visitor-tokens": (
        (AppScope.SERVICE,),
        "/api/v1/app/service/visitor-tokens",
        {},
    ),
    "POST /api/v1/app/workbench/tickets/exchange": (
        (AppScope.WORKBENCH,),
        "/api/v1/app/workbench/tickets/exchange",
        {},
    ),
}


@pytest.fixture(scope="module")
async def people(server: ServerProcess) -> AsyncIterator[Staff]:
    found = await staff(server)
    yield found
    await found.close()


@pytest.fixture(scope="module")
async def credentials(server: ServerProcess) -> AppCredentials:
    return await create_app(server, "ERP", EVERY_SCOPE)


@pytest.fixture
async def app(base_url: str, credentials: AppCredentials) -> AsyncIterator[TidingsApp]:
    async with TidingsApp(base_url, credentials.client_id, credentials.client_secret) as found:
        yield found


def _uid() -> str:
    return uuid.uuid4().hex[:10]


async def _refused(call: Any) -> ServerError:
    try:
        await call
    except ServerError as error:
        return error
    raise AssertionError("accepted")


async def test_every_app_endpoint_is_listed_and_refuses_without_token_or_scope(
    base_url: str, credentials: AppCredentials
) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        spec = (await http.get("/openapi.json")).json()
        listed = {
            f"{method.upper()} {path}"
            for path, methods in spec["paths"].items()
            if path.startswith("/api/v1/app/")
            for method in methods
        }
        assert listed == set(APP_ENDPOINTS), f"list these: {sorted(listed ^ set(APP_ENDPOINTS))}"
        every = (await app_token(base_url, credentials))["access_token"]
        # One token per scope left out (the token endpoint has a rate of its own).
        without: dict[AppScope, str] = {}
        for name, (needed, path, body) in APP_ENDPOINTS.items():
            method = name.split()[0]
            reply = await http.request(method, path, json=body)
            assert reply.status_code == 401, name
            for scope in needed:
                if scope not in without:
                    narrow = " ".join(s.value for s in AppScope if s is not scope)
                    without[scope] = (await app_token(base_url, credentials, narrow))[
                        "access_token"
                    ]
                token = without[scope]
                reply = await http.request(method, path, json=body, headers=bearer(token))
                assert reply.status_code == 403, (name, scope)
                assert reply.json()["error"]["code"] == "insufficient_scope"
            # With every scope: not refused for the scope (a missing user, a bad body).
            reply = await http.request(method, path, json=body, headers=bearer(every))
            assert reply.status_code not in (401, 403), (name, reply.text)


async def test_users_by_external_id(app: TidingsApp, base_url: str) -> None:
    key = _uid()
    user = await app.create_user(f"E-{key}", "Wang Wei", account=f"wang{key}")
    assert user["external_id"] == f"E-{key}" and user["account"] == f"wang{key}"
    assert (await app.get_user(ext(f"E-{key}")))["id"] == user["id"]
    assert (await app.get_user(user["id"]))["external_id"] == f"E-{key}"
    # The external id is the account when none is given.
    plain = await app.create_user(f"p{key}", "Li Na")
    assert plain["account"] == f"p{key}"
    duplicate = await _refused(app.create_user(f"E-{key}", "Again", account=f"other{key}"))
    assert duplicate.code == "external_id_taken" and duplicate.status == 409
    assert (await _refused(app.get_user(ext("no-such-id")))).code == "not_found"
    taken = await _refused(app.update_user(plain["id"], external_id=f"E-{key}"))
    assert taken.code == "external_id_taken"
    changed = await app.update_user(ext(f"E-{key}"), nickname="Wang Wei (Sales)")
    assert changed["nickname"] == "Wang Wei (Sales)"
    # Users created by the app have no password anybody knows.
    async with httpx.AsyncClient(base_url=base_url) as http:
        login = await http.post(
            "/api/v1/auth/login", json={"account": f"wang{key}", "password": "!"}
        )
    assert login.status_code == 401
    assert (await app.disable_user(ext(f"E-{key}")))["disabled"] is True
    assert (await app.enable_user(ext(f"E-{key}")))["disabled"] is False
    async with httpx.AsyncClient(base_url=base_url) as http:
        bad = await http.get("/api/v1/app/users/nobody", headers=bearer(await app.token()))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"


async def test_sync_upserts_plans_and_removes_only_what_the_app_owns(
    app: TidingsApp, people: Staff
) -> None:
    key = _uid()
    top = f"HQ-{key}"
    departments = [
        {"external_id": f"d1-{key}", "name": top},
        {"external_id": f"d2-{key}", "name": "Sales", "parent": f"d1-{key}"},
        {"external_id": f"d3-{key}", "name": "Ops", "parent": f"d1-{key}"},
    ]
    users: list[dict[str, Any]] = [
        {
            "external_id": f"u{i}-{key}",
            "account": f"u{i}x{key}",
            "nickname": f"User {i}",
            "departments": [{"department": f"d{2 + i % 2}-{key}", "position": "Clerk"}],
        }
        for i in range(6)
    ]
    # Two departments at once, and a row that is refused with its reason.
    users[0]["departments"].append({"department": f"d1-{key}", "position": "Lead"})
    users.append(
        {"external_id": f"bad-{key}", "nickname": "X", "departments": [{"department": "nowhere"}]}
    )
    plan = await app.sync(departments, users, dry_run=True)
    assert plan["applied"] is False and len(plan["report"]["users"]["created"]) == 6
    assert plan["report"]["rejected"] == [
        {
            "kind": "user",
            "external_id": f"bad-{key}",
            "reason": "a department of theirs is not in the tree",
        }
    ]
    assert (await _refused(app.get_user(ext(f"u0-{key}")))).code == "not_found"
    done = await app.sync(departments, users)
    assert done["applied"] is True
    assert sorted(done["report"]["departments"]["created"]) == sorted(
        d["external_id"] for d in departments
    )
    again = await app.sync(departments, users)
    assert again["plan"]["changes"] == 0
    tree = await people.super_admin.http.call("GET", "/api/v1/admin/org")
    names = {d["name"] for d in tree["departments"]}
    assert {top, "Sales", "Ops"} <= names
    # Sync mode: Ops and the people left out go; a department of the console stays.
    console_dept = await people.super_admin.http.call(
        "POST", "/api/v1/admin/org/departments", {"name": f"Console-{key}"}
    )
    kept = [u for u in users[:4] if u["departments"][0]["department"] == f"d2-{key}"]
    synced = await app.sync(departments[:2], kept, mode="sync")
    report = synced["report"]
    assert f"{top}/Ops" in report["departments"]["removed"]
    assert sorted(report["users"]["disabled"]) == sorted(
        u["account"] for u in users[:6] if u not in kept
    )
    assert (await app.get_user(ext(f"u1-{key}")))["disabled"] is True
    assert (await app.get_user(ext(f"u0-{key}")))["disabled"] is False
    tree = await people.super_admin.http.call("GET", "/api/v1/admin/org")
    assert any(d["id"] == console_dept["id"] for d in tree["departments"])


async def test_messages_as_a_user_as_the_bot_and_notices_are_idempotent(
    app: TidingsApp, base_url: str
) -> None:
    key = _uid()
    a = await app.create_user(f"ma-{key}", "Ann", account=f"ma{key}")
    b = await app.create_user(f"mb-{key}", "Ben", account=f"mb{key}")
    first = await app.send_as_user(
        ext(f"ma-{key}"), to=ext(f"mb-{key}"), text="hi", client_msg_id="m1"
    )
    again = await app.send_as_user(
        ext(f"ma-{key}"), to=ext(f"mb-{key}"), text="hi", client_msg_id="m1"
    )
    assert first["seq"] == again["seq"] and first["sender_id"] == a["id"]
    group = await app.create_group(ext(f"ma-{key}"), "Orders", [ext(f"mb-{key}")], bot=True)
    sent = await app.send_as_bot(conversation_id=group, text="order 42 shipped", client_msg_id="b1")
    me = await app.me()
    assert sent["sender_id"] == me["bot_user_id"]
    direct = await app.send_as_bot(to=b["id"], text="hello from ERP")
    assert direct["conversation_id"] != group
    await app.remove_member(group, None)
    assert (await _refused(app.send_as_bot(conversation_id=group, text="x"))).code in (
        "not_member",
        "not_found",
    )
    notice = await app.send_notice(
        b["id"], "Invoice", text="due", url="https://erp.example/1", client_msg_id="n1"
    )
    repeat = await app.send_notice(
        b["id"], "Invoice", text="due", url="https://erp.example/1", client_msg_id="n1"
    )
    assert notice["created"] is True and repeat["created"] is False
    assert notice["seq"] == repeat["seq"]
    assert (
        await _refused(app.send_as_user(ext("nobody"), to=b["id"], text="x"))
    ).code == "not_found"


async def sso_session(app: TidingsApp, base_url: str, user: UserRef, **device: str) -> str:
    """A session of ``user`` signed in by a ticket on the device given; its token."""
    ticket = await app.sso_ticket(user)
    async with httpx.AsyncClient(base_url=base_url) as http:
        reply = await http.post("/api/v1/auth/sso", json={"ticket": ticket["ticket"], **device})
    assert reply.status_code == 200, reply.text
    token: str = reply.json()["token"]
    return token


def devices_of(answer: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return sorted((d["platform"], d["device_name"], d["online"]) for d in answer["devices"])


async def test_presence_says_which_devices_are_online_for_at_most_1000_users(
    app: TidingsApp, base_url: str
) -> None:
    key = _uid()
    user = await app.create_user(f"pr-{key}", "Pat", account=f"pr{key}")
    answer = await app.presence([user["id"], ext(f"pr-{key}")])
    assert [(u["status"], u["devices"]) for u in answer] == [("offline", []), ("offline", [])]
    # Signed in on a desktop and a phone; connected from the desktop only.
    desktop = await sso_session(
        app, base_url, ext(f"pr-{key}"), platform="desktop", device_name="Work PC"
    )
    await sso_session(app, base_url, ext(f"pr-{key}"), platform="ios", device_name="iPhone")
    async with TidingsClient(base_url, token=desktop) as client:
        await client.request("conversations.list", {})
        (answer,) = await app.presence([ext(f"pr-{key}")])
        assert answer["status"] == "online"
        assert devices_of(answer) == [("desktop", "Work PC", True), ("ios", "iPhone", False)]
        assert all(isinstance(d["last_seen_at"], int) for d in answer["devices"])
        # A second connection of the same device is still one device.
        async with TidingsClient(base_url, token=desktop) as again:
            await again.request("conversations.list", {})
        (answer,) = await app.presence([ext(f"pr-{key}")])
        assert devices_of(answer) == [("desktop", "Work PC", True), ("ios", "iPhone", False)]

    async def all_offline() -> bool:
        (found,) = await app.presence([ext(f"pr-{key}")])
        return found["status"] == "offline" and devices_of(found) == [
            ("desktop", "Work PC", False),
            ("ios", "iPhone", False),
        ]

    await eventually(all_offline)
    too_many = await _refused(app.presence([user["id"]] * 1001))
    assert too_many.code == "too_many_users" and too_many.status == 422


async def test_an_sso_ticket_signs_in_once_even_when_two_race(
    app: TidingsApp, base_url: str
) -> None:
    key = _uid()
    await app.create_user(f"s-{key}", "Sue", account=f"s{key}")
    ticket = await app.sso_ticket(ext(f"s-{key}"), next="/?c=1")
    assert ticket["expires_in"] <= 60 and ticket["url"].startswith("/sso?ticket=")
    async with httpx.AsyncClient(base_url=base_url) as http:
        replies = await asyncio.gather(
            *(http.post("/api/v1/auth/sso", json={"ticket": ticket["ticket"]}) for _ in range(2))
        )
        statuses = sorted(r.status_code for r in replies)
        assert statuses == [200, 401], [r.text for r in replies]
        won = next(r for r in replies if r.status_code == 200).json()
        assert won["next"] == "/?c=1" and won["user"]["account"] == f"s{key}"
        me = await http.get("/api/v1/me", headers=bearer(won["token"]))
        assert me.status_code == 200
        lost = next(r for r in replies if r.status_code == 401).json()
        assert lost["error"]["code"] == "sso_ticket_invalid"
    for bad_next in ("//evil.example", "https://evil.example/", "/\\evil", "x"):
        error = await _refused(app.sso_ticket(ext(f"s-{key}"), next=bad_next))
        assert error.code == "invalid_input", bad_next
    await app.disable_user(ext(f"s-{key}"))
    assert (await _refused(app.sso_ticket(ext(f"s-{key}")))).code == "account_disabled"


async def test_disabling_and_enabling_is_audited_as_the_app_with_the_change(
    app: TidingsApp, credentials: AppCredentials, people: Staff
) -> None:
    """One entry naming the app per change, written in its transaction; a refused one (a
    user the app does not own, a server admin, nobody) changes nothing and has none."""
    key = _uid()
    user = await app.create_user(f"d-{key}", "Dee", account=f"d{key}")
    bot_id = (await app.me())["bot_user_id"]
    since = await last_audit_id(people.super_admin)
    assert (await app.disable_user(ext(f"d-{key}")))["disabled"] is True
    assert (await app.enable_user(user["id"]))["disabled"] is False
    entries = await audit_since(people.super_admin, since)
    assert [(e["action"], e["actor_id"], e["target_id"]) for e in entries] == [
        ("app.user.disable", bot_id, str(user["id"])),
        ("app.user.enable", bot_id, str(user["id"])),
    ]
    assert all(e["details"]["app"] == credentials.client_id for e in entries)
    # An admin the app gave an external id is still not the app's to disable.
    await app.update_user(people.org_admin.id, external_id=f"adm-{key}")
    since = await last_audit_id(people.super_admin)
    for ref, code in (
        (people.plain.id, "forbidden"),
        (ext(f"adm-{key}"), "forbidden"),
        (ext(f"nobody-{key}"), "not_found"),
    ):
        assert (await _refused(app.disable_user(ref))).code == code
    assert await audit_since(people.super_admin, since) == []
    assert (await people.org_admin.http.call("GET", "/api/v1/me"))["id"] == people.org_admin.id


async def test_a_sync_has_its_audit_entry_exactly_when_it_changed_something(
    server: ServerProcess, app: TidingsApp, people: Staff
) -> None:
    """The entry commits with the sync's first part: the server killed half way through a
    large sync leaves the part done and its entry; a dry run or a sync with nothing to do
    writes none."""
    key = _uid()
    stored = Stored(server)
    entries = "SELECT COUNT(*) FROM audit_log WHERE action = 'app.sync'"
    departments = [{"external_id": f"big-{key}", "name": f"Big-{key}"}]
    users = [
        {
            "external_id": f"b{i}-{key}",
            "account": f"b{i}x{key}",
            "nickname": f"Person {i}",
            "departments": [{"department": f"big-{key}"}],
        }
        for i in range(BIG_SYNC)
    ]
    body = {"mode": "merge", "departments": departments, "users": users}
    before = await stored.count(entries)
    await app.call("POST", "sync", {**body, "dry_run": True})
    assert await stored.count(entries) == before
    # The first part (the department) commits; the server dies among the people.
    sync = asyncio.create_task(app.call("POST", "sync", body))
    department = "SELECT COUNT(*) FROM departments WHERE external_id = $1"
    while not await stored.count(department, f"big-{key}"):
        assert not sync.done(), sync
        await asyncio.sleep(0.005)
    server.kill()
    with pytest.raises(httpx.HTTPError):
        await sync
    server.start()
    created = await stored.count(
        "SELECT COUNT(*) FROM users WHERE external_id LIKE $1", f"b%-{key}"
    )
    assert created < BIG_SYNC, "the sync finished before the server was killed"
    assert await stored.count(entries) == before + 1
    # Run again, it finishes what was left: an entry of its own; then there is nothing to do.
    done = await app.call("POST", "sync", body)
    assert len(done["report"]["users"]["created"]) == BIG_SYNC - created
    assert await stored.count(entries) == before + 2
    again = await app.call("POST", "sync", body)
    assert again["plan"]["changes"] == 0
    assert await stored.count(entries) == before + 2
