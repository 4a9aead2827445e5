"""Request shapes shared by the REST API and the WebSocket gateway.

Unknown fields are refused and types are strict (no "1" for 1): a client bug surfaces as a
clear ``invalid_input`` instead of a guess.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tidings.domain.accounts import Account, Nickname, Password, Platform

Id = Annotated[int, Field(gt=0, lt=2**63)]
Seq = Annotated[int, Field(ge=0, lt=2**63)]
ClientMsgId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_:.\-]+$")
]
Limit = Annotated[int, Field(ge=1, le=10_000)]
DeviceName = Annotated[str, StringConstraints(max_length=100)]
# Enums arrive as JSON strings; strict mode would want the enum object itself.
PlatformName = Annotated[Platform, Field(strict=False)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class RegisterInput(Input):
    account: Account
    password: Password
    nickname: Nickname
    platform: PlatformName = Platform.WEB
    device_name: DeviceName = ""
    remember: bool = False


class LoginInput(Input):
    account: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    platform: PlatformName = Platform.WEB
    device_name: DeviceName = ""
    remember: bool = False


class DeviceLoginInput(Input):
    device_credential: Annotated[str, StringConstraints(min_length=1, max_length=128)]


class AuthInput(Input):
    # No length limit of its own (the frame limit bounds it): a token of any length that the
    # server did not issue is ``invalid_token``, as over REST.
    token: Annotated[str, StringConstraints(min_length=1)]


class CreateConversationInput(Input):
    type: Annotated[str, StringConstraints(pattern=r"^(direct|group)$")]
    peer_id: Id | None = None
    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
        | None
    ) = None
    member_ids: Annotated[list[Id], Field(max_length=10_000)] = []


class ConversationRef(Input):
    conversation_id: Id


class SendInput(Input):
    client_msg_id: ClientMsgId
    type: Annotated[str, StringConstraints(max_length=32)]
    body: dict[str, Any]
    reply_to_seq: Id | None = None


class SendOp(SendInput):
    conversation_id: Id


class ForwardInput(Input):
    seqs: Annotated[list[Id], Field(min_length=1, max_length=100)]
    target_ids: Annotated[list[Id], Field(min_length=1, max_length=100)]
    note: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    client_msg_id: ClientMsgId


class ForwardOp(ForwardInput):
    conversation_id: Id


class SeqInput(Input):
    seq: Id


class SeqOp(SeqInput):
    conversation_id: Id


class SeqsInput(Input):
    seqs: Annotated[list[Id], Field(min_length=1, max_length=500)]


class SeqsOp(SeqsInput):
    conversation_id: Id


class HistoryOp(Input):
    conversation_id: Id
    after_seq: Seq | None = None
    before_seq: Seq | None = None
    limit: Limit = 100


class SyncInput(Input):
    private_seq: Seq = 0
    limit: Limit | None = None


class SettingsInput(Input):
    pinned: bool | None = None
    muted: bool | None = None
    draft: Annotated[str, StringConstraints(max_length=10_000)] | None = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class SettingsOp(SettingsInput):
    conversation_id: Id


class InviteInput(Input):
    user_ids: Annotated[list[Id], Field(min_length=1, max_length=10_000)]


class InviteOp(InviteInput):
    conversation_id: Id


class PeerOp(Input):
    peer_id: Id


class CreateGroupOp(Input):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    member_ids: Annotated[list[Id], Field(max_length=10_000)] = []


class UserIdsInput(Input):
    user_ids: Annotated[list[Id], Field(max_length=1000)]


class SessionRef(Input):
    session_id: Id


class UserRef(Input):
    user_id: Id | None = None


class Empty(Input):
    pass
