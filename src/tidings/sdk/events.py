"""Typed events the client emits, mirroring the server's pushes (docs/protocol.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Connected:
    session_id: int


@dataclass(frozen=True, slots=True)
class Disconnected:
    code: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class EntryReceived:
    entry: dict[str, Any]


@dataclass(frozen=True, slots=True)
class HistoryFilled:
    """Entries pulled to fill a gap (after a reconnect, or a push that skipped seqs): they
    are in the state, and no ``EntryReceived`` announced them."""

    conversation_id: int
    count: int


@dataclass(frozen=True, slots=True)
class PrivateReceived:
    entry: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReceiptChanged:
    conversation_id: int
    user_id: int
    read_seq: int | None
    delivered_seq: int | None


@dataclass(frozen=True, slots=True)
class Typing:
    conversation_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class PresenceChanged:
    user_id: int
    online: bool


@dataclass(frozen=True, slots=True)
class SignedOut:
    """The server ended this session; the client stops reconnecting."""

    reason: str


@dataclass(frozen=True, slots=True)
class SiteSettingsChanged:
    """An administrator changed the site settings (modules, client entries, limits, brand)."""

    version: int
    settings: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CallPushed:
    """A call's push (docs/protocol.md, "Calls"): ``kind`` is call_incoming, call_accepted,
    call_updated, call_ended or call_signal."""

    kind: str
    data: dict[str, Any]


Event = (
    Connected
    | Disconnected
    | EntryReceived
    | HistoryFilled
    | PrivateReceived
    | ReceiptChanged
    | Typing
    | PresenceChanged
    | SignedOut
    | SiteSettingsChanged
    | CallPushed
)
