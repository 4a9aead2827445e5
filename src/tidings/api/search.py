"""Message search over REST (decision 0072); its WebSocket twin is gateway/search_ops.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import ValidationError

from tidings.api.deps import C, Me
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.search import PAGE_DEFAULT, PAGE_MAX
from tidings.search_schemas import MessageSearchOp

router = APIRouter(prefix="/api/v1", tags=["search"])


@router.get(
    "/search/messages",
    summary="Search the messages I may read",
    description=(
        "Chinese, English and mixed text, order numbers and emoji; ranked by relevance, "
        "then newest (`order=newest`: newest first); `types` is a comma-separated list of "
        "`text`, `file`, `image`, `link`. "
        'See docs/protocol.md, "Message search".'
    ),
)
async def search_messages(
    c: C,
    me: Me,
    q: Annotated[str, Query(max_length=20_000)],
    conversation_id: Annotated[int | None, Query(gt=0, lt=2**63)] = None,
    sender_id: Annotated[int | None, Query(gt=0, lt=2**63)] = None,
    since: Annotated[int | None, Query(ge=0, lt=2**53)] = None,
    until: Annotated[int | None, Query(ge=0, lt=2**53)] = None,
    types: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = PAGE_DEFAULT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    order: Annotated[str, Query(max_length=20)] = "relevance",
) -> dict[str, Any]:
    try:
        a = MessageSearchOp.model_validate(
            {
                "q": q,
                "conversation_id": conversation_id,
                "sender_id": sender_id,
                "since": since,
                "until": until,
                "types": [t for t in (types or "").split(",") if t],
                "limit": limit,
                "cursor": cursor,
                "order": order,
            }
        )
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "query"
        raise TidingsError(ErrorCode.INVALID_INPUT, f"{where}: {first['msg']}") from None
    return await c.message_search.search(
        me,
        q=a.q,
        conversation_id=a.conversation_id,
        sender_id=a.sender_id,
        since=a.since,
        until=a.until,
        types=a.types,
        limit=a.limit,
        cursor=a.cursor,
        order=a.order,
    )
