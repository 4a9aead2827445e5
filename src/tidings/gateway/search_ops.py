"""WebSocket op of message search (decision 0072); its REST twin is api/search.py."""

from __future__ import annotations

from typing import Any

from tidings import search_schemas as ss
from tidings.gateway.ops import OpContext, op


@op("messages.search", ss.MessageSearchOp)
async def _search(ctx: OpContext, a: ss.MessageSearchOp) -> Any:
    return await ctx.c.message_search.search(
        ctx.actor,
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
