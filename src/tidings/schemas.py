"""Request shapes shared by the REST API and the WebSocket gateway.

Unknown fields are refused and types are strict (no "1" for 1): a client bug surfaces as a
clear ``invalid_input`` instead of a guess.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from tidings.domain.accounts import Account, Nickname, Password, Platform
from tidings.domain.security import Channel, CodePurpose, SecondStepMethod

Id = Annotated[int, Field(gt=0, lt=2**63)]
Seq = Annotated[int, Field(ge=0, lt=2**63)]
ClientMsgId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_:.\-]+$")
]
# Page sizes, as docs/protocol.md states them: a larger one is refused (``invalid_input``),
# never cut short unseen (a short page would read as "nothing more").
HISTORY_PAGE_MAX = 500
SYNC_PAGE_MAX = 1000
FILES_PAGE_MAX = 200
HistoryLimit = Annotated[int, Field(ge=1, le=HISTORY_PAGE_MAX)]
SyncLimit = Annotated[int, Field(ge=1, le=SYNC_PAGE_MAX)]
FilesLimit = Annotated[int, Field(ge=1, le=FILES_PAGE_MAX)]
DeviceName = Annotated[str, StringConstraints(max_length=100)]
# Enums arrive as JSON strings; strict mode would want the enum object itself.
PlatformName = Annotated[Platform, Field(strict=False)]


# Codes and challenges (docs/protocol.md "Account security").
Code = Annotated[str, StringConstraints(min_length=1, max_length=32)]
ChannelName = Annotated[Channel, Field(strict=False)]
Destination = Annotated[str, StringConstraints(min_length=1, max_length=254)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# What an earlier sign-in returned as ``device_token`` (known devices, issue 11).
DeviceToken = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class RegisterInput(Input):
    account: Account
    password: Password
    nickname: Nickname
    platform: PlatformName = Platform.WEB
    device_name: DeviceName = ""
    remember: bool = False
    # Needed when TIDINGS_REGISTRATION is invite_only (GET /auth/options says so).
    invite_code: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class ChangePasswordInput(Input):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    new_password: Password
    sign_out_others: bool = True


class RegistrationInviteInput(Input):
    max_uses: Annotated[int, Field(ge=1, le=100_000)] = 1
    # Default a week: a code lying around forever is an open door.
    expires_in_seconds: Annotated[int, Field(ge=1, le=366 * 24 * 3600)] | None = 7 * 24 * 3600


class LoginInput(Input):
    account: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    platform: PlatformName = Platform.WEB
    device_name: DeviceName = ""
    remember: bool = False
    device_token: DeviceToken | None = None


class SendCodeInput(Input):
    purpose: Annotated[CodePurpose, Field(strict=False)]
    channel: ChannelName
    destination: Destination

    @field_validator("purpose")
    @classmethod
    def _public_purpose(cls, value: CodePurpose) -> CodePurpose:
        if value not in (CodePurpose.LOGIN, CodePurpose.RESET_PASSWORD):
            raise ValueError("purpose must be login or reset_password")
        return value


class CodeLoginInput(Input):
    channel: ChannelName
    destination: Destination
    code: Code
    platform: PlatformName = Platform.WEB
    device_name: DeviceName = ""
    remember: bool = False
    device_token: DeviceToken | None = None


class ResetPasswordInput(Input):
    channel: ChannelName
    destination: Destination
    code: Code
    new_password: Password


class VerifySignInInput(Input):
    challenge: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    code: Code
    method: Annotated[SecondStepMethod, Field(strict=False)] | None = None
    remember: bool | None = None


class ResendInput(Input):
    challenge: Annotated[str, StringConstraints(min_length=1, max_length=128)]


class BindEmailInput(Input):
    email: Destination


class BindPhoneInput(Input):
    phone: Destination


class CodeInput(Input):
    code: Code


class PasswordInput(Input):
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class DeviceLoginInput(Input):
    device_credential: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    device_token: DeviceToken | None = None


class OidcFinishInput(Input):
    """The web client spends the handoff of a single sign-on (docs/protocol.md)."""

    handoff: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    platform: PlatformName = Platform.WEB
    device_name: DeviceName = ""
    device_token: DeviceToken | None = None


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
    # A direct chat opened from a group's member list (the group may forbid it).
    via_group_id: Id | None = None


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
    # One chat record holding copies of all the messages, instead of one copy each.
    merged: bool = False
    title: Annotated[str, StringConstraints(max_length=200)] | None = None


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
    # The page around this seq (it and what came just before and after): opening a
    # conversation at a search result. Not with after_seq or before_seq.
    around_seq: Seq | None = None
    limit: HistoryLimit = 100


class SyncInput(Input):
    private_seq: Seq = 0
    limit: SyncLimit | None = None


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
    via_group_id: Id | None = None


class CreateGroupOp(Input):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    member_ids: Annotated[list[Id], Field(max_length=10_000)] = []


class UserIdsInput(Input):
    user_ids: Annotated[list[Id], Field(max_length=1000)]


class UserLookupInput(Input):
    user_ids: Annotated[list[Id], Field(min_length=1, max_length=200)]


class SessionRef(Input):
    session_id: Id


class UserRef(Input):
    user_id: Id | None = None


class Empty(Input):
    pass


# Contacts, the organization and group governance (issue 3)

Name64 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Name100 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Message200 = Annotated[str, StringConstraints(max_length=200)]
Offset = Annotated[int, Field(ge=0, le=100_000)]
PageLimit = Annotated[int, Field(ge=1, le=1000)]
PowerName = Literal[
    "approve_joins", "remove_members", "mute", "recall", "edit_info", "announcements", "moderate"
]
InviteCode = Annotated[str, StringConstraints(min_length=8, max_length=64, pattern=r"^[\w-]+$")]


class SearchInput(Input):
    query: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    offset: Offset = 0


class TargetUser(Input):
    user_id: Id


class FriendRequestInput(Input):
    user_id: Id
    message: Message200 = ""


class FriendRequestRef(Input):
    request_id: Id


class ContactUpdateInput(Input):
    remark: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    tags: Annotated[list[str], Field(max_length=20)] | None = None
    # Null takes the contact out of any group; leave it out to keep the group.
    contact_group_id: Id | None = None

    def changes(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.model_fields_set}


class ContactUpdateOp(ContactUpdateInput):
    user_id: Id

    def changes(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.model_fields_set if k != "user_id"}


class ContactGroupCreate(Input):
    name: Name64
    parent_id: Id | None = None


class ContactGroupRef(Input):
    group_id: Id


class ContactGroupName(Input):
    name: Name64


class ContactGroupParent(Input):
    parent_id: Id | None


class ContactGroupRename(ContactGroupName, ContactGroupRef):
    pass


class ContactGroupMove(ContactGroupParent, ContactGroupRef):
    pass


class InviteCreate(Input):
    kind: Literal["friend", "group"]
    conversation_id: Id | None = None
    expires_in_seconds: Annotated[int, Field(ge=1, lt=2**31)] | None = None


class InviteRef(Input):
    code: InviteCode


class InviteAccept(InviteRef):
    message: Message200 = ""


class DepartmentRef(Input):
    department_id: Id


class DepartmentPage(DepartmentRef):
    after_user_id: Seq = 0
    limit: PageLimit = 200


class OrgSearchInput(Input):
    query: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class DepartmentCreate(Input):
    name: Name100
    parent_id: Id | None = None
    hidden: bool = False


class DepartmentChanges(Input):
    name: Name100 | None = None
    # Null moves the department to the top level; leave it out to keep its place.
    parent_id: Id | None = None
    hidden: bool | None = None
    sort_order: Annotated[int, Field(ge=0, le=1_000_000)] | None = None

    def changes(self) -> dict[str, Any]:
        return {
            k: getattr(self, k)
            for k in self.model_fields_set
            if k != "department_id" and (k == "parent_id" or getattr(self, k) is not None)
        }


class DepartmentUpdate(DepartmentChanges, DepartmentRef):
    pass


class PositionInput(Input):
    position: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""


class PlaceInput(PositionInput, DepartmentRef):
    user_id: Id


class UnplaceInput(DepartmentRef):
    user_id: Id


class CollaborateInput(DepartmentRef):
    partner_id: Id
    on: bool = True


class CompanyInput(Input):
    name: Name100


class GroupUpdateInput(Input):
    name: Name100 | None = None
    avatar: Annotated[str, StringConstraints(max_length=512)] | None = None
    intro: Annotated[str, StringConstraints(max_length=500)] | None = None
    join_mode: Literal["open", "approval", "invite_code", "back_office"] | None = None
    mute_all: bool | None = None
    moderation: bool | None = None
    forbid_private_chat: bool | None = None
    keywords: (
        Annotated[list[Annotated[str, StringConstraints(max_length=64)]], Field(max_length=200)]
        | None
    ) = None
    rate_count: Annotated[int, Field(ge=0, le=1000)] | None = None
    rate_seconds: Annotated[int, Field(ge=0, le=86_400)] | None = None
    # Null: the server's limit.
    size_limit: Annotated[int, Field(ge=2, le=1_000_000)] | None = None

    def changes(self) -> dict[str, Any]:
        return {
            k: getattr(self, k)
            for k in self.model_fields_set
            if k != "conversation_id" and (k == "size_limit" or getattr(self, k) is not None)
        }


class GroupUpdateOp(GroupUpdateInput):
    conversation_id: Id


class MemberOp(Input):
    conversation_id: Id
    user_id: Id


class SetAdminInput(Input):
    # Null makes an admin a member again; a list (possibly empty) makes them an admin.
    powers: Annotated[list[PowerName], Field(max_length=7)] | None


class SetAdminOp(SetAdminInput, MemberOp):
    pass


class MuteInput(Input):
    # Null mutes until unmuted.
    seconds: Annotated[int, Field(ge=1, lt=2**31)] | None


class MuteOp(MuteInput, MemberOp):
    pass


class RemoveInput(Input):
    blacklist: bool = False


class RemoveOp(RemoveInput, MemberOp):
    pass


class BlacklistInput(Input):
    user_ids: Annotated[list[Id], Field(min_length=1, max_length=1000)]


class BlacklistOp(BlacklistInput):
    conversation_id: Id


class JoinInput(Input):
    message: Message200 = ""


class JoinOp(JoinInput):
    conversation_id: Id


class GroupNumberInput(Input):
    number: Id


class JoinDecision(Input):
    request_id: Id
    approve: bool


class ModerationDecision(Input):
    pending_id: Id
    approve: bool
    reason: Message200 = ""


class AnnouncementInput(Input):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    pinned: bool = False


class AnnouncementOp(AnnouncementInput):
    conversation_id: Id


class AnnouncementRef(Input):
    announcement_id: Id


class AnnouncementChanges(Input):
    text: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
        | None
    ) = None
    pinned: bool | None = None


class AnnouncementEdit(AnnouncementChanges, AnnouncementRef):
    pass


class MarkInput(Input):
    important: bool = True


class MarkOp(MarkInput):
    conversation_id: Id
    seq: Id


class ViewModeInput(Input):
    view_mode: Literal["all", "do_not_disturb", "admins_only"]


class ViewModeOp(ViewModeInput):
    conversation_id: Id


class MembersPageOp(Input):
    conversation_id: Id
    after_user_id: Seq = 0
    limit: PageLimit = 200


class AssignOp(Input):
    conversation_id: Id
    user_ids: Annotated[list[Id], Field(min_length=1, max_length=10_000)]


# Imports, exports and QR codes over the WebSocket: files go through tus (/files/) first.

UploadedFileId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
TableFormatName = Literal["csv", "xlsx"]


class TableFileInput(Input):
    file_id: UploadedFileId
    # Default: from the file's type or name (xlsx), else CSV.
    format: TableFormatName | None = None


class TableExportInput(Input):
    format: TableFormatName = "csv"


class InviteQrInput(InviteRef):
    format: Literal["svg", "png"] = "svg"
    # The server's address as the client reaches it: the link in the code points there.
    base_url: Annotated[
        str, StringConstraints(max_length=200, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
    ]


# Burn after reading (direct chats; decision 0038)


class BurnModeInput(Input):
    enabled: bool


class BurnModeOp(BurnModeInput):
    conversation_id: Id
