"""WebSocket ops for a signed-in user's account security; REST twins in api/security.py.

Signing in (codes, the second step, password reset) happens before a connection has a
session, so those are REST only.
"""

from __future__ import annotations

from typing import Any

from tidings import schemas as s
from tidings.domain.security import Channel
from tidings.gateway.ops import OpContext, op


@op("me.security", s.Empty)
async def _security(ctx: OpContext, _: s.Empty) -> Any:
    return await ctx.c.account_security.overview(ctx.actor)


@op("me.email.bind", s.BindEmailInput)
async def _bind_email(ctx: OpContext, a: s.BindEmailInput) -> Any:
    await ctx.c.codes.do_bind_start(ctx.actor, Channel.EMAIL, a.email, "")
    return None


@op("me.phone.bind", s.BindPhoneInput)
async def _bind_phone(ctx: OpContext, a: s.BindPhoneInput) -> Any:
    await ctx.c.codes.do_bind_start(ctx.actor, Channel.SMS, a.phone, "")
    return None


@op("me.email.verify", s.CodeInput)
async def _verify_email(ctx: OpContext, a: s.CodeInput) -> Any:
    await ctx.c.codes.do_bind_verify(ctx.actor, Channel.EMAIL, a.code)
    return (await ctx.c.accounts.profile(ctx.actor.user_id)).to_wire()


@op("me.phone.verify", s.CodeInput)
async def _verify_phone(ctx: OpContext, a: s.CodeInput) -> Any:
    await ctx.c.codes.do_bind_verify(ctx.actor, Channel.SMS, a.code)
    return (await ctx.c.accounts.profile(ctx.actor.user_id)).to_wire()


@op("me.email.unbind", s.PasswordInput)
async def _unbind_email(ctx: OpContext, a: s.PasswordInput) -> Any:
    await ctx.c.codes.do_unbind(ctx.actor, Channel.EMAIL, a.password)
    return None


@op("me.phone.unbind", s.PasswordInput)
async def _unbind_phone(ctx: OpContext, a: s.PasswordInput) -> Any:
    await ctx.c.codes.do_unbind(ctx.actor, Channel.SMS, a.password)
    return None


@op("me.totp.start", s.Empty)
async def _totp_start(ctx: OpContext, _: s.Empty) -> Any:
    return await ctx.c.two_factor.do_start(ctx.actor)


@op("me.totp.confirm", s.CodeInput)
async def _totp_confirm(ctx: OpContext, a: s.CodeInput) -> Any:
    return {"recovery_codes": await ctx.c.two_factor.do_confirm(ctx.actor, a.code)}


@op("me.totp.disable", s.PasswordInput)
async def _totp_disable(ctx: OpContext, a: s.PasswordInput) -> Any:
    await ctx.c.two_factor.do_disable(ctx.actor, a.password)
    return None


@op("me.totp.recovery_codes", s.CodeInput)
async def _recovery_codes(ctx: OpContext, a: s.CodeInput) -> Any:
    return {"recovery_codes": await ctx.c.two_factor.do_new_recovery_codes(ctx.actor, a.code)}
