"""Request dependencies: the container and the authenticated actor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tidings.actions.context import Actor
from tidings.container import Container
from tidings.domain.admin import AdminPower
from tidings.domain.apps import AppCaller, AppScope
from tidings.domain.errors import ErrorCode, TidingsError

_bearer = HTTPBearer(auto_error=False)

# All a session may do while an admin's one-time password awaits its change; anything else
# is 403 password_change_required (docs/protocol.md "Passwords").
WHILE_PASSWORD_CHANGE_REQUIRED = frozenset(
    {
        ("POST", "/api/v1/me/password"),
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/me/security"),
        ("POST", "/api/v1/auth/logout"),
    }
)


def container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


async def actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise TidingsError(ErrorCode.UNAUTHENTICATED, "send Authorization: Bearer <token>")
    user, session = await container(request).accounts.access_session(
        credentials.credentials,
        password_change_required_allowed=(request.method, request.url.path)
        in WHILE_PASSWORD_CHANGE_REQUIRED,
    )
    return Actor(user.id, session.id, ip=client_ip(request), user_agent=user_agent(request))


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:256]


C = Annotated[Container, Depends(container)]
Me = Annotated[Actor, Depends(actor)]


def admin_power(power: AdminPower) -> Any:
    """An admin endpoint's caller, refused (403 ``forbidden``) without ``power`` before the
    request body is looked at: ``me: Annotated[Actor, admin_power(AdminPower.USERS)]``."""

    async def check(c: C, me: Me) -> Actor:
        await c.admin_gate.require(me, power)
        return me

    return Depends(check)


async def any_app(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AppCaller:
    """An app API caller (issue 14): a live app token (``invalid_token``, 401 otherwise),
    counted against the app's rate (429 with Retry-After)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise TidingsError(
            ErrorCode.UNAUTHENTICATED, "send Authorization: Bearer <app access token>"
        )
    return await container(request).apps.caller(
        credentials.credentials, ip=client_ip(request), user_agent=user_agent(request)
    )


AnyApp = Annotated[AppCaller, Depends(any_app)]


def app_scope(scope: AppScope) -> Any:
    """An app API endpoint's caller holding ``scope`` (``insufficient_scope``, 403, before
    the body is looked at): ``app: Annotated[AppCaller, app_scope(AppScope.SSO)]``."""

    async def check(caller: AnyApp) -> AppCaller:
        caller.require(scope)
        return caller

    return Depends(check)


# An id or seq in a path: bounded like the same field in a body (a value past 64 bits would
# reach the database and fail there).
PathId = Annotated[int, Path(gt=0, lt=2**63)]
