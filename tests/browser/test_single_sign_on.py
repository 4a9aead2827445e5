"""Sign in with OpenID Connect in Chromium against a real provider (oidc-provider in Node, its
development login form): a known user clicks "Sign in with ...", signs in at the provider and
lands in Tidings signed in; someone new gets an account (creation on); a failed single
sign-on is shown on the sign-in page, in English and in Chinese. The server's checks are
tests/test_single_sign_on.py's."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser.server import WebServer, free_port, running_server
from tests.support.oidc_provider import PUBLIC_CLIENT, OidcProvider, running_provider

SCREENSHOTS = Path(__file__).resolve().parents[2] / "data" / "screenshots"


@pytest.fixture(scope="module")
def sso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebServer, OidcProvider]]:
    """A server of its own whose single sign-on is the local provider, as a public client
    (PKCE, no secret) that creates the users it does not know."""
    data_dir = tmp_path_factory.mktemp("sso-web")
    port = free_port()
    callback = f"http://127.0.0.1:{port}/api/v1/auth/oidc/callback"
    with running_provider(data_dir, [callback]) as provider:
        env = {
            "TIDINGS_OIDC_ISSUER": provider.issuer,
            "TIDINGS_OIDC_CLIENT_ID": PUBLIC_CLIENT,
            "TIDINGS_OIDC_LABEL": "Example SSO",
            "TIDINGS_OIDC_CREATE_USERS": "true",
        }
        with running_server(data_dir, env=env, port=port) as server:
            yield server, provider


def _sign_in_at_provider(page: Page, provider: OidcProvider, login: str) -> None:
    page.get_by_test_id("single-sign-on").click()
    page.wait_for_url(f"{provider.issuer}/**")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")


def _expect_signed_in(page: Page) -> None:
    expect(page.get_by_test_id("workspace")).to_be_visible()
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")


def test_a_known_user_signs_in_with_the_provider(
    sso: tuple[WebServer, OidcProvider], new_context: Any
) -> None:
    server, provider = sso
    account = f"known{uuid.uuid4().hex[:8]}"
    registered = server.register(account, "Known Person")
    page = new_context().new_page()
    page.goto(server.base_url)
    expect(page.get_by_test_id("single-sign-on")).to_have_text("Sign in with Example SSO")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "sso-sign-in-en.png"))
    _sign_in_at_provider(page, provider, account)
    _expect_signed_in(page)
    # No handoff is left in the address or its history entry.
    assert page.url == f"{server.base_url}/"
    stored = page.evaluate("localStorage.getItem('tidings.accounts')")
    assert f'"id":{registered["user"]["id"]}' in stored.replace(" ", "")


def test_someone_new_gets_an_account_named_by_the_provider(
    sso: tuple[WebServer, OidcProvider], new_context: Any
) -> None:
    server, provider = sso
    login = f"newbie{uuid.uuid4().hex[:8]}"
    page = new_context().new_page()
    page.goto(server.base_url)
    page.locator("input[name=remember]").set_checked(False)
    _sign_in_at_provider(page, provider, login)
    _expect_signed_in(page)
    # Not remembered: the session lives in this tab only.
    assert page.evaluate("localStorage.getItem('tidings.accounts')") is None
    me = page.evaluate(
        """async () => {
            const [account] = JSON.parse(sessionStorage.getItem('tidings.accounts'));
            const headers = {Authorization: `Bearer ${account.token}`};
            const answer = await fetch('/api/v1/me', {headers});
            return answer.json();
        }"""
    )
    assert me["account"] == login
    assert me["nickname"] == f"{login.capitalize()} Example"


def test_a_second_step_keeps_where_to_land_and_remember_me(
    sso: tuple[WebServer, OidcProvider], new_context: Any
) -> None:
    """A super admin with TOTP follows a link that signs in with the provider and lands in
    the console, not remembered: after the code, the console (``next``), and the session in
    this tab only (``remember``)."""
    server, provider = sso
    account = f"twostep{uuid.uuid4().hex[:8]}"
    registered = server.register(account, "Two Step")
    server.make_admin(account)
    totp = pyotp.TOTP(server.api(registered["token"], "POST", "/me/totp")["secret"])
    server.api(registered["token"], "POST", "/me/totp/confirm", json={"code": totp.now()})

    page = new_context().new_page()
    page.goto(f"{server.base_url}/api/v1/auth/oidc/start?next=/admin&remember=false")
    page.wait_for_url(f"{provider.issuer}/**")
    page.fill("input[name=login]", account)
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")
    step = page.get_by_test_id("second-step")
    expect(step).to_have_attribute("data-method", "totp")
    # The enrolment spent the current step's code: the next one.
    step.locator("input[name=code]").fill(totp.at(time.time() + 30))
    step.locator("button[type=submit]").click()
    page.wait_for_url(f"{server.base_url}/admin")
    expect(page.locator(".adm-nav")).to_be_visible()
    assert page.evaluate("localStorage.getItem('tidings.accounts')") is None
    assert account in (page.evaluate("sessionStorage.getItem('tidings.accounts')") or "")


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("en-US", "This single sign-on expired or was already used. Start again."),
        ("zh-CN", "本次单点登录已过期或已使用，请重新开始。"),
    ],
)
def test_a_failed_single_sign_on_is_shown_on_the_sign_in_page(
    sso: tuple[WebServer, OidcProvider], new_context: Any, locale: str, message: str
) -> None:
    server, _ = sso
    for width, height, name in ((1280, 800, "desktop"), (390, 844, "phone")):
        page = new_context(locale=locale, viewport={"width": width, "height": height}).new_page()
        page.goto(f"{server.base_url}/api/v1/auth/oidc/callback?state=made-up&code=x")
        expect(page.get_by_test_id("sign-in-error")).to_have_text(message)
        assert "oidc" not in page.url
        page.screenshot(path=str(SCREENSHOTS / f"sso-error-{locale}-{name}.png"))
