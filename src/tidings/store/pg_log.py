"""The PostgreSQL fast path for group commit (decision 23), the sibling of decision 17's.

A batch is two statements of fixed shape on a connection of its own, straight through
asyncpg (prepared once, arrays as parameters):

1. the idempotency lookup: which (sender_id, client_msg_id) pairs are stored already;
2. one statement that advances every conversation's ``last_seq`` and inserts the entries
   with the seqs it took (a data-modifying CTE): atomic by itself, so no BEGIN/COMMIT
   round trips.

Through SQLAlchemy the same batch was five round trips (BEGIN, lookup, update, insert,
COMMIT), each with SQLAlchemy's statement and result machinery on the event loop. The
planning rules (what is a retry, what is new) are ``store/batch.py``'s, shared with SQLite.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence

import asyncpg
from sqlalchemy import make_url

from tidings.domain.entries import Entry, NewEntry
from tidings.store import codec
from tidings.store.batch import (
    Appended,
    ConcurrentAppend,
    NotAppended,
    assemble,
    plan_batch,
    sent_keys,
)
from tidings.store.log import entry_from_row
from tidings.store.outbox import INSERT_PG, EventsOf

logger = logging.getLogger(__name__)

_FIND_SENT = (
    "SELECT e.id, e.conversation_id, e.seq, e.sender_id, e.kind, e.type, e.body,"
    " e.client_msg_id, e.created_at, e.reply_to_seq, e.recalled"
    " FROM unnest($1::bigint[], $2::text[]) AS k(sender_id, client_msg_id)"
    " JOIN entries AS e ON e.sender_id = k.sender_id AND e.client_msg_id = k.client_msg_id"
)
# Seqs are taken only from conversations whose roster_version is still the one their
# entries were checked against (decision 12); the entries of any other conversation are left
# out by the join. The check is in the UPDATE's WHERE: when the row is locked by a membership
# change, PostgreSQL waits for it and tests the condition again on the row as committed,
# which a condition on another table (or a subquery) would not get under READ COMMITTED.
_APPEND = (
    "WITH taken AS ("
    " UPDATE conversations AS c SET last_seq = c.last_seq + v.n, last_activity_at = v.at"
    " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $13::bigint[]) AS v(id, n, at, rv)"
    " WHERE c.id = v.id AND (v.rv IS NULL OR c.roster_version = v.rv)"
    " RETURNING c.id, c.last_seq - v.n AS base)"
    " INSERT INTO entries (conversation_id, seq, sender_id, kind, type, body, client_msg_id,"
    " reply_to_seq, recalled, created_at)"
    " SELECT u.conversation_id, taken.base + u.position, u.sender_id, u.kind, u.type, u.body,"
    " u.client_msg_id, u.reply_to_seq, false, u.created_at"
    " FROM unnest($4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::text[],"
    " $9::text[], $10::text[], $11::bigint[], $12::bigint[])"
    " AS u(conversation_id, position, sender_id, kind, type, body, client_msg_id,"
    " reply_to_seq, created_at)"
    " JOIN taken ON taken.id = u.conversation_id"
    " RETURNING id, conversation_id, seq"
)
_EXISTING = "SELECT id FROM conversations WHERE id = ANY($1::bigint[])"
# asyncpg prepares these statements once per connection; after five runs PostgreSQL may keep
# a generic plan for the connection's life, chosen while the tables were small: on a new
# installation the lookup's join with ``unnest`` stayed a scan of ``entries`` as it grew
# (0.8 ms -> 29 ms per batch at 200,000 entries). Two statements per batch can afford to be
# planned every time with their arrays in hand.
_SETTINGS = {"plan_cache_mode": "force_custom_plan"}
# Two nodes appending to the same conversations may lock them in different orders; the
# database then cancels one statement, which is simply run again.
_DEADLOCK_RETRIES = 3


class PgLogAppender:
    def __init__(self, url: str) -> None:
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn: asyncpg.Connection | None = None

    async def commit(
        self, batch: list[NewEntry], events: EventsOf = None
    ) -> list[Appended | NotAppended]:
        conn = await self._connection()
        try:
            keys = sent_keys(batch)
            stored = await _find_sent(conn, keys) if keys else {}
            plan = plan_batch(batch, stored)
            for attempt in range(_DEADLOCK_RETRIES):
                try:
                    if events is None:
                        inserted = await _append(conn, plan.to_insert, plan.expected)
                    else:
                        # With webhook events: one transaction for the entries and them.
                        async with conn.transaction():
                            inserted = await _append(conn, plan.to_insert, plan.expected)
                            rows = events([e for e in inserted if isinstance(e, Entry)])
                            if rows:
                                await conn.execute(INSERT_PG, *map(list, zip(*rows, strict=True)))
                    break
                except asyncpg.DeadlockDetectedError:
                    if attempt == _DEADLOCK_RETRIES - 1:
                        raise
                    logger.info("append deadlocked with another node's; running it again")
            return assemble(plan, inserted)
        except asyncpg.UniqueViolationError as error:
            raise ConcurrentAppend(str(error)) from error
        except (OSError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError):
            await self.close()  # the next batch opens a new connection
            raise

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await asyncio.wait_for(conn.close(), 5)
            except (OSError, TimeoutError, asyncpg.InterfaceError):
                conn.terminate()

    async def _connection(self) -> asyncpg.Connection:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(self._dsn, server_settings=_SETTINGS)
        return self._conn


async def _find_sent(
    conn: asyncpg.Connection, keys: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], Entry]:
    rows = await conn.fetch(_FIND_SENT, [k[0] for k in keys], [k[1] for k in keys])
    found: dict[tuple[int, str], Entry] = {}
    for row in rows:
        entry = entry_from_row(row)
        assert entry.sender_id is not None and entry.client_msg_id is not None
        found[(entry.sender_id, entry.client_msg_id)] = entry
    return found


async def _append(
    conn: asyncpg.Connection, new: Sequence[NewEntry], expected: dict[int, int | None]
) -> list[Entry | NotAppended]:
    if not new:
        return []
    counts: dict[int, int] = defaultdict(int)
    newest: dict[int, int] = {}
    positions: list[int] = []
    for item in new:
        counts[item.conversation_id] += 1
        positions.append(counts[item.conversation_id])
        newest[item.conversation_id] = max(newest.get(item.conversation_id, 0), item.created_at)
    ids = sorted(counts)
    rows = await conn.fetch(
        _APPEND,
        ids,
        [counts[i] for i in ids],
        [newest[i] for i in ids],
        [item.conversation_id for item in new],
        positions,
        [item.sender_id for item in new],
        [item.kind.value for item in new],
        [item.type for item in new],
        [codec.dumps(item.body) for item in new],
        [item.client_msg_id for item in new],
        [item.reply_to_seq for item in new],
        [item.created_at for item in new],
        [expected.get(i) for i in ids],
    )
    ids_by_seq: dict[tuple[int, int], int] = {}
    first_seq: dict[int, int] = {}
    for row in rows:
        conversation_id, seq = row["conversation_id"], row["seq"]
        ids_by_seq[(conversation_id, seq)] = row["id"]
        if seq < first_seq.get(conversation_id, seq + 1):
            first_seq[conversation_id] = seq
    refused: dict[int, NotAppended] = {}
    left_out = [i for i in ids if i not in first_seq]
    if left_out:
        # Rare: a membership change won the race (or the conversation does not exist).
        existing = {r["id"] for r in await conn.fetch(_EXISTING, left_out)}
        refused = {
            i: NotAppended.ROSTER_MOVED if i in existing else NotAppended.NO_CONVERSATION
            for i in left_out
        }
    out: list[Entry | NotAppended] = []
    for item, position in zip(new, positions, strict=True):
        if item.conversation_id in refused:
            out.append(refused[item.conversation_id])
            continue
        # Entries of one conversation took its seqs in batch order.
        seq = first_seq[item.conversation_id] + position - 1
        out.append(item.stored(ids_by_seq[(item.conversation_id, seq)], seq))
    return out
