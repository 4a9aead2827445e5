"""WebSocket ops of calls (decisions 0074, 0078; docs/protocol.md, "Calls")."""

from __future__ import annotations

from typing import Any

from tidings import schemas as s
from tidings.call_schemas import (
    CallMediaOp,
    CallMuteMemberOp,
    CallPublishOp,
    CallRef,
    CallSignalOp,
    CallStartOp,
)
from tidings.gateway.ops import OpContext, op


@op("call.start", CallStartOp)
async def _start(ctx: OpContext, a: CallStartOp) -> Any:
    return await ctx.c.calls.do_start(ctx.actor, conversation_id=a.conversation_id, media=a.media)


@op("call.accept", CallRef)
async def _accept(ctx: OpContext, a: CallRef) -> Any:
    return await ctx.c.calls.do_accept(ctx.actor, call_id=a.call_id)


@op("call.decline", CallRef)
async def _decline(ctx: OpContext, a: CallRef) -> Any:
    return await ctx.c.calls.do_decline(ctx.actor, call_id=a.call_id)


@op("call.hangup", CallRef)
async def _hangup(ctx: OpContext, a: CallRef) -> Any:
    return await ctx.c.calls.do_hangup(ctx.actor, call_id=a.call_id)


@op("call.signal", CallSignalOp)
async def _signal(ctx: OpContext, a: CallSignalOp) -> Any:
    await ctx.c.calls.do_signal(ctx.actor, a)
    return None


@op("call.media", CallMediaOp)
async def _media(ctx: OpContext, a: CallMediaOp) -> Any:
    return await ctx.c.calls.do_media(ctx.actor, a)


@op("call.get", CallRef)
async def _get(ctx: OpContext, a: CallRef) -> Any:
    return await ctx.c.calls.get(ctx.actor, call_id=a.call_id)


@op("call.current", s.Empty)
async def _current(ctx: OpContext, _: s.Empty) -> Any:
    return await ctx.c.calls.current(ctx.actor)


@op("call.ice_servers", s.Empty)
async def _ice_servers(ctx: OpContext, _: s.Empty) -> Any:
    return ctx.c.calls.ice_servers(ctx.actor)


# Group calls (decision 0078)


@op("call.join", CallRef)
async def call_join(ctx: OpContext, a: CallRef) -> dict[str, Any]:
    return await ctx.c.calls.do_join(ctx.actor, call_id=a.call_id)


@op("call.leave", CallRef)
async def call_leave(ctx: OpContext, a: CallRef) -> dict[str, Any]:
    return await ctx.c.calls.do_hangup(ctx.actor, call_id=a.call_id)


@op("call.publish", CallPublishOp)
async def call_publish(ctx: OpContext, a: CallPublishOp) -> dict[str, Any]:
    return await ctx.c.calls.do_publish(ctx.actor, a)


@op("call.mute_member", CallMuteMemberOp)
async def call_mute_member(ctx: OpContext, a: CallMuteMemberOp) -> dict[str, Any]:
    return await ctx.c.calls.do_mute_member(ctx.actor, call_id=a.call_id, user_id=a.user_id)


@op("call.live", s.Empty)
async def call_live(ctx: OpContext, a: s.Empty) -> dict[str, Any]:
    return await ctx.c.calls.live(ctx.actor)
