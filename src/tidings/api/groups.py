"""Group governance over REST (E1, E3-E9, E11); the same actions as gateway/group_ops.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from tidings.api.deps import C, Me, PathId
from tidings.domain.groups import ViewMode
from tidings.schemas import (
    AnnouncementChanges,
    AnnouncementInput,
    BlacklistInput,
    GroupUpdateInput,
    InviteInput,
    JoinInput,
    MarkInput,
    MuteInput,
    RemoveInput,
    SetAdminInput,
    ViewModeInput,
)

router = APIRouter(prefix="/api/v1", tags=["groups"])

GROUP = "/groups/{conversation_id}"


@router.get("/groups/by-number/{number}")
async def find(number: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.groups.find(me, number)


@router.get(GROUP)
async def info(conversation_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.groups.info(me, conversation_id)


@router.patch(GROUP)
async def update(conversation_id: PathId, body: GroupUpdateInput, c: C, me: Me) -> dict[str, Any]:
    return await c.groups.do_update(me, conversation_id, body.changes())


@router.get(GROUP + "/members")
async def members(
    conversation_id: PathId,
    c: C,
    me: Me,
    after_user_id: Annotated[int, Query(ge=0, lt=2**63)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    return await c.groups.members_page(
        me, conversation_id, after_user_id=after_user_id, limit=limit
    )


@router.put(GROUP + "/admins/{user_id}")
async def set_admin(
    conversation_id: PathId, user_id: PathId, body: SetAdminInput, c: C, me: Me
) -> dict[str, Any]:
    powers = list(body.powers) if body.powers is not None else None
    return await c.groups.do_set_admin(me, conversation_id, user_id, powers)


@router.post(GROUP + "/transfer/{user_id}")
async def transfer(conversation_id: PathId, user_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.groups.do_transfer(me, conversation_id, user_id)


@router.post(GROUP + "/disband")
async def disband(conversation_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.groups.do_disband(me, conversation_id)


@router.put(GROUP + "/mutes/{user_id}")
async def mute(
    conversation_id: PathId, user_id: PathId, body: MuteInput, c: C, me: Me
) -> dict[str, Any]:
    return await c.groups.do_mute(me, conversation_id, user_id, body.seconds)


@router.delete(GROUP + "/mutes/{user_id}")
async def unmute(conversation_id: PathId, user_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.groups.do_unmute(me, conversation_id, user_id)


@router.post(GROUP + "/members/{user_id}/remove")
async def remove(
    conversation_id: PathId, user_id: PathId, body: RemoveInput, c: C, me: Me
) -> dict[str, Any]:
    return await c.groups.do_remove(me, conversation_id, user_id, blacklist=body.blacklist)


@router.get(GROUP + "/blacklist")
async def blacklist(conversation_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.groups.blacklist(me, conversation_id)


@router.post(GROUP + "/blacklist")
async def blacklist_add(
    conversation_id: PathId, body: BlacklistInput, c: C, me: Me
) -> dict[str, Any]:
    return await c.groups.do_blacklist(me, conversation_id, body.user_ids, add=True)


@router.post(GROUP + "/blacklist/remove")
async def blacklist_remove(
    conversation_id: PathId, body: BlacklistInput, c: C, me: Me
) -> dict[str, Any]:
    return await c.groups.do_blacklist(me, conversation_id, body.user_ids, add=False)


@router.post(GROUP + "/join")
async def join(conversation_id: PathId, body: JoinInput, c: C, me: Me) -> dict[str, Any]:
    return await c.groups.do_join(me, conversation_id, body.message)


@router.get(GROUP + "/join-requests")
async def join_requests(conversation_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.groups.join_requests(me, conversation_id)


@router.post("/join-requests/{request_id}/approve")
async def approve(request_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.groups.do_decide_join(me, request_id, True)


@router.post("/join-requests/{request_id}/reject")
async def reject(request_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.groups.do_decide_join(me, request_id, False)


@router.post(GROUP + "/assign")
async def assign(conversation_id: PathId, body: InviteInput, c: C, me: Me) -> dict[str, Any]:
    return await c.groups.do_assign(me, conversation_id, body.user_ids)


@router.get(GROUP + "/moderation")
async def moderation_queue(conversation_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.groups.moderation_queue(me, conversation_id)


@router.post("/moderation/{pending_id}/approve")
async def approve_message(pending_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.groups.do_moderate(me, pending_id, True, "")


@router.post("/moderation/{pending_id}/reject")
async def reject_message(
    pending_id: PathId, c: C, me: Me, reason: Annotated[str, Query(max_length=200)] = ""
) -> dict[str, Any]:
    return await c.groups.do_moderate(me, pending_id, False, reason)


@router.get(GROUP + "/announcements")
async def announcements(conversation_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.announcements.announcements(me, conversation_id)


@router.post(GROUP + "/announcements")
async def post_announcement(
    conversation_id: PathId, body: AnnouncementInput, c: C, me: Me
) -> dict[str, Any]:
    return await c.announcements.do_post_announcement(me, conversation_id, body.text, body.pinned)


@router.patch("/announcements/{announcement_id}")
async def edit_announcement(
    announcement_id: PathId, body: AnnouncementChanges, c: C, me: Me
) -> dict[str, Any]:
    return await c.announcements.do_edit_announcement(me, announcement_id, body.text, body.pinned)


@router.post("/announcements/{announcement_id}/read")
async def read_announcement(announcement_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.announcements.do_read_announcement(me, announcement_id)


@router.get("/announcements/{announcement_id}/reads")
async def announcement_reads(announcement_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.announcements.announcement_reads(me, announcement_id)


@router.post(GROUP + "/messages/{seq}/mark")
async def mark(
    conversation_id: PathId, seq: PathId, body: MarkInput, c: C, me: Me
) -> dict[str, Any]:
    return await c.announcements.do_mark_important(me, conversation_id, seq, body.important)


@router.get(GROUP + "/board")
async def board(conversation_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.announcements.board(me, conversation_id)


@router.put(GROUP + "/view-mode")
async def view_mode(conversation_id: PathId, body: ViewModeInput, c: C, me: Me) -> dict[str, Any]:
    return await c.groups.do_set_view_mode(me, conversation_id, ViewMode(body.view_mode))
