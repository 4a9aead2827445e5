"""The app API over REST (issue 14, decision 0067; docs/protocol.md "The app API"): users
by the host's external ids, the sync of people and departments, messages, notices, direct
chats and groups, presence and sign-in tickets, each under /api/v1/app/ with its scope.

A user is named either by the Tidings id (an integer) or by the host's external id: in a
path ``/users/42`` or ``/users/ext:E-1001``; in a body ``42`` or ``{"external_id": "E-1001"}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tidings.actions.app_api import MAX_PRESENCE, UserRef, app_user_wire
from tidings.api.deps import AnyApp, C, PathId, app_scope, client_ip, user_agent
from tidings.domain.accounts import Account, Nickname, Password, Platform
from tidings.domain.app_sync import (
    MAX_EXTERNAL_ID,
    MAX_SYNC_DEPARTMENTS,
    MAX_SYNC_USERS,
    SyncDepartment,
    SyncPlace,
    SyncUser,
)
from tidings.domain.apps import AppCaller, AppScope
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.org_import import ImportMode
from tidings.domain.security import SignInAttempt
from tidings.schemas import DeviceName, Id, PlatformName

router = APIRouter(prefix="/api/v1/app", tags=["app API"])
sso_router = APIRouter(prefix="/api/v1/auth", tags=["accounts"])

ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_EXTERNAL_ID)]
# The app's own key of a send: kept apart from the user's devices' ids by a prefix, so a
# little shorter than theirs.
AppMsgId = Annotated[str, StringConstraints(min_length=1, max_length=48)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExternalRef(_Body):
    external_id: ExternalId


UserRefInput = Id | ExternalRef


def user_ref(value: Id | ExternalRef) -> UserRef:
    if isinstance(value, ExternalRef):
        return UserRef(external_id=value.external_id)
    return UserRef(id=value)


def path_ref(ref: str) -> UserRef:
    """``42`` or ``ext:<external id>``."""
    if ref.startswith("ext:") and 0 < len(ref) - 4 <= MAX_EXTERNAL_ID:
        return UserRef(external_id=ref[4:])
    if ref.isascii() and ref.isdigit() and 0 < int(ref) < 2**63:
        return UserRef(id=int(ref))
    raise TidingsError(
        ErrorCode.INVALID_INPUT, "a user is named by its id (42) or external id (ext:E-1001)"
    )


PathRef = Annotated[
    str,
    Path(
        min_length=1,
        max_length=MAX_EXTERNAL_ID + 4,
        description="A Tidings user id (42) or `ext:` and the host's external id (ext:E-1001)",
    ),
]

UsersRead = Annotated[AppCaller, app_scope(AppScope.USERS_READ)]
UsersWrite = Annotated[AppCaller, app_scope(AppScope.USERS_WRITE)]
MessagesSend = Annotated[AppCaller, app_scope(AppScope.MESSAGES_SEND)]
NoticesSend = Annotated[AppCaller, app_scope(AppScope.NOTICES_SEND)]
ConversationsWrite = Annotated[AppCaller, app_scope(AppScope.CONVERSATIONS_WRITE)]
PresenceRead = Annotated[AppCaller, app_scope(AppScope.PRESENCE_READ)]
Sso = Annotated[AppCaller, app_scope(AppScope.SSO)]


async def _sync_caller(app: AnyApp) -> AppCaller:
    app.require(AppScope.USERS_WRITE)
    app.require(AppScope.ORG_WRITE)
    return app


Syncer = Annotated[AppCaller, Depends(_sync_caller)]

# ---- users --------------------------------------------------------------------------------


class NewAppUser(_Body):
    external_id: ExternalId
    # The sign-in name; the external id when left out (if it is a valid account).
    account: Account | None = None
    nickname: Nickname
    # Left out: a password nobody knows; the user signs in by the app's tickets.
    password: Password | None = None
    work_email: Annotated[str, StringConstraints(max_length=254)] = ""
    phone: Annotated[str, StringConstraints(max_length=32)] = ""


class AppUserChanges(_Body):
    nickname: Nickname | None = None
    external_id: ExternalId | None = None
    work_email: Annotated[str, StringConstraints(max_length=254)] | None = None
    office_phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    desk: Annotated[str, StringConstraints(max_length=64)] | None = None
    phone: Annotated[str, StringConstraints(max_length=32)] | None = None
    signature: Annotated[str, StringConstraints(max_length=200)] | None = None


@router.get("/users/{ref}", summary="A user, by id or external id (users:read)")
async def get_user(ref: PathRef, c: C, app: UsersRead) -> dict[str, Any]:
    return {"user": app_user_wire(await c.app_api.user(path_ref(ref)))}


@router.post(
    "/users", status_code=201, summary="Create a user with the host's external id (users:write)"
)
async def create_user(body: NewAppUser, c: C, app: UsersWrite) -> dict[str, Any]:
    account = body.account or body.external_id
    user = await c.app_api.do_create_user(
        app,
        external_id=body.external_id,
        account=account,
        nickname=body.nickname,
        password=body.password,
        profile={"work_email": body.work_email, "phone": body.phone},
    )
    return {"user": app_user_wire(user)}


@router.patch("/users/{ref}", summary="Change a user's profile or external id (users:write)")
async def update_user(ref: PathRef, body: AppUserChanges, c: C, app: UsersWrite) -> dict[str, Any]:
    changes = body.model_dump(exclude_none=True)
    user = await c.app_api.do_update_user(app, path_ref(ref), changes)
    return {"user": app_user_wire(user)}


@router.post("/users/{ref}/disable", summary="Disable a user the app owns (users:write)")
async def disable_user(ref: PathRef, c: C, app: UsersWrite) -> dict[str, Any]:
    return {"user": app_user_wire(await c.app_api.do_set_disabled(app, path_ref(ref), True))}


@router.post("/users/{ref}/enable", summary="Enable a user the app owns again (users:write)")
async def enable_user(ref: PathRef, c: C, app: UsersWrite) -> dict[str, Any]:
    return {"user": app_user_wire(await c.app_api.do_set_disabled(app, path_ref(ref), False))}


# ---- sync ---------------------------------------------------------------------------------


class SyncDepartmentInput(_Body):
    external_id: ExternalId
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    parent: ExternalId | None = None


class SyncPlaceInput(_Body):
    department: ExternalId
    position: Annotated[str, StringConstraints(max_length=64)] = ""


class SyncUserInput(_Body):
    external_id: ExternalId
    account: Account | None = None
    nickname: Nickname
    departments: list[SyncPlaceInput] = Field(default_factory=list, max_length=50)


class SyncInput(_Body):
    mode: ImportMode = ImportMode.MERGE
    dry_run: bool = False
    departments: list[SyncDepartmentInput] = Field(
        default_factory=list, max_length=MAX_SYNC_DEPARTMENTS
    )
    users: list[SyncUserInput] = Field(default_factory=list, max_length=MAX_SYNC_USERS)


@router.post(
    "/sync",
    summary="Upsert departments and users by external id; sync mode removes the rest "
    "(users:write and org:write)",
    description=(
        "Idempotent. `merge` creates and updates what is named; `sync` also disables the "
        "app's users (those with an external id) and removes its departments that the "
        "request leaves out. `dry_run` returns the plan without changing anything. Applied "
        "in batches, each its own transaction; the report names each department and user."
    ),
)
async def sync(body: SyncInput, c: C, app: Syncer) -> dict[str, Any]:
    return await c.app_api.do_sync(
        app,
        [SyncDepartment(d.external_id, d.name, d.parent) for d in body.departments],
        [
            SyncUser(
                u.external_id,
                u.nickname,
                u.account,
                tuple(SyncPlace(p.department, p.position) for p in u.departments),
            )
            for u in body.users
        ],
        mode=body.mode,
        dry_run=body.dry_run,
    )


# ---- messages -----------------------------------------------------------------------------


class AppSendInput(_Body):
    # "user": as the user named by `user`; "bot": as the app's bot account.
    sender: Literal["user", "bot"] = Field(alias="as")
    user: UserRefInput | None = None
    conversation_id: Id | None = None
    # Instead of a conversation: the direct chat with this user (opened if need be).
    to: UserRefInput | None = None
    client_msg_id: AppMsgId
    type: Annotated[str, StringConstraints(max_length=32)] = "text"
    body: dict[str, Any]


@router.post(
    "/messages",
    summary="Send as a user or as the app's bot (messages:send)",
    description=(
        "Idempotent by `client_msg_id`: a retry returns the first message. The word lists "
        "and every rule of sending apply as for people."
    ),
)
async def send(body: AppSendInput, c: C, app: MessagesSend) -> dict[str, Any]:
    if (body.sender == "user") != (body.user is not None):
        raise TidingsError(ErrorCode.INVALID_INPUT, 'name the user exactly when "as" is "user"')
    entry = await c.app_api.do_send(
        app,
        sender=user_ref(body.user) if body.user is not None else None,
        conversation_id=body.conversation_id,
        to=user_ref(body.to) if body.to is not None else None,
        client_msg_id=body.client_msg_id,
        type=body.type,
        body=body.body,
    )
    return {"entry": entry}


class AppNoticeInput(_Body):
    user: UserRefInput
    client_msg_id: AppMsgId
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    text: Annotated[str, StringConstraints(max_length=2000)] = ""
    url: Annotated[str, StringConstraints(max_length=2000)] | None = None


@router.post(
    "/notices",
    summary="A system notice into a user's system conversation (notices:send)",
    description="With a click-through `url`; idempotent by `client_msg_id`.",
)
async def notice(body: AppNoticeInput, c: C, app: NoticesSend) -> dict[str, Any]:
    return await c.app_api.do_send_notice(
        app,
        user=user_ref(body.user),
        client_msg_id=body.client_msg_id,
        title=body.title,
        text=body.text,
        url=body.url,
    )


# ---- conversations ------------------------------------------------------------------------


class DirectInput(_Body):
    user: UserRefInput
    # Left out: the direct chat of the app's bot and `user`.
    peer: UserRefInput | None = None


@router.post(
    "/conversations/direct",
    summary="Open the direct chat of two users, or of the app's bot and a user "
    "(conversations:write)",
)
async def open_direct(body: DirectInput, c: C, app: ConversationsWrite) -> dict[str, Any]:
    if body.peer is None:
        return await c.app_api.do_open_bot_direct(app, user_ref(body.user))
    return await c.app_api.do_open_direct(user_ref(body.user), user_ref(body.peer))


class GroupInput(_Body):
    owner: UserRefInput
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    members: list[UserRefInput] = Field(default_factory=list, max_length=1000)
    # The app's bot joins too.
    bot: bool = False


@router.post("/groups", status_code=201, summary="Create a group for users (conversations:write)")
async def create_group(body: GroupInput, c: C, app: ConversationsWrite) -> dict[str, Any]:
    created = await c.app_api.do_create_group(
        user_ref(body.owner), body.name, [user_ref(m) for m in body.members]
    )
    if body.bot:
        await c.app_api.do_add_members(app, created["conversation_id"], [], bot=True)
    return created


class MembersInput(_Body):
    members: list[UserRefInput] = Field(default_factory=list, max_length=1000)
    bot: bool = False


@router.post(
    "/groups/{conversation_id}/members",
    summary="Add users (or the app's bot) to a group, as its owner (conversations:write)",
)
async def add_members(
    conversation_id: PathId, body: MembersInput, c: C, app: ConversationsWrite
) -> dict[str, Any]:
    entry = await c.app_api.do_add_members(
        app, conversation_id, [user_ref(m) for m in body.members], bot=body.bot
    )
    return {"entry": entry}


@router.delete(
    "/groups/{conversation_id}/members/{ref}",
    summary="Remove a user (`bot`: the app's bot) from a group, as its owner (conversations:write)",
)
async def remove_member(
    conversation_id: PathId, ref: PathRef, c: C, app: ConversationsWrite
) -> dict[str, Any]:
    member = None if ref == "bot" else path_ref(ref)
    return {"entry": await c.app_api.do_remove_member(app, conversation_id, member)}


# ---- presence -----------------------------------------------------------------------------


class PresenceInput(_Body):
    # Checked by the action, so that 1,001 gets its own clear error.
    users: list[UserRefInput] = Field(max_length=MAX_PRESENCE * 10)


@router.post(
    "/presence",
    summary=(
        f"Online or offline, and on which devices, for up to {MAX_PRESENCE} users (presence:read)"
    ),
)
async def presence(body: PresenceInput, c: C, app: PresenceRead) -> dict[str, Any]:
    return {"users": await c.app_api.presence([user_ref(u) for u in body.users])}


# ---- single sign-on -----------------------------------------------------------------------


class TicketInput(_Body):
    user: UserRefInput
    # Where the browser lands once signed in: a path on this server.
    next: Annotated[str, StringConstraints(max_length=512)] | None = None


@router.post(
    "/sso-tickets",
    status_code=201,
    summary="A one-time sign-in ticket for a user, good for 60 seconds (sso)",
    description=(
        "Send the user's browser to `url` (`/sso?ticket=...&next=...` on this server): the "
        "web client spends the ticket and lands on `next` signed in."
    ),
)
async def sso_ticket(body: TicketInput, c: C, app: Sso) -> dict[str, Any]:
    return await c.sso_tickets.do_issue(app, user_ref(body.user), body.next)


class SsoSignInInput(_Body):
    ticket: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    platform: PlatformName = Platform.WEB
    device_name: DeviceName = ""


@sso_router.post(
    "/sso",
    summary="Spend a one-time sign-in ticket: a session, as a sign-in gives",
    description="`sso_ticket_invalid` (401) for an unknown, expired or spent ticket.",
)
async def sso_sign_in(body: SsoSignInInput, c: C, request: Request) -> dict[str, Any]:
    signed_in, next_path = await c.sso_tickets.do_sign_in(
        body.ticket,
        SignInAttempt(
            platform=body.platform,
            device_name=body.device_name,
            ip=client_ip(request),
            remember=False,
            user_agent=user_agent(request),
        ),
    )
    return {**signed_in.to_wire(), "next": next_path}
