"""Serving the built web client: `/`, the app's links and `/assets/*` (decision 0031).

Text files are sent as the build precompressed them (`<file>.br`, `<file>.gz`, written by
web/scripts/precompress.mjs), chosen by the request's Accept-Encoding, with
`Vary: Accept-Encoding`; nothing is compressed per request. Each encoding is its own file,
so it has its own ETag and Last-Modified and 304s work for each. A Range request gets the
uncompressed file, so a range is always a slice of the bytes its headers describe.

Vite names what it builds `<name>-<8-char hash>.<ext>`: those never change under one name
and are cached for a year as immutable. Everything else (index.html, the manifest, the
icons and sounds copied from public/) is `no-cache`: revalidated by its ETag, so a deploy
takes effect on the next load.
"""

from __future__ import annotations

import mimetypes
import os
import re
from email.utils import parsedate
from pathlib import Path

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, PathLike, StaticFiles
from starlette.types import Scope

# Keep in step with HASHED in web/scripts/precompress.mjs (which refuses public/ files so named).
HASHED = re.compile(r"-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Preferred first when the client accepts several equally.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def accepted_encodings(accept_encoding: str) -> dict[str, float]:
    """The content codings we have that an Accept-Encoding header allows, with their
    quality (q > 0); `*` stands for all that it does not name (RFC 9110 12.5.3)."""
    named: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        named[coding] = quality
    if "x-gzip" in named:
        named.setdefault("gzip", named["x-gzip"])
    wildcard = named.get("*", 0.0)
    qualities = {c: named.get(c, wildcard) for c, _ in ENCODINGS}
    return {c: q for c, q in qualities.items() if q > 0}


def client_file(
    path: Path, headers: Headers, stat_result: os.stat_result | None = None
) -> Response:
    """The response for one file of the client: its best precompressed form, its caching
    rule, or 304 when the client's copy (by ETag or date) is current."""
    cache = IMMUTABLE if HASHED.search(path.name) else REVALIDATE
    extra = {"cache-control": cache}
    served, encoding = path, None
    variants = [(name, Path(f"{path}{suffix}")) for name, suffix in ENCODINGS]
    present = [(name, variant) for name, variant in variants if variant.is_file()]
    if present:
        extra["vary"] = "Accept-Encoding"
        if "range" not in headers:
            accepted = accepted_encodings(headers.get("accept-encoding", ""))
            # The highest quality wins; br before gzip at equal quality (ENCODINGS' order).
            best = max(accepted.get(name, 0.0) for name, _ in present)
            for name, variant in present:
                if best > 0 and accepted.get(name, 0.0) == best:
                    served, encoding = variant, name
                    break
    if encoding is not None:
        extra["content-encoding"] = encoding
        stat_result = None
    response = FileResponse(
        served,
        headers=extra,
        # The type of the file itself, not application/gzip.
        media_type=_media_type(path),
        stat_result=stat_result if stat_result is not None else served.stat(),
    )
    if _not_modified(response.headers, headers):
        return NotModifiedResponse(response.headers)
    return response


def _media_type(path: Path) -> str:
    # The SDK's type declarations (/sdk/tidings-sdk.d.ts): text to read, not a Qt
    # translation (what the system's table says of .ts).
    if path.name.endswith(".d.ts"):
        return "text/plain; charset=utf-8"
    # As FileResponse guesses it from the name when given none.
    return mimetypes.guess_type(path.name)[0] or "text/plain"


def _not_modified(response_headers: Headers, request_headers: Headers) -> bool:
    """As StaticFiles decides it: If-None-Match first, else If-Modified-Since."""
    if if_none_match := request_headers.get("if-none-match"):
        if if_none_match.strip() == "*":
            return True
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return response_headers["etag"] in tags
    since = request_headers.get("if-modified-since")
    modified = response_headers.get("last-modified")
    if since is None or modified is None:
        return False
    since_date, modified_date = parsedate(since), parsedate(modified)
    return since_date is not None and modified_date is not None and since_date >= modified_date


class ClientAssets(StaticFiles):
    """`/assets/*` with precompressed text, per-encoding ETags and the caching rules above."""

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        path = Path(full_path)
        # The compressed copies are reached through their file only: asked for by their own
        # name they would go out labelled as the file's type without their coding.
        if path.suffix in {suffix for _, suffix in ENCODINGS} and path.with_suffix("").is_file():
            raise HTTPException(404)
        return client_file(path, Headers(scope=scope), stat_result)
