"""HTTP details of downloads, without I/O: byte ranges, ETags and safe headers."""

from __future__ import annotations

from urllib.parse import quote

from tidings.domain.errors import ErrorCode, TidingsError

# Media a browser may show in place. Anything else is served as an opaque download: a file
# claiming text/html must never run as a page of this origin.
INLINE_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/bmp",
        "audio/mpeg",
        "audio/mp4",
        "audio/aac",
        "audio/ogg",
        "audio/webm",
        "audio/wav",
        "audio/amr",
        "video/mp4",
        "video/webm",
        "video/ogg",
        "video/quicktime",
    }
)
OPAQUE_TYPE = "application/octet-stream"


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one byte range asked for, as (start, end exclusive); None for the whole file.

    Several ranges in one request are answered with the whole file (RFC 9110 lets a server
    ignore Range); a range that starts past the end is 416.
    """
    if header is None:
        return None
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()):
        return None
    if not first:
        suffix = int(last)
        if suffix == 0:
            raise _unsatisfiable(size)
        return max(0, size - suffix), size
    start = int(first)
    if last and not last.isdigit():
        return None
    end = min(int(last) + 1, size) if last else size
    if start >= size or end <= start:
        raise _unsatisfiable(size)
    return start, end


def _unsatisfiable(size: int) -> TidingsError:
    return TidingsError(
        ErrorCode.RANGE_NOT_SATISFIABLE, f"the range is outside the file's {size} bytes"
    )


def etag_matches(header: str | None, etag: str) -> bool:
    if header is None:
        return False
    candidates = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in candidates or etag in candidates


def served_type(mime: str) -> str:
    return mime if mime in INLINE_TYPES else OPAQUE_TYPE


def content_disposition(name: str, *, inline: bool) -> str:
    """``filename`` as ASCII with anything risky replaced, ``filename*`` as UTF-8 (RFC 6266)."""
    fallback = "".join(
        char if char.isascii() and char.isprintable() and char not in '"\\;' else "_"
        for char in name
    )
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
