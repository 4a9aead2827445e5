"""Accounts, profiles and sessions: the plain shapes and their rules."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

# Letters, digits and . _ - @, so phone numbers and e-mail addresses work as accounts too.
ACCOUNT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$"

Account = Annotated[str, StringConstraints(pattern=ACCOUNT_PATTERN)]
# A password being set: its length and strength are the policy's to judge (weak_password),
# so only the bounds of any input are checked here.
Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Nickname = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class Platform(StrEnum):
    """Where a session runs; "one session per platform" is counted per value."""

    WEB = "web"
    DESKTOP = "desktop"
    IOS = "ios"
    ANDROID = "android"
    API = "api"


class ProfileUpdate(BaseModel):
    """The fields a user may change on their own profile (PRODUCT.md A7)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    nickname: Nickname | None = None
    avatar: Annotated[str, StringConstraints(max_length=512)] | None = None
    signature: Annotated[str, StringConstraints(max_length=200)] | None = None
    work_email: Annotated[str, StringConstraints(max_length=254)] | None = None
    office_phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    desk: Annotated[str, StringConstraints(max_length=100)] | None = None


PROFILE_FIELDS = ("nickname", "avatar", "signature", "work_email", "office_phone", "desk")


class UserKind(StrEnum):
    """Who a user row is. Only people sign in with a password, appear in the directory and
    count as staff; a bot speaks for an app (issue 14); a visitor is someone a company's web
    page let chat with its customer service."""

    PERSON = "person"
    BOT = "bot"
    VISITOR = "visitor"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    account: str
    nickname: str
    avatar: str
    signature: str
    work_email: str
    office_phone: str
    desk: str
    disabled: bool
    created_at: int
    # An admin reset the password: sessions may only change it (docs/protocol.md).
    password_change_required: bool = False
    kind: UserKind = UserKind.PERSON
    # The host system's own id (issue 14); None for users it did not create.
    external_id: str | None = None

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "id": self.id,
            "account": self.account,
            "nickname": self.nickname,
            "avatar": self.avatar,
            "signature": self.signature,
            "work_email": self.work_email,
            "office_phone": self.office_phone,
            "desk": self.desk,
        }
        if self.kind is not UserKind.PERSON:
            wire["kind"] = self.kind.value
        return wire


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    user_id: int
    platform: Platform
    device_name: str
    created_at: int
    last_seen_at: int
    expires_at: int
    revoked_at: int | None
    ip: str

    def to_wire(self, *, current_session_id: int | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform.value,
            "device_name": self.device_name,
            "created_at": self.created_at,
            "last_seen_at": self.last_seen_at,
            "ip": self.ip,
            "current": self.id == current_session_id,
        }


class RevokeReason(StrEnum):
    SIGNED_IN_ELSEWHERE = "signed_in_elsewhere"
    SIGNED_OUT = "signed_out"  # by the user from another session
    LOGGED_OUT = "logged_out"  # by the session itself
    CREDENTIAL_USED = "credential_used"  # replaced by auto-login with its device credential
    PASSWORD_CHANGED = "password_changed"  # noqa: S105  # the user changed it elsewhere
    PASSWORD_RESET = "password_reset"  # noqa: S105  # an admin reset it, or a reset by code
    ACCOUNT_FROZEN = "account_frozen"  # an admin froze the account (PRODUCT.md A9)


@dataclass(frozen=True, slots=True)
class KnownDevice:
    """A device that signed in to an account before (issue 11)."""

    id: int
    user_id: int
    device_name: str
    platform: Platform
    first_used_at: int
    last_used_at: int
    last_ip: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "device_name": self.device_name,
            "platform": self.platform.value,
            "first_used_at": self.first_used_at,
            "last_used_at": self.last_used_at,
            "last_ip": self.last_ip,
        }
