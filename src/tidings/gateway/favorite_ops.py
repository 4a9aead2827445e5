"""WebSocket ops for favourites of any message (decision 0036); REST twins in
api/favorites.py. The favourite files of F3 keep their ops in file_ops.py."""

from __future__ import annotations

from typing import Any

from tidings import favorite_schemas as fv
from tidings.gateway.ops import OpContext, op


@op("favorites.add_message", fv.FavoriteMessageInput)
async def _add(ctx: OpContext, a: fv.FavoriteMessageInput) -> Any:
    return await ctx.c.favorite_messages.do_add(
        ctx.actor, conversation_id=a.conversation_id, seq=a.seq
    )


@op("favorites.list", fv.FavoritesListInput)
async def _list(ctx: OpContext, a: fv.FavoritesListInput) -> Any:
    return await ctx.c.favorite_messages.page(
        ctx.actor, before_id=a.before, limit=a.limit, category=a.category, query=a.query
    )


@op("favorites.remove_message", fv.FavoriteRef)
async def _remove(ctx: OpContext, a: fv.FavoriteRef) -> Any:
    await ctx.c.favorite_messages.do_remove(ctx.actor, a.id)
    return None


@op("favorites.send", fv.FavoriteSendOp)
async def _send(ctx: OpContext, a: fv.FavoriteSendOp) -> Any:
    entries = await ctx.c.favorite_messages.do_send(
        ctx.actor,
        favorite_id=a.id,
        target_ids=a.target_ids,
        client_msg_id=a.client_msg_id,
        note=a.note,
    )
    return {"entries": [e.to_wire() for e in entries]}
