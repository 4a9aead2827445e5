"""Webhooks (issue 14, J2; decision 0068): apps' subscriptions, and the sender that turns
the outbox's events into signed POSTs.

- ``Webhooks``: what an app does under /api/v1/app/webhooks (scope ``webhooks``).
- ``WebhookInterest``: which event types some subscription wants, held in memory on every
  node (``Database.outbox.wanted``), so that a change writes an event only when wanted.
  Kept fresh as site settings are: reloaded by the node that changed a subscription, told
  to the others on the bus (``WebhooksChanged``), reloaded after a bus gap and every
  ``POLL_SECONDS`` as a safety net.
- ``WebhookSender`` (every node runs one): dispatches waiting events into deliveries and
  posts due deliveries under a lease (no two nodes post one at once), retrying on
  Standard Webhooks' schedule; pauses a subscription that keeps failing and tells the
  super admins in their system notices.
- ``WebhookRetention`` (every serving node): deletes finished deliveries and their events
  once they are older than ``webhook_retention_seconds``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any
from urllib.parse import urlsplit

import httpx

from tidings.actions.notices import Notices
from tidings.actions.periodic import PeriodicFlush
from tidings.bus.base import Bus
from tidings.bus.messages import BusGap, BusMessage, WebhooksChanged
from tidings.config import Settings
from tidings.domain import webhooks as rules
from tidings.domain.apps import AppCaller, AppScope
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.webhooks import (
    DeliveryStatus,
    EventType,
    Subscription,
    SubscriptionStatus,
)
from tidings.metrics import WEBHOOK_ATTEMPTS
from tidings.store.database import Database
from tidings.store.outbox import Outbox
from tidings.store.webhooks import Claimed, Paused, Pruned, WebhookStore

logger = logging.getLogger(__name__)

# How often a node reads the wanted event types again without being told (the bus is best
# effort): one small read.
POLL_SECONDS = 30.0
# Events one dispatch takes (one transaction).
DISPATCH_BATCH = 500
Network = IPv4Network | IPv6Network


class WebhookUrls:
    """Where a receiver may be: http(s); public addresses and the networks allowed
    (``webhook_allowed_networks``: the company's private ones by default, loopback only
    when listed); never this server itself. Checked when a URL is given and before each
    post (a name may resolve elsewhere later)."""

    def __init__(self, settings: Settings) -> None:
        self._allowed: tuple[Network, ...] = tuple(
            ip_network(n, strict=False) for n in settings.webhook_allowed_networks
        )
        self._port = settings.port
        self._host = settings.host

    async def check(self, url: str) -> str:
        url = rules.check_url_shape(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError:
            raise _refused(f"the host {host!r} does not resolve") from None
        addresses = {ip_address(str(info[4][0]).split("%")[0]) for info in infos}
        if not addresses:
            raise _refused(f"the host {host!r} does not resolve")
        if port == self._port and any(self._is_this_server(a) for a in addresses):
            raise _refused("a webhook URL may not point at this server itself")
        for address in addresses:
            if not (address.is_global or any(address in n for n in self._allowed)):
                raise _refused(
                    f"{host} is at {address}, which this server may not call "
                    "(TIDINGS_WEBHOOK_ALLOWED_NETWORKS)"
                )
        return url

    def _is_this_server(self, address: IPv4Address | IPv6Address) -> bool:
        if address.is_loopback or address.is_unspecified:
            return True
        if self._host in ("0.0.0.0", "::", ""):
            return address in _own_addresses()
        try:
            return address == ip_address(self._host)
        except ValueError:
            return address in _own_addresses()


def _own_addresses() -> set[IPv4Address | IPv6Address]:
    found: set[IPv4Address | IPv6Address] = set()
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None):
            found.add(ip_address(str(info[4][0]).split("%")[0]))
    return found


def _refused(message: str) -> TidingsError:
    return TidingsError(ErrorCode.WEBHOOK_URL_REFUSED, message)


def _no_webhook() -> TidingsError:
    return TidingsError(ErrorCode.NOT_FOUND, "no such webhook")


class WebhookInterest:
    """This node's view of the event types wanted (store/outbox.py reads it)."""

    def __init__(self, store: WebhookStore, outbox: Outbox, bus: Bus) -> None:
        self._store = store
        self._outbox = outbox
        self._bus = bus
        self._wanted = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Keep it current from now on (``reload`` first: the container does, at start)."""
        self._task = asyncio.create_task(self._keep_current(), name="webhook-interest")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def reload(self) -> None:
        self._outbox.wanted = await self._store.wanted_types()

    async def changed(self) -> None:
        """After this node changed a subscription: here at once, then on every node."""
        await self.reload()
        await self._bus.publish(WebhooksChanged())

    def on_bus(self, message: BusMessage) -> None:
        if isinstance(message, WebhooksChanged | BusGap):
            self._wanted.set()

    async def _keep_current(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wanted.wait()
            self._wanted.clear()
            try:
                await self.reload()
            except Exception:
                logger.exception("could not reload the webhook subscriptions")


class Webhooks:
    """An app's subscriptions, their deliveries and replays."""

    def __init__(
        self,
        *,
        store: WebhookStore,
        urls: WebhookUrls,
        interest: WebhookInterest,
        sender: WebhookSender,
    ) -> None:
        self._store = store
        self._urls = urls
        self._interest = interest
        self._sender = sender

    async def do_create(
        self, app: AppCaller, *, url: str, event_types: Iterable[str], description: str
    ) -> tuple[Subscription, str]:
        """A new subscription and its signing secret (shown now; rotatable)."""
        app.require(AppScope.WEBHOOKS)
        types = rules.parse_event_types(event_types)
        rules.check_scopes(types, app.scopes)
        url = await self._urls.check(url)
        secret = rules.new_secret()
        created = await self._store.create(
            app_id=app.app_id,
            url=url,
            event_types=types,
            description=description.strip(),
            secret=secret,
            now=now_ms(),
        )
        await self._interest.changed()
        return created, secret

    async def list(self, app: AppCaller) -> list[Subscription]:
        app.require(AppScope.WEBHOOKS)
        return await self._store.all_of(app.app_id)

    async def get(self, app: AppCaller, webhook_id: int) -> Subscription:
        app.require(AppScope.WEBHOOKS)
        found = await self._store.get(app.app_id, webhook_id)
        if found is None:
            raise _no_webhook()
        return found

    async def do_update(
        self,
        app: AppCaller,
        webhook_id: int,
        *,
        url: str | None = None,
        event_types: Iterable[str] | None = None,
        description: str | None = None,
    ) -> Subscription:
        app.require(AppScope.WEBHOOKS)
        changes: dict[str, Any] = {}
        if event_types is not None:
            types = rules.parse_event_types(event_types)
            rules.check_scopes(types, app.scopes)
            changes["event_types"] = types
        if url is not None:
            changes["url"] = await self._urls.check(url)
        if description is not None:
            changes["description"] = description.strip()
        updated = await self._store.update(app.app_id, webhook_id, changes, now_ms())
        if updated is None:
            raise _no_webhook()
        if "event_types" in changes:
            await self._interest.changed()
        return updated

    async def do_rotate_secret(self, app: AppCaller, webhook_id: int) -> tuple[Subscription, str]:
        """A new secret, used from the next attempt on (also for deliveries already waiting)."""
        app.require(AppScope.WEBHOOKS)
        secret = rules.new_secret()
        updated = await self._store.update(app.app_id, webhook_id, {"secret": secret}, now_ms())
        if updated is None:
            raise _no_webhook()
        return updated, secret

    async def do_resume(self, app: AppCaller, webhook_id: int) -> Subscription:
        """A paused subscription sends again: its waiting deliveries go at once."""
        app.require(AppScope.WEBHOOKS)
        updated = await self._store.update(
            app.app_id, webhook_id, {"status": SubscriptionStatus.ACTIVE.value}, now_ms()
        )
        if updated is None:
            raise _no_webhook()
        self._sender.wake()
        return updated

    async def do_delete(self, app: AppCaller, webhook_id: int) -> None:
        app.require(AppScope.WEBHOOKS)
        if not await self._store.delete(app.app_id, webhook_id):
            raise _no_webhook()
        await self._interest.changed()

    async def deliveries(
        self,
        app: AppCaller,
        webhook_id: int,
        *,
        before_id: int | None,
        limit: int,
        status: DeliveryStatus | None,
    ) -> dict[str, Any]:
        await self.get(app, webhook_id)
        found = await self._store.deliveries(
            webhook_id, before_id=before_id, limit=limit + 1, status=status
        )
        page = found[:limit]
        return {
            "deliveries": [d.to_wire() for d in page],
            "next_before_id": page[-1].id if len(found) > limit else None,
        }

    async def do_replay(self, app: AppCaller, webhook_id: int, delivery_id: int) -> dict[str, Any]:
        """Send one delivery again (the same webhook-id, its schedule afresh)."""
        await self.get(app, webhook_id)
        if await self._store.delivery(webhook_id, delivery_id) is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such delivery")
        if not await self._store.replay(webhook_id, now_ms(), delivery_id=delivery_id):
            raise TidingsError(ErrorCode.CONFLICT, "this delivery is being sent right now")
        self._sender.wake()
        found = await self._store.delivery(webhook_id, delivery_id)
        assert found is not None
        return found.to_wire()

    async def do_replay_failed(self, app: AppCaller, webhook_id: int, since: int) -> int:
        """Send again every delivery that failed, made at ``since`` (ms) or later."""
        await self.get(app, webhook_id)
        replayed = await self._store.replay(webhook_id, now_ms(), since=since)
        self._sender.wake()
        return len(replayed)


class WebhookSender:
    """Dispatches the outbox and posts deliveries (every node runs one)."""

    def __init__(
        self,
        *,
        settings: Settings,
        store: WebhookStore,
        database: Database,
        urls: WebhookUrls,
        notices: Notices,
        node_id: str,
    ) -> None:
        self._settings = settings
        self._store = store
        self._outbox = database.outbox
        self._urls = urls
        self._notices = notices
        self._node = node_id
        # Long enough for the slowest attempt (the timeout) and writing its result.
        self._lease_ms = int((settings.webhook_timeout_seconds * 2 + 10) * 1000)
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._slots = asyncio.Semaphore(settings.webhook_concurrency)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None
        self._presence_tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        # Made here, in the server's context (not an audited action's: see BroadcastSender).
        self._outbox.written_listeners.append(self.wake)
        self._client = httpx.AsyncClient(
            timeout=self._settings.webhook_timeout_seconds,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=self._settings.webhook_concurrency * 2),
            trust_env=False,
        )
        self._task = asyncio.create_task(self._run(), name="webhook-sender")

    def wake(self) -> None:
        self._wakeup.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for task in list(self._in_flight | self._presence_tasks):
            task.cancel()
        await asyncio.gather(*self._in_flight, *self._presence_tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            # What this node held can go on elsewhere at once.
            await self._store.release_all(self._node)
        if self._client is not None:
            await self._client.aclose()

    # Presence is not stored: its events are written when the transition is seen, on the
    # node that saw it, best effort (a node that dies takes its users' "offline" with it).
    def on_presence(self, user_id: int, online: bool) -> None:
        event = rules.presence_changed(user_id, online, now_ms())
        if event.type not in self._outbox.wanted:
            return
        task = asyncio.create_task(self._write_presence(event))
        self._presence_tasks.add(task)
        task.add_done_callback(self._presence_tasks.discard)

    async def _write_presence(self, event: rules.OutboxEvent) -> None:
        try:
            await self._store.add_events([event])
        except Exception:
            logger.exception("could not write a presence event")

    async def run_once(self) -> int:
        """Dispatch what waits and start posting what is due; how many deliveries started."""
        while await self._store.dispatch(now_ms(), DISPATCH_BATCH) == DISPATCH_BATCH:
            pass
        room = self._settings.webhook_concurrency - len(self._in_flight)
        if room <= 0:
            return 0
        claimed = await self._store.claim(self._node, now_ms(), self._lease_ms, room)
        for delivery in claimed:
            task = asyncio.create_task(self._attempt(delivery))
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        return len(claimed)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        # Room for more: look again now rather than at the next poll.
        self._wakeup.set()

    async def _run(self) -> None:
        with contextlib.suppress(Exception):
            await self._store.release_all(self._node)
        while True:
            self._wakeup.clear()
            try:
                await self.run_once()
            except Exception:
                logger.exception("sending webhooks failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._settings.webhook_poll_seconds)

    async def _attempt(self, delivery: Claimed) -> None:
        body = rules.body_of(
            delivery.event_id, delivery.event_type, delivery.event_created_at, delivery.data
        )
        status_code: int | None = None
        error = ""
        async with self._slots:
            try:
                await self._urls.check(delivery.url)
                assert self._client is not None
                timestamp = int(time.time())
                async with asyncio.timeout(self._settings.webhook_timeout_seconds):
                    response = await self._client.post(
                        delivery.url,
                        content=body,
                        headers=rules.headers(delivery.secret, delivery.msg_id, timestamp, body),
                    )
                status_code = response.status_code
                if not response.is_success:
                    error = f"the receiver answered {status_code}: {response.text[:200]}"
            except TidingsError as refused:
                error = refused.message
            except TimeoutError:
                error = f"no answer within {self._settings.webhook_timeout_seconds:g} s"
            except httpx.HTTPError as failure:
                error = f"{type(failure).__name__}: {failure}"[: rules.MAX_ERROR_TEXT]
        now = now_ms()
        try:
            if not error:
                WEBHOOK_ATTEMPTS.labels("succeeded").inc()
                await self._store.succeeded(delivery, self._node, now, status_code or 200)
                return
            WEBHOOK_ATTEMPTS.labels("failed").inc()
            delay = rules.next_attempt_delay(
                delivery.attempts + 1, self._settings.webhook_retry_seconds
            )
            paused = await self._store.failed(
                delivery,
                self._node,
                now,
                status_code=status_code,
                error=error,
                next_attempt_at=None if delay is None else now + int(delay * 1000),
                pause_after_ms=int(self._settings.webhook_pause_after_seconds * 1000),
                pause_after_failures=self._settings.webhook_pause_after_failures,
            )
            if paused is not None:
                await self._tell_admins(paused)
        except Exception:
            logger.exception("could not record webhook delivery %d", delivery.id)

    async def _tell_admins(self, paused: Paused) -> None:
        sub = paused.subscription
        logger.warning("webhook %d of app %r paused after failing", sub.id, paused.app_name)
        for user_id, system_conversation_id in await self._store.super_admins():
            await self._notices.do_post_notice(
                system_conversation_id,
                user_id,
                title=f"A webhook of the app {paused.app_name} was paused",
                text=(
                    f"Every delivery to {sub.url} failed for "
                    f"{sub.consecutive_failures} attempts in a row, so they wait. The app "
                    "resumes the webhook once its receiver works again "
                    f"(POST /api/v1/app/webhooks/{sub.id}/resume)."
                ),
            )


class WebhookRetention:
    """Deliveries are listed and replayed for ``webhook_retention_seconds`` after their
    last attempt (a succeeded one; a failed one once its retries, a day and more, were
    spent); then they go, and the events with no delivery left as old. Every serving node
    prunes every ``webhook_prune_seconds`` (the deletes are idempotent: nodes pruning at
    once do no harm); pending deliveries, a paused webhook's too, are never pruned."""

    def __init__(self, settings: Settings, store: WebhookStore) -> None:
        self._store = store
        self._keep_ms = int(settings.webhook_retention_seconds * 1000)
        self._chore = PeriodicFlush(
            self._prune, every=settings.webhook_prune_seconds, name="webhook-retention", last=False
        )

    def start(self) -> None:
        self._chore.start()

    async def stop(self) -> None:
        await self._chore.stop()

    async def prune(self, now: int | None = None) -> Pruned:
        """Prune what is older than the retention at ``now`` (ms; the clock's by default)."""
        pruned = await self._store.prune(now_ms() if now is None else now, keep_ms=self._keep_ms)
        if pruned.deliveries or pruned.events:
            logger.info(
                "pruned %d webhook deliveries and %d events", pruned.deliveries, pruned.events
            )
        return pruned

    async def _prune(self) -> None:
        await self.prune()


__all__ = [
    "EventType",
    "WebhookInterest",
    "WebhookRetention",
    "WebhookSender",
    "WebhookUrls",
    "Webhooks",
]
