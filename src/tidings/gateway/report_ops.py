"""WebSocket op for users' reports (K7, decision 0056); the REST twin is in api/reports.py."""

from __future__ import annotations

from typing import Any

from tidings.domain.moderation import ReportReason, ReportTarget
from tidings.gateway.ops import OpContext, op
from tidings.moderation_schemas import ReportInput


@op("reports.create", ReportInput)
async def _report(ctx: OpContext, a: ReportInput) -> Any:
    report, created = await ctx.c.reports.do_report(
        ctx.actor,
        target_type=ReportTarget(a.target_type),
        reason=ReportReason(a.reason),
        note=a.note,
        conversation_id=a.conversation_id,
        seq=a.seq,
        user_id=a.user_id,
    )
    return report.to_reporter() | {"created": created}
