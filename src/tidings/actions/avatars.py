"""A user's avatar (A7): an image the user uploaded (through tus, like any file) and the
client cropped square, named in the profile as ``file:<id>``. The server checks what the
name points at; anyone signed in may then read that file (FileStore.may_read), because
cards showing it reach people who share no conversation with its owner (search, the
organization tree). Decision 0049.
"""

from __future__ import annotations

import re

from tidings.actions.context import Actor
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.files import FileKind
from tidings.store.files import FileStore

AVATAR_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
AVATAR_MAX_BYTES = 2 * 1024 * 1024
# The client crops square and scales to at most 512 px; allow some slack, refuse posters.
AVATAR_MIN_PIXELS = 16
AVATAR_MAX_PIXELS = 2048
_FILE_AVATAR = re.compile(r"^file:([A-Za-z0-9_-]{1,64})$")
_EMOJI_AVATAR = re.compile(r"^emoji:.{1,16}$")


async def check_avatar(files: FileStore, actor: Actor, avatar: str) -> None:
    """``invalid_avatar`` unless ``avatar`` is empty (initials), ``emoji:<emoji>``, or
    ``file:<id>`` of a complete image the actor uploaded: PNG, JPEG or WebP, at most 2 MiB,
    16 to 2048 pixels a side, roughly square, that never expires."""
    if avatar == "" or _EMOJI_AVATAR.match(avatar):
        return
    match = _FILE_AVATAR.match(avatar)
    if match is None:
        raise TidingsError(ErrorCode.INVALID_AVATAR, "avatar: '', 'emoji:…' or 'file:<id>'")
    file = await files.get(match.group(1))
    if file is None or file.uploader_id != actor.user_id:
        raise TidingsError(ErrorCode.INVALID_AVATAR, "avatar: not a file you uploaded")
    if not file.complete:
        raise TidingsError(ErrorCode.INVALID_AVATAR, "avatar: the upload is not finished")
    if file.kind is not FileKind.IMAGE or file.mime not in AVATAR_TYPES:
        raise TidingsError(ErrorCode.INVALID_AVATAR, "avatar: a PNG, JPEG or WebP image")
    if file.size > AVATAR_MAX_BYTES:
        raise TidingsError(ErrorCode.INVALID_AVATAR, "avatar: at most 2 MiB")
    width, height = file.width or 0, file.height or 0
    if not (
        AVATAR_MIN_PIXELS <= width <= AVATAR_MAX_PIXELS
        and AVATAR_MIN_PIXELS <= height <= AVATAR_MAX_PIXELS
        and abs(width - height) <= max(width, height) // 20
    ):
        raise TidingsError(
            ErrorCode.INVALID_AVATAR, "avatar: a square image of 16 to 2048 pixels a side"
        )
    if file.expiry_days is not None:
        raise TidingsError(ErrorCode.INVALID_AVATAR, "avatar: a file that never expires")
