"""Privacy choices and the password lock (tables ``user_privacy``, ``chat_locks``).

A change reads the row ``FOR UPDATE`` (PostgreSQL; SQLite has one writer) after making sure
it exists, so concurrent changes through several nodes merge instead of losing one, and
appends the private entry in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, and_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain.entries import PrivateEntry, PrivateKind
from tidings.domain.privacy import DEFAULT_PRIVACY, AddMe, ChatLock, FindBy, Privacy
from tidings.store import codec, log
from tidings.store.database import Database
from tidings.store.schema import chat_locks, members, user_privacy


def _privacy(row: Any) -> Privacy:
    return Privacy(
        find_by_phone=FindBy(row.find_by_phone),
        find_by_account=FindBy(row.find_by_account),
        add_me=AddMe(row.add_me),
        show_online=bool(row.show_online),
        send_read_receipts=bool(row.send_read_receipts),
    )


def _lock(row: Any) -> ChatLock:
    return ChatLock(
        code_hash=row.code_hash,
        idle_minutes=row.idle_minutes,
        conversation_ids=tuple(codec.loads(row.conversation_ids)),
        version=row.version,
    )


class PrivacyStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # Privacy

    async def privacy(self, user_id: int) -> Privacy:
        return (await self.privacy_among([user_id])).get(user_id, DEFAULT_PRIVACY)

    async def privacy_among(self, user_ids: list[int]) -> dict[int, Privacy]:
        """The choices of those among ``user_ids`` who made any (others have the defaults)."""
        if not user_ids:
            return {}
        async with self._db.read("privacy_among") as conn:
            rows = await conn.execute(
                select(user_privacy).where(user_privacy.c.user_id.in_(sorted(set(user_ids))))
            )
            return {row.user_id: _privacy(row) for row in rows}

    async def update_privacy(
        self, user_id: int, changes: dict[str, Any], now: int
    ) -> tuple[Privacy, Privacy, PrivateEntry]:
        """Merge ``changes``; (before, after, the ``privacy_changed`` entry)."""
        async with self._db.write("update_privacy") as conn:
            await self._ensure(conn, user_privacy, {"user_id": user_id, "updated_at": now})
            row = (
                await conn.execute(
                    select(user_privacy).where(user_privacy.c.user_id == user_id).with_for_update()
                )
            ).one()
            before = _privacy(row)
            values = {k: v.value if hasattr(v, "value") else v for k, v in changes.items()}
            await conn.execute(
                update(user_privacy)
                .where(user_privacy.c.user_id == user_id)
                .values(**values, updated_at=now)
            )
            row = (
                await conn.execute(select(user_privacy).where(user_privacy.c.user_id == user_id))
            ).one()
            after = _privacy(row)
            entry = await log.append_private(
                conn, user_id, PrivateKind.PRIVACY_CHANGED, after.to_wire(), now
            )
        return before, after, entry

    # The password lock

    async def lock(self, user_id: int) -> ChatLock:
        async with self._db.read("chat_lock") as conn:
            row = (
                await conn.execute(select(chat_locks).where(chat_locks.c.user_id == user_id))
            ).first()
        return _lock(row) if row else ChatLock()

    async def update_lock(
        self,
        user_id: int,
        *,
        expected_version: int,
        code_hash: str | None,
        idle_minutes: int,
        conversation_ids: list[int],
        now: int,
    ) -> tuple[ChatLock, PrivateEntry] | None:
        """Write the lock if it is still at ``expected_version`` (else None: decided on a
        stale read, the caller answers ``conflict``)."""
        async with self._db.write("update_chat_lock") as conn:
            await self._ensure(conn, chat_locks, {"user_id": user_id, "updated_at": now})
            row = (
                await conn.execute(
                    select(chat_locks).where(chat_locks.c.user_id == user_id).with_for_update()
                )
            ).one()
            if row.version != expected_version:
                return None
            await conn.execute(
                update(chat_locks)
                .where(chat_locks.c.user_id == user_id)
                .values(
                    code_hash=code_hash,
                    idle_minutes=idle_minutes,
                    conversation_ids=codec.dumps(conversation_ids),
                    version=row.version + 1,
                    updated_at=now,
                )
            )
            lock = ChatLock(code_hash, idle_minutes, tuple(conversation_ids), row.version + 1)
            entry = await log.append_private(
                conn, user_id, PrivateKind.LOCK_CHANGED, lock.to_wire(), now
            )
        return lock, entry

    async def member_of(self, user_id: int, conversation_ids: list[int]) -> set[int]:
        """Those of ``conversation_ids`` the user is (or was) a member of."""
        if not conversation_ids:
            return set()
        async with self._db.read("lock_member_of") as conn:
            rows = await conn.execute(
                select(members.c.conversation_id).where(
                    and_(
                        members.c.user_id == user_id,
                        members.c.conversation_id.in_(sorted(set(conversation_ids))),
                    )
                )
            )
            return {row.conversation_id for row in rows}

    async def _ensure(self, conn: AsyncConnection, table: Table, values: dict[str, Any]) -> None:
        dialect = sqlite if self._db.is_sqlite else postgresql
        await conn.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())
