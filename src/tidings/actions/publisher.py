"""Publishing events after the change they describe is committed (never before)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tidings.bus.base import Bus
from tidings.bus.messages import (
    EndSessions,
    PresenceCut,
    PresenceHidden,
    Push,
    RosterChanged,
    SessionsPush,
)
from tidings.domain import events
from tidings.domain.accounts import RevokeReason
from tidings.domain.conversations import Roster
from tidings.domain.entries import Entry, PrivateEntry
from tidings.domain.events import CloseCode


class Publisher:
    def __init__(self, bus: Bus) -> None:
        self._bus = bus
        # Told of every entry this node publishes, with its audience, after the bus has it
        # (Web Push queues new messages here; a listener must not block).
        self.entry_listeners: list[Callable[[Entry, Iterable[int]], None]] = []

    async def entry(
        self, entry: Entry, user_ids: Iterable[int], *, exclude_connection: str | None = None
    ) -> None:
        audience = tuple(user_ids)
        await self._bus.publish(Push(audience, events.entry_frame(entry), exclude_connection))
        for listener in self.entry_listeners:
            listener(entry, audience)

    async def entry_to_members(
        self, entry: Entry, roster: Roster, *, exclude_connection: str | None = None
    ) -> None:
        """Push to the conversation's members as ``roster`` has them (unchanged by the entry:
        other nodes may then use their own copy of the roster)."""
        await self._bus.publish(
            Push(
                tuple(roster.members),
                events.entry_frame(entry),
                exclude_connection,
                members_of=roster.conversation_id,
            )
        )
        for listener in self.entry_listeners:
            listener(entry, roster.members)

    async def private(
        self, entries: Iterable[PrivateEntry], *, exclude_connection: str | None = None
    ) -> None:
        for entry in entries:
            await self._bus.publish(
                Push((entry.user_id,), events.private_frame(entry), exclude_connection)
            )

    async def frame(
        self, user_ids: Iterable[int], frame: str, *, exclude_connection: str | None = None
    ) -> None:
        await self._bus.publish(Push(tuple(user_ids), frame, exclude_connection))

    async def to_sessions(self, session_ids: Iterable[int], frame: str) -> None:
        """Send ``frame`` to these sessions' connections only, on whichever node holds them."""
        await self._bus.publish(SessionsPush(tuple(session_ids), frame))

    async def roster_changed(self, conversation_id: int) -> None:
        await self._bus.publish(RosterChanged(conversation_id))

    async def presence_cut(self, user_id: int, other_id: int) -> None:
        await self._bus.publish(PresenceCut(user_id, other_id))

    async def presence_hidden(self, user_id: int) -> None:
        await self._bus.publish(PresenceHidden(user_id))

    async def end_session(
        self, session_id: int, reason: RevokeReason, *, spare: str | None = None
    ) -> None:
        code = (
            CloseCode.SIGNED_IN_ELSEWHERE
            if reason is RevokeReason.SIGNED_IN_ELSEWHERE
            else CloseCode.SESSION_REVOKED
        )
        await self._bus.publish(
            EndSessions(
                (session_id,), events.signed_out_frame(reason.value), code, reason.value, spare
            )
        )
