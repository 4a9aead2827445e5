"""Typing indicators and presence (D9): ephemeral, never stored."""

from __future__ import annotations

from tidings.actions.context import Actor
from tidings.actions.publisher import Publisher
from tidings.actions.rosters import RosterCache
from tidings.bus.presence import PresenceRegistry
from tidings.domain.events import typing_frame


class Presence:
    def __init__(
        self, *, rosters: RosterCache, publisher: Publisher, registry: PresenceRegistry
    ) -> None:
        self._rosters = rosters
        self._publisher = publisher
        self._registry = registry

    async def do_typing(self, actor: Actor, *, conversation_id: int) -> None:
        roster = await self._rosters.access(conversation_id, actor.user_id)
        others = [u for u in roster.members if u != actor.user_id]
        await self._publisher.frame(others, typing_frame(conversation_id, actor.user_id))

    async def query(self, actor: Actor, user_ids: list[int]) -> dict[int, bool]:
        return await self._registry.online(user_ids)
