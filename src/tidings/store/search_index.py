"""The message search index (decision 0072): what both engines' indexes answer.

The index is derived data. It holds, per indexed message, what it is found by (its terms)
and enough to filter and order candidates (conversation, sender, time, entry id); whether
the searcher may still read a candidate is decided afterwards against the log itself, by
the rules history uses (actions/search.py). SQLite keeps it in FTS5 in a file of its own
(store/search_sqlite.py); PostgreSQL in a tsvector column under a GIN index
(store/search_pg.py). Both compile the same terms (tidings.domain.search).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tidings.domain.search import SearchKind, SearchQuery, conversation_token, kind_token
from tidings.domain.search import sender_token as sender_term


@dataclass(frozen=True, slots=True)
class IndexedMessage:
    entry_id: int
    conversation_id: int
    seq: int
    sender_id: int | None
    created_at: int
    text: str  # what it is found by (tidings.domain.search.document_of)
    kinds: frozenset[SearchKind]

    @property
    def scope(self) -> tuple[str, ...]:
        """Tokens that are not words: which conversation, who sent it, what kind it is."""
        tokens = [conversation_token(self.conversation_id)]
        if self.sender_id is not None:
            tokens.append(sender_term(self.sender_id))
        tokens.extend(kind_token(k) for k in sorted(self.kinds))
        return tuple(tokens)


@dataclass(frozen=True, slots=True)
class IndexState:
    format: str  # tidings.domain.search.INDEX_FORMAT of what is stored; "" when empty
    watermark: int  # every entry id up to this one has been indexed (or skipped)
    generation: int  # moved on by every reset: an indexer that saw another stops writing


@dataclass(frozen=True, slots=True)
class WindowRequest:
    """The newest ``size`` messages below ``below_entry_id`` (None: from the newest) in
    ``conversation_ids`` that match ``query`` and the filters."""

    query: SearchQuery
    conversation_ids: tuple[int, ...]
    sender_id: int | None
    kinds: frozenset[SearchKind]
    since: int | None  # created_at >= since (ms)
    until: int | None  # created_at < until (ms)
    below_entry_id: int | None
    size: int


@dataclass(frozen=True, slots=True)
class Candidate:
    entry_id: int
    conversation_id: int
    seq: int
    # How well it matches, comparable within one engine only: whole steps of relevance, so
    # that messages about as relevant come newest first.
    relevance: int


class SearchIndex(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def state(self) -> IndexState: ...

    async def apply(
        self,
        added: list[IndexedMessage],
        removed: list[tuple[int, int]],
        *,
        watermark: int,
        generation: int,
    ) -> bool:
        """Index ``added`` (those indexed already are left as they are), drop the messages
        at ``removed`` (conversation_id, seq) and record ``watermark``, in one transaction;
        False (nothing written) when a reset moved the generation on meanwhile."""
        ...

    async def reset(self, format: str) -> IndexState:
        """Empty the index, to be built again from the start of the log."""
        ...

    async def window(self, request: WindowRequest) -> list[Candidate]:
        """Candidates newest first; an empty list when the query cannot match."""
        ...

    async def claim_indexing(self) -> bool:
        """Become the one indexer (of all nodes and commands); False if another is."""
        ...

    async def release_indexing(self) -> None: ...

    async def stats(self) -> dict[str, int]:
        """``messages`` indexed and ``bytes`` the index takes, for the CLI and the bench."""
        ...
