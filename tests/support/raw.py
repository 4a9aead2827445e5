"""A bare WebSocket connection that speaks the wire protocol frame by frame (no SDK).

Tests of denials and bad input need to send exactly the frame they mean, including frames no
well-behaved client would send, and to see every frame that comes back.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

REPLY_TIMEOUT = 10.0


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://", 1) + "/ws"


class RawConnection:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        # Pushes seen while waiting for replies, in arrival order.
        self.pushes: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    async def send_frame(self, frame: str | bytes, *, text: bool | None = None) -> None:
        await self.ws.send(frame, text=text)

    def send_burst(self, frames: list[str | bytes]) -> None:
        """Hand many frames to the socket in one write: the server finds them all waiting at
        once, as from a client that sends much faster than it reads."""
        for frame in frames:
            if isinstance(frame, bytes):
                self.ws.protocol.send_binary(frame)
            else:
                self.ws.protocol.send_text(frame.encode())
        self.ws.transport.write(b"".join(self.ws.protocol.data_to_send()))

    async def next_frame(self) -> dict[str, Any]:
        async with asyncio.timeout(REPLY_TIMEOUT):
            raw = await self.ws.recv()
        frame: dict[str, Any] = orjson.loads(raw)
        return frame

    async def reply(self) -> dict[str, Any]:
        """The next reply; pushes before it are kept in ``pushes``."""
        while True:
            frame = await self.next_frame()
            if "push" in frame:
                self.pushes.append(frame)
                continue
            return frame

    async def request(
        self, op: str, data: Any = None, *, request_id: int | str | None = None
    ) -> dict[str, Any]:
        """Send one request and return its reply (the whole envelope)."""
        request_id = next(self._ids) if request_id is None else request_id
        envelope: dict[str, Any] = {"id": request_id, "op": op}
        if data is not None:
            envelope["data"] = data
        await self.send_frame(orjson.dumps(envelope).decode())
        reply = await self.reply()
        assert reply["id"] == request_id, reply
        return reply

    async def ok(self, op: str, data: Any = None) -> Any:
        reply = await self.request(op, data)
        assert reply["ok"] is True, reply
        return reply["data"]

    async def error(self, op: str, data: Any = None) -> str:
        """The error code the request is refused with (failing if it succeeds)."""
        reply = await self.request(op, data)
        assert reply["ok"] is False, f"{op} {data} was accepted: {reply}"
        assert set(reply["error"]) >= {"code", "message"}, reply
        code: str = reply["error"]["code"]
        return code

    async def frame_error(self, frame: str | bytes, *, text: bool | None = None) -> dict[str, Any]:
        """Send a raw frame and return the error reply it gets."""
        await self.send_frame(frame, text=text)
        reply = await self.reply()
        assert reply["ok"] is False, reply
        return reply

    async def assert_alive(self) -> None:
        """The connection still answers, and nothing was pushed to it meanwhile."""
        pong = await self.ok("ping")
        assert pong["now"] > 0
        assert self.pushes == [], f"unexpected pushes: {self.pushes}"


@asynccontextmanager
async def raw_connection(
    base_url: str, token: str | None = None, **options: Any
) -> AsyncIterator[RawConnection]:
    """A connection to /ws, authenticated with ``token`` when one is given."""
    async with connect(ws_url(base_url), **options) as ws:
        connection = RawConnection(ws)
        if token is not None:
            await connection.ok("auth", {"token": token})
        yield connection
