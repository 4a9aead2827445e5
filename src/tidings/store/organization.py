"""The organization: company, departments, members with positions, collaborations; the
server-level admin flag; finding users."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain.accounts import User
from tidings.domain.admin import MANAGING_ROLES, AdminRole
from tidings.domain.directory import Listing
from tidings.domain.entries import PrivateEntry, PrivateKind
from tidings.domain.organization import Department, OrgTree
from tidings.store import log
from tidings.store.accounts import USER_COLUMNS, user_from_row
from tidings.store.database import Database
from tidings.store.schema import (
    department_members,
    department_partners,
    departments,
    organization,
    users,
)

ORG_ROW = 1


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
        async with self._db.write("change_org") as conn:
            version = await _bump(conn, company)
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
            for dept_id, values in (update_departments or {}).items():
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

    # Finding people

    async def listings(self, *, after_id: int = 0) -> list[Listing]:
        """What the search index holds, for users with ids above ``after_id``."""
        async with self._db.read("directory_listings") as conn:
            rows = await conn.execute(
                select(
                    users.c.id, users.c.account, users.c.nickname, users.c.phone, users.c.disabled
                )
                .where(users.c.id > after_id)
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
    found = (
        await conn.execute(
            update(organization)
            .where(organization.c.id == ORG_ROW)
            .values(**values)
            .returning(organization.c.version)
        )
    ).scalar()
    if found is None:
        await conn.execute(insert(organization).values(id=ORG_ROW, name=company or "", version=1))
        return 1
    return int(found)
