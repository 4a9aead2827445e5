"""Broadcasts over REST (PRODUCT.md K5; decision 0058): the console's Broadcasts page and
scripts call the same endpoints. Each needs the admin power ``broadcasts``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, StringConstraints

from tidings.actions.broadcasts import Draft
from tidings.api.deps import C, Me, PathId
from tidings.domain.bodies import FileId
from tidings.domain.broadcasts import (
    MAX_LISTED_DEPARTMENTS,
    MAX_LISTED_GROUPS,
    MAX_LISTED_USERS,
    Audience,
    BroadcastState,
)
from tidings.schemas import Input

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

Id = Annotated[int, Field(gt=0, lt=2**63)]


class AudienceInput(Input):
    """Who receives it: the union of these, each person once (at least one must be set)."""

    everyone: bool = False
    department_ids: Annotated[list[Id], Field(max_length=MAX_LISTED_DEPARTMENTS)] = []
    group_ids: Annotated[list[Id], Field(max_length=MAX_LISTED_GROUPS)] = []
    user_ids: Annotated[list[Id], Field(max_length=MAX_LISTED_USERS)] = []

    def to_audience(self) -> Audience:
        return Audience.from_wire(self.model_dump())


class BroadcastInput(Input):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    text: Annotated[str, StringConstraints(max_length=5000)] = ""
    # Opened when the notice is clicked: http or https.
    url: Annotated[str, StringConstraints(max_length=2000)] | None = None
    # An image the admin uploaded (tus), shown in the notice.
    image_file_id: FileId | None = None
    audience: AudienceInput
    # When to send (ms since the epoch); absent or past: now.
    send_at: Annotated[int, Field(ge=0, lt=2**63)] | None = None


class AudienceCount(BaseModel):
    recipient_count: int


class NoticeImageOut(BaseModel):
    file_id: str
    width: int
    height: int


class AudienceOut(BaseModel):
    everyone: bool
    department_ids: list[int]
    group_ids: list[int]
    user_ids: list[int]


class BroadcastOut(BaseModel):
    id: int
    created_by: int | None
    title: str
    text: str
    url: str | None
    image: NoticeImageOut | None
    audience: AudienceOut
    state: Literal["scheduled", "sending", "sent", "cancelled"]
    send_at: int
    created_at: int
    started_at: int | None
    finished_at: int | None
    cancelled_at: int | None
    # People the audience came to when sending started (0 while scheduled).
    recipient_count: int
    # Of them, how many have the notice stored in their system-notices conversation.
    delivered_count: int
    # Of them, how many have read it (their read position passed it).
    read_count: int | None


class BroadcastPage(BaseModel):
    broadcasts: list[BroadcastOut]
    # Pass as before_id for the next (older) page; null on the last.
    next_before_id: int | None


@router.post(
    "/broadcasts",
    status_code=201,
    response_model=BroadcastOut,
    summary="Send a notice to many people, now or at a time",
)
async def create_broadcast(body: BroadcastInput, c: C, me: Me) -> dict[str, Any]:
    broadcast = await c.broadcasts.do_create(
        me,
        Draft(
            title=body.title,
            text=body.text,
            url=body.url,
            image_file_id=body.image_file_id,
            audience=body.audience.to_audience(),
            send_at=body.send_at,
        ),
    )
    return broadcast.to_wire(read_count=0)


@router.post(
    "/broadcasts/audience",
    response_model=AudienceCount,
    summary="How many people an audience reaches now",
)
async def count_audience(body: AudienceInput, c: C, me: Me) -> dict[str, int]:
    return await c.broadcasts.preview(me, body.to_audience())


@router.get(
    "/broadcasts",
    response_model=BroadcastPage,
    summary="Broadcasts, newest first, with delivery and read counts",
)
async def list_broadcasts(
    c: C,
    me: Me,
    state: BroadcastState | None = None,
    before_id: Annotated[int | None, Query(gt=0, lt=2**63)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    return await c.broadcasts.page(me, before_id=before_id, limit=limit, state=state)


@router.get("/broadcasts/{broadcast_id}", response_model=BroadcastOut, summary="One broadcast")
async def get_broadcast(broadcast_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.broadcasts.get(me, broadcast_id)


@router.delete(
    "/broadcasts/{broadcast_id}",
    response_model=BroadcastOut,
    summary="Cancel a scheduled broadcast (409 conflict once sending has started)",
)
async def cancel_broadcast(broadcast_id: PathId, c: C, me: Me) -> dict[str, Any]:
    broadcast = await c.broadcasts.do_cancel(me, broadcast_id)
    return broadcast.to_wire(read_count=0)
