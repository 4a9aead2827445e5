"""Site settings (K4, decision 0057): one row, a sparse JSON document with a version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from tidings.store import codec
from tidings.store.database import Database
from tidings.store.schema import site_settings

_ROW = 1


class SiteSettingsStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self) -> tuple[dict[str, Any], int]:
        """The stored document and its version ({} and 0 before the first change)."""
        async with self._db.read("site_settings") as conn:
            row = (
                await conn.execute(
                    select(site_settings.c.data, site_settings.c.version).where(
                        site_settings.c.id == _ROW
                    )
                )
            ).first()
        if row is None:
            return {}, 0
        data: dict[str, Any] = codec.loads(row.data)
        return data, int(row.version)

    async def update(
        self, change: Callable[[dict[str, Any], int], dict[str, Any]], now: int
    ) -> tuple[dict[str, Any], int]:
        """Replace the document by ``change(current, version)`` under a row lock and bump the
        version, in one transaction (the audit entry of the change joins it). ``change`` may
        raise to leave everything as it was."""
        async with self._db.write("update_site_settings") as conn:
            insert = (sqlite if self._db.is_sqlite else postgresql).insert
            await conn.execute(
                insert(site_settings)
                .values(id=_ROW, version=0, data="{}", updated_at=now)
                .on_conflict_do_nothing()
            )
            # SQLite: the process's write lock already orders writers; PostgreSQL: the row's.
            query = select(site_settings.c.data, site_settings.c.version).where(
                site_settings.c.id == _ROW
            )
            if not self._db.is_sqlite:
                query = query.with_for_update()
            row = (await conn.execute(query)).one()
            data = change(codec.loads(row.data), int(row.version))
            version = int(row.version) + 1
            await conn.execute(
                update(site_settings)
                .where(site_settings.c.id == _ROW)
                .values(data=codec.dumps(data), version=version, updated_at=now)
            )
        return data, version
