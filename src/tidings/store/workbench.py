"""Workbench apps and their one-time tickets (J6, decision 0069)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update

from tidings.domain.workbench import Audience, WorkbenchApp
from tidings.store.database import Database
from tidings.store.schema import (
    apps,
    department_members,
    departments,
    workbench_apps,
    workbench_tickets,
)

_COLUMNS = (*workbench_apps.c, apps.c.client_id)


def _app(row: Row[Any, *tuple[Any, ...]]) -> WorkbenchApp:
    return WorkbenchApp(
        id=row.id,
        name=row.name,
        url=row.url,
        icon_url=row.icon_url,
        description=row.description,
        app_id=row.app_id,
        client_id=row.client_id,
        audience=Audience.from_wire(json.loads(row.audience)),
        sort_order=row.sort_order,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _select() -> Any:
    return select(*_COLUMNS).select_from(
        workbench_apps.outerjoin(apps, apps.c.id == workbench_apps.c.app_id)
    )


class WorkbenchStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        *,
        name: str,
        url: str,
        icon_url: str | None,
        description: str,
        app_id: int | None,
        audience: Audience,
        sort_order: int,
        created_by: int | None,
        now: int,
    ) -> WorkbenchApp:
        async with self._db.write("create_workbench_app") as conn:
            new_id = (
                await conn.execute(
                    insert(workbench_apps)
                    .values(
                        name=name,
                        url=url,
                        icon_url=icon_url,
                        description=description,
                        app_id=app_id,
                        audience=json.dumps(audience.to_wire()),
                        sort_order=sort_order,
                        created_at=now,
                        created_by=created_by,
                        updated_at=now,
                    )
                    .returning(workbench_apps.c.id)
                )
            ).scalar_one()
            row = (await conn.execute(_select().where(workbench_apps.c.id == new_id))).one()
        return _app(row)

    async def count(self) -> int:
        async with self._db.read("count_workbench_apps") as conn:
            return int(
                (await conn.execute(select(func.count()).select_from(workbench_apps))).scalar_one()
            )

    async def get(self, workbench_app_id: int) -> WorkbenchApp | None:
        async with self._db.read("workbench_app") as conn:
            row = (
                await conn.execute(_select().where(workbench_apps.c.id == workbench_app_id))
            ).first()
        return _app(row) if row else None

    async def all(self) -> list[WorkbenchApp]:
        async with self._db.read("workbench_apps") as conn:
            rows = (
                await conn.execute(
                    _select().order_by(workbench_apps.c.sort_order, workbench_apps.c.id)
                )
            ).all()
        return [_app(row) for row in rows]

    async def update(self, workbench_app_id: int, values: dict[str, Any]) -> WorkbenchApp | None:
        """``values``: columns to change (``audience`` as an Audience)."""
        if "audience" in values:
            values = {**values, "audience": json.dumps(values["audience"].to_wire())}
        async with self._db.write("update_workbench_app") as conn:
            changed = await conn.execute(
                update(workbench_apps)
                .where(workbench_apps.c.id == workbench_app_id)
                .values(**values)
            )
            if changed.rowcount == 0:
                return None
            row = (
                await conn.execute(_select().where(workbench_apps.c.id == workbench_app_id))
            ).one()
        return _app(row)

    async def remove(self, workbench_app_id: int) -> bool:
        async with self._db.write("remove_workbench_app") as conn:
            await conn.execute(
                delete(workbench_tickets).where(
                    workbench_tickets.c.workbench_app_id == workbench_app_id
                )
            )
            removed = await conn.execute(
                delete(workbench_apps).where(workbench_apps.c.id == workbench_app_id)
            )
        return bool(removed.rowcount)

    # ---- tickets ---------------------------------------------------------------------------

    async def add_ticket(
        self, *, ticket_hash: str, workbench_app_id: int, user_id: int, now: int, expires_at: int
    ) -> None:
        async with self._db.write("add_workbench_ticket") as conn:
            # Spent and expired tickets go as new ones come: the table holds a minute's worth.
            await conn.execute(
                delete(workbench_tickets).where(workbench_tickets.c.expires_at <= now)
            )
            await conn.execute(
                insert(workbench_tickets).values(
                    ticket_hash=ticket_hash,
                    workbench_app_id=workbench_app_id,
                    user_id=user_id,
                    expires_at=expires_at,
                )
            )

    async def take_ticket(self, ticket_hash: str, now: int) -> tuple[int, int] | None:
        """The (workbench app, user) of a live ticket, which is gone afterwards; None for an
        unknown, used or expired one. Of two exchanges racing, one deletes the row and wins;
        the other deletes nothing and gets None."""
        async with self._db.write("take_workbench_ticket") as conn:
            row = (
                await conn.execute(
                    select(
                        workbench_tickets.c.id,
                        workbench_tickets.c.workbench_app_id,
                        workbench_tickets.c.user_id,
                        workbench_tickets.c.expires_at,
                    ).where(workbench_tickets.c.ticket_hash == ticket_hash)
                )
            ).first()
            if row is None:
                return None
            taken = await conn.execute(
                delete(workbench_tickets).where(workbench_tickets.c.id == row.id)
            )
        if taken.rowcount != 1 or row.expires_at <= now:
            return None
        return int(row.workbench_app_id), int(row.user_id)

    async def departments_of(self, user_id: int) -> list[dict[str, Any]]:
        """The user's departments: id, the host's external id, name."""
        async with self._db.read("workbench_user_departments") as conn:
            rows = (
                await conn.execute(
                    select(departments.c.id, departments.c.external_id, departments.c.name)
                    .join(
                        department_members, department_members.c.department_id == departments.c.id
                    )
                    .where(department_members.c.user_id == user_id)
                    .order_by(departments.c.id)
                )
            ).all()
        return [{"id": r.id, "external_id": r.external_id, "name": r.name} for r in rows]
