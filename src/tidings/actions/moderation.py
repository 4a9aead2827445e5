"""Content moderation (PRODUCT.md K7, decision 0056): the server-wide word list, screening
texts on their way in, users' reports and the reviewers' decisions.

``WordLists`` keeps this node's compiled list: loaded at start, compiled again (off the event
loop) when the bus says the list moved, when bus messages may have been lost, and every
POLL_SECONDS in case a message was. Sends read ``WordLists.current``, an immutable matcher,
without a query or a lock: a change swaps in a new one whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import functools
import io
import logging
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from tidings.actions.admin_gate import AdminGate
from tidings.actions.context import Actor
from tidings.actions.publisher import Publisher
from tidings.actions.rosters import RosterCache
from tidings.bus.base import Bus
from tidings.bus.messages import BusGap, BusMessage, WordsChanged
from tidings.domain.admin import AdminPower
from tidings.domain.clock import now_ms
from tidings.domain.conversations import ConversationType, Role
from tidings.domain.entries import Entry, EntryKind
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.groups import mute_deadline
from tidings.domain.moderation import (
    MAX_NOTE_CHARS,
    MAX_WORDS,
    RESOLUTIONS,
    USER_REASONS,
    Report,
    ReportReason,
    ReportStatus,
    ReportTarget,
    Resolution,
    WordAction,
    WordFilter,
    check_action,
    check_word,
    excerpt,
    target_key,
)
from tidings.store.accounts import AccountStore
from tidings.store.conversations import ConversationStore
from tidings.store.groups import GroupStore
from tidings.store.moderation import ModerationStore

logger = logging.getLogger(__name__)

B = TypeVar("B", bound=BaseModel)

# How often a node compares its list's version with the database's: a safety net for a bus
# message lost without a gap being noticed (the bus is best effort). One indexed read.
POLL_SECONDS = 30.0
# The text fields of message bodies people read (tidings.domain.bodies): screened on send.
BODY_TEXT_FIELDS = ("text", "title", "description", "name", "address")
# The longest text import (a word a line): 100,000 words of up to 50 characters.
MAX_IMPORT_BYTES = 8 * 1024 * 1024


class WordLists:
    """This node's compiled word list, kept current."""

    def __init__(self, store: ModerationStore, bus: Bus) -> None:
        self._store = store
        self._bus = bus
        self.current = WordFilter()
        self._wanted = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.reload()
        self._task = asyncio.create_task(self._keep_current(), name="word-lists")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def on_bus(self, message: BusMessage) -> None:
        if isinstance(message, WordsChanged):
            if message.version != self.current.version:
                self._wanted.set()
        elif isinstance(message, BusGap):
            self._wanted.set()

    async def reload(self) -> None:
        """Compile the list if the database holds another version than this node."""
        if await self._store.words_version() == self.current.version:
            return
        version, words = await self._store.all_words()
        # Compiling 100,000 words takes a second: in a thread, so the loop keeps serving.
        compiled = await asyncio.to_thread(WordFilter, words, version=version)
        if compiled.version > self.current.version:
            self.current = compiled

    async def changed(self, version: int) -> None:
        """After a change this node made: compile it here now, and tell the other nodes."""
        await self.reload()
        await self._bus.publish(WordsChanged(version))

    async def _keep_current(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wanted.wait()
            self._wanted.clear()
            try:
                await self.reload()
            except Exception:
                logger.exception("could not reload the word list")


class ContentScreen:
    """The word list applied to texts on their way in (messages, nicknames, group names,
    announcements); what it flags goes to the review queue."""

    def __init__(self, lists: WordLists, store: ModerationStore) -> None:
        self._lists = lists
        self._store = store

    def text(self, field: str, value: str) -> tuple[str, tuple[str, ...]]:
        """(the text to store, the flag words found); ``content_blocked`` when blocked."""
        screened = self._lists.current.screen_fields({field: value})
        return screened.replaced.get(field, value), screened.flagged

    def body(self, body: B) -> tuple[B, tuple[str, ...]]:
        """A message body with its text fields screened; (the body to store, flag words)."""
        current = self._lists.current
        if not len(current):
            return body, ()
        texts = {
            name: value
            for name in _text_fields(type(body))
            if isinstance(value := getattr(body, name), str)
        }
        if not texts:
            return body, ()
        screened = current.screen_fields(texts)
        if screened.replaced:
            body = body.model_copy(update=screened.replaced)
        return body, screened.flagged

    @staticmethod
    def texts_of(body: Mapping[str, Any]) -> list[str]:
        return [v for name in BODY_TEXT_FIELDS if isinstance(v := body.get(name), str)]

    async def flag(
        self,
        target_type: ReportTarget,
        *,
        words: tuple[str, ...],
        text: str,
        user_id: int | None = None,
        conversation_id: int | None = None,
        seq: int | None = None,
        where: str = "",
    ) -> None:
        """Queue flagged content for review. Written after the content it flags (a second
        transaction); a message's flag is written again, once, when its sender resends it
        after a node died between the two (the sender had no ack). A name whose change
        outlived its node unflagged stays so."""
        if not words:
            return
        now = now_ms()
        key = target_key(target_type, conversation_id=conversation_id, seq=seq, user_id=user_id)
        # A message is flagged once; a name each time it changes into a flagged one.
        dedupe = f"words|{key}" if seq is not None else f"words|{key}|{now}"
        try:
            await self._store.add_report(
                reporter_id=None,
                target_type=target_type,
                target_user_id=user_id,
                conversation_id=conversation_id,
                seq=seq,
                dedupe=dedupe[:100],
                reason=ReportReason.FLAGGED_WORDS,
                note=", ".join(words)[:MAX_NOTE_CHARS] + (f" ({where})" if where else ""),
                excerpt=excerpt(text),
                now=now,
            )
        except Exception:
            # The content is stored and acknowledged; losing its flag is the lesser harm.
            logger.exception("could not queue flagged content for review")


class WordListAdmin:
    """The console's word list: read with MODERATION_VIEW, change with MODERATION."""

    def __init__(self, *, store: ModerationStore, lists: WordLists, gate: AdminGate) -> None:
        self._store = store
        self._lists = lists
        self._gate = gate

    async def list_words(
        self, actor: Actor, *, query: str, action: WordAction | None, after: str | None, limit: int
    ) -> dict[str, Any]:
        await self._gate.require(actor, AdminPower.MODERATION_VIEW)
        limit = max(1, min(limit, 500))
        rows, total = await self._store.list_words(
            query=query.strip().lower(), action=action, after=after, limit=limit
        )
        return {
            "words": [r.to_wire() for r in rows],
            "total": total,
            "next": rows[-1].word if len(rows) == limit else None,
            "version": self._lists.current.version,
        }

    async def do_put_words(
        self, actor: Actor, entries: list[Any], *, default_action: WordAction | None = None
    ) -> dict[str, Any]:
        """Add words or set their action. Each entry is ``{"word", "action"}`` (or a bare
        word taking ``default_action``); bad ones are reported by index, the rest applied."""
        if len(entries) > MAX_WORDS:
            raise _too_many(len(entries))
        words: dict[str, WordAction] = {}
        errors: list[dict[str, Any]] = []
        for index, entry in enumerate(entries):
            try:
                if isinstance(entry, Mapping):
                    unknown = set(entry) - {"word", "action"}
                    if unknown:
                        raise TidingsError(
                            ErrorCode.INVALID_INPUT, f"unknown field {sorted(unknown)[0]!r}"
                        )
                    raw_word, raw_action = entry.get("word"), entry.get("action", default_action)
                else:
                    raw_word, raw_action = entry, default_action
                if raw_action is None:
                    raise TidingsError(ErrorCode.INVALID_INPUT, "the action is missing")
                word = check_word(raw_word)
                words.pop(word, None)  # the last entry of a word wins
                words[word] = check_action(raw_action)
            except TidingsError as error:
                errors.append(_entry_error(index, entry, error))
        return await self._apply(actor, words, errors, "words.update")

    async def do_import_words(
        self, actor: Actor, data: bytes, *, default_action: WordAction
    ) -> dict[str, Any]:
        """A text file of a word a line, or CSV rows ``word,action`` (a header row
        ``word,action`` is skipped); errors are reported by line."""
        await self._gate.require(actor, AdminPower.MODERATION)
        if len(data) > MAX_IMPORT_BYTES:
            raise TidingsError(
                ErrorCode.PAYLOAD_TOO_LARGE,
                f"a word list file has at most {MAX_IMPORT_BYTES} bytes",
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TidingsError(ErrorCode.BAD_FILE, "the file is not UTF-8 text") from None
        lines = [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
        if lines and [c.strip().lower() for c in lines[0]][:1] == ["word"]:
            lines = lines[1:]
        if not lines:
            raise TidingsError(ErrorCode.BAD_FILE, "the file lists no words")
        if len(lines) > MAX_WORDS:
            raise _too_many(len(lines))
        words: dict[str, WordAction] = {}
        errors: list[dict[str, Any]] = []
        for number, row in enumerate(lines, start=1):
            try:
                if len(row) > 2:
                    raise TidingsError(ErrorCode.INVALID_INPUT, "a line is word[,action]")
                word = check_word(row[0])
                action = check_action(row[1]) if len(row) > 1 and row[1].strip() else default_action
                words.pop(word, None)
                words[word] = action
            except TidingsError as error:
                errors.append({"line": number, "word": row[0][:60] if row else "", **_why(error)})
        return await self._apply(actor, words, errors, "words.import")

    async def _apply(
        self, actor: Actor, words: dict[str, WordAction], errors: list[dict[str, Any]], action: str
    ) -> dict[str, Any]:
        if not words:
            # Nothing to apply is a failed change: no audit entry, the reasons in the details.
            raise TidingsError(
                ErrorCode.INVALID_INPUT, "no valid word to apply", details={"errors": errors[:1000]}
            )
        # The entry is written inside the change's transaction: its details are what was
        # asked (how many words, a sample), known before the change runs.
        async with self._gate.act(
            actor,
            AdminPower.MODERATION,
            action,
            target_type="word_list",
            details={"words": len(words), "rejected": len(errors), "sample": sorted(words)[:10]},
        ):
            change = await self._store.put_words(words, now_ms())
        await self._lists.changed(change.version)
        return {
            "added": change.added,
            "updated": change.updated,
            "unchanged": change.unchanged,
            "errors": errors,
            "version": change.version,
        }

    async def do_remove_words(self, actor: Actor, entries: list[Any]) -> dict[str, Any]:
        if len(entries) > MAX_WORDS:
            raise _too_many(len(entries))
        words: list[str] = []
        errors: list[dict[str, Any]] = []
        for index, entry in enumerate(entries):
            try:
                words.append(check_word(entry))
            except TidingsError as error:
                errors.append(_entry_error(index, entry, error))
        if not words:
            raise TidingsError(
                ErrorCode.INVALID_INPUT,
                "no valid word to remove",
                details={"errors": errors[:1000]},
            )
        unique = sorted(set(words))
        async with self._gate.act(
            actor,
            AdminPower.MODERATION,
            "words.remove",
            target_type="word_list",
            details={"words": len(unique), "sample": unique[:10]},
        ):
            removed, version = await self._store.remove_words(unique)
        await self._lists.changed(version)
        return {
            "removed": removed,
            "missing": len(unique) - removed,
            "errors": errors,
            "version": version,
        }


class Reports:
    """Users report messages, people and groups; reviewers resolve them."""

    def __init__(
        self,
        *,
        store: ModerationStore,
        conversations: ConversationStore,
        accounts: AccountStore,
        groups: GroupStore,
        rosters: RosterCache,
        publisher: Publisher,
        gate: AdminGate,
        freeze: Any,
        visible_user: Any,
        min_mute_seconds: int,
    ) -> None:
        self._store = store
        self._conversations = conversations
        self._accounts = accounts
        self._groups = groups
        self._rosters = rosters
        self._publisher = publisher
        self._gate = gate
        # Accounts.do_freeze and Directory.visible_user (passed in: no cycle in the wiring).
        self._freeze = freeze
        self._visible_user = visible_user
        self._min_mute_seconds = min_mute_seconds

    async def do_report(
        self,
        actor: Actor,
        *,
        target_type: ReportTarget,
        reason: ReportReason,
        note: str,
        conversation_id: int | None = None,
        seq: int | None = None,
        user_id: int | None = None,
    ) -> tuple[Report, bool]:
        """File a report on what the actor can see (else ``not_found``, as for what does not
        exist); the same reporter and target again returns the first report (False)."""
        if reason not in USER_REASONS:
            raise TidingsError(
                ErrorCode.INVALID_INPUT, "reason: spam, abuse, fraud, illegal or other"
            )
        if len(note) > MAX_NOTE_CHARS:
            raise TidingsError(
                ErrorCode.INVALID_INPUT, f"a note has at most {MAX_NOTE_CHARS} characters"
            )
        target_user: int | None
        if target_type is ReportTarget.MESSAGE:
            if conversation_id is None or seq is None:
                raise TidingsError(
                    ErrorCode.INVALID_INPUT, "a message is named by conversation_id and seq"
                )
            entry = await self._visible_message(actor, conversation_id, seq)
            target_user, text = entry.sender_id, _entry_text(entry)
            user_id = None
        elif target_type is ReportTarget.USER:
            if user_id is None:
                raise TidingsError(ErrorCode.INVALID_INPUT, "a person is named by user_id")
            if user_id == actor.user_id:
                raise TidingsError(ErrorCode.INVALID_INPUT, "you cannot report yourself")
            user = await self._visible_user(actor, user_id)
            target_user, text = user_id, str(user.nickname)
            conversation_id = seq = None
        else:
            if conversation_id is None:
                raise TidingsError(ErrorCode.INVALID_INPUT, "a group is named by conversation_id")
            roster = await self._member_roster(actor, conversation_id)
            if roster.type is not ConversationType.GROUP:
                raise TidingsError(ErrorCode.NOT_FOUND, "no such group")
            group = await self._groups.group(conversation_id)
            owner = next((m.user_id for m in roster.members.values() if m.role is Role.OWNER), None)
            target_user, text = owner, group.name if group is not None else ""
            seq = user_id = None
        key = target_key(target_type, conversation_id=conversation_id, seq=seq, user_id=user_id)
        return await self._store.add_report(
            reporter_id=actor.user_id,
            target_type=target_type,
            target_user_id=target_user,
            conversation_id=conversation_id,
            seq=seq,
            dedupe=f"{actor.user_id}|{key}",
            reason=reason,
            note=note.strip(),
            excerpt=excerpt(text),
            now=now_ms(),
        )

    async def list_reports(
        self,
        actor: Actor,
        *,
        status: ReportStatus | None,
        target_type: ReportTarget | None,
        flagged: bool | None,
        before: int | None,
        limit: int,
    ) -> dict[str, Any]:
        """The queue, newest first, with the names a reviewer needs beside the ids."""
        await self._gate.require(actor, AdminPower.MODERATION_VIEW)
        limit = max(1, min(limit, 200))
        found, total = await self._store.list_reports(
            status=status, target_type=target_type, flagged=flagged, before_id=before, limit=limit
        )
        ids = {
            i
            for r in found
            for i in (r.reporter_id, r.target_user_id, r.resolved_by)
            if i is not None
        }
        users = await self._accounts.users(sorted(ids))
        groups: dict[int, str] = {}
        for r in found:
            if r.conversation_id is not None and r.conversation_id not in groups:
                group = await self._groups.group(r.conversation_id)
                groups[r.conversation_id] = group.name if group is not None else ""

        def name(user_id: int | None) -> str | None:
            user = users.get(user_id) if user_id is not None else None
            return user.nickname if user is not None else None

        return {
            "reports": [
                r.to_wire()
                | {
                    "reporter_name": name(r.reporter_id),
                    "target_user_name": name(r.target_user_id),
                    "resolved_by_name": name(r.resolved_by),
                    "group_name": groups.get(r.conversation_id)
                    if r.conversation_id is not None
                    else None,
                }
                for r in found
            ],
            "total": total,
            "next": found[-1].id if len(found) == limit else None,
        }

    async def do_resolve(
        self,
        actor: Actor,
        report_id: int,
        *,
        resolution: Resolution,
        note: str = "",
        mute_seconds: int | None = None,
    ) -> dict[str, Any]:
        """Dismiss, recall the message, mute its sender in the group, or freeze the account;
        every open report on the same target is resolved with it. One audit entry
        (``report.resolve``; a freeze writes its own ``user.freeze`` too)."""
        await self._gate.require(actor, AdminPower.MODERATION)
        report = await self._store.report(report_id)
        if report is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such report")
        if report.status is ReportStatus.RESOLVED:
            raise TidingsError(ErrorCode.CONFLICT, "this report was resolved already")
        if resolution not in RESOLUTIONS[report.target_type]:
            raise TidingsError(
                ErrorCode.INVALID_INPUT,
                f"a {report.target_type.value} report cannot be resolved by {resolution.value}",
            )
        if len(note) > MAX_NOTE_CHARS:
            raise TidingsError(
                ErrorCode.INVALID_INPUT, f"a note has at most {MAX_NOTE_CHARS} characters"
            )
        mute_until: int | None = None
        roster = None
        if resolution in (Resolution.RECALL, Resolution.MUTE):
            assert report.conversation_id is not None
            roster = await self._rosters.get(report.conversation_id)
            if roster is None:
                raise TidingsError(ErrorCode.NOT_FOUND, "the conversation is gone")
        if resolution is Resolution.MUTE:
            assert roster is not None
            if roster.type is not ConversationType.GROUP:
                raise TidingsError(ErrorCode.INVALID_INPUT, "mute is for messages in groups")
            if report.target_user_id not in roster.members:
                raise TidingsError(ErrorCode.NOT_MEMBER, "the sender is no longer in the group")
            if mute_seconds is None:
                raise TidingsError(ErrorCode.INVALID_INPUT, "say for how long: mute_seconds")
            mute_until = mute_deadline(now_ms(), mute_seconds, shortest=self._min_mute_seconds)
        if resolution is Resolution.RECALL:
            entry = await self._conversations.entry(report.conversation_id or 0, report.seq or 0)
            if entry is None or entry.kind is not EntryKind.MESSAGE:
                raise TidingsError(ErrorCode.NOT_FOUND, "no such message")
        async with self._gate.act(
            actor,
            AdminPower.MODERATION,
            "report.resolve",
            target_type="report",
            target_id=report.id,
            details={
                "resolution": resolution.value,
                "target_type": report.target_type.value,
                "target_user_id": report.target_user_id,
                "conversation_id": report.conversation_id,
                "seq": report.seq,
            },
        ):
            if resolution is Resolution.FREEZE:
                if report.target_user_id is None:
                    raise TidingsError(ErrorCode.INVALID_INPUT, "nobody to freeze")
                await self._freeze(actor, report.target_user_id, f"report {report.id}")
            resolved, written = await self._store.resolve(
                report,
                resolution=resolution,
                note=note.strip(),
                resolved_by=actor.user_id,
                now=now_ms(),
                recall=resolution is Resolution.RECALL,
                mute_until=mute_until,
            )
        if written is not None and roster is not None:
            if resolution is Resolution.MUTE:
                await self._publisher.roster_changed(roster.conversation_id)
            await self._publisher.entry_to_members(written, roster)
        return {
            "resolved": resolved,
            "entry": written.to_wire() if written is not None else None,
        }

    async def _member_roster(self, actor: Actor, conversation_id: int) -> Any:
        try:
            return await self._rosters.access(conversation_id, actor.user_id)
        except TidingsError:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such conversation") from None

    async def _visible_message(self, actor: Actor, conversation_id: int, seq: int) -> Entry:
        roster = await self._member_roster(actor, conversation_id)
        view = await self._conversations.member_view(conversation_id, actor.user_id)
        entry = await self._conversations.entry(conversation_id, seq)
        floor = roster.members[actor.user_id].visible_from_seq
        if (
            entry is None
            or view is None
            or seq < floor
            or seq <= view.cleared_seq
            or entry.kind is not EntryKind.MESSAGE
            or entry.recalled
            or entry.sender_id is None
        ):
            raise TidingsError(ErrorCode.NOT_FOUND, "no such message")
        return entry


@functools.cache
def _text_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The body type's shown text fields (asking a pydantic model for a field it lacks
    raises inside, which costs more than the whole match)."""
    return tuple(name for name in BODY_TEXT_FIELDS if name in model.model_fields)


def _entry_text(entry: Entry) -> str:
    parts = [value for name in BODY_TEXT_FIELDS if isinstance(value := entry.body.get(name), str)]
    return " · ".join(parts) or f"[{entry.type}]"


def _why(error: TidingsError) -> dict[str, Any]:
    return {"code": error.code.value, "message": error.message}


def _entry_error(index: int, entry: Any, error: TidingsError) -> dict[str, Any]:
    word = entry.get("word") if isinstance(entry, Mapping) else entry
    return {"index": index, "word": word[:60] if isinstance(word, str) else None, **_why(error)}


def _too_many(count: int) -> TidingsError:
    return TidingsError(
        ErrorCode.TOO_MANY_WORDS,
        f"at most {MAX_WORDS} words in one change; this one has {count}",
        details={"limit": MAX_WORDS, "count": count},
    )
