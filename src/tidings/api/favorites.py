"""Favourites of any message over REST (decision 0036); WebSocket twins in
gateway/favorite_ops.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from tidings.api.deps import C, Me
from tidings.favorite_schemas import FavoriteCategory, FavoriteMessageInput, FavoriteSendInput
from tidings.schemas import FILES_PAGE_MAX

router = APIRouter(prefix="/api/v1", tags=["favorites"])

FavoriteId = Annotated[int, Path(gt=0, lt=2**63)]


@router.get("/favorites")
async def list_favorites(
    c: C,
    me: Me,
    before: Annotated[int | None, Query(gt=0, lt=2**63)] = None,
    limit: Annotated[int, Query(ge=1, le=FILES_PAGE_MAX)] = 50,
    category: FavoriteCategory | None = None,
    query: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    return await c.favorite_messages.page(
        me, before_id=before, limit=limit, category=category, query=query
    )


@router.post("/favorites")
async def add_favorite(body: FavoriteMessageInput, c: C, me: Me) -> dict[str, Any]:
    return await c.favorite_messages.do_add(me, conversation_id=body.conversation_id, seq=body.seq)


@router.delete("/favorites/{favorite_id}", status_code=204)
async def remove_favorite(favorite_id: FavoriteId, c: C, me: Me) -> None:
    await c.favorite_messages.do_remove(me, favorite_id)


@router.post("/favorites/{favorite_id}/send")
async def send_favorite(
    favorite_id: FavoriteId, body: FavoriteSendInput, c: C, me: Me
) -> dict[str, Any]:
    entries = await c.favorite_messages.do_send(
        me,
        favorite_id=favorite_id,
        target_ids=body.target_ids,
        client_msg_id=body.client_msg_id,
        note=body.note,
    )
    return {"entries": [e.to_wire() for e in entries]}
