"""Webhook subscriptions, the dispatch of the outbox and the deliveries (decision 0068)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Row, and_, delete, func, insert, select, update

from tidings.domain.admin import AdminRole
from tidings.domain.apps import AppStatus, parse_scopes
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.webhooks import (
    CONVERSATION_EVENTS,
    MAX_ERROR_TEXT,
    MAX_SUBSCRIPTIONS_PER_APP,
    Delivery,
    DeliveryStatus,
    EventType,
    OutboxEvent,
    Subscription,
    SubscriptionStatus,
    may_receive,
    new_msg_id,
    should_pause,
)
from tidings.store import outbox
from tidings.store.database import Database
from tidings.store.schema import (
    apps,
    members,
    users,
    webhook_deliveries,
    webhook_events,
    webhooks,
)

_d = webhook_deliveries
# Rows deleted per transaction when pruning.
PRUNE_BATCH = 2000


def _types(text: str) -> frozenset[EventType]:
    return frozenset(EventType(word) for word in text.split())


def _type_text(event_types: frozenset[EventType]) -> str:
    return " ".join(sorted(t.value for t in event_types))


def _subscription(row: Row[Any, *tuple[Any, ...]]) -> Subscription:
    return Subscription(
        id=row.id,
        app_id=row.app_id,
        url=row.url,
        event_types=_types(row.event_types),
        description=row.description,
        status=SubscriptionStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        paused_at=row.paused_at,
        failing_since=row.failing_since,
        consecutive_failures=row.consecutive_failures,
    )


def _delivery(row: Row[Any, *tuple[Any, ...]]) -> Delivery:
    return Delivery(
        id=row.id,
        subscription_id=row.webhook_id,
        event_id=row.event_id,
        event_type=EventType(row.type),
        msg_id=row.msg_id,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_attempt_at=row.last_attempt_at,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        created_at=row.created_at,
        succeeded_at=row.succeeded_at,
    )


_DELIVERY_COLUMNS = (*_d.c, webhook_events.c.type)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery this node holds the lease on, with what posting it needs."""

    id: int
    webhook_id: int
    msg_id: str
    attempts: int
    url: str
    secret: str
    event_id: int
    event_type: EventType
    event_created_at: int
    data: str


@dataclass(frozen=True, slots=True)
class Pruned:
    """What one pruning deleted."""

    deliveries: int
    events: int


@dataclass(frozen=True, slots=True)
class Paused:
    """A subscription just paused for failing, for the admins' notice."""

    subscription: Subscription
    app_name: str


class WebhookStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # ---- subscriptions ----------------------------------------------------------------------

    async def create(
        self,
        *,
        app_id: int,
        url: str,
        event_types: frozenset[EventType],
        description: str,
        secret: str,
        now: int,
    ) -> Subscription:
        async with self._db.write("create_webhook") as conn:
            count = (
                await conn.execute(
                    select(func.count()).select_from(webhooks).where(webhooks.c.app_id == app_id)
                )
            ).scalar_one()
            if count >= MAX_SUBSCRIPTIONS_PER_APP:
                raise TidingsError(
                    ErrorCode.CONFLICT,
                    f"an app has at most {MAX_SUBSCRIPTIONS_PER_APP} webhooks",
                )
            webhook_id = (
                await conn.execute(
                    insert(webhooks)
                    .values(
                        app_id=app_id,
                        url=url,
                        event_types=_type_text(event_types),
                        description=description,
                        secret=secret,
                        status=SubscriptionStatus.ACTIVE.value,
                        created_at=now,
                        updated_at=now,
                        consecutive_failures=0,
                    )
                    .returning(webhooks.c.id)
                )
            ).scalar_one()
            row = (await conn.execute(select(webhooks).where(webhooks.c.id == webhook_id))).one()
        return _subscription(row)

    async def all_of(self, app_id: int) -> list[Subscription]:
        async with self._db.read("webhooks_of_app") as conn:
            rows = await conn.execute(
                select(webhooks).where(webhooks.c.app_id == app_id).order_by(webhooks.c.id)
            )
            return [_subscription(row) for row in rows]

    async def get(self, app_id: int, webhook_id: int) -> Subscription | None:
        async with self._db.read("webhook") as conn:
            row = (
                await conn.execute(
                    select(webhooks).where(webhooks.c.id == webhook_id, webhooks.c.app_id == app_id)
                )
            ).first()
        return _subscription(row) if row else None

    async def update(
        self, app_id: int, webhook_id: int, changes: dict[str, Any], now: int
    ) -> Subscription | None:
        """Change url, event_types (a frozenset), description, secret or status."""
        values = dict(changes)
        if "event_types" in values:
            values["event_types"] = _type_text(values["event_types"])
        if values.get("status") == SubscriptionStatus.ACTIVE.value:
            # Resumed: the failing streak starts again.
            values.update(paused_at=None, failing_since=None, consecutive_failures=0)
        async with self._db.write("update_webhook") as conn:
            changed = await conn.execute(
                update(webhooks)
                .where(webhooks.c.id == webhook_id, webhooks.c.app_id == app_id)
                .values(**values, updated_at=now)
            )
            if changed.rowcount == 0:
                return None
            row = (await conn.execute(select(webhooks).where(webhooks.c.id == webhook_id))).one()
        return _subscription(row)

    async def secret(self, app_id: int, webhook_id: int) -> str | None:
        async with self._db.read("webhook_secret") as conn:
            return (
                await conn.execute(
                    select(webhooks.c.secret).where(
                        webhooks.c.id == webhook_id, webhooks.c.app_id == app_id
                    )
                )
            ).scalar()

    async def delete(self, app_id: int, webhook_id: int) -> bool:
        async with self._db.write("delete_webhook") as conn:
            found = (
                await conn.execute(
                    select(webhooks.c.id).where(
                        webhooks.c.id == webhook_id, webhooks.c.app_id == app_id
                    )
                )
            ).first()
            if found is None:
                return False
            await conn.execute(delete(_d).where(_d.c.webhook_id == webhook_id))
            await conn.execute(delete(webhooks).where(webhooks.c.id == webhook_id))
        return True

    async def wanted_types(self) -> frozenset[EventType]:
        """The event types some subscription of an active app wants (paused ones too: their
        deliveries are recorded to be sent once resumed)."""
        async with self._db.read("webhook_wanted_types") as conn:
            rows = await conn.execute(
                select(webhooks.c.event_types)
                .join(apps, apps.c.id == webhooks.c.app_id)
                .where(apps.c.status == AppStatus.ACTIVE.value)
                .distinct()
            )
            found: set[EventType] = set()
            for row in rows:
                found |= _types(row.event_types)
        return frozenset(found)

    async def add_events(self, events: list[OutboxEvent]) -> None:
        """Events of no stored change (presence), in a transaction of their own."""
        async with self._db.write("add_webhook_events"):
            outbox.note(events)

    # ---- the dispatcher: events into deliveries ------------------------------------------

    async def dispatch(self, now: int, limit: int) -> int:
        """Turn up to ``limit`` waiting events into deliveries, one per subscription that
        may have each; how many events were taken. Nodes dispatching at once take different
        events (PostgreSQL's SKIP LOCKED; SQLite has one writer)."""
        async with self._db.write("dispatch_webhook_events") as conn:
            events = (
                await conn.execute(
                    select(webhook_events)
                    .where(webhook_events.c.dispatched.is_(False))
                    .order_by(webhook_events.c.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not events:
                return 0
            subscriptions = (
                await conn.execute(
                    select(
                        webhooks.c.id,
                        webhooks.c.event_types,
                        apps.c.scopes,
                        apps.c.bot_user_id,
                    )
                    .join(apps, apps.c.id == webhooks.c.app_id)
                    .where(apps.c.status == AppStatus.ACTIVE.value)
                )
            ).all()
            bots = {s.bot_user_id for s in subscriptions}
            conversation_ids = {e.conversation_id for e in events if e.conversation_id is not None}
            memberships: set[tuple[int, int]] = set()
            if bots and conversation_ids:
                rows = await conn.execute(
                    select(members.c.conversation_id, members.c.user_id).where(
                        members.c.conversation_id.in_(conversation_ids),
                        members.c.user_id.in_(bots),
                        members.c.active.is_(True),
                    )
                )
                memberships = {(r.conversation_id, r.user_id) for r in rows}
            deliveries: list[dict[str, Any]] = []
            for event in events:
                event_type = EventType(event.type)
                data: dict[str, Any] | None = None
                for sub in subscriptions:
                    if event_type.value not in sub.event_types.split():
                        continue
                    if data is None:
                        data = orjson.loads(event.data)
                    parties = {
                        data.get("user_id"),
                        data.get("friend_id"),
                        *data.get("user_ids", ()),
                    }
                    in_conversation = (
                        event_type in CONVERSATION_EVENTS
                        and (event.conversation_id, sub.bot_user_id) in memberships
                    )
                    if may_receive(
                        event_type,
                        parse_scopes(sub.scopes),
                        bot_in_conversation=in_conversation,
                        bot_is_party=sub.bot_user_id in parties,
                    ):
                        deliveries.append(
                            {
                                "webhook_id": sub.id,
                                "event_id": event.id,
                                "msg_id": new_msg_id(),
                                "status": DeliveryStatus.PENDING.value,
                                "attempts": 0,
                                "next_attempt_at": now,
                                "created_at": now,
                            }
                        )
            if deliveries:
                await conn.execute(insert(_d), deliveries)
            await conn.execute(
                update(webhook_events)
                .where(webhook_events.c.id.in_([e.id for e in events]))
                .values(dispatched=True)
            )
        return len(events)

    # ---- the deliveries ----------------------------------------------------------------------

    async def release_all(self, node: str) -> None:
        """Give up this node's leases (at start: a node restarted under the same name has
        nothing in flight; stopping: another node may go on at once)."""
        async with self._db.write("release_webhook_leases") as conn:
            await conn.execute(
                update(_d)
                .where(_d.c.lease_owner == node, _d.c.status == DeliveryStatus.PENDING.value)
                .values(lease_owner="", lease_until=0)
            )

    async def claim(self, node: str, now: int, lease_ms: int, limit: int) -> list[Claimed]:
        """Take the lease on up to ``limit`` due deliveries of active subscriptions that no
        node holds; no other node posts them while it holds."""
        async with self._db.write("claim_webhook_deliveries") as conn:
            due = (
                select(_d.c.id)
                .join(webhooks, webhooks.c.id == _d.c.webhook_id)
                .join(apps, apps.c.id == webhooks.c.app_id)
                .where(
                    _d.c.status == DeliveryStatus.PENDING.value,
                    _d.c.next_attempt_at <= now,
                    _d.c.lease_until < now,
                    webhooks.c.status == SubscriptionStatus.ACTIVE.value,
                    apps.c.status == AppStatus.ACTIVE.value,
                )
                .order_by(_d.c.next_attempt_at)
                .limit(limit)
                .with_for_update(of=_d, skip_locked=True)
            )
            ids = [row.id for row in await conn.execute(due)]
            if not ids:
                return []
            # The lease condition again: it is what makes one node the winner.
            taken = [
                row.id
                for row in await conn.execute(
                    update(_d)
                    .where(_d.c.id.in_(ids), _d.c.lease_until < now)
                    .values(lease_owner=node, lease_until=now + lease_ms)
                    .returning(_d.c.id)
                )
            ]
            if not taken:
                return []
            rows = await conn.execute(
                select(
                    _d.c.id,
                    _d.c.webhook_id,
                    _d.c.msg_id,
                    _d.c.attempts,
                    webhooks.c.url,
                    webhooks.c.secret,
                    webhook_events.c.id.label("event_id"),
                    webhook_events.c.type,
                    webhook_events.c.created_at,
                    webhook_events.c.data,
                )
                .join(webhooks, webhooks.c.id == _d.c.webhook_id)
                .join(webhook_events, webhook_events.c.id == _d.c.event_id)
                .where(_d.c.id.in_(taken))
            )
            return [
                Claimed(
                    id=r.id,
                    webhook_id=r.webhook_id,
                    msg_id=r.msg_id,
                    attempts=r.attempts,
                    url=r.url,
                    secret=r.secret,
                    event_id=r.event_id,
                    event_type=EventType(r.type),
                    event_created_at=r.created_at,
                    data=r.data,
                )
                for r in rows
            ]

    async def succeeded(self, claimed: Claimed, node: str, now: int, status_code: int) -> None:
        async with self._db.write("webhook_delivered") as conn:
            done = await conn.execute(
                update(_d)
                .where(_d.c.id == claimed.id, _d.c.lease_owner == node)
                .values(
                    status=DeliveryStatus.SUCCEEDED.value,
                    attempts=_d.c.attempts + 1,
                    last_attempt_at=now,
                    last_status_code=status_code,
                    last_error="",
                    next_attempt_at=None,
                    succeeded_at=now,
                    lease_owner="",
                    lease_until=0,
                )
            )
            if done.rowcount:
                await conn.execute(
                    update(webhooks)
                    .where(webhooks.c.id == claimed.webhook_id)
                    .values(failing_since=None, consecutive_failures=0)
                )

    async def failed(
        self,
        claimed: Claimed,
        node: str,
        now: int,
        *,
        status_code: int | None,
        error: str,
        next_attempt_at: int | None,
        pause_after_ms: int,
        pause_after_failures: int,
    ) -> Paused | None:
        """Record a failed attempt (``next_attempt_at`` None: the schedule is spent) and
        pause the subscription when it has failed long enough; the paused one, if so."""
        async with self._db.write("webhook_failed") as conn:
            done = await conn.execute(
                update(_d)
                .where(_d.c.id == claimed.id, _d.c.lease_owner == node)
                .values(
                    status=(
                        DeliveryStatus.PENDING.value
                        if next_attempt_at is not None
                        else DeliveryStatus.FAILED.value
                    ),
                    attempts=_d.c.attempts + 1,
                    last_attempt_at=now,
                    last_status_code=status_code,
                    last_error=error[:MAX_ERROR_TEXT],
                    next_attempt_at=next_attempt_at,
                    lease_owner="",
                    lease_until=0,
                )
            )
            if not done.rowcount:
                return None
            row = (
                await conn.execute(
                    update(webhooks)
                    .where(webhooks.c.id == claimed.webhook_id)
                    .values(
                        failing_since=func.coalesce(webhooks.c.failing_since, now),
                        consecutive_failures=webhooks.c.consecutive_failures + 1,
                    )
                    .returning(
                        webhooks.c.status,
                        webhooks.c.failing_since,
                        webhooks.c.consecutive_failures,
                    )
                )
            ).first()
            if (
                row is None
                or row.status != SubscriptionStatus.ACTIVE.value
                or not should_pause(
                    failing_since=row.failing_since,
                    failures=row.consecutive_failures,
                    now=now,
                    after_ms=pause_after_ms,
                    after_failures=pause_after_failures,
                )
            ):
                return None
            await conn.execute(
                update(webhooks)
                .where(webhooks.c.id == claimed.webhook_id)
                .values(status=SubscriptionStatus.PAUSED.value, paused_at=now, updated_at=now)
            )
            paused = (
                await conn.execute(
                    select(webhooks, apps.c.name.label("app_name"))
                    .join(apps, apps.c.id == webhooks.c.app_id)
                    .where(webhooks.c.id == claimed.webhook_id)
                )
            ).one()
        return Paused(_subscription(paused), paused.app_name)

    async def super_admins(self) -> list[tuple[int, int]]:
        """(user id, system-notices conversation id) of every super admin."""
        async with self._db.read("super_admins") as conn:
            rows = await conn.execute(
                select(users.c.id, users.c.system_conversation_id).where(
                    users.c.admin_role == AdminRole.SUPER_ADMIN.value,
                    users.c.disabled.is_(False),
                    users.c.system_conversation_id.is_not(None),
                )
            )
            return [(r.id, r.system_conversation_id) for r in rows]

    # ---- listing and replay ------------------------------------------------------------------

    async def deliveries(
        self,
        webhook_id: int,
        *,
        before_id: int | None,
        limit: int,
        status: DeliveryStatus | None,
    ) -> list[Delivery]:
        """Newest first."""
        query = (
            select(*_DELIVERY_COLUMNS)
            .join(webhook_events, webhook_events.c.id == _d.c.event_id)
            .where(_d.c.webhook_id == webhook_id)
            .order_by(_d.c.id.desc())
            .limit(limit)
        )
        if before_id is not None:
            query = query.where(_d.c.id < before_id)
        if status is not None:
            query = query.where(_d.c.status == status.value)
        async with self._db.read("webhook_deliveries") as conn:
            return [_delivery(row) for row in await conn.execute(query)]

    async def replay(
        self, webhook_id: int, now: int, *, delivery_id: int | None = None, since: int | None = None
    ) -> list[int]:
        """Send again, with its schedule started afresh and the same webhook-id: one delivery
        (any status but one being posted), or every failed one since ``since``. The ids."""
        conditions = [_d.c.webhook_id == webhook_id, _d.c.lease_until < now]
        if delivery_id is not None:
            conditions.append(_d.c.id == delivery_id)
        else:
            conditions += [
                _d.c.status == DeliveryStatus.FAILED.value,
                _d.c.created_at >= (since or 0),
            ]
        async with self._db.write("replay_webhook_deliveries") as conn:
            rows = await conn.execute(
                update(_d)
                .where(and_(*conditions))
                .values(status=DeliveryStatus.PENDING.value, attempts=0, next_attempt_at=now)
                .returning(_d.c.id)
            )
            return [row.id for row in rows]

    async def delivery(self, webhook_id: int, delivery_id: int) -> Delivery | None:
        async with self._db.read("webhook_delivery") as conn:
            row = (
                await conn.execute(
                    select(*_DELIVERY_COLUMNS)
                    .join(webhook_events, webhook_events.c.id == _d.c.event_id)
                    .where(_d.c.webhook_id == webhook_id, _d.c.id == delivery_id)
                )
            ).first()
        return _delivery(row) if row else None

    # ---- retention ---------------------------------------------------------------------------

    async def prune(self, now: int, *, keep_ms: int, batch: int = PRUNE_BATCH) -> Pruned:
        """Delete deliveries finished (succeeded, or failed with their retries spent) whose
        last attempt is older than ``keep_ms``, then dispatched events as old with no
        delivery left; pending deliveries (a paused webhook's too) and their events stay.
        ``batch`` rows per transaction (SQLite's writer is free in between); each delete
        checks its conditions again, so nodes pruning at once, or a replay racing it, do no
        harm."""
        cutoff = now - keep_ms
        finished = (DeliveryStatus.SUCCEEDED.value, DeliveryStatus.FAILED.value)
        deliveries = 0
        while True:
            async with self._db.write("prune_webhook_deliveries") as conn:
                ids = (
                    await conn.execute(
                        select(_d.c.id)
                        .where(_d.c.status.in_(finished), _d.c.last_attempt_at < cutoff)
                        .limit(batch)
                    )
                ).scalars()
                gone = await conn.execute(
                    delete(_d).where(
                        _d.c.id.in_(list(ids)),
                        _d.c.status.in_(finished),
                        _d.c.last_attempt_at < cutoff,
                    )
                )
            deliveries += gone.rowcount
            if gone.rowcount < batch:
                break
        events = 0
        left = select(_d.c.id).where(_d.c.event_id == webhook_events.c.id).exists()
        while True:
            async with self._db.write("prune_webhook_events") as conn:
                ids = (
                    await conn.execute(
                        select(webhook_events.c.id)
                        .where(
                            webhook_events.c.created_at < cutoff,
                            webhook_events.c.dispatched.is_(True),
                            ~left,
                        )
                        .limit(batch)
                    )
                ).scalars()
                gone = await conn.execute(
                    delete(webhook_events).where(
                        webhook_events.c.id.in_(list(ids)),
                        webhook_events.c.dispatched.is_(True),
                        ~left,
                    )
                )
            events += gone.rowcount
            if gone.rowcount < batch:
                break
        return Pruned(deliveries=deliveries, events=events)

    async def outstanding(self) -> int:
        """Events not yet dispatched and deliveries not yet done (for the benchmark)."""
        async with self._db.read("webhook_outstanding") as conn:
            events = (
                await conn.execute(
                    select(func.count())
                    .select_from(webhook_events)
                    .where(webhook_events.c.dispatched.is_(False))
                )
            ).scalar_one()
            pending = (
                await conn.execute(
                    select(func.count())
                    .select_from(_d)
                    .where(_d.c.status == DeliveryStatus.PENDING.value)
                )
            ).scalar_one()
        return int(events) + int(pending)
