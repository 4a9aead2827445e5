"""The console's content moderation over REST (K7, docs/protocol.md "Admin API: content
moderation"): the word list (MODERATION_VIEW to read, MODERATION to change) and the review
queue of reports and flagged content."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from tidings.actions.context import Actor
from tidings.api.deps import C, PathId, admin_power
from tidings.domain.admin import AdminPower
from tidings.domain.moderation import ReportStatus, ReportTarget, Resolution, WordAction
from tidings.moderation_schemas import ResolveInput, WordsInput, WordsRemoveInput

router = APIRouter(prefix="/api/v1/admin/moderation", tags=["admin"])

Moderator = Annotated[Actor, admin_power(AdminPower.MODERATION)]
Viewer = Annotated[Actor, admin_power(AdminPower.MODERATION_VIEW)]
ActionName = Literal["block", "replace", "flag"]

WORD_CHANGE_EXAMPLE = {
    "added": 2,
    "updated": 0,
    "unchanged": 0,
    "errors": [{"index": 2, "word": "", "code": "invalid_input", "message": "the word is empty"}],
    "version": 7,
}


@router.get("/words", summary="The word list: search and page (cursor: the last word)")
async def list_words(
    c: C,
    me: Viewer,
    q: Annotated[str, Query(max_length=50)] = "",
    action: ActionName | None = None,
    after: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    return await c.word_list_admin.list_words(
        me,
        query=q,
        action=WordAction(action) if action else None,
        after=after,
        limit=limit,
    )


@router.post(
    "/words",
    summary="Add words or set their action (up to 100,000 entries; per-entry errors)",
    responses={200: {"content": {"application/json": {"example": WORD_CHANGE_EXAMPLE}}}},
)
async def put_words(body: WordsInput, c: C, me: Moderator) -> dict[str, Any]:
    return await c.word_list_admin.do_put_words(
        me, body.words, default_action=WordAction(body.action) if body.action else None
    )


@router.post("/words/remove", summary="Remove words (up to 100,000; per-entry errors)")
async def remove_words(body: WordsRemoveInput, c: C, me: Moderator) -> dict[str, Any]:
    return await c.word_list_admin.do_remove_words(me, body.words)


@router.post(
    "/words/import",
    summary="Import a word list: text (a word a line) or CSV rows word,action",
    responses={200: {"content": {"application/json": {"example": WORD_CHANGE_EXAMPLE}}}},
)
async def import_words(
    request: Request, c: C, me: Moderator, action: ActionName = "block"
) -> dict[str, Any]:
    return await c.word_list_admin.do_import_words(
        me, await request.body(), default_action=WordAction(action)
    )


@router.get("/reports", summary="The review queue, newest first (cursor: before an id)")
async def list_reports(
    c: C,
    me: Viewer,
    status: Literal["open", "resolved"] | None = None,
    target_type: Literal["message", "user", "group"] | None = None,
    source: Annotated[
        Literal["users", "words"] | None,
        Query(description="users' reports, or what the word list flagged"),
    ] = None,
    before: Annotated[int | None, Query(gt=0, lt=2**63)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    return await c.reports.list_reports(
        me,
        status=ReportStatus(status) if status else None,
        target_type=ReportTarget(target_type) if target_type else None,
        flagged=None if source is None else source == "words",
        before=before,
        limit=limit,
    )


@router.post(
    "/reports/{report_id}/resolve",
    summary="Resolve a report: dismiss, recall the message, mute the sender, freeze",
)
async def resolve_report(
    report_id: PathId, body: ResolveInput, c: C, me: Moderator
) -> dict[str, Any]:
    return await c.reports.do_resolve(
        me,
        report_id,
        resolution=Resolution(body.action),
        note=body.note,
        mute_seconds=body.mute_seconds,
    )
