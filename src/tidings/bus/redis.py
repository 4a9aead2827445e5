"""The bus over Redis pub/sub, for several nodes (PRODUCT.md N2).

Every node publishes on one channel and hears every other node. Local subscribers are called
at once, without the round trip; messages a node hears from itself are skipped. Publishing
only queues: one task sends the queue in order, as pipelines of up to ``PUBLISH_BATCH``
messages on one connection, so a burst of sends costs a few round trips instead of one
connection each (which exhausted the pool under load and reordered pushes). Redis is
best effort like every push: while it is unreachable, other nodes miss pushes and clients
catch up by sync; the listener reconnects with backoff and tells ``on_reconnect`` hooks, so
presence can be written again into a Redis that restarted empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from tidings.bus.base import Handler
from tidings.bus.codec import decode, encode
from tidings.bus.messages import BusMessage

logger = logging.getLogger(__name__)

CHANNEL = "tidings:bus"
PUBLISH_BATCH = 256
# While Redis is away the queue is dropped past this (clients catch up by sync).
MAX_QUEUED = 100_000


class RedisBus:
    def __init__(self, redis: Redis, node_id: str) -> None:
        self._redis = redis
        self.node_id = node_id
        self._handlers: list[Handler] = []
        self._reconnect_hooks: list[Callable[[], Awaitable[None]]] = []
        self._listener: asyncio.Task[None] | None = None
        self._publisher: asyncio.Task[None] | None = None
        self._outbox: deque[bytes] = deque()
        self._queued = asyncio.Event()
        self._subscribed = asyncio.Event()
        self._last_error_log = 0.0

    def subscribe(self, handler: Handler) -> None:
        self._handlers.append(handler)

    def on_reconnect(self, hook: Callable[[], Awaitable[None]]) -> None:
        self._reconnect_hooks.append(hook)

    async def publish(self, message: BusMessage) -> None:
        self._deliver(message)
        if len(self._outbox) >= MAX_QUEUED:
            self._outbox.clear()
            self._log_outage(RedisError("publish queue full"))
        self._outbox.append(encode(message, self.node_id))
        self._queued.set()

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="redis-bus")
        self._publisher = asyncio.create_task(self._publish_queued(), name="redis-bus-publish")
        # Start serving only once subscribed, or this node would miss its first pushes.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), 10)

    async def stop(self) -> None:
        if self._outbox:
            with contextlib.suppress(RedisError, OSError, TimeoutError):
                await asyncio.wait_for(self._send_outbox(), 2)
        for task in (self._publisher, self._listener):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._redis.aclose()

    async def _publish_queued(self) -> None:
        while True:
            await self._queued.wait()
            self._queued.clear()
            try:
                await self._send_outbox()
            except (RedisError, OSError) as error:
                self._log_outage(error)  # that batch is lost; sync fills the gap
                await asyncio.sleep(0.1)
                if self._outbox:
                    self._queued.set()

    async def _send_outbox(self) -> None:
        outbox = self._outbox
        while outbox:
            batch = [outbox.popleft() for _ in range(min(len(outbox), PUBLISH_BATCH))]
            async with self._redis.pipeline(transaction=False) as pipe:
                for payload in batch:
                    pipe.publish(CHANNEL, payload)
                await pipe.execute()

    async def _listen(self) -> None:
        delay = 0.1
        first = True
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    self._subscribed.set()
                    delay = 0.1
                    if not first:
                        logger.info("bus reconnected to Redis")
                        for hook in self._reconnect_hooks:
                            await hook()
                    first = False
                    while True:
                        raw = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5)
                        if raw is None or raw.get("type") != "message":
                            continue
                        self._receive(raw["data"])
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as error:
                self._log_outage(error)
                first = False
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _receive(self, data: bytes) -> None:
        try:
            origin, message = decode(data)
        except (ValueError, KeyError, TypeError):
            logger.warning("ignoring a malformed bus message")
            return
        if origin != self.node_id:
            self._deliver(message)

    def _deliver(self, message: BusMessage) -> None:
        for handler in self._handlers:
            try:
                handler(message)
            except Exception:
                logger.exception("bus handler failed on %s", type(message).__name__)

    def _log_outage(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_error_log > 5:
            self._last_error_log = now
            logger.warning("Redis unavailable, pushes to other nodes are lost: %s", error)
