"""One-to-one calls (PRODUCT.md G1, G2; decision 0074): their states, how they end, and the
TURN credentials handed to clients.

A call rings, is answered (active) and ends; every move is a conditional update of the
stored state, so of two devices (or nodes) racing, one wins. How a call ended becomes a
``call`` entry in the conversation's log, its ``type`` the outcome (docs/protocol.md).
Media never passes through the server: it relays the WebRTC offer, answer and ICE
candidates between the two devices in the call, and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class CallMedia(StrEnum):
    AUDIO = "audio"
    VIDEO = "video"


class CallState(StrEnum):
    RINGING = "ringing"
    ACTIVE = "active"
    ENDED = "ended"


class EndReason(StrEnum):
    """Why a call ended; each is also the ``type`` of the call's log entry."""

    # Answered, then someone hung up (or the media was lost for good): the entry has the
    # duration.
    ENDED = "ended"
    MISSED = "missed"  # nobody answered in time (counts as unread for the callee)
    DECLINED = "declined"  # the callee said no
    CANCELLED = "cancelled"  # the caller hung up while it rang
    BUSY = "busy"  # the callee was already in a call


class CallKind(StrEnum):
    DIRECT = "direct"  # one-to-one, browser to browser (decision 0074)
    GROUP = "group"  # in a group, through the SFU (decision 0078)


# A group call's log entry when it starts ("group call started by X"); it ends with an
# ``ended`` entry carrying the duration, like an answered one-to-one call.
GROUP_STARTED = "group_started"


class Hangup(StrEnum):
    """What ended an answered call, kept in the entry's body."""

    HANGUP = "hangup"
    LOST = "lost"  # the media stopped and did not come back within the lost-media deadline


@dataclass(frozen=True, slots=True)
class Participant:
    user_id: int
    # The device (session) in the call: the caller's from the start, the callee's once it
    # answered; None while it rings.
    session_id: int | None
    audio: bool = True
    video: bool = False
    screen: bool = False
    # Group calls: whether the member is in the call now (they may have left, or their
    # media was lost), when they last joined, and whether a host muted them.
    live: bool = True
    joined_at: int | None = None
    host_muted: bool = False

    def to_wire(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "session_id": self.session_id,
            "audio": self.audio,
            "video": self.video,
            "screen": self.screen,
            "live": self.live,
            "joined_at": self.joined_at,
            "host_muted": self.host_muted,
        }


@dataclass(frozen=True, slots=True)
class Call:
    id: int
    conversation_id: int
    caller_id: int  # who started it
    callee_id: int | None  # None for a group call
    media: CallMedia
    state: CallState
    created_at: int
    ring_deadline: int
    accepted_at: int | None
    ended_at: int | None
    end_reason: EndReason | None
    # The call ends at this time unless a device reports that it is there: the caller's
    # while it rings (else cancelled), one whose media flows once answered (else lost).
    lost_deadline: int | None
    participants: tuple[Participant, ...] = field(default=())
    kind: CallKind = CallKind.DIRECT
    live_count: int = 0

    @property
    def is_group(self) -> bool:
        return self.kind is CallKind.GROUP

    def live_party(self, user_id: int) -> Participant | None:
        party = self.party(user_id)
        return party if party is not None and party.live else None

    @property
    def live_user_ids(self) -> list[int]:
        return [p.user_id for p in self.participants if p.live]

    @property
    def duration_ms(self) -> int | None:
        if self.accepted_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.accepted_at

    def party(self, user_id: int) -> Participant | None:
        return next((p for p in self.participants if p.user_id == user_id), None)

    def other(self, user_id: int) -> int:
        assert self.callee_id is not None, "a one-to-one call's"
        return self.callee_id if user_id == self.caller_id else self.caller_id

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "conversation_id": self.conversation_id,
            "caller_id": self.caller_id,
            "callee_id": self.callee_id,
            "media": self.media.value,
            "state": self.state.value,
            "created_at": self.created_at,
            "ring_deadline": self.ring_deadline,
            "accepted_at": self.accepted_at,
            "ended_at": self.ended_at,
            "end_reason": self.end_reason.value if self.end_reason else None,
            "duration_ms": self.duration_ms,
            "participants": [p.to_wire() for p in self.participants],
            "live_count": self.live_count,
        }


def record_body(call: Call, hangup: Hangup | None = None) -> dict[str, Any]:
    """The body of the ``call`` entry an ended call leaves in the conversation's log."""
    body: dict[str, Any] = {"call_id": call.id, "media": call.media.value}
    if call.duration_ms is not None:
        body["duration_ms"] = call.duration_ms
    if hangup is not None:
        body["hangup"] = hangup.value
    if call.is_group:
        body["group"] = True
        body["participants"] = len(call.participants)
    return body


def turn_credentials(secret: str, user_id: int, *, now: int, ttl: int) -> tuple[str, str]:
    """A TURN username and password valid until ``now + ttl`` seconds: the TURN REST API
    scheme (draft-uberti-behave-turn-rest) that coturn checks with ``use-auth-secret``: the
    username is "<expiry>:<user>", the password base64(HMAC-SHA1(secret, username))."""
    username = f"{now + ttl}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()
