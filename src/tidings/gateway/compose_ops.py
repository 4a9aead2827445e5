"""WebSocket ops of the composer's "+" panel (issue 12): the user's stickers and the map
settings a location picker needs."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import StringConstraints

from tidings import schemas as s
from tidings.file_schemas import FileId, FileRef
from tidings.gateway.ops import OpContext, op


class StickerAdd(s.Input):
    file_id: FileId
    # The emoji a sticker stands for, shown as its text where images are not (previews).
    emoji: Annotated[str, StringConstraints(min_length=1, max_length=16)] | None = None


@op("stickers.list", s.Empty)
async def _stickers(ctx: OpContext, _: s.Empty) -> Any:
    return await ctx.c.stickers.list(ctx.actor)


@op("stickers.add", StickerAdd)
async def _sticker_add(ctx: OpContext, a: StickerAdd) -> Any:
    return await ctx.c.stickers.do_add(ctx.actor, a.file_id, a.emoji)


@op("stickers.remove", FileRef)
async def _sticker_remove(ctx: OpContext, a: FileRef) -> Any:
    await ctx.c.stickers.do_remove(ctx.actor, a.file_id)
    return None


@op("map.config", s.Empty)
async def _map_config(ctx: OpContext, _: s.Empty) -> Any:
    settings = ctx.c.settings
    return {
        "tile_url": settings.map_tile_url or None,
        "attribution": settings.map_attribution or None,
        "max_zoom": settings.map_max_zoom,
    }
