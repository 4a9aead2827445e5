"""Sending, forwarding, recalling and hiding messages; reading history (D2, D4-D7)."""

from __future__ import annotations

import asyncio
import hashlib
import time

from tidings.actions.attachments import Attachments
from tidings.actions.burns import Burns, refuse_burn_message
from tidings.actions.chat_records import ChatRecords
from tidings.actions.context import Actor
from tidings.actions.governance import Governance
from tidings.actions.moderation import ContentScreen
from tidings.actions.organization import Directory
from tidings.actions.publisher import Publisher
from tidings.actions.rosters import RosterCache
from tidings.actions.service import ServiceDesk
from tidings.actions.site_settings import MESSAGE_MODULES, SiteSettingsActions
from tidings.config import Settings
from tidings.domain.bodies import (
    ContactCardBody,
    MessageType,
    TextBody,
    body_to_wire,
    parse_body,
)
from tidings.domain.clock import now_ms
from tidings.domain.conversations import ConversationType, Roster, may_recall
from tidings.domain.entries import Entry, EntryKind, NewEntry
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.moderation import ReportTarget
from tidings.limits import Limits
from tidings.metrics import MESSAGES_SENT, SEND_LATENCY
from tidings.store.conversations import ConversationStore
from tidings.store.log_writer import Appended, LogWriter, RosterMoved

# How many times a send is checked again when the roster it was checked against moved on
# while it waited to be appended (decision 12). Each check reads the roster afresh, so a
# second attempt fails only if the members change again within milliseconds.
RECHECKS = 5


class Messages:
    def __init__(
        self,
        *,
        settings: Settings,
        store: ConversationStore,
        writer: LogWriter,
        governance: Governance,
        rosters: RosterCache,
        publisher: Publisher,
        attachments: Attachments,
        directory: Directory,
        limits: Limits,
        records: ChatRecords,
        burns: Burns,
        site: SiteSettingsActions,
        screen: ContentScreen,
        service: ServiceDesk,
    ) -> None:
        self._service = service
        self._site = site
        self._screen = screen
        self._records = records
        self._burns = burns
        self._settings = settings
        self._limits = limits
        self._directory = directory
        self._store = store
        self._writer = writer
        self._governance = governance
        self._rosters = rosters
        self._publisher = publisher
        self._attachments = attachments

    async def do_send(
        self,
        actor: Actor,
        *,
        conversation_id: int,
        client_msg_id: str,
        type: str,
        body: object,
        reply_to_seq: int | None = None,
    ) -> Entry:
        """Append a message; a retry with the same client_msg_id returns the first entry."""
        started = time.perf_counter()
        await self._limits.hit("message_send", actor.user_id)
        for attempt in range(1, RECHECKS + 1):
            roster = await self._check_can_post(actor, conversation_id)
            message_type, parsed = parse_body(
                type, body, max_text_chars=self._settings.max_text_chars
            )
            if message_type is MessageType.NOTICE:
                raise TidingsError(ErrorCode.FORBIDDEN, "only the system posts notices")
            if message_type is MessageType.CHAT_RECORD:
                raise TidingsError(
                    ErrorCode.FORBIDDEN, "chat records are made by forwarding (merged)"
                )
            if roster.type is ConversationType.SERVICE and attempt == 1:
                await self._service.check_send(actor, roster, message_type)
            if isinstance(parsed, TextBody):
                self._check_mentions(roster, parsed)
                if parsed.mention_all and attempt == 1:
                    await self._limits.hit("mention_all", actor.user_id)
            elif isinstance(parsed, ContactCardBody):
                await self._check_contact_card(actor, parsed.user_id)
            if reply_to_seq is not None:
                await self._check_reply_target(actor, roster, reply_to_seq)
            # Burn after reading: direct chats only; the sender's burn mode marks it.
            parsed = await self._burns.check_send(actor, roster, message_type, parsed)
            # Modules an administrator turned off (K4), from memory.
            self._site.require_message_type(message_type, parsed)
            # The server's word list (K7): block, mask or flag; a compiled matcher, no query.
            parsed, flagged = self._screen.body(parsed)
            # Mutes, blocks, keywords, moderation: from a cached policy, no query (hot path).
            await self._governance.check_send(
                actor,
                roster,
                type=message_type.value,
                body=parsed,
                client_msg_id=client_msg_id,
                reply_to_seq=reply_to_seq,
            )
            parsed = await self._attachments.check_attachments(actor, message_type, parsed)
            try:
                appended = await self._writer.append(
                    NewEntry(
                        conversation_id=conversation_id,
                        sender_id=actor.user_id,
                        kind=EntryKind.MESSAGE,
                        type=message_type.value,
                        body=body_to_wire(parsed),
                        client_msg_id=client_msg_id,
                        created_at=now_ms(),
                        reply_to_seq=reply_to_seq,
                        roster_version=roster.version,
                    )
                )
                break
            except RosterMoved:
                # Someone joined, left or was removed, or a rule changed, after the roster
                # was read (this node may not have heard yet): check again (decision 12).
                self._rosters.invalidate(conversation_id)
                if attempt == RECHECKS:
                    raise _still_moving() from None
        await self._attachments.do_record_attachments([appended.entry])
        if appended.created:
            MESSAGES_SENT.inc()
            await self._publisher.entry_to_members(
                appended.entry, roster, exclude_connection=actor.connection_id
            )
            if roster.type is ConversationType.SERVICE:
                await self._service.on_sent(actor, appended.entry)
        if flagged:
            # Also on a resend of a stored message: had the node died before the flag was
            # written, the sender (who got no ack) retries, and the flag is written then
            # (once: a message's flag is keyed by its seq).
            await self._screen.flag(
                ReportTarget.MESSAGE,
                words=flagged,
                text=" ".join(v for v in self._screen.texts_of(appended.entry.body)),
                user_id=actor.user_id,
                conversation_id=conversation_id,
                seq=appended.entry.seq,
            )
        SEND_LATENCY.observe(time.perf_counter() - started)
        return appended.entry

    async def do_forward(
        self,
        actor: Actor,
        *,
        conversation_id: int,
        seqs: list[int],
        target_ids: list[int],
        note: str | None,
        client_msg_id: str,
        merged: bool = False,
        title: str | None = None,
    ) -> list[Entry]:
        """Copy messages into several conversations at once, each followed by the note; or,
        ``merged``, one chat record holding copies of them all (decision 0035)."""
        if not seqs or len(seqs) > 100:
            raise TidingsError(ErrorCode.INVALID_INPUT, "forward 1 to 100 messages")
        self._check_targets(target_ids)
        source = await self._rosters.access(conversation_id, actor.user_id)
        visible_from = source.members[actor.user_id].visible_from_seq
        view = await self._store.member_view(conversation_id, actor.user_id)
        cleared = view.cleared_seq if view is not None else 0
        originals: list[Entry] = []
        for seq in seqs:
            entry = await self._store.entry(conversation_id, seq)
            if (
                entry is None
                or entry.seq < visible_from
                or entry.seq <= cleared
                or entry.kind is not EntryKind.MESSAGE
                or entry.recalled
                or entry.type == MessageType.NOTICE.value
            ):
                raise TidingsError(ErrorCode.NOT_FOUND, f"message {seq} cannot be forwarded")
            refuse_burn_message(entry, "forwarded")
            originals.append(entry)
        if merged:
            unique = {e.seq: e for e in originals}
            originals = [
                await self._records.build(
                    sender_id=actor.user_id,
                    originals=list(unique.values()),
                    title=title,
                    now=now_ms(),
                )
            ]
        return await self.do_forward_entries(
            actor,
            originals=originals,
            target_ids=target_ids,
            note=note,
            client_msg_id=client_msg_id,
        )

    def _check_targets(self, target_ids: list[int]) -> list[int]:
        targets = list(dict.fromkeys(target_ids))
        if not targets or len(targets) > self._settings.max_forward_targets:
            raise TidingsError(
                ErrorCode.INVALID_INPUT,
                f"forward to 1 to {self._settings.max_forward_targets} conversations",
            )
        return targets

    async def do_forward_entries(
        self,
        actor: Actor,
        *,
        originals: list[Entry],
        target_ids: list[int],
        note: str | None,
        client_msg_id: str,
    ) -> list[Entry]:
        """Copy bodies the actor holds (checked by the caller: messages they may read, or
        their favourites) into conversations they may post in, each followed by the note."""
        targets = self._check_targets(target_ids)
        await self._limits.hit("message_send", actor.user_id, cost=len(targets))
        for original in originals:
            module = MESSAGE_MODULES.get(MessageType(original.type or MessageType.TEXT))
            if module is not None:
                self._site.require(module)
            if original.type == MessageType.CONTACT_CARD.value:
                await self._check_contact_card(actor, int(original.body["user_id"]))
        note_body = None
        if note:
            _, parsed = parse_body(
                MessageType.TEXT.value, {"text": note}, max_text_chars=self._settings.max_text_chars
            )
            parsed, _ = self._screen.body(parsed)
            note_body = body_to_wire(parsed)
        for attempt in range(1, RECHECKS + 1):
            try:
                return await self._forward_copies(
                    actor, targets, originals, note_body, client_msg_id
                )
            except RosterMoved as moved:
                # Copies already stored are found again by their client_msg_id.
                self._rosters.invalidate(moved.conversation_id)
                if attempt == RECHECKS:
                    raise _still_moving() from None
        raise AssertionError("unreachable")

    async def _forward_copies(
        self,
        actor: Actor,
        targets: list[int],
        originals: list[Entry],
        note_body: dict[str, object] | None,
        client_msg_id: str,
    ) -> list[Entry]:
        rosters = [await self._check_can_post(actor, target) for target in targets]
        for roster in rosters:
            if roster.type is ConversationType.SERVICE:
                for original in originals:
                    await self._service.check_send(
                        actor, roster, MessageType(original.type or MessageType.TEXT)
                    )
            for body, kind in [(o.body, o.type or "") for o in originals] + (
                [(note_body, MessageType.TEXT.value)] if note_body is not None else []
            ):
                await self._governance.check_send(
                    actor,
                    roster,
                    type=kind,
                    body=body,
                    client_msg_id=client_msg_id,
                    reply_to_seq=None,
                    forwarded=True,
                )
        now = now_ms()
        pending: list[tuple[Roster, NewEntry]] = []
        for roster in rosters:
            target = roster.conversation_id
            for index, original in enumerate(originals):
                pending.append(
                    (
                        roster,
                        self._copy(
                            actor, roster, original, f"{client_msg_id}/{target}/{index}", now
                        ),
                    )
                )
            if note_body is not None:
                pending.append(
                    (
                        roster,
                        NewEntry(
                            conversation_id=target,
                            sender_id=actor.user_id,
                            kind=EntryKind.MESSAGE,
                            type=MessageType.TEXT.value,
                            body=note_body,
                            client_msg_id=_derived_id(
                                f"{client_msg_id}/{target}/note", prefix="fwn-"
                            ),
                            created_at=now,
                            roster_version=roster.version,
                        ),
                    )
                )
        # Appended together: one batch, and each conversation keeps this order.
        outcomes = await asyncio.gather(
            *(self._writer.append(new) for _, new in pending), return_exceptions=True
        )
        results = [o for o in outcomes if isinstance(o, Appended)]
        await self._attachments.do_record_attachments([appended.entry for appended in results])
        for (roster, _), appended in zip(pending, outcomes, strict=True):
            if isinstance(appended, Appended) and appended.created:
                MESSAGES_SENT.inc()
                await self._publisher.entry_to_members(
                    appended.entry, roster, exclude_connection=actor.connection_id
                )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome  # RosterMoved: those stored are found again on the retry
        return [appended.entry for appended in results]

    async def do_recall(self, actor: Actor, *, conversation_id: int, seq: int) -> Entry:
        self._site.require("recall")
        roster = await self._rosters.access(conversation_id, actor.user_id)
        member = roster.members[actor.user_id]
        target = await self._store.entry(conversation_id, seq)
        if target is None or seq < member.visible_from_seq:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such message")
        if target.kind is not EntryKind.MESSAGE or target.recalled:
            raise TidingsError(ErrorCode.NOT_RECALLABLE, "this entry cannot be recalled")
        sender = roster.members.get(target.sender_id) if target.sender_id is not None else None
        refusal = may_recall(
            actor_id=actor.user_id,
            actor_role=await self._governance.recall_role(roster, member),
            conversation_type=roster.type,
            sender_id=target.sender_id,
            sender_role=sender.role if sender is not None else None,
            age_seconds=(now_ms() - target.created_at) / 1000,
            window_seconds=self._site.recall_window_seconds,
        )
        if refusal == "forbidden":
            raise TidingsError(
                ErrorCode.FORBIDDEN, "you may not recall the message of an equal or a superior"
            )
        if refusal == "not_your_message":
            raise TidingsError(ErrorCode.NOT_YOUR_MESSAGE, "you can only recall your own messages")
        if refusal == "recall_window_passed":
            raise TidingsError(
                ErrorCode.RECALL_WINDOW_PASSED,
                f"messages can be recalled within {self._site.recall_window_seconds} seconds",
            )
        entry = await self._store.recall(
            conversation_id=conversation_id, target_seq=seq, actor_id=actor.user_id, now=now_ms()
        )
        if entry is None:
            raise TidingsError(ErrorCode.NOT_RECALLABLE, "already recalled")
        await self._publisher.entry_to_members(entry, roster)
        return entry

    async def do_delete_for_me(
        self, actor: Actor, *, conversation_id: int, seqs: list[int]
    ) -> dict[str, object]:
        await self._rosters.access(conversation_id, actor.user_id)
        wanted = sorted(set(seqs))
        if not wanted or len(wanted) > 500 or wanted[0] < 1:
            raise TidingsError(ErrorCode.INVALID_INPUT, "delete 1 to 500 messages by seq")
        entry = await self._store.hide_entries(
            conversation_id=conversation_id, user_id=actor.user_id, seqs=wanted, now=now_ms()
        )
        await self._publisher.private([entry])
        return entry.data

    async def do_clear_history(self, actor: Actor, *, conversation_id: int) -> dict[str, object]:
        await self._rosters.access(conversation_id, actor.user_id)
        entry = await self._store.clear_history(
            conversation_id=conversation_id, user_id=actor.user_id, now=now_ms()
        )
        await self._publisher.private([entry])
        return entry.data

    async def history(
        self,
        actor: Actor,
        *,
        conversation_id: int,
        after_seq: int | None,
        before_seq: int | None,
        limit: int,
        around_seq: int | None = None,
    ) -> list[Entry]:
        """Entries in ascending seq: after ``after_seq``, or the newest before ``before_seq``,
        or those around ``around_seq`` (it and about as many before as after)."""
        if around_seq is not None and (after_seq is not None or before_seq is not None):
            raise TidingsError(
                ErrorCode.INVALID_INPUT, "around_seq goes alone, without after_seq or before_seq"
            )
        # A member reads from their floor on; a former member up to the entry that took
        # them out, never after (decision 0075).
        view = await self._store.member_view(conversation_id, actor.user_id, former=True)
        if view is None:
            raise TidingsError(ErrorCode.NOT_MEMBER, "you are not a member of this conversation")
        floor = view.history_floor
        ceiling = view.left_seq
        limit = max(1, min(limit, self._settings.history_page_limit))

        def below(seq: int | None) -> int | None:
            if ceiling is None:
                return seq
            return ceiling + 1 if seq is None else min(seq, ceiling + 1)

        if around_seq is not None:
            # It and what precedes it first (the reader scrolls up from a result more often),
            # then what follows, up to the page.
            older = await self._store.history(
                conversation_id=conversation_id,
                viewer_id=actor.user_id,
                after_seq=floor,
                before_seq=below(around_seq + 1),
                limit=limit // 2 + 1,
                newest_first=True,
            )
            newer = await self._store.history(
                conversation_id=conversation_id,
                viewer_id=actor.user_id,
                after_seq=max(around_seq, floor),
                before_seq=below(None),
                limit=limit - len(older),
                newest_first=False,
            )
            return older + newer if len(older) < limit else older
        return await self._store.history(
            conversation_id=conversation_id,
            viewer_id=actor.user_id,
            after_seq=max(after_seq or 0, floor),
            before_seq=below(before_seq),
            limit=limit,
            newest_first=after_seq is None and before_seq is not None,
        )

    async def _check_can_post(self, actor: Actor, conversation_id: int) -> Roster:
        roster = await self._rosters.access(conversation_id, actor.user_id)
        if roster.type is ConversationType.SYSTEM:
            raise TidingsError(ErrorCode.FORBIDDEN, "system notices cannot be replied to")
        return roster

    def _check_mentions(self, roster: Roster, body: TextBody) -> None:
        if body.mention_all and roster.type is not ConversationType.GROUP:
            raise TidingsError(ErrorCode.INVALID_INPUT, "@all is for groups")
        strangers = [u for u in body.mentions if u not in roster.members]
        if strangers:
            raise TidingsError(
                ErrorCode.INVALID_INPUT, "mentioned users are not members", details=strangers[:20]
            )

    async def _check_contact_card(self, actor: Actor, user_id: int) -> None:
        """A card shares a person: only someone the sender may see (decision 0011). A hidden
        person and a missing one get the same answer, so cards cannot probe the tree."""
        try:
            await self._directory.visible_user(actor, user_id)
        except TidingsError:
            raise TidingsError(
                ErrorCode.UNKNOWN_CONTACT,
                "the contact card names no one you can share",
                details={"user_id": user_id},
            ) from None

    async def _check_reply_target(self, actor: Actor, roster: Roster, seq: int) -> None:
        target = await self._store.entry(roster.conversation_id, seq)
        if (
            target is None
            or target.kind is not EntryKind.MESSAGE
            or seq < roster.members[actor.user_id].visible_from_seq
        ):
            raise TidingsError(ErrorCode.NOT_FOUND, "the message replied to does not exist")
        refuse_burn_message(target, "quoted")

    def _copy(self, actor: Actor, roster: Roster, original: Entry, key: str, now: int) -> NewEntry:
        return NewEntry(
            conversation_id=roster.conversation_id,
            roster_version=roster.version,
            sender_id=actor.user_id,
            kind=EntryKind.MESSAGE,
            type=original.type,
            body=original.body,
            client_msg_id=_derived_id(key),
            created_at=now,
        )


def _still_moving() -> TidingsError:
    return TidingsError(
        ErrorCode.CONFLICT, "the conversation's members kept changing; send again (same id)"
    )


def _derived_id(key: str, prefix: str = "fwd-") -> str:
    """A client_msg_id for one copy of a forward (`fwd-`) or its note (`fwn-`): the same
    request yields the same ids, and clients mark the copies, not the note, as forwarded."""
    return prefix + hashlib.sha256(key.encode()).hexdigest()[:40]
