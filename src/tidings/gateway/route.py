"""The /ws route: moves frames between the socket and the protocol core, runs ops.

Requests on one connection run one at a time, in the order they arrived, so a client's
messages are appended in the order it sent them. Replies and pushes share one outgoing queue.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import deque

from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from tidings.actions.context import Actor
from tidings.container import Container
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.events import CloseCode
from tidings.gateway.ops import OP_NAMES, OPS, OpContext, parse
from tidings.gateway.protocol import Phase, ProtocolCore, Request
from tidings.schemas import AuthInput, Empty

logger = logging.getLogger(__name__)

# A client this far behind is better off reconnecting and syncing than buffering more.
MAX_QUEUED_FRAMES = 5_000


class WsConnection:
    """The sending half of one authenticated WebSocket connection."""

    __slots__ = ("_close", "_drainer", "_queue", "_ws", "id", "session_id", "user_id")

    def __init__(self, websocket: WebSocket, user_id: int, session_id: int) -> None:
        self.id = secrets.token_hex(8)
        self.user_id = user_id
        self.session_id = session_id
        self._ws = websocket
        self._queue: deque[str] = deque()
        self._drainer: asyncio.Task[None] | None = None
        self._close: tuple[int, str] | None = None

    @property
    def closing(self) -> bool:
        return self._close is not None

    def send(self, frame: str) -> None:
        if self._close is not None:
            return
        self._queue.append(frame)
        if len(self._queue) > MAX_QUEUED_FRAMES:
            self._queue.clear()
            self.close(CloseCode.POLICY, "client too slow; reconnect and sync")
            return
        self._ensure_drainer()

    def close(self, code: int, reason: str) -> None:
        if self._close is None:
            self._close = (code, reason)
            self._ensure_drainer()

    async def flushed(self) -> None:
        """Return once the outgoing queue has been written out.

        The session waits for this after each request, so a client that sends requests faster
        than their replies go out is slowed down instead of having the replies to its own
        requests pile up and count against it as "too far behind" (a burst of frames arrives
        all at once and would otherwise be read without the drainer getting a turn).
        """
        drainer = self._drainer
        if drainer is not None:
            await asyncio.shield(drainer)

    def _ensure_drainer(self) -> None:
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while self._queue:
                await self._ws.send_text(self._queue.popleft())
            if self._close is not None and self._ws.application_state is WebSocketState.CONNECTED:
                await self._ws.close(self._close[0], self._close[1][:120])
        except Exception:
            # The peer went away mid-send; the receive loop sees the disconnect.
            self._queue.clear()
            if self._close is None:
                self._close = (CloseCode.GOING_AWAY, "send failed")
        finally:
            self._drainer = None


class GatewayApp:
    """The raw ASGI app for /ws.

    The server dispatches /ws here before FastAPI's routing, middleware and dependency
    machinery: they cost about 11 KiB per connection and do nothing for a WebSocket that
    authenticates in its first frame.
    """

    def __init__(self, container: Container) -> None:
        self._container = container

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive, send)
        await websocket.accept()
        await _GatewaySession(self._container, websocket).run()


class _GatewaySession:
    __slots__ = ("c", "connection", "context", "core", "ws")

    def __init__(self, container: Container, websocket: WebSocket) -> None:
        self.c = container
        self.ws = websocket
        self.core = ProtocolCore(max_frame_bytes=container.settings.max_frame_bytes, ops=OP_NAMES)
        self.connection: WsConnection | None = None
        self.context: OpContext | None = None

    async def run(self) -> None:
        settings = self.c.settings
        try:
            while True:
                timeout = (
                    settings.auth_timeout_seconds
                    if self.core.phase is Phase.AUTHENTICATING
                    else settings.heartbeat_timeout_seconds
                )
                try:
                    async with asyncio.timeout(timeout):
                        message = await self.ws.receive()
                except TimeoutError:
                    code = (
                        CloseCode.AUTH_TIMEOUT
                        if self.core.phase is Phase.AUTHENTICATING
                        else CloseCode.HEARTBEAT_TIMEOUT
                    )
                    self.core.close(code, "no frame in time")
                    await self._flush()
                    break
                if message["type"] == "websocket.disconnect":
                    break
                if self.connection is not None and self.connection.closing:
                    continue
                request = (
                    self.core.receive_text(message["text"])
                    if message.get("text") is not None
                    else self.core.receive_bytes(message.get("bytes") or b"")
                )
                if request is not None:
                    await self._run(request)
                await self._flush()
                if self.core.close_requested and self.connection is None:
                    break
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            if self.connection is not None:
                await self.c.connections.remove(self.connection)
            elif self.ws.application_state is WebSocketState.CONNECTED:
                close_code, reason = self.core.close_requested or (CloseCode.NORMAL, "")
                try:
                    await self.ws.close(close_code, reason)
                except Exception:
                    logger.debug("close failed", exc_info=True)

    async def _run(self, request: Request) -> None:
        try:
            if request.op == "ping":
                parse(Empty, request.data)  # no fields: unknown ones are refused as elsewhere
                self.core.reply(request, {"now": now_ms()})
            elif request.op == "auth":
                await self._authenticate(request)
            else:
                assert self.context is not None
                model, handler = OPS[request.op]
                self.core.reply(request, await handler(self.context, parse(model, request.data)))
                if self.context.close_after_reply is not None:
                    self.core.close(*self.context.close_after_reply)
        except TidingsError as error:
            self.core.fail(request, error)
        except Exception:
            logger.exception("op %s failed", request.op)
            self.core.fail(request, TidingsError(ErrorCode.INTERNAL, "internal error"))

    async def _authenticate(self, request: Request) -> None:
        token = parse(AuthInput, request.data).token
        try:
            user, session = await self.c.accounts.access_session(token)
        except TidingsError as error:
            self.core.fail(request, error)
            self.core.close(CloseCode.INVALID_TOKEN, "invalid token")
            return
        connection = WsConnection(self.ws, user.id, session.id)
        self.connection = connection
        self.context = OpContext(self.c, Actor(user.id, session.id, connection.id), connection)
        self.core.authenticated()
        self.core.reply(request, {"user": user.to_wire(), "session_id": session.id})
        await self._flush()
        await self.c.connections.add(connection)

    async def _flush(self) -> None:
        frames = self.core.data_to_send()
        if self.connection is not None:
            for frame in frames:
                self.connection.send(frame)
            if self.core.close_requested:
                self.connection.close(*self.core.close_requested)
            await self.connection.flushed()
        else:
            for frame in frames:
                await self.ws.send_text(frame)
