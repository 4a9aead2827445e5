"""Planning an organization import (K3, C3): what a file would change, before it changes it.

A file lists departments by path ("Acme/Sales/East") and, optionally, by id: the export
carries ids, so a department renamed or moved in the file is renamed or moved, not created
anew. A row with an account puts that person in the row's department with a position; all
the rows of one person together are every department they belong to (people may sit in
several), so leaving one of their rows out moves them out of that department.

- ``merge``: the departments and people the file names are created or brought to what it
  says; nothing else changes.
- ``sync``: also, people in the tree whom the file leaves out are disabled and taken out of
  the tree, and departments it leaves out are removed. Never the importing admin nor anyone
  with an admin role (they stay where they are), and never a department where someone
  stays: such a department is kept and the plan says why.

A row that cannot be used is reported with its reason and changes nothing; if any row of a
person is rejected, that person is left exactly as they are (a typo in one row must not move
them out of their other departments). The planner is pure: a snapshot of the tree and of the
people in, a plan out. Applying a plan is the store's (``OrgStore.apply_import``); the plan's
digest lets an admin apply exactly the plan they previewed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tidings.domain.accounts import ACCOUNT_PATTERN
from tidings.domain.errors import TidingsError
from tidings.domain.organization import MAX_DEPTH, PATH_SEPARATOR, OrgTree, split_path
from tidings.domain.tables import Row, bad_file

# The columns of an import and of the export (which re-imports to no change).
IMPORT_REQUIRED = ("department",)
IMPORT_OPTIONAL = ("department_id", "account", "nickname", "position")
EXPORT_COLUMNS = ("department", "department_id", "account", "nickname", "position")

# The largest import file (a REST body; the usual limit is 1 MiB): 20,000 rows of long paths.
MAX_IMPORT_BYTES = 8 * 1024 * 1024
MAX_POSITION = 64
MAX_NICKNAME = 64
_ACCOUNT = re.compile(ACCOUNT_PATTERN)


class ImportMode(StrEnum):
    MERGE = "merge"
    SYNC = "sync"


@dataclass(frozen=True, slots=True)
class KnownPerson:
    """What the planner needs of an existing user."""

    id: int
    account: str
    nickname: str
    disabled: bool


@dataclass(frozen=True, slots=True)
class NewDepartment:
    # A key below zero standing for the department until it is created.
    key: int
    parent: int | None
    name: str
    path: str


@dataclass(frozen=True, slots=True)
class DepartmentEdit:
    id: int
    path: str  # where it is now
    new_path: str
    name: str | None  # the new name, when renamed
    parent: int | None  # the new parent (perhaps a new department's key), when moved
    moved: bool


@dataclass(frozen=True, slots=True)
class PersonChange:
    user_id: int | None  # None: a person to create
    account: str
    nickname: str
    new_nickname: str | None
    before: Mapping[int, str]  # department -> position
    after: Mapping[int, str]  # keys may be new departments' keys


@dataclass(slots=True)
class OrgPlan:
    mode: ImportMode
    version: int
    create_departments: list[NewDepartment] = field(default_factory=list)
    edit_departments: list[DepartmentEdit] = field(default_factory=list)
    remove_departments: list[tuple[int, str]] = field(default_factory=list)
    kept_departments: list[tuple[int, str, str]] = field(default_factory=list)
    create_people: list[PersonChange] = field(default_factory=list)
    update_people: list[PersonChange] = field(default_factory=list)
    move_people: list[PersonChange] = field(default_factory=list)
    disable_people: list[KnownPerson] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0
    paths: dict[int, str] = field(default_factory=dict)

    @property
    def changes(self) -> int:
        return (
            len(self.create_departments)
            + len(self.edit_departments)
            + len(self.remove_departments)
            + len(self.create_people)
            + len(self.update_people)
            + len(self.move_people)
            + len(self.disable_people)
        )

    def to_wire(self) -> dict[str, Any]:
        """The plan as the preview shows it; ``plan_id`` names exactly this plan."""
        body = self._body()
        return {"plan_id": digest(self.version, body), **body}

    def _body(self) -> dict[str, Any]:
        def places(positions: Mapping[int, str]) -> list[dict[str, str]]:
            return sorted(
                ({"department": self.paths[d], "position": p} for d, p in positions.items()),
                key=lambda e: e["department"],
            )

        def person(change: PersonChange) -> dict[str, Any]:
            out: dict[str, Any] = {
                "user_id": change.user_id,
                "account": change.account,
                "nickname": change.nickname,
                "before": places(change.before),
                "after": places(change.after),
            }
            if change.new_nickname is not None:
                out["new_nickname"] = change.new_nickname
            return out

        return {
            "mode": self.mode.value,
            "version": self.version,
            "rows": self.rows,
            "changes": self.changes,
            "departments": {
                "create": [{"path": d.path} for d in self.create_departments],
                "rename": [
                    {"id": e.id, "path": e.path, "name": e.name}
                    for e in self.edit_departments
                    if e.name is not None
                ],
                "move": [
                    {"id": e.id, "path": e.path, "to": e.new_path}
                    for e in self.edit_departments
                    if e.moved
                ],
                "remove": [{"id": d, "path": p} for d, p in self.remove_departments],
                "kept": [{"id": d, "path": p, "reason": r} for d, p, r in self.kept_departments],
            },
            "people": {
                "create": [person(c) for c in self.create_people],
                "update": [person(c) for c in self.update_people],
                "move": [person(c) for c in self.move_people],
                "disable": [
                    {"user_id": p.id, "account": p.account, "nickname": p.nickname}
                    for p in self.disable_people
                ],
            },
            "rejected": self.rejected,
        }


def digest(version: int, body: Mapping[str, Any]) -> str:
    text = json.dumps([version, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class _Working:
    """The tree as the file would leave it: existing departments moved and renamed, new
    ones (negative keys) added."""

    def __init__(self, tree: OrgTree) -> None:
        self.parent: dict[int, int | None] = {d.id: d.parent_id for d in tree.departments.values()}
        self.name: dict[int, str] = {d.id: d.name for d in tree.departments.values()}
        self.children: dict[int | None, list[int]] = {k: list(v) for k, v in tree.children.items()}
        self.created: list[NewDepartment] = []
        # Paths the file gave by id: those departments, not a namesake, are what they name.
        self.claimed: dict[tuple[str, ...], int] = {}

    def deepest(self, parts: list[str]) -> int | None:
        """The deepest department on this path that exists already."""
        node: int | None = None
        for depth in range(1, len(parts) + 1):
            found = self._step(node, parts, depth)
            if found is None:
                break
            node = found
        return node

    def _step(self, node: int | None, parts: list[str], depth: int) -> int | None:
        found = self.claimed.get(tuple(parts[:depth]))
        if found is None:
            found = next(
                (c for c in self.children.get(node, ()) if self.name[c] == parts[depth - 1]),
                None,
            )
        return found

    def resolve(self, parts: list[str]) -> int:
        """The department at this path, creating what is missing."""
        node: int | None = None
        for depth in range(1, len(parts) + 1):
            key = tuple(parts[:depth])
            found = self._step(node, parts, depth)
            if found is None:
                found = -(len(self.created) + 1)
                self.parent[found] = node
                self.name[found] = parts[depth - 1]
                self.children.setdefault(node, []).append(found)
                self.created.append(
                    NewDepartment(found, node, parts[depth - 1], PATH_SEPARATOR.join(key))
                )
            node = found
        assert node is not None
        return node

    def below(self, dept: int, other: int | None) -> bool:
        """Whether ``other`` is ``dept`` or under it."""
        steps = 0
        while other is not None and steps <= MAX_DEPTH * 4:
            if other == dept:
                return True
            other = self.parent.get(other)
            steps += 1
        return False

    def place(self, dept: int, parent: int | None, name: str) -> None:
        old = self.parent[dept]
        if old != parent:
            self.children[old].remove(dept)
            self.children.setdefault(parent, []).append(dept)
            self.parent[dept] = parent
        self.name[dept] = name

    def path(self, dept: int) -> str:
        names: list[str] = []
        node: int | None = dept
        while node is not None and len(names) <= MAX_DEPTH * 4:
            names.append(self.name[node])
            node = self.parent[node]
        return PATH_SEPARATOR.join(reversed(names))

    def depth(self, dept: int) -> int:
        return len(self.path(dept).split(PATH_SEPARATOR))


@dataclass(slots=True)
class _PersonRows:
    rows: list[int] = field(default_factory=list)
    positions: dict[int, str] = field(default_factory=dict)
    nickname: str = ""
    rejected: bool = False


def plan_import(
    tree: OrgTree,
    rows: list[Row],
    *,
    mode: ImportMode,
    people: Mapping[str, KnownPerson],
    members: Mapping[int, KnownPerson],
    protected: Iterable[int],
) -> OrgPlan:
    """The plan for these rows against ``tree``.

    ``people``: the existing users the file names, by lower-case account; ``members``:
    every user in the tree, by id; ``protected``: users sync never disables nor moves (the
    importing admin, the server's admins).
    """
    plan = OrgPlan(mode=mode, version=tree.version, rows=len(rows))
    work = _Working(tree)
    original = {d: tree.path(d) for d in tree.departments}
    # Row checks that need no tree, then departments given by id (shallowest first, so a
    # parent is in its new place before its children are put under it).
    parsed: dict[int, list[str]] = {}
    by_id: dict[int, tuple[int, list[str]]] = {}
    named_accounts: set[str] = set()

    def reject(row: Row, reason: str) -> None:
        plan.rejected.append(
            {
                "row": row.number,
                "department": row.cells.get("department", ""),
                "account": row.cells.get("account", "").lower(),
                "reason": reason,
            }
        )

    row_dept: dict[int, int] = {}
    # People with a row refused before their department is known: left as they are.
    refused_early: set[str] = set()
    for row in rows:
        account = row.cells.get("account", "").lower()
        if account:
            named_accounts.add(account)
        try:
            parts = split_path(row.cells["department"])
        except TidingsError as error:
            reject(row, error.message)
            refused_early.add(account)
            continue
        raw_id = row.cells.get("department_id", "")
        if raw_id:
            if not raw_id.isdigit() or int(raw_id) not in tree.departments:
                reject(row, "no department has this id")
                refused_early.add(account)
                continue
            dept_id = int(raw_id)
            given = by_id.get(dept_id)
            if given is not None and given[1] != parts:
                reject(row, f"row {given[0]} puts this department elsewhere")
                refused_early.add(account)
                continue
            by_id.setdefault(dept_id, (row.number, parts))
            row_dept[row.number] = dept_id
        parsed[row.number] = parts

    bad_ids: set[int] = set()
    for dept_id, (_, parts) in sorted(by_id.items(), key=lambda i: (len(i[1][1]), i[1][0])):
        clash = work.claimed.get(tuple(parts))
        if (clash is not None and clash != dept_id) or work.below(
            dept_id, work.deepest(parts[:-1])
        ):
            bad_ids.add(dept_id)
            continue
        parent = work.resolve(parts[:-1]) if len(parts) > 1 else None
        work.place(dept_id, parent, parts[-1])
        work.claimed[tuple(parts)] = dept_id
    for dept_id, (number, parts) in by_id.items():
        if dept_id not in bad_ids and work.path(dept_id) != PATH_SEPARATOR.join(parts):
            raise bad_file(
                f"row {number}: the file moves a department above this one elsewhere, "
                "so this path no longer leads to it"
            )
    for row in rows:
        if row.number in row_dept and row_dept[row.number] in bad_ids:
            parsed.pop(row.number)
            refused_early.add(row.cells.get("account", "").lower())
            clash = work.claimed.get(tuple(by_id[row_dept[row.number]][1]))
            reject(
                row,
                "another department is given this path"
                if clash is not None and clash != row_dept[row.number]
                else "a department cannot move below itself",
            )

    # Every department a usable row names (and the ones above it) is in the file.
    named: set[int] = set()
    person_rows: dict[str, _PersonRows] = {}
    for row in rows:
        parts_or_none = parsed.get(row.number)
        if parts_or_none is None:
            continue
        dept = row_dept.get(row.number) or work.resolve(parts_or_none)
        node: int | None = dept
        while node is not None and node not in named:
            named.add(node)
            node = work.parent[node]
        account = row.cells.get("account", "").lower()
        position = row.cells.get("position", "")
        nickname = row.cells.get("nickname", "")
        if not account:
            if position or nickname:
                reject(row, "a position or nickname needs an account")
            continue
        entry = person_rows.setdefault(account, _PersonRows())
        entry.rows.append(row.number)
        reason = None
        if not _ACCOUNT.match(account):
            reason = "the account must be 3 to 64 letters, digits or . _ - @"
        elif len(position) > MAX_POSITION:
            reason = f"positions are at most {MAX_POSITION} characters"
        elif len(nickname) > MAX_NICKNAME:
            reason = f"nicknames are at most {MAX_NICKNAME} characters"
        elif account not in people and not nickname:
            reason = "no such user (give a nickname to create them)"
        elif dept in entry.positions:
            reason = "a duplicate row"
        elif nickname and entry.nickname and nickname != entry.nickname:
            reason = "another row gives this person a different nickname"
        if reason is not None:
            reject(row, reason)
            entry.rejected = True
            continue
        entry.positions[dept] = position
        entry.nickname = entry.nickname or nickname
    for account in refused_early:
        if account in person_rows:
            person_rows[account].rejected = True
    refused_rows = {r["row"] for r in plan.rejected}
    by_number = {r.number: r for r in rows}
    for account, entry in person_rows.items():
        if entry.rejected:
            for number in entry.rows:
                if number not in refused_rows:
                    plan.rejected.append(
                        {
                            "row": number,
                            "department": by_number[number].cells["department"],
                            "account": account,
                            "reason": "left as is: another row of this person was rejected",
                        }
                    )
    plan.rejected.sort(key=lambda r: int(r["row"]))

    # People: what changes for each named one.
    after_members: dict[int, set[int]] = {}
    changed_people: set[int] = set()
    for account, entry in sorted(person_rows.items()):
        if entry.rejected:
            continue
        known = people.get(account)
        if known is None:
            plan.create_people.append(
                PersonChange(None, account, entry.nickname, None, {}, dict(entry.positions))
            )
            continue
        before = {d: tree.members[d][known.id] for d in tree.memberships.get(known.id, ())}
        new_nickname = (
            entry.nickname if entry.nickname and entry.nickname != known.nickname else None
        )
        change = PersonChange(
            known.id, account, known.nickname, new_nickname, before, dict(entry.positions)
        )
        if set(before) != set(entry.positions):
            plan.move_people.append(change)
            changed_people.add(known.id)
        elif before != entry.positions or new_nickname is not None:
            plan.update_people.append(change)
    keep = set(protected)
    if mode is ImportMode.SYNC:
        for user_id in sorted(tree.memberships):
            person = members.get(user_id)
            if person is None or person.account in named_accounts or user_id in keep:
                continue
            changed_people.add(user_id)
            if person.disabled:
                before = {d: tree.members[d][user_id] for d in tree.memberships[user_id]}
                plan.move_people.append(
                    PersonChange(user_id, person.account, person.nickname, None, before, {})
                )
            else:
                plan.disable_people.append(person)
    # Who is in each department once the plan is applied, for sync's removals.
    for dept_id, people_there in tree.members.items():
        after_members[dept_id] = {u for u in people_there if u not in changed_people}
    for change in plan.move_people:
        for dept in change.after:
            if change.user_id is not None:
                after_members.setdefault(dept, set()).add(change.user_id)

    # Departments: edits of those given by id, and sync's removals.
    for dept_id in sorted(by_id):
        if dept_id in bad_ids:
            continue
        old = tree.departments[dept_id]
        renamed = work.name[dept_id] != old.name
        moved = work.parent[dept_id] != old.parent_id
        if renamed or moved:
            plan.edit_departments.append(
                DepartmentEdit(
                    dept_id,
                    original[dept_id],
                    work.path(dept_id),
                    work.name[dept_id] if renamed else None,
                    work.parent[dept_id],
                    moved,
                )
            )
    plan.create_departments = list(work.created)
    if mode is ImportMode.SYNC:
        removed: set[int] = set()

        def visit(dept: int) -> bool:
            """Post-order: whether ``dept`` goes; children first."""
            all_go = True
            for child in list(work.children.get(dept, ())):
                all_go = visit(child) and all_go
            if dept in named or dept < 0:
                return False
            if not all_go:
                plan.kept_departments.append((dept, original[dept], "a department below it stays"))
                return False
            staying = after_members.get(dept, set())
            if staying:
                who = sorted(members[u].account for u in staying if u in members)
                plan.kept_departments.append(
                    (dept, original[dept], "people stay here: " + ", ".join(who[:5]))
                )
                return False
            removed.add(dept)
            return True

        for top in list(work.children.get(None, ())):
            visit(top)
        plan.remove_departments = sorted(
            ((d, original[d]) for d in removed), key=lambda i: (-work.depth(i[0]), i[1])
        )
        plan.kept_departments.sort(key=lambda k: k[1])
    plan.paths = {d: work.path(d) for d in work.name}
    return plan


def export_rows(tree: OrgTree, people: Mapping[int, KnownPerson]) -> list[list[str]]:
    """The tree with its people as rows of ``EXPORT_COLUMNS``: a department without people
    gets a row of its own, so importing the export changes nothing."""
    out: list[list[str]] = []
    for dept_id in sorted(tree.departments, key=lambda d: (tree.path(d), d)):
        path = tree.path(dept_id)
        there = tree.members.get(dept_id, {})
        if not there:
            out.append([path, str(dept_id), "", "", ""])
        for user_id, position in sorted(there.items()):
            person = people.get(user_id)
            if person is not None:
                out.append([path, str(dept_id), person.account, person.nickname, position])
    return out
