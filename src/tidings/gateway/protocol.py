"""The gateway's protocol core, without I/O (STYLE.md: python-websockets).

The route feeds received frames in with ``receive_text`` / ``receive_bytes`` and gets back a
``Request`` to run, or nothing when the frame was refused (its error reply is queued). The
route sends whatever ``data_to_send`` returns and closes when ``close_requested`` says so.
Nothing here awaits, so every rule is tested without sockets.

Frames are JSON text. A request is ``{"id": 7, "op": "send", "data": {...}}``; its reply is
``{"id": 7, "ok": true, "data": ...}`` or ``{"id": 7, "ok": false, "error": {"code",
"message"}}``. Pushes are ``{"push": "<event>", "data": {...}}``. See docs/protocol.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, auto
from typing import Any

import orjson

from tidings.domain.errors import ErrorCode, TidingsError

RequestId = int | str | None

_ENVELOPE_KEYS = frozenset({"id", "op", "data"})
_MAX_ID_CHARS = 64


class Phase(Enum):
    AUTHENTICATING = auto()
    OPEN = auto()
    CLOSING = auto()


@dataclass(frozen=True, slots=True)
class Request:
    id: RequestId
    op: str
    data: dict[str, Any]


class ProtocolCore:
    # One per connection: slots keep an idle connection small.
    __slots__ = (
        "_ops",
        "_ops_before_auth",
        "_outgoing",
        "close_requested",
        "max_frame_bytes",
        "phase",
    )

    def __init__(
        self,
        *,
        max_frame_bytes: int,
        ops: frozenset[str],
        ops_before_auth: frozenset[str] = frozenset({"auth", "ping"}),
    ) -> None:
        self.max_frame_bytes = max_frame_bytes
        self._ops = ops
        self._ops_before_auth = ops_before_auth
        self.phase = Phase.AUTHENTICATING
        self._outgoing: list[str] = []
        self.close_requested: tuple[int, str] | None = None

    # Input

    def receive_text(self, text: str) -> Request | None:
        if self.phase is Phase.CLOSING:
            return None
        # A character is 1 to 4 UTF-8 bytes: encode only when the length leaves doubt.
        if len(text) > self.max_frame_bytes or (
            len(text) * 4 > self.max_frame_bytes
            and len(text.encode("utf-8", "surrogatepass")) > self.max_frame_bytes
        ):
            self._error(
                None,
                TidingsError(
                    ErrorCode.FRAME_TOO_LARGE, f"frames are limited to {self.max_frame_bytes} bytes"
                ),
            )
            return None
        try:
            parsed = orjson.loads(text)
        except orjson.JSONDecodeError:
            self._error(None, TidingsError(ErrorCode.MALFORMED_JSON, "the frame is not JSON"))
            return None
        return self._envelope(parsed)

    def receive_bytes(self, data: bytes) -> Request | None:
        """Binary frames carry the same JSON, UTF-8 encoded."""
        if self.phase is Phase.CLOSING:
            return None
        if len(data) > self.max_frame_bytes:
            self._error(
                None,
                TidingsError(
                    ErrorCode.FRAME_TOO_LARGE, f"frames are limited to {self.max_frame_bytes} bytes"
                ),
            )
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self._error(None, TidingsError(ErrorCode.INVALID_UTF8, "the frame is not UTF-8"))
            return None
        return self.receive_text(text)

    # Output

    def reply(self, request: Request, data: Any = None) -> None:
        if request.id is None or self.phase is Phase.CLOSING:
            return
        self._outgoing.append(orjson.dumps({"id": request.id, "ok": True, "data": data}).decode())

    def fail(self, request: Request, error: TidingsError) -> None:
        self._error(request.id, error)

    def push(self, frame: str) -> None:
        """Queue a push frame serialized elsewhere (once for all its receivers)."""
        if self.phase is not Phase.CLOSING:
            self._outgoing.append(frame)

    def authenticated(self) -> None:
        if self.phase is Phase.AUTHENTICATING:
            self.phase = Phase.OPEN

    def close(self, code: int, reason: str) -> None:
        """Stop taking requests; the route sends what is queued, then closes."""
        if self.phase is not Phase.CLOSING:
            self.phase = Phase.CLOSING
            self.close_requested = (code, reason)

    def data_to_send(self) -> list[str]:
        out, self._outgoing = self._outgoing, []
        return out

    # Internals

    def _envelope(self, parsed: Any) -> Request | None:
        if not isinstance(parsed, dict):
            self._error(None, TidingsError(ErrorCode.INVALID_INPUT, "a frame is a JSON object"))
            return None
        request_id = parsed.get("id")
        if request_id is not None and (
            isinstance(request_id, bool)
            or not isinstance(request_id, int | str)
            or (isinstance(request_id, str) and len(request_id) > _MAX_ID_CHARS)
            or (isinstance(request_id, int) and not -(2**53) < request_id < 2**53)
        ):
            self._error(
                None,
                TidingsError(
                    ErrorCode.INVALID_INPUT,
                    "id must be an integer or a string of up to 64 characters",
                ),
            )
            return None
        unknown = set(parsed) - _ENVELOPE_KEYS
        if unknown:
            self._error(
                request_id,
                TidingsError(
                    ErrorCode.INVALID_INPUT, f"unknown envelope field {sorted(unknown)[0][:40]!r}"
                ),
            )
            return None
        op = parsed.get("op")
        if not isinstance(op, str):
            self._error(request_id, TidingsError(ErrorCode.INVALID_INPUT, "op must be a string"))
            return None
        if op not in self._ops:
            self._error(request_id, TidingsError(ErrorCode.UNKNOWN_OP, f"unknown op {op[:40]!r}"))
            return None
        data = parsed.get("data", {})
        if data is None:
            data = {}
        if not isinstance(data, dict):
            self._error(request_id, TidingsError(ErrorCode.INVALID_INPUT, "data must be an object"))
            return None
        if self.phase is Phase.AUTHENTICATING and op not in self._ops_before_auth:
            self._error(
                request_id,
                TidingsError(
                    ErrorCode.UNAUTHENTICATED, "authenticate first: send op auth with your token"
                ),
            )
            return None
        if self.phase is Phase.OPEN and op == "auth":
            self._error(
                request_id,
                TidingsError(
                    ErrorCode.ALREADY_AUTHENTICATED, "this connection is already authenticated"
                ),
            )
            return None
        return Request(request_id, op, data)

    def _error(self, request_id: RequestId, error: TidingsError) -> None:
        if self.phase is Phase.CLOSING:
            return
        self._outgoing.append(
            orjson.dumps({"id": request_id, "ok": False, "error": error.to_wire()}).decode()
        )
