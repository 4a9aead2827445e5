"""WebSocket ops for contacts and invites (B1-B5); REST twins in api/contacts.py."""

from __future__ import annotations

from typing import Any

from tidings import schemas as s
from tidings.domain.contacts import InviteKind, RequestStatus
from tidings.domain.tables import TableFormat
from tidings.gateway.ops import OpContext, op


@op("contacts.search", s.SearchInput)
async def _search(ctx: OpContext, a: s.SearchInput) -> Any:
    return await ctx.c.directory.search(ctx.actor, a.query, limit=a.limit, offset=a.offset)


@op("users.lookup", s.UserLookupInput)
async def _lookup(ctx: OpContext, a: s.UserLookupInput) -> Any:
    return await ctx.c.directory.lookup(ctx.actor, a.user_ids)


@op("friends.request", s.FriendRequestInput)
async def _request(ctx: OpContext, a: s.FriendRequestInput) -> Any:
    return await ctx.c.contacts.do_request(ctx.actor, a.user_id, a.message)


@op("friends.requests", s.Empty)
async def _requests(ctx: OpContext, _: s.Empty) -> Any:
    return await ctx.c.contacts.requests(ctx.actor)


@op("friends.accept", s.FriendRequestRef)
async def _accept(ctx: OpContext, a: s.FriendRequestRef) -> Any:
    return await ctx.c.contacts.do_decide(ctx.actor, a.request_id, RequestStatus.ACCEPTED)


@op("friends.reject", s.FriendRequestRef)
async def _reject(ctx: OpContext, a: s.FriendRequestRef) -> Any:
    return await ctx.c.contacts.do_decide(ctx.actor, a.request_id, RequestStatus.REJECTED)


@op("friends.ignore", s.FriendRequestRef)
async def _ignore(ctx: OpContext, a: s.FriendRequestRef) -> Any:
    return await ctx.c.contacts.do_decide(ctx.actor, a.request_id, RequestStatus.IGNORED)


@op("friends.list", s.Empty)
async def _friends(ctx: OpContext, _: s.Empty) -> Any:
    return await ctx.c.contacts.friends(ctx.actor)


@op("friends.remove", s.TargetUser)
async def _unfriend(ctx: OpContext, a: s.TargetUser) -> Any:
    await ctx.c.contacts.do_remove_friend(ctx.actor, a.user_id)
    return None


@op("contacts.update", s.ContactUpdateOp)
async def _update(ctx: OpContext, a: s.ContactUpdateOp) -> Any:
    return await ctx.c.contacts.do_update_contact(ctx.actor, a.user_id, a.changes())


@op("contact_groups.create", s.ContactGroupCreate)
async def _group_create(ctx: OpContext, a: s.ContactGroupCreate) -> Any:
    return await ctx.c.contacts.do_create_group(ctx.actor, a.name, a.parent_id)


@op("contact_groups.rename", s.ContactGroupRename)
async def _group_rename(ctx: OpContext, a: s.ContactGroupRename) -> Any:
    return await ctx.c.contacts.do_rename_group(ctx.actor, a.group_id, a.name)


@op("contact_groups.move", s.ContactGroupMove)
async def _group_move(ctx: OpContext, a: s.ContactGroupMove) -> Any:
    return await ctx.c.contacts.do_move_group(ctx.actor, a.group_id, a.parent_id)


@op("contact_groups.delete", s.ContactGroupRef)
async def _group_delete(ctx: OpContext, a: s.ContactGroupRef) -> Any:
    return await ctx.c.contacts.do_delete_group(ctx.actor, a.group_id)


@op("blocks.add", s.TargetUser)
async def _block(ctx: OpContext, a: s.TargetUser) -> Any:
    return await ctx.c.contacts.do_block(ctx.actor, a.user_id, True)


@op("blocks.remove", s.TargetUser)
async def _unblock(ctx: OpContext, a: s.TargetUser) -> Any:
    return await ctx.c.contacts.do_block(ctx.actor, a.user_id, False)


@op("blocks.list", s.Empty)
async def _blocked(ctx: OpContext, _: s.Empty) -> Any:
    return await ctx.c.contacts.blocked(ctx.actor)


@op("invites.create", s.InviteCreate)
async def _invite(ctx: OpContext, a: s.InviteCreate) -> Any:
    return await ctx.c.invites.do_create(
        ctx.actor, InviteKind(a.kind), a.conversation_id, a.expires_in_seconds
    )


@op("invites.list", s.Empty)
async def _invites(ctx: OpContext, _: s.Empty) -> Any:
    return await ctx.c.invites.mine(ctx.actor)


@op("invites.get", s.InviteRef)
async def _invite_get(ctx: OpContext, a: s.InviteRef) -> Any:
    return await ctx.c.invites.preview(ctx.actor, a.code)


@op("invites.accept", s.InviteAccept)
async def _invite_accept(ctx: OpContext, a: s.InviteAccept) -> Any:
    return await ctx.c.invites.do_accept(ctx.actor, a.code, a.message)


@op("invites.revoke", s.InviteRef)
async def _invite_revoke(ctx: OpContext, a: s.InviteRef) -> Any:
    await ctx.c.invites.do_revoke(ctx.actor, a.code)
    return None


@op("invites.qr", s.InviteQrInput)
async def _invite_qr(ctx: OpContext, a: s.InviteQrInput) -> Any:
    return await ctx.c.invites.do_qr_file(ctx.actor, a.code, a.base_url, a.format)


@op("contacts.import", s.TableFileInput)
async def _import(ctx: OpContext, a: s.TableFileInput) -> Any:
    fmt = TableFormat(a.format) if a.format else None
    return await ctx.c.imports.do_import_contacts_file(ctx.actor, a.file_id, fmt)
