"""WebSocket ops for files (F1-F5, E10); REST twins in api/files.py. The bytes themselves
travel over HTTP at /files/ (tus uploads, ranged downloads)."""

from __future__ import annotations

from typing import Any

from tidings import file_schemas as fs
from tidings import schemas as s
from tidings.domain.clock import now_ms
from tidings.domain.files import Variant
from tidings.gateway.ops import OpContext, op


@op("files.info", fs.FileRef)
async def _info(ctx: OpContext, a: fs.FileRef) -> Any:
    return (await ctx.c.files.info(ctx.actor, a.file_id)).to_wire(now_ms())


@op("files.link", fs.LinkOp)
async def _link(ctx: OpContext, a: fs.LinkOp) -> Any:
    return await ctx.c.files.do_make_link(ctx.actor, a.file_id, Variant(a.variant), a.ttl_seconds)


@op("conversation.files", fs.ConversationFilesOp)
async def _conversation_files(ctx: OpContext, a: fs.ConversationFilesOp) -> Any:
    return await ctx.c.attachments.conversation_files(
        ctx.actor,
        a.conversation_id,
        kind=a.kind,
        since=a.since,
        until=a.until,
        before_seq=a.before_seq,
        limit=a.limit,
    )


@op("favorites.files", fs.FavoritesOp)
async def _favorites(ctx: OpContext, a: fs.FavoritesOp) -> Any:
    return await ctx.c.favorite_files.list(ctx.actor, before=a.before, limit=a.limit)


@op("favorites.add", fs.FileRef)
async def _favorite(ctx: OpContext, a: fs.FileRef) -> Any:
    return await ctx.c.favorite_files.do_add(ctx.actor, a.file_id)


@op("favorites.remove", fs.FileRef)
async def _unfavorite(ctx: OpContext, a: fs.FileRef) -> Any:
    await ctx.c.favorite_files.do_remove(ctx.actor, a.file_id)
    return None


@op("storage.usage", s.Empty)
async def _usage(ctx: OpContext, _: s.Empty) -> Any:
    return await ctx.c.files.usage(ctx.actor)
