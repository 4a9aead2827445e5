"""Pushes: what the server sends a connection without being asked.

A push frame is ``{"push": <event>, "data": {...}}``. Each function here builds one event's
frame, serialized once however many connections receive it. The shapes are documented in
docs/protocol.md and mirrored by the SDKs' typed events.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any

import orjson

from tidings.domain.entries import Entry, PrivateEntry


class PushEvent(StrEnum):
    ENTRY = "entry"  # a new entry in a conversation log
    PRIVATE = "private"  # a new entry in the user's private log
    RECEIPT = "receipt"  # a member's read or delivered position moved
    TYPING = "typing"
    PRESENCE = "presence"
    SIGNED_OUT = "signed_out"  # this session ended; the connection closes next
    ORG_CHANGED = "org_changed"  # the organization tree moved to a new version
    # An administrator changed the site settings (modules, client entries, limits, brand).
    SITE_SETTINGS_CHANGED = "site_settings_changed"
    # To customer-service agents: a chat entered, moved in or left the queue (decision 0066).
    SERVICE_QUEUE = "service_queue"
    # Calls (decision 0074): to every device of both parties, but call_signal, which goes
    # to the other party's device in the call only.
    CALL_INCOMING = "call_incoming"  # rings the callee's devices
    CALL_ACCEPTED = "call_accepted"  # answered on one device: the others stop ringing
    CALL_UPDATED = "call_updated"  # mute, camera, screen sharing, media lost or back
    CALL_ENDED = "call_ended"
    CALL_SIGNAL = "call_signal"  # an SDP offer or answer, or an ICE candidate
    # Group calls (decision 0078): call_group to every member of the group (started, who is
    # in it, muted, ended); call_group_signal (the SFU's offers to subscribe) and
    # call_talking (who speaks) to one device in the call.
    CALL_GROUP = "call_group"
    CALL_GROUP_SIGNAL = "call_group_signal"
    CALL_TALKING = "call_talking"


class CloseCode(IntEnum):
    """WebSocket close codes (4000-4999 are the application's own)."""

    NORMAL = 1000
    GOING_AWAY = 1001
    POLICY = 1008
    AUTH_TIMEOUT = 4000
    SIGNED_IN_ELSEWHERE = 4001
    SESSION_REVOKED = 4002
    HEARTBEAT_TIMEOUT = 4003
    INVALID_TOKEN = 4004


def frame(event: PushEvent, data: dict[str, Any]) -> str:
    return orjson.dumps({"push": event.value, "data": data}).decode()


def entry_frame(entry: Entry) -> str:
    return frame(PushEvent.ENTRY, entry.to_wire())


def private_frame(entry: PrivateEntry) -> str:
    return frame(PushEvent.PRIVATE, entry.to_wire())


def receipt_frame(
    conversation_id: int, user_id: int, *, read_seq: int | None, delivered_seq: int | None
) -> str:
    data: dict[str, Any] = {"conversation_id": conversation_id, "user_id": user_id}
    if read_seq is not None:
        data["read_seq"] = read_seq
    if delivered_seq is not None:
        data["delivered_seq"] = delivered_seq
    return frame(PushEvent.RECEIPT, data)


def typing_frame(conversation_id: int, user_id: int) -> str:
    return frame(PushEvent.TYPING, {"conversation_id": conversation_id, "user_id": user_id})


def presence_frame(user_id: int, online: bool) -> str:
    return frame(PushEvent.PRESENCE, {"user_id": user_id, "online": online})


def signed_out_frame(reason: str) -> str:
    return frame(PushEvent.SIGNED_OUT, {"reason": reason})


def site_settings_frame(public: dict[str, Any]) -> str:
    """``{"version", "settings"}``: what ``GET /api/v1/public/settings`` answers."""
    return frame(PushEvent.SITE_SETTINGS_CHANGED, public)
