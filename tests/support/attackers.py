"""Clients that misbehave at the socket level, for the network-edge tests and bench/edge.py.

A WebSocket client that floods pings and never reads the pongs, and HTTP clients that send a
request a byte every few seconds (slowloris). They speak raw bytes on purpose: a WebSocket
library would read the pongs and answer the server's close frames, which is exactly what an
attacker does not do.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

_MASK = b"\x5a\x17\xc3\x81"
PING = 0x9
TEXT = 0x1


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One masked, final frame of up to 125 bytes, as a client must send it."""
    assert len(payload) <= 125
    masked = bytes(byte ^ _MASK[i % 4] for i, byte in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + _MASK + masked


# About 1 MiB of pings with the largest payload a control frame may carry: each one makes the
# server queue a pong as large.
PING_BURST = client_frame(PING, b"p" * 125) * 8000
# The same with a `sync` request every 64 KiB (for a signed-in flooder): whichever read makes
# the server stop reading holds one, so a request waits on the client's reading too.
SYNC_REQUEST = client_frame(TEXT, b'{"op":"sync","data":{"private_seq":0}}')
PING_AND_SYNC_BURST = (client_frame(PING, b"p" * 125) * 500 + SYNC_REQUEST) * 16


def rss_bytes(pid: int) -> int:
    """The resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


class RssWatch:
    """Samples a process's resident memory until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.start_bytes = rss_bytes(pid)
        self.peak_bytes = self.start_bytes
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RssWatch:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self.peak_bytes = max(self.peak_bytes, rss_bytes(self.pid))

    async def _sample(self) -> None:
        while True:
            self.peak_bytes = max(self.peak_bytes, rss_bytes(self.pid))
            await asyncio.sleep(self.interval)


async def open_websocket(
    port: int, *, origin: str | None = None, host: str = "127.0.0.1"
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]:
    """A TCP connection and the upgrade request; returns the answer's status line and
    headers (the connection is a WebSocket when that says 101)."""
    reader, writer = await asyncio.open_connection(host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    head = (
        f"GET /ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
    )
    if origin is not None:
        head += f"Origin: {origin}\r\n"
    writer.write(head.encode() + b"\r\n")
    answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    return reader, writer, answer


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One unmasked server frame: (opcode, payload)."""
    first, second = await reader.readexactly(2)
    length = second & 0x7F
    if length == 126:
        length = int.from_bytes(await reader.readexactly(2))
    elif length == 127:
        length = int.from_bytes(await reader.readexactly(8))
    return first & 0x0F, await reader.readexactly(length)


async def authenticate(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, token: str
) -> None:
    request = orjson.dumps({"id": 1, "op": "auth", "data": {"token": token}})
    writer.write(client_frame(TEXT, request) if len(request) <= 125 else _long_text(request))
    opcode, payload = await asyncio.wait_for(read_frame(reader), 10)
    assert opcode == TEXT and orjson.loads(payload)["ok"] is True, payload


def _long_text(payload: bytes) -> bytes:
    masked = bytes(byte ^ _MASK[i % 4] for i, byte in enumerate(payload))
    return bytes([0x80 | TEXT, 0x80 | 126]) + len(payload).to_bytes(2) + _MASK + masked


@dataclass
class Flood:
    sent_bytes: int = 0
    # Whether the server hung up (the flood's writes failed, or its socket reached EOF).
    closed_by_server: bool = False
    # Whether it did while the flooder still sent and read nothing.
    closed_while_flooding: bool = False


async def ping_flood(
    port: int,
    seconds: float,
    *,
    token: str | None = None,
    with_requests: bool = False,
    linger: float = 15.0,
) -> Flood:
    """Send pings (and with ``with_requests``, a `sync` every 64 KiB) as fast as the server
    takes them for ``seconds``, reading nothing; then wait up to ``linger`` seconds for the
    server to hang up."""
    reader, writer, answer = await open_websocket(port)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    if token is not None:
        await authenticate(reader, writer, token)
    flood = Flood()
    burst = PING_AND_SYNC_BURST if with_requests else PING_BURST
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            writer.write(burst)
            flood.sent_bytes += len(burst)
            # A server that stopped reading makes drain wait: keep trying until the deadline.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(writer.drain(), max(0.01, deadline - time.monotonic()))
    except (ConnectionError, OSError):
        flood.closed_by_server = flood.closed_while_flooding = True
    if not flood.closed_by_server:
        # Read (and drop) what the server queued, until it hangs up or linger runs out.
        with contextlib.suppress(TimeoutError, ConnectionError, OSError):
            async with asyncio.timeout(linger):
                while await reader.read(1024 * 1024):
                    pass
                flood.closed_by_server = True
    await _hang_up(writer)
    return flood


async def slowloris(port: int, request: bytes, *, every: float, limit: float) -> bool:
    """Send ``request`` a byte every ``every`` seconds; True when the server hangs up (or
    answers and hangs up) within ``limit`` seconds, False when it never does."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def trickle() -> None:
        for byte in request:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(every)
        await asyncio.sleep(limit)  # all sent: now just hold the connection

    sender = asyncio.create_task(trickle())
    try:
        async with asyncio.timeout(limit):
            while await reader.read(4096):
                pass
        return True
    except TimeoutError:
        return False
    except (ConnectionError, OSError):
        return True
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError, OSError):
            await sender
        await _hang_up(writer)


async def _hang_up(writer: asyncio.StreamWriter) -> None:
    writer.transport.abort()
    with contextlib.suppress(ConnectionError, OSError):
        await writer.wait_closed()
