"""Ops of the settings kept on the server and of Web Push subscriptions (issue 12)."""

from __future__ import annotations

from typing import Any

from tidings import schemas as s
from tidings import settings_schemas as ss
from tidings.gateway.ops import OpContext, op


@op("settings.get", s.Empty)
async def _settings_get(ctx: OpContext, _: s.Empty) -> Any:
    return await ctx.c.user_settings.get(ctx.actor)


@op("settings.update", ss.SettingsUpdateInput)
async def _settings_update(ctx: OpContext, a: ss.SettingsUpdateInput) -> Any:
    return await ctx.c.user_settings.do_update(ctx.actor, a.changes, a.version)


@op("push.config", s.Empty)
async def _push_config(ctx: OpContext, _: s.Empty) -> Any:
    return await ctx.c.push_notifications.config(ctx.actor)


@op("push.subscribe", ss.PushSubscribeInput)
async def _push_subscribe(ctx: OpContext, a: ss.PushSubscribeInput) -> Any:
    await ctx.c.push_notifications.do_subscribe(ctx.actor, a.endpoint, a.keys.p256dh, a.keys.auth)
    return None


@op("push.unsubscribe", ss.PushUnsubscribeInput)
async def _push_unsubscribe(ctx: OpContext, a: ss.PushUnsubscribeInput) -> Any:
    await ctx.c.push_notifications.do_unsubscribe(ctx.actor, a.endpoint)
    return None
