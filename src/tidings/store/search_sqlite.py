"""The message search index on SQLite: FTS5 in a file of its own (decision 0072).

Why a file of its own: SQLite has one writer per database file, and the log's writer must
never wait for the indexer (the send path's acknowledgement would). ``tidings-search.db``
sits next to the database, is derived data (deleting it means a rebuild, never a loss), and
commits its documents together with the indexer's watermark, so a crash loses neither.

Layout:
- ``search_terms``: a contentless FTS5 table with three columns of space-separated tokens
  (``words``, ``chars``, ``scope``; tidings.domain.search), tokenized by FTS5's ``ascii``
  tokenizer with ``_`` as a token character, so the tokens stored are exactly ours.
- ``search_docs``: per message its key, conversation, seq, sender, time and text: a
  contentless table cannot give back what it holds, and removing a message (a recall) means
  handing FTS5 the very tokens it indexed.
- ``search_state``: format, watermark, generation.

A message's key (the FTS rowid) is ``entry_id << 16 | conversation_id & 0xFFFF``: in entry
order, so the newest come first by rowid, and carrying the low bits of its conversation, so
that candidates outside the searcher's conversations are dropped without a look-up (a user
is in a few hundred of thousands of conversations: most matches of a common word are not
theirs).
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

from tidings.domain.search import (
    SearchQuery,
    TermKind,
    index_terms,
    kind_token,
    relevance,
    sender_token,
)
from tidings.store.search_index import (
    Candidate,
    IndexedMessage,
    IndexState,
    WindowRequest,
)
from tidings.workers import WorkerPool

logger = logging.getLogger(__name__)

T = TypeVar("T")

BUCKET_BITS = 16
BUCKET_MASK = (1 << BUCKET_BITS) - 1

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS search_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS search_docs ("
    " key INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " sender_id INTEGER, created_at INTEGER NOT NULL, text TEXT NOT NULL, scope TEXT NOT NULL)",
    "CREATE UNIQUE INDEX IF NOT EXISTS ix_search_docs_message"
    " ON search_docs (conversation_id, seq)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_terms USING fts5("
    " words, chars, scope, content='', tokenize=\"ascii tokenchars '_'\")",
)

# Relevance (tidings.domain.search.relevance) runs from 0 to about 2 per term; steps of a
# tenth keep "about as relevant" together, and those come newest first. FTS5's bm25 is not
# used: its first call counts every match of each term in the whole index (its inverse
# document frequency), which for a common word costs more than the rest of the search.
_RELEVANCE_STEP = 0.1


def index_path(database_path: str) -> Path:
    db = Path(database_path)
    return db.with_name(f"{db.stem}-search.db")


def key_of(entry_id: int, conversation_id: int) -> int:
    return (entry_id << BUCKET_BITS) | (conversation_id & BUCKET_MASK)


def fts5_match(query: SearchQuery) -> str:
    """The FTS5 query for the terms: every term must match. Each token is a quoted string
    (FTS5 takes nothing inside quotes as syntax), so what the user typed never reaches
    FTS5's query language."""
    parts = []
    for term in query.terms:
        column = "chars" if term.kind is TermKind.CHAR else "words"
        phrase = " ".join(term.tokens).replace('"', '""')
        parts.append(f'{column} : "{phrase}"' + (" *" if term.prefix else ""))
    return " AND ".join(parts)


def _scope_match(request: WindowRequest) -> str:
    parts = []
    if len(request.conversation_ids) == 1:
        parts.append(f'scope : "_c{request.conversation_ids[0]}"')
    if request.sender_id is not None:
        parts.append(f'scope : "{sender_token(request.sender_id)}"')
    if request.kinds:
        either = " OR ".join(f'"{kind_token(k)}"' for k in sorted(request.kinds))
        parts.append(f"scope : ({either})")
    return " AND ".join(parts)


class SqliteSearchIndex:
    def __init__(self, path: Path) -> None:
        self.path = path
        # One writer thread (the indexer's), two reader threads (searches); each thread
        # keeps its own connection.
        self._writer = WorkerPool("search-index", 1)
        self._readers = WorkerPool("search-read", 2)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock_file: IO[bytes] | None = None

    # Connections, one per thread

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            # Derived data: what a power cut takes is indexed again from the watermark.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            self._connections.append(conn)
        return conn

    async def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await self._writer.run(lambda: fn(self._connection()))

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await self._readers.run(lambda: fn(self._connection()))

    # Life cycle

    async def start(self) -> None:
        def create(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA:
                    conn.execute(statement)
                conn.executemany(
                    "INSERT OR IGNORE INTO search_state (key, value) VALUES (?, ?)",
                    [("format", ""), ("watermark", "0"), ("generation", "0")],
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

        self.path.parent.mkdir(parents=True, exist_ok=True)
        await self._write(create)

    async def close(self) -> None:
        await self.release_indexing()

        def close_all() -> None:
            for conn in self._connections:
                conn.close()
            self._connections.clear()

        # Connections are closed from this thread: they were opened without the same-thread
        # check, and no work is queued once the server stops.
        await asyncio.to_thread(close_all)
        self._writer.close()
        self._readers.close()

    # The indexer's progress

    async def state(self) -> IndexState:
        return await self._read(_read_state)

    async def reset(self, format: str) -> IndexState:
        def reset(conn: sqlite3.Connection) -> IndexState:
            conn.execute("BEGIN IMMEDIATE")
            try:
                generation = _read_state(conn).generation + 1
                conn.execute("DELETE FROM search_docs")
                conn.execute("INSERT INTO search_terms(search_terms) VALUES ('delete-all')")
                _write_state(conn, format=format, watermark=0, generation=generation)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("VACUUM")  # give the space back: the old index may have been large
            return IndexState(format, 0, generation)

        return await self._write(reset)

    async def apply(
        self,
        added: list[IndexedMessage],
        removed: list[tuple[int, int]],
        *,
        watermark: int,
        generation: int,
    ) -> bool:
        def apply(conn: sqlite3.Connection) -> bool:
            # Tokenizing happens here, on the indexer's thread, not on the event loop.
            rows = []
            for message in added:
                terms = index_terms(message.text)
                rows.append((message, terms.words, terms.chars, " ".join(message.scope)))
            conn.execute("BEGIN IMMEDIATE")
            try:
                if _read_state(conn).generation != generation:
                    conn.execute("ROLLBACK")
                    return False
                for conversation_id, seq in removed:
                    _remove(conn, conversation_id, seq)
                for message, words, chars, scope in rows:
                    key = key_of(message.entry_id, message.conversation_id)
                    inserted = conn.execute(
                        "INSERT OR IGNORE INTO search_docs"
                        " (key, conversation_id, seq, sender_id, created_at, text, scope)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            key,
                            message.conversation_id,
                            message.seq,
                            message.sender_id,
                            message.created_at,
                            message.text,
                            scope,
                        ),
                    ).rowcount
                    if inserted:
                        conn.execute(
                            "INSERT INTO search_terms (rowid, words, chars, scope)"
                            " VALUES (?, ?, ?, ?)",
                            (key, words, chars, scope),
                        )
                conn.execute(
                    "UPDATE search_state SET value = ? WHERE key = 'watermark'", (str(watermark),)
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return True

        return await self._write(apply)

    # Searching

    async def window(self, request: WindowRequest) -> list[Candidate]:
        if not request.conversation_ids:
            return []
        match = fts5_match(request.query)
        scope = _scope_match(request)
        if scope:
            match = f"({match}) AND {scope}"
        conditions = [
            "search_terms MATCH :match",
            "(t.rowid & :mask) IN (SELECT value FROM json_each(:buckets))",
            "d.conversation_id IN (SELECT value FROM json_each(:conversations))",
        ]
        params: dict[str, Any] = {
            "match": match,
            "mask": BUCKET_MASK,
            "buckets": json.dumps(sorted({c & BUCKET_MASK for c in request.conversation_ids})),
            "conversations": json.dumps(list(request.conversation_ids)),
            "size": request.size,
        }
        if request.below_entry_id is not None:
            conditions.append("t.rowid < :below")
            params["below"] = request.below_entry_id << BUCKET_BITS
        if request.since is not None:
            conditions.append("d.created_at >= :since")
            params["since"] = request.since
        if request.until is not None:
            conditions.append("d.created_at < :until")
            params["until"] = request.until
        # Only our own constant conditions are joined in; every value is a bound parameter.
        sql = (
            "SELECT t.rowid, d.conversation_id, d.seq, d.text"  # noqa: S608
            " FROM search_terms AS t JOIN search_docs AS d ON d.key = t.rowid"
            f" WHERE {' AND '.join(conditions)}"
            " ORDER BY t.rowid DESC LIMIT :size"
        )

        def run(conn: sqlite3.Connection) -> list[Candidate]:
            try:
                rows = conn.execute(sql, params).fetchall()
            except sqlite3.Error:
                # Our own MATCH text is quoted token by token; an error here is a bug, logged
                # and answered with no results rather than FTS5's message.
                logger.exception("search query failed: %r", match)
                return []
            return [
                Candidate(
                    entry_id=key >> BUCKET_BITS,
                    conversation_id=conversation_id,
                    seq=seq,
                    relevance=int(relevance(text, request.query) / _RELEVANCE_STEP),
                )
                for key, conversation_id, seq, text in rows
            ]

        return await self._read(run)

    # One indexer

    async def claim_indexing(self) -> bool:
        if self._lock_file is not None:
            return True
        lock_path = self.path.with_suffix(".lock")

        def claim() -> IO[bytes] | None:
            handle = open(lock_path, "ab")  # noqa: SIM115 (held open while indexing)
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return None
            return handle

        self._lock_file = await asyncio.to_thread(claim)
        return self._lock_file is not None

    async def release_indexing(self) -> None:
        handle, self._lock_file = self._lock_file, None
        if handle is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()

    async def stats(self) -> dict[str, int]:
        def stats(conn: sqlite3.Connection) -> dict[str, int]:
            (count,) = conn.execute("SELECT count(*) FROM search_docs").fetchone()
            size = sum(
                os.path.getsize(p)
                for p in (self.path, Path(f"{self.path}-wal"))
                if os.path.exists(p)
            )
            return {"messages": int(count), "bytes": size}

        return await self._read(stats)


def _read_state(conn: sqlite3.Connection) -> IndexState:
    values = dict(conn.execute("SELECT key, value FROM search_state").fetchall())
    return IndexState(
        format=values.get("format", ""),
        watermark=int(values.get("watermark", 0)),
        generation=int(values.get("generation", 0)),
    )


def _write_state(conn: sqlite3.Connection, *, format: str, watermark: int, generation: int) -> None:
    conn.executemany(
        "INSERT INTO search_state (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [("format", format), ("watermark", str(watermark)), ("generation", str(generation))],
    )


def _remove(conn: sqlite3.Connection, conversation_id: int, seq: int) -> None:
    row = conn.execute(
        "SELECT key, text, scope FROM search_docs WHERE conversation_id = ? AND seq = ?",
        (conversation_id, seq),
    ).fetchone()
    if row is None:
        return
    key, text, scope = row
    terms = index_terms(text)
    # A contentless table forgets a row when told exactly what it indexed for it.
    conn.execute(
        "INSERT INTO search_terms (search_terms, rowid, words, chars, scope)"
        " VALUES ('delete', ?, ?, ?, ?)",
        (key, terms.words, terms.chars, scope),
    )
    conn.execute("DELETE FROM search_docs WHERE key = ?", (key,))
