"""Registering, signing in and out, sessions and profiles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from tidings.api.deps import C, Me, PathId, client_ip, user_agent
from tidings.domain.accounts import ProfileUpdate
from tidings.domain.security import Channel
from tidings.schemas import ChangePasswordInput, DeviceLoginInput, LoginInput, RegisterInput

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.post("/auth/register", status_code=201)
async def register(body: RegisterInput, c: C, request: Request) -> dict[str, Any]:
    signed_in = await c.accounts.do_register(
        account=body.account,
        password=body.password,
        nickname=body.nickname,
        platform=body.platform,
        device_name=body.device_name,
        ip=client_ip(request),
        remember=body.remember,
        invite_code=body.invite_code,
    )
    return signed_in.to_wire()


@router.get("/auth/options")
async def options(c: C) -> dict[str, Any]:
    """What the sign-in page may offer (no authentication)."""
    return {
        **c.registration_invites.options(),
        "email_enabled": c.codes.available(Channel.EMAIL),
        "sms_enabled": c.codes.available(Channel.SMS),
        # Sign in with OpenID Connect: {"label"} for the button, or null (decision 0064).
        "oidc": c.single_sign_on.options(),
    }


@router.post("/auth/login")
async def login(body: LoginInput, c: C, request: Request) -> dict[str, Any]:
    signed_in = await c.accounts.do_login(
        account=body.account,
        password=body.password,
        platform=body.platform,
        device_name=body.device_name,
        ip=client_ip(request),
        remember=body.remember,
        device_token=body.device_token,
        user_agent=user_agent(request),
    )
    return signed_in.to_wire()


@router.post("/auth/device-login")
async def device_login(body: DeviceLoginInput, c: C, request: Request) -> dict[str, Any]:
    signed_in = await c.accounts.do_device_login(
        device_credential=body.device_credential,
        ip=client_ip(request),
        device_token=body.device_token,
        user_agent=user_agent(request),
    )
    return signed_in.to_wire()


@router.post("/auth/logout", status_code=204)
async def logout(c: C, me: Me) -> Response:
    await c.accounts.do_logout(me)
    return Response(status_code=204)


@router.get("/sessions")
async def sessions(c: C, me: Me) -> dict[str, Any]:
    return {"sessions": await c.accounts.sessions(me)}


@router.delete("/sessions/{session_id}", status_code=204)
async def sign_out_session(session_id: PathId, c: C, me: Me) -> Response:
    await c.accounts.do_sign_out_session(me, session_id)
    return Response(status_code=204)


@router.get("/me")
async def me(c: C, me: Me) -> dict[str, Any]:
    return (await c.accounts.profile(me.user_id)).to_wire()


@router.patch("/me")
async def update_me(body: ProfileUpdate, c: C, me: Me) -> dict[str, Any]:
    return (await c.accounts.do_update_profile(me, body)).to_wire()


@router.post("/me/password")
async def change_password(
    body: ChangePasswordInput, c: C, me: Me, request: Request
) -> dict[str, Any]:
    signed_out = await c.accounts.do_change_password(
        me,
        current_password=body.current_password,
        new_password=body.new_password,
        sign_out_others=body.sign_out_others,
        ip=client_ip(request),
    )
    return {"signed_out": signed_out}


@router.get("/users/{user_id}")
async def user(user_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.directory.profile(me, user_id)
