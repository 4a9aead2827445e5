"""The organization: company, departments, members with positions, collaborations; the
server-level admin flag; finding users."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain import webhooks
from tidings.domain.accounts import User, UserKind
from tidings.domain.admin import MANAGING_ROLES, AdminRole
from tidings.domain.directory import Listing
from tidings.domain.entries import PrivateEntry, PrivateKind
from tidings.domain.errors import ErrorCode
from tidings.domain.org_import import OrgPlan
from tidings.domain.organization import Department, OrgTree
from tidings.store import log, outbox
from tidings.store.accounts import (
    USER_COLUMNS,
    AccountTaken,
    NewAccount,
    insert_accounts,
    user_from_row,
)
from tidings.store.database import Database
from tidings.store.schema import (
    department_members,
    department_partners,
    departments,
    organization,
    users,
)

ORG_ROW = 1


class TreeEditRefused(Exception):
    """A change the tree as it is inside the transaction does not allow (another admin got
    there first): a move below itself, a delete of a department with people, a parent that
    is gone. The action turns it into the error the admin sees."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TreeChanged(Exception):
    """The tree is no longer the version an import was planned on."""


@dataclass(frozen=True, slots=True)
class Placement:
    """One membership to write: a user in a department with a position."""

    department_id: int
    user_id: int
    position: str


class OrgStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    # Admins

    async def is_admin(self, user_id: int) -> bool:
        """A super or org admin: who manages the tree and sees all of it (decision 0052)."""
        async with self._db.read("is_admin") as conn:
            found = (
                await conn.execute(select(users.c.admin_role).where(users.c.id == user_id))
            ).scalar()
        return found in MANAGING_ROLES

    async def admin_ids(self) -> list[int]:
        async with self._db.read("admin_ids") as conn:
            found = await conn.execute(
                select(users.c.id).where(users.c.admin_role.in_([r.value for r in MANAGING_ROLES]))
            )
            return [int(u) for u in found.scalars()]

    async def role_holders(self) -> list[int]:
        """Everyone with a server admin role, auditors too (a sync import never disables
        them: an HR file must not lock IT out)."""
        async with self._db.read("admin_role_holders") as conn:
            found = await conn.execute(select(users.c.id).where(users.c.admin_role.is_not(None)))
            return [int(u) for u in found.scalars()]

    async def admin_role(self, user_id: int) -> AdminRole | None:
        async with self._db.read("admin_role") as conn:
            found = (
                await conn.execute(select(users.c.admin_role).where(users.c.id == user_id))
            ).scalar()
        return AdminRole(found) if found else None

    async def set_admin_role(
        self, role: AdminRole | None, *, user_id: int | None = None, account: str | None = None
    ) -> tuple[int, AdminRole | None] | None:
        """Give (or with None take) a server admin role, by id or account; the user's id and
        former role, or None if there is no such user."""
        where = users.c.id == user_id if user_id is not None else users.c.account == account
        async with self._db.write("set_admin_role") as conn:
            row = (await conn.execute(select(users.c.id, users.c.admin_role).where(where))).first()
            if row is None:
                return None
            await conn.execute(update(users).where(users.c.id == row.id).values(admin_role=role))
        return int(row.id), AdminRole(row.admin_role) if row.admin_role else None

    # The tree

    async def tree(self) -> OrgTree:
        async with self._db.read("org_tree") as conn:
            org = (
                await conn.execute(select(organization).where(organization.c.id == ORG_ROW))
            ).first()
            depts = {
                r.id: Department(r.id, r.parent_id, r.name, bool(r.hidden), r.sort_order)
                for r in await conn.execute(select(departments))
            }
            people: dict[int, dict[int, str]] = {d: {} for d in depts}
            for r in await conn.execute(select(department_members)):
                people.setdefault(r.department_id, {})[r.user_id] = r.position
            partners: dict[int, set[int]] = {}
            for r in await conn.execute(select(department_partners)):
                partners.setdefault(r.department_id, set()).add(r.partner_id)
        return OrgTree(
            version=org.version if org else 0,
            company=org.name if org else "",
            departments=depts,
            members=people,
            partners=partners,
        )

    async def version(self) -> int:
        async with self._db.read("org_version") as conn:
            found = (
                await conn.execute(
                    select(organization.c.version).where(organization.c.id == ORG_ROW)
                )
            ).scalar()
        return int(found or 0)

    async def change(
        self,
        *,
        company: str | None = None,
        create: Iterable[tuple[str, int | None, bool]] = (),
        update_departments: dict[int, dict[str, Any]] | None = None,
        delete_departments: Iterable[int] = (),
        place: Iterable[Placement] = (),
        unplace: Iterable[tuple[int, int]] = (),
        partners: Iterable[tuple[int, int, bool]] = (),
        departments_of: dict[int, list[dict[str, Any]]] | None = None,
        now: int,
    ) -> tuple[int, list[int], dict[int, PrivateEntry]]:
        """Apply one change to the tree in one transaction and bump its version.

        Returns the new version, the ids of created departments (in order), and the
        ``departments_changed`` entries written for users whose memberships moved.
        """
        create = list(create)
        place = list(place)
        update_departments = update_departments or {}
        delete_departments = list(delete_departments)
        async with self._db.write("change_org") as conn:
            # The version row is locked from here to the commit (PostgreSQL: a row lock;
            # SQLite: the one writer), so the checks below see every other admin's change
            # that committed first, on any node, and none can slip in before ours.
            version = await _bump(conn, company)
            if update_departments or delete_departments or create or place:
                await _check_edit(conn, create, update_departments, delete_departments, place)
            created: list[int] = []
            for name, parent_id, hidden in create:
                created.append(
                    (
                        await conn.execute(
                            insert(departments)
                            .values(name=name, parent_id=parent_id, hidden=hidden, created_at=now)
                            .returning(departments.c.id)
                        )
                    ).scalar_one()
                )
            for dept_id, values in update_departments.items():
                await conn.execute(
                    update(departments).where(departments.c.id == dept_id).values(**values)
                )
            for dept_id in delete_departments:
                await conn.execute(
                    delete(department_partners).where(
                        or_(
                            department_partners.c.department_id == dept_id,
                            department_partners.c.partner_id == dept_id,
                        )
                    )
                )
                await conn.execute(delete(departments).where(departments.c.id == dept_id))
            for placement in place:
                moved = (
                    await conn.execute(
                        update(department_members)
                        .where(
                            department_members.c.department_id == placement.department_id,
                            department_members.c.user_id == placement.user_id,
                        )
                        .values(position=placement.position)
                    )
                ).rowcount
                if not moved:
                    await conn.execute(
                        insert(department_members).values(
                            department_id=placement.department_id,
                            user_id=placement.user_id,
                            position=placement.position,
                        )
                    )
            for dept_id, user_id in unplace:
                await conn.execute(
                    delete(department_members).where(
                        department_members.c.department_id == dept_id,
                        department_members.c.user_id == user_id,
                    )
                )
            for dept_id, partner_id, on in partners:
                pairs = [(dept_id, partner_id), (partner_id, dept_id)]
                for a, b in pairs:
                    await conn.execute(
                        delete(department_partners).where(
                            department_partners.c.department_id == a,
                            department_partners.c.partner_id == b,
                        )
                    )
                if on:
                    await conn.execute(
                        insert(department_partners),
                        [{"department_id": a, "partner_id": b} for a, b in pairs],
                    )
            told = await log.append_private_many(
                conn,
                {u: {"departments": d} for u, d in (departments_of or {}).items()},
                PrivateKind.DEPARTMENTS_CHANGED,
                now,
            )
        return version, created, told

    async def import_placements(
        self,
        *,
        paths: list[list[str]],
        placements: list[tuple[list[str], int, str]],
        now: int,
    ) -> tuple[int, dict[int, PrivateEntry]]:
        """Create the departments on ``paths`` that are missing and place people, all in one
        transaction; the people placed get their ``departments_changed`` entry."""
        async with self._db.write("import_org") as conn:
            version = await _bump(conn, None)
            by_name: dict[tuple[int | None, str], int] = {}
            names: dict[int, str] = {}
            for r in await conn.execute(
                select(departments.c.id, departments.c.parent_id, departments.c.name)
            ):
                by_name.setdefault((r.parent_id, r.name), r.id)
                names[r.id] = r.name
            resolved: dict[tuple[str, ...], int] = {}
            for path in paths:
                parent: int | None = None
                for depth in range(1, len(path) + 1):
                    key = tuple(path[:depth])
                    found = resolved.get(key) or by_name.get((parent, path[depth - 1]))
                    if found is None:
                        found = (
                            await conn.execute(
                                insert(departments)
                                .values(name=path[depth - 1], parent_id=parent, created_at=now)
                                .returning(departments.c.id)
                            )
                        ).scalar_one()
                        by_name[(parent, path[depth - 1])] = found
                        names[found] = path[depth - 1]
                    resolved[key] = found
                    parent = found
            for path, user_id, position in placements:
                dept_id = resolved[tuple(path)]
                moved = (
                    await conn.execute(
                        update(department_members)
                        .where(
                            department_members.c.department_id == dept_id,
                            department_members.c.user_id == user_id,
                        )
                        .values(position=position)
                    )
                ).rowcount
                if not moved:
                    await conn.execute(
                        insert(department_members).values(
                            department_id=dept_id, user_id=user_id, position=position
                        )
                    )
            placed = sorted({u for _, u, _ in placements})
            belongs: dict[int, list[dict[str, Any]]] = {u: [] for u in placed}
            for start in range(0, len(placed), 500):
                rows = await conn.execute(
                    select(department_members)
                    .where(department_members.c.user_id.in_(placed[start : start + 500]))
                    .order_by(department_members.c.department_id)
                )
                for r in rows:
                    belongs[r.user_id].append(
                        {
                            "id": r.department_id,
                            "name": names[r.department_id],
                            "position": r.position,
                        }
                    )
            told = await log.append_private_many(
                conn,
                {u: {"departments": d} for u, d in belongs.items()},
                PrivateKind.DEPARTMENTS_CHANGED,
                now,
            )
        return version, told

    async def apply_import(
        self,
        plan: OrgPlan,
        *,
        created_people: dict[str, int],
        now: int,
        department_external_ids: Mapping[int, str] | None = None,
        created_departments: dict[int, int] | None = None,
        new_people: Mapping[str, NewAccount] | None = None,
    ) -> tuple[int, dict[int, PrivateEntry]]:
        """Apply an import's plan in one transaction, only if the tree is still the version
        it was planned on (``TreeChanged`` otherwise, nothing written). ``created_people``:
        the ids of the people the plan creates, by account (created before, see
        ``Imports.do_import_org``); ``new_people``: or the people to create here, in the
        same transaction (an app's sync; ``AccountTaken`` if an account or external id
        was taken meanwhile, nothing written), whose ids are added to ``created_people``.
        The people whose departments changed get their
        ``departments_changed`` entry; the new version is returned. An app's sync names the
        departments it creates (``department_external_ids``, by the plan's key) and learns
        their ids (``created_departments`` is filled, key -> id); a plan's people may name
        departments created by an earlier part of the same sync by their real ids."""
        named = department_external_ids or {}
        async with self._db.write("import_org_plan") as conn:
            bump = (
                update(organization)
                .where(organization.c.id == ORG_ROW, organization.c.version == plan.version)
                .values(version=organization.c.version + 1)
                .returning(organization.c.version)
            )
            if plan.version == 0:
                # Planned on a tree never changed: its row may not exist yet.
                await _ensure_org_row(conn)
            version = (await conn.execute(bump)).scalar()
            if version is None:
                raise TreeChanged()
            if new_people:
                try:
                    made = await insert_accounts(conn, list(new_people.values()), now)
                except IntegrityError:
                    raise AccountTaken(", ".join(list(new_people)[:3])) from None
                created_people.update(
                    (account, user.id) for account, (user, _) in zip(new_people, made, strict=True)
                )
            keys: dict[int, int] = created_departments if created_departments is not None else {}

            def real(dept: int | None) -> int | None:
                return keys[dept] if dept is not None and dept < 0 else dept

            for new in plan.create_departments:
                keys[new.key] = (
                    await conn.execute(
                        insert(departments)
                        .values(
                            name=new.name,
                            parent_id=real(new.parent),
                            created_at=now,
                            external_id=named.get(new.key),
                        )
                        .returning(departments.c.id)
                    )
                ).scalar_one()
            for edit in plan.edit_departments:
                values: dict[str, Any] = {}
                if edit.name is not None:
                    values["name"] = edit.name
                if edit.moved:
                    values["parent_id"] = real(edit.parent)
                await conn.execute(
                    update(departments).where(departments.c.id == edit.id).values(**values)
                )
            moved: set[int] = set()
            renamed: list[dict[str, Any]] = []
            placed: list[dict[str, Any]] = []
            for change in [*plan.create_people, *plan.update_people, *plan.move_people]:
                user_id = change.user_id or created_people[change.account]
                if change.new_nickname is not None:
                    renamed.append({"b_id": user_id, "b_nickname": change.new_nickname})
                if dict(change.before) == dict(change.after) and change.user_id is not None:
                    continue
                moved.add(user_id)
                placed.extend(
                    {"department_id": real(d), "user_id": user_id, "position": p}
                    for d, p in change.after.items()
                )
            # A few statements per part, whatever the number of people (a sync's 500).
            if renamed:
                await conn.execute(
                    update(users)
                    .where(users.c.id == bindparam("b_id"))
                    .values(nickname=bindparam("b_nickname")),
                    renamed,
                )
            replaced = sorted(moved)
            for start in range(0, len(replaced), 500):
                await conn.execute(
                    delete(department_members).where(
                        department_members.c.user_id.in_(replaced[start : start + 500])
                    )
                )
            if placed:
                await conn.execute(insert(department_members), placed)
            gone = [p.id for p in plan.disable_people]
            for start in range(0, len(gone), 500):
                chunk = gone[start : start + 500]
                await conn.execute(update(users).where(users.c.id.in_(chunk)).values(disabled=True))
                outbox.note(webhooks.user_disabled(user_id, now) for user_id in chunk)
                await conn.execute(
                    delete(department_members).where(department_members.c.user_id.in_(chunk))
                )
            moved.update(gone)
            for dept_id, _ in plan.remove_departments:
                await conn.execute(
                    delete(department_partners).where(
                        or_(
                            department_partners.c.department_id == dept_id,
                            department_partners.c.partner_id == dept_id,
                        )
                    )
                )
                await conn.execute(delete(departments).where(departments.c.id == dept_id))
            told = await log.append_private_many(
                conn,
                {u: {"departments": d} for u, d in (await _belongings(conn, moved)).items()},
                PrivateKind.DEPARTMENTS_CHANGED,
                now,
            )
        return int(version), told

    # Finding people

    async def listings(self, *, after_id: int = 0) -> list[Listing]:
        """What the search index holds, for users with ids above ``after_id``."""
        async with self._db.read("directory_listings") as conn:
            rows = await conn.execute(
                select(
                    users.c.id, users.c.account, users.c.nickname, users.c.phone, users.c.disabled
                )
                # Visitors of the customer-service widget are nobody's colleagues (0066).
                .where(users.c.id > after_id, users.c.kind != UserKind.VISITOR.value)
                .order_by(users.c.id)
            )
            return [Listing(r.id, r.account, r.nickname, r.phone, bool(r.disabled)) for r in rows]

    async def max_user_id(self) -> int:
        async with self._db.read("max_user_id") as conn:
            return int((await conn.execute(select(func.max(users.c.id)))).scalar() or 0)

    async def users_by_account(self, accounts: list[str]) -> dict[str, User]:
        found: dict[str, User] = {}
        async with self._db.read("users_by_account") as conn:
            for start in range(0, len(accounts), 500):
                rows = await conn.execute(
                    select(*USER_COLUMNS).where(users.c.account.in_(accounts[start : start + 500]))
                )
                found.update({r.account: user_from_row(r) for r in rows})
        return found

    async def users_by_phone(self, phones: list[str]) -> dict[str, User]:
        found: dict[str, User] = {}
        async with self._db.read("users_by_phone") as conn:
            for start in range(0, len(phones), 500):
                rows = await conn.execute(
                    select(*USER_COLUMNS, users.c.phone).where(
                        users.c.phone.in_(phones[start : start + 500]), users.c.phone != ""
                    )
                )
                found.update({r.phone: user_from_row(r) for r in rows})
        return found

    async def set_phones(self, phones: dict[int, str]) -> None:
        if not phones:
            return
        async with self._db.write("set_phones") as conn:
            for user_id, phone in phones.items():
                await conn.execute(update(users).where(users.c.id == user_id).values(phone=phone))


async def _bump(conn: AsyncConnection, company: str | None) -> int:
    values: dict[str, Any] = {"version": organization.c.version + 1}
    if company is not None:
        values["name"] = company
    bump = (
        update(organization)
        .where(organization.c.id == ORG_ROW)
        .values(**values)
        .returning(organization.c.version)
    )
    found = (await conn.execute(bump)).scalar()
    if found is None:
        await _ensure_org_row(conn)
        found = (await conn.execute(bump)).scalar_one()
    return int(found)


async def _ensure_org_row(conn: AsyncConnection) -> None:
    """The organization's row, made by the first change: two first changes at once (two
    admins, two nodes) must not both insert it (the second waits for the first's commit on
    PostgreSQL, then finds the row and bumps it)."""
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    await conn.execute(
        dialect_insert(organization).values(id=ORG_ROW, name="", version=0).on_conflict_do_nothing()
    )


async def _belongings(conn: AsyncConnection, people: set[int]) -> dict[int, list[dict[str, Any]]]:
    """Each person's departments as their ``departments_changed`` entry shows them."""
    ordered = sorted(people)
    out: dict[int, list[dict[str, Any]]] = {u: [] for u in ordered}
    for start in range(0, len(ordered), 500):
        rows = await conn.execute(
            select(
                department_members.c.user_id,
                department_members.c.department_id,
                department_members.c.position,
                departments.c.name,
            )
            .join(departments, departments.c.id == department_members.c.department_id)
            .where(department_members.c.user_id.in_(ordered[start : start + 500]))
            .order_by(department_members.c.department_id)
        )
        for r in rows:
            out[r.user_id].append({"id": r.department_id, "name": r.name, "position": r.position})
    return out


async def _check_edit(
    conn: AsyncConnection,
    create: list[tuple[str, int | None, bool]],
    updates: dict[int, dict[str, Any]],
    deletes: list[int],
    place: list[Placement],
) -> None:
    """Refuse an edit the tree as committed does not allow (``TreeEditRefused``)."""
    parents: dict[int, int | None] = {
        r.id: r.parent_id
        for r in await conn.execute(select(departments.c.id, departments.c.parent_id))
    }
    for _, parent_id, _ in create:
        if parent_id is not None and parent_id not in parents:
            raise TreeEditRefused(ErrorCode.NOT_FOUND, "no such parent department")
    for placement in place:
        if placement.department_id not in parents:
            raise TreeEditRefused(ErrorCode.NOT_FOUND, "no such department")
    for dept_id, values in updates.items():
        if dept_id not in parents:
            raise TreeEditRefused(ErrorCode.NOT_FOUND, "no such department")
        if "parent_id" not in values:
            continue
        parent = values["parent_id"]
        if parent is not None and parent not in parents:
            raise TreeEditRefused(ErrorCode.NOT_FOUND, "no such parent department")
        node, steps = parent, 0
        while node is not None and steps <= len(parents):
            if node == dept_id:
                raise TreeEditRefused(
                    ErrorCode.CYCLE,
                    "a department cannot move below itself or its own sub-departments",
                )
            node, steps = parents.get(node), steps + 1
        parents[dept_id] = parent
    for dept_id in deletes:
        if dept_id not in parents:
            raise TreeEditRefused(ErrorCode.NOT_FOUND, "no such department")
        if any(p == dept_id for p in parents.values()):
            raise TreeEditRefused(
                ErrorCode.DEPARTMENT_NOT_EMPTY,
                "this department has sub-departments: move or delete them first",
            )
        someone = await conn.execute(
            select(department_members.c.user_id)
            .where(department_members.c.department_id == dept_id)
            .limit(1)
        )
        if someone.first() is not None:
            raise TreeEditRefused(
                ErrorCode.DEPARTMENT_NOT_EMPTY,
                "this department has people: move them out first",
            )
