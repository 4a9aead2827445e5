"""The connections this node holds, and delivering bus messages to them.

Bus handlers run synchronously: a connection's ``send`` only hands the frame to its socket's
buffer, so a slow client never holds up delivery to the others. A push's frame is built once
for all its receivers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from typing import Protocol

from tidings.bus.base import Bus
from tidings.bus.messages import (
    BusMessage,
    EndSessions,
    PresenceChanged,
    PresenceCut,
    PresenceHidden,
    Push,
    SessionsPush,
)
from tidings.bus.presence import PresenceRegistry
from tidings.domain.events import CloseCode, presence_frame
from tidings.gateway.frames import text_frame
from tidings.metrics import CONNECTIONS, MESSAGES_PUSHED

logger = logging.getLogger(__name__)


class Connection(Protocol):
    id: str
    user_id: int
    session_id: int

    def send(self, frame: str) -> None:
        """Queue a frame; never blocks."""

    def send_frame(self, data: bytes) -> None:
        """Queue a WebSocket frame made by ``text_frame`` (shared by many receivers)."""

    def close(self, code: int, reason: str) -> None:
        """Close after the frames already queued have been sent."""


class ConnectionRegistry:
    def __init__(self, presence: PresenceRegistry, bus: Bus) -> None:
        self._presence = presence
        self._bus = bus
        self._by_user: dict[int, dict[str, Connection]] = {}
        self._by_session: dict[int, dict[str, Connection]] = {}
        # Presence subscriptions: watched user -> connections that asked.
        self._watchers: dict[int, dict[str, Connection]] = {}
        self._watching: dict[str, set[int]] = {}
        # Told when a user comes online or goes offline on this node (webhooks, decision
        # 0068); must not block.
        self.presence_listeners: list[Callable[[int, bool], None]] = []
        # Told the id of each connection that goes (group calls drop its SFU sessions,
        # decision 0078); must not block.
        self.disconnect_listeners: list[Callable[[str], None]] = []

    @property
    def holds_anyone(self) -> bool:
        return bool(self._by_user)

    def __len__(self) -> int:
        return sum(len(c) for c in self._by_user.values())

    async def add(self, connection: Connection, *, receives_pushes: bool = True) -> None:
        """Hold a connection. One that ``receives_pushes`` False (a session that must change
        its password first) is held only so that ending its session closes it; adding it
        again later lets it receive pushes."""
        self._by_session.setdefault(connection.session_id, {})[connection.id] = connection
        if not receives_pushes or connection.id in self._by_user.get(connection.user_id, {}):
            return
        self._by_user.setdefault(connection.user_id, {})[connection.id] = connection
        CONNECTIONS.inc()
        if await self._presence.connected(connection.user_id, connection.session_id):
            await self._bus.publish(PresenceChanged(connection.user_id, online=True))
            for listener in self.presence_listeners:
                listener(connection.user_id, True)

    async def remove(self, connection: Connection) -> None:
        for told in self.disconnect_listeners:
            told(connection.id)
        _discard(self._by_session, connection.session_id, connection.id)
        if _discard(self._by_user, connection.user_id, connection.id) is None:
            return
        for watched in self._watching.pop(connection.id, ()):
            _discard(self._watchers, watched, connection.id)
        CONNECTIONS.dec()
        if await self._presence.disconnected(connection.user_id, connection.session_id):
            await self._bus.publish(PresenceChanged(connection.user_id, online=False))
            for listener in self.presence_listeners:
                listener(connection.user_id, False)

    def watch(self, connection: Connection, user_ids: list[int]) -> None:
        watching = self._watching.setdefault(connection.id, set())
        for user_id in user_ids:
            watching.add(user_id)
            self._watchers.setdefault(user_id, {})[connection.id] = connection

    def unwatch(self, connection: Connection, user_ids: list[int]) -> None:
        watching = self._watching.get(connection.id, set())
        for user_id in user_ids:
            watching.discard(user_id)
            _discard(self._watchers, user_id, connection.id)

    def on_bus(self, message: BusMessage) -> None:
        if isinstance(message, Push):
            self._push(message)
        elif isinstance(message, SessionsPush):
            for session_id in message.session_ids:
                for connection in list(self._by_session.get(session_id, {}).values()):
                    connection.send(message.frame)
        elif isinstance(message, EndSessions):
            for session_id in message.session_ids:
                for connection in list(self._by_session.get(session_id, {}).values()):
                    if connection.id == message.spare_connection:
                        continue
                    connection.send(message.frame)
                    connection.close(message.close_code, message.reason)
        elif isinstance(message, PresenceChanged):
            watchers = self._watchers.get(message.user_id)
            if watchers:
                data = text_frame(presence_frame(message.user_id, message.online))
                for connection in list(watchers.values()):
                    connection.send_frame(data)
        elif isinstance(message, PresenceCut):
            # A block (B4, decision 0014): subscriptions made before it end at once, both
            # ways, each side told the other is offline.
            self._cut(message.user_id, message.other_id)
            self._cut(message.other_id, message.user_id)
        elif isinstance(message, PresenceHidden):
            self._hide(message.user_id)

    def _cut(self, watcher: int, watched: int) -> None:
        watchers = self._watchers.get(watched)
        if not watchers:
            return
        cut = [c for c in watchers.values() if c.user_id == watcher]
        if not cut:
            return
        offline = presence_frame(watched, False)
        for connection in cut:
            self.unwatch(connection, [watched])
            connection.send(offline)

    def _hide(self, watched: int) -> None:
        """Privacy (show_online off): everyone else watching ``watched`` stops, told offline."""
        watchers = self._watchers.get(watched)
        if not watchers:
            return
        cut = [c for c in watchers.values() if c.user_id != watched]
        if not cut:
            return
        offline = text_frame(presence_frame(watched, False))
        for connection in cut:
            self.unwatch(connection, [watched])
            connection.send_frame(offline)

    def close_all(self) -> None:
        for connections in list(self._by_user.values()):
            for connection in list(connections.values()):
                connection.close(CloseCode.GOING_AWAY, "server shutting down")

    def push_everyone(self, frame: str) -> None:
        """Send ``frame`` to every connection this node holds (site settings changed)."""
        data = text_frame(frame)
        sent = 0
        for connections in list(self._by_user.values()):
            for connection in list(connections.values()):
                connection.send_frame(data)
                sent += 1
        if sent:
            MESSAGES_PUSHED.inc(sent)

    def _push(self, message: Push) -> None:
        self.push(message.user_ids, message.frame, message.exclude_connection)

    def push(
        self, user_ids: Collection[int], frame: str, exclude_connection: str | None = None
    ) -> None:
        """Send ``frame`` to every connection of these users (but ``exclude_connection``)."""
        held = self._by_user
        if isinstance(user_ids, dict | set | frozenset) and len(user_ids) > len(held):
            # A big roster: walk the users this node holds instead (set lookups are cheap).
            targets: Iterable[int] = [u for u in held if u in user_ids]
        else:
            targets = user_ids
        sent = 0
        data: bytes | None = None
        for user_id in targets:
            connections = held.get(user_id)
            if not connections:
                continue
            for connection in connections.values():
                if connection.id != exclude_connection:
                    if data is None:
                        data = text_frame(frame)
                    connection.send_frame(data)
                    sent += 1
        if sent:
            MESSAGES_PUSHED.inc(sent)


def _discard(
    index: dict[int, dict[str, Connection]], key: int, connection_id: str
) -> Connection | None:
    bucket = index.get(key)
    if bucket is None:
        return None
    found = bucket.pop(connection_id, None)
    if not bucket:
        del index[key]
    return found
