"""Presence: which users have at least one live connection.

In-process it is a counter per user; scaled out, Redis holds which node holds which user's
connections. Transitions (first connection opened, last one closed) are published on the bus
as PresenceChanged.
"""

from __future__ import annotations

from typing import Protocol


class PresenceRegistry(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def connected(self, user_id: int) -> bool:
        """Count a new connection; True when the user just came online."""

    async def disconnected(self, user_id: int) -> bool:
        """Count a closed connection; True when the user just went offline."""

    async def online(self, user_ids: list[int]) -> dict[int, bool]: ...

    async def count_online(self) -> int:
        """How many users have a live connection on any node (the dashboard's "online now")."""

    def local_users(self) -> list[int]:
        """The users with a live connection on this node."""


class LocalPresence:
    def __init__(self) -> None:
        self._connections: dict[int, int] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def connected(self, user_id: int) -> bool:
        count = self._connections.get(user_id, 0) + 1
        self._connections[user_id] = count
        return count == 1

    async def disconnected(self, user_id: int) -> bool:
        count = self._connections.get(user_id, 0) - 1
        if count <= 0:
            self._connections.pop(user_id, None)
            return True
        self._connections[user_id] = count
        return False

    async def online(self, user_ids: list[int]) -> dict[int, bool]:
        return {u: u in self._connections for u in user_ids}

    async def count_online(self) -> int:
        return len(self._connections)

    def local_users(self) -> list[int]:
        return list(self._connections)
