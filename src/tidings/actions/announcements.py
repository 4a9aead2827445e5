"""Group announcements (post, edit, pin, read receipts) and the board of messages an
admin marked important or that mention everyone (E9)."""

from __future__ import annotations

from typing import Any

from tidings.actions.context import Actor
from tidings.actions.governance import Policies
from tidings.actions.groups import access_group, require_power
from tidings.actions.moderation import ContentScreen
from tidings.actions.publisher import Publisher
from tidings.actions.rosters import RosterCache
from tidings.domain.clock import now_ms
from tidings.domain.entries import EntryKind
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.groups import Power
from tidings.domain.moderation import ReportTarget
from tidings.store.announcements import Announcement, AnnouncementStore
from tidings.store.conversations import ConversationStore

BOARD_PAGE = 100


class Announcements:
    def __init__(
        self,
        *,
        store: AnnouncementStore,
        conversations: ConversationStore,
        rosters: RosterCache,
        policies: Policies,
        publisher: Publisher,
        screen: ContentScreen,
    ) -> None:
        self._screen = screen
        self._store = store
        self._conversations = conversations
        self._rosters = rosters
        self._policies = policies
        self._publisher = publisher

    async def do_post_announcement(
        self, actor: Actor, conversation_id: int, text: str, pinned: bool
    ) -> dict[str, Any]:
        roster, policy = await access_group(
            self._rosters, self._policies, actor, conversation_id, live=True
        )
        require_power(roster, policy, actor, Power.ANNOUNCEMENTS)
        text, flagged = self._screen.text("announcement", text)
        announcement, entry = await self._store.post_announcement(
            conversation_id=conversation_id,
            author_id=actor.user_id,
            text=text,
            pinned=pinned,
            now=now_ms(),
        )
        await self._publisher.entry_to_members(entry, roster)
        await self._flag(actor, conversation_id, text, flagged)
        return announcement.to_wire()

    async def do_edit_announcement(
        self, actor: Actor, announcement_id: int, text: str | None, pinned: bool | None
    ) -> dict[str, Any]:
        announcement = await self._announcement(actor, announcement_id)
        roster, policy = await access_group(
            self._rosters, self._policies, actor, announcement.conversation_id, live=True
        )
        require_power(roster, policy, actor, Power.ANNOUNCEMENTS)
        if text is None and pinned is None:
            raise TidingsError(ErrorCode.INVALID_INPUT, "change the text or the pin")
        flagged: tuple[str, ...] = ()
        if text is not None:
            text, flagged = self._screen.text("announcement", text)
        edited, entry = await self._store.edit_announcement(
            announcement=announcement,
            actor_id=actor.user_id,
            text=text,
            pinned=pinned,
            now=now_ms(),
        )
        await self._publisher.entry_to_members(entry, roster)
        await self._flag(actor, announcement.conversation_id, text or "", flagged)
        return edited.to_wire()

    async def _flag(
        self, actor: Actor, conversation_id: int, text: str, flagged: tuple[str, ...]
    ) -> None:
        await self._screen.flag(
            ReportTarget.GROUP,
            words=flagged,
            text=text,
            conversation_id=conversation_id,
            user_id=actor.user_id,
            where="announcement",
        )

    async def announcements(self, actor: Actor, conversation_id: int) -> dict[str, Any]:
        await access_group(self._rosters, self._policies, actor, conversation_id)
        return {"announcements": await self._store.announcements(conversation_id, actor.user_id)}

    async def do_read_announcement(self, actor: Actor, announcement_id: int) -> dict[str, Any]:
        announcement = await self._announcement(actor, announcement_id)
        entry = await self._store.mark_announcement_read(
            announcement=announcement, user_id=actor.user_id, now=now_ms()
        )
        if entry is not None:
            await self._publisher.private([entry])
        return {"announcement_id": announcement_id, "read": True}

    async def announcement_reads(self, actor: Actor, announcement_id: int) -> dict[str, Any]:
        announcement = await self._announcement(actor, announcement_id)
        roster = await self._rosters.access(announcement.conversation_id, actor.user_id)
        readers = await self._store.announcement_readers(announcement_id)
        members = [u for u in roster.members if u != announcement.author_id]
        read_by = sorted(u for u in members if u in readers)
        unread_by = sorted(u for u in members if u not in readers)
        return {
            "announcement_id": announcement_id,
            "read_count": len(read_by),
            "unread_count": len(unread_by),
            "read_by": read_by,
            "unread_by": unread_by,
        }

    async def do_mark_important(
        self, actor: Actor, conversation_id: int, seq: int, important: bool
    ) -> dict[str, Any]:
        roster, policy = await access_group(
            self._rosters, self._policies, actor, conversation_id, live=True
        )
        require_power(roster, policy, actor, Power.ANNOUNCEMENTS)
        target = await self._conversations.entry(conversation_id, seq)
        if (
            target is None
            or target.kind is not EntryKind.MESSAGE
            or target.recalled
            or seq < roster.members[actor.user_id].visible_from_seq
        ):
            raise TidingsError(ErrorCode.NOT_FOUND, "no such message")
        entry = await self._store.mark_message(
            conversation_id=conversation_id,
            seq=seq,
            actor_id=actor.user_id,
            important=important,
            now=now_ms(),
        )
        if entry is None:
            raise TidingsError(ErrorCode.CONFLICT, "the board already shows it that way")
        await self._publisher.entry_to_members(entry, roster)
        return entry.to_wire()

    async def board(self, actor: Actor, conversation_id: int) -> dict[str, Any]:
        roster, _ = await access_group(self._rosters, self._policies, actor, conversation_id)
        found = await self._store.board(
            conversation_id,
            from_seq=roster.members[actor.user_id].visible_from_seq,
            limit=BOARD_PAGE,
        )
        return {"items": [{"reason": reason, "entry": e.to_wire()} for e, reason in found]}

    async def _announcement(self, actor: Actor, announcement_id: int) -> Announcement:
        found = await self._store.announcement(announcement_id)
        if found is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such announcement")
        await self._rosters.access(found.conversation_id, actor.user_id)
        return found
