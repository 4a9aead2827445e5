"""Favourites of messages (decision 0036): what a saved copy holds, and the words it is
found by. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidings.domain.bodies import MessageType

# How much of a message goes into the search column: enough for titles, names and the first
# lines of long texts and records, little enough to keep the table small.
SEARCH_TEXT_CHARS = 2000
# Categories the favourites page filters by; "link" is a custom card (an order, a page).
FAVORITE_FILTERS: dict[str, tuple[str, ...]] = {
    "text": (MessageType.TEXT.value,),
    "image": (MessageType.IMAGE.value, MessageType.STICKER.value, MessageType.VIDEO.value),
    "file": (MessageType.FILE.value,),
    "voice": (MessageType.VOICE.value,),
    "location": (MessageType.LOCATION.value,),
    "link": (MessageType.CUSTOM_CARD.value, MessageType.CONTACT_CARD.value),
    "chat_record": (MessageType.CHAT_RECORD.value,),
}


@dataclass(frozen=True, slots=True)
class FavoriteMessage:
    id: int
    user_id: int
    conversation_id: int
    seq: int
    sender_id: int | None
    sender_name: str
    sent_at: int
    type: str
    body: dict[str, Any]
    created_at: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "seq": self.seq,
            "sender_id": self.sender_id,
            "sender_name": self.sender_name,
            "sent_at": self.sent_at,
            "type": self.type,
            "body": self.body,
            "saved_at": self.created_at,
        }


def search_text(type_name: str, body: dict[str, Any]) -> str:
    """The words of a message, lower-cased, for the favourites' search."""
    words: list[str] = []
    _collect(type_name, body, words, depth=0)
    return " ".join(w for w in words if w).lower()[:SEARCH_TEXT_CHARS]


def _collect(type_name: str, body: dict[str, Any], words: list[str], *, depth: int) -> None:
    def text(*keys: str) -> None:
        words.extend(str(body[k]) for k in keys if isinstance(body.get(k), str))

    if type_name == MessageType.CHAT_RECORD.value:
        text("title")
        if depth < 3:
            for item in body.get("items", []):
                words.append(str(item.get("sender_name", "")))
                _collect(str(item.get("type")), item.get("body", {}), words, depth=depth + 1)
        return
    text("text", "name", "address", "title", "description", "source", "emoji")
