"""Settings kept on the server: one sparse JSON document per user, with a version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from tidings.domain.entries import PrivateEntry, PrivateKind
from tidings.store import codec, log
from tidings.store.database import Database
from tidings.store.schema import user_settings


class UserSettingsStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, user_id: int) -> tuple[dict[str, Any], int]:
        """The stored document and its version ({} and 0 before the first change)."""
        async with self._db.read("user_settings") as conn:
            row = (
                await conn.execute(
                    select(user_settings.c.data, user_settings.c.version).where(
                        user_settings.c.user_id == user_id
                    )
                )
            ).first()
        if row is None:
            return {}, 0
        data: dict[str, Any] = codec.loads(row.data)
        return data, int(row.version)

    async def many(self, user_ids: list[int]) -> dict[int, dict[str, Any]]:
        """The stored documents of several users (absent: never changed)."""
        if not user_ids:
            return {}
        async with self._db.read("user_settings_many") as conn:
            rows = (
                await conn.execute(
                    select(user_settings.c.user_id, user_settings.c.data).where(
                        user_settings.c.user_id.in_(user_ids)
                    )
                )
            ).all()
        return {int(row.user_id): codec.loads(row.data) for row in rows}

    async def update(
        self,
        user_id: int,
        change: Callable[[dict[str, Any], int], dict[str, Any]],
        now: int,
    ) -> PrivateEntry:
        """Replace the document by ``change(current, version)`` under a row lock, bump the
        version and append ``settings_changed`` to the user's private log, in one
        transaction. ``change`` may raise to leave everything as it was."""
        async with self._db.write("update_user_settings") as conn:
            insert = (sqlite if self._db.is_sqlite else postgresql).insert
            await conn.execute(
                insert(user_settings)
                .values(user_id=user_id, version=0, data="{}", updated_at=now)
                .on_conflict_do_nothing()
            )
            # SQLite: the process's write lock already orders writers; PostgreSQL: the row's.
            query = select(user_settings.c.data, user_settings.c.version).where(
                user_settings.c.user_id == user_id
            )
            if not self._db.is_sqlite:
                query = query.with_for_update()
            row = (await conn.execute(query)).one()
            data = change(codec.loads(row.data), int(row.version))
            version = int(row.version) + 1
            await conn.execute(
                update(user_settings)
                .where(user_settings.c.user_id == user_id)
                .values(data=codec.dumps(data), version=version, updated_at=now)
            )
            return await log.append_private(
                conn,
                user_id,
                PrivateKind.SETTINGS_CHANGED,
                {"settings": data, "version": version},
                now,
            )
