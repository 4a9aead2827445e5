"""Freezing accounts, admin roles and the audit log (issue 13: A9, K1, K6; decision 0052)."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.support.admin import Staff, audit_since, last_audit_id, staff
from tests.support.raw import RawConnection, raw_connection
from tests.support.server import RedisProcess, ServerProcess, new_pg_database, remove_pg_database
from tests.support.social import make_admin
from tests.support.users import PASSWORD, Person, register
from tidings.sdk import ServerError, TidingsHttp

UA = "TidingsTest/1.0 (audit)"


@pytest.fixture(scope="module")
async def people(shared_server: ServerProcess) -> AsyncIterator[Staff]:
    found = await staff(shared_server)
    yield found
    await found.close()


async def _login(
    base_url: str, account: str, password: str = PASSWORD, platform: str = "desktop"
) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url, headers={"User-Agent": UA}) as http:
        return await http.post(
            "/api/v1/auth/login",
            json={"account": account, "password": password, "platform": platform},
        )


async def _admin_call(admin: Person, method: str, path: str, body: object = None) -> object:
    """An admin call with a user agent of our own, to find it in the audit entry."""
    async with httpx.AsyncClient(
        base_url=str(admin.http._http.base_url), headers={"User-Agent": UA}
    ) as http:
        response = await http.request(
            method, path, json=body, headers={"Authorization": f"Bearer {admin.token}"}
        )
    if response.status_code >= 400:
        error = response.json()["error"]
        raise ServerError(error["code"], error["message"], response.status_code)
    return response.json() if response.content else None


async def _thrown_out_as_frozen(connection: RawConnection) -> None:
    push = await asyncio.wait_for(connection.next_frame(), 10)
    assert push == {"push": "signed_out", "data": {"reason": "account_frozen"}}
    await asyncio.wait_for(connection.ws.wait_closed(), 5)


async def test_a_frozen_user_is_thrown_out_refused_and_let_back_by_unfreezing(
    shared_server: ServerProcess, people: Staff
) -> None:
    base = shared_server.base_url
    victim = await register(base, "victim")
    friend = await register(base, "friend")
    async with raw_connection(base, friend.token) as other:
        chat = await other.ok("conversation.open_direct", {"peer_id": victim.id})
    async with raw_connection(base, victim.token) as live:
        sent = await live.ok(
            "send",
            {"conversation_id": chat["id"], "client_msg_id": "m1", "type": "text",
             "body": {"text": "before the freeze"}},
        )  # fmt: skip
        before = await last_audit_id(people.super_admin)
        result = await _admin_call(
            people.org_admin,
            "POST",
            f"/api/v1/admin/users/{victim.id}/freeze",
            {"reason": "left the company"},
        )
        assert result == {"sessions_ended": 1}
        await _thrown_out_as_frozen(live)
    # The token is dead, signing in is refused, the messages stay.
    with pytest.raises(ServerError) as dead:
        await victim.http.call("GET", "/api/v1/me")
    assert dead.value.code == "invalid_token"
    refused = await _login(base, victim.account)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "account_disabled")
    async with raw_connection(base, friend.token) as other:
        history = await other.ok("history", {"conversation_id": chat["id"]})
    assert sent["seq"] in [m["seq"] for m in history["messages"]]

    entries = await audit_since(people.super_admin, before)
    freeze = [e for e in entries if e["action"] == "user.freeze"]
    assert len(freeze) == 1
    assert freeze[0]["actor_id"] == people.org_admin.id
    assert freeze[0]["actor_account"] == people.org_admin.account
    assert (freeze[0]["target_type"], freeze[0]["target_id"]) == ("user", str(victim.id))
    assert freeze[0]["details"] == {"reason": "left the company"}
    assert freeze[0]["ip"] == "127.0.0.1" and freeze[0]["user_agent"] == UA
    failed = [e for e in entries if e["action"] == "auth.sign_in_failed"]
    assert [(e["target_id"], e["details"]) for e in failed] == [
        (victim.account, {"reason": "account_disabled"})
    ]
    assert failed[0]["actor_id"] is None and failed[0]["user_agent"] == UA

    before = await last_audit_id(people.super_admin)
    await _admin_call(people.org_admin, "POST", f"/api/v1/admin/users/{victim.id}/unfreeze")
    back = await _login(base, victim.account)
    assert back.status_code == 200, back.text
    entries = await audit_since(people.super_admin, before)
    assert [e["action"] for e in entries] == ["user.unfreeze", "auth.sign_in"]
    assert entries[1]["actor_id"] == victim.id and entries[1]["user_agent"] == UA
    assert entries[1]["details"] == {"platform": "desktop", "device_name": ""}
    await victim.http.close()
    await friend.http.close()


async def test_who_may_freeze_whom(shared_server: ServerProcess, people: Staff) -> None:
    base = shared_server.base_url
    before = await last_audit_id(people.super_admin)
    refusals = [
        # An org admin does not manage admins; nobody freezes themselves.
        (people.org_admin, people.super_admin.id, "forbidden"),
        (people.org_admin, people.auditor.id, "forbidden"),
        (people.super_admin, people.super_admin.id, "forbidden"),
        (people.auditor, people.plain.id, "forbidden"),
        (people.plain, people.plain.id, "forbidden"),
        (people.super_admin, 2**62, "not_found"),
    ]
    for admin, target, code in refusals:
        with pytest.raises(ServerError) as refused:
            await admin.http.call("POST", f"/api/v1/admin/users/{target}/freeze")
        assert refused.value.code == code, (admin.account, target)
    assert await audit_since(people.super_admin, before) == []
    # Still signed in: nothing was frozen.
    assert (await people.auditor.http.call("GET", "/api/v1/me"))["id"] == people.auditor.id
    assert (await _login(base, people.plain.account)).status_code == 200


async def test_concurrent_freezes_each_write_one_entry_and_end_every_session(
    shared_server: ServerProcess, people: Staff
) -> None:
    base = shared_server.base_url
    victim = await register(base, "victim")
    tokens = [victim.token]
    for platform in ("desktop", "ios", "android"):
        response = await _login(base, victim.account, platform=platform)
        tokens.append(response.json()["token"])
    before = await last_audit_id(people.super_admin)
    results = await asyncio.gather(
        *(
            admin.http.call("POST", f"/api/v1/admin/users/{victim.id}/freeze")
            for admin in (people.super_admin, people.org_admin) * 4
        )
    )
    # Each session ended once, by whichever freeze came first.
    assert sum(r["sessions_ended"] for r in results) == len(tokens)
    for token in tokens:
        http = TidingsHttp(base)
        http.token = token
        with pytest.raises(ServerError) as dead:
            await http.call("GET", "/api/v1/me")
        await http.close()
        assert dead.value.code == "invalid_token"
    await victim.http.close()
    entries = await audit_since(people.super_admin, before, action="user.freeze")
    assert len(entries) == 8


async def test_roles_give_and_take_powers_at_once(
    shared_server: ServerProcess, people: Staff
) -> None:
    newcomer = await register(shared_server.base_url, "newcomer")
    assert await newcomer.http.call("GET", "/api/v1/admin/me") == {"role": None, "powers": []}
    before = await last_audit_id(people.super_admin)
    # Only a holder of the roles power (a super admin) gives roles; nobody changes their own.
    for admin in (people.org_admin, people.auditor, newcomer):
        with pytest.raises(ServerError) as refused:
            await admin.http.call(
                "PUT", f"/api/v1/admin/users/{newcomer.id}/role", {"role": "super_admin"}
            )
        assert refused.value.code == "forbidden"
    with pytest.raises(ServerError) as own:
        await people.super_admin.http.call(
            "PUT", f"/api/v1/admin/users/{people.super_admin.id}/role", {"role": None}
        )
    assert own.value.code == "forbidden"
    with pytest.raises(ServerError) as bad:
        await people.super_admin.http.call(
            "PUT", f"/api/v1/admin/users/{newcomer.id}/role", {"role": "emperor"}
        )
    assert bad.value.code == "invalid_input"
    assert await audit_since(people.super_admin, before) == []

    answer = await people.super_admin.http.call(
        "PUT", f"/api/v1/admin/users/{newcomer.id}/role", {"role": "auditor"}
    )
    assert answer == {"role": "auditor", "former_role": None}
    mine = await newcomer.http.call("GET", "/api/v1/admin/me")
    assert mine == {"role": "auditor", "powers": ["audit", "dashboard", "moderation_view"]}
    assert (await newcomer.http.call("GET", "/api/v1/admin/audit", None, limit=1))["entries"]
    await people.super_admin.http.call(
        "PUT", f"/api/v1/admin/users/{newcomer.id}/role", {"role": None}
    )
    with pytest.raises(ServerError) as gone:
        await newcomer.http.call("GET", "/api/v1/admin/audit")
    assert gone.value.code == "forbidden"
    entries = await audit_since(people.super_admin, before, action="user.role")
    assert [e["details"] for e in entries] == [
        {"from": None, "to": "auditor"},
        {"from": "auditor", "to": None},
    ]
    await newcomer.http.close()


async def test_the_audit_log_filters_pages_and_exports(
    shared_server: ServerProcess, people: Staff
) -> None:
    base = shared_server.base_url
    marker = await register(base, "marker")
    for _ in range(5):
        await _login(base, marker.account, "wrong password")
    failed = await audit_since(
        people.auditor, 0, action="auth.sign_in_failed", target_id=marker.account
    )
    assert len(failed) == 5
    # Cursor paging: two at a time, newest first, nothing twice, nothing missed.
    seen: list[int] = []
    cursor: int | None = None
    while True:
        params: dict[str, object] = {"action": "auth.", "q": marker.account, "limit": 2}
        if cursor is not None:
            params["cursor"] = cursor
        page = await people.auditor.http.call("GET", "/api/v1/admin/audit", None, **params)
        seen += [e["id"] for e in page["entries"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen))
    # The registration's sign-in and the five failures.
    assert len(seen) == 6
    with pytest.raises(ServerError) as bad:
        await people.auditor.http.call("GET", "/api/v1/admin/audit", None, limit=500)
    assert bad.value.code == "invalid_input"

    before = await last_audit_id(people.super_admin)
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.get(
            "/api/v1/admin/audit/export",
            params={"target_id": marker.account},
            headers={"Authorization": f"Bearer {people.auditor.token}"},
        )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["action"] for r in rows] == ["auth.sign_in_failed"] * 5
    assert rows[0]["details"] == '{"reason":"invalid_credentials"}'
    exported = await audit_since(people.super_admin, before)
    assert [(e["action"], e["actor_id"], e["details"]) for e in exported] == [
        ("audit.export", people.auditor.id, {"target_id": marker.account})
    ]
    await marker.http.close()


# Two nodes on PostgreSQL and Redis: a freeze on one throws the user out on the other.


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ServerProcess]]:
    redis = RedisProcess()
    redis.start()
    database = new_pg_database()
    env = {"TIDINGS_DATABASE_URL": database, "TIDINGS_REDIS_URL": redis.url}
    nodes = [
        ServerProcess(tmp_path_factory.mktemp(f"node{i}"), env={**env, "TIDINGS_NODE_ID": f"n{i}"})
        for i in range(2)
    ]
    for node in nodes:
        node.launch()
    for node in nodes:
        node.wait_ready()
    yield nodes
    for node in nodes:
        node.stop()
    remove_pg_database(database)
    redis.stop()


@pytest.mark.postgres
async def test_a_freeze_on_one_node_ends_sessions_on_the_other(
    pair: list[ServerProcess],
) -> None:
    admin = await register(pair[0].base_url, "admin")
    await make_admin(pair[0], admin)
    victim = await register(pair[1].base_url, "victim")
    async with raw_connection(pair[1].base_url, victim.token) as live:
        await admin.http.call("POST", f"/api/v1/admin/users/{victim.id}/freeze")
        await _thrown_out_as_frozen(live)
    refused = await _login(pair[1].base_url, victim.account)
    assert refused.json()["error"]["code"] == "account_disabled"
    await admin.http.close()
    await victim.http.close()
