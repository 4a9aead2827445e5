"""A user's own sticker collection (issue 12): the only code that knows its SQL."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, func, insert, select

from tidings.domain.files import StoredFile
from tidings.store.database import Database
from tidings.store.files import _file
from tidings.store.schema import files, stickers, users


class Added(StrEnum):
    ADDED = "added"
    ALREADY = "already"  # saved before: nothing changes, the count neither
    FULL = "full"


@dataclass(frozen=True, slots=True)
class SavedSticker:
    file: StoredFile
    emoji: str | None
    added_at: int


class StickerStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(
        self, user_id: int, file_id: str, *, emoji: str | None, now: int, max_count: int
    ) -> Added:
        """Save a sticker unless the user has ``max_count`` already. Counting and inserting
        happen in one transaction that holds the user's row (PostgreSQL) or the single
        writer (SQLite), so concurrent adds cannot pass the limit together."""
        async with self._db.write("add_sticker") as conn:
            if not self._db.is_sqlite:
                lock = select(users.c.id).where(users.c.id == user_id).with_for_update()
                await conn.execute(lock)
            mine = stickers.c.user_id == user_id
            saved = await conn.execute(
                select(stickers.c.file_id).where(mine, stickers.c.file_id == file_id)
            )
            if saved.first() is not None:
                return Added.ALREADY
            counting = select(func.count()).select_from(stickers).where(mine)
            count = (await conn.execute(counting)).scalar_one()
            if count >= max_count:
                return Added.FULL
            await conn.execute(
                insert(stickers).values(
                    user_id=user_id, file_id=file_id, emoji=emoji, created_at=now
                )
            )
            return Added.ADDED

    async def remove(self, user_id: int, file_id: str) -> bool:
        async with self._db.write("remove_sticker") as conn:
            removed = (
                await conn.execute(
                    delete(stickers).where(
                        stickers.c.user_id == user_id, stickers.c.file_id == file_id
                    )
                )
            ).rowcount
        return bool(removed)

    async def list(self, user_id: int) -> list[SavedSticker]:
        """Every sticker of the user, the latest saved first."""
        async with self._db.read("list_stickers") as conn:
            rows = await conn.execute(
                select(stickers.c.emoji, stickers.c.created_at.label("added_at"))
                .add_columns(*files.c)
                .join(files, files.c.id == stickers.c.file_id)
                .where(stickers.c.user_id == user_id)
                .order_by(stickers.c.created_at.desc(), files.c.id)
            )
            return [SavedSticker(_file(row), row.emoji, row.added_at) for row in rows]
