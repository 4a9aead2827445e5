"""The main panel's chat list: one row per conversation, pinned first then by last activity,
with its last message, unread count and mute; filtered by the search box."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tidings.desktop.i18n import tr
from tidings.desktop.viewmodels.session import Session
from tidings.sdk import ConversationState

_TYPE_WORDS = {
    "image": "[Image]",
    "file": "[File]",
    "voice": "[Voice]",
    "video": "[Video]",
    "sticker": "[Sticker]",
    "location": "[Location]",
    "contact_card": "[Card]",
    "custom_card": "[Card]",
    "chat_record": "[Chat record]",
}


def describe(session: Session, entry: dict[str, Any]) -> str:
    """One line for an entry: its text, or what kind of message it is."""
    if entry["kind"] == "recall":
        if entry.get("sender_id") == session.user_id:
            return tr("You recalled a message")
        return tr("{name} recalled a message", name=session.name_of(entry.get("sender_id")))
    if entry["kind"] != "message":
        return ""
    if entry.get("recalled"):
        return tr("[Message]")
    body = entry.get("body") or {}
    if entry["type"] == "text":
        return " ".join(str(body.get("text", "")).split())
    if entry["type"] == "notice":
        return str(body.get("title", ""))
    word = tr(_TYPE_WORDS.get(entry["type"], "[Message]"))
    name = body.get("name")
    return f"{word} {name}" if entry["type"] == "file" and name else word


def title_of(session: Session, conv: ConversationState) -> str:
    if conv.type == "system":
        return tr("System notices")
    if conv.name:
        return conv.name
    if conv.peer is not None:
        return session.name_of(conv.peer["user_id"])
    return f"#{conv.id}"


def unread_of(session: Session, conv: ConversationState) -> int:
    floor = max(conv.read_seq, conv.cleared_seq, conv.visible_from_seq - 1)
    return sum(
        1
        for seq, entry in conv.entries.items()
        if seq > floor
        and entry["kind"] == "message"
        and entry.get("sender_id") != session.user_id
        and not entry.get("recalled")
        and seq not in conv.hidden
    )


@dataclass(frozen=True)
class ConversationRow:
    id: int
    type: str
    title: str
    preview: str
    last_at: int  # ms since the epoch; 0 when nothing was said
    unread: int
    muted: bool
    pinned: bool
    avatar_user_id: int | None
    # A direct chat's partner: online, offline, or None while not known.
    online: bool | None = None


class ConversationListViewModel:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.query = ""
        self.rows: list[ConversationRow] = []
        self.total_unread = 0
        self._listeners: list[Callable[[], None]] = []
        self._stop = session.on(lambda _what: self.refresh())
        self.refresh()

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def dispose(self) -> None:
        self._stop()

    def search(self, query: str) -> None:
        self.query = query.strip().lower()
        self.refresh()

    def refresh(self) -> None:
        convs = self.session.state.conversations.values()
        self.session.watch_presence({c.peer["user_id"] for c in convs if c.peer is not None})
        rows = [self._row(conv) for conv in convs]
        self.total_unread = sum(r.unread for r in rows if not r.muted)
        if self.query:
            rows = [r for r in rows if self.query in r.title.lower() or self.query in r.preview]
        rows.sort(key=lambda r: (not r.pinned, -r.last_at, -r.id))
        self.rows = rows
        for listener in list(self._listeners):
            listener()

    def _row(self, conv: ConversationState) -> ConversationRow:
        last = None
        hidden_floor = max(conv.cleared_seq, conv.visible_from_seq - 1)
        for seq in sorted(conv.entries, reverse=True):
            entry = conv.entries[seq]
            if seq <= hidden_floor:
                break
            if seq not in conv.hidden and entry["kind"] in ("message", "recall"):
                last = entry
                break
        return ConversationRow(
            id=conv.id,
            type=conv.type,
            title=title_of(self.session, conv),
            preview=describe(self.session, last) if last else "",
            last_at=int(last["created_at"]) if last else 0,
            unread=unread_of(self.session, conv),
            muted=conv.muted,
            pinned=conv.pinned,
            avatar_user_id=conv.peer["user_id"] if conv.peer else None,
            online=self.session.online(conv.peer["user_id"]) if conv.peer else None,
        )
