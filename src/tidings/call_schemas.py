"""Request shapes of calls (decisions 0074, 0078; docs/protocol.md, "Calls")."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from tidings.domain.calls import CallMedia
from tidings.schemas import Id, Input

# Enums arrive as JSON strings; strict mode would want the enum object itself.
CallMediaName = Annotated[CallMedia, Field(strict=False)]
# An SDP is checked against call_signal_max_bytes by the action (a setting); this bound only
# keeps what is parsed at all within a frame.
Sdp = Annotated[str, StringConstraints(min_length=1, max_length=64 * 1024)]


class CallStartOp(Input):
    conversation_id: Id
    media: CallMediaName = CallMedia.AUDIO


class CallRef(Input):
    call_id: Id


class SessionDescription(Input):
    """RTCSessionDescriptionInit, as the browser makes it."""

    type: Literal["offer", "answer"]
    sdp: Sdp


class IceCandidate(Input):
    """RTCIceCandidateInit, as the browser makes it."""

    candidate: Annotated[str, StringConstraints(max_length=1024)]
    sdpMid: Annotated[str, StringConstraints(max_length=64)] | None = None
    sdpMLineIndex: Annotated[int, Field(ge=0, le=64)] | None = None
    usernameFragment: Annotated[str, StringConstraints(max_length=256)] | None = None


class CallSignalOp(Input):
    """Relayed to the other party's device in the call: a description or a candidate."""

    call_id: Id
    description: SessionDescription | None = None
    candidate: IceCandidate | None = None
    # Group calls (decision 0078): which of the device's two connections to the SFU a
    # candidate is of: what it sends (publisher, the default) or what it receives.
    target: Literal["publisher", "subscriber"] | None = None


class CallPublishOp(Input):
    """Group calls: the device's offer of what it sends to the SFU."""

    call_id: Id
    description: SessionDescription


class CallMuteMemberOp(Input):
    """Group calls: a host mutes a member."""

    call_id: Id
    user_id: Id


class CallMediaOp(Input):
    """This device's state in the call: what it sends, and whether its media flows."""

    call_id: Id
    audio: bool
    video: bool
    screen: bool = False
    # "lost": the media stopped (ICE disconnected or failed); the call ends for both after
    # call_lost_seconds unless "ok" follows.
    connection: Literal["ok", "lost"] = "ok"
