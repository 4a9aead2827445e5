"""Apps over REST (issue 14, J1; docs/protocol.md "Apps"): the OAuth 2.0 token endpoint,
the console's app registry under /api/v1/admin/apps, and the app's own view of itself."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any
from urllib.parse import parse_qs, unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import ORJSONResponse
from pydantic import BaseModel, ConfigDict, Field

from tidings.actions.apps import GrantRefused
from tidings.actions.context import Actor
from tidings.api.deps import AnyApp, C, PathId, admin_power
from tidings.domain.admin import AdminPower
from tidings.domain.apps import MAX_DESCRIPTION, MAX_NAME, AppScope

oauth = APIRouter(prefix="/api/v1/oauth", tags=["apps"])
admin = APIRouter(prefix="/api/v1/admin/apps", tags=["admin"])
app_api = APIRouter(prefix="/api/v1/app", tags=["app API"])

AppsAdmin = Annotated[Actor, admin_power(AdminPower.APPS)]
# A token request's body is a few short fields.
MAX_FORM_BYTES = 4096
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _oauth_error(refused: GrantRefused) -> ORJSONResponse:
    headers = dict(_NO_STORE)
    if refused.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="tidings"'
    return ORJSONResponse(
        {"error": refused.error, "error_description": refused.description},
        status_code=refused.status,
        headers=headers,
    )


def _basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise GrantRefused("invalid_client", "malformed Basic credentials", 401) from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise GrantRefused("invalid_client", "malformed Basic credentials", 401)
    # RFC 6749 section 2.3.1: both are form-urlencoded before the Basic encoding.
    return unquote_plus(client_id), unquote_plus(secret)


async def _form(request: Request) -> dict[str, str]:
    """The body of a request to the token endpoints: a small form, each field once."""
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        raise GrantRefused("invalid_request", "send the form as application/x-www-form-urlencoded")
    raw = await request.body()
    if len(raw) > MAX_FORM_BYTES:
        raise GrantRefused("invalid_request", "the form is too large")
    try:
        fields = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise GrantRefused("invalid_request", "the form is not UTF-8") from None
    if any(len(values) > 1 for values in fields.values()):
        raise GrantRefused("invalid_request", "a parameter was sent more than once")
    return {key: values[0] for key, values in fields.items()}


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """The client id and secret, by HTTP Basic or as form fields (RFC 6749 section 2.3.1)."""
    basic = _basic(request)
    in_form = form.get("client_id"), form.get("client_secret")
    if basic is not None and any(in_form):
        raise GrantRefused("invalid_request", "send the credentials one way, not both")
    client_id, secret = basic or in_form
    if not client_id or not secret:
        raise GrantRefused("invalid_client", "client authentication is missing", 401)
    return client_id, secret


@oauth.post(
    "/token",
    summary="The OAuth 2.0 client-credentials grant (RFC 6749 section 4.4)",
    description=(
        "Form-encoded `grant_type=client_credentials` and an optional `scope`; the client id "
        "and secret by HTTP Basic or as the form fields `client_id` and `client_secret`. "
        "Errors follow RFC 6749 section 5.2: `{error, error_description}`."
    ),
    responses={200: {"description": "access_token, token_type, expires_in, scope"}},
)
async def token(request: Request, c: C) -> ORJSONResponse:
    try:
        form = await _form(request)
        if form.get("grant_type") != "client_credentials":
            raise GrantRefused(
                "unsupported_grant_type" if form.get("grant_type") else "invalid_request",
                "grant_type must be client_credentials",
            )
        client_id, secret = _client_credentials(request, form)
        grant = await c.apps.grant(client_id, secret, form.get("scope") or None)
    except GrantRefused as refused:
        return _oauth_error(refused)
    return ORJSONResponse(grant.to_wire(), headers=_NO_STORE)


@oauth.post(
    "/revoke",
    summary="Revoke an access token of the app (RFC 7009)",
    description=(
        "Form-encoded `token` (and an optional `token_type_hint`, ignored: there are only "
        "access tokens); the client authenticates as at `/token`. 200 with an empty body, "
        "also for a token unknown, expired or not the app's (RFC 7009 section 2.2)."
    ),
    responses={200: {"description": "the token no longer works"}},
)
async def revoke_token(request: Request, c: C) -> ORJSONResponse:
    try:
        form = await _form(request)
        if not form.get("token"):
            raise GrantRefused("invalid_request", "name the token to revoke")
        client_id, secret = _client_credentials(request, form)
        await c.apps.revoke_token(client_id, secret, form["token"])
    except GrantRefused as refused:
        return _oauth_error(refused)
    return ORJSONResponse({}, headers=_NO_STORE)


class AppInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=MAX_NAME)
    description: str = Field("", max_length=MAX_DESCRIPTION)
    scopes: list[AppScope] = Field(default_factory=list, max_length=len(AppScope))


class AppChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=MAX_NAME)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)
    scopes: list[AppScope] | None = Field(None, max_length=len(AppScope))


@admin.get("", summary="The registered apps")
async def list_apps(c: C, me: AppsAdmin) -> dict[str, Any]:
    return {"apps": [app.to_wire() for app in await c.apps.list_apps(me)]}


@admin.post(
    "", status_code=201, summary="Register an app: its client id and secret (shown this once)"
)
async def register_app(body: AppInput, c: C, me: AppsAdmin) -> dict[str, Any]:
    app, secret = await c.apps.register(
        me, name=body.name, description=body.description, scopes=frozenset(body.scopes)
    )
    return {"app": app.to_wire(), "client_secret": secret}


@admin.get("/{app_id}", summary="One app")
async def get_app(app_id: PathId, c: C, me: AppsAdmin) -> dict[str, Any]:
    return {"app": (await c.apps.get(me, app_id)).to_wire()}


@admin.patch("/{app_id}", summary="Rename an app, change its description or scopes")
async def update_app(app_id: PathId, body: AppChanges, c: C, me: AppsAdmin) -> dict[str, Any]:
    app = await c.apps.update(
        me,
        app_id,
        name=body.name,
        description=body.description,
        scopes=frozenset(body.scopes) if body.scopes is not None else None,
    )
    return {"app": app.to_wire()}


@admin.post("/{app_id}/rotate-secret", summary="A new secret; the old one and its tokens stop")
async def rotate_secret(app_id: PathId, c: C, me: AppsAdmin) -> dict[str, Any]:
    app, secret = await c.apps.rotate_secret(me, app_id)
    return {"app": app.to_wire(), "client_secret": secret}


@admin.post("/{app_id}/revoke", summary="Revoke an app for good: its tokens stop at once")
async def revoke_app(app_id: PathId, c: C, me: AppsAdmin) -> dict[str, Any]:
    return {"app": (await c.apps.revoke(me, app_id)).to_wire()}


@app_api.get("/me", summary="The calling app: its name, scopes and bot account")
async def app_me(app: AnyApp) -> dict[str, Any]:
    return {
        "app_id": app.app_id,
        "name": app.name,
        "client_id": app.client_id,
        "scopes": sorted(scope.value for scope in app.scopes),
        "bot_user_id": app.bot_user_id,
    }
