"""Planning a group-commit batch: which entries are new, which are retries.

Pure functions shared by the SQLite and PostgreSQL appenders (decisions 17 and 23), so the
idempotency rule lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from tidings.domain.entries import Entry, NewEntry

SentKey = tuple[int, str]


class ConcurrentAppend(Exception):
    """Another node stored one of the batch's (sender_id, client_msg_id) pairs between the
    batch's lookup and its insert; nothing of the batch was stored."""


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
    results: list[Appended | None]


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
    resolves to the first occurrence; everything else is inserted, in batch order."""
    plan = BatchPlan([], [], [], [None] * len(batch))
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
    return plan


def assemble(plan: BatchPlan, inserted: list[Entry]) -> list[Appended]:
    results = plan.results
    for index, entry in zip(plan.positions, inserted, strict=True):
        results[index] = Appended(entry, created=True)
    for index, original in plan.duplicates:
        first = results[original]
        assert first is not None
        results[index] = Appended(first.entry, created=False)
    return [r for r in results if r is not None]
