"""Contacts and invites over REST; the same actions as the WebSocket ops in
gateway/contact_ops.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from tidings.api.deps import C, Me, PathId
from tidings.api.tables import table_format
from tidings.domain.contacts import InviteKind, RequestStatus
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.schemas import (
    ContactGroupCreate,
    ContactGroupName,
    ContactGroupParent,
    ContactUpdateInput,
    FriendRequestInput,
    InviteCode,
    InviteCreate,
    JoinInput,
    UserLookupInput,
)

router = APIRouter(prefix="/api/v1", tags=["contacts"])

Decision = Annotated[str, Query(pattern="^(accept|reject|ignore)$")]
DECISIONS = {
    "accept": RequestStatus.ACCEPTED,
    "reject": RequestStatus.REJECTED,
    "ignore": RequestStatus.IGNORED,
}


@router.get("/users")
async def search_users(
    c: C,
    me: Me,
    q: Annotated[str, Query(min_length=1, max_length=64)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    return await c.directory.search(me, q, limit=limit, offset=offset)


@router.post("/users/lookup")
async def lookup_users(body: UserLookupInput, c: C, me: Me) -> dict[str, Any]:
    return await c.directory.lookup(me, body.user_ids)


@router.post("/friend-requests")
async def request_friend(body: FriendRequestInput, c: C, me: Me) -> dict[str, Any]:
    return await c.contacts.do_request(me, body.user_id, body.message)


@router.get("/friend-requests")
async def friend_requests(c: C, me: Me) -> dict[str, Any]:
    return await c.contacts.requests(me)


@router.post("/friend-requests/{request_id}/{decision}")
async def decide_friend_request(request_id: PathId, decision: str, c: C, me: Me) -> dict[str, Any]:
    if decision not in DECISIONS:
        raise TidingsError(ErrorCode.NOT_FOUND, "accept, reject or ignore")
    return await c.contacts.do_decide(me, request_id, DECISIONS[decision])


@router.get("/friends")
async def friends(c: C, me: Me) -> dict[str, Any]:
    return await c.contacts.friends(me)


@router.patch("/friends/{user_id}")
async def update_contact(user_id: PathId, body: ContactUpdateInput, c: C, me: Me) -> dict[str, Any]:
    return await c.contacts.do_update_contact(me, user_id, body.changes())


@router.delete("/friends/{user_id}", status_code=204)
async def remove_friend(user_id: PathId, c: C, me: Me) -> Response:
    await c.contacts.do_remove_friend(me, user_id)
    return Response(status_code=204)


@router.post("/contact-groups")
async def create_contact_group(body: ContactGroupCreate, c: C, me: Me) -> dict[str, Any]:
    return await c.contacts.do_create_group(me, body.name, body.parent_id)


@router.patch("/contact-groups/{group_id}")
async def rename_contact_group(
    group_id: PathId, body: ContactGroupName, c: C, me: Me
) -> dict[str, Any]:
    return await c.contacts.do_rename_group(me, group_id, body.name)


@router.post("/contact-groups/{group_id}/move")
async def move_contact_group(
    group_id: PathId, body: ContactGroupParent, c: C, me: Me
) -> dict[str, Any]:
    return await c.contacts.do_move_group(me, group_id, body.parent_id)


@router.delete("/contact-groups/{group_id}")
async def delete_contact_group(group_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.contacts.do_delete_group(me, group_id)


@router.get("/blocks")
async def blocked(c: C, me: Me) -> dict[str, Any]:
    return await c.contacts.blocked(me)


@router.put("/blocks/{user_id}")
async def block(user_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.contacts.do_block(me, user_id, True)


@router.delete("/blocks/{user_id}")
async def unblock(user_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.contacts.do_block(me, user_id, False)


@router.post("/contacts/import")
async def import_contacts(
    request: Request, c: C, me: Me, format: Annotated[str | None, Query()] = None
) -> dict[str, Any]:
    fmt = table_format(request, format)
    return await c.imports.do_import_contacts(me, await request.body(), fmt)


@router.post("/invites")
async def create_invite(body: InviteCreate, c: C, me: Me) -> dict[str, Any]:
    return await c.invites.do_create(
        me, InviteKind(body.kind), body.conversation_id, body.expires_in_seconds
    )


@router.get("/invites")
async def my_invites(c: C, me: Me) -> dict[str, Any]:
    return await c.invites.mine(me)


@router.get("/invites/{code}")
async def invite(code: InviteCode, c: C, me: Me) -> dict[str, Any]:
    return await c.invites.preview(me, code)


@router.post("/invites/{code}/accept")
async def accept_invite(code: InviteCode, body: JoinInput, c: C, me: Me) -> dict[str, Any]:
    return await c.invites.do_accept(me, code, body.message)


@router.delete("/invites/{code}", status_code=204)
async def revoke_invite(code: InviteCode, c: C, me: Me) -> Response:
    await c.invites.do_revoke(me, code)
    return Response(status_code=204)


@router.get("/invites/{code}/qr.{kind}")
async def invite_qr(code: InviteCode, kind: str, request: Request, c: C, me: Me) -> Response:
    if kind not in ("png", "svg"):
        raise TidingsError(ErrorCode.NOT_FOUND, "qr.png or qr.svg")
    image = await c.invites.qr(me, code, str(request.base_url), kind)
    return Response(image, media_type="image/png" if kind == "png" else "image/svg+xml")
