"""WebSocket ops for burn after reading in direct chats (D10, decision 0038); REST twins in
api/conversations.py."""

from __future__ import annotations

from typing import Any

from tidings import schemas as s
from tidings.gateway.ops import OpContext, op


@op("burn.open", s.SeqOp)
async def _open(ctx: OpContext, a: s.SeqOp) -> Any:
    return await ctx.c.burns.do_open(ctx.actor, conversation_id=a.conversation_id, seq=a.seq)


@op("burn.mode", s.ConversationRef)
async def _mode(ctx: OpContext, a: s.ConversationRef) -> Any:
    return await ctx.c.burns.mode(ctx.actor, conversation_id=a.conversation_id)


@op("burn.set_mode", s.BurnModeOp)
async def _set_mode(ctx: OpContext, a: s.BurnModeOp) -> Any:
    return await ctx.c.burns.do_set_mode(
        ctx.actor, conversation_id=a.conversation_id, enabled=a.enabled
    )
