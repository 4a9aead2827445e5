"""CORS for the REST API and tus uploads, from the live allowlist (N5, decision 0063).

Starlette's ``CORSMiddleware`` takes its origins once, at start-up; ours are a site setting
an administrator changes while the server runs, so this small middleware asks for the set
in force on every request (an attribute read and a set lookup).

- Only ``/api/...`` and ``/files...`` speak CORS; the client's own pages never need it.
- A listed origin's preflight (``OPTIONS`` with ``Access-Control-Request-Method``) is
  answered here, 204, with the methods, the request headers our clients send (tus's
  included) and a max-age; its other requests get ``Access-Control-Allow-Origin`` and the
  response headers a client must read (``Location``, ``Upload-Offset``, ``Retry-After``...).
- Any other origin's preflight is refused, 403 ``forbidden``; its other requests run
  without CORS headers, so the browser keeps the answer from the page.
- No credentials mode: clients authenticate with bearer tokens in ``Authorization``, never
  cookies, so ``Access-Control-Allow-Credentials`` is never sent.
- Every answer on those paths says ``Vary: Origin``: a cache must not hand one origin's
  answer to another.

The SDK bundle (``/sdk/``) is a public file a host page imports as a module script, which
browsers fetch in CORS mode: it is served to any origin (``*``) — it grants nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings.domain.origins import is_listed

ALLOW_METHODS = b"GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
# What the SDK, tus clients and ordinary REST calls send beyond the CORS-safelisted headers.
ALLOW_HEADERS = b", ".join(
    [
        b"Authorization",
        b"Content-Type",
        b"Accept-Language",
        b"If-None-Match",
        b"If-Match",
        b"Range",
        b"X-Request-ID",
        b"X-HTTP-Method-Override",
        b"Tus-Resumable",
        b"Upload-Length",
        b"Upload-Offset",
        b"Upload-Metadata",
        b"Upload-Concat",
        b"Upload-Checksum",
        b"Upload-Defer-Length",
    ]
)
# Response headers a page may read besides the safelisted ones (Content-Type...).
EXPOSE_HEADERS = b", ".join(
    [
        b"Location",
        b"ETag",
        b"Retry-After",
        b"X-Request-ID",
        b"Content-Range",
        b"Content-Disposition",
        b"Content-Length",
        b"Tus-Resumable",
        b"Tus-Version",
        b"Tus-Extension",
        b"Tus-Max-Size",
        b"Tus-Checksum-Algorithm",
        b"Upload-Offset",
        b"Upload-Length",
        b"Upload-Expires",
        b"Upload-Metadata",
        b"Upload-Concat",
    ]
)
# How long a browser may keep a preflight's answer. Short, as the list is live; an origin
# taken off the list is refused at once anyway: its answers lose Allow-Origin.
MAX_AGE = b"600"
# Public files host pages load as module scripts (fetched in CORS mode): any origin may.
PUBLIC_FILES = ("/sdk/",)
REFUSED = (
    b'{"error":{"code":"forbidden","message":"this origin may not use the API from a browser'
    b' (it is not on the allowed origins list: site setting cors.allowed_origins)"}}'
)


def speaks_cors(path: str) -> bool:
    return path.startswith("/api/") or path == "/files" or path.startswith("/files/")


class CrossOrigin:
    """The CORS middleware; ``allowed`` returns the allowlist in force (``allowed_set``)."""

    def __init__(self, app: ASGIApp, allowed: Callable[[], frozenset[str]]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(PUBLIC_FILES):
            await self.app(scope, receive, _adding(send, [(b"access-control-allow-origin", b"*")]))
            return
        if not speaks_cors(path):
            await self.app(scope, receive, send)
            return
        origin = preflight = None
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value
            elif name == b"access-control-request-method":
                preflight = value
        listed = origin is not None and is_listed(origin.decode("latin-1"), self.allowed())
        if origin is not None and preflight is not None and scope["method"] == "OPTIONS":
            await _answer_preflight(send, origin if listed else None)
            return
        added = [(b"vary", b"Origin")]
        if listed and origin is not None:
            added += [
                (b"access-control-allow-origin", origin),
                (b"access-control-expose-headers", EXPOSE_HEADERS),
            ]
        await self.app(scope, receive, _adding(send, added))


def _adding(send: Send, added: list[tuple[bytes, bytes]]) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(name, value) for name, value in message.get("headers", [])]
            for name, value in added:
                _merge(headers, name, value)
            message = {**message, "headers": headers}
        await send(message)

    return send_with_headers


def _merge(headers: list[tuple[bytes, bytes]], name: bytes, value: bytes) -> None:
    """Set ``name``; a ``Vary`` already there gets ``value`` appended instead."""
    for index, (existing, old) in enumerate(headers):
        if existing.lower() == name:
            if name == b"vary" and value.lower() not in old.lower():
                headers[index] = (existing, old + b", " + value)
            elif name != b"vary":
                headers[index] = (existing, value)
            return
    headers.append((name, value))


async def _answer_preflight(send: Send, origin: bytes | None) -> None:
    if origin is None:
        status, body = 403, REFUSED
        headers = [(b"content-type", b"application/json"), (b"vary", b"Origin")]
    else:
        status, body = 204, b""
        headers = [
            (b"access-control-allow-origin", origin),
            (b"access-control-allow-methods", ALLOW_METHODS),
            (b"access-control-allow-headers", ALLOW_HEADERS),
            (b"access-control-max-age", MAX_AGE),
            (b"vary", b"Origin"),
        ]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
