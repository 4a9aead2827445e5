"""The back office's users (PRODUCT.md K1, decision 0059): the list's search, filters and
keyset pages (also while accounts are being created), creating and editing accounts, one
user's details and ending their sessions, batch creation with a per-row report; one audit
entry per action and none for a refused or failed one."""

from __future__ import annotations

import asyncio
import io
import random
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from tests.support.admin import Staff, audit_since, last_audit_id, staff
from tests.support.server import ServerProcess
from tests.support.social import http_refused
from tests.support.users import PASSWORD, Person
from tidings.sdk import ServerError, TidingsHttp

USERS = "/api/v1/admin/users"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def server(shared_server: ServerProcess) -> ServerProcess:
    return shared_server


@pytest.fixture(scope="module")
async def people(server: ServerProcess) -> AsyncIterator[Staff]:
    found = await staff(server)
    yield found
    await found.close()


def _tag() -> str:
    return "t" + uuid.uuid4().hex[:8]


async def _create(admin: Person, account: str, **extra: Any) -> dict[str, Any]:
    body = {"account": account, "nickname": extra.pop("nickname", account.title()), **extra}
    created: dict[str, Any] = await admin.http.call("POST", USERS, body)
    return created


async def _list(admin: Person, **params: Any) -> dict[str, Any]:
    found: dict[str, Any] = await admin.http.call("GET", USERS, None, **params)
    return found


async def _accounts(admin: Person, **params: Any) -> list[str]:
    return [u["account"] for u in (await _list(admin, limit=200, **params))["users"]]


async def _department(admin: Person, name: str, parent_id: int | None = None) -> int:
    created = await admin.http.call(
        "POST", "/api/v1/org/departments", {"name": name, "parent_id": parent_id, "hidden": False}
    )
    return int(created["id"])


async def test_search_and_filters(server: ServerProcess, people: Staff) -> None:
    admin = people.org_admin
    tag = _tag()
    top = await _department(admin, f"Sales {tag}")
    below = await _department(admin, f"East {tag}", top)
    phone = "139" + "".join(random.choices("0123456789", k=8))
    a = await _create(
        admin,
        f"{tag}.ming",
        nickname=f"张明{tag}",
        departments=[{"department_id": top, "position": "经理"}],
    )
    b = await _create(
        admin,
        f"{tag}.bob",
        nickname=f"Bob {tag}",
        phone=phone,
        work_email=f"Bob.{tag}@Example.com",
        departments=[{"department_id": below}],
    )
    c = await _create(admin, f"{tag}.carol", password=PASSWORD)
    assert "one_time_password" in a and "one_time_password" not in c
    assert a["user"]["departments"] == [
        {"id": top, "name": f"Sales {tag}", "path": f"Sales {tag}", "position": "经理"}
    ]
    everyone = sorted(u["user"]["account"] for u in (a, b, c))

    assert sorted(await _accounts(admin, q=tag)) == everyone  # account prefix, any case
    assert sorted(await _accounts(admin, q=tag.upper())) == everyone
    assert await _accounts(admin, q=f"明{tag}") == [f"{tag}.ming"]  # nickname, anywhere
    assert await _accounts(admin, q=f"ob {tag.upper()}") == [f"{tag}.bob"]
    assert await _accounts(admin, q=phone[:9]) == [f"{tag}.bob"]  # phone prefix
    assert await _accounts(admin, q=f"bob.{tag}@ex") == [f"{tag}.bob"]  # e-mail prefix
    assert await _accounts(admin, q=f"{tag}%") == []  # a wildcard is a plain character
    # A department holds the ones below it.
    assert sorted(await _accounts(admin, department_id=top)) == [f"{tag}.bob", f"{tag}.ming"]
    assert await _accounts(admin, department_id=below) == [f"{tag}.bob"]
    assert await http_refused(admin, "GET", f"{USERS}?department_id={2**62}") == "not_found"
    # Nobody signed in yet; then Carol does, from a named device.
    assert sorted(await _accounts(admin, q=tag, never_signed_in="true")) == everyone
    started = (await _list(admin, q=f"{tag}.carol"))["users"][0]["created_at"]
    async with TidingsHttp(server.base_url) as carol:
        await carol.login(f"{tag}.carol", PASSWORD, device_name="Carol's laptop")
    assert sorted(await _accounts(admin, q=tag, never_signed_in="true")) == [
        f"{tag}.bob",
        f"{tag}.ming",
    ]
    assert await _accounts(admin, q=tag, signed_in_after=started) == [f"{tag}.carol"]
    assert await _accounts(admin, q=tag, signed_in_before=started) == []
    details = await admin.http.call("GET", f"{USERS}/{c['user']['id']}")
    assert details["last_sign_in"]["device"] == "Carol's laptop"
    assert details["last_sign_in"]["ip"] == "127.0.0.1"
    assert [s["device_name"] for s in details["sessions"]] == ["Carol's laptop"]
    # Frozen, and roles.
    await admin.http.call("POST", f"{USERS}/{b['user']['id']}/freeze", {"reason": "test"})
    assert await _accounts(admin, q=tag, status="frozen") == [f"{tag}.bob"]
    assert len(await _accounts(admin, q=tag, status="active")) == 2
    assert len(await _accounts(admin, q=tag, role="none")) == 3
    assert await _accounts(admin, q=tag, role="admin") == []
    assert people.auditor.account in await _accounts(
        admin, q=people.auditor.account, role="auditor"
    )
    first = await _list(admin, q=tag, limit=2)
    assert first["total"] == 3 and len(first["users"]) == 2 and first["next_cursor"]
    rest = await _list(admin, q=tag, limit=2, cursor=first["next_cursor"])
    assert "total" not in rest and len(rest["users"]) == 1 and rest["next_cursor"] is None


async def test_pages_stay_exact_while_accounts_are_created(people: Staff) -> None:
    """Walking every page while others create accounts: each account that existed before
    the walk shows once, none twice, all in order (keyset pages, not offsets)."""
    admin = people.super_admin
    tag = _tag()
    before = [f"{tag}.{i:03d}" for i in range(0, 40, 2)]
    for account in before:
        await _create(admin, account, nickname=f"N{account[-3:]}", password=PASSWORD)

    async def create_more() -> None:
        for i in range(1, 40, 2):
            await _create(admin, f"{tag}.{i:03d}", nickname=f"N{i:03d}", password=PASSWORD)

    for sort, order in (("account", "asc"), ("created", "desc"), ("nickname", "desc")):
        creating = asyncio.create_task(create_more()) if sort == "account" else None
        seen: list[dict[str, Any]] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"q": tag, "limit": 3, "sort": sort, "order": order}
            if cursor:
                params["cursor"] = cursor
            page = await _list(admin, **params)
            seen += page["users"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        if creating is not None:
            await creating
        accounts = [u["account"] for u in seen]
        assert len(accounts) == len(set(accounts)), f"{sort}: a row shown twice"
        assert set(before) <= set(accounts), f"{sort}: a row skipped"
        keys = {
            "account": [u["account"] for u in seen],
            "created": [-u["id"] for u in seen],
            "nickname": [(u["nickname"], u["id"]) for u in seen][::-1],
        }[sort]
        assert keys == sorted(keys), f"{sort}: out of order"


async def test_create_refusals_and_one_time_password(server: ServerProcess, people: Staff) -> None:
    admin = people.org_admin
    tag = _tag()
    start = await last_audit_id(people.super_admin)
    created = await _create(admin, f"{tag}.new")
    one_time = created["one_time_password"]
    assert created["user"]["password_change_required"] is True
    async with TidingsHttp(server.base_url) as fresh:
        signed_in = await fresh.login(f"{tag}.new", one_time)
        assert signed_in["password_change_required"] is True
    for body, code in (
        ({"account": f"{tag}.new", "nickname": "Again"}, "account_taken"),
        ({"account": f"{tag}.weak", "nickname": "Weak", "password": "123"}, "weak_password"),
        ({"account": "x", "nickname": "Short"}, "invalid_input"),
        ({"account": f"{tag}.n", "nickname": ""}, "invalid_input"),
        ({"account": f"{tag}.n", "nickname": "N", "role": "super_admin"}, "invalid_input"),
        (
            {"account": f"{tag}.d", "nickname": "D", "departments": [{"department_id": 2**62}]},
            "not_found",
        ),
    ):
        assert await http_refused(admin, "POST", USERS, body) == code, body
    for who in (people.plain, people.auditor):
        assert await http_refused(who, "POST", USERS, {"account": f"{tag}.x", "nickname": "X"}) == (
            "forbidden"
        )
    entries = await audit_since(people.super_admin, start, action="user.create")
    assert [(e["target_id"], e["details"]["account"]) for e in entries] == [
        (str(created["user"]["id"]), f"{tag}.new")
    ]
    assert entries[0]["actor_id"] == admin.id


async def test_edit_profile_and_departments(people: Staff) -> None:
    admin = people.org_admin
    tag = _tag()
    one = await _department(admin, f"One {tag}")
    two = await _department(admin, f"Two {tag}")
    user = (await _create(admin, f"{tag}.ed", departments=[{"department_id": one}]))["user"]
    start = await last_audit_id(people.super_admin)
    changed = await admin.http.call(
        "PATCH",
        f"{USERS}/{user['id']}",
        {
            "nickname": "Edited",
            "desk": "B-204",
            "phone": "13700000000",
            "departments": [{"department_id": two, "position": "Lead"}],
        },
    )
    assert changed["nickname"] == "Edited" and changed["desk"] == "B-204"
    assert changed["phone"] == "13700000000"
    assert [(d["id"], d["position"]) for d in changed["departments"]] == [(two, "Lead")]
    for body, code in (
        ({}, "invalid_input"),
        ({"avatar": "x"}, "invalid_input"),
        ({"nickname": "x" * 65}, "invalid_input"),
        ({"departments": [{"department_id": 2**62}]}, "not_found"),
    ):
        assert await http_refused(admin, "PATCH", f"{USERS}/{user['id']}", body) == code
    assert await http_refused(admin, "PATCH", f"{USERS}/{2**62}", {"desk": "x"}) == "not_found"
    # An org admin does not edit the super admin; a super admin does.
    target = f"{USERS}/{people.super_admin.id}"
    assert await http_refused(admin, "PATCH", target, {"desk": "x"}) == "forbidden"
    await people.super_admin.http.call("PATCH", f"{USERS}/{people.org_admin.id}", {"desk": "C"})
    entries = await audit_since(people.super_admin, start, action="user.update")
    assert [(e["target_id"], e["details"]["fields"]) for e in entries] == [
        (str(user["id"]), ["desk", "nickname", "phone", "departments"]),
        (str(people.org_admin.id), ["desk"]),
    ]


async def test_sign_out_one_session(server: ServerProcess, people: Staff) -> None:
    admin = people.org_admin
    tag = _tag()
    user = (await _create(admin, f"{tag}.s", password=PASSWORD))["user"]
    async with TidingsHttp(server.base_url) as phone, TidingsHttp(server.base_url) as laptop:
        await phone.login(f"{tag}.s", PASSWORD, device_name="phone", platform="ios")
        await laptop.login(f"{tag}.s", PASSWORD, device_name="laptop")
        sessions = (await admin.http.call("GET", f"{USERS}/{user['id']}"))["sessions"]
        by_device = {s["device_name"]: s["id"] for s in sessions}
        start = await last_audit_id(people.super_admin)
        await admin.http.call("DELETE", f"{USERS}/{user['id']}/sessions/{by_device['phone']}")
        with pytest.raises(ServerError) as ended:
            await phone.call("GET", "/api/v1/me")
        assert ended.value.code == "invalid_token"
        assert (await laptop.call("GET", "/api/v1/me"))["account"] == f"{tag}.s"
        again = f"{USERS}/{user['id']}/sessions/{by_device['phone']}"
        assert await http_refused(admin, "DELETE", again) == "not_found"
        # Another user's session is not this user's.
        other = f"{USERS}/{people.plain.id}/sessions/{by_device['laptop']}"
        assert await http_refused(admin, "DELETE", other) == "not_found"
        assert await http_refused(people.auditor, "DELETE", again) == "forbidden"
    entries = await audit_since(people.super_admin, start, action="user.sign_out_session")
    assert [(e["target_id"], e["details"]) for e in entries] == [
        (str(user["id"]), {"session_id": by_device["phone"]})
    ]


async def test_bad_list_input(people: Staff) -> None:
    admin = people.org_admin
    page = await _list(admin, sort="account", limit=1)
    assert page["next_cursor"]
    for params in (
        {"cursor": "not a cursor!"},
        {
            "sort": "account",
            "cursor": "WzEsMl0",
        },  # [1,2]: a number where the account sort keeps text
        {"sort": "account", "cursor": "W3RydWUsMl0"},  # [true,2]
        {"sort": "created", "cursor": page["next_cursor"]},  # the account sort's cursor
        {"sort": "shoe size"},
        {"order": "sideways"},
        {"limit": 201},
        {"role": "king"},
        {"status": "asleep"},
        {"q": "x" * 65},
        {"signed_in_after": -1},
    ):
        assert await http_refused(admin, "GET", USERS + "?" + str(httpx.QueryParams(params))) == (
            "invalid_input"
        ), params


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _upload(person: Person, data: bytes, content_type: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=person.http.base_url) as http:
        return await http.post(
            f"{USERS}/import",
            content=data,
            headers={"Authorization": f"Bearer {person.token}", "Content-Type": content_type},
        )


async def test_batch_create_reports_each_row(people: Staff) -> None:
    admin = people.org_admin
    tag = _tag()
    start = await last_audit_id(people.super_admin)
    csv = (
        "account,nickname,password,department\n"
        f"{tag}.ok,Ok,,Imported {tag}/Team\n"
        f"{tag}.ok,Twice,,\n"
        f"!bad,Bad,,\n"
        f"{tag}.nonick,,,\n"
        f"{tag}.weak,Weak,123,\n"
        f"{tag}.dept,Dept,,{'x' * 101}\n"
    )
    response = await _upload(admin, csv.encode(), "text/csv")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["added"] == 1 and report["rejected"] == 5
    statuses = [(r["row"], r["status"]) for r in report["rows"]]
    assert statuses == [(2, "added"), *[(n, "rejected") for n in range(3, 8)]]
    assert report["rows"][0]["password"]
    xlsx = _xlsx([["account", "nickname"], [f"{tag}.x1", "X1"], ["", "No account"]])
    report = (await _upload(admin, xlsx, XLSX)).json()
    assert [r["status"] for r in report["rows"]] == ["added", "rejected"]
    # A file that is no table is refused whole, and leaves no audit entry.
    for data, kind in ((b"PK\x03\x04 broken", XLSX), (b"nickname\nonly\n", "text/csv")):
        refused = await _upload(admin, data, kind)
        assert refused.json()["error"]["code"] == "bad_file", refused.text
    assert (await _upload(people.auditor, csv.encode(), "text/csv")).status_code == 403
    entries = await audit_since(people.super_admin, start, action="user.import")
    assert len(entries) == 2 and all(e["actor_id"] == admin.id for e in entries)
    assert await _accounts(admin, q=f"{tag}.ok") == [f"{tag}.ok"]
