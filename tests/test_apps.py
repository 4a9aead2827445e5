"""Apps and their credentials (issue 14, J1; decision 0065) against a real server on SQLite
and PostgreSQL: registered on the command line and in the console's API, tokens from the
OAuth 2.0 client-credentials grant (RFC 6749 section 4.4) by HTTP Basic or form fields,
scopes, rotation and revocation, the per-app rate, and every refusal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.admin import Staff, audit_since, last_audit_id, staff
from tests.support.apps import AppCredentials, app_token, bearer, create_app
from tests.support.server import ServerProcess
from tests.support.social import http_refused
from tidings.sdk import TidingsApp

# A small per-app rate, to see the 429 within a test.
SERVER_ENV = {"TIDINGS_RATE_APP_API": "20/1m"}
TOKEN = "/api/v1/oauth/token"
APPS = "/api/v1/admin/apps"


@pytest.fixture(scope="module")
async def people(server: ServerProcess) -> AsyncIterator[Staff]:
    found = await staff(server)
    yield found
    await found.close()


async def _grant(base_url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url) as http:
        return await http.post(TOKEN, **kwargs)


async def _me(base_url: str, token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url) as http:
        return await http.get("/api/v1/app/me", headers=bearer(token))


async def test_the_command_line_registers_an_app_that_gets_tokens_both_ways(
    server: ServerProcess, base_url: str, people: Staff
) -> None:
    app = await create_app(server, "CRM", "users:write messages:send")
    assert app.client_id.startswith("app_") and app.client_secret.startswith("tds_")
    # HTTP Basic (RFC 6749 section 2.3.1).
    grant = await app_token(base_url, app)
    assert grant["token_type"] == "Bearer" and grant["expires_in"] == 7200
    assert grant["scope"] == "messages:send users:write"
    me = await _me(base_url, grant["access_token"])
    assert me.status_code == 200
    assert me.json()["name"] == "CRM" and me.json()["client_id"] == app.client_id
    # The form fields, and a narrower scope.
    reply = await _grant(
        base_url,
        data={
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "scope": "messages:send",
        },
    )
    assert reply.status_code == 200 and reply.headers["cache-control"] == "no-store"
    narrow = reply.json()
    assert narrow["scope"] == "messages:send"
    assert (await _me(base_url, narrow["access_token"])).json()["scopes"] == ["messages:send"]
    # The app's bot is a user of kind "bot" named after the app, who cannot sign in.
    bot_id = me.json()["bot_user_id"]
    profile = await people.plain.http.call("GET", f"/api/v1/users/{bot_id}")
    assert profile["nickname"] == "CRM" and profile["kind"] == "bot"
    async with httpx.AsyncClient(base_url=base_url) as http:
        refused = await http.post(
            "/api/v1/auth/login",
            json={"account": f"app.{app.client_id}", "password": "!", "platform": "web"},
        )
    assert refused.status_code == 401


async def test_the_token_endpoint_refuses_as_rfc_6749_says(
    server: ServerProcess, base_url: str
) -> None:
    app = await create_app(server, "ERP", "users:read")
    form = {"grant_type": "client_credentials"}
    basic = (app.client_id, app.client_secret)
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"data": form, "auth": (app.client_id, "tds_wrong")}, 401, "invalid_client"),
        ({"data": form, "auth": ("app_unknown", app.client_secret)}, 401, "invalid_client"),
        ({"data": form}, 401, "invalid_client"),
        (
            {"data": {"grant_type": "password"}, "auth": basic},
            400,
            "unsupported_grant_type",
        ),
        ({"data": {}, "auth": basic}, 400, "invalid_request"),
        (
            {
                "data": {**form, "scope": "users:read nonsense"},
                "auth": basic,
            },
            400,
            "invalid_scope",
        ),
        # A scope the app was not given.
        (
            {"data": {**form, "scope": "users:write"}, "auth": basic},
            400,
            "invalid_scope",
        ),
        # JSON is not the grant's encoding.
        ({"json": form, "auth": basic}, 400, "invalid_request"),
        # Credentials both ways at once.
        (
            {
                "data": {**form, "client_id": app.client_id, "client_secret": app.client_secret},
                "auth": basic,
            },
            400,
            "invalid_request",
        ),
        (
            {"data": form, "headers": {"Authorization": "Basic !!!"}},
            401,
            "invalid_client",
        ),
    ]
    for kwargs, status, error in cases:
        reply = await _grant(base_url, **kwargs)
        assert (reply.status_code, reply.json()["error"]) == (status, error), kwargs
        assert reply.json()["error_description"]
        if status == 401:
            assert reply.headers["www-authenticate"].startswith("Basic")
    # The app API without a token, with a made-up one, with a user's session token.
    async with httpx.AsyncClient(base_url=base_url) as http:
        assert (await http.get("/api/v1/app/me")).status_code == 401
        made_up = await http.get("/api/v1/app/me", headers=bearer("not-a-token"))
    assert made_up.status_code == 401 and made_up.json()["error"]["code"] == "invalid_token"


async def test_rotating_ends_the_old_secret_and_tokens_and_revoking_ends_everything(
    base_url: str, people: Staff
) -> None:
    admin = people.super_admin.http
    since = await last_audit_id(people.super_admin)
    created = await admin.call(
        "POST", APPS, {"name": "OA", "scopes": ["presence:read", "sso"], "description": "Approvals"}
    )
    app = AppCredentials(
        created["app"]["id"], created["app"]["client_id"], created["client_secret"]
    )
    assert created["app"]["scopes"] == ["presence:read", "sso"]
    old = (await app_token(base_url, app))["access_token"]
    # Narrowing the app's scopes narrows its live tokens at once.
    await admin.call("PATCH", f"{APPS}/{app.app_id}", {"scopes": ["sso"]})
    assert (await _me(base_url, old)).json()["scopes"] == ["sso"]
    rotated = await admin.call("POST", f"{APPS}/{app.app_id}/rotate-secret")
    assert rotated["client_secret"] != app.client_secret
    assert (await _me(base_url, old)).status_code == 401
    reply = await _grant(
        base_url, data={"grant_type": "client_credentials"}, auth=(app.client_id, app.client_secret)
    )
    assert reply.status_code == 401
    fresh = AppCredentials(app.app_id, app.client_id, rotated["client_secret"])
    token = (await app_token(base_url, fresh))["access_token"]
    assert (await _me(base_url, token)).status_code == 200
    revoked = await admin.call("POST", f"{APPS}/{app.app_id}/revoke")
    assert revoked["app"]["status"] == "revoked"
    assert (await _me(base_url, token)).status_code == 401
    reply = await _grant(
        base_url,
        data={"grant_type": "client_credentials"},
        auth=(fresh.client_id, fresh.client_secret),
    )
    assert reply.status_code == 401 and "revoked" in reply.json()["error_description"]
    listed = await admin.call("GET", APPS)
    assert [a["status"] for a in listed["apps"] if a["id"] == app.app_id] == ["revoked"]
    # One audit entry per action; the secret is in none of them.
    entries = await audit_since(people.super_admin, since)
    actions = [e["action"] for e in entries if e["target_id"] == app.client_id]
    assert sorted(actions) == sorted(
        ["app.register", "app.update", "app.rotate_secret", "app.revoke"]
    )
    assert all(fresh.client_secret not in str(e) for e in entries)


async def test_the_console_api_is_for_super_admins_and_checks_input(
    base_url: str, people: Staff
) -> None:
    since = await last_audit_id(people.super_admin)
    for person in (people.plain, people.org_admin, people.auditor):
        assert await http_refused(person, "POST", APPS, {"name": "Nope"}) == "forbidden"
    for body in (
        {"name": "", "scopes": []},
        {"name": "X", "scopes": ["root"]},
        {"name": "   ", "scopes": []},
        {"name": "X" * 65},
    ):
        assert await http_refused(people.super_admin, "POST", APPS, body) == "invalid_input"
    assert await http_refused(people.super_admin, "GET", f"{APPS}/999999") == "not_found"
    assert await audit_since(people.super_admin, since) == []


async def test_an_apps_calls_are_rate_limited_with_retry_after(
    server: ServerProcess, base_url: str
) -> None:
    app = await create_app(server, "Shop", "")
    token = (await app_token(base_url, app))["access_token"]
    async with httpx.AsyncClient(base_url=base_url, headers=bearer(token)) as http:
        replies = await asyncio.gather(*(http.get("/api/v1/app/me") for _ in range(30)))
    statuses = [r.status_code for r in replies]
    assert statuses.count(200) == 20 and statuses.count(429) == 10
    limited = next(r for r in replies if r.status_code == 429)
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"]["code"] == "rate_limited"
    # Another app is not slowed by this one.
    other = await create_app(server, "Other", "")
    assert (
        await _me(base_url, (await app_token(base_url, other))["access_token"])
    ).status_code == 200


REVOKE = "/api/v1/oauth/revoke"


async def test_an_app_revokes_its_tokens_as_rfc_7009_says(
    base_url: str, server: ServerProcess
) -> None:
    app = await create_app(server, "Revoker", "presence:read")
    other = await create_app(server, "Bystander", "presence:read")
    token = (await app_token(base_url, app))["access_token"]
    others = (await app_token(base_url, other))["access_token"]
    auth = (app.client_id, app.client_secret)
    async with httpx.AsyncClient(base_url=base_url) as http:
        for kwargs, status, error in (
            ({"json": {"token": token}, "auth": auth}, 400, "invalid_request"),
            ({"data": {}, "auth": auth}, 400, "invalid_request"),
            ({"data": {"token": token}}, 401, "invalid_client"),
            (
                {"data": {"token": token}, "auth": (app.client_id, "tds_wrong")},
                401,
                "invalid_client",
            ),
        ):
            reply = await http.post(REVOKE, **kwargs)  # type: ignore[arg-type]
            assert (reply.status_code, reply.json()["error"]) == (status, error), kwargs
        assert (await _me(base_url, token)).status_code == 200
        # Another app's token, or one nobody has: answered as revoked, nothing changes.
        for stranger in (others, "no-such-token"):
            reply = await http.post(REVOKE, data={"token": stranger}, auth=auth)
            assert reply.status_code == 200, reply.text
        assert (await _me(base_url, others)).status_code == 200
        # Its own (the credentials as form fields this time): dead at once, and again is fine.
        form = {"token": token, "client_id": app.client_id, "client_secret": app.client_secret}
        for _ in range(2):
            reply = await http.post(REVOKE, data=form)
            assert reply.status_code == 200 and reply.headers["cache-control"] == "no-store"
    dead = await _me(base_url, token)
    assert (dead.status_code, dead.json()["error"]["code"]) == (401, "invalid_token")


async def test_tidings_app_gets_a_new_token_when_the_server_says_401(
    base_url: str, server: ServerProcess
) -> None:
    """Its token revoked behind its back (by another process of the host): the next call is
    answered 401, TidingsApp gets a new token and the call succeeds. (The token lives two
    hours here: no renewal before expiry can explain the new one.)"""
    credentials = await create_app(server, "Long runner", "presence:read")
    async with (
        TidingsApp(base_url, credentials.client_id, credentials.client_secret) as app,
        TidingsApp(base_url, credentials.client_id, credentials.client_secret) as operator,
    ):
        me = await app.me()
        first = await app.token()
        await operator.revoke_token(first)
        assert (await _me(base_url, first)).status_code == 401
        assert await app.me() == me
        second = await app.token()
        assert second != first and (await _me(base_url, second)).status_code == 200
        # Its own token revoked (a process done with it): forgotten; the next call gets another.
        await app.revoke_token()
        assert (await _me(base_url, second)).status_code == 401
        assert await app.me() == me
        assert await app.token() not in (first, second)
