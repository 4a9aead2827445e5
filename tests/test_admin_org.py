"""The organization in the admin API (K3, C3; decision 0060), on a server of its own (sync
disables people: it must not meet other modules' trees), on SQLite and PostgreSQL.

Tree edits: each is one audit entry, a refused one none; a move below itself is `cycle`, a
delete of a department with people or sub-departments `department_not_empty`. Imports: the
dry run changes nothing and applying does exactly the previewed plan; a plan the tree moved
away from is `org_changed`; sync disables and removes what the file leaves out but never the
importing admin nor a department where someone stays; applying twice changes nothing; the
export re-imports to no change; bad files are refused whole, bad rows one by one. And two
admins on two PostgreSQL nodes moving departments under each other keep the tree a tree.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from tests.support.admin import audit_since, last_audit_id
from tests.support.raw import raw_connection
from tests.support.server import ServerProcess, new_pg_database, remove_pg_database
from tests.support.social import make_admin
from tests.support.users import PASSWORD, Person, register
from tidings.sdk import ServerError, TidingsHttp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ORG = "/api/v1/admin/org"


@dataclass
class Scene:
    base_url: str
    admin: Person  # super_admin: also reads the audit log
    org_admin: Person
    people: dict[str, Person]


@pytest.fixture(scope="module")
async def scene(server: ServerProcess) -> AsyncIterator[Scene]:
    admin = await register(server.base_url, "boss")
    org_admin = await register(server.base_url, "hr")
    await make_admin(server, admin)
    await make_admin(server, org_admin, "org_admin")
    people = {n: await register(server.base_url, n) for n in ("ann", "bob", "cat", "dan")}
    yield Scene(server.base_url, admin, org_admin, people)
    for person in [admin, org_admin, *people.values()]:
        await person.http.close()


async def _raw(
    person: Person, method: str, path: str, *, content: bytes = b"", ctype: str = "text/csv"
) -> httpx.Response:
    return await person.http._http.request(
        method,
        path,
        content=content,
        headers={"Authorization": f"Bearer {person.token}", "Content-Type": ctype},
    )


async def _import(
    person: Person, csv: str | bytes, *, mode: str = "merge", apply: str | None = None, **q: Any
) -> dict[str, Any]:
    """A dry run, or (apply="<plan_id>" or apply="") an apply; the reply's JSON."""
    params = {"mode": mode, "dry_run": "false" if apply is not None else "true", **q}
    if apply:
        params["plan_id"] = apply
    data = csv.encode() if isinstance(csv, str) else csv
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = await _raw(person, "POST", f"{ORG}/import?{query}", content=data)
    body: dict[str, Any] = response.json()
    return body if response.status_code == 200 else {"status": response.status_code, **body}


async def _tree(person: Person) -> dict[str, Any]:
    found: dict[str, Any] = await person.http.call("GET", ORG)
    return found


def _paths(tree: dict[str, Any]) -> dict[str, int]:
    by_id = {d["id"]: d for d in tree["departments"]}

    def path(d: dict[str, Any]) -> str:
        parent = by_id.get(d["parent_id"])
        return d["name"] if parent is None else f"{path(parent)}/{d['name']}"

    return {path(d): d["id"] for d in tree["departments"]}


async def _refused(person: Person, method: str, path: str, body: Any = None) -> str:
    try:
        result = await person.http.call(method, path, body)
    except ServerError as error:
        return error.code
    raise AssertionError(f"{method} {path} was accepted: {result}")


async def test_tree_edits_are_one_audit_entry_each_and_refusals_none(scene: Scene) -> None:
    admin, hr = scene.admin, scene.org_admin
    ann = scene.people["ann"]
    start = await last_audit_id(admin)
    top = await hr.http.call("POST", f"{ORG}/departments", {"name": "Edits"})
    child = await hr.http.call(
        "POST", f"{ORG}/departments", {"name": "Child", "parent_id": top["id"]}
    )
    leaf = await hr.http.call(
        "POST", f"{ORG}/departments", {"name": "Leaf", "parent_id": child["id"]}
    )
    await hr.http.call("PATCH", f"{ORG}/departments/{leaf['id']}", {"name": "Leaflet"})
    await hr.http.call("PATCH", f"{ORG}/departments/{leaf['id']}", {"parent_id": top["id"]})
    await hr.http.call("PATCH", f"{ORG}/departments/{leaf['id']}", {"hidden": True})
    await hr.http.call(
        "PUT", f"{ORG}/departments/{child['id']}/members/{ann.id}", {"position": "Lead"}
    )
    await hr.http.call("PUT", f"{ORG}/departments/{leaf['id']}/members/{ann.id}", {})
    await hr.http.call(
        "PUT",
        f"{ORG}/collaborations",
        {"department_id": child["id"], "partner_id": leaf["id"], "on": True},
    )
    await hr.http.call("DELETE", f"{ORG}/departments/{leaf['id']}/members/{ann.id}")
    await hr.http.call("PUT", f"{ORG}/company", {"name": "Edits Inc"})
    entries = await audit_since(admin, start)
    assert [e["action"] for e in entries] == [
        "org.department_create",
        "org.department_create",
        "org.department_create",
        "org.department_rename",
        "org.department_move",
        "org.department_update",
        "org.member_set",
        "org.member_set",
        "org.collaborate",
        "org.member_remove",
        "org.company_rename",
    ]
    assert {e["actor_id"] for e in entries} == {hr.id}
    assert entries[4]["target_id"] == str(leaf["id"])
    assert entries[4]["details"] == {"parent_id": top["id"]}
    # The console's view: hidden flag, collaborations, people in several departments.
    tree = {d["id"]: d for d in (await _tree(hr))["departments"]}
    assert tree[leaf["id"]]["hidden"] is True and tree[leaf["id"]]["parent_id"] == top["id"]
    assert tree[child["id"]]["partners"] == [leaf["id"]]
    await hr.http.call("PUT", f"{ORG}/departments/{top['id']}/members/{ann.id}", {})
    page = await hr.http.call("GET", f"{ORG}/departments/{child['id']}")
    assert [(m["id"], m["position"]) for m in page["members"]] == [(ann.id, "Lead")]
    assert {d["id"] for d in page["members"][0]["departments"]} == {top["id"], child["id"]}

    # Refusals: a cycle (directly below itself, and below its own child), a delete of a
    # department with people or sub-departments, unknown ids, bad input. None is audited.
    mark = await last_audit_id(admin)
    d = f"{ORG}/departments"
    assert await _refused(hr, "PATCH", f"{d}/{top['id']}", {"parent_id": child["id"]}) == "cycle"
    assert await _refused(hr, "PATCH", f"{d}/{top['id']}", {"parent_id": top["id"]}) == "cycle"
    assert await _refused(hr, "DELETE", f"{d}/{child['id']}") == "department_not_empty"
    assert await _refused(hr, "DELETE", f"{d}/{top['id']}") == "department_not_empty"
    assert await _refused(hr, "PATCH", f"{d}/{2**62}", {"name": "X"}) == "not_found"
    assert await _refused(hr, "PATCH", f"{d}/{top['id']}", {"parent_id": 2**62}) == "not_found"
    assert await _refused(hr, "POST", d, {"name": "X", "parent_id": 2**62}) == "not_found"
    assert await _refused(hr, "POST", d, {"name": ""}) == "invalid_input"
    assert await _refused(hr, "PATCH", f"{d}/{top['id']}", {}) == "invalid_input"
    assert await _refused(hr, "PUT", f"{d}/{top['id']}/members/{2**62}", {}) == "not_found"
    assert await _refused(hr, "DELETE", f"{d}/{child['id']}/members/{scene.people['bob'].id}") == (
        "not_found"
    )
    assert (
        await _refused(
            hr,
            "PUT",
            f"{ORG}/collaborations",
            {"department_id": top["id"], "partner_id": top["id"]},
        )
        == "invalid_input"
    )
    assert await _refused(hr, "PUT", f"{ORG}/company", {"name": ""}) == "invalid_input"
    # A plain member may not, over the older routes either.
    assert await _refused(ann, "POST", "/api/v1/org/departments", {"name": "Mine"}) == "forbidden"
    assert await audit_since(admin, mark) == []
    # Emptied, it goes: one entry.
    await hr.http.call("DELETE", f"{d}/{leaf['id']}")
    (deleted,) = await audit_since(admin, mark)
    assert deleted["action"] == "org.department_delete"
    assert deleted["details"]["path"] == "Edits/Leaflet"


async def test_the_preview_changes_nothing_and_applying_does_exactly_it(scene: Scene) -> None:
    admin, hr = scene.admin, scene.org_admin
    ann, bob = scene.people["ann"], scene.people["bob"]
    csv = (
        "department,account,nickname,position\n"
        f"Preview/Eng,{ann.account},,Engineer\n"
        f"Preview/Eng/Web,{bob.account},,Designer\n"
        f"Preview/Sales,{bob.account},,Advisor\n"
        "Preview/Empty,,,\n"
        f"Preview/Eng,newcomer{ann.id},New Comer,Intern\n"
    )
    before = await _tree(hr)
    mark = await last_audit_id(admin)
    plan = await _import(hr, csv)
    assert plan["dry_run"] is True and plan["applied"] is False
    assert [d["path"] for d in plan["departments"]["create"]] == [
        "Preview",
        "Preview/Eng",
        "Preview/Eng/Web",
        "Preview/Sales",
        "Preview/Empty",
    ]
    assert [p["account"] for p in plan["people"]["create"]] == [f"newcomer{ann.id}"]
    moved = {p["account"]: p["after"] for p in plan["people"]["move"]}
    assert moved[bob.account] == [
        {"department": "Preview/Eng/Web", "position": "Designer"},
        {"department": "Preview/Sales", "position": "Advisor"},
    ]
    assert plan["rejected"] == [] and plan["changes"] == 8
    # Nothing changed, nothing audited.
    assert await _tree(hr) == before
    assert await audit_since(admin, mark) == []

    applied = await _import(hr, csv, apply=plan["plan_id"])
    assert applied["applied"] is True and applied["plan_id"] == plan["plan_id"]
    (password,) = applied["passwords"]
    paths = _paths(await _tree(hr))
    assert {p for p in paths if p.startswith("Preview")} == {
        "Preview",
        "Preview/Eng",
        "Preview/Eng/Web",
        "Preview/Sales",
        "Preview/Empty",
    }
    web = await hr.http.call("GET", f"{ORG}/departments/{paths['Preview/Eng/Web']}")
    assert [(m["id"], m["position"]) for m in web["members"]] == [(bob.id, "Designer")]
    eng = await hr.http.call("GET", f"{ORG}/departments/{paths['Preview/Eng']}")
    assert {m["id"] for m in eng["members"]} == {ann.id, password["user_id"]}
    # The new person's one-time password signs in, and must be changed first.
    async with TidingsHttp(scene.base_url) as http:
        signed_in = await http.login(password["account"], password["password"])
        assert signed_in["password_change_required"] is True
    # One entry for the import (and the newcomer's own sign-in).
    entry, signed = await audit_since(admin, mark)
    assert signed["action"] == "auth.sign_in"
    assert entry["action"] == "org.import" and entry["actor_id"] == hr.id
    assert entry["details"]["plan_id"] == plan["plan_id"]
    assert entry["details"]["people"]["create"] == 1

    # Idempotent: the same file again plans nothing and, applied, writes nothing.
    again = await _import(hr, csv)
    assert again["changes"] == 0, again
    version = (await _tree(hr))["version"]
    assert (await _import(hr, csv, apply=again["plan_id"]))["changes"] == 0
    assert (await _tree(hr))["version"] == version


async def test_a_plan_the_tree_moved_away_from_is_refused(scene: Scene) -> None:
    admin, hr = scene.admin, scene.org_admin
    csv = f"department,account,position\nStale/Team,{scene.people['cat'].account},Lead\n"
    plan = await _import(hr, csv)
    await hr.http.call("POST", f"{ORG}/departments", {"name": "Meanwhile"})
    mark = await last_audit_id(admin)
    refused = await _import(hr, csv, apply=plan["plan_id"])
    assert refused["status"] == 409 and refused["error"]["code"] == "org_changed"
    assert "Stale" not in _paths(await _tree(hr))
    assert await audit_since(admin, mark) == []
    # A plain user and an auditor may not even preview.
    for who in (scene.people["cat"],):
        denied = await _import(who, csv)
        assert denied["status"] == 403 and denied["error"]["code"] == "forbidden"


async def test_imports_racing_edits_apply_whole_or_not_at_all(scene: Scene) -> None:
    """Applies (without a plan id) while another admin edits the tree: each is applied whole
    or refused with org_changed when the tree moved between its plan and its write."""
    admin, hr = scene.admin, scene.org_admin

    async def apply(i: int) -> str:
        found = await _import(hr, f"department\nRace {i}/X\nRace {i}/Y\n", apply="")
        return "ok" if found.get("applied") else found["error"]["code"]

    async def edit(i: int) -> None:
        await admin.http.call("POST", f"{ORG}/departments", {"name": f"Racer {i}"})

    outcomes = await asyncio.gather(*(apply(i) for i in range(6)), *(edit(i) for i in range(6)))
    paths = set(_paths(await _tree(hr)))
    for i, outcome in enumerate(outcomes[:6]):
        assert outcome in ("ok", "org_changed")
        made = {f"Race {i}", f"Race {i}/X", f"Race {i}/Y"} & paths
        assert len(made) == (3 if outcome == "ok" else 0), (outcome, made)
    assert {f"Racer {i}" for i in range(6)} <= paths


async def test_a_change_is_seen_by_the_next_read_while_others_read_all_along(
    scene: Scene,
) -> None:
    """The tree is cached: a read that loaded it while a change committed must not keep the
    old tree. Each of many admins creates a department and reads the tree at once after,
    while other reads load it all the time: every one sees its own department."""
    admin, hr = scene.admin, scene.org_admin
    done = asyncio.Event()

    async def keep_reading() -> None:
        while not done.is_set():
            await _tree(hr)

    async def create_then_read(i: int) -> bool:
        made = await admin.http.call("POST", f"{ORG}/departments", {"name": f"Seen {i}"})
        return made["id"] in {d["id"] for d in (await _tree(hr))["departments"]}

    readers = [asyncio.create_task(keep_reading()) for _ in range(8)]
    try:
        seen = await asyncio.gather(*(create_then_read(i) for i in range(60)))
    finally:
        done.set()
        await asyncio.gather(*readers)
    assert all(seen), seen.count(False)


async def test_bad_files_are_refused_whole_and_bad_rows_one_by_one(scene: Scene) -> None:
    hr = scene.org_admin
    version = (await _tree(hr))["version"]
    for data, ctype, code in [
        (b"", "text/csv", "bad_file"),
        (b"\xff\xfe\x00garbage", "text/csv", "bad_file"),
        (b'department,account\n"unclosed,x\n', "text/csv", "bad_file"),
        (b"account,position\nann,x\n", "text/csv", "bad_file"),  # no department column
        (b"department,salary\nA,1\n", "text/csv", "bad_file"),  # unknown column
        (b"PK\x03\x04 not really a workbook", XLSX, "bad_file"),
    ]:
        response = await _raw(hr, "POST", f"{ORG}/import?dry_run=false", content=data, ctype=ctype)
        assert (response.status_code, response.json()["error"]["code"]) == (422, code), data
    # A whole company's file may pass the usual 1 MiB body limit (up to 8 MiB).
    big = "department\n" + "".join(f"Big/{'Unit ' * 16}{i}\n" for i in range(12_000))
    assert len(big) > 1024 * 1024
    plan = await _import(hr, big)
    assert plan["rows"] == 12_000 and len(plan["departments"]["create"]) == 12_001
    huge = await _raw(hr, "POST", f"{ORG}/import", content=b"department\n" + b"x" * 9_000_000)
    assert (huge.status_code, huge.json()["error"]["code"]) == (413, "payload_too_large")
    bad = await _raw(hr, "POST", f"{ORG}/import?mode=replace", content=b"department\nA\n")
    assert bad.json()["error"]["code"] == "invalid_input"
    assert (await _tree(hr))["version"] == version

    ann = scene.people["ann"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [
        ("department", "department_id", "account", "nickname", "position"),
        ("Rows/Good", None, None, None, None),
        ("Rows//Empty part", None, None, None, None),
        ("Rows/X", "999999999", None, None, None),
        ("Rows/Y", None, "nobody-here", None, None),
        ("Rows/Y", None, "no way!", "Bad Account", None),
        ("Rows/Y", None, ann.account, None, "p" * 65),
        ("Rows/Z", None, None, None, "Orphan position"),
    ]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    response = await _raw(
        hr, "POST", f"{ORG}/import?format=xlsx", content=buffer.getvalue(), ctype=XLSX
    )
    plan = response.json()
    assert [(r["row"], r["reason"]) for r in plan["rejected"]] == [
        (3, "a department path like Company/Sales"),
        (4, "no department has this id"),
        (5, "no such user (give a nickname to create them)"),
        (6, "the account must be 3 to 64 letters, digits or . _ - @"),
        (7, "positions are at most 64 characters"),
        (8, "a position or nickname needs an account"),
    ]
    assert [d["path"] for d in plan["departments"]["create"]] == [
        "Rows",
        "Rows/Good",
        "Rows/Y",
        "Rows/Z",
    ]


async def test_a_move_in_the_file_that_makes_a_cycle_is_a_rejected_row(scene: Scene) -> None:
    hr = scene.org_admin
    top = await hr.http.call("POST", f"{ORG}/departments", {"name": "Loop"})
    inner = await hr.http.call(
        "POST", f"{ORG}/departments", {"name": "Inner", "parent_id": top["id"]}
    )
    csv = (
        "department,department_id\n"
        f"Loop/Inner,{inner['id']}\n"
        f"Loop/Inner/Loop,{top['id']}\n"
        f"Renamed Loop,{top['id']}\n"
    )
    plan = await _import(hr, csv)
    assert [(r["row"], r["reason"]) for r in plan["rejected"]] == [
        (3, "a department cannot move below itself"),
        (4, "row 3 puts this department elsewhere"),
    ]
    cycle = await _import(hr, f"department,department_id\nLoop/Inner/Loop,{top['id']}\n")
    assert [r["reason"] for r in cycle["rejected"]] == ["a department cannot move below itself"]
    assert cycle["changes"] == 0
    # By id, a rename and a move are what they are, not a new department.
    moved = await _import(hr, f"department,department_id\nElsewhere/Inner2,{inner['id']}\n")
    assert moved["departments"]["move"] == [
        {"id": inner["id"], "path": "Loop/Inner", "to": "Elsewhere/Inner2"}
    ]
    assert moved["departments"]["rename"] == [
        {"id": inner["id"], "path": "Loop/Inner", "name": "Inner2"}
    ]
    assert [d["path"] for d in moved["departments"]["create"]] == ["Elsewhere"]


async def test_the_older_routes_and_ops_are_audited_alike(scene: Scene) -> None:
    admin, hr = scene.admin, scene.org_admin
    mark = await last_audit_id(admin)
    csv = f"department,account,position\nLegacy,{scene.people['cat'].account},Clerk\n"
    response = await _raw(hr, "POST", "/api/v1/org/import", content=csv.encode())
    assert response.json()["added"] == 1
    async with hr.client(scene.base_url) as ws:
        await ws.request("org.export", {"format": "csv"})
        made = await ws.request("org.department.create", {"name": "Legacy WS"})
        await ws.request("org.department.delete", {"department_id": made["id"]})
    entries = await audit_since(admin, mark)
    assert [e["action"] for e in entries] == [
        "org.import",
        "org.export",
        "org.department_create",
        "org.department_delete",
    ]
    assert entries[0]["details"]["mode"] == "add"


async def test_sync_disables_and_removes_and_the_export_reimports_to_nothing(
    server: ServerProcess, scene: Scene
) -> None:
    """Last in the module: sync takes out everything the file leaves out."""
    admin, hr = scene.admin, scene.org_admin
    ann, bob, cat, dan = (scene.people[n] for n in ("ann", "bob", "cat", "dan"))
    auditor = await register(scene.base_url, "auditor")
    await make_admin(server, auditor, "auditor")
    await hr.http.call("POST", f"{ORG}/departments", {"name": "Sync"})
    paths = _paths(await _tree(hr))
    await hr.http.call("PUT", f"{ORG}/departments/{paths['Sync']}/members/{cat.id}", {})
    await hr.http.call("PUT", f"{ORG}/departments/{paths['Sync']}/members/{dan.id}", {})
    await hr.http.call("PUT", f"{ORG}/departments/{paths['Sync']}/members/{auditor.id}", {})
    # The importing admin sits in a department the file leaves out: both stay.
    kept = await hr.http.call("POST", f"{ORG}/departments", {"name": "HR office"})
    await hr.http.call("PUT", f"{ORG}/departments/{kept['id']}/members/{hr.id}", {})
    csv = (
        "department,account,position\n"
        f"Sync,{cat.account},Keeper\n"
        f"Sync/Team,{ann.account},Engineer\n"
    )
    plan = await _import(hr, csv, mode="sync")
    disabled = {p["account"] for p in plan["people"]["disable"]}
    # bob sits in Preview/* (an earlier test), dan in Sync: neither is in the file.
    assert {bob.account, dan.account} <= disabled
    # Never an admin of any role, nor the importing one.
    assert not {hr.account, admin.account, auditor.account} & disabled
    removed = {d["path"] for d in plan["departments"]["remove"]}
    assert {"Preview/Eng/Web", "Preview/Sales", "Preview/Empty", "Edits/Child"} <= removed
    assert "HR office" not in removed
    assert {"id": kept["id"], "path": "HR office", "reason": f"people stay here: {hr.account}"} in (
        plan["departments"]["kept"]
    )
    mark = await last_audit_id(admin)
    async with raw_connection(scene.base_url, dan.token) as dans:
        await _import(hr, csv, mode="sync", apply=plan["plan_id"])
        # dan is thrown out as a frozen account is, and cannot sign in again.
        push = await asyncio.wait_for(dans.next_frame(), 10)
        assert push == {"push": "signed_out", "data": {"reason": "account_frozen"}}
    async with TidingsHttp(scene.base_url) as http:
        with pytest.raises(ServerError) as refused:
            await http.login(dan.account, PASSWORD)
        assert refused.value.code == "account_disabled"
    (entry,) = [e for e in await audit_since(admin, mark) if not e["action"].startswith("auth.")]
    assert entry["action"] == "org.import" and entry["details"]["mode"] == "sync"
    after = _paths(await _tree(hr))
    assert not removed & set(after)
    assert {"Sync", "Sync/Team", "HR office"} <= set(after)
    await auditor.http.close()
    assert (await _import(hr, csv, mode="sync"))["changes"] == 0

    # The export (audited once per download) re-imports to no change, CSV and XLSX.
    for fmt, ctype in (("csv", "text/csv"), ("xlsx", XLSX)):
        mark = await last_audit_id(admin)
        exported = await _raw(hr, "GET", f"{ORG}/export?format={fmt}")
        assert exported.status_code == 200
        (entry,) = await audit_since(admin, mark)
        assert (entry["action"], entry["details"]["format"]) == ("org.export", fmt)
        for mode in ("merge", "sync"):
            response = await _raw(
                hr,
                "POST",
                f"{ORG}/import?mode={mode}&format={fmt}",
                content=exported.content,
                ctype=ctype,
            )
            plan = response.json()
            assert plan["changes"] == 0 and plan["rejected"] == [], plan
    text = (await _raw(hr, "GET", f"{ORG}/export")).content.decode("utf-8-sig")
    assert text.splitlines()[0] == "department,department_id,account,nickname,position"
    assert f"Sync,{after['Sync']},{cat.account}," in text


# Two admins on two PostgreSQL nodes moving departments under each other at once.


@pytest.fixture(scope="module")
def two_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ServerProcess]]:
    database = new_pg_database()
    nodes = [
        ServerProcess(
            tmp_path_factory.mktemp(f"org-node{i}"),
            env={"TIDINGS_DATABASE_URL": database, "TIDINGS_NODE_ID": f"org{i}"},
        )
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


async def test_concurrent_moves_on_two_nodes_keep_the_tree_a_tree(
    two_nodes: list[ServerProcess],
) -> None:
    a = await register(two_nodes[0].base_url, "admin_a")
    b = await register(two_nodes[1].base_url, "admin_b")
    await make_admin(two_nodes[0], a, "org_admin")
    await make_admin(two_nodes[0], b, "org_admin")
    # Ten pairs of sibling departments; for each pair, one admin moves x under y while the
    # other moves y under x, through different nodes, at the same moment.
    pairs = []
    for i in range(10):
        x = await a.http.call("POST", f"{ORG}/departments", {"name": f"x{i}"})
        y = await a.http.call("POST", f"{ORG}/departments", {"name": f"y{i}"})
        pairs.append((x["id"], y["id"]))

    async def move(person: Person, dept: int, parent: int) -> str:
        try:
            await person.http.call("PATCH", f"{ORG}/departments/{dept}", {"parent_id": parent})
        except ServerError as error:
            return error.code
        return "ok"

    outcomes = await asyncio.gather(
        *(move(a, x, y) for x, y in pairs), *(move(b, y, x) for x, y in pairs)
    )
    for i in range(10):
        # Exactly one of each pair's moves won; the other saw the first and was a cycle.
        assert sorted([outcomes[i], outcomes[10 + i]]) == ["cycle", "ok"]
    tree = await b.http.call("GET", ORG)
    parents = {d["id"]: d["parent_id"] for d in tree["departments"]}
    for dept in parents:
        seen, node = set(), dept
        while node is not None:
            assert node not in seen, "a cycle"
            seen.add(node)
            node = parents[node]
    for person in (a, b):
        await person.http.close()
