"""Server administration over REST: password resets and registration invites."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from tidings.api.deps import C, Me, PathId
from tidings.schemas import RegistrationInviteInput

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

InviteCode = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("/users/{user_id}/reset-password")
async def reset_password(user_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return {"one_time_password": await c.accounts.do_reset_password(me, user_id)}


@router.post("/registration-invites", status_code=201)
async def create_invite(body: RegistrationInviteInput, c: C, me: Me) -> dict[str, Any]:
    invite = await c.registration_invites.do_create(
        me, max_uses=body.max_uses, expires_in_seconds=body.expires_in_seconds
    )
    return invite.to_wire()


@router.get("/registration-invites")
async def list_invites(c: C, me: Me) -> dict[str, Any]:
    return {"invites": [i.to_wire() for i in await c.registration_invites.list(me)]}


@router.delete("/registration-invites/{code}", status_code=204)
async def delete_invite(code: InviteCode, c: C, me: Me) -> Response:
    await c.registration_invites.do_delete(me, code)
    return Response(status_code=204)
