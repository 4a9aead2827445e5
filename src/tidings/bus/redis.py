"""The bus over Redis pub/sub, for several nodes (PRODUCT.md N2).

Every node publishes on one channel and hears every other node. Local subscribers are called
at once, without the round trip; a node's own messages come back from Redis and are skipped
by their first line, unparsed. Publishing only queues: one task sends the queue in order, as
pipelines of up to ``PUBLISH_BATCH`` messages on one connection, so a burst of sends costs a
few round trips instead of one connection each (which exhausted redis-py's pool under load
and reordered pushes). Both connections are ``bus/resp.py``'s lean ones (decision 22).

Redis is best effort like every push: while it is unreachable, other nodes miss pushes and
clients catch up by sync. Lost bus messages may also have been cache invalidations
(RosterChanged), so a gap is told as ``BusGap``: to this node's handlers when its
subscription comes back, and to every node once Redis takes this node's messages again after
some were dropped; caches are then emptied. The listener pings every ``PING_SECONDS`` (a
Redis that vanished without closing the socket is noticed too), reconnects with backoff and
tells ``on_reconnect`` hooks, so presence can be written again into a Redis that restarted empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

from tidings.bus import resp
from tidings.bus.base import Handler
from tidings.bus.codec import LIST_MAX, decode, encode, origin_prefix
from tidings.bus.messages import BusGap, BusMessage
from tidings.metrics import BUS_DROPPED, BUS_GAPS, BUS_PUBLISHED, BUS_RECEIVED

logger = logging.getLogger(__name__)

CHANNEL = b"tidings:bus"
PUBLISH_BATCH = 256
# While Redis is away the queue is dropped past this (clients catch up by sync).
MAX_QUEUED = 100_000
# Redis answers in well under a millisecond; past this the connection is given up.
REPLY_TIMEOUT = 5.0
PING_SECONDS = 5.0

_PING = resp.command(b"PING")


class RedisBus:
    def __init__(
        self,
        url: str,
        node_id: str,
        *,
        ping_seconds: float = PING_SECONDS,
        reply_timeout: float = REPLY_TIMEOUT,
        list_max: int = LIST_MAX,
    ) -> None:
        self._url = url
        self._list_max = list_max
        self._ping_seconds = ping_seconds
        self._reply_timeout = reply_timeout
        self.node_id = node_id
        self._own = origin_prefix(node_id)
        self._handlers: list[Handler] = []
        self._reconnect_hooks: list[Callable[[], Awaitable[None]]] = []
        self._listener: asyncio.Task[None] | None = None
        self._publisher: asyncio.Task[None] | None = None
        self._sender: resp.RespConnection | None = None
        self._outbox: deque[bytes] = deque()
        self._queued = asyncio.Event()
        self._subscribed = asyncio.Event()
        self._last_error_log = 0.0
        # Some of this node's messages were dropped: tell every node before the next ones.
        self._dropped = False

    def subscribe(self, handler: Handler) -> None:
        self._handlers.append(handler)

    def on_reconnect(self, hook: Callable[[], Awaitable[None]]) -> None:
        self._reconnect_hooks.append(hook)

    async def publish(self, message: BusMessage) -> None:
        self._deliver(message)
        if len(self._outbox) >= MAX_QUEUED:
            BUS_DROPPED.inc(len(self._outbox))
            self._outbox.clear()
            self._dropped = True
            self._log_outage(resp.RespError("publish queue full"))
        self._outbox.append(encode(message, self.node_id, list_max=self._list_max))
        self._queued.set()

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="redis-bus")
        self._publisher = asyncio.create_task(self._publish_queued(), name="redis-bus-publish")
        # Start serving only once subscribed, or this node would miss its first pushes.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), 10)

    async def stop(self) -> None:
        if self._outbox:
            with contextlib.suppress(resp.RespError, TimeoutError):
                await asyncio.wait_for(self._send_outbox(), 2)
        for task in (self._publisher, self._listener):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._sender is not None:
            self._sender.close()

    async def _publish_queued(self) -> None:
        while True:
            await self._queued.wait()
            self._queued.clear()
            try:
                await self._send_outbox()
            except (resp.RespError, TimeoutError) as error:
                self._log_outage(error)  # a batch in flight is lost; sync fills the gap
                if self._sender is not None:
                    self._sender.close()
                    self._sender = None
                await asyncio.sleep(0.1)
                if self._outbox:
                    self._queued.set()

    async def _send_outbox(self) -> None:
        outbox = self._outbox
        while outbox:
            if self._sender is None or self._sender.lost.done():
                self._sender = await resp.connect(self._url)
            if self._dropped:
                self._dropped = False
                outbox.appendleft(encode(BusGap(), self.node_id))
            batch = [outbox.popleft() for _ in range(min(len(outbox), PUBLISH_BATCH))]
            commands = [resp.command(b"PUBLISH", CHANNEL, payload) for payload in batch]
            try:
                await asyncio.wait_for(
                    self._sender.execute(commands, len(commands)), self._reply_timeout
                )
            except BaseException:
                BUS_DROPPED.inc(len(batch))
                self._dropped = True
                raise
            BUS_PUBLISHED.inc(len(batch))

    async def _listen(self) -> None:
        delay = 0.1
        first = True
        while True:
            connection: resp.RespConnection | None = None
            try:
                connection = await resp.connect(self._url, self._receive)
                await asyncio.wait_for(
                    connection.execute([resp.command(b"SUBSCRIBE", CHANNEL)], 1),
                    self._reply_timeout,
                )
                self._subscribed.set()
                delay = 0.1
                if not first:
                    logger.info("bus reconnected to Redis")
                    BUS_GAPS.inc()
                    self._deliver(BusGap())
                    await self._run_reconnect_hooks()
                first = False
                await self._keep_alive(connection)
            except asyncio.CancelledError:
                raise
            except (resp.RespError, TimeoutError, OSError) as error:
                self._log_outage(error)
                first = False
            finally:
                if connection is not None:
                    connection.close()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def _run_reconnect_hooks(self) -> None:
        for hook in self._reconnect_hooks:
            try:
                await hook()
            except Exception as error:  # their own Redis calls: retried by their own timers
                logger.warning("after the bus reconnected, %s failed: %s", hook, error)

    async def _keep_alive(self, connection: resp.RespConnection) -> None:
        """Return when the subscription's connection is lost or stops answering."""
        while True:
            done, _ = await asyncio.wait({connection.lost}, timeout=self._ping_seconds)
            if done:
                raise resp.RespError("Redis connection lost")
            await asyncio.wait_for(connection.execute([_PING], 1), self._reply_timeout)

    def _receive(self, data: bytes) -> None:
        if data.startswith(self._own):
            return  # published here, delivered here already
        try:
            message = decode(data)
        except (ValueError, KeyError, TypeError):
            logger.warning("ignoring a malformed bus message")
            return
        BUS_RECEIVED.inc()
        if isinstance(message, BusGap):
            BUS_GAPS.inc()
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
