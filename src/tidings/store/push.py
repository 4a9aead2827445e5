"""Web Push subscriptions, the members' alert state a push is judged by, and the VAPID key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from tidings.store.database import Database
from tidings.store.schema import (
    conversations,
    members,
    push_subscriptions,
    sessions,
    signing_keys,
)


@dataclass(frozen=True, slots=True)
class PushSubscription:
    id: int
    user_id: int
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True, slots=True)
class AlertState:
    """A member's own choices about a conversation, as a push needs them."""

    user_id: int
    muted: bool
    view_mode: str
    conversation_type: str
    conversation_name: str


class PushStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def server_secret(self, name: str, candidate: str, now: int) -> str:
        """The server-wide secret ``name``; the first node to ask stores ``candidate``."""
        async with self._db.write("push_server_secret") as conn:
            insert = (sqlite if self._db.is_sqlite else postgresql).insert
            await conn.execute(
                insert(signing_keys)
                .values(name=name, secret=candidate, created_at=now)
                .on_conflict_do_nothing()
            )
            secret: str = (
                await conn.execute(select(signing_keys.c.secret).where(signing_keys.c.name == name))
            ).scalar_one()
        return secret

    async def subscribe(
        self, *, user_id: int, session_id: int, endpoint: str, p256dh: str, auth: str, now: int
    ) -> None:
        """Keep the subscription (a browser that subscribes again gets its new keys)."""
        async with self._db.write("push_subscribe") as conn:
            await conn.execute(
                delete(push_subscriptions).where(
                    push_subscriptions.c.session_id == session_id,
                    push_subscriptions.c.endpoint == endpoint,
                )
            )
            await conn.execute(
                push_subscriptions.insert().values(
                    user_id=user_id,
                    session_id=session_id,
                    endpoint=endpoint,
                    p256dh=p256dh,
                    auth=auth,
                    created_at=now,
                )
            )

    async def unsubscribe(self, *, user_id: int, endpoint: str) -> None:
        async with self._db.write("push_unsubscribe") as conn:
            await conn.execute(
                delete(push_subscriptions).where(
                    push_subscriptions.c.user_id == user_id,
                    push_subscriptions.c.endpoint == endpoint,
                )
            )

    async def remove(self, subscription_ids: list[int]) -> None:
        """Forget subscriptions the push service no longer knows (404, 410)."""
        if not subscription_ids:
            return
        async with self._db.write("push_remove") as conn:
            await conn.execute(
                delete(push_subscriptions).where(push_subscriptions.c.id.in_(subscription_ids))
            )

    async def subscribed(self, user_ids: list[int]) -> list[int]:
        """Those of these users with a push subscription (live or not)."""
        if not user_ids:
            return []
        async with self._db.read("push_subscribed") as conn:
            rows = await conn.execute(
                select(push_subscriptions.c.user_id)
                .where(push_subscriptions.c.user_id.in_(user_ids))
                .distinct()
            )
            return [int(row.user_id) for row in rows]

    async def subscribers(self, user_ids: list[int], now: int) -> dict[int, list[PushSubscription]]:
        """The live subscriptions of these users; those of ended sessions are removed."""
        if not user_ids:
            return {}
        async with self._db.read("push_subscribers") as conn:
            rows = (
                await conn.execute(
                    select(
                        push_subscriptions.c.id,
                        push_subscriptions.c.user_id,
                        push_subscriptions.c.endpoint,
                        push_subscriptions.c.p256dh,
                        push_subscriptions.c.auth,
                        sessions.c.revoked_at,
                        sessions.c.expires_at,
                    )
                    .join(sessions, sessions.c.id == push_subscriptions.c.session_id)
                    .where(push_subscriptions.c.user_id.in_(user_ids))
                )
            ).all()
        live: dict[int, list[PushSubscription]] = {}
        ended: list[int] = []
        for row in rows:
            if row.revoked_at is not None or row.expires_at <= now:
                ended.append(int(row.id))
                continue
            live.setdefault(int(row.user_id), []).append(
                PushSubscription(int(row.id), int(row.user_id), row.endpoint, row.p256dh, row.auth)
            )
        await self.remove(ended)
        return live

    async def alert_states(self, conversation_id: int, user_ids: list[int]) -> list[AlertState]:
        """Mute and view mode of these (active) members, and the conversation's name."""
        if not user_ids:
            return []
        async with self._db.read("push_alert_states") as conn:
            rows = (
                await conn.execute(
                    select(
                        members.c.user_id,
                        members.c.muted,
                        members.c.view_mode,
                        conversations.c.type,
                        conversations.c.name,
                    )
                    .join(conversations, conversations.c.id == members.c.conversation_id)
                    .where(
                        members.c.conversation_id == conversation_id,
                        members.c.user_id.in_(user_ids),
                        members.c.active.is_(True),
                    )
                )
            ).all()
        return [
            AlertState(int(r.user_id), bool(r.muted), r.view_mode, r.type, r.name) for r in rows
        ]
