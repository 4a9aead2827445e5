"""WebSocket ops of a customer-service visitor's own chat (J4, decision 0066)."""

from __future__ import annotations

from typing import Any

from tidings.domain.service import VisitorPage
from tidings.gateway.ops import OpContext, op
from tidings.schemas import Empty


@op("service.chat", Empty)
async def _chat(ctx: OpContext, _: Empty) -> Any:
    return await ctx.c.service_desk.visitor_chat(ctx.actor)


@op("service.page", VisitorPage)
async def _page(ctx: OpContext, a: VisitorPage) -> Any:
    await ctx.c.service_desk.do_note_page(ctx.actor, a)
    return None
