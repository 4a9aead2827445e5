"""WebSocket ops for group governance (E1, E3-E9, E11); REST twins in api/groups.py."""

from __future__ import annotations

from typing import Any

from tidings import schemas as s
from tidings.domain.groups import ViewMode
from tidings.gateway.ops import OpContext, op


@op("group.info", s.ConversationRef)
async def _info(ctx: OpContext, a: s.ConversationRef) -> Any:
    return await ctx.c.groups.info(ctx.actor, a.conversation_id)


@op("group.find", s.GroupNumberInput)
async def _find(ctx: OpContext, a: s.GroupNumberInput) -> Any:
    return await ctx.c.groups.find(ctx.actor, a.number)


@op("group.members", s.MembersPageOp)
async def _members(ctx: OpContext, a: s.MembersPageOp) -> Any:
    return await ctx.c.groups.members_page(
        ctx.actor, a.conversation_id, after_user_id=a.after_user_id, limit=a.limit
    )


@op("group.update", s.GroupUpdateOp)
async def _update(ctx: OpContext, a: s.GroupUpdateOp) -> Any:
    return await ctx.c.groups.do_update(ctx.actor, a.conversation_id, a.changes())


@op("group.set_admin", s.SetAdminOp)
async def _set_admin(ctx: OpContext, a: s.SetAdminOp) -> Any:
    return await ctx.c.groups.do_set_admin(
        ctx.actor, a.conversation_id, a.user_id, list(a.powers) if a.powers is not None else None
    )


@op("group.transfer", s.MemberOp)
async def _transfer(ctx: OpContext, a: s.MemberOp) -> Any:
    return await ctx.c.groups.do_transfer(ctx.actor, a.conversation_id, a.user_id)


@op("group.disband", s.ConversationRef)
async def _disband(ctx: OpContext, a: s.ConversationRef) -> Any:
    return await ctx.c.groups.do_disband(ctx.actor, a.conversation_id)


@op("group.mute", s.MuteOp)
async def _mute(ctx: OpContext, a: s.MuteOp) -> Any:
    return await ctx.c.groups.do_mute(ctx.actor, a.conversation_id, a.user_id, a.seconds)


@op("group.unmute", s.MemberOp)
async def _unmute(ctx: OpContext, a: s.MemberOp) -> Any:
    return await ctx.c.groups.do_unmute(ctx.actor, a.conversation_id, a.user_id)


@op("group.remove", s.RemoveOp)
async def _remove(ctx: OpContext, a: s.RemoveOp) -> Any:
    return await ctx.c.groups.do_remove(
        ctx.actor, a.conversation_id, a.user_id, blacklist=a.blacklist
    )


@op("group.blacklist", s.ConversationRef)
async def _blacklist(ctx: OpContext, a: s.ConversationRef) -> Any:
    return await ctx.c.groups.blacklist(ctx.actor, a.conversation_id)


@op("group.blacklist.add", s.BlacklistOp)
async def _blacklist_add(ctx: OpContext, a: s.BlacklistOp) -> Any:
    return await ctx.c.groups.do_blacklist(ctx.actor, a.conversation_id, a.user_ids, add=True)


@op("group.blacklist.remove", s.BlacklistOp)
async def _blacklist_remove(ctx: OpContext, a: s.BlacklistOp) -> Any:
    return await ctx.c.groups.do_blacklist(ctx.actor, a.conversation_id, a.user_ids, add=False)


@op("group.join", s.JoinOp)
async def _join(ctx: OpContext, a: s.JoinOp) -> Any:
    return await ctx.c.groups.do_join(ctx.actor, a.conversation_id, a.message)


@op("group.join_requests", s.ConversationRef)
async def _join_requests(ctx: OpContext, a: s.ConversationRef) -> Any:
    return await ctx.c.groups.join_requests(ctx.actor, a.conversation_id)


@op("group.decide_join", s.JoinDecision)
async def _decide_join(ctx: OpContext, a: s.JoinDecision) -> Any:
    return await ctx.c.groups.do_decide_join(ctx.actor, a.request_id, a.approve)


@op("group.assign", s.AssignOp)
async def _assign(ctx: OpContext, a: s.AssignOp) -> Any:
    return await ctx.c.groups.do_assign(ctx.actor, a.conversation_id, a.user_ids)


@op("group.moderation_queue", s.ConversationRef)
async def _queue(ctx: OpContext, a: s.ConversationRef) -> Any:
    return await ctx.c.groups.moderation_queue(ctx.actor, a.conversation_id)


@op("group.moderate", s.ModerationDecision)
async def _moderate(ctx: OpContext, a: s.ModerationDecision) -> Any:
    return await ctx.c.groups.do_moderate(ctx.actor, a.pending_id, a.approve, a.reason)


@op("group.announcements", s.ConversationRef)
async def _announcements(ctx: OpContext, a: s.ConversationRef) -> Any:
    return await ctx.c.announcements.announcements(ctx.actor, a.conversation_id)


@op("group.announcement.post", s.AnnouncementOp)
async def _announce(ctx: OpContext, a: s.AnnouncementOp) -> Any:
    return await ctx.c.announcements.do_post_announcement(
        ctx.actor, a.conversation_id, a.text, a.pinned
    )


@op("group.announcement.edit", s.AnnouncementEdit)
async def _announce_edit(ctx: OpContext, a: s.AnnouncementEdit) -> Any:
    return await ctx.c.announcements.do_edit_announcement(
        ctx.actor, a.announcement_id, a.text, a.pinned
    )


@op("group.announcement.read", s.AnnouncementRef)
async def _announce_read(ctx: OpContext, a: s.AnnouncementRef) -> Any:
    return await ctx.c.announcements.do_read_announcement(ctx.actor, a.announcement_id)


@op("group.announcement.reads", s.AnnouncementRef)
async def _announce_reads(ctx: OpContext, a: s.AnnouncementRef) -> Any:
    return await ctx.c.announcements.announcement_reads(ctx.actor, a.announcement_id)


@op("group.mark", s.MarkOp)
async def _mark(ctx: OpContext, a: s.MarkOp) -> Any:
    return await ctx.c.announcements.do_mark_important(
        ctx.actor, a.conversation_id, a.seq, a.important
    )


@op("group.board", s.ConversationRef)
async def _board(ctx: OpContext, a: s.ConversationRef) -> Any:
    return await ctx.c.announcements.board(ctx.actor, a.conversation_id)


@op("group.view_mode", s.ViewModeOp)
async def _view_mode(ctx: OpContext, a: s.ViewModeOp) -> Any:
    return await ctx.c.groups.do_set_view_mode(ctx.actor, a.conversation_id, ViewMode(a.view_mode))
