"""Sync on (re)connect (D7): the private log after the client's position, and every
conversation's state, from which the client pulls the history ranges it lacks."""

from __future__ import annotations

from typing import Any

from tidings.actions.context import Actor
from tidings.actions.conversations import Conversations
from tidings.config import Settings
from tidings.store.conversations import ConversationStore


class Sync:
    def __init__(
        self, *, settings: Settings, store: ConversationStore, conversations: Conversations
    ) -> None:
        self._settings = settings
        self._store = store
        self._conversations = conversations

    async def sync(self, actor: Actor, *, private_seq: int, limit: int | None) -> dict[str, Any]:
        page = max(1, min(limit or self._settings.sync_page_limit, self._settings.sync_page_limit))
        # One more than the page tells whether there is more without a count query.
        found = await self._store.private_log(actor.user_id, max(private_seq, 0), page + 1)
        return {
            "private_entries": [e.to_wire() for e in found[:page]],
            "has_more": len(found) > page,
            "conversations": await self._conversations.list_all(actor),
        }
