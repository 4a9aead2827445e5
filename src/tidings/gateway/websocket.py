"""The /ws endpoint: one asyncio protocol object per WebSocket connection.

uvicorn serves HTTP; at an ``Upgrade: websocket`` request it hands the socket to the class
given as its ``ws`` setting, and ``tidings serve`` gives ``GatewayConnection``. From there on
the gateway owns the socket: the websockets library's sans-I/O ``ServerProtocol`` does the
handshake and the framing (control frames, fragments, masking, size limits), the protocol
core turns messages into requests, and ops run in a task that exists only while there is
work. An idle connection is its transport, a ``ServerProtocol`` and a few slotted objects: no
task, no queue, no ASGI scope (decision 0018).

Requests on one connection run one at a time, in the order they arrived, so a client's
messages are appended in the order it sent them. Replies and pushes are written straight to
the transport. Every byte written (replies, pushes, pongs, close frames) goes through one
place and counts against ``MAX_BUFFERED_BYTES``: a client that reads so slowly that more
wait for it is closed, as it is better off reconnecting and syncing than having the server
buffer more. While the transport's buffer is over its high-water mark the socket is not read
either, so a client cannot make the server answer (pings, bad frames) faster than it reads
the answers (decision 0028).

A connection must authenticate within ``auth_timeout_seconds`` of its handshake, an absolute
deadline that no frame extends, and may send at most ``MAX_FRAMES_BEFORE_AUTH`` frames of
any kind before it has. A browser page of a foreign origin is refused at the handshake.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
import time
from collections import deque
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, cast

from websockets.frames import Frame, Opcode
from websockets.http11 import Request as HttpRequest
from websockets.protocol import State
from websockets.server import ServerProtocol

from tidings.actions.accounts import password_change_required
from tidings.actions.context import Actor
from tidings.container import Container
from tidings.domain.accounts import UserKind
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.events import CloseCode
from tidings.domain.origins import origin_allowed
from tidings.domain.service import VISITOR_OPS, visitor_not_allowed
from tidings.gateway.frames import text_frame
from tidings.gateway.ops import (
    OP_NAMES,
    OPS,
    WHILE_PASSWORD_CHANGE_REQUIRED,
    OpContext,
    parse,
)
from tidings.gateway.protocol import Phase, ProtocolCore, Request
from tidings.logs import access, connection_id, log_op, request_id
from tidings.schemas import AuthInput, Empty

if TYPE_CHECKING:
    from uvicorn.config import Config
    from uvicorn.server import ServerState

logger = logging.getLogger(__name__)
# The websockets library logs every accepted handshake at INFO ("connection open"): one line
# per connection is noise at this scale. Its messages go to this logger, quiet unless an
# operator lowers its level.
_handshake_logger = logging.getLogger("tidings.gateway.handshake")
_handshake_logger.setLevel(logging.WARNING)

PATH = "/ws"
# Past this much unsent output the client is closed (code 1008) and syncs when it returns.
MAX_BUFFERED_BYTES = 4 * 1024 * 1024
# Requests read ahead of the one running; past this the socket is not read until they ran.
MAX_PENDING_REQUESTS = 32
# After our close frame, how long the peer has to answer before the socket is cut.
CLOSE_TIMEOUT_SECONDS = 5.0
# An honest client sends auth first, perhaps a ping or two while it waits: past this many
# frames before authenticating, it is closed (1008) instead of being answered more.
MAX_FRAMES_BEFORE_AUTH = 16

# Why reading is paused (a bit mask: reading resumes when no reason is left).
_PAUSED_FOR_REQUESTS = 1  # MAX_PENDING_REQUESTS wait to run
_PAUSED_FOR_WRITES = 2  # the client does not read what was written
_PAUSED_FOR_GOOD = 4  # closed for abuse: nothing more is read


class Gateway:
    """What every connection of this process shares."""

    def __init__(self, container: Container) -> None:
        self.container = container
        settings = container.settings
        self.auth_timeout = settings.auth_timeout_seconds
        self.heartbeat_timeout = settings.heartbeat_timeout_seconds
        self.max_frame_bytes = settings.max_frame_bytes
        # The transport drops only absurd messages; the protocol core answers those over
        # max_frame_bytes with an error reply.
        self.max_message_bytes = max(settings.max_frame_bytes * 16, 1024 * 1024)
        # Tasks nobody awaits (unregistering a closed connection) are kept alive here.
        self.background: set[asyncio.Task[None]] = set()

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    def origin_allowed(self, origin: str, host: str | None) -> bool:
        # The allowlist is a live site setting (decision 0063): read at each handshake.
        return origin_allowed(origin, host, self.container.site_settings.allowed_origins)


class GatewayConnection(asyncio.Protocol):
    """One WebSocket connection; once authenticated, also the registry's ``Connection``."""

    __slots__ = (
        "_close_sent",
        "_close_timer",
        "_core",
        "_frames_before_auth",
        "_gateway",
        "_handshaking",
        "_last_frame",
        "_loop",
        "_message",
        "_ops",
        "_paused",
        "_registered",
        "_requests",
        "_server_connections",
        "_silence_timer",
        "_transport",
        "_user_agent",
        "_worker",
        "_writable",
        "_ws",
        "context",
        "id",
        "session_id",
        "user_id",
    )

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        state = getattr(config.app, "state", None)
        gateway = getattr(state, "gateway", None)
        if not isinstance(gateway, Gateway):
            raise RuntimeError("GatewayConnection serves the app made by tidings.app.create_app")
        self._gateway = gateway
        self._loop = _loop or asyncio.get_running_loop()
        self._server_connections: set[Any] = server_state.connections
        self._transport: asyncio.Transport | None = None
        # The handshake's ServerProtocol; replaced by a fresh one for the frames, so the
        # request's headers are not kept alive for the life of the connection.
        self._ws = ServerProtocol(max_size=gateway.max_message_bytes, logger=_handshake_logger)
        self._handshaking = True
        self._core = ProtocolCore(max_frame_bytes=gateway.max_frame_bytes, ops=OP_NAMES)
        self._requests: deque[Request | list[str]] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._message: tuple[bool, list[bytes]] | None = None  # a fragmented message
        self._last_frame = 0.0
        self._silence_timer: asyncio.TimerHandle | None = None
        self._close_timer: asyncio.TimerHandle | None = None
        self._close_sent = False
        self._frames_before_auth = 0
        self._paused = 0  # _PAUSED_FOR_* bits
        self._writable: asyncio.Future[None] | None = None
        self._registered = False
        self._ops = 0  # ops run so far: the number in each op's request id
        # Kept from the handshake for the Actor (the audit log's "from where"), then dropped.
        self._user_agent = ""
        self.context: OpContext | None = None
        self.id = ""
        self.user_id = 0
        self.session_id = 0

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self._server_connections.add(self)

    def data_received(self, data: bytes) -> None:
        ws = self._ws
        ws.receive_data(data)
        events = ws.events_received()
        if self._handshaking:
            for event in events:
                if isinstance(event, HttpRequest):
                    self._handshake(ws, event)
                    break
            else:
                self._write_control(ws)
            return
        for event in events:
            if isinstance(event, Frame):
                self._frame(event)
        self._write_control(ws)

    def eof_received(self) -> bool | None:
        self._ws.receive_eof()
        self._write_control(self._ws)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._server_connections.discard(self)
        self._transport = None
        for timer in (self._silence_timer, self._close_timer):
            if timer is not None:
                timer.cancel()
        self._silence_timer = self._close_timer = None
        self._core.close(CloseCode.GOING_AWAY, "connection lost")
        if self._requests:
            self._requests.clear()  # never acknowledged: the client sends them again
        self._resume_writing()
        if self._registered:
            self._registered = False
            self._gateway.spawn(self._gateway.container.connections.remove(self))

    def pause_writing(self) -> None:
        if self._writable is None:
            self._writable = self._loop.create_future()
        # Read no more until the client has read: what it sends may need answering.
        self._pause_reading(_PAUSED_FOR_WRITES)

    def resume_writing(self) -> None:
        self._resume_writing()
        self._resume_reading(_PAUSED_FOR_WRITES)

    def shutdown(self) -> None:
        """uvicorn calls this on every connection when the server stops."""
        if self._transport is None:
            return
        if self._handshaking:
            self._transport.close()
            return
        self.close(CloseCode.GOING_AWAY, "server shutting down")

    # The registry's Connection

    def send(self, frame: str) -> None:
        self.send_frame(text_frame(frame))

    def send_frame(self, data: bytes) -> None:
        if not self._close_sent:
            self._write(data)

    def close(self, code: int, reason: str) -> None:
        """Close after what was written so far."""
        self._core.close(code, reason)
        self._flush()

    # The handshake

    def _handshake(self, ws: ServerProtocol, request: HttpRequest) -> None:
        origin = request.headers.get("Origin")
        if request.path.partition("?")[0] != PATH:
            response = ws.reject(404, "Not Found\n")
        elif origin is not None and not self._gateway.origin_allowed(
            origin, request.headers.get("Host")
        ):
            # A page of another site must not use the browser's network position (or, were
            # the token ever in a cookie, its credentials). Clients that are not browsers send
            # no Origin and are let in.
            response = ws.reject(403, "Forbidden: this origin may not connect\n")
        else:
            response = ws.accept(request)
            # Interned: thousands of connections from one browser share one string.
            self._user_agent = sys.intern(request.headers.get("User-Agent", "")[:256])
        ws.send_response(response)
        self._write_control(ws)
        if response.status_code != 101:
            return
        # From here on only frames: a ServerProtocol that starts open holds no handshake.
        # Until auth, a frame may not be larger than max_frame_bytes (1009 otherwise): an
        # anonymous client does not get to make the server buffer a megabyte.
        self._ws = ServerProtocol(
            state=State.OPEN, max_size=self._gateway.max_frame_bytes, logger=_handshake_logger
        )
        self._handshaking = False
        # From the handshake on, so that the auth op's log lines carry it too.
        self.id = secrets.token_hex(8)
        self._last_frame = self._loop.time()
        # The authentication deadline is absolute: this timer is not moved by any frame.
        self._silence_timer = self._loop.call_later(self._gateway.auth_timeout, self._check_silence)

    # Frames in

    def _frame(self, frame: Frame) -> None:
        if self._paused & _PAUSED_FOR_GOOD:
            return  # the rest of a read that was already under way
        self._last_frame = self._loop.time()
        if self._core.phase is Phase.AUTHENTICATING:
            self._frames_before_auth += 1
            if self._frames_before_auth > MAX_FRAMES_BEFORE_AUTH:
                self._refuse("too many frames before auth")
                return
        opcode = frame.opcode
        if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
            if frame.fin:
                self._received(opcode is Opcode.TEXT, frame.data)
            else:
                self._message = (opcode is Opcode.TEXT, [bytes(frame.data)])
        elif opcode is Opcode.CONT and self._message is not None:
            text, parts = self._message
            parts.append(bytes(frame.data))
            if frame.fin:
                self._message = None
                self._received(text, b"".join(parts))
        # Pings are answered and closes echoed by the ServerProtocol itself; _write_control
        # writes those answers through _write like everything else.

    def _received(self, text: bool, data: bytes | bytearray | memoryview) -> None:
        core = self._core
        if core.phase is Phase.CLOSING:
            return
        if text:
            try:
                decoded = str(data, "utf-8")
            except UnicodeDecodeError:
                # A text frame must be UTF-8 (RFC 6455 section 8.1): the connection fails.
                self._ws.fail(1007, "invalid UTF-8")
                return
            request = core.receive_text(decoded)
        else:
            request = core.receive_bytes(bytes(data))
        if self._worker is None and (request is None or request.op == "ping"):
            # Nothing in line: a refusal or the heartbeat is answered at once, without a task.
            if request is not None:
                self._ping(request)
            self._flush()
        else:
            requests = self._requests
            if requests is None:
                requests = self._requests = deque()
            # A refused frame's error waits its turn behind the requests before it.
            requests.append(request if request is not None else core.data_to_send())
            if self._worker is None:
                self._worker = self._loop.create_task(self._work(requests))
            if len(requests) >= MAX_PENDING_REQUESTS:
                self._pause_reading(_PAUSED_FOR_REQUESTS)

    # Running requests

    async def _work(self, requests: deque[Request | list[str]]) -> None:
        try:
            while requests and self._core.phase is not Phase.CLOSING:
                request = requests.popleft()
                if isinstance(request, Request):
                    await self._run(request)
                else:
                    self.send_frame(b"".join(text_frame(frame) for frame in request))
                self._flush()
                if self._writable is not None:
                    await self._writable  # the client reads slower than it asks
                if len(requests) < MAX_PENDING_REQUESTS // 2:
                    self._resume_reading(_PAUSED_FOR_REQUESTS)
        finally:
            requests.clear()
            self._worker = None
            self._requests = None  # an idle connection keeps no empty deque (~0.7 KiB)

    async def _run(self, request: Request) -> None:
        # Every line logged while the op runs carries its id and the connection's (0055).
        self._ops += 1
        op_token = request_id.set(f"{self.id}-{self._ops}")
        connection_token = connection_id.set(self.id)
        started = time.perf_counter()
        outcome = "ok"
        try:
            await self._run_op(request)
        except TidingsError as error:
            outcome = error.code.value
            self._core.fail(request, error)
        except Exception:
            outcome = ErrorCode.INTERNAL.value
            logger.exception("op %s failed", request.op)
            self._core.fail(request, TidingsError(ErrorCode.INTERNAL, "internal error"))
        finally:
            if access.isEnabledFor(logging.INFO):
                log_op(request.op, outcome, started, self.user_id)
            request_id.reset(op_token)
            connection_id.reset(connection_token)

    async def _run_op(self, request: Request) -> None:
        if request.op == "ping":
            self._ping(request)
        elif request.op == "auth":
            await self._authenticate(request)
        else:
            context = self.context
            assert context is not None
            model, handler = OPS[request.op]
            if context.visitor and request.op not in VISITOR_OPS:
                raise visitor_not_allowed()
            if context.password_change_required:
                await self._check_password_changed(context, request.op)
            self._core.reply(request, await handler(context, parse(model, request.data)))
            if context.password_change_required and request.op == "me.change_password":
                await self._password_changed(context)
            if context.close_after_reply is not None:
                self._core.close(*context.close_after_reply)

    async def _check_password_changed(self, context: OpContext, op: str) -> None:
        """A session signed in with a one-time password may do only a few ops until the
        password is changed (here or over REST)."""
        if op in WHILE_PASSWORD_CHANGE_REQUIRED:
            return
        user = await context.c.accounts.profile(context.actor.user_id)
        if user.password_change_required:
            raise password_change_required()
        await self._password_changed(context)

    async def _password_changed(self, context: OpContext) -> None:
        context.password_change_required = False
        if self._registered and self._transport is not None:
            await context.c.connections.add(self)  # now it receives pushes

    def _ping(self, request: Request) -> None:
        try:
            parse(Empty, request.data)  # no fields: unknown ones are refused as elsewhere
        except TidingsError as error:
            self._core.fail(request, error)
            return
        self._core.reply(request, {"now": now_ms()})

    async def _authenticate(self, request: Request) -> None:
        token = parse(AuthInput, request.data).token
        container = self._gateway.container
        try:
            user, session = await container.accounts.access_session(
                token, password_change_required_allowed=True, visitor_allowed=True
            )
        except TidingsError as error:
            self._core.fail(request, error)
            self._core.close(CloseCode.INVALID_TOKEN, "invalid token")
            return
        try:
            # A client reconnecting in a loop; it backs off and comes back (1008).
            await container.limits.hit("ws_connect_session", session.id)
        except TidingsError as error:
            self._core.fail(request, error)
            self._core.close(CloseCode.POLICY, "too many connections; retry later")
            return
        self.user_id = user.id
        self.session_id = session.id
        peer = self._transport.get_extra_info("peername") if self._transport else None
        restricted = user.password_change_required
        ip = str(peer[0]) if isinstance(peer, tuple) and peer else ""
        self.context = OpContext(
            container,
            Actor(user.id, session.id, self.id, ip=ip, user_agent=self._user_agent),
            self,
            ip=ip,
            password_change_required=restricted,
            visitor=user.kind is UserKind.VISITOR,
        )
        self._user_agent = ""
        self._core.authenticated()
        self._ws.max_message_size = self._gateway.max_message_bytes
        self._core.reply(
            request,
            {
                "user": user.to_wire(),
                "session_id": session.id,
                "password_change_required": restricted,
            },
        )
        self._flush()
        if self._transport is None:
            return
        # Until the password is changed it gets no pushes, only its session's end.
        await container.connections.add(self, receives_pushes=not restricted)
        if self._transport is None:  # lost while being added
            await container.connections.remove(self)
        else:
            self._registered = True

    # Frames out

    def _flush(self) -> None:
        """Write what the protocol core has queued; close if it asks to."""
        core = self._core
        frames = core.data_to_send()
        if frames:
            self.send_frame(b"".join(text_frame(frame) for frame in frames))
        if core.close_requested is not None and not self._close_sent:
            self._close_sent = True
            ws = self._ws
            if ws.state is State.OPEN:
                code, reason = core.close_requested
                ws.send_close(code, reason[:120])
                self._write_control(ws)
            if self._transport is not None and self._close_timer is None:
                self._close_timer = self._loop.call_later(CLOSE_TIMEOUT_SECONDS, self._abort)

    def _write_control(self, ws: ServerProtocol) -> None:
        """Write the ServerProtocol's own output: handshake, pongs, close frames."""
        for data in ws.data_to_send():
            if data:
                self._write(data)
            elif self._transport is not None:
                self._transport.close()  # the closing handshake is over: we hang up first

    def _write(self, data: bytes) -> None:
        """Every byte queued for the client passes here and counts against the cap."""
        transport = self._transport
        if transport is None:
            return
        transport.write(data)
        if transport.get_write_buffer_size() > MAX_BUFFERED_BYTES and not self._close_sent:
            self._refuse("client too slow; reconnect and sync")

    def _refuse(self, reason: str) -> None:
        """Close with 1008 and read nothing more; the socket is cut if the client does not
        read our close frame within CLOSE_TIMEOUT_SECONDS."""
        self._pause_reading(_PAUSED_FOR_GOOD)
        self.close(CloseCode.POLICY, reason)

    def _pause_reading(self, reason: int) -> None:
        if not self._paused and self._transport is not None:
            self._transport.pause_reading()
        self._paused |= reason

    def _resume_reading(self, reason: int) -> None:
        if self._paused & reason:
            self._paused &= ~reason
            if not self._paused and self._transport is not None:
                self._transport.resume_reading()

    def _check_silence(self) -> None:
        self._silence_timer = None
        if self._transport is None or self._core.phase is Phase.CLOSING:
            return
        if self._core.phase is Phase.AUTHENTICATING:
            # Armed at the handshake for auth_timeout: whatever came meanwhile, time is up.
            self.close(CloseCode.AUTH_TIMEOUT, "not authenticated in time")
            return
        remaining = self._last_frame + self._gateway.heartbeat_timeout - self._loop.time()
        # A request still running excuses the silence, unless it only waits for the client
        # to read (reading is paused meanwhile, so the client's frames cannot arrive).
        if remaining > 0 or (self._worker is not None and self._writable is None):
            self._silence_timer = self._loop.call_later(
                remaining if remaining > 0 else 1.0, self._check_silence
            )
            return
        self.close(CloseCode.HEARTBEAT_TIMEOUT, "no frame in time")

    def _abort(self) -> None:
        self._close_timer = None
        if self._transport is not None:
            self._transport.abort()

    def _resume_writing(self) -> None:
        writable, self._writable = self._writable, None
        if writable is not None and not writable.done():
            writable.set_result(None)
