"""A WebSocket client that costs little, for the scale benchmarks (issue 6).

The websockets library's asyncio client is comfortable but costs tens of KiB and a task per
connection, and parses every frame in Python generators: 100,000 of them do not fit one
load-generator process, and 10,000 receivers of a group message would measure the client.
``LeanSocket`` is an asyncio protocol instead:

- the opening handshake is the library's (a throwaway ``ClientProtocol``);
- frames it sends are the library's (``Frame.serialize``, masked as RFC 6455 requires);
- frames it receives are unmasked server frames, cut out of the stream by the 2-10 byte
  header (the server negotiates no extension), and handed over as raw JSON bytes with the
  time they arrived; the scenario decides whether to parse them.

It serves the scale benchmarks and the 1:1 load generator (bench/loadgen.py), where the
asyncio client cost ~150 µs of load-generator CPU per message on a machine whose two cores
the server needs.
"""

from __future__ import annotations

import asyncio
import itertools
import struct
import time
from collections.abc import Callable
from typing import Any

import orjson
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

# on_push(socket, payload, now): one text frame's JSON bytes, and ``now``, the time (by the
# socket's clock) at which the data holding it was read.
OnMessage = Callable[["LeanSocket", bytes, float], None]

_OP_TEXT, _OP_CLOSE = 0x1, 0x8


class LeanSocket(asyncio.Protocol):
    """One client connection. Every text frame goes to ``on_push`` except the replies that
    ``request`` awaits: pushes, and replies to requests sent without ``request`` (``send``
    with a ``request_id``, or ``send_raw`` with an ``id`` in the envelope), which the caller
    matches by id itself; keep such ids apart from those of ``request``s in flight on the same
    socket (``request`` numbers from 1 in each process). ``now`` is read from ``clock``:
    ``time.perf_counter`` unless ``connect`` is given another, e.g. ``time.monotonic``, for
    times compared across processes."""

    __slots__ = (
        "_buffer",
        "_clock",
        "_handshake",
        "_replies",
        "_transport",
        "closed",
        "index",
        "on_push",
        "opened",
    )

    def __init__(
        self,
        url: str,
        index: int,
        on_push: OnMessage | None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        loop = asyncio.get_running_loop()
        self._clock = clock
        self._handshake: ClientProtocol | None = ClientProtocol(parse_uri(url))
        self._transport: asyncio.Transport | None = None
        self._buffer = b""
        self._replies: dict[Any, asyncio.Future[Any]] = {}
        self.index = index
        self.on_push = on_push
        self.opened: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        handshake = self._handshake
        assert handshake is not None
        handshake.send_request(handshake.connect())
        for data in handshake.data_to_send():
            self._transport.write(data)  # type: ignore[union-attr]

    def data_received(self, data: bytes) -> None:
        now = self._clock()
        if self._handshake is not None:
            self._handshake.receive_data(data)
            for event in self._handshake.events_received():
                if isinstance(event, Response):
                    if event.status_code == 101:
                        self._handshake = None
                        self.opened.set_result(None)
                    else:
                        self.opened.set_exception(RuntimeError(f"handshake: {event.status_code}"))
            return
        buffer = self._buffer + data if self._buffer else data
        offset = 0
        size = len(buffer)
        while size - offset >= 2:
            first, second = buffer[offset], buffer[offset + 1]
            length = second & 0x7F
            header = 2
            if length == 126:
                if size - offset < 4:
                    break
                (length,) = struct.unpack_from("!H", buffer, offset + 2)
                header = 4
            elif length == 127:
                if size - offset < 10:
                    break
                (length,) = struct.unpack_from("!Q", buffer, offset + 2)
                header = 10
            end = offset + header + length
            if end > size:
                break
            opcode = first & 0x0F
            if opcode == _OP_TEXT:
                self._message(buffer[offset + header : end], now)
            elif opcode == _OP_CLOSE and self._transport is not None:
                self._transport.close()
            offset = end
        self._buffer = buffer[offset:]

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(None)
        for future in self._replies.values():
            if not future.done():
                future.set_exception(ConnectionError("connection lost"))
        self._replies.clear()

    # Use

    @property
    def open(self) -> bool:
        return self._transport is not None

    def send(self, op: str, data: dict[str, Any] | None = None, request_id: Any = None) -> None:
        envelope: dict[str, Any] = {"op": op, "data": data or {}}
        if request_id is not None:
            envelope["id"] = request_id
        self.send_raw(orjson.dumps(envelope))

    def send_raw(self, payload: bytes) -> None:
        if self._transport is not None:
            self._transport.write(Frame(Opcode.TEXT, payload).serialize(mask=True, extensions=[]))

    async def request(self, op: str, data: dict[str, Any] | None = None) -> Any:
        """Send a request and wait for its reply's data (pushes meanwhile go to on_push)."""
        request_id = next(_ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._replies[request_id] = future
        self.send(op, data, request_id)
        return await future

    def close(self) -> None:
        if self._transport is not None:
            self._transport.write(
                Frame(Opcode.CLOSE, b"\x03\xe8").serialize(mask=True, extensions=[])
            )
            self._transport.close()

    def _message(self, payload: bytes, now: float) -> None:
        # Parsed here only while a request() waits: otherwise no reply can be one of ours.
        if self._replies and payload.startswith(b'{"id"'):
            reply = orjson.loads(payload)
            future = self._replies.pop(reply.get("id"), None)
            if future is not None:
                if not future.done():
                    if reply.get("ok"):
                        future.set_result(reply.get("data"))
                    else:
                        error = RuntimeError(f"request failed: {reply.get('error')}")
                        future.set_exception(error)
                return
        if self.on_push is not None:
            self.on_push(self, payload, now)


_ids = itertools.count(1)


async def connect(
    url: str,
    *,
    source: str = "127.0.0.1",
    index: int = 0,
    token: str | None = None,
    on_push: OnMessage | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> LeanSocket:
    """Open a connection from ``source`` (a 127.0.0.x address) and authenticate with ``token``;
    ``on_push`` gets the frames, with the time they arrived by ``clock`` (see LeanSocket)."""
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    loop = asyncio.get_running_loop()
    _, socket = await loop.create_connection(
        lambda: LeanSocket(url, index, on_push, clock), host, int(port), local_addr=(source, 0)
    )
    await socket.opened
    if token is not None:
        await socket.request("auth", {"token": token})
    return socket


def source_address(index: int, per_address: int = 25_000) -> str:
    """Past ~28,000 connections one source address runs out of ephemeral ports."""
    return f"127.0.0.{1 + index // per_address}"
