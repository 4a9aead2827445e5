"""Registration invites and the atomic taking of one of their uses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.registration import RegistrationInvite
from tidings.store.database import Database
from tidings.store.schema import registration_invites as invites


def _invite(row: Row[Any, *tuple[Any, ...]]) -> RegistrationInvite:
    return RegistrationInvite(
        code=row.code,
        created_by=row.created_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        max_uses=row.max_uses,
        uses=row.uses,
    )


async def take_use(conn: AsyncConnection, code: str, now: int) -> bool:
    """Count one use of the invite if it has one left and has not expired.

    One conditional UPDATE: on PostgreSQL concurrent ones queue on the row lock and each
    re-reads ``uses`` before its condition is checked again; on SQLite writers are serialized.
    Either way no more than ``max_uses`` succeed.
    """
    taken = await conn.execute(
        update(invites)
        .where(
            invites.c.code == code,
            invites.c.uses < invites.c.max_uses,
            (invites.c.expires_at.is_(None)) | (invites.c.expires_at > now),
        )
        .values(uses=invites.c.uses + 1)
        .returning(invites.c.code)
    )
    return taken.first() is not None


class RegistrationInviteStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(
        self,
        *,
        code: str,
        created_by: int | None,
        now: int,
        expires_at: int | None,
        max_uses: int,
    ) -> RegistrationInvite:
        async with self._db.write("create_registration_invite") as conn:
            row = (
                await conn.execute(
                    insert(invites)
                    .values(
                        code=code,
                        created_by=created_by,
                        created_at=now,
                        expires_at=expires_at,
                        max_uses=max_uses,
                        uses=0,
                    )
                    .returning(*invites.c)
                )
            ).one()
        return _invite(row)

    async def list(self) -> list[RegistrationInvite]:
        async with self._db.read("list_registration_invites") as conn:
            rows = await conn.execute(select(invites).order_by(invites.c.created_at))
            return [_invite(row) for row in rows]

    async def delete(self, code: str) -> None:
        """Delete an invite, or raise ``not_found`` inside the transaction (so an audit entry
        waiting on it rolls back too)."""
        async with self._db.write("delete_registration_invite") as conn:
            gone = await conn.execute(
                delete(invites).where(invites.c.code == code).returning(invites.c.code)
            )
            if gone.first() is None:
                raise TidingsError(ErrorCode.NOT_FOUND, "no such registration invite")
