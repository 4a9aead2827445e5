"""WebSocket ops for one's privacy choices and the password lock (h/me; docs/protocol.md
"Privacy and the password lock")."""

from __future__ import annotations

from typing import Any

from tidings import schemas as s
from tidings.domain.privacy import LockSet, LockVerify, PrivacyUpdate
from tidings.gateway.ops import OpContext, op


@op("me.privacy.get", s.Empty)
async def _privacy_get(ctx: OpContext, _: s.Empty) -> Any:
    return await ctx.c.privacy.get(ctx.actor)


@op("me.privacy.update", PrivacyUpdate)
async def _privacy_update(ctx: OpContext, a: PrivacyUpdate) -> Any:
    return await ctx.c.privacy.do_update(ctx.actor, a)


@op("me.lock.get", s.Empty)
async def _lock_get(ctx: OpContext, _: s.Empty) -> Any:
    return await ctx.c.chat_locks.get(ctx.actor)


@op("me.lock.set", LockSet)
async def _lock_set(ctx: OpContext, a: LockSet) -> Any:
    return await ctx.c.chat_locks.do_set(ctx.actor, a)


@op("me.lock.verify", LockVerify)
async def _lock_verify(ctx: OpContext, a: LockVerify) -> Any:
    return await ctx.c.chat_locks.do_verify(ctx.actor, a)
