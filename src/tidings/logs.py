"""The server's log lines (PRODUCT.md N3, decision 0055).

Human-readable by default; with ``TIDINGS_LOG_FORMAT=json`` every line is one JSON object
(``time``, ``level``, ``logger``, ``message``, ``exception`` when there is one, and the
record's extra fields), for a log shipper to index. Whatever runs inside an HTTP request or a
WebSocket op carries its id in two context variables, and every line logged meanwhile, by
any module, gets them as ``request_id`` and ``connection_id``: a request's lines can be found
together.

HTTP requests take a sane ``X-Request-ID`` from the client or a proxy, or are given one, and
answer with it. A WebSocket op's id is its connection's id and the op's number on it
(``3f9c0e1a2b4d6f80-17``). The access log (``tidings.access``) writes one line per request
and per op; it is on by default with JSON lines (``TIDINGS_ACCESS_LOG`` decides).
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
import time
from contextvars import ContextVar

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.orjson import OrjsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings.config import LogFormat, Settings

# The request or op being served, and the WebSocket connection it came on.
request_id: ContextVar[str] = ContextVar("request_id", default="")
connection_id: ContextVar[str] = ContextVar("connection_id", default="")

access = logging.getLogger("tidings.access")

# An incoming X-Request-ID is kept if it looks like an id (a UUID, a proxy's token); anything
# else (spaces, newlines, a kilobyte) could forge or flood log lines, and a new one is made.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
_HEADER = b"x-request-id"
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def new_request_id() -> str:
    return secrets.token_hex(8)


def configure_logging(settings: Settings) -> None:
    """Install the one handler (stderr) every logger's lines go through."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestContext())
    if settings.log_format is LogFormat.JSON:
        handler.setFormatter(
            OrjsonFormatter(
                ["levelname", "name", "message"],
                rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception"},
                # uvicorn adds its message again with terminal colours: not for a log file.
                reserved_attrs=[*RESERVED_ATTRS, "color_message"],
                timestamp="time",
            )
        )
        # Python's warnings become lines of the log too, not free text among the JSON.
        logging.captureWarnings(True)
    else:
        handler.setFormatter(logging.Formatter(_TEXT_FORMAT))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    logging.getLogger("alembic").setLevel(logging.WARNING)
    access_log = settings.access_log
    if access_log is None:
        access_log = settings.log_format is LogFormat.JSON
    access.setLevel(logging.INFO if access_log else logging.WARNING)


class _RequestContext(logging.Filter):
    """Adds the current request's and connection's ids to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = request_id.get()
        if current:
            record.request_id = current
        connection = connection_id.get()
        if connection:
            record.connection_id = connection
        return True


class RequestIds:
    """ASGI middleware: an id for every HTTP request, in the context, the answer's
    ``X-Request-ID`` and the access log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v for k, v in scope["headers"] if k == _HEADER), b"").decode("latin-1")
        rid = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else new_request_id()
        header = (_HEADER, rid.encode())
        status = 0
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        token = request_id.set(rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if access.isEnabledFor(logging.INFO):
                # The path only: query strings may carry signed links' secrets.
                elapsed = round((time.perf_counter() - started) * 1000, 1)
                method, path = scope["method"], scope["path"]
                access.info(
                    "%s %s %s %.1f ms",
                    method,
                    path,
                    status or 500,
                    elapsed,
                    extra={
                        "method": method,
                        "path": path,
                        "status": status or 500,
                        "duration_ms": elapsed,
                    },
                )
            request_id.reset(token)


def log_op(op: str, outcome: str, started: float, user_id: int) -> None:
    """The access log's line for a WebSocket op (``outcome``: ``ok`` or the error code)."""
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    access.info(
        "ws %s %s %.1f ms",
        op,
        outcome,
        elapsed,
        extra={"op": op, "outcome": outcome, "duration_ms": elapsed, "user_id": user_id},
    )
