"""Lean Redis connections for the bus: RESP2 written by hand, replies parsed by hiredis.

redis-py's pub/sub client spends 15-40 µs of Python per message (its parser, a timeout
context and a retry wrapper around every ``get_message``, a pipeline object per batch);
a node of a cluster reads and writes every push through it. Here a connection is an asyncio
protocol: commands are encoded in one ``join`` per batch, and hiredis (the Redis project's
C parser) cuts every reply and pub/sub message out of whatever arrived, about 1 µs each
(decision 22). The rate limits' scripts go through it too (a hit on every send, decision 25);
presence and the group rate rule stay on redis-py.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any

import hiredis
from redis.connection import SSLConnection, parse_url

OnMessage = Callable[[bytes], None]

CONNECT_TIMEOUT = 5.0


class RespError(ConnectionError):
    """Redis refused a command, or the connection broke: the caller reconnects."""


def command(*args: bytes) -> bytes:
    """One command in RESP: an array of bulk strings."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        parts.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(parts)


@dataclass(slots=True)
class _Batch:
    expected: int
    future: asyncio.Future[list[Any]]
    replies: list[Any] = field(default_factory=list)


class RespConnection(asyncio.Protocol):
    """One connection. ``execute`` sends a batch of commands and waits for their replies in
    order; on a subscribed connection, pub/sub messages go to ``on_message`` as they come."""

    def __init__(self, on_message: OnMessage | None = None) -> None:
        self._reader = hiredis.Reader()
        self._on_message = on_message
        self._transport: asyncio.Transport | None = None
        self._batches: deque[_Batch] = deque()
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        reader = self._reader
        reader.feed(data)
        try:
            while (reply := reader.gets()) is not False:
                self._reply(reply)
        except hiredis.ProtocolError as error:
            self._fail(RespError(f"Redis protocol error: {error}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._fail(RespError(f"Redis connection lost: {exc or 'closed'}"))
        if not self.lost.done():
            self.lost.set_result(None)

    async def execute(self, commands: Iterable[bytes], count: int) -> list[Any]:
        """Send ``count`` encoded commands at once; their replies, errors raised."""
        replies = await self.submit(commands, count)
        for reply in replies:
            if isinstance(reply, hiredis.ReplyError):
                raise RespError(f"Redis refused a command: {reply}")
        return replies

    def submit(self, commands: Iterable[bytes], count: int) -> asyncio.Future[list[Any]]:
        """Send ``count`` encoded commands at once; a future of their replies, a refused
        command's as a ``hiredis.ReplyError`` among them (for callers that need no task)."""
        if self._transport is None:
            raise RespError("Redis connection closed")
        batch = _Batch(count, asyncio.get_running_loop().create_future())
        self._batches.append(batch)
        self._transport.write(b"".join(commands))
        return batch.future

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def _reply(self, reply: Any) -> None:
        if (
            self._on_message is not None
            and type(reply) is list
            and len(reply) == 3
            and reply[0] == b"message"
        ):
            self._on_message(reply[2])
            return
        if not self._batches:
            self._fail(RespError("Redis sent a reply nobody asked for"))
            self.close()
            return
        batch = self._batches[0]
        batch.replies.append(reply)
        if len(batch.replies) == batch.expected:
            self._batches.popleft()
            if not batch.future.done():
                batch.future.set_result(batch.replies)

    def _fail(self, error: RespError) -> None:
        while self._batches:
            future = self._batches.popleft().future
            if not future.done():
                future.set_exception(error)


async def connect(url: str, on_message: OnMessage | None = None) -> RespConnection:
    """Open and authenticate a connection to the Redis named by a redis://, rediss:// or
    unix:// URL (as redis-py reads them)."""
    params: dict[str, Any] = parse_url(url)  # type: ignore[no-untyped-call]
    loop = asyncio.get_running_loop()

    def factory() -> RespConnection:
        return RespConnection(on_message)

    opening: Coroutine[Any, Any, tuple[asyncio.BaseTransport, RespConnection]]
    if "path" in params:
        opening = loop.create_unix_connection(factory, params["path"])
    else:
        secure = params.get("connection_class") is SSLConnection
        tls = ssl.create_default_context() if secure else None
        opening = loop.create_connection(
            factory, params.get("host", "localhost"), params.get("port", 6379), ssl=tls
        )
    try:
        _, connection = await asyncio.wait_for(opening, CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise RespError(f"cannot reach Redis: {error}") from error
    password = params.get("password")
    if password is not None:
        username = params.get("username")
        user = (username.encode(),) if username else ()
        auth = command(b"AUTH", *user, password.encode())
        try:
            await asyncio.wait_for(connection.execute([auth], 1), CONNECT_TIMEOUT)
        except BaseException:
            connection.close()
            raise
    return connection
