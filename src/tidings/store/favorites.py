"""Favourites of messages: the saved copies, the files they carry, and the private-log
entries that keep every device of the user on the same list (decision 0036)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Row

from tidings.domain.entries import PrivateEntry, PrivateKind
from tidings.domain.favorites import FavoriteMessage
from tidings.store import codec, log
from tidings.store.database import Database
from tidings.store.schema import favorite_message_files, favorite_messages, users


class FavoritesFull(Exception):
    """The user already keeps the most favourites allowed."""


class FavoriteStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        *,
        favorite: FavoriteMessage,
        search_text: str,
        file_ids: list[str],
        max_count: int,
        now: int,
    ) -> tuple[FavoriteMessage, PrivateEntry | None]:
        """Save a copy; the one already saved if the message was saved before (with no new
        private entry). Raises FavoritesFull at ``max_count``."""
        user_id = favorite.user_id
        async with self._db.write("add_favorite_message") as conn:
            # One writer per user at a time (PostgreSQL; SQLite writes are serial anyway):
            # the count below and the insert then cannot interleave with another add.
            await conn.execute(select(users.c.id).where(users.c.id == user_id).with_for_update())
            existing = (
                await conn.execute(
                    select(favorite_messages).where(
                        favorite_messages.c.user_id == user_id,
                        favorite_messages.c.conversation_id == favorite.conversation_id,
                        favorite_messages.c.seq == favorite.seq,
                    )
                )
            ).first()
            if existing is not None:
                return _favorite(existing), None
            count = (
                await conn.execute(
                    select(func.count())
                    .select_from(favorite_messages)
                    .where(favorite_messages.c.user_id == user_id)
                )
            ).scalar_one()
            if count >= max_count:
                raise FavoritesFull
            favorite_id = (
                await conn.execute(
                    insert(favorite_messages)
                    .values(
                        user_id=user_id,
                        conversation_id=favorite.conversation_id,
                        seq=favorite.seq,
                        sender_id=favorite.sender_id,
                        sender_name=favorite.sender_name,
                        sent_at=favorite.sent_at,
                        type=favorite.type,
                        body=codec.dumps(favorite.body),
                        search_text=search_text,
                        created_at=now,
                    )
                    .returning(favorite_messages.c.id)
                )
            ).scalar_one()
            if file_ids:
                await conn.execute(
                    insert(favorite_message_files),
                    [
                        {"favorite_id": favorite_id, "file_id": f, "user_id": user_id}
                        for f in file_ids
                    ],
                )
            saved = FavoriteMessage(
                id=favorite_id,
                user_id=user_id,
                conversation_id=favorite.conversation_id,
                seq=favorite.seq,
                sender_id=favorite.sender_id,
                sender_name=favorite.sender_name,
                sent_at=favorite.sent_at,
                type=favorite.type,
                body=favorite.body,
                created_at=now,
            )
            entry = await log.append_private(
                conn, user_id, PrivateKind.FAVORITE_ADDED, {"favorite": saved.to_wire()}, now
            )
        return saved, entry

    async def remove(self, user_id: int, favorite_id: int, now: int) -> PrivateEntry | None:
        """Forget a favourite (and its right to read files); None if the user has no such."""
        async with self._db.write("remove_favorite_message") as conn:
            mine = (
                await conn.execute(
                    select(favorite_messages.c.id).where(
                        favorite_messages.c.id == favorite_id,
                        favorite_messages.c.user_id == user_id,
                    )
                )
            ).first()
            if mine is None:
                return None
            await conn.execute(
                delete(favorite_message_files).where(
                    favorite_message_files.c.favorite_id == favorite_id
                )
            )
            await conn.execute(
                delete(favorite_messages).where(favorite_messages.c.id == favorite_id)
            )
            return await log.append_private(
                conn, user_id, PrivateKind.FAVORITE_REMOVED, {"id": favorite_id}, now
            )

    async def get(self, user_id: int, favorite_id: int) -> FavoriteMessage | None:
        async with self._db.read("get_favorite_message") as conn:
            row = (
                await conn.execute(
                    select(favorite_messages).where(
                        favorite_messages.c.id == favorite_id,
                        favorite_messages.c.user_id == user_id,
                    )
                )
            ).first()
        return _favorite(row) if row else None

    async def page(
        self,
        user_id: int,
        *,
        before_id: int | None,
        limit: int,
        types: tuple[str, ...] | None,
        words: list[str],
    ) -> list[FavoriteMessage]:
        """The newest first; filtered by type and by words (each must appear)."""
        conditions: list[Any] = [favorite_messages.c.user_id == user_id]
        if before_id is not None:
            conditions.append(favorite_messages.c.id < before_id)
        if types is not None:
            conditions.append(favorite_messages.c.type.in_(types))
        for word in words:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(favorite_messages.c.search_text.like(f"%{escaped}%", escape="\\"))
        query = (
            select(favorite_messages)
            .where(*conditions)
            .order_by(favorite_messages.c.id.desc())
            .limit(limit)
        )
        async with self._db.read("list_favorite_messages") as conn:
            return [_favorite(row) for row in await conn.execute(query)]


def _favorite(row: Row[Any]) -> FavoriteMessage:
    return FavoriteMessage(
        id=row.id,
        user_id=row.user_id,
        conversation_id=row.conversation_id,
        seq=row.seq,
        sender_id=row.sender_id,
        sender_name=row.sender_name,
        sent_at=row.sent_at,
        type=row.type,
        body=codec.loads(row.body),
        created_at=row.created_at,
    )
