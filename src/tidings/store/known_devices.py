"""Known devices: which devices signed in to an account before (issue 11)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Row

from tidings.domain.accounts import KnownDevice, Platform
from tidings.store.database import Database
from tidings.store.schema import known_devices


def _device(row: Row[Any, *tuple[Any, ...]]) -> KnownDevice:
    return KnownDevice(
        id=row.id,
        user_id=row.user_id,
        device_name=row.device_name,
        platform=Platform(row.platform),
        first_used_at=row.first_used_at,
        last_used_at=row.last_used_at,
        last_ip=row.last_ip,
    )


class KnownDeviceStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def find(self, user_id: int, token_hash: str) -> KnownDevice | None:
        async with self._db.read("find_known_device") as conn:
            row = (
                await conn.execute(
                    select(known_devices).where(
                        known_devices.c.token_hash == token_hash,
                        known_devices.c.user_id == user_id,
                    )
                )
            ).first()
        return _device(row) if row else None

    async def touch(self, device_id: int, *, now: int, ip: str) -> None:
        async with self._db.write("touch_known_device") as conn:
            await conn.execute(
                update(known_devices)
                .where(known_devices.c.id == device_id)
                .values(last_used_at=now, last_ip=ip)
            )

    async def add(
        self,
        *,
        user_id: int,
        token_hash: str,
        device_name: str,
        platform: Platform,
        ip: str,
        now: int,
        keep: int,
    ) -> KnownDevice:
        """Remember a device; the user's least recently used beyond ``keep`` are forgotten
        (a script that signs in without a token must not grow the table without bound)."""
        async with self._db.write("add_known_device") as conn:
            row = (
                await conn.execute(
                    insert(known_devices)
                    .values(
                        user_id=user_id,
                        token_hash=token_hash,
                        device_name=device_name,
                        platform=platform.value,
                        first_used_at=now,
                        last_used_at=now,
                        last_ip=ip,
                    )
                    .returning(*known_devices.c)
                )
            ).one()
            kept = (
                select(known_devices.c.id)
                .where(known_devices.c.user_id == user_id)
                .order_by(known_devices.c.last_used_at.desc(), known_devices.c.id.desc())
                .limit(keep)
                .scalar_subquery()
            )
            await conn.execute(
                delete(known_devices).where(
                    known_devices.c.user_id == user_id, known_devices.c.id.not_in(kept)
                )
            )
        return _device(row)

    async def list(self, user_id: int) -> list[KnownDevice]:
        async with self._db.read("list_known_devices") as conn:
            rows = await conn.execute(
                select(known_devices)
                .where(known_devices.c.user_id == user_id)
                .order_by(known_devices.c.last_used_at.desc(), known_devices.c.id.desc())
            )
            return [_device(row) for row in rows]

    async def forget(self, user_id: int, device_id: int) -> bool:
        async with self._db.write("forget_known_device") as conn:
            result = await conn.execute(
                delete(known_devices).where(
                    known_devices.c.id == device_id, known_devices.c.user_id == user_id
                )
            )
        return bool(result.rowcount)
