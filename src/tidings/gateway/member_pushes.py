"""Pushes to a conversation's members that name the conversation instead of listing them.

Another node sends a large conversation's pushes as ``MembersPush`` (the list would be
hundreds of kilobytes for every node, every message). This node takes the members from its
roster cache, which RosterChanged and BusGap keep fresh. When the roster is not at hand it
is loaded first; meanwhile later pushes to the same conversation wait behind it, so that a
conversation's pushes still arrive in order (pushes to other conversations go on).
"""

from __future__ import annotations

import asyncio
import logging

from tidings.actions.rosters import RosterCache
from tidings.bus.messages import BusMessage, MembersPush
from tidings.gateway.connections import ConnectionRegistry

logger = logging.getLogger(__name__)


class MemberPushes:
    def __init__(self, rosters: RosterCache, connections: ConnectionRegistry) -> None:
        self._rosters = rosters
        self._connections = connections
        # Conversations whose roster is being loaded, and the pushes waiting for it.
        self._waiting: dict[int, list[MembersPush]] = {}
        self._loads: set[asyncio.Task[None]] = set()

    def on_bus(self, message: BusMessage) -> None:
        if not isinstance(message, MembersPush) or not self._connections.holds_anyone:
            return  # nobody here to push to: no roster to load
        conversation_id = message.conversation_id
        waiting = self._waiting.get(conversation_id)
        if waiting is not None:
            waiting.append(message)
            return
        roster = self._rosters.cached(conversation_id)
        if roster is not None:
            self._connections.push(roster.members, message.frame, message.exclude_connection)
            return
        self._waiting[conversation_id] = [message]
        task = asyncio.get_running_loop().create_task(self._load(conversation_id))
        self._loads.add(task)
        task.add_done_callback(self._loads.discard)

    async def _load(self, conversation_id: int) -> None:
        try:
            roster = await self._rosters.get(conversation_id)
        except Exception:
            logger.exception("cannot load the members of %d for a push", conversation_id)
            roster = None  # the members catch up by sync
        for message in self._waiting.pop(conversation_id, []):
            if roster is not None:
                self._connections.push(roster.members, message.frame, message.exclude_connection)
