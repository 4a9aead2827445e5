"""Uploaded files: what is recorded about them and the rules that need no I/O (PRODUCT.md F1-F5).

A file is born as a tus upload (state ``uploading``), becomes ``complete`` when its last byte
is durable, and ``purged`` when its expiry passed and its bytes were removed (the row stays so
that readers get 410 Gone rather than 404). Its id is also its upload id: ``/files/<id>``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tidings.domain.errors import ErrorCode, TidingsError

DAY_MS = 24 * 3600 * 1000
# A sent file may disappear after 1 to 7 days (PRODUCT.md F4); without an expiry it stays.
EXPIRY_DAYS = range(1, 8)
MAX_NAME_CHARS = 255
MAX_MIME_CHARS = 100
# Voice messages are capped at ten minutes (the voice body's own limit); video at a day.
MAX_VOICE_MS = 10 * 60 * 1000
MAX_VIDEO_MS = 24 * 3600 * 1000
MAX_DIMENSION = 100_000
# What a file costs its uploader's quota at the least, whatever its size: its record and the
# disk block its object takes. Without it empty uploads were free, and unlimited.
MIN_CHARGE_BYTES = 4096


class FileKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    VOICE = "voice"
    FILE = "file"


class FileState(StrEnum):
    UPLOADING = "uploading"
    COMPLETE = "complete"
    # Expired: the bytes are gone, the record answers 410.
    PURGED = "purged"


class Variant(StrEnum):
    """What a download serves: the file itself or its thumbnail."""

    ORIGINAL = "original"
    THUMBNAIL = "thumbnail"


@dataclass(frozen=True, slots=True)
class StoredFile:
    id: str
    uploader_id: int
    name: str
    mime: str
    kind: FileKind
    size: int  # Upload-Length: the size the file has when complete
    received: int  # Upload-Offset: bytes durably stored so far
    state: FileState
    width: int | None
    height: int | None
    duration_ms: int | None
    animated: bool
    # The thumbnail's media type, when the server made one (images).
    thumbnail_mime: str | None
    # A copy without the EXIF location exists; everyone but the uploader downloads it.
    has_shared_copy: bool
    expiry_days: int | None
    expires_at: int | None  # set when the upload completes, if expiry_days is
    created_at: int
    updated_at: int  # last byte received or state change: abandoned uploads are judged by it
    completed_at: int | None
    # Bytes of the server's copies (thumbnail, copy without the location): they count
    # against the uploader's quota like the file itself.
    derived_bytes: int = 0
    # Upload-Metadata exactly as the client sent it: HEAD echoes it.
    upload_metadata: str | None = None
    # tus concatenation: "partial", "joining" (a partial upload being copied into a final
    # upload), or "final;<the partial uploads' URLs>"; None otherwise.
    concat: str | None = None

    @property
    def complete(self) -> bool:
        return self.state is FileState.COMPLETE

    @property
    def partial(self) -> bool:
        """A piece of a parallel upload, to be concatenated into a final upload."""
        return self.concat in ("partial", "joining")

    @property
    def final(self) -> bool:
        """Made of partial uploads (tus concatenation): never written to."""
        return self.concat is not None and self.concat.startswith("final")

    @property
    def quota_charge(self) -> int:
        return max(self.size, MIN_CHARGE_BYTES) + self.derived_bytes

    def expired(self, now: int) -> bool:
        return self.state is FileState.PURGED or (
            self.expires_at is not None and self.expires_at <= now
        )

    def to_wire(self, now: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "uploader_id": self.uploader_id,
            "name": self.name,
            "mime": self.mime,
            "kind": self.kind.value,
            "size": self.size,
            "state": self.state.value,
            "created_at": self.created_at,
            "completed_at": self.completed_at,
            "expires_at": self.expires_at,
            "expired": self.expired(now),
            "url": f"/files/{self.id}",
            "thumbnail_url": f"/files/{self.id}/thumbnail" if self.thumbnail_mime else None,
        }
        for name in ("width", "height", "duration_ms"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.kind is FileKind.IMAGE:
            out["animated"] = self.animated
        return out


@dataclass(frozen=True, slots=True)
class NewUpload:
    """What a tus creation request asks for, validated."""

    size: int
    name: str
    mime: str
    kind: FileKind
    expiry_days: int | None
    duration_ms: int | None
    width: int | None
    height: int | None


def check_new_upload(size: int, metadata: dict[str, str], *, max_size: int) -> NewUpload:
    """Validate a creation request's Upload-Length and Upload-Metadata.

    Keys follow the tus clients' conventions (``filename``/``name``, ``filetype``/``type``);
    ``expiry_days``, ``duration_ms``, ``width`` and ``height`` are ours. Unknown keys are
    ignored: tus clients add their own (tus-js-client sends ``relativePath``).
    """
    if size < 0:
        raise TidingsError(ErrorCode.INVALID_INPUT, "Upload-Length must not be negative")
    if size > max_size:
        raise TidingsError(
            ErrorCode.FILE_TOO_LARGE, f"files are limited to {max_size} bytes (Tus-Max-Size)"
        )
    name = check_filename(metadata.get("filename", metadata.get("name", "file")))
    mime = check_mime(metadata.get("filetype", metadata.get("type", "")))
    kind = kind_of_mime(mime)
    duration_ms = _int_field(metadata, "duration_ms", 1, MAX_VIDEO_MS)
    if kind is FileKind.VOICE and duration_ms is not None and duration_ms > MAX_VOICE_MS:
        raise TidingsError(ErrorCode.INVALID_INPUT, "voice messages last at most 10 minutes")
    return NewUpload(
        size=size,
        name=name,
        mime=mime,
        kind=kind,
        expiry_days=_int_field(metadata, "expiry_days", EXPIRY_DAYS.start, EXPIRY_DAYS.stop - 1),
        duration_ms=duration_ms,
        width=_int_field(metadata, "width", 1, MAX_DIMENSION),
        height=_int_field(metadata, "height", 1, MAX_DIMENSION),
    )


def check_filename(name: str) -> str:
    """A file name as people see it, never a path: refused rather than silently changed.

    Names are never used to build storage paths (storage keys are server-made ids), but they
    are shown in clients and sent in Content-Disposition, so separators, NUL, control and
    bidirectional-override characters (which disguise ``exe.txt`` as ``txt.exe``) are
    refused outright.
    """
    name = unicodedata.normalize("NFC", name)
    if not name.strip():
        raise TidingsError(ErrorCode.INVALID_INPUT, "filename: must not be empty")
    if len(name) > MAX_NAME_CHARS:
        raise TidingsError(
            ErrorCode.INVALID_INPUT, f"filename: longer than {MAX_NAME_CHARS} characters"
        )
    if name in (".", "..") or "/" in name or "\\" in name:
        raise TidingsError(
            ErrorCode.INVALID_INPUT, "filename: a name, not a path ('/', '\\', '.', '..')"
        )
    for char in name:
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            raise TidingsError(
                ErrorCode.INVALID_INPUT,
                f"filename: control or format character U+{ord(char):04X} not allowed",
            )
    return name


def check_mime(mime: str) -> str:
    mime = mime.strip().lower()
    if len(mime) > MAX_MIME_CHARS or any(
        not (char.isascii() and (char.isalnum() or char in "/.+-_")) for char in mime
    ):
        raise TidingsError(ErrorCode.INVALID_INPUT, "filetype: not a media type")
    return mime


def kind_of_mime(mime: str) -> FileKind:
    """What the uploader claims; images are checked by decoding them, media by sniffing."""
    major = mime.split("/", 1)[0]
    if major == "image":
        return FileKind.IMAGE
    if major == "video":
        return FileKind.VIDEO
    if major == "audio":
        return FileKind.VOICE
    return FileKind.FILE


# Message types that carry a file, and the kinds of file each accepts.
ATTACHMENT_KINDS: dict[str, frozenset[FileKind]] = {
    "image": frozenset({FileKind.IMAGE}),
    "sticker": frozenset({FileKind.IMAGE}),
    "voice": frozenset({FileKind.VOICE}),
    "video": frozenset({FileKind.VIDEO}),
    "file": frozenset(FileKind),
}


def expiry_of(expiry_days: int | None, completed_at: int) -> int | None:
    return None if expiry_days is None else completed_at + expiry_days * DAY_MS


def _int_field(metadata: dict[str, str], key: str, low: int, high: int) -> int | None:
    raw = metadata.get(key)
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise TidingsError(ErrorCode.INVALID_INPUT, f"{key}: a whole number from {low} to {high}")
    return int(raw)
