"""The host system's own ids of users and departments (issue 14, decision 0067): how an
app names the people and departments it created or took over."""

from __future__ import annotations

from sqlalchemy import select, update

from tidings.domain.accounts import User
from tidings.store.accounts import USER_COLUMNS, user_from_row
from tidings.store.database import Database
from tidings.store.schema import departments, users

# Rows per IN (...) list: far below SQLite's and asyncpg's parameter limits.
CHUNK = 500


class ExternalIdStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def users(self, external_ids: list[str]) -> dict[str, User]:
        """The users with these external ids, by external id."""
        found: dict[str, User] = {}
        wanted = sorted(set(external_ids))
        async with self._db.read("users_by_external_id") as conn:
            for start in range(0, len(wanted), CHUNK):
                rows = await conn.execute(
                    select(*USER_COLUMNS).where(
                        users.c.external_id.in_(wanted[start : start + CHUNK])
                    )
                )
                for row in rows:
                    found[row.external_id] = user_from_row(row)
        return found

    async def departments(self) -> dict[str, int]:
        """Every department that has an external id: the ones apps own."""
        async with self._db.read("departments_by_external_id") as conn:
            rows = await conn.execute(
                select(departments.c.id, departments.c.external_id).where(
                    departments.c.external_id.is_not(None)
                )
            )
            return {row.external_id: row.id for row in rows}

    async def set_department_ids(self, external_ids: dict[int, str]) -> None:
        """Name departments (by id) with the host's ids."""
        if not external_ids:
            return
        async with self._db.write("set_department_external_ids") as conn:
            for dept_id, external_id in external_ids.items():
                await conn.execute(
                    update(departments)
                    .where(departments.c.id == dept_id)
                    .values(external_id=external_id)
                )
