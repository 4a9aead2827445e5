"""Web Push: subscriptions, and a push to users whose devices are all closed (issue 12).

Sending a message never waits for a push service: the publisher hands each new message to
``on_entry``, which only queues it. A background worker takes what queued up within
``push_coalesce_seconds``, keeps the members who have a push subscription and no connected
device (the presence registry: Redis when scaled out), judges each one's choices (mute, view
mode, do-not-disturb, the conversation's pop-ups: tidings.domain.push) and posts one
encrypted push per member, conversation and subscription, ``push_concurrency`` at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

import orjson

from tidings.actions.context import Actor
from tidings.actions.rosters import RosterCache
from tidings.actions.user_settings import UserSettingsActions
from tidings.bus.presence import PresenceRegistry
from tidings.config import Settings
from tidings.domain.clock import now_ms
from tidings.domain.conversations import Role, Roster
from tidings.domain.entries import Entry, EntryKind
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.push import Recipient, payload, wants_push
from tidings.metrics import WEB_PUSHES as PUSHES
from tidings.push.crypto import VapidKey, b64url, b64url_decode, encrypt, valid_subscription_keys
from tidings.push.sender import EndpointRefused, OutboundRules, Outcome, PushSender
from tidings.store.accounts import AccountStore
from tidings.store.privacy import PrivacyStore
from tidings.store.push import PushStore, PushSubscription
from tidings.workers import WorkerPool

log = logging.getLogger(__name__)

# A queued message: the entry and who may hear of it.
Queued = tuple[Entry, tuple[int, ...]]


class PushNotifications:
    def __init__(
        self,
        *,
        settings: Settings,
        store: PushStore,
        accounts: AccountStore,
        user_settings: UserSettingsActions,
        rosters: RosterCache,
        presence: PresenceRegistry,
        locks: PrivacyStore,
    ) -> None:
        self._settings = settings
        self._locks = locks
        self._store = store
        self._accounts = accounts
        self._user_settings = user_settings
        self._rosters = rosters
        self._presence = presence
        self._rules = OutboundRules.of(settings.push_allowed_networks)
        self._queue: asyncio.Queue[Queued] = asyncio.Queue(settings.push_queue_max)
        self._key: VapidKey | None = None
        self._sender: PushSender | None = None
        self._worker: asyncio.Task[None] | None = None
        # Encryption (an ECDH per push) runs in a thread of its own, not on the event loop
        # that serves sends (decision 0046; bench/web_push.py).
        self._crypto = WorkerPool("web-push", 1)

    # ---- ops ------------------------------------------------------------------------------

    async def config(self, actor: Actor) -> dict[str, str | None]:
        if not self._settings.push_enabled:
            return {"vapid_public_key": None}
        return {"vapid_public_key": (await self._vapid()).public_key}

    async def do_subscribe(self, actor: Actor, endpoint: str, p256dh: str, auth: str) -> None:
        """Keep this browser's subscription for this session (a new one replaces it)."""
        if not self._settings.push_enabled:
            raise TidingsError(ErrorCode.PUSH_UNAVAILABLE, "push is off on this server")
        if not valid_subscription_keys(p256dh, auth):
            raise TidingsError(
                ErrorCode.INVALID_INPUT, "keys: not a P-256 public key and a 16-byte auth secret"
            )
        try:
            await self._rules.check(endpoint)
        except EndpointRefused as exc:
            raise TidingsError(ErrorCode.PUSH_ENDPOINT_REFUSED, str(exc)) from None
        await self._store.subscribe(
            user_id=actor.user_id,
            session_id=actor.session_id,
            endpoint=endpoint,
            p256dh=p256dh,
            auth=auth,
            now=now_ms(),
        )

    async def do_unsubscribe(self, actor: Actor, endpoint: str) -> None:
        await self._store.unsubscribe(user_id=actor.user_id, endpoint=endpoint)

    # ---- the hook and the worker ----------------------------------------------------------

    def on_entry(self, entry: Entry, user_ids: Iterable[int]) -> None:
        """Called by the publisher for every entry it pushes: queue new messages (never
        blocks; when the queue is full the push is dropped, sync still delivers)."""
        if entry.kind is not EntryKind.MESSAGE or self._worker is None:
            return
        try:
            self._queue.put_nowait((entry, tuple(u for u in user_ids if u != entry.sender_id)))
        except asyncio.QueueFull:
            PUSHES.labels("dropped").inc()

    def start(self) -> None:
        if self._settings.push_enabled and self._worker is None:
            self._sender = PushSender(
                self._rules,
                concurrency=self._settings.push_concurrency,
                timeout=self._settings.push_timeout_seconds,
            )
            self._worker = asyncio.create_task(self._run(), name="web-push")

    async def stop(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        if self._sender is not None:
            await self._sender.close()
        self._crypto.close()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._closed_audience(await self._queue.get())]
            # Whatever else arrives within the window goes out with it, one push per member
            # and conversation.
            deadline = loop.time() + self._settings.push_coalesce_seconds
            while (remaining := deadline - loop.time()) > 0:
                # asyncio.timeout, not wait_for: Python 3.11's wait_for swallows a cancel
                # that comes as the item does, and stop() would wait for ever.
                try:
                    async with asyncio.timeout(remaining):
                        item = await self._queue.get()
                except TimeoutError:
                    break
                batch.append(await self._closed_audience(item))
            try:
                await self._push(batch)
            except Exception:
                log.exception("web push batch failed")

    async def _closed_audience(self, item: Queued) -> Queued:
        """The message's audience narrowed, as it is taken off the queue (moments after the
        send), to those with a subscription and no connected device: a message a device
        received live is not pushed later, whoever closes the app meanwhile."""
        entry, users = item
        try:
            # Presence first: it is in memory (or one Redis call), so it is read as close to
            # the send as can be.
            online = await self._presence.online(list(users)) if users else {}
            offline = [u for u in users if not online.get(u, False)]
            return entry, tuple(await self._store.subscribed(offline))
        except Exception:
            log.exception("web push: who is offline")
            return entry, ()

    async def _push(self, batch: list[Queued]) -> None:
        # Messages by conversation, in order, and everyone who may hear of them.
        by_conversation: dict[int, list[Queued]] = {}
        for item in batch:
            by_conversation.setdefault(item[0].conversation_id, []).append(item)
        everyone = sorted({u for _, users in batch for u in users})
        now = now_ms()
        subscribers = await self._store.subscribers(everyone, now)
        closed = list(subscribers)
        if not closed:
            return
        user_settings = await self._user_settings.of_users(closed)
        posts: list[tuple[PushSubscription, dict[str, object]]] = []
        for conversation_id, items in by_conversation.items():
            audience = sorted({u for _, users in items for u in users} & set(closed))
            if not audience:
                continue
            roster = await self._rosters.get(conversation_id)
            states = {
                s.user_id: s for s in await self._store.alert_states(conversation_id, audience)
            }
            senders = await self._accounts.users(
                sorted({e.sender_id for e, _ in items if e.sender_id is not None})
            )
            for user_id in audience:
                state = states.get(user_id)
                if state is None:
                    continue  # left the conversation meanwhile
                recipient = Recipient(user_id, user_settings[user_id], state.muted, state.view_mode)
                wanted = [
                    entry
                    for entry, users in items
                    if user_id in users
                    and wants_push(
                        recipient,
                        entry,
                        sender_is_admin=_is_admin(roster, entry.sender_id),
                        now_ms=now,
                    )
                ]
                if not wanted:
                    continue
                sender = senders.get(wanted[-1].sender_id or 0)
                lock = await self._locks.lock(user_id)
                message = payload(
                    locked=lock.code_hash is not None and conversation_id in lock.conversation_ids,
                    settings=recipient.settings,
                    user_id=user_id,
                    entries=wanted,
                    conversation_type=state.conversation_type,
                    conversation_name=state.conversation_name,
                    sender_name=sender.nickname if sender else "",
                )
                posts.extend((sub, message) for sub in subscribers[user_id])
        if not posts:
            return
        outcomes = await asyncio.gather(*(self._post(sub, message) for sub, message in posts))
        gone = [
            sub.id
            for (sub, _), outcome in zip(posts, outcomes, strict=True)
            if outcome is Outcome.GONE
        ]
        await self._store.remove(gone)

    async def _post(self, subscription: PushSubscription, message: dict[str, object]) -> Outcome:
        assert self._sender is not None
        key = await self._vapid()
        body = await self._crypto.run(
            encrypt, orjson.dumps(message), subscription.p256dh, subscription.auth
        )
        outcome = await self._sender.post(
            subscription.endpoint,
            body,
            authorization=key.authorization(subscription.endpoint, self._settings.push_contact),
            ttl=self._settings.push_ttl_seconds,
            topic=str(message["tag"]),
            urgency="high" if message["body"] is not None else "normal",
        )
        PUSHES.labels(outcome.value).inc()
        return outcome

    async def _vapid(self) -> VapidKey:
        if self._key is None:
            secret = await self._store.server_secret("vapid", b64url(VapidKey.generate()), now_ms())
            self._key = VapidKey(b64url_decode(secret))
        return self._key


def _is_admin(roster: Roster | None, sender_id: int | None) -> bool:
    if roster is None or sender_id is None:
        return False
    member = roster.member(sender_id)
    return member is not None and member.role in (Role.OWNER, Role.ADMIN)
