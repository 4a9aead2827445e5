"""Users' reports over REST (K7, decision 0056); the WebSocket twin is ``reports.create``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from tidings.api.deps import C, Me
from tidings.domain.moderation import ReportReason, ReportTarget
from tidings.moderation_schemas import ReportInput

router = APIRouter(prefix="/api/v1", tags=["reports"])


@router.post(
    "/reports",
    status_code=201,
    summary="Report a message, a person or a group to the server's reviewers",
    responses={200: {"description": "reported before: the first report"}},
)
async def create_report(body: ReportInput, c: C, me: Me, response: Response) -> dict[str, Any]:
    report, created = await c.reports.do_report(
        me,
        target_type=ReportTarget(body.target_type),
        reason=ReportReason(body.reason),
        note=body.note,
        conversation_id=body.conversation_id,
        seq=body.seq,
        user_id=body.user_id,
    )
    if not created:
        response.status_code = 200
    return report.to_reporter() | {"created": created}
