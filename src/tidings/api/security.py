"""Codes, bound e-mail and phone, TOTP and the second step of a sign-in (docs/protocol.md
"Account security")."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from tidings.api.deps import C, Me, client_ip
from tidings.domain.security import Channel, SignInAttempt
from tidings.schemas import (
    BindEmailInput,
    BindPhoneInput,
    CodeInput,
    CodeLoginInput,
    PasswordInput,
    ResendInput,
    ResetPasswordInput,
    SendCodeInput,
    VerifySignInInput,
)

router = APIRouter(prefix="/api/v1", tags=["account security"])


@router.post("/auth/codes", status_code=202)
async def send_code(body: SendCodeInput, c: C, request: Request) -> Response:
    await c.codes.do_send_code(body.purpose, body.channel, body.destination, client_ip(request))
    return Response(status_code=202)


@router.post("/auth/login/code")
async def login_by_code(body: CodeLoginInput, c: C, request: Request) -> dict[str, Any]:
    attempt = SignInAttempt(
        body.platform, body.device_name, client_ip(request), body.remember, body.device_token
    )
    signed_in = await c.sign_in_steps.do_login_by_code(
        body.channel, body.destination, body.code, attempt
    )
    return signed_in.to_wire()


@router.post("/auth/login/verify")
async def verify_sign_in(body: VerifySignInInput, c: C) -> dict[str, Any]:
    signed_in = await c.sign_in_steps.do_verify(
        body.challenge, body.code, body.method, body.remember
    )
    return signed_in.to_wire()


@router.post("/auth/login/resend", status_code=204)
async def resend(body: ResendInput, c: C) -> Response:
    await c.sign_in_steps.do_resend(body.challenge)
    return Response(status_code=204)


@router.post("/auth/password/reset", status_code=204)
async def reset_password(body: ResetPasswordInput, c: C) -> Response:
    await c.password_reset.do_reset_password(
        body.channel, body.destination, body.code, body.new_password
    )
    return Response(status_code=204)


@router.get("/me/security")
async def security(c: C, me: Me) -> dict[str, Any]:
    return await c.account_security.overview(me)


@router.post("/me/email", status_code=202)
async def bind_email(body: BindEmailInput, c: C, me: Me, request: Request) -> Response:
    await c.codes.do_bind_start(me, Channel.EMAIL, body.email, client_ip(request))
    return Response(status_code=202)


@router.post("/me/phone", status_code=202)
async def bind_phone(body: BindPhoneInput, c: C, me: Me, request: Request) -> Response:
    await c.codes.do_bind_start(me, Channel.SMS, body.phone, client_ip(request))
    return Response(status_code=202)


@router.post("/me/email/verify")
async def verify_email(body: CodeInput, c: C, me: Me) -> dict[str, Any]:
    await c.codes.do_bind_verify(me, Channel.EMAIL, body.code)
    return (await c.accounts.profile(me.user_id)).to_wire()


@router.post("/me/phone/verify")
async def verify_phone(body: CodeInput, c: C, me: Me) -> dict[str, Any]:
    await c.codes.do_bind_verify(me, Channel.SMS, body.code)
    return (await c.accounts.profile(me.user_id)).to_wire()


@router.delete("/me/email", status_code=204)
async def unbind_email(body: PasswordInput, c: C, me: Me) -> Response:
    await c.codes.do_unbind(me, Channel.EMAIL, body.password)
    return Response(status_code=204)


@router.delete("/me/phone", status_code=204)
async def unbind_phone(body: PasswordInput, c: C, me: Me) -> Response:
    await c.codes.do_unbind(me, Channel.SMS, body.password)
    return Response(status_code=204)


@router.post("/me/totp")
async def start_totp(c: C, me: Me) -> dict[str, Any]:
    return await c.two_factor.do_start(me)


@router.post("/me/totp/confirm")
async def confirm_totp(body: CodeInput, c: C, me: Me) -> dict[str, Any]:
    return {"recovery_codes": await c.two_factor.do_confirm(me, body.code)}


@router.delete("/me/totp", status_code=204)
async def disable_totp(body: PasswordInput, c: C, me: Me) -> Response:
    await c.two_factor.do_disable(me, body.password)
    return Response(status_code=204)


@router.post("/me/totp/recovery-codes")
async def new_recovery_codes(body: CodeInput, c: C, me: Me) -> dict[str, Any]:
    return {"recovery_codes": await c.two_factor.do_new_recovery_codes(me, body.code)}
