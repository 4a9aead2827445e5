"""Delivered and read receipts (D3).

Read positions are stored at once (they drive unread counts and sync to the user's other
devices). Delivered positions arrive with every pushed message, so they are gathered in
memory and written in one transaction every ``flush_interval``; a crash can lose the last
fraction of a second of "delivered" ticks, never a message.
"""

from __future__ import annotations

from typing import Any

from tidings.actions.context import Actor
from tidings.actions.periodic import PeriodicFlush
from tidings.actions.privacy import PrivacySettings
from tidings.actions.publisher import Publisher
from tidings.actions.rosters import RosterCache
from tidings.domain.clock import now_ms
from tidings.domain.conversations import ConversationType
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.events import receipt_frame
from tidings.metrics import MESSAGES_DELIVERED
from tidings.store.conversations import ConversationStore

# Read receipts are pushed to every member up to this group size; bigger groups ask with
# read_state when a user looks (a 10,000-member group would otherwise multiply every read).
PUSH_READS_UP_TO_MEMBERS = 200


class Receipts:
    def __init__(
        self,
        *,
        store: ConversationStore,
        rosters: RosterCache,
        publisher: Publisher,
        privacy: PrivacySettings,
        flush_interval: float = 0.2,
    ) -> None:
        self._store = store
        self._privacy = privacy
        self._rosters = rosters
        self._publisher = publisher
        self._delivered: dict[tuple[int, int], int] = {}
        self._writer = PeriodicFlush(self._flush, every=flush_interval, name="delivered-flush")

    def start(self) -> None:
        self._writer.start()

    async def stop(self) -> None:
        await self._writer.stop()

    async def do_mark_read(self, actor: Actor, *, conversation_id: int, seq: int) -> int:
        roster = await self._rosters.access(conversation_id, actor.user_id)
        view = await self._store.member_view(conversation_id, actor.user_id)
        if view is None:
            raise TidingsError(ErrorCode.NOT_MEMBER, "you are not a member of this conversation")
        seq = min(seq, view.conversation.last_seq)
        entry = await self._store.mark_read(
            conversation_id=conversation_id, user_id=actor.user_id, seq=seq, now=now_ms()
        )
        if entry is None:
            return view.read_seq
        await self._publisher.private([entry])
        if len(roster.members) <= PUSH_READS_UP_TO_MEMBERS:
            others = [u for u in roster.members if u != actor.user_id]
            # Privacy (send_read_receipts off): others learn it was delivered, not read.
            told = seq if await self._privacy.sends_read_receipts(actor.user_id) else None
            await self._publisher.frame(
                others,
                # Read implies delivered; the store moved both.
                receipt_frame(conversation_id, actor.user_id, read_seq=told, delivered_seq=seq),
            )
        return seq

    async def do_ack_delivered(self, actor: Actor, *, conversation_id: int, seq: int) -> None:
        """A device received the conversation up to ``seq``."""
        roster = await self._rosters.access(conversation_id, actor.user_id)
        key = (conversation_id, actor.user_id)
        if seq <= self._delivered.get(key, 0):
            return
        self._delivered[key] = seq
        MESSAGES_DELIVERED.inc()
        if roster.type is ConversationType.DIRECT:
            others = [u for u in roster.members if u != actor.user_id]
            await self._publisher.frame(
                others,
                receipt_frame(conversation_id, actor.user_id, read_seq=None, delivered_seq=seq),
            )

    async def read_state(self, actor: Actor, *, conversation_id: int, seq: int) -> dict[str, Any]:
        """Who has read the entry at ``seq`` (groups: counted from members' read_seq)."""
        await self._rosters.access(conversation_id, actor.user_id)
        entry = await self._store.entry(conversation_id, seq)
        if entry is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such message")
        read_by: list[int] = []
        unread_by: list[int] = []
        positions = await self._store.positions(conversation_id)
        # Those who do not send read receipts count as not read (to others).
        silent = await self._privacy.receipts_hidden_among(
            [p.user_id for p in positions if p.user_id != actor.user_id]
        )
        for position in positions:
            if position.user_id == entry.sender_id:
                continue
            read = position.read_seq >= seq and position.user_id not in silent
            (read_by if read else unread_by).append(position.user_id)
        return {
            "conversation_id": conversation_id,
            "seq": seq,
            "read_count": len(read_by),
            "unread_count": len(unread_by),
            "read_by": read_by,
            "unread_by": unread_by,
        }

    async def _flush(self) -> None:
        if not self._delivered:
            return
        batch, self._delivered = self._delivered, {}
        await self._store.mark_delivered(batch)
