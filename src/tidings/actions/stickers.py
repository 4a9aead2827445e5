"""A user's own stickers (PRODUCT.md D2, issue 12): images saved from chats (or uploaded),
listed in the composer's sticker panel and sent as ``sticker`` messages.

Saving needs the right to read the file at that moment; afterwards the saved sticker is that
right (as a favorite is), so a sticker keeps working after its chat is left or cleared.
"""

from __future__ import annotations

from typing import Any

from tidings.actions.context import Actor
from tidings.actions.files import Files
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.files import FileKind
from tidings.store.stickers import Added, SavedSticker, StickerStore

# Enough for a personal collection, few enough that the panel lists them all at once.
MAX_STICKERS = 300
# As the sticker message body allows (tidings.domain.bodies.StickerBody).
MAX_STICKER_PIXELS = 4096


class Stickers:
    def __init__(self, *, files: Files, store: StickerStore, max_count: int = MAX_STICKERS) -> None:
        self._files = files
        self._store = store
        self._max_count = max_count

    async def do_add(self, actor: Actor, file_id: str, emoji: str | None) -> dict[str, Any]:
        """Save an image the user may read as a sticker; saving one again changes nothing."""
        file = await self._files.access_file(actor.user_id, file_id)
        if file.kind is not FileKind.IMAGE:
            raise TidingsError(
                ErrorCode.WRONG_FILE_KIND, f"file {file_id} is a {file.kind.value}, not an image"
            )
        if max(file.width or 0, file.height or 0) > MAX_STICKER_PIXELS:
            raise TidingsError(
                ErrorCode.INVALID_INPUT, f"stickers are at most {MAX_STICKER_PIXELS} pixels"
            )
        if file.expires_at is not None:
            # It would vanish from the panel on its day: a sticker is kept until removed.
            raise TidingsError(ErrorCode.FILE_EXPIRED, "a file that expires cannot be a sticker")
        now = now_ms()
        added = await self._store.add(
            actor.user_id, file.id, emoji=emoji, now=now, max_count=self._max_count
        )
        if added is Added.FULL:
            raise TidingsError(
                ErrorCode.TOO_MANY_STICKERS,
                f"at most {self._max_count} stickers; remove one first",
                details={"max": self._max_count},
            )
        for saved in await self._store.list(actor.user_id):
            if saved.file.id == file.id:
                return _wire(saved, now)
        raise TidingsError(ErrorCode.NOT_FOUND, "the sticker was removed meanwhile")

    async def do_remove(self, actor: Actor, file_id: str) -> None:
        if not await self._store.remove(actor.user_id, file_id):
            raise TidingsError(ErrorCode.NOT_FOUND, "this file is not among your stickers")

    async def list(self, actor: Actor) -> dict[str, Any]:
        now = now_ms()
        saved = await self._store.list(actor.user_id)
        return {"stickers": [_wire(s, now) for s in saved], "max": self._max_count}


def _wire(saved: SavedSticker, now: int) -> dict[str, Any]:
    file = saved.file
    return {
        "file_id": file.id,
        "width": file.width or 1,
        "height": file.height or 1,
        "mime": file.mime,
        "animated": file.animated,
        "emoji": saved.emoji,
        "added_at": saved.added_at,
        "expired": file.expired(now),
    }
