"""Apps: the company's own systems (a CRM, an ERP, an OA, a web shop) that use Tidings
through its app API (PRODUCT.md J1, issue 14, decision 0065).

An administrator registers an app and gets a client id and a secret (shown once, stored as
a hash). The app trades them for short-lived bearer tokens with the OAuth 2.0
client-credentials grant (RFC 6749 section 4.4) and calls the endpoints under
``/api/v1/app/``, each of which needs one scope. Every app has a bot account (a user of kind
``bot``) that speaks for it in chats and stands for it in the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tidings.domain.errors import ErrorCode, TidingsError


class AppScope(StrEnum):
    """What an app may do; each endpoint under /api/v1/app/ needs one."""

    USERS_READ = "users:read"  # read users and the tree, resolve external ids
    USERS_WRITE = "users:write"  # create, update, disable users; sync profiles
    ORG_WRITE = "org:write"  # sync the organization tree
    MESSAGES_SEND = "messages:send"  # send as a user or as the app's bot
    CONVERSATIONS_WRITE = "conversations:write"  # open direct chats and groups for users
    PRESENCE_READ = "presence:read"  # who is online
    NOTICES_SEND = "notices:send"  # system notices into users' system conversations
    WEBHOOKS = "webhooks"  # subscribe to events (in conversations the bot is in)
    EVENTS_ALL = "events:all"  # events of every conversation, not only the bot's
    SSO = "sso"  # one-time sign-in tickets for users (A6)
    SERVICE = "service"  # the customer-service widget's identified visitors (J4)
    WORKBENCH = "workbench"  # exchange its workbench apps' tickets for users (J6)


class AppStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"  # its tokens stop at once; it cannot get new ones


# A token lives two hours by default (``TIDINGS_APP_TOKEN_TTL_SECONDS``), as WeChat Work's
# and DingTalk's access tokens do: the app asks again (the Python SDK's TidingsApp does it
# on its own).
TOKEN_TTL_SECONDS = 7200
CLIENT_ID_PREFIX = "app_"
SECRET_PREFIX = "tds_"  # noqa: S105 (the prefix of every secret)
MAX_NAME = 64
MAX_DESCRIPTION = 500
_NAME = re.compile(r"\S")


def parse_scopes(requested: str | Iterable[str]) -> frozenset[AppScope]:
    """Scopes from a space-separated string (RFC 6749 section 3.3) or a list; an unknown
    one is ``invalid_scope``."""
    words = requested.split() if isinstance(requested, str) else list(requested)
    known = {scope.value for scope in AppScope}
    unknown = sorted({word for word in words if word not in known})
    if unknown:
        raise TidingsError(
            ErrorCode.INVALID_SCOPE,
            f"unknown scope {unknown[0]!r}; known: {' '.join(sorted(known))}",
        )
    return frozenset(AppScope(word) for word in words)


def scope_text(scopes: Iterable[AppScope]) -> str:
    return " ".join(sorted(scope.value for scope in scopes))


def check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.search(name) or len(name) > MAX_NAME:
        raise TidingsError(ErrorCode.INVALID_INPUT, f"an app's name is 1 to {MAX_NAME} characters")
    return name


@dataclass(frozen=True, slots=True)
class App:
    id: int
    name: str
    description: str
    client_id: str
    scopes: frozenset[AppScope]
    status: AppStatus
    bot_user_id: int
    created_at: int
    created_by: int | None
    secret_rotated_at: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "client_id": self.client_id,
            "scopes": sorted(scope.value for scope in self.scopes),
            "status": self.status.value,
            "bot_user_id": self.bot_user_id,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "secret_rotated_at": self.secret_rotated_at,
        }


@dataclass(frozen=True, slots=True)
class AppCaller:
    """The app behind a request to /api/v1/app/: what its token allows."""

    app_id: int
    name: str
    client_id: str
    scopes: frozenset[AppScope]
    bot_user_id: int
    token_id: int
    ip: str = ""
    user_agent: str = ""

    def require(self, scope: AppScope) -> None:
        if scope not in self.scopes:
            raise TidingsError(
                ErrorCode.INSUFFICIENT_SCOPE,
                f"this needs the scope {scope.value!r}",
                details={"scope": scope.value},
            )
