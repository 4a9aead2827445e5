"""Request shapes of message search (decision 0072), shared by the REST API and the
WebSocket gateway (docs/protocol.md, "Message search")."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from tidings.domain.search import PAGE_DEFAULT, PAGE_MAX, SearchKind, SearchOrder
from tidings.schemas import Id, Input

SearchLimit = Annotated[int, Field(ge=1, le=PAGE_MAX)]
# Time bounds in ms since the epoch (sent time).
Time = Annotated[int, Field(ge=0, lt=2**53)]
# Enums arrive as JSON strings; strict mode would want the enum object itself.
SearchKindName = Annotated[SearchKind, Field(strict=False)]
# Long enough for any query that is accepted (domain.search.MAX_QUERY_CHARS refuses longer
# ones with a clear message); far longer is not worth parsing.
Query = Annotated[str, StringConstraints(max_length=20_000)]
Cursor = Annotated[str, StringConstraints(min_length=1, max_length=200)]
SearchOrderName = Annotated[SearchOrder, Field(strict=False)]


class MessageSearchOp(Input):
    q: Query
    conversation_id: Id | None = None
    sender_id: Id | None = None
    since: Time | None = None
    until: Time | None = None
    types: Annotated[list[SearchKindName], Field(max_length=4)] = []
    limit: SearchLimit = PAGE_DEFAULT
    cursor: Cursor | None = None
    order: SearchOrderName = SearchOrder.RELEVANCE
