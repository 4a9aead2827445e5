"""An app's sync of its users and departments, keyed by the host system's ids (issue 14,
decision 0067).

The host states its tree (departments with their parents, by external id) and its people
(each in any number of departments, with a position). This module turns that statement into
the rows of an organization import (domain/org_import.py), so the same planner decides what
is created, renamed, moved, disabled or removed — an app's sync and an admin's file import
follow one set of rules. What only an app's sync has is decided here:

- A department or user is the app's when it has an external id. ``sync`` mode removes and
  disables only those: departments without an external id are named in the rows as they
  stand (so the planner keeps them), users without one are protected.
- A new user's account is the one given, or the external id when that is a valid account.
- Early refusals (a parent that exists nowhere, a loop of parents, an external id given
  twice, an account held by someone the app does not own) are reported per row and the
  planner never sees those rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from tidings.domain.accounts import ACCOUNT_PATTERN
from tidings.domain.organization import MAX_DEPTH, PATH_SEPARATOR, OrgTree
from tidings.domain.tables import Row

MAX_EXTERNAL_ID = 128
# One request: a large company's whole tree and a batch of people; the SDK sends more people
# in several requests of merge mode, or all of them at once in sync mode (the server applies
# them in batches, each in a transaction of its own).
MAX_SYNC_DEPARTMENTS = 20_000
MAX_SYNC_USERS = 200_000
# The body of one sync request: 200,000 people of about 130 bytes each, and the tree.
MAX_SYNC_BYTES = 32 * 1024 * 1024
# People created or moved per transaction when a sync is applied.
APPLY_BATCH = 500
_ACCOUNT = re.compile(ACCOUNT_PATTERN)


@dataclass(frozen=True, slots=True)
class SyncDepartment:
    external_id: str
    name: str
    parent: str | None  # the parent's external id; None at the top


@dataclass(frozen=True, slots=True)
class SyncPlace:
    department: str  # external id
    position: str = ""


@dataclass(frozen=True, slots=True)
class SyncUser:
    external_id: str
    nickname: str
    account: str | None = None
    departments: tuple[SyncPlace, ...] = ()


@dataclass(frozen=True, slots=True)
class OwnedUser:
    """An existing user an app's sync may name: its id, account, external id."""

    id: int
    account: str
    external_id: str | None


@dataclass(slots=True)
class SyncRows:
    rows: list[Row] = field(default_factory=list)
    # row number -> ("department" | "user", external id)
    origin: dict[int, tuple[str, str]] = field(default_factory=dict)
    # account -> external id, for the people the rows name
    accounts: dict[str, str] = field(default_factory=dict)
    # refused before planning: {"kind", "external_id", "reason"}
    rejected: list[dict[str, str]] = field(default_factory=list)
    # the departments the rows create, by path, and their external ids
    new_department_ids: dict[str, str] = field(default_factory=dict)


def sync_rows(
    departments: list[SyncDepartment],
    people: list[SyncUser],
    *,
    tree: OrgTree,
    owned_departments: Mapping[str, int],
    known_people: Mapping[str, OwnedUser],
    accounts_taken: Mapping[str, OwnedUser],
    keep_unowned: bool,
) -> SyncRows:
    """The import rows stating this tree and these people.

    ``owned_departments``: existing departments with an external id; ``known_people``:
    existing users by external id; ``accounts_taken``: existing users by the (lower-case)
    accounts new people would get; ``keep_unowned``: name every department without an
    external id as it stands (sync mode), so it is never removed.
    """
    out = SyncRows()
    number = 1  # row 1 is a file's header: numbers read as in an import

    def add(cells: dict[str, str], kind: str, external_id: str) -> None:
        nonlocal number
        number += 1
        out.rows.append(Row(number, cells))
        out.origin[number] = (kind, external_id)

    def refuse(kind: str, external_id: str, reason: str) -> None:
        out.rejected.append({"kind": kind, "external_id": external_id, "reason": reason})

    given: dict[str, SyncDepartment] = {}
    for dept in departments:
        if dept.external_id in given:
            refuse("department", dept.external_id, "this external id is given twice")
            continue
        given[dept.external_id] = dept
    paths: dict[str, str | None] = {}

    def path_of(external_id: str, seen: tuple[str, ...] = ()) -> str | None:
        if external_id in paths:
            return paths[external_id]
        dept = given.get(external_id)
        if dept is None:
            existing = owned_departments.get(external_id)
            return tree.path(existing) if existing in tree.departments else None
        if external_id in seen or len(seen) > MAX_DEPTH:
            paths[external_id] = None
            return None
        parent = "" if dept.parent is None else path_of(dept.parent, (*seen, external_id))
        paths[external_id] = (
            None
            if parent is None or PATH_SEPARATOR in dept.name
            else f"{parent}{PATH_SEPARATOR}{dept.name}"
            if parent
            else dept.name
        )
        return paths[external_id]

    for external_id, dept in given.items():
        path = path_of(external_id)
        if path is None:
            refuse(
                "department",
                external_id,
                f"a name without {PATH_SEPARATOR!r}, under a parent that exists (no loop)"
                if PATH_SEPARATOR in dept.name
                else "its parent is not given nor owned by the app, or the parents loop",
            )
            continue
        cells = {"department": path}
        existing = owned_departments.get(external_id)
        if existing in tree.departments:
            cells["department_id"] = str(existing)
        else:
            out.new_department_ids[path] = external_id
        add(cells, "department", external_id)
    if keep_unowned:
        owned_ids = set(owned_departments.values())
        for dept_id in sorted(tree.departments):
            if dept_id not in owned_ids:
                add({"department": tree.path(dept_id), "department_id": str(dept_id)}, "kept", "")

    seen_users: set[str] = set()
    for person in people:
        if person.external_id in seen_users:
            refuse("user", person.external_id, "this external id is given twice")
            continue
        seen_users.add(person.external_id)
        known = known_people.get(person.external_id)
        if known is not None:
            account = known.account.lower()
        else:
            account = (person.account or person.external_id).lower()
            if not _ACCOUNT.match(account):
                refuse(
                    "user", person.external_id, "give an account: 3 to 64 letters, digits, . _ - @"
                )
                continue
            holder = accounts_taken.get(account)
            if holder is not None:
                refuse("user", person.external_id, "this account belongs to another user")
                continue
        if account in out.accounts:
            refuse("user", person.external_id, "another user of this sync has this account")
            continue
        places: list[tuple[str, SyncPlace]] = []
        for place in person.departments:
            path = paths.get(place.department) or path_of(place.department)
            if path is None:
                break
            places.append((path, place))
        if len(places) != len(person.departments):
            refuse("user", person.external_id, "a department of theirs is not in the tree")
            continue
        if not places:
            refuse("user", person.external_id, "a user of a sync is in at least one department")
            continue
        out.accounts[account] = person.external_id
        for path, place in places:
            cells = {
                "department": path,
                "account": account,
                "nickname": person.nickname,
                "position": place.position,
            }
            existing = owned_departments.get(place.department)
            if existing in tree.departments and place.department in given:
                cells["department_id"] = str(existing)
            add(cells, "user", person.external_id)
    return out
