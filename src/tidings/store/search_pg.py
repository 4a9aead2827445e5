"""The message search index on PostgreSQL: a tsvector per message under a GIN index
(decision 0072), nothing beyond PostgreSQL itself (no extension).

The terms are ours (tidings.domain.search), written as tsvector and tsquery literals, so no
text-search parser, dictionary or locale decides what a word is: Chinese is indexed the
same as on SQLite. Lexemes and positions: words, emoji and the two-character pieces of CJK
runs in order (phrases use the positions), single CJK characters (no position), and the
scope tokens (conversation, sender, kind; no position).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain.search import SearchKind, SearchQuery, TermKind, index_terms, kind_token
from tidings.store.database import Database
from tidings.store.search_index import (
    Candidate,
    IndexedMessage,
    IndexState,
    WindowRequest,
)

logger = logging.getLogger(__name__)

# PostgreSQL keeps positions up to 16,383 and at most 256 of them per lexeme.
_MAX_POSITION = 16_383
_MAX_POSITIONS = 255
# Any constant shared by all nodes: "search" in ASCII.
_INDEXER_LOCK = 0x736561726368
# ts_rank of chat messages runs from about 0.03 to 0.1 (and more for several terms); steps
# of 0.01 keep "about as relevant" together, and those come newest first.
_RELEVANCE_STEP = 0.01
# After indexing this many messages the table's statistics are brought up to date: planned
# on stale ones (a table that was empty), a common word's bitmap is not ANDed with the
# conversations' and the whole of it is read from the table (0.4 s instead of 0.08 s).
_ANALYZE_EVERY = 100_000


def _quote(token: str) -> str:
    escaped = token.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'"


def tsvector_literal(message: IndexedMessage) -> str:
    terms = index_terms(message.text)
    positions: dict[str, list[int]] = {}
    for position, token in enumerate(terms.words.split(), start=1):
        found = positions.setdefault(token, [])
        if len(found) < _MAX_POSITIONS:
            found.append(min(position, _MAX_POSITION))
    parts = [f"{_quote(t)}:{','.join(map(str, p))}" for t, p in positions.items()]
    parts.extend(_quote(c) for c in dict.fromkeys(terms.chars.split()) if c not in positions)
    parts.extend(_quote(s) for s in message.scope)
    return " ".join(parts)


def tsquery_literal(query: SearchQuery) -> str:
    """Every term must match; each lexeme is quoted, so what the user typed never reaches
    the tsquery syntax."""
    parts = []
    for term in query.terms:
        lexemes = [_quote(t) for t in term.tokens]
        if term.prefix:
            lexemes[-1] += ":*"
        joined = " <-> ".join(lexemes)
        parts.append(f"({joined})" if term.kind is TermKind.PHRASE else joined)
    return " & ".join(parts)


def _kinds_literal(kinds: frozenset[SearchKind]) -> str:
    return " | ".join(_quote(kind_token(k)) for k in sorted(kinds))


class PgSearchIndex:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._lock_conn: AsyncConnection | None = None
        self._since_analyze = 0

    async def start(self) -> None:
        async with self._db.write("search_state_init") as conn:
            await conn.execute(
                text(
                    "INSERT INTO search_state (key, value) VALUES"
                    " ('format', ''), ('watermark', '0'), ('generation', '0')"
                    " ON CONFLICT (key) DO NOTHING"
                )
            )

    async def close(self) -> None:
        await self.release_indexing()

    async def state(self) -> IndexState:
        async with self._db.read("search_state") as conn:
            return await _read_state(conn)

    async def reset(self, format: str) -> IndexState:
        async with self._db.write("search_reset") as conn:
            generation = int(
                (
                    await conn.execute(
                        text("SELECT value FROM search_state WHERE key = 'generation' FOR UPDATE")
                    )
                ).scalar_one()
            )
            await conn.execute(text("TRUNCATE search_docs"))
            state = IndexState(format, 0, generation + 1)
            await _write_state(conn, state)
        return state

    async def apply(
        self,
        added: list[IndexedMessage],
        removed: list[tuple[int, int]],
        *,
        watermark: int,
        generation: int,
    ) -> bool:
        # One statement of fixed shape whatever the batch (as the log's append, decision 23).
        rows = {
            "entry_ids": [m.entry_id for m in added],
            "conversation_ids": [m.conversation_id for m in added],
            "seqs": [m.seq for m in added],
            "sender_ids": [m.sender_id for m in added],
            "times": [m.created_at for m in added],
            "terms": [tsvector_literal(m) for m in added],
        }
        async with self._db.write("search_index") as conn:
            current = (
                await conn.execute(
                    text("SELECT value FROM search_state WHERE key = 'generation' FOR UPDATE")
                )
            ).scalar_one()
            if int(current) != generation:
                return False
            if removed:
                await conn.execute(
                    text(
                        "DELETE FROM search_docs AS d USING unnest("
                        "CAST(:conversations AS BIGINT[]), CAST(:seqs AS BIGINT[])) AS r(c, s)"
                        " WHERE d.conversation_id = r.c AND d.seq = r.s"
                    ),
                    {"conversations": [c for c, _ in removed], "seqs": [s for _, s in removed]},
                )
            if added:
                await conn.execute(
                    text(
                        "INSERT INTO search_docs"
                        " (entry_id, conversation_id, seq, sender_id, created_at, terms)"
                        " SELECT e, c, s, u, t, CAST(x AS tsvector) FROM unnest("
                        "CAST(:entry_ids AS BIGINT[]), CAST(:conversation_ids AS BIGINT[]),"
                        " CAST(:seqs AS BIGINT[]), CAST(:sender_ids AS BIGINT[]),"
                        " CAST(:times AS BIGINT[]), CAST(:terms AS TEXT[])) AS r(e, c, s, u, t, x)"
                        " ON CONFLICT DO NOTHING"
                    ),
                    rows,
                )
            await conn.execute(
                text("UPDATE search_state SET value = :value WHERE key = 'watermark'"),
                {"value": str(watermark)},
            )
        self._since_analyze += len(added)
        if self._since_analyze >= _ANALYZE_EVERY:
            self._since_analyze = 0
            async with self._db.write("search_analyze") as conn:
                await conn.execute(text("ANALYZE search_docs"))
        return True

    async def window(self, request: WindowRequest) -> list[Candidate]:
        if not request.conversation_ids:
            return []
        ranked = tsquery_literal(request.query)
        matched = f"({ranked}) & ({_kinds_literal(request.kinds)})" if request.kinds else ranked
        conditions = [
            "terms @@ CAST(:matched AS tsquery)",
            "conversation_id = ANY(CAST(:conversations AS BIGINT[]))",
        ]
        params: dict[str, Any] = {
            "matched": matched,
            "ranked": ranked,
            "conversations": list(request.conversation_ids),
            "size": request.size,
        }
        if request.below_entry_id is not None:
            conditions.append("entry_id < :below")
            params["below"] = request.below_entry_id
        if request.sender_id is not None:
            conditions.append("sender_id = :sender")
            params["sender"] = request.sender_id
        if request.since is not None:
            conditions.append("created_at >= :since")
            params["since"] = request.since
        if request.until is not None:
            conditions.append("created_at < :until")
            params["until"] = request.until
        # Only our own constant conditions are joined in; every value is a bound parameter.
        sql = text(
            "SELECT w.entry_id, w.conversation_id, w.seq,"  # noqa: S608
            " ts_rank(w.terms, CAST(:ranked AS tsquery)) FROM ("
            "SELECT entry_id, conversation_id, seq, terms FROM search_docs"
            f" WHERE {' AND '.join(conditions)}"
            " ORDER BY entry_id DESC LIMIT :size) AS w"
        )
        async with self._db.read("search_window") as conn:
            # The plan is fixed: bitmap scans of the terms' GIN index and the conversations'
            # index, then the newest. Walking the primary key backwards and testing every
            # row, which the planner likes for a LIMIT, reads the whole table for a word
            # the searcher's conversations lack. And it is made for this query's words
            # (a prepared statement's generic plan cannot tell "the" from a rare name).
            await conn.execute(
                text(
                    "SELECT set_config('enable_indexscan', 'off', true),"
                    " set_config('enable_seqscan', 'off', true),"
                    " set_config('plan_cache_mode', 'force_custom_plan', true)"
                )
            )
            try:
                rows = (await conn.execute(sql, params)).all()
            except DBAPIError:
                logger.exception("search query failed: %r", matched)
                return []
        return [
            Candidate(
                entry_id=row[0],
                conversation_id=row[1],
                seq=row[2],
                relevance=int(row[3] / _RELEVANCE_STEP),
            )
            for row in rows
        ]

    async def claim_indexing(self) -> bool:
        if self._lock_conn is not None:
            return True
        conn = await self._db.engine.connect()
        try:
            taken = (
                await conn.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": _INDEXER_LOCK}
                )
            ).scalar_one()
            await conn.commit()
        except BaseException:
            await conn.close()
            raise
        if not taken:
            await conn.close()
            return False
        # Held by this session until it ends: a node that dies lets another take over.
        self._lock_conn = conn
        return True

    async def release_indexing(self) -> None:
        conn, self._lock_conn = self._lock_conn, None
        if conn is not None:
            try:
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _INDEXER_LOCK})
                await conn.commit()
            finally:
                await conn.close()

    async def stats(self) -> dict[str, int]:
        async with self._db.read("search_stats") as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT (SELECT count(*) FROM search_docs),"
                        " pg_total_relation_size('search_docs')"
                    )
                )
            ).one()
        return {"messages": int(row[0]), "bytes": int(row[1])}


async def _read_state(conn: AsyncConnection) -> IndexState:
    rows = (await conn.execute(text("SELECT key, value FROM search_state"))).all()
    values: dict[str, str] = {str(key): str(value) for key, value in rows}
    return IndexState(
        format=values.get("format", ""),
        watermark=int(values.get("watermark", 0)),
        generation=int(values.get("generation", 0)),
    )


async def _write_state(conn: AsyncConnection, state: IndexState) -> None:
    for key, value in (
        ("format", state.format),
        ("watermark", str(state.watermark)),
        ("generation", str(state.generation)),
    ):
        await conn.execute(
            text(
                "INSERT INTO search_state (key, value) VALUES (:key, :value)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            {"key": key, "value": value},
        )
