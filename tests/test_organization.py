"""The organization (C1-C4): visibility honoured by search, tree, department lists, profiles
and direct-chat creation (a hidden department's members are never revealed), admin changes
with cycle checks, and imports/exports of users, the tree and contacts (CSV and .xlsx) with
per-row reports and nothing written from a bad file.

The tree:  Acme (ceo) ─┬─ Engineering (lead) ─┬─ Backend (backend)
                       │                      └─ Frontend (frontend)  <- works with Sales
                       ├─ Sales (seller)
                       └─ Secret [hidden] (spy) ── Labs (scientist)
"""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from tests.support.files import uploaded
from tests.support.raw import raw_connection
from tests.support.server import ServerProcess
from tests.support.social import (
    http_refused,
    make_admin,
    online,
    refused,
)
from tests.support.users import PASSWORD, Person, register
from tidings.sdk import ServerError, TidingsHttp

PEOPLE = ["admin", "ceo", "lead", "backend", "frontend", "seller", "spy", "scientist", "outsider"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def server(shared_server: ServerProcess) -> ServerProcess:
    return shared_server


@dataclass
class Org:
    people: dict[str, Person]
    departments: dict[str, int]

    def __getitem__(self, name: str) -> Person:
        return self.people[name]


@pytest.fixture(scope="module")
async def org(server: ServerProcess, base_url: str) -> AsyncIterator[Org]:
    people = {name: await register(base_url, name) for name in PEOPLE}
    await make_admin(server, people["admin"])
    admin = people["admin"]
    csv = "department,account,position\n" + "\n".join(
        f"{path},{people[name].account},{position}"
        for path, name, position in [
            ("Acme", "ceo", "CEO"),
            ("Acme/Engineering", "lead", "Head of engineering"),
            ("Acme/Engineering/Backend", "backend", "Engineer"),
            ("Acme/Engineering/Frontend", "frontend", "Engineer"),
            ("Acme/Sales", "seller", "Account manager"),
            ("Acme/Secret", "spy", "Agent"),
            ("Acme/Secret/Labs", "scientist", "Scientist"),
        ]
    )
    report = await _upload(admin, "/api/v1/org/import", csv.encode(), "text/csv")
    assert report["rejected"] == 0, report
    tree = await admin.http.call("GET", "/api/v1/org")
    ids = {d["name"]: d["id"] for d in tree["departments"]}
    await admin.http.call("PATCH", f"/api/v1/org/departments/{ids['Secret']}", {"hidden": True})
    await admin.http.call(
        "POST",
        "/api/v1/org/collaborations",
        {"department_id": ids["Sales"], "partner_id": ids["Frontend"]},
    )
    yield Org(people, ids)
    for person in people.values():
        await person.http.close()


async def _upload(person: Person, path: str, data: bytes, content_type: str) -> Any:
    response = await person.http._http.post(
        path,
        content=data,
        headers={"Authorization": f"Bearer {person.token}", "Content-Type": content_type},
    )
    return response.json() if response.status_code == 200 else response.json()["error"]


async def _found(person: Person, query: str) -> set[int]:
    result = await person.http.call("GET", "/api/v1/users", q=query, limit=100)
    return {u["id"] for u in result["users"]}


async def test_search_honours_visibility(org: Org) -> None:
    ids = {name: org[name].id for name in PEOPLE}
    # Everyone's account contains their name and a shared "x" marker.
    for name, expected in {
        "backend": {"ceo", "lead", "backend", "admin", "outsider"},
        "seller": {"ceo", "seller", "frontend", "admin", "outsider"},
        "spy": {"ceo", "spy", "scientist", "admin", "outsider"},
        "outsider": {"admin", "outsider"},
        "admin": set(PEOPLE),
    }.items():
        seen = set()
        for other in PEOPLE:
            if ids[other] in await _found(org[name], org[other].account):
                seen.add(other)
        assert seen == expected, name


async def test_search_by_nickname_is_paged_and_skips_hidden_people(base_url: str, org: Org) -> None:
    """B1: a fragment of a nickname, in any case, finds people page by page; people in a
    hidden department are neither listed nor counted in the pages of those who may not see
    them."""
    marker = uuid.uuid4().hex[:10]
    people: list[int] = []
    for i in range(5):
        async with TidingsHttp(base_url) as http:
            made = await http.register(
                f"acct{uuid.uuid4().hex[:12]}", PASSWORD, f"Pager {marker.upper()} {i}"
            )
            people.append(int(made["user"]["id"]))
    admin, backend = org["admin"], org["backend"]
    for hidden in (people[1], people[3]):
        await admin.http.call(
            "PUT",
            f"/api/v1/org/departments/{org.departments['Secret']}/members/{hidden}",
            {"position": "Agent"},
        )

    async def page(person: Person, offset: int, limit: int) -> tuple[list[int], bool]:
        found = await person.http.call(
            "GET", "/api/v1/users", q=marker.lower(), offset=offset, limit=limit
        )
        return [u["id"] for u in found["users"]], found["has_more"]

    assert await page(backend, 0, 2) == ([people[0], people[2]], True)
    assert await page(backend, 2, 2) == ([people[4]], False)
    assert await page(admin, 0, 5) == (people, False)
    async with online(base_url, backend) as (b,):
        over_ws = await b.request("contacts.search", {"query": marker, "offset": 1, "limit": 5})
        assert [u["id"] for u in over_ws["users"]] == [people[2], people[4]]
        assert over_ws["users"][0]["nickname"] == f"Pager {marker.upper()} 2"


async def test_tree_and_departments_honour_visibility(org: Org) -> None:
    d = org.departments
    tree = await org["backend"].http.call("GET", "/api/v1/org")
    assert {x["name"] for x in tree["departments"]} == {"Acme", "Engineering", "Backend"}
    tree = await org["seller"].http.call("GET", "/api/v1/org")
    assert {x["name"] for x in tree["departments"]} == {"Acme", "Sales", "Frontend"}
    tree = await org["admin"].http.call("GET", "/api/v1/org")
    assert {x["name"] for x in tree["departments"]} >= {"Secret", "Labs"}

    acme = await org["backend"].http.call("GET", f"/api/v1/org/departments/{d['Acme']}")
    assert [m["id"] for m in acme["members"]] == [org["ceo"].id], "ancestors: direct members only"
    assert [c["name"] for c in acme["children"]] == ["Engineering"]
    for hidden in ("Secret", "Labs", "Sales"):
        assert (
            await http_refused(org["backend"], "GET", f"/api/v1/org/departments/{d[hidden]}")
            == "not_found"
        )
    own = await org["spy"].http.call("GET", f"/api/v1/org/departments/{d['Labs']}")
    assert own["path"] == "Acme/Secret/Labs" and own["members"][0]["position"] == "Scientist"
    found = await org["backend"].http.call("GET", "/api/v1/org/search", q="Secret")
    assert found["departments"] == [] and found["users"] == []
    for name in ("spy", "scientist"):
        account = org[name].account
        found = await org["backend"].http.call("GET", "/api/v1/org/search", q=account)
        assert found["users"] == [], f"the tree search shows the hidden {name}"
        found = await org["admin"].http.call("GET", "/api/v1/org/search", q=account)
        assert [u["id"] for u in found["users"]] == [org[name].id]


async def test_profiles_and_direct_chats_never_reveal_hidden_members(
    base_url: str, org: Org
) -> None:
    spy, backend = org["spy"], org["backend"]
    missing = 987_654_321
    for target in (spy.id, missing):
        assert await http_refused(backend, "GET", f"/api/v1/users/{target}") == "not_found"
        assert (
            await http_refused(
                backend, "POST", "/api/v1/conversations", {"type": "direct", "peer_id": target}
            )
            == "not_found"
        )
    async with online(base_url, backend, org["admin"]) as (b, admin):
        for target in (spy.id, missing):
            assert await refused(b, "profile.get", {"user_id": target}) == "not_found"
            assert await refused(b, "conversation.open_direct", {"peer_id": target}) == "not_found"
        # A friend request cannot probe the tree either: hidden and missing, one answer.
        answers = []
        for target in (spy.id, missing):
            try:
                await b.request("friends.request", {"user_id": target, "message": "hi"})
            except ServerError as error:
                answers.append((error.code, error.message))
            else:
                raise AssertionError("a friend request reached someone hidden or missing")
            assert (
                await http_refused(backend, "POST", "/api/v1/friend-requests", {"user_id": target})
                == "not_found"
            )
        assert answers[0] == answers[1] and answers[0][0] == "not_found", answers
        assert (await spy.http.call("GET", "/api/v1/friend-requests"))["incoming"] == []
        ceo = await b.request("profile.get", {"user_id": org["ceo"].id})
        assert ceo["departments"] == [
            {"id": org.departments["Acme"], "name": "Acme", "position": "CEO"}
        ]
        await b.request("conversation.open_direct", {"peer_id": org["ceo"].id})
        # Met in a group, they may talk: the group reveals its members anyway.
        group = await admin.request(
            "conversation.create_group", {"name": "Mixed", "member_ids": [backend.id, spy.id]}
        )
        chat = await b.request(
            "conversation.open_direct", {"peer_id": spy.id, "via_group_id": group["id"]}
        )
        assert chat["type"] == "direct"
        admin_view = await admin.request("profile.get", {"user_id": spy.id})
        assert admin_view["departments"][0]["name"] == "Secret"


async def test_groups_add_only_people_the_creator_may_see(base_url: str, org: Org) -> None:
    backend, spy, ceo = org["backend"], org["spy"], org["ceo"]
    missing = 987_654_321

    async def error_of(client: Any, op: str, data: dict[str, Any]) -> tuple[str, str]:
        try:
            await client.request(op, data)
        except ServerError as error:
            return error.code, error.message
        raise AssertionError(f"{op} {data} was accepted")

    async with online(base_url, backend) as (b,):
        # A hidden person is refused exactly like one who does not exist: code and message.
        hidden = await error_of(
            b, "conversation.create_group", {"name": "Spies", "member_ids": [spy.id]}
        )
        absent = await error_of(
            b, "conversation.create_group", {"name": "Ghosts", "member_ids": [missing]}
        )
        assert hidden[0] == absent[0] == "not_found" and hidden[1] == absent[1]
        assert (
            await http_refused(
                backend,
                "POST",
                "/api/v1/conversations",
                {"type": "group", "name": "Spies", "member_ids": [ceo.id, spy.id]},
            )
            == "not_found"
        )
        group = await b.request(
            "conversation.create_group", {"name": "Visible", "member_ids": [ceo.id]}
        )
        hidden = await error_of(
            b, "group.invite", {"conversation_id": group["id"], "user_ids": [spy.id]}
        )
        absent = await error_of(
            b, "group.invite", {"conversation_id": group["id"], "user_ids": [missing]}
        )
        assert hidden[0] == absent[0] == "not_found" and hidden[1] == absent[1]
        members = await b.request("group.members", {"conversation_id": group["id"]})
        assert sorted(m["user_id"] for m in members["members"]) == sorted([backend.id, ceo.id])
        conversations = (await b.request("conversations.list", {}))["conversations"]
        assert not {"Spies", "Ghosts"} & {c["name"] for c in conversations}


async def test_contact_cards_name_only_people_the_sender_may_see(base_url: str, org: Org) -> None:
    backend, spy, ceo = org["backend"], org["spy"], org["ceo"]
    async with online(base_url, backend, org["admin"]) as (b, admin):
        chat = await b.request("conversation.open_direct", {"peer_id": ceo.id})

        def card(user_id: int, n: str) -> dict[str, Any]:
            return {
                "conversation_id": chat["id"],
                "client_msg_id": f"card-{n}",
                "type": "contact_card",
                "body": {"user_id": user_id},
            }

        # Hidden and missing alike: one code, so a card cannot probe the tree.
        assert await refused(b, "send", card(spy.id, "hidden")) == "unknown_contact"
        assert await refused(b, "send", card(987_654_321, "missing")) == "unknown_contact"
        assert (
            await http_refused(
                backend,
                "POST",
                f"/api/v1/conversations/{chat['id']}/messages",
                {"client_msg_id": "card-rest", "type": "contact_card", "body": {"user_id": spy.id}},
            )
            == "unknown_contact"
        )
        sent = await b.request("send", card(ceo.id, "visible"))
        assert sent["body"] == {"user_id": ceo.id}
        history = await b.request("history", {"conversation_id": chat["id"], "after_seq": 0})
        assert [m["client_msg_id"] for m in history["messages"] if m["kind"] == "message"] == [
            "card-visible"
        ]

        # An admin shares the spy's card in a group; a member who may not see the spy cannot
        # pass it on.
        group = await admin.request(
            "conversation.create_group", {"name": "Cards", "member_ids": [backend.id]}
        )
        shared = await admin.request(
            "send",
            {
                "conversation_id": group["id"],
                "client_msg_id": "card-spy",
                "type": "contact_card",
                "body": {"user_id": spy.id},
            },
        )
        assert (
            await refused(
                b,
                "forward",
                {
                    "conversation_id": group["id"],
                    "seqs": [shared["seq"]],
                    "target_ids": [chat["id"]],
                    "client_msg_id": "fwd-card",
                },
            )
            == "unknown_contact"
        )


async def test_lookups_paths_blocked_flags_and_own_announcements(base_url: str, org: Org) -> None:
    backend, spy, ceo, d = org["backend"], org["spy"], org["ceo"], org.departments
    missing = 987_654_321
    async with online(base_url, backend, ceo, spy) as (b, c, s):
        # A batch lookup leaves out the hidden and the missing alike, keeping the order asked;
        # the spy, met in a group, is shown (issue 12: one sees one's chat partners), without
        # their hidden department.
        await org["admin"].http.call(
            "POST",
            "/api/v1/conversations",
            {"type": "group", "name": "Met", "member_ids": [backend.id, spy.id]},
        )
        scientist = org["scientist"]
        wanted = [ceo.id, scientist.id, missing, backend.id, ceo.id, spy.id]
        found = await b.request("users.lookup", {"user_ids": wanted})
        assert [u["id"] for u in found["users"]] == [ceo.id, backend.id, spy.id]
        assert found["users"][2]["departments"] == []
        assert found["users"][0]["departments"] == [
            {"id": d["Acme"], "name": "Acme", "position": "CEO"}
        ]
        over_rest = await backend.http.call("POST", "/api/v1/users/lookup", {"user_ids": wanted})
        assert over_rest == found
        assert await refused(b, "users.lookup", {"user_ids": []}) == "invalid_input"

        # Department paths as lists of {id, name} beside the old strings.
        labs = await s.request("org.department", {"department_id": d["Labs"]})
        assert labs["path"] == "Acme/Secret/Labs"
        assert labs["path_items"] == [
            {"id": d["Acme"], "name": "Acme"},
            {"id": d["Secret"], "name": "Secret"},
            {"id": d["Labs"], "name": "Labs"},
        ]
        searched = await b.request("org.search", {"query": "Backend"})
        assert searched["departments"][0]["path_items"][-1] == {
            "id": d["Backend"],
            "name": "Backend",
        }

        # Profiles say whether I blocked them, never whether they blocked me.
        assert (await b.request("profile.get", {"user_id": ceo.id}))["blocked"] is False
        await b.request("blocks.add", {"user_id": ceo.id})
        try:
            assert (await b.request("profile.get", {"user_id": ceo.id}))["blocked"] is True
            assert (await c.request("profile.get", {"user_id": backend.id}))["blocked"] is False
            rest = await backend.http.call("GET", f"/api/v1/users/{ceo.id}")
            assert rest["blocked"] is True
        finally:
            await b.request("blocks.remove", {"user_id": ceo.id})
        assert (await b.request("profile.get", {}))["blocked"] is False

        # My own announcement counts as read by me, not by the others.
        group = await c.request(
            "conversation.create_group", {"name": "News", "member_ids": [backend.id]}
        )
        await c.request(
            "group.announcement.post", {"conversation_id": group["id"], "text": "Hello"}
        )
        mine = await c.request("group.announcements", {"conversation_id": group["id"]})
        theirs = await b.request("group.announcements", {"conversation_id": group["id"]})
        assert [a["read"] for a in mine["announcements"]] == [True]
        assert [a["read"] for a in theirs["announcements"]] == [False]


async def test_admin_changes_cycles_and_bad_input(base_url: str, org: Org) -> None:
    d = org.departments
    async with online(base_url, org["admin"], org["ceo"], org["frontend"]) as (admin, ceo, fe):
        assert (
            await refused(
                admin,
                "org.department.update",
                {"department_id": d["Engineering"], "parent_id": d["Backend"]},
            )
            == "cycle"
        )
        assert (
            await refused(
                admin, "org.department.update", {"department_id": d["Acme"], "parent_id": d["Acme"]}
            )
            == "cycle"
        )
        assert await refused(admin, "org.department.create", {"name": "x" * 101}) == "invalid_input"
        assert (
            await refused(admin, "org.department.create", {"name": "Ops", "parent_id": 987_654_321})
            == "not_found"
        )
        assert (
            await refused(admin, "org.department.delete", {"department_id": d["Acme"]})
            == "department_not_empty"
        )
        assert await refused(ceo, "org.department.create", {"name": "Mine"}) == "forbidden"
        assert (
            await refused(
                ceo,
                "org.member.set",
                {"department_id": d["Acme"], "user_id": org["spy"].id, "position": "x"},
            )
            == "forbidden"
        )

        # Told at once: people in the tree, and the admin, who sits in no department.
        async with (
            raw_connection(base_url, org["ceo"].token) as watcher,
            raw_connection(base_url, org["admin"].token) as admin_watcher,
        ):
            version = (await watcher.ok("org.tree"))["version"]
            ops = await admin.request(
                "org.department.create", {"name": "Ops", "parent_id": d["Acme"]}
            )
            push = await watcher.next_frame()
            assert push == {"push": "org_changed", "data": {"version": version + 1}}
            assert await admin_watcher.next_frame() == push
        await admin.request(
            "org.member.set",
            {"department_id": ops["id"], "user_id": org["frontend"].id, "position": "On call"},
        )
        departments = await _eventually_departments(fe, 2)
        assert {x["name"] for x in departments} == {"Frontend", "Ops"}
        await admin.request(
            "org.member.remove", {"department_id": ops["id"], "user_id": org["frontend"].id}
        )
        await _eventually_departments(fe, 1)
        await admin.request("org.department.delete", {"department_id": ops["id"]})
        tree = await ceo.request("org.tree", {})
        assert "Ops" not in {x["name"] for x in tree["departments"]}


async def _eventually_departments(client: Any, count: int) -> list[dict[str, Any]]:
    from tests.support.waiting import eventually

    await eventually(lambda: len(client.state.social.departments) == count)
    return list(client.state.social.departments)


async def test_user_import_reports_each_row(base_url: str, org: Org) -> None:
    admin = org["admin"]
    taken = org["ceo"].account
    csv = (
        "account,nickname,password,phone,department,position\n"
        "imp_wang,Wang Wei,a-long-password,13800000001,Acme/Support,Agent\n"
        "imp_li,Li Na,,,Acme/Support,Lead\n"
        f"{taken},Someone,,,,\n"
        "imp_wang,Again,,,,\n"
        "!!,Bad,,,,\n"
        "imp_zhao,Zhao,short,,,\n"
        "imp_qian,Qian,,,Acme//Broken,\n"
        f"imp_sun,Sun,,,Acme/Support,{'p' * 65}\n"
    )
    report = await _upload(admin, "/api/v1/admin/users/import", csv.encode(), "text/csv")
    statuses = [(r["row"], r["status"]) for r in report["rows"]]
    assert statuses == [
        (2, "added"),
        (3, "added"),
        (4, "rejected"),
        (5, "rejected"),
        (6, "rejected"),
        (7, "rejected"),
        (8, "rejected"),
        (9, "rejected"),
    ], report
    assert report["rows"][-1]["reason"] == "positions are at most 64 characters"
    assert report["added"] == 2 and report["rejected"] == 6
    generated = report["rows"][1]["password"]
    async with TidingsHttp(base_url) as http:
        await http.login("imp_li", generated)
        await http.login("imp_wang", "a-long-password")
    found = await admin.http.call("GET", "/api/v1/users", q="13800000001")
    assert [u["account"] for u in found["users"]] == ["imp_wang"], "found by exact phone"
    assert await _found(admin, "1380000000") == set(), "phones are not matched by substring"
    assert (await _upload(org["ceo"], "/api/v1/admin/users/import", csv.encode(), "text/csv"))[
        "code"
    ] == "forbidden"


async def test_a_bad_file_changes_nothing(org: Org) -> None:
    admin = org["admin"]
    before = await admin.http.call("GET", "/api/v1/org")
    bad_files: list[tuple[str, bytes, str]] = [
        ("/api/v1/admin/users/import", b"", "text/csv"),
        ("/api/v1/admin/users/import", b"\x89PNG\r\n\x1a\n\x00\x00", "text/csv"),
        ("/api/v1/admin/users/import", "account,nickname\nbad_1,Ok\n".encode("utf-16"), "text/csv"),
        ("/api/v1/admin/users/import", b"account,shoe_size\nbad_2,42\n", "text/csv"),
        ("/api/v1/admin/users/import", b"nickname\nNo account column\n", "text/csv"),
        ("/api/v1/admin/users/import", b"account,nickname\nbad_3,A,extra\n", "text/csv"),
        ("/api/v1/admin/users/import", b'account,nickname\n"bad_4,unterminated\n', "text/csv"),
        ("/api/v1/admin/users/import", b"PK\x03\x04 not really a zip", XLSX),
        ("/api/v1/org/import", b"department,account\n" + b"Acme/X,\n" * 20_001, "text/csv"),
        ("/api/v1/org/import", b"\xff\xfe\xfa", "text/csv"),
        ("/api/v1/contacts/import", b"who\nsomeone\n", "text/csv"),
    ]
    for path, data, content_type in bad_files:
        result = await _upload(admin, path, data, content_type)
        assert result["code"] == "bad_file", (path, data[:40], result)
    for account in ("bad_1", "bad_2", "bad_3", "bad_4"):
        assert await _found(admin, account) == set()
    assert await admin.http.call("GET", "/api/v1/org") == before


async def test_xlsx_round_trip_and_contact_import(org: Org) -> None:
    admin = org["admin"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["department", "account", "position"])
    sheet.append(["Acme/Sales/East", org["seller"].account, "Regional lead"])
    sheet.append(["Acme/Sales/East", "nobody-here", "Ghost"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = await _upload(admin, "/api/v1/org/import", buffer.getvalue(), XLSX)
    assert [r["status"] for r in report["rows"]] == ["added", "rejected"]
    assert report["rows"][1]["reason"] == "no such user"

    async with httpx.AsyncClient(base_url=admin.http.base_url) as http:
        headers = {"Authorization": f"Bearer {admin.token}"}
        exported = await http.get("/api/v1/org/export", params={"format": "xlsx"}, headers=headers)
        assert exported.headers["content-type"] == XLSX
        rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
        assert rows[0] == ("department", "account", "nickname", "position")
        assert ("Acme/Sales/East", org["seller"].account) in {(r[0], r[1]) for r in rows}
        csv = await http.get("/api/v1/org/export", params={"format": "csv"}, headers=headers)
        assert "Acme/Secret/Labs" in csv.text
        before = await admin.http.call("GET", "/api/v1/org")
        again = await _upload(admin, "/api/v1/org/import", csv.content, "text/csv")
        assert again["rejected"] == 0
        after = await admin.http.call("GET", "/api/v1/org")
        assert len(after["departments"]) == len(before["departments"]), "nothing duplicated"
        denied = await http.get(
            "/api/v1/org/export", headers={"Authorization": f"Bearer {org['ceo'].token}"}
        )
        assert denied.status_code == 403

    contacts = (
        "account,remark,tags,message\n"
        f"{org['ceo'].account},Boss,vip;mgmt,Hello from the import\n"
        f"{org['spy'].account},,,\n"
        f"{org['ceo'].account},,,\n"
        f"{org['backend'].account},,,\n"
        ",,,\n"
        f"{org['frontend'].account},{'r' * 65},,\n"
        f"{org['frontend'].account},,,{'m' * 201}\n"
    )
    report = await _upload(org["lead"], "/api/v1/contacts/import", contacts.encode(), "text/csv")
    assert [(r["row"], r["status"]) for r in report["rows"]] == [
        (2, "requested"),
        (3, "rejected"),
        (4, "rejected"),
        (5, "requested"),
        (7, "rejected"),
        (8, "rejected"),
    ]
    assert [r["reason"] for r in report["rows"][-2:]] == [
        "remarks are at most 64 characters",
        "messages are at most 200 characters",
    ], "never cut short unseen"
    assert report["rows"][1]["reason"] == "no such user", "the hidden spy is not revealed"
    incoming = await org["ceo"].http.call("GET", "/api/v1/friend-requests")
    assert "Hello from the import" in [r["message"] for r in incoming["incoming"]]

    # The same from an Excel file.
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["account", "remark", "message"])
    sheet.append([org["seller"].account, "Sales", "Hello from Excel"])
    sheet.append([org["scientist"].account, "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    report = await _upload(org["frontend"], "/api/v1/contacts/import", buffer.getvalue(), XLSX)
    assert [(r["row"], r["status"]) for r in report["rows"]] == [(2, "requested"), (3, "rejected")]
    assert report["rows"][1]["reason"] == "no such user"
    incoming = await org["seller"].http.call("GET", "/api/v1/friend-requests")
    assert "Hello from Excel" in [r["message"] for r in incoming["incoming"]]


async def test_cli_creates_admins(server: ServerProcess, base_url: str) -> None:
    person = await register(base_url, "cliadmin")
    async with person.http:
        assert (
            await http_refused(person, "POST", "/api/v1/org/departments", {"name": "X"})
            == "forbidden"
        )
        await make_admin(server, person)
        created = await person.http.call("POST", "/api/v1/org/departments", {"name": "CLI made"})
        await person.http.call("DELETE", f"/api/v1/org/departments/{created['id']}")
    assert PASSWORD


async def test_imports_exports_and_qr_codes_over_the_websocket(base_url: str, org: Org) -> None:
    """The same actions as the REST uploads and downloads: a file uploaded through tus goes
    in by its id; an export or a PNG comes back as a file of the caller's with a signed link;
    the same permission checks refuse the same people."""
    admin, ceo, lead = org["admin"], org["ceo"], org["lead"]
    newcomer = await register(base_url, "newcomer")
    async with (
        newcomer.http,
        httpx.AsyncClient(base_url=base_url) as http,
        online(base_url, admin, ceo, lead) as (a, c, ld),
    ):
        tree = (
            "department,account,position\n"
            f"Acme/Imported,{newcomer.account},Hired by file\n"
            "Acme/Imported,nobody-here,Ghost\n"
        ).encode()
        tree_file = await uploaded(
            http, admin.token, tree, filename="tree.csv", filetype="text/csv"
        )
        report = await a.request("org.import", {"file_id": tree_file})
        assert [r["status"] for r in report["rows"]] == ["added", "rejected"]
        profile = await a.request("profile.get", {"user_id": newcomer.id})
        assert [x["name"] for x in profile["departments"]] == ["Imported"]

        accounts = f"account,nickname\nws{newcomer.account},From a socket\n".encode()
        users_file = await uploaded(http, admin.token, accounts, filename="people.csv")
        created = await a.request("users.import", {"file_id": users_file})
        assert created["added"] == 1 and created["rows"][0]["password"]

        # Denials: non-admins, someone else's file, a file too large, bad input.
        own_file = await uploaded(http, ceo.token, tree, filename="tree.csv")
        assert await refused(c, "org.import", {"file_id": own_file}) == "forbidden"
        assert await refused(c, "users.import", {"file_id": own_file}) == "forbidden"
        assert await refused(c, "org.export", {"format": "csv"}) == "forbidden"
        assert await refused(c, "contacts.import", {"file_id": tree_file}) == "not_found"
        assert await refused(c, "contacts.import", {"file_id": "../etc"}) == "invalid_input"
        large = await uploaded(
            http, ceo.token, b"account\n" + b"x" * (1024 * 1024), filename="a.csv"
        )
        assert await refused(c, "contacts.import", {"file_id": large}) == "payload_too_large"
        assert await refused(c, "contacts.import", {"file_id": own_file}) == "bad_file"

        # Contacts from a file, by an ordinary member.
        contacts = f"account,message\n{org['outsider'].account},Read from a file\n".encode()
        contacts_file = await uploaded(http, lead.token, contacts, filename="friends.csv")
        imported = await ld.request("contacts.import", {"file_id": contacts_file})
        assert [r["status"] for r in imported["rows"]] == ["requested"]

        # The export: a file of the admin's own, fetched with its signed link.
        exported = await a.request("org.export", {"format": "xlsx"})
        assert exported["file"]["name"] == "organization.xlsx"
        assert exported["file"]["uploader_id"] == admin.id
        got = await http.get(exported["url"])
        assert got.status_code == 200
        rows = list(load_workbook(io.BytesIO(got.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
        assert ("Acme/Imported", newcomer.account) in {(r[0], r[1]) for r in rows}
        others = await http.get(
            f"/files/{exported['file']['id']}", headers={"Authorization": f"Bearer {ceo.token}"}
        )
        assert others.status_code == 404

        # Invite QR codes: the SVG as text, the PNG behind a signed link.
        invite = await ld.request("invites.create", {"kind": "friend"})
        svg = await ld.request("invites.qr", {"code": invite["code"], "base_url": base_url})
        assert svg["format"] == "svg" and "<svg" in svg["svg"]
        png = await ld.request(
            "invites.qr", {"code": invite["code"], "format": "png", "base_url": base_url}
        )
        picture = await http.get(png["url"])
        assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
        assert (
            await refused(c, "invites.qr", {"code": invite["code"], "base_url": base_url})
            == "not_found"
        )
        assert (
            await refused(
                ld, "invites.qr", {"code": invite["code"], "base_url": "javascript:alert(1)"}
            )
            == "invalid_input"
        )


async def test_a_new_colleague_is_found_at_once_even_when_the_index_reloads(
    tmp_path: Any,
) -> None:
    """The search index reloads in the background every TIDINGS_DIRECTORY_RELOAD_SECONDS; the
    search that starts a reload must still find someone who signed up a moment ago."""
    server = ServerProcess(tmp_path, env={"TIDINGS_DIRECTORY_RELOAD_SECONDS": "0.2"})
    server.start()
    try:
        searcher = await register(server.base_url, "searcher")
        try:
            for round_ in range(3):
                await _found(searcher, "nobody")  # the index is loaded (or reloading)
                await asyncio.sleep(0.3)  # ...and now due for a reload
                newcomer = await register(server.base_url, f"newcomer{round_}")
                await newcomer.http.close()
                assert newcomer.id in await _found(searcher, f"newcomer{round_}")
        finally:
            await searcher.http.close()
    finally:
        server.stop()
