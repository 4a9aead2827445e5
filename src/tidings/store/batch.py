"""Planning a group-commit batch: which entries are new, which are retries.

Pure functions shared by the SQLite and PostgreSQL appenders (decisions 17 and 23), so the
idempotency rule lives in one place.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import Enum

from tidings.domain.entries import Entry, NewEntry

SentKey = tuple[int, str]


class ConcurrentAppend(Exception):
    """Another node stored one of the batch's (sender_id, client_msg_id) pairs between the
    batch's lookup and its insert; nothing of the batch was stored."""


class RosterMoved(Exception):
    """The conversation's members or rules changed after the send was checked (its
    roster_version moved on): nothing was stored; check the send again (decision 12)."""

    def __init__(self, conversation_id: int) -> None:
        super().__init__(f"the roster of conversation {conversation_id} moved on")
        self.conversation_id = conversation_id


class NotAppended(Enum):
    """Why an entry of a batch was not stored (the rest of the batch may have been)."""

    # The conversation's roster_version is not the one the entry was checked against.
    ROSTER_MOVED = "roster_moved"
    NO_CONVERSATION = "no_conversation"


@dataclass(frozen=True, slots=True)
class Appended:
    entry: Entry
    # False when a retry found the entry its first attempt stored.
    created: bool


@dataclass(slots=True)
class BatchPlan:
    to_insert: list[NewEntry]
    # Where each inserted entry's result goes in the batch.
    positions: list[int]
    # (index, index of the first occurrence) for repeats inside the batch.
    duplicates: list[tuple[int, int]]
    results: list[Appended | NotAppended | None]
    # Per conversation among to_insert: the roster_version its entries were checked
    # against (the newest among them), or None when none was checked.
    expected: dict[int, int | None]


def sent_keys(batch: list[NewEntry]) -> list[SentKey]:
    return list(
        {
            (new.sender_id, new.client_msg_id)
            for new in batch
            if new.sender_id is not None and new.client_msg_id is not None
        }
    )


def plan_batch(batch: list[NewEntry], stored: dict[SentKey, Entry]) -> BatchPlan:
    """A stored (sender_id, client_msg_id) resolves to its entry; a repeat inside the batch
    resolves to the first occurrence; an entry checked against an older roster_version than
    another of its conversation's is not appended (``ROSTER_MOVED``: the newer check shows
    the roster moved on since); everything else is inserted, in batch order."""
    plan = BatchPlan([], [], [], [None] * len(batch), {})
    first_in_batch: dict[SentKey, int] = {}
    for index, new in enumerate(batch):
        if new.sender_id is not None and new.client_msg_id is not None:
            key = (new.sender_id, new.client_msg_id)
            if key in stored:
                plan.results[index] = Appended(stored[key], created=False)
                continue
            if key in first_in_batch:
                plan.duplicates.append((index, first_in_batch[key]))
                continue
            first_in_batch[key] = index
        plan.to_insert.append(new)
        plan.positions.append(index)
    newest: dict[int, int | None] = defaultdict(lambda: None)
    for new in plan.to_insert:
        seen = newest[new.conversation_id]
        if new.roster_version is not None and (seen is None or new.roster_version > seen):
            newest[new.conversation_id] = new.roster_version
    plan.expected = dict(newest)
    if any(
        new.roster_version is not None and new.roster_version != newest[new.conversation_id]
        for new in plan.to_insert
    ):
        kept = [
            (new, index)
            for new, index in zip(plan.to_insert, plan.positions, strict=True)
            if new.roster_version is None or new.roster_version == newest[new.conversation_id]
        ]
        for new, index in zip(plan.to_insert, plan.positions, strict=True):
            if new.roster_version is not None and new.roster_version != newest[new.conversation_id]:
                plan.results[index] = NotAppended.ROSTER_MOVED
        plan.to_insert = [new for new, _ in kept]
        plan.positions = [index for _, index in kept]
    return plan


def assemble(plan: BatchPlan, inserted: list[Entry | NotAppended]) -> list[Appended | NotAppended]:
    """Each entry's outcome, in batch order; ``inserted`` is in ``plan.to_insert``'s."""
    results = plan.results
    for index, entry in zip(plan.positions, inserted, strict=True):
        results[index] = entry if isinstance(entry, NotAppended) else Appended(entry, created=True)
    for index, original in plan.duplicates:
        first = results[original]
        assert first is not None
        results[index] = first if isinstance(first, NotAppended) else Appended(first.entry, False)
    return [r for r in results if r is not None]
