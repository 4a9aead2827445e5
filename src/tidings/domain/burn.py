"""Burn after reading (PRODUCT.md D10, decision 0038): rules, no I/O.

A burn message is an ordinary message whose body carries ``"burn": true``. The recipient
opens it (``burn.open``): a ``burn_opened`` entry records when it burns, and at that time the
server tombstones the message (``recalled`` true, body ``{"burned": true}``), deletes the
files it carried and appends a ``burned`` entry. Only direct chats have them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tidings.domain.bodies import MessageType

# The types a burn message may have: what a reader looks at once and then loses. Stickers,
# locations and cards stay ordinary (a sticker's file is shared with sticker collections).
BURNABLE = frozenset(
    {MessageType.TEXT, MessageType.IMAGE, MessageType.FILE, MessageType.VOICE, MessageType.VIDEO}
)

# What a burned message's body becomes, in storage and on the wire.
BURNED_BODY: dict[str, Any] = {"burned": True}

# Longer texts get longer to read: one second per this many characters beyond the minimum,
# up to the cap.
_CHARS_PER_SECOND = 15
_TEXT_CAP_SECONDS = 60


def is_burn(body: Mapping[str, Any]) -> bool:
    """Whether a stored message body burns after reading."""
    return body.get("burn") is True


def countdown_ms(
    message_type: str | None, body: Mapping[str, Any], *, text_seconds: int, media_seconds: int
) -> int:
    """How long after opening the message is wiped."""
    if message_type == MessageType.TEXT.value:
        length = len(str(body.get("text", "")))
        seconds = max(text_seconds, min(_TEXT_CAP_SECONDS, math.ceil(length / _CHARS_PER_SECOND)))
        return seconds * 1000
    duration = body.get("duration_ms")
    if message_type in (MessageType.VOICE.value, MessageType.VIDEO.value) and isinstance(
        duration, int
    ):
        return duration + media_seconds * 1000
    return media_seconds * 1000


def carried_files(body: Mapping[str, Any]) -> list[str]:
    """The uploaded files a message body refers to (its attachment and a video's poster)."""
    return [
        str(body[key])
        for key in ("file_id", "poster_file_id")
        if isinstance(body.get(key), str) and body[key]
    ]
