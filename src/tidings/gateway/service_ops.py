"""WebSocket ops of a customer-service visitor's own chat (J4, decision 0066)."""

from __future__ import annotations

from typing import Any

from tidings.domain.service import ServiceTransferOp, VisitorPage
from tidings.gateway.ops import OpContext, op
from tidings.schemas import ConversationRef, Empty


@op("service.chat", Empty)
async def _chat(ctx: OpContext, _: Empty) -> Any:
    return await ctx.c.service_desk.visitor_chat(ctx.actor)


@op("service.page", VisitorPage)
async def _page(ctx: OpContext, a: VisitorPage) -> Any:
    await ctx.c.service_desk.do_note_page(ctx.actor, a)
    return None


# Agents: the same actions as the REST endpoints (api/service.py).


@op("service.queue", Empty)
async def _queue(ctx: OpContext, _: Empty) -> Any:
    return await ctx.c.service_desk.queue(ctx.actor)


@op("service.agents", Empty)
async def _agents(ctx: OpContext, _: Empty) -> Any:
    return {"agents": await ctx.c.service_desk.agents(ctx.actor)}


@op("service.details", ConversationRef)
async def _details(ctx: OpContext, a: ConversationRef) -> Any:
    return await ctx.c.service_desk.details(ctx.actor, a.conversation_id)


@op("service.take", ConversationRef)
async def _take(ctx: OpContext, a: ConversationRef) -> Any:
    return await ctx.c.service_desk.do_take(ctx.actor, a.conversation_id)


@op("service.transfer", ServiceTransferOp)
async def _transfer(ctx: OpContext, a: ServiceTransferOp) -> Any:
    return await ctx.c.service_desk.do_transfer(ctx.actor, a.conversation_id, a.agent_id)


@op("service.close", ConversationRef)
async def _close(ctx: OpContext, a: ConversationRef) -> Any:
    return await ctx.c.service_desk.do_close(ctx.actor, a.conversation_id)
