"""Favorite files: a user's own list of saved files, independent of chat history (F5).

Saving needs the right to read the file at that moment; afterwards the favorite itself is
that right, so leaving the conversation or clearing history does not lose a saved file.
"""

from __future__ import annotations

from typing import Any

from tidings.actions.context import Actor
from tidings.actions.files import Files
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.store.burns import BurnStore
from tidings.store.files import FileStore


class FavoriteFiles:
    def __init__(self, *, files: Files, store: FileStore, burns: BurnStore) -> None:
        self._files = files
        self._store = store
        self._burns = burns

    async def do_add(self, actor: Actor, file_id: str) -> dict[str, Any]:
        file = await self._files.access_file(actor.user_id, file_id)
        if await self._burns.carried_by_burn_message(file.id):
            # Saving would keep what burns after reading (decision 0038).
            raise TidingsError(
                ErrorCode.BURN_AFTER_READING, "a burn-after-reading message's file cannot be saved"
            )
        now = now_ms()
        await self._store.add_favorite(actor.user_id, file.id, now)
        return {"saved_at": now, **file.to_wire(now)}

    async def do_remove(self, actor: Actor, file_id: str) -> None:
        if not await self._store.remove_favorite(actor.user_id, file_id):
            raise TidingsError(ErrorCode.NOT_FOUND, "this file is not among your favorites")

    async def list(self, actor: Actor, *, before: int | None, limit: int) -> dict[str, Any]:
        saved = await self._store.favorites(
            actor.user_id, before=before, limit=max(1, min(limit, 200))
        )
        now = now_ms()
        return {"files": [{"saved_at": at, **file.to_wire(now)} for at, file in saved]}
