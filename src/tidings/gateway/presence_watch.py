"""Presence subscriptions that a block ends at once (B4, decision 0014).

``presence.subscribe`` refuses to watch across a block, but a subscription made before the
block would otherwise keep delivering until the watcher reconnects. So each subscription is
registered with the connection registry as a small ``Subscription`` standing in for the
connection (same id, so ``unwatch`` and the registry's clean-up on disconnect work as
before), and this module keeps weak references to them by (watcher, watched). When someone
blocks someone, every node hears ``PresenceCut`` and drops the subscriptions between the two
in either direction, telling each side the other is offline. The registry holds the only
strong reference: when it forgets a subscription (unwatch, disconnect) it disappears here
by itself, so nothing is kept for connections that are gone.
"""

from __future__ import annotations

import weakref
from typing import Any

from tidings.bus.messages import BusMessage, PresenceCut
from tidings.domain.events import presence_frame
from tidings.gateway.connections import Connection, ConnectionRegistry


class Subscription:
    """One connection watching one user: forwards the presence frames the registry sends."""

    __slots__ = ("__weakref__", "_connection", "id", "session_id", "user_id", "watched")

    def __init__(self, connection: Connection, watched: int) -> None:
        # Any: the registry calls whichever send method its connections offer.
        self._connection: Any = connection
        self.id = connection.id
        self.user_id = connection.user_id
        self.session_id = connection.session_id
        self.watched = watched

    def send(self, frame: str) -> None:
        self._connection.send(frame)

    def send_frame(self, data: bytes) -> None:
        self._connection.send_frame(data)

    def close(self, code: int, reason: str) -> None:
        self._connection.close(code, reason)


class PresenceWatches:
    def __init__(self, connections: ConnectionRegistry) -> None:
        self._connections = connections
        # (watcher user, watched user) -> connection id -> subscription (weakly held)
        self._pairs: dict[tuple[int, int], weakref.WeakValueDictionary[str, Subscription]] = {}
        self._sweep_at = 1024

    def watch(self, connection: Connection, user_ids: list[int]) -> None:
        for user_id in user_ids:
            subscription = Subscription(connection, user_id)
            self._connections.watch(subscription, [user_id])
            key = (connection.user_id, user_id)
            bucket = self._pairs.get(key)
            if bucket is None:
                bucket = self._pairs[key] = weakref.WeakValueDictionary()
            bucket[connection.id] = subscription
        if len(self._pairs) >= self._sweep_at:
            self._sweep()

    def on_bus(self, message: BusMessage) -> None:
        if isinstance(message, PresenceCut):
            self._cut(message.user_id, message.other_id)
            self._cut(message.other_id, message.user_id)

    def _cut(self, watcher: int, watched: int) -> None:
        bucket = self._pairs.pop((watcher, watched), None)
        if bucket is None:
            return
        offline = presence_frame(watched, False)
        for subscription in list(bucket.values()):
            self._connections.unwatch(subscription, [watched])
            subscription.send(offline)

    def _sweep(self) -> None:
        """Forget pairs whose subscriptions all ended (amortized over additions)."""
        for key in [k for k, bucket in self._pairs.items() if not len(bucket)]:
            del self._pairs[key]
        self._sweep_at = max(1024, 2 * len(self._pairs))
