"""Conversation rosters, cached: every send checks membership and every push needs the
member list, so they must not cost a query each. Changes drop the cached copy on every
node through the bus (RosterChanged)."""

from __future__ import annotations

from collections import OrderedDict

from tidings.domain.conversations import Roster
from tidings.domain.errors import not_member
from tidings.store.conversations import ConversationStore


class RosterCache:
    def __init__(self, store: ConversationStore, *, capacity: int = 20_000) -> None:
        self._store = store
        self._capacity = capacity
        self._cache: OrderedDict[int, Roster] = OrderedDict()
        # Bumped by every invalidation: a roster loaded while one happened may be stale and
        # is returned but not kept.
        self._generation = 0

    async def get(self, conversation_id: int) -> Roster | None:
        roster = self._cache.get(conversation_id)
        if roster is not None:
            self._cache.move_to_end(conversation_id)
            return roster
        generation = self._generation
        roster = await self._store.roster(conversation_id)
        if roster is not None and generation == self._generation:
            self._cache[conversation_id] = roster
            if len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
        return roster

    def cached(self, conversation_id: int) -> Roster | None:
        """The roster if it is at hand, without a query."""
        return self._cache.get(conversation_id)

    async def access(self, conversation_id: int, user_id: int) -> Roster:
        """The roster, if the user is an active member; ``not_member`` otherwise."""
        roster = await self.get(conversation_id)
        if roster is None or user_id not in roster.members:
            raise not_member()
        return roster

    def invalidate(self, conversation_id: int) -> None:
        self._generation += 1
        self._cache.pop(conversation_id, None)

    def clear(self) -> None:
        """Forget every roster (bus messages that would have invalidated some were lost)."""
        self._generation += 1
        self._cache.clear()
