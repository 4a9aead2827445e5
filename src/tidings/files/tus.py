"""The tus 1.0 protocol's wire format, without I/O: header parsing and response headers.

https://tus.io/protocols/resumable-upload — core protocol and the creation,
creation-with-upload, termination, expiration, checksum and concatenation extensions. The
route in ``api/uploads.py`` only moves bytes and calls actions; everything about header syntax
is here and tested without sockets.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formatdate
from urllib.parse import urlsplit

from tidings.domain.errors import ErrorCode, TidingsError

VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,termination,expiration,checksum,concatenation"
CHECKSUM_ALGORITHMS = ("sha1", "sha256", "sha512", "md5")
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
# Upload-Metadata is a header: a few KiB is plenty for a name, a type and our numbers.
MAX_METADATA_BYTES = 4096
# A final upload of tus concatenation joins at most this many partial uploads; its header
# (kept, and echoed by HEAD) is at most this long.
MAX_CONCAT_PARTS = 100
MAX_CONCAT_BYTES = 8192


@dataclass(frozen=True, slots=True)
class Checksum:
    """An Upload-Checksum header: the digest the PATCH body must have."""

    algorithm: str
    digest: bytes

    def hasher(self) -> hashlib._Hash:
        # md5 and sha1 detect corruption here, they protect nothing secret.
        return hashlib.new(self.algorithm, usedforsecurity=False)


def check_version(headers: Mapping[str, str]) -> None:
    if headers.get("tus-resumable") != VERSION:
        raise TidingsError(ErrorCode.TUS_VERSION_UNSUPPORTED, f"send Tus-Resumable: {VERSION}")


def check_offset_content_type(headers: Mapping[str, str]) -> None:
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != OFFSET_CONTENT_TYPE:
        raise TidingsError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE, f"upload data must be sent as {OFFSET_CONTENT_TYPE}"
        )


def non_negative(headers: Mapping[str, str], name: str) -> int | None:
    """A header holding a non-negative integer, or None when absent."""
    raw = headers.get(name.lower())
    if raw is None:
        return None
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        raise TidingsError(ErrorCode.INVALID_INPUT, f"{name} must be a non-negative integer")
    return int(raw)


def required(headers: Mapping[str, str], name: str) -> int:
    value = non_negative(headers, name)
    if value is None:
        raise TidingsError(ErrorCode.INVALID_INPUT, f"{name} is required")
    return value


def parse_metadata(raw: str | None) -> dict[str, str]:
    """Upload-Metadata: ``key base64value, key2, ...`` — values decoded as UTF-8."""
    if not raw:
        return {}
    if len(raw) > MAX_METADATA_BYTES:
        raise TidingsError(ErrorCode.INVALID_INPUT, "Upload-Metadata is too long")
    out: dict[str, str] = {}
    for pair in raw.split(","):
        parts = pair.strip().split(" ")
        key = parts[0]
        if not key or len(parts) > 2 or not key.isascii() or key in out:
            raise TidingsError(ErrorCode.INVALID_INPUT, "Upload-Metadata is malformed")
        try:
            value = base64.b64decode(parts[1], validate=True) if len(parts) == 2 else b""
            out[key] = value.decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise TidingsError(
                ErrorCode.INVALID_INPUT, f"Upload-Metadata {key[:40]!r} is not base64 UTF-8"
            ) from None
    return out


@dataclass(frozen=True, slots=True)
class Concat:
    """An Upload-Concat header: ``partial``, or ``final;<url> <url> ...``."""

    partial: bool
    # For a final upload: the ids of its partial uploads, in order.
    part_ids: tuple[str, ...] = ()


def parse_concat(raw: str | None, *, prefix: str) -> Concat | None:
    """Upload-Concat; the final form's URLs may be absolute or relative, and must name
    uploads of this server (under ``prefix``, e.g. ``/files/``)."""
    if raw is None:
        return None
    raw = raw.strip()
    if raw == "partial":
        return Concat(partial=True)
    if len(raw) > MAX_CONCAT_BYTES:
        raise TidingsError(ErrorCode.INVALID_INPUT, "Upload-Concat is too long")
    kind, _, urls = raw.partition(";")
    if kind.strip() != "final" or not urls.strip():
        raise TidingsError(
            ErrorCode.INVALID_INPUT, "Upload-Concat is 'partial' or 'final;<url> <url>...'"
        )
    part_ids = []
    for url in urls.split():
        path = urlsplit(url).path
        if not path.startswith(prefix) or "/" in path[len(prefix) :] or path == prefix:
            raise TidingsError(
                ErrorCode.INVALID_INPUT, f"Upload-Concat names {url[:80]!r}, not an upload here"
            )
        part_ids.append(path[len(prefix) :])
    if len(part_ids) > MAX_CONCAT_PARTS:
        raise TidingsError(
            ErrorCode.INVALID_INPUT, f"Upload-Concat joins at most {MAX_CONCAT_PARTS} uploads"
        )
    return Concat(partial=False, part_ids=tuple(part_ids))


def parse_checksum(raw: str | None) -> Checksum | None:
    if raw is None:
        return None
    parts = raw.strip().split(" ")
    if len(parts) != 2:
        raise TidingsError(ErrorCode.INVALID_INPUT, "Upload-Checksum is '<algorithm> <base64>'")
    algorithm = parts[0].lower()
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise TidingsError(
            ErrorCode.UNSUPPORTED_CHECKSUM,
            f"checksum algorithms: {','.join(CHECKSUM_ALGORITHMS)}",
        )
    try:
        digest = base64.b64decode(parts[1], validate=True)
    except binascii.Error:
        raise TidingsError(ErrorCode.INVALID_INPUT, "Upload-Checksum is not base64") from None
    return Checksum(algorithm, digest)


def http_date(ms: int) -> str:
    """Upload-Expires uses the RFC 9110 date format."""
    return formatdate(ms / 1000, usegmt=True)


def discovery_headers(max_size: int) -> dict[str, str]:
    """What OPTIONS answers: the versions, extensions and limits of this server."""
    return {
        "Tus-Resumable": VERSION,
        "Tus-Version": VERSION,
        "Tus-Extension": EXTENSIONS,
        "Tus-Max-Size": str(max_size),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
    }
