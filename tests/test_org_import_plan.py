"""The organization import's planner (domain/org_import.py), without a server: what a file
would change, rename and move by id, cycles refused per row, sync's removals and the people
it never touches, and an export that plans to nothing. The server tests
(tests/test_admin_org.py) check that applying does exactly the plan."""

from __future__ import annotations

from tidings.domain.org_import import (
    ImportMode,
    KnownPerson,
    OrgPlan,
    export_rows,
    plan_import,
)
from tidings.domain.organization import Department, OrgTree
from tidings.domain.tables import Row

# Acme(1) ─┬─ Eng(2) ── Backend(3)
#          └─ Sales(4)
#  Old(5) (empty, top level)
PEOPLE = {
    10: KnownPerson(10, "ann", "Ann", False),
    11: KnownPerson(11, "bob", "Bob", False),
    12: KnownPerson(12, "cat", "Cat", False),
    13: KnownPerson(13, "root", "Root", False),
    14: KnownPerson(14, "gone", "Gone", True),
}


def _tree() -> OrgTree:
    return OrgTree(
        version=7,
        company="Acme",
        departments={
            1: Department(1, None, "Acme", False),
            2: Department(2, 1, "Eng", False),
            3: Department(3, 2, "Backend", False),
            4: Department(4, 1, "Sales", False),
            5: Department(5, None, "Old", False),
        },
        members={1: {13: "CEO"}, 2: {}, 3: {10: "Dev", 11: "Dev"}, 4: {12: "Rep"}, 5: {}},
        partners={},
    )


def _rows(*lines: tuple[str, ...]) -> list[Row]:
    header = ("department", "department_id", "account", "nickname", "position")
    return [
        Row(n + 2, dict(zip(header, (*line, *[""] * 5), strict=False)))
        for n, line in enumerate(lines)
    ]


def _plan(
    rows: list[Row], mode: ImportMode = ImportMode.MERGE, tree: OrgTree | None = None
) -> OrgPlan:
    tree = tree or _tree()
    return plan_import(
        tree,
        rows,
        mode=mode,
        people={p.account: p for p in PEOPLE.values()},
        members={u: PEOPLE[u] for u in tree.memberships},
        protected={13},
    )


def test_the_export_plans_to_nothing_in_either_mode() -> None:
    exported = export_rows(_tree(), PEOPLE)
    assert exported[0] == ["Acme", "1", "root", "Root", "CEO"]
    assert ["Old", "5", "", "", ""] in exported
    for mode in ImportMode:
        plan = _plan(_rows(*[tuple(r) for r in exported]), mode)
        assert plan.changes == 0, plan.to_wire()
        assert plan.rejected == []
    # The same file without ids plans to nothing as well.
    plan = _plan(_rows(*[(r[0], "", *r[2:]) for r in exported]), ImportMode.SYNC)
    assert plan.changes == 0, plan.to_wire()


def test_paths_create_departments_and_people_move_between_them() -> None:
    plan = _plan(
        _rows(
            ("Acme/Eng/Frontend", "", "ann", "", "Designer"),
            ("Acme/Sales", "", "ann", "", "Advisor"),
            ("Acme/Ops/Night", "", "newbie", "New Person", "Operator"),
            ("Acme/Sales", "", "cat", "Cathy", "Rep"),
        )
    )
    wire = plan.to_wire()
    assert [d["path"] for d in wire["departments"]["create"]] == [
        "Acme/Eng/Frontend",
        "Acme/Ops",
        "Acme/Ops/Night",
    ]
    (ann,) = wire["people"]["move"]
    assert ann["before"] == [{"department": "Acme/Eng/Backend", "position": "Dev"}]
    assert ann["after"] == [
        {"department": "Acme/Eng/Frontend", "position": "Designer"},
        {"department": "Acme/Sales", "position": "Advisor"},
    ]
    (cat,) = wire["people"]["update"]
    assert cat["new_nickname"] == "Cathy"
    (newbie,) = wire["people"]["create"]
    assert newbie["user_id"] is None and newbie["nickname"] == "New Person"
    # Merge: bob, root and the department Old are left alone.
    assert wire["people"]["disable"] == [] and wire["departments"]["remove"] == []


def test_ids_rename_and_move_and_a_cycle_is_refused_per_row() -> None:
    plan = _plan(
        _rows(
            ("Acme/Engineering", "2"),  # renamed
            ("Acme/Sales/Backend", "3", "ann", "", "Dev"),  # moved under Sales
        )
    )
    wire = plan.to_wire()
    assert wire["departments"]["rename"] == [{"id": 2, "path": "Acme/Eng", "name": "Engineering"}]
    assert wire["departments"]["move"] == [
        {"id": 3, "path": "Acme/Eng/Backend", "to": "Acme/Sales/Backend"}
    ]
    assert wire["departments"]["create"] == []
    cycle = _plan(_rows(("Acme/Eng/Backend/Eng", "2"), ("Acme/Sales", "4", "cat", "", "Rep")))
    assert [(r["row"], r["reason"]) for r in cycle.rejected] == [
        (2, "a department cannot move below itself")
    ]
    assert cycle.changes == 0
    elsewhere = _plan(_rows(("Acme/Eng", "2"), ("Acme/Other", "2")))
    assert elsewhere.rejected[0]["reason"] == "row 2 puts this department elsewhere"
    unknown = _plan(_rows(("Acme/X", "999"), ("Acme/Y", "abc")))
    assert {r["reason"] for r in unknown.rejected} == {"no department has this id"}


def test_sync_disables_and_removes_what_the_file_leaves_out_but_never_the_protected() -> None:
    plan = _plan(_rows(("Acme/Eng/Backend", "", "ann", "", "Dev")), ImportMode.SYNC)
    wire = plan.to_wire()
    assert [p["account"] for p in wire["people"]["disable"]] == ["bob", "cat"]
    # Sales empties and goes; Old was empty; Acme keeps root (protected), so it stays.
    assert [d["path"] for d in wire["departments"]["remove"]] == ["Acme/Sales", "Old"]
    assert wire["departments"]["kept"] == []
    # Without Acme in the file, it is kept: root stays there.
    tree = _tree()
    tree.members[5][13] = "Archivist"
    tree.__post_init__()
    plan = _plan(_rows(("Acme/Eng/Backend", "", "ann", "", "Dev")), ImportMode.SYNC, tree)
    assert plan.to_wire()["departments"]["kept"] == [
        {"id": 5, "path": "Old", "reason": "people stay here: root"}
    ]


def test_a_person_with_a_rejected_row_is_left_as_they_are() -> None:
    plan = _plan(
        _rows(
            ("Acme/Sales", "", "ann", "", "Dev"),
            ("Acme//Bad", "", "ann", "", "Dev"),
            ("Acme/Sales", "", "nobody"),
            ("Acme/Sales", "", "cat", "", "x" * 65),
        ),
        ImportMode.SYNC,
    )
    reasons = {(r["row"], r["reason"]) for r in plan.rejected}
    assert reasons == {
        (2, "left as is: another row of this person was rejected"),
        (3, "a department path like Company/Sales"),
        (4, "no such user (give a nickname to create them)"),
        (5, "positions are at most 64 characters"),
    }
    wire = plan.to_wire()
    # ann and cat are named by the file (even on bad rows): never disabled by sync.
    assert [p["account"] for p in wire["people"]["disable"]] == ["bob"]
    assert wire["people"]["move"] == [] and wire["people"]["update"] == []


def test_the_plan_id_names_the_plan_and_the_tree_version() -> None:
    rows = _rows(("Acme/Eng/Frontend", "", "ann", "", "Dev"))
    first, again = _plan(rows).to_wire(), _plan(rows).to_wire()
    assert first["plan_id"] == again["plan_id"]
    tree = _tree()
    tree.version += 1
    assert _plan(rows, tree=tree).to_wire()["plan_id"] != first["plan_id"]
    assert _plan(rows, ImportMode.SYNC).to_wire()["plan_id"] != first["plan_id"]
