"""The admin console's dashboard over REST (PRODUCT.md K6): ``GET /api/v1/admin/dashboard``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from tidings.api.deps import C, Me
from tidings.domain.statistics import MAX_DAYS

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


class StorageUsed(BaseModel):
    files: int = Field(description="files stored (not purged)")
    file_bytes: int = Field(description="their bytes, with the server's derived copies")
    database_bytes: int = Field(description="the database's size on disk")


class DashboardReport(BaseModel):
    time_zone: str = Field(description="the days' time zone (TIDINGS_STATS_TIME_ZONE)")
    days: list[str] = Field(description="ISO dates, oldest first; the last is today")
    online_now: int = Field(description="users with a live connection on any node")
    weekly_active_users: int = Field(description="users active in the 7 days up to today")
    users: int = Field(description="accounts that are not frozen")
    groups: int = Field(description="groups not disbanded")
    active_users: list[int] = Field(
        description="per day: users who signed in, used a session or held a connection"
    )
    messages: list[int] = Field(description="per day: messages users sent")
    new_users: list[int] = Field(description="per day: accounts created")
    new_groups: list[int] = Field(description="per day: groups created")
    storage: StorageUsed


@router.get(
    "/dashboard",
    summary="Dashboard statistics (power: dashboard)",
    response_model=DashboardReport,
)
async def dashboard(
    c: C,
    me: Me,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS, description="days up to today")] = 7,
) -> dict[str, Any]:
    return (await c.statistics.dashboard(me, days)).to_wire()
