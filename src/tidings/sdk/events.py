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


Event = (
    Connected
    | Disconnected
    | EntryReceived
    | PrivateReceived
    | ReceiptChanged
    | Typing
    | PresenceChanged
    | SignedOut
    | SiteSettingsChanged
)
