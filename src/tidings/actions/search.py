"""Message search (PRODUCT.md D11, issue 15, decision 0072): the indexer that keeps the index
up with the log, and the search itself.

The index is derived from the log and trusted for nothing but candidates. Whether the
searcher may read one is decided at query time against the log, by the rules history uses:
in the part of a conversation they may read (``readable_parts``: a member above their
history floor — joined, cleared; ``domain.conversations.Readable`` — or a former member up
to the entry that took them out), not deleted for them, not recalled or burned
(``shown_messages``). So a recall, a delete-for-me, a cleared history or leaving a group
take effect in results at once, whatever the indexer's lag.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from tidings.actions.context import Actor
from tidings.domain.bodies import MessageType
from tidings.domain.clock import now_ms
from tidings.domain.conversations import Readable
from tidings.domain.entries import Entry, EntryKind
from tidings.domain.errors import ErrorCode, TidingsError, not_member
from tidings.domain.search import (
    INDEX_FORMAT,
    SearchKind,
    SearchOrder,
    SearchQuery,
    document_of,
    parse_query,
    snippet,
)
from tidings.limits import Limits
from tidings.metrics import SEARCH_INDEX_LAG, SEARCH_SECONDS
from tidings.store.accounts import AccountStore
from tidings.store.conversations import ConversationStore
from tidings.store.search_index import (
    Candidate,
    IndexedMessage,
    IndexState,
    SearchIndex,
    WindowRequest,
)

logger = logging.getLogger(__name__)

# Entries the indexer reads at a time.
INDEX_BATCH = 500
# An entry id missing below one already seen belongs to a transaction still committing (or
# rolled back: ids are not given back). PostgreSQL's writers on several nodes commit out of
# id order; a hole is looked at again until it fills or is this old.
GAP_GRACE_SECONDS = 60.0
# A hole wider than this is not tracked id by id (a batch that rolled back).
MAX_TRACKED_GAP = 10_000
# While messages are being sent here, the indexer works at most a share of the time so the
# senders keep the processor: after a full batch that took t seconds it rests t times this.
BUSY_REST_FACTOR = 4.0
# Sends within this many seconds mean "busy".
BUSY_SECONDS = 1.0
# Fewer, larger index transactions under load: a step waits this long after a wake-up.
STEP_DELAY_SECONDS = 0.05

# Candidates ranked at a time: the newest this many matches in the searcher's conversations
# are ordered by relevance, then the next this many, and so on (decision 0072). Ten pages of
# twenty: more costs every search of a common word more, for order among old messages.
WINDOW = 200
# Windows one page may go through before it answers with what it found and a cursor.
MAX_WINDOWS_PER_PAGE = 8


# ---- The indexer ---------------------------------------------------------------------------


def changes_of(
    entries: Iterable[Entry], names: dict[int, str]
) -> tuple[list[IndexedMessage], list[tuple[int, int]]]:
    """What some entries of the log change in the index: messages to add, and messages
    (conversation_id, seq) a recall or a burn took away. Only messages are found: joins,
    leaves, group changes and the rest of the system's entries never are."""
    added: list[IndexedMessage] = []
    removed: list[tuple[int, int]] = []
    for entry in entries:
        if entry.kind is EntryKind.MESSAGE:
            if entry.recalled:
                continue
            doc = document_of(entry.type, entry.body, person_name=names.get)
            if doc is not None:
                added.append(
                    IndexedMessage(
                        entry_id=entry.id,
                        conversation_id=entry.conversation_id,
                        seq=entry.seq,
                        sender_id=entry.sender_id,
                        created_at=entry.created_at,
                        text=doc.text,
                        kinds=doc.kinds,
                    )
                )
        elif entry.kind in (EntryKind.RECALL, EntryKind.BURNED):
            target = entry.body.get("target_seq")
            if isinstance(target, int):
                removed.append((entry.conversation_id, target))
    return added, removed


def _card_people(entries: Iterable[Entry]) -> set[int]:
    return {
        e.body["user_id"]
        for e in entries
        if e.kind is EntryKind.MESSAGE
        and e.type == MessageType.CONTACT_CARD.value
        and isinstance(e.body.get("user_id"), int)
    }


class SearchIndexer:
    """Keeps the index up with the log. Runs on serving nodes; one of them at a time indexes
    (``claim_indexing``), the others stand by. It reads entries above its watermark in id
    order, so it catches up after a crash, a restart or on a database that had none."""

    def __init__(
        self,
        *,
        index: SearchIndex,
        conversations: ConversationStore,
        accounts: AccountStore,
        poll_seconds: float,
    ) -> None:
        self._index = index
        self._conversations = conversations
        self._accounts = accounts
        self._poll_seconds = poll_seconds
        self._state: IndexState | None = None
        self._high = 0  # the highest entry id handled
        self._gaps: dict[int, float] = {}  # missing id -> when first missed
        self._wake = asyncio.Event()
        self._last_send = 0.0
        self._task: asyncio.Task[None] | None = None
        # Told after each step with the highest entry id handled (tests, the bench).
        self.progress_listeners: list[Callable[[int], None]] = []

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="search-indexer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._index.release_indexing()

    def sent(self, _appended: object = None) -> None:
        """Messages were committed on this node (the log writer's listener)."""
        self._last_send = time.monotonic()
        self._wake.set()

    @property
    def handled_id(self) -> int:
        return self._high

    async def _run(self) -> None:
        while True:
            try:
                if not await self._index.claim_indexing():
                    await asyncio.sleep(max(self._poll_seconds, 5.0))
                    continue
                started = time.monotonic()
                seen = await self.step()
                took = time.monotonic() - started
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("indexing for search failed; trying again")
                self._state = None
                await asyncio.sleep(1.0)
                continue
            if seen >= INDEX_BATCH:
                # A backlog: keep going, resting while this node is sending.
                busy = time.monotonic() - self._last_send < BUSY_SECONDS
                await asyncio.sleep(took * BUSY_REST_FACTOR if busy else 0)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_seconds)
            self._wake.clear()
            await asyncio.sleep(STEP_DELAY_SECONDS)

    async def _load(self) -> IndexState:
        state = await self._index.state()
        if state.format != INDEX_FORMAT:
            # Built by another tokenizer (or never built): build it again from the start.
            logger.info("search index format %r, building it anew", state.format or "none")
            state = await self._index.reset(INDEX_FORMAT)
        self._state = state
        self._high = state.watermark
        self._gaps.clear()
        return state

    async def step(self) -> int:
        """Index what followed the last step: one batch. Returns how many entries it read."""
        state = self._state or await self._load()
        rows = await self._conversations.entries_after_id(self._high, INDEX_BATCH)
        now = time.monotonic()
        late = await self._conversations.entries_by_ids(sorted(self._gaps)) if self._gaps else []
        for entry in late:
            self._gaps.pop(entry.id, None)
        expected = self._high + 1
        for entry in rows:
            if entry.id - expected <= MAX_TRACKED_GAP:
                for missing in range(expected, entry.id):
                    self._gaps.setdefault(missing, now)
            expected = entry.id + 1
        for missing, since in list(self._gaps.items()):
            if now - since > GAP_GRACE_SECONDS:
                del self._gaps[missing]
        batch = late + rows
        people = _card_people(batch)
        names = (
            {u.id: u.nickname for u in (await self._accounts.users(sorted(people))).values()}
            if people
            else {}
        )
        added, removed = changes_of(batch, names)
        high = rows[-1].id if rows else self._high
        watermark = min(min(self._gaps) - 1, high) if self._gaps else high
        if batch or watermark != state.watermark:
            applied = await self._index.apply(
                added, removed, watermark=watermark, generation=state.generation
            )
            if not applied:  # reset meanwhile (`tidings search reindex`): start over
                self._state = None
                return INDEX_BATCH
            self._state = IndexState(state.format, watermark, state.generation)
            now = now_ms()
            for entry in rows:
                SEARCH_INDEX_LAG.observe(max(0, now - entry.created_at) / 1000)
        elif (await self._index.state()).generation != state.generation:
            # Nothing new, but the index was emptied (`tidings search reindex`): start over.
            self._state = None
            return INDEX_BATCH
        self._high = high
        for listener in self.progress_listeners:
            listener(high)
        return len(rows)

    async def catch_up(self, report: Callable[[int, int], None] | None = None) -> int:
        """Index everything written so far (the command line's reindex); returns the entry
        id reached. ``report(reached, last)`` is called after each batch."""
        last = await self._conversations.last_entry_id()
        while True:
            seen = await self.step()
            if report is not None:
                report(self._high, last)
            if seen < INDEX_BATCH and self._high >= last:
                return self._high


# ---- The search ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page ended: in the window of matches below ``below`` (None: the newest),
    after the candidate of this relevance and entry id (None: from the window's start)."""

    below: int | None
    relevance: int | None = None
    entry_id: int | None = None

    def encode(self) -> str:
        values = (self.below, self.relevance, self.entry_id)
        raw = ".".join("" if v is None else str(v) for v in values)
        return base64.urlsafe_b64encode(f"1.{raw}".encode()).decode().rstrip("=")

    @staticmethod
    def decode(cursor: str) -> Position:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
            version, *values = raw.split(".")
            if version != "1" or len(values) != 3:
                raise ValueError(raw)
            below, relevance, entry_id = (int(v) if v else None for v in values)
            if (relevance is None) != (entry_id is None):
                raise ValueError(raw)
            for value in (below, entry_id):
                if value is not None and not 0 < value < 2**47:
                    raise ValueError(raw)
            if relevance is not None and not -(2**31) < relevance < 2**31:
                raise ValueError(raw)
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise TidingsError(
                ErrorCode.INVALID_INPUT, "cursor: not one this server gave out"
            ) from None
        return Position(below, relevance, entry_id)


def _order(candidate: Candidate) -> tuple[int, int]:
    """Most relevant first; among those about as relevant, the newest."""
    return (-candidate.relevance, -candidate.entry_id)


def _newest(candidate: Candidate) -> Candidate:
    """The candidate as ranked when the newest come first: all equally relevant."""
    return replace(candidate, relevance=0)


class MessageSearch:
    def __init__(
        self,
        *,
        index: SearchIndex,
        conversations: ConversationStore,
        accounts: AccountStore,
        limits: Limits,
    ) -> None:
        self._index = index
        self._conversations = conversations
        self._accounts = accounts
        self._limits = limits

    async def search(
        self,
        actor: Actor,
        *,
        q: str,
        conversation_id: int | None = None,
        sender_id: int | None = None,
        since: int | None = None,
        until: int | None = None,
        types: Iterable[SearchKind] = (),
        limit: int,
        cursor: str | None = None,
        order: SearchOrder = SearchOrder.RELEVANCE,
    ) -> dict[str, Any]:
        """Messages the actor may read that match ``q``: ``{"results": [...], "next":
        cursor or None}`` (docs/protocol.md, "Message search"). ``order`` newest: newest
        first, whatever the relevance (the cursor goes on the same way)."""
        query = parse_query(q)
        position = Position.decode(cursor) if cursor else Position(None)
        if since is not None and until is not None and until <= since:
            raise TidingsError(ErrorCode.INVALID_INPUT, "until must be after since")
        await self._limits.hit("message_search", actor.user_id)
        if conversation_id is not None:
            view = await self._conversations.member_view(
                conversation_id, actor.user_id, former=True
            )
            if view is None:
                raise not_member()
            part = view.readable
            floors = (
                {conversation_id: part} if part.top(view.conversation.last_seq) > part.floor else {}
            )
        else:
            floors = await self._conversations.readable_parts(actor.user_id)
        if query is None or not floors:
            return {"results": [], "next": None}
        started = time.perf_counter()
        request = WindowRequest(
            query=query,
            conversation_ids=tuple(sorted(floors)),
            sender_id=sender_id,
            kinds=frozenset(types),
            since=since,
            until=until,
            below_entry_id=position.below,
            size=WINDOW,
        )
        found, next_position = await self._page(
            actor, request, floors, position, limit, newest=order == SearchOrder.NEWEST
        )
        results = await self._results(query, found)
        SEARCH_SECONDS.observe(time.perf_counter() - started)
        return {
            "results": results,
            "next": next_position.encode() if next_position is not None else None,
        }

    async def _page(
        self,
        actor: Actor,
        request: WindowRequest,
        floors: dict[int, Readable],
        position: Position,
        limit: int,
        *,
        newest: bool = False,
    ) -> tuple[list[Entry], Position | None]:
        found: list[tuple[Position, Entry]] = []
        below = position.below
        after = (
            (-position.relevance, -position.entry_id)
            if position.relevance is not None and position.entry_id is not None
            else None
        )
        for _ in range(MAX_WINDOWS_PER_PAGE):
            window = await self._index.window(
                WindowRequest(
                    query=request.query,
                    conversation_ids=request.conversation_ids,
                    sender_id=request.sender_id,
                    kinds=request.kinds,
                    since=request.since,
                    until=request.until,
                    below_entry_id=below,
                    size=request.size,
                )
            )
            ranked = sorted(
                (
                    _newest(c) if newest else c
                    for c in window
                    if c.conversation_id in floors and floors[c.conversation_id].holds(c.seq)
                ),
                key=_order,
            )
            if after is not None:
                ranked = [c for c in ranked if _order(c) > after]
            taken = 0
            while len(found) <= limit and taken < len(ranked):
                chunk = ranked[taken : taken + limit + 1 - len(found) + 4]
                taken += len(chunk)
                shown = await self._conversations.shown_messages(
                    actor.user_id, [c.entry_id for c in chunk]
                )
                for candidate in chunk:
                    entry = shown.get(candidate.entry_id)
                    if entry is not None and entry.seq == candidate.seq:
                        found.append(
                            (Position(below, candidate.relevance, candidate.entry_id), entry)
                        )
                        if len(found) > limit:
                            break
            if len(found) > limit:
                return [e for _, e in found[:limit]], found[limit - 1][0]
            if len(window) < request.size:
                return [e for _, e in found], None  # no older matches
            below = min(c.entry_id for c in window)
            after = None
        # Many windows and few visible results (a long history cleared, say): answer with
        # what was found; the cursor goes on from the next window.
        return [e for _, e in found], Position(below)

    async def _results(self, query: SearchQuery, entries: list[Entry]) -> list[dict[str, Any]]:
        people = _card_people(entries)
        names = (
            {u.id: u.nickname for u in (await self._accounts.users(sorted(people))).values()}
            if people
            else {}
        )
        results = []
        for entry in entries:
            doc = document_of(entry.type, entry.body, person_name=names.get)
            shown = snippet(doc.text, query) if doc is not None else None
            results.append(
                {
                    "conversation_id": entry.conversation_id,
                    "seq": entry.seq,
                    "sender_id": entry.sender_id,
                    "created_at": entry.created_at,
                    "type": entry.type,
                    "snippet": shown.text if shown is not None else "",
                    "highlights": [list(r) for r in shown.highlights] if shown else [],
                }
            )
        return results
