"""The SQLite fast path for group commit (decision 17).

A whole batch — idempotency lookups, seq allocation, inserts, commit — runs as one call on a
dedicated thread holding its own sqlite3 connection, with fixed SQL. Through SQLAlchemy and
aiosqlite the same batch costs a thread hand-off per statement and a fresh compile of the
batch-shaped statements; that was half of the server's CPU under load. The semantics are
those of ``store.log.append_entries`` (single appends inside other transactions) and of
``store/pg_log.py`` (decision 23); the tests run every scenario on both engines.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from tidings.domain.entries import Entry, NewEntry
from tidings.store import codec
from tidings.store.batch import (
    Appended,
    NotAppended,
    SentKey,
    assemble,
    plan_batch,
    sent_keys,
)
from tidings.store.log import entry_from_row
from tidings.store.outbox import INSERT_SQLITE, EventsOf

T = TypeVar("T")

_FIND_SENT = (
    "SELECT id, conversation_id, seq, sender_id, kind, type, body, client_msg_id, created_at,"
    " reply_to_seq, recalled FROM entries WHERE sender_id = ? AND client_msg_id = ?"
)
# Only while the conversation's roster_version is still the one its sends were checked
# against (decision 12); the write lock keeps membership changes out meanwhile.
_TAKE_SEQS = (
    "UPDATE conversations SET last_seq = last_seq + ?, last_activity_at = ?"
    " WHERE id = ? AND (? IS NULL OR roster_version = ?) RETURNING last_seq"
)
_EXISTS = "SELECT 1 FROM conversations WHERE id = ?"
_INSERT = (
    "INSERT INTO entries (conversation_id, seq, sender_id, kind, type, body, client_msg_id,"
    " reply_to_seq, recalled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)"
)


class SqliteLogAppender:
    def __init__(self, path: str, *, synchronous: str) -> None:
        self._path = path
        self._synchronous = synchronous
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="sqlite-log")
        self._conn: sqlite3.Connection | None = None

    async def commit(
        self, batch: list[NewEntry], events: EventsOf = None
    ) -> list[Appended | NotAppended]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._commit, batch, events)

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` on this appender's thread with its connection: a transaction of the
        caller's own, under ``Database.exclusive`` (a broadcast's batch, decision 0058)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: work(self._connection()))

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=True)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self._path, isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self._synchronous}")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._conn = conn
        return self._conn

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _commit(self, batch: list[NewEntry], events: EventsOf) -> list[Appended | NotAppended]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            stored: dict[SentKey, Entry] = {}
            for key in sent_keys(batch):
                row = conn.execute(_FIND_SENT, key).fetchone()
                if row is not None:
                    stored[key] = entry_from_row(row)
            plan = plan_batch(batch, stored)
            inserted = append_new(conn, plan.to_insert, plan.expected)
            if events is not None:
                rows = events([e for e in inserted if isinstance(e, Entry)])
                if rows:
                    conn.executemany(INSERT_SQLITE, rows)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return assemble(plan, inserted)


def append_new(
    conn: sqlite3.Connection, new: list[NewEntry], expected: dict[int, int | None]
) -> list[Entry | NotAppended]:
    counts: dict[int, int] = defaultdict(int)
    newest: dict[int, int] = {}
    for item in new:
        counts[item.conversation_id] += 1
        newest[item.conversation_id] = max(newest.get(item.conversation_id, 0), item.created_at)
    next_seq: dict[int, int] = {}
    refused: dict[int, NotAppended] = {}
    for conversation_id, count in counts.items():
        version = expected.get(conversation_id)
        row = conn.execute(
            _TAKE_SEQS, (count, newest[conversation_id], conversation_id, version, version)
        ).fetchone()
        if row is None:
            exists = conn.execute(_EXISTS, (conversation_id,)).fetchone() is not None
            refused[conversation_id] = (
                NotAppended.ROSTER_MOVED if exists else NotAppended.NO_CONVERSATION
            )
            continue
        next_seq[conversation_id] = row[0] - count + 1
    out: list[Entry | NotAppended] = []
    cursor = conn.cursor()
    for item in new:
        if item.conversation_id in refused:
            out.append(refused[item.conversation_id])
            continue
        seq = next_seq[item.conversation_id]
        next_seq[item.conversation_id] = seq + 1
        cursor.execute(
            _INSERT,
            (
                item.conversation_id,
                seq,
                item.sender_id,
                item.kind.value,
                item.type,
                codec.dumps(item.body),
                item.client_msg_id,
                item.reply_to_seq,
                item.created_at,
            ),
        )
        entry_id = cursor.lastrowid
        assert entry_id is not None
        out.append(item.stored(entry_id, seq))
    return out
