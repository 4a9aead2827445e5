"""Presence: which users have at least one live connection, and from which of their
sessions (devices).

In-process it is a count per user and session; scaled out, Redis holds which node holds
which user's connections, and of which sessions. Transitions (first connection opened, last
one closed) are published on the bus as PresenceChanged.
"""

from __future__ import annotations

from typing import Protocol


class PresenceRegistry(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def connected(self, user_id: int, session_id: int) -> bool:
        """Count a new connection of a session; True when the user just came online."""

    async def disconnected(self, user_id: int, session_id: int) -> bool:
        """Count a closed connection of a session; True when the user just went offline."""

    async def online(self, user_ids: list[int]) -> dict[int, bool]: ...

    async def online_sessions(self, user_ids: list[int]) -> dict[int, set[int]]:
        """The sessions of each user with a live connection on any node."""

    async def count_online(self) -> int:
        """How many users have a live connection on any node (the dashboard's "online now")."""

    def local_users(self) -> list[int]:
        """The users with a live connection on this node."""


class LocalPresence:
    def __init__(self) -> None:
        # user -> session -> live connections
        self._connections: dict[int, dict[int, int]] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def connected(self, user_id: int, session_id: int) -> bool:
        sessions = self._connections.setdefault(user_id, {})
        first = not sessions
        sessions[session_id] = sessions.get(session_id, 0) + 1
        return first

    async def disconnected(self, user_id: int, session_id: int) -> bool:
        sessions = self._connections.get(user_id)
        if sessions is None:
            return True
        count = sessions.get(session_id, 0) - 1
        if count > 0:
            sessions[session_id] = count
            return False
        sessions.pop(session_id, None)
        if sessions:
            return False
        del self._connections[user_id]
        return True

    async def online(self, user_ids: list[int]) -> dict[int, bool]:
        return {u: u in self._connections for u in user_ids}

    async def online_sessions(self, user_ids: list[int]) -> dict[int, set[int]]:
        return {u: set(self._connections.get(u, ())) for u in user_ids}

    async def count_online(self) -> int:
        return len(self._connections)

    def local_users(self) -> list[int]:
        return list(self._connections)
