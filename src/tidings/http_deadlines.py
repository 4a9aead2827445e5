"""uvicorn's HTTP protocol with deadlines for slow and silent clients (decision 0028).

uvicorn times out only idle keep-alive connections, and only between requests: a client that
opens a connection and sends nothing, or sends its request head or body a byte every few
seconds (slowloris), holds a connection, a file descriptor and a request task forever.
``tidings serve`` gives uvicorn this subclass as its ``http`` protocol. It adds one timer per
connection, armed only while the server waits for the client:

- the request head (which is also how a WebSocket handshake arrives) must be complete
  ``header_timeout_seconds`` after the connection opened or the head's first byte came,
  else the connection is closed, with ``408 Request Timeout`` if part of a head arrived;
- a request body must be complete ``body_timeout_seconds`` after its head (REST bodies are
  at most 1 MiB), else ``408`` and close. The time the server itself does not read (the app
  is busy, reading is paused) does not count against the client. Uploads (tus ``PATCH`` and
  ``POST`` under ``/files``) are exempt: they stream for as long as bytes keep coming and
  end after ``upload_idle_seconds`` without one (``api/uploads.py``);
- when the answer goes out before the body is in (an upload refused for its credentials),
  the rest of the body is read and dropped, so the client can read the answer, until the
  body deadline; a client still sending then is cut.

A WebSocket upgrade cancels the timer: the gateway has its own (authentication, heartbeat).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from tidings.config import Settings
from tidings.domain.errors import ErrorCode, TidingsError

if TYPE_CHECKING:
    from uvicorn.config import Config
    from uvicorn.server import ServerState

_TIMEOUT_BODY = orjson.dumps(
    {"error": TidingsError(ErrorCode.REQUEST_TIMEOUT, "the request took too long").to_wire()}
)
_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: application/json\r\n"
    b"content-length: %d\r\n"
    b"connection: close\r\n\r\n%s"
) % (len(_TIMEOUT_BODY), _TIMEOUT_BODY)


class DeadlineHttpProtocol(HttpToolsProtocol):
    """HttpToolsProtocol plus the header and body deadlines."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        container = getattr(getattr(config.app, "state", None), "container", None)
        settings: Settings = container.settings if container is not None else Settings()
        self._header_timeout = settings.header_timeout_seconds
        self._body_timeout = settings.body_timeout_seconds
        self._deadline: asyncio.TimerHandle | None = None
        self._head_started = False

    # The head

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self._header_timeout, self._head_timed_out)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_started = True
        if self._deadline is None:  # a keep-alive connection's next request began
            self._arm(self._header_timeout, self._head_timed_out)

    def on_headers_complete(self) -> None:
        self._cancel()
        self._head_started = False
        super().on_headers_complete()
        if (self.parser.should_upgrade() and self._should_upgrade()) or self._is_upload():
            return
        self._arm(self._body_timeout, self._body_timed_out)

    # The body

    def on_message_complete(self) -> None:
        self._cancel()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        cycle = self.cycle
        if cycle is not None and cycle.more_body and self._deadline is None:
            # Answered before the body was in (an upload refused, or stalled): the rest is
            # read and dropped, so the client gets to read the answer, but only until the
            # body deadline.
            self._arm(self._body_timeout, self._body_timed_out)
        super().on_response_complete()

    # The WebSocket gateway takes over

    def handle_websocket_upgrade(self) -> None:
        self._cancel()
        super().handle_websocket_upgrade()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    # Timers

    def _head_timed_out(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            # A pipelined head while the previous answer still goes out: the wait is ours.
            self._arm(self._header_timeout, self._head_timed_out)
            return
        if self._head_started:
            self.transport.write(_TIMEOUT_RESPONSE)
        self.transport.close()

    def _body_timed_out(self) -> None:
        self._deadline = None
        cycle = self.cycle
        if self.transport.is_closing() or cycle is None or not cycle.more_body:
            return
        if self.flow.read_paused:
            # The app has not taken what arrived: the wait is the server's, not the client's,
            # who gets a fresh period.
            self._arm(self._body_timeout, self._body_timed_out)
            return
        if not cycle.response_started:
            self.transport.write(_TIMEOUT_RESPONSE)
        # The app sees the client gone: its reads end, its answer goes nowhere.
        cycle.disconnected = True
        cycle.message_event.set()
        self.transport.close()

    def _is_upload(self) -> bool:
        scope = self.scope
        path = scope.get("path", "")
        return scope.get("method") in ("PATCH", "POST") and (
            path == "/files" or path.startswith("/files/")
        )

    def _arm(self, delay: float, callback: Any) -> None:
        self._cancel()
        self._deadline = self.loop.call_later(delay, callback)

    def _cancel(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
