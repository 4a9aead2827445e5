"""Sign in with OpenID Connect against a real provider (oidc-provider in Node), the callback
driven directly: a known user lands signed in, state and handoff work once (also at once),
a callback from another browser, a tampered ID token, a wrong nonce, a refusal at the
provider, a frozen account and an unknown user (creation off) are refused with their codes.
The browser's part is tests/browser/test_single_sign_on.py."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pyotp
import pytest

from tests.support.admin import audit_entries
from tests.support.oidc_provider import (
    CONFIDENTIAL_CLIENT,
    OidcProvider,
    callback_params,
    landing,
    running_provider,
)
from tests.support.security import call
from tests.support.server import ServerProcess, new_pg_database, remove_pg_database
from tests.support.social import make_admin
from tests.support.users import Person, register

START = "/api/v1/auth/oidc/start"
CALLBACK = "/api/v1/auth/oidc/callback"
FINISH = "/api/v1/auth/oidc/finish"


@dataclass
class Sso:
    server: ServerProcess
    provider: OidcProvider


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sso(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sso]:
    """A server whose single sign-on is the local provider (confidential client; users are
    matched by preferred_username, none created)."""
    data_dir: Path = tmp_path_factory.mktemp("sso")
    env: dict[str, str] = {}
    database: str | None = None
    if request.param == "postgresql":
        database = new_pg_database()
        env["TIDINGS_DATABASE_URL"] = database
    server = ServerProcess(data_dir, env=env)
    with running_provider(data_dir, [f"{server.base_url}{CALLBACK}"]) as provider:
        server.env.update(
            {
                "TIDINGS_OIDC_ISSUER": provider.issuer,
                "TIDINGS_OIDC_CLIENT_ID": CONFIDENTIAL_CLIENT[0],
                "TIDINGS_OIDC_CLIENT_SECRET": CONFIDENTIAL_CLIENT[1],
                "TIDINGS_OIDC_LABEL": "Example SSO",
            }
        )
        server.start()
        try:
            yield Sso(server, provider)
        finally:
            server.stop()
    if database is not None:
        remove_pg_database(database)


@pytest.fixture(scope="module")
def base_url(sso: Sso) -> str:
    return sso.server.base_url


@pytest.fixture
async def browser(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """One browser's cookie jar (Tidings' and the provider's cookies)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        yield http


async def _start(browser: httpx.AsyncClient, **params: str) -> str:
    response = await browser.get(START, params=params, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def _at_provider(sso: Sso, browser: httpx.AsyncClient, login: str, **params: str) -> str:
    """Start a sign-in and sign in at the provider as ``login``: the callback URL."""
    return await sso.provider.sign_in(browser, await _start(browser, **params), login)


async def _call_back(browser: httpx.AsyncClient, callback_url: str) -> dict[str, str]:
    response = await browser.get(callback_url, follow_redirects=False)
    return landing(response)


async def _finish(browser: httpx.AsyncClient, handoff: str) -> httpx.Response:
    return await browser.post(FINISH, json={"handoff": handoff, "device_name": "Test browser"})


async def test_the_sign_in_page_offers_the_provider(browser: httpx.AsyncClient) -> None:
    options = (await browser.get("/api/v1/auth/options")).json()
    assert options["oidc"] == {"label": "Example SSO"}


async def test_a_known_user_signs_in_with_pkce_and_lands_where_asked(
    sso: Sso, browser: httpx.AsyncClient, alice: Person
) -> None:
    authorization = await _start(browser, next="/admin?tab=users", remember="true")
    assert authorization.startswith(f"{sso.provider.issuer}/auth?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorization).query).items()}
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert query["state"] and query["nonce"] and query["client_id"] == "tidings"
    assert "openid" in query["scope"].split()
    assert "tidings_oidc" in browser.cookies

    callback = await sso.provider.sign_in(browser, authorization, alice.account)
    assert callback.startswith(f"{sso.server.base_url}{CALLBACK}?")
    handoff = (await _call_back(browser, callback))["oidc"]

    response = await _finish(browser, handoff)
    assert response.status_code == 200, response.text
    signed_in = response.json()
    assert signed_in["user"]["id"] == alice.id
    assert signed_in["next"] == "/admin?tab=users"
    assert signed_in["device_credential"]  # remember me, as the sign-in was started
    assert signed_in["device_token"]
    me = await browser.get("/api/v1/me", headers={"Authorization": f"Bearer {signed_in['token']}"})
    assert me.json()["account"] == alice.account


async def test_a_second_step_keeps_where_to_land_and_remember_me(
    sso: Sso, browser: httpx.AsyncClient, base_url: str
) -> None:
    """A user with TOTP signs in with the provider: the second step comes with the sign-in's
    ``next`` and ``remember``, and the verify keeps "remember me" as it was chosen, either
    way."""
    person = await register(base_url, "twostep")
    status, body = await call(base_url, "POST", "/me/totp", token=person.token)
    assert status == 200, body
    totp = pyotp.TOTP(body["secret"])
    status, body = await call(
        base_url, "POST", "/me/totp/confirm", {"code": totp.now()}, token=person.token
    )
    assert status == 200, body
    recovery = body["recovery_codes"]
    # The next 30-second step's code: the current one was spent by the enrolment.
    answers = [("totp", totp.at(time.time() + 30)), ("recovery_code", recovery[0])]
    for remember, (method, code) in zip((False, True), answers, strict=True):
        callback = await _at_provider(
            sso, browser, person.account, next="/admin?tab=users", remember=str(remember).lower()
        )
        handoff = (await _call_back(browser, callback))["oidc"]
        step = await _finish(browser, handoff)
        assert step.status_code == 401, step.text
        error = step.json()["error"]
        assert error["code"] == "second_factor_required"
        assert error["details"]["next"] == "/admin?tab=users"
        assert error["details"]["remember"] is remember
        verified = await browser.post(
            "/api/v1/auth/login/verify",
            json={"challenge": error["details"]["challenge"], "code": code, "method": method},
        )
        assert verified.status_code == 200, verified.text
        signed_in = verified.json()
        assert signed_in["user"]["id"] == person.id
        assert ("device_credential" in signed_in) is remember
    await person.http.close()


async def test_the_handoff_works_once_even_when_spent_at_once(
    sso: Sso, browser: httpx.AsyncClient, alice: Person
) -> None:
    handoff = (await _call_back(browser, await _at_provider(sso, browser, alice.account)))["oidc"]
    answers = await asyncio.gather(*(_finish(browser, handoff) for _ in range(8)))
    assert sorted(a.status_code for a in answers) == [200] + [401] * 7
    refused = [a.json()["error"]["code"] for a in answers if a.status_code == 401]
    assert set(refused) == {"oidc_state_invalid"}
    late = await _finish(browser, handoff)
    assert late.json()["error"]["code"] == "oidc_state_invalid"


async def test_a_state_works_once_even_when_replayed_at_once(
    sso: Sso, browser: httpx.AsyncClient, alice: Person
) -> None:
    callback = await _at_provider(sso, browser, alice.account)
    landed = await asyncio.gather(*(_call_back(browser, callback) for _ in range(6)))
    assert sum("oidc" in each for each in landed) == 1
    assert [each.get("oidc_error") for each in landed if "oidc" not in each] == [
        "oidc_state_invalid"
    ] * 5
    # Later, too.
    assert await _call_back(browser, callback) == {"oidc_error": "oidc_state_invalid"}


async def test_a_callback_in_another_browser_is_refused_and_spends_nothing(
    sso: Sso, browser: httpx.AsyncClient, base_url: str, alice: Person
) -> None:
    callback = await _at_provider(sso, browser, alice.account)
    async with httpx.AsyncClient(base_url=base_url) as other:
        assert await _call_back(other, callback) == {"oidc_error": "oidc_state_invalid"}
    assert "oidc" in await _call_back(browser, callback)


async def test_unknown_made_up_and_missing_states_are_refused(
    browser: httpx.AsyncClient,
) -> None:
    assert await _call_back(browser, f"{CALLBACK}?state=made-up&code=x") == {
        "oidc_error": "oidc_state_invalid"
    }
    assert await _call_back(browser, f"{CALLBACK}?code=x") == {"oidc_error": "oidc_state_invalid"}


async def test_an_id_token_changed_after_signing_is_refused(
    sso: Sso, browser: httpx.AsyncClient, alice: Person
) -> None:
    callback = await _at_provider(sso, browser, alice.account)
    sso.provider.tamper_next_token("signature")
    assert await _call_back(browser, callback) == {"oidc_error": "oidc_id_token_invalid"}


async def test_an_id_token_for_another_nonce_is_refused(
    sso: Sso, browser: httpx.AsyncClient, alice: Person
) -> None:
    authorization = await _start(browser)
    parts = urlsplit(authorization)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["nonce"] = "not-the-nonce-tidings-sent"
    forged = parts._replace(query=urlencode(query)).geturl()
    callback = await sso.provider.sign_in(browser, forged, alice.account)
    assert await _call_back(browser, callback) == {"oidc_error": "oidc_nonce_mismatch"}


async def test_a_refusal_at_the_provider_is_told(sso: Sso, browser: httpx.AsyncClient) -> None:
    state = callback_params(await _start(browser))["state"]
    query = urlencode({"state": state, "error": "access_denied", "iss": sso.provider.issuer})
    assert await _call_back(browser, f"{CALLBACK}?{query}") == {
        "oidc_error": "oidc_provider_refused"
    }


async def test_a_redirect_naming_another_issuer_is_refused(browser: httpx.AsyncClient) -> None:
    state = callback_params(await _start(browser))["state"]
    query = urlencode({"state": state, "code": "x", "iss": "https://evil.example"})
    assert await _call_back(browser, f"{CALLBACK}?{query}") == {
        "oidc_error": "oidc_id_token_invalid"
    }


async def test_a_frozen_account_is_refused(
    sso: Sso, browser: httpx.AsyncClient, base_url: str, alice: Person
) -> None:
    admin = await register(base_url, "admin")
    await make_admin(sso.server, admin, "super_admin")
    await admin.http.call("POST", f"/api/v1/admin/users/{alice.id}/freeze", {"reason": "t"})
    callback = await _at_provider(sso, browser, alice.account)
    assert await _call_back(browser, callback) == {"oidc_error": "account_disabled"}
    refusals = await audit_entries(admin, action="auth.sign_in_failed")
    assert any(
        e["target_id"] == alice.account and e["details"]["reason"] == "account_disabled"
        for e in refusals
    )
    await admin.http.close()


async def test_someone_unknown_is_refused_when_users_are_not_created(
    sso: Sso, browser: httpx.AsyncClient
) -> None:
    stranger = f"stranger{uuid.uuid4().hex[:8]}"
    callback = await _at_provider(sso, browser, stranger)
    assert await _call_back(browser, callback) == {"oidc_error": "oidc_user_unknown"}


@pytest.mark.parametrize(
    "next_to", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "admin"]
)
async def test_next_must_be_a_path_on_this_server(browser: httpx.AsyncClient, next_to: str) -> None:
    response = await browser.get(START, params={"next": next_to}, follow_redirects=False)
    assert landing(response) == {"oidc_error": "invalid_input"}
