"""The webhook outbox (decision 0068): events written in the transaction of their change,
so a change and its event commit together or not at all, whatever crashes.

Two ways in:

- the log writer's batches (messages, on the SQLite and PostgreSQL fast paths) ask
  :meth:`Outbox.events_of` for the events of the entries they stored and insert them
  before their commit;
- every other write runs in ``Database.write``, which collects what the transaction
  notes (:func:`note`, :func:`note_entries`: entries appended by ``store.log``, users
  created or disabled, friendships) and inserts the events just before it commits, as it
  does a pending audit entry (store/audit_context.py).

Both keep it cheap: nothing is written unless some active subscription wants the event's
type (``Outbox.wanted``, this node's in-memory view, kept fresh by actions/webhooks.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain.entries import Entry, NewEntry
from tidings.domain.webhooks import EventType, OutboxEvent, event_type_of_entry, events_of_entries
from tidings.store import codec
from tidings.store.schema import webhook_events

# (type, conversation_id, data JSON, created_at): a row of webhook_events.
OutboxRow = tuple[str, int | None, str, int]
# The webhook events of the entries a log writer's batch stored, or None: no events.
EventsOf = Callable[[list[Entry]], list[OutboxRow]] | None

INSERT_SQLITE = (
    "INSERT INTO webhook_events (type, conversation_id, data, created_at, dispatched)"
    " VALUES (?, ?, ?, ?, 0)"
)
INSERT_PG = (
    "INSERT INTO webhook_events (type, conversation_id, data, created_at, dispatched)"
    " SELECT t, c, d, a, false FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[])"
    " AS u(t, c, d, a)"
)


class Outbox:
    """What this node writes to the outbox: the event types some active subscription
    wants, and who to wake once events are committed."""

    def __init__(self) -> None:
        self.wanted: frozenset[EventType] = frozenset()
        # Told after a commit wrote events (the dispatcher wakes up); must not block.
        self.written_listeners: list[Callable[[], None]] = []

    def wants_any(self, batch: Sequence[NewEntry]) -> bool:
        """Whether any of the entries about to be appended could be an event wanted."""
        wanted = self.wanted
        if not wanted:
            return False
        return any(event_type_of_entry(new.kind, new.sender_id) in wanted for new in batch)

    def rows_of(self, entries: Iterable[Entry]) -> list[OutboxRow]:
        return rows(events_of_entries(entries, self.wanted))

    def written(self) -> None:
        for listener in self.written_listeners:
            listener()


def rows(events: Iterable[OutboxEvent]) -> list[OutboxRow]:
    return [(e.type.value, e.conversation_id, codec.dumps(e.data), e.created_at) for e in events]


# ---- the events of a Database.write transaction --------------------------------------------

_noted: ContextVar[list[OutboxEvent | Entry] | None] = ContextVar(
    "tidings_outbox_noted", default=None
)


@contextlib.contextmanager
def collecting() -> Iterator[list[OutboxEvent | Entry]]:
    """Within the block, what the transaction notes is gathered in the list yielded."""
    found: list[OutboxEvent | Entry] = []
    token = _noted.set(found)
    try:
        yield found
    finally:
        _noted.reset(token)


def note(events: Iterable[OutboxEvent]) -> None:
    """Events of the change the current write transaction makes."""
    found = _noted.get()
    if found is not None:
        found.extend(events)


def note_entries(entries: Iterable[Entry]) -> None:
    """Log entries the current write transaction appended."""
    found = _noted.get()
    if found is not None:
        found.extend(entries)


async def write_noted(
    conn: AsyncConnection, outbox: Outbox, noted: list[OutboxEvent | Entry]
) -> bool:
    """Insert the wanted events among ``noted`` into ``conn``'s transaction; True if any."""
    wanted = outbox.wanted
    if not noted or not wanted:
        return False
    events = [e for e in noted if isinstance(e, OutboxEvent) and e.type in wanted]
    events.extend(events_of_entries((e for e in noted if isinstance(e, Entry)), wanted))
    if not events:
        return False
    await conn.execute(
        insert(webhook_events),
        [
            {
                "type": row[0],
                "conversation_id": row[1],
                "data": row[2],
                "created_at": row[3],
                "dispatched": False,
            }
            for row in rows(events)
        ],
    )
    return True
