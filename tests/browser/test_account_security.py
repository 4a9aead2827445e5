"""Settings → Account security in the browser: changing the password."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, WebServer, unique
from tests.browser.pages import sign_in
from tests.browser.server import running_server

NEW_PASSWORD = "quiet-lantern-river-42"


def sign_in_with(page: Page, base_url: str, account: str, password: str) -> None:
    page.goto(base_url)
    page.fill("input[name=account]", account)
    page.fill("input[name=password]", password)
    page.click("[data-testid=sign-in] button[type=submit]")


def test_password_change_signs_other_sessions_out_and_only_the_new_password_works(
    web_server: WebServer, new_context: Any
) -> None:
    henry = web_server.register(unique("henry"), "Henry Guo")
    account = henry["user"]["account"]
    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, account)

    page.get_by_test_id("rail-settings").click()
    page.get_by_test_id("open-security").click()
    expect(page.get_by_test_id("security-settings")).to_be_visible()
    page.get_by_test_id("change-password").click()
    panel = page.get_by_test_id("password-panel")
    panel.locator("input[name=current_password]").fill(PASSWORD)
    # A weak one is refused with the server's reasons, translated.
    panel.locator("input[name=new_password]").fill("abc")
    panel.locator("input[name=confirm_password]").fill("abc")
    expect(panel.locator("input[name=sign_out_others]")).to_be_checked()
    panel.locator("button[type=submit]").click()
    expect(panel.get_by_test_id("password-reasons")).to_contain_text("It is too short.")
    # A wrong current password is refused too.
    panel.locator("input[name=current_password]").fill("not-my-password")
    panel.locator("input[name=new_password]").fill(NEW_PASSWORD)
    panel.locator("input[name=confirm_password]").fill(NEW_PASSWORD)
    panel.locator("button[type=submit]").click()
    expect(panel.get_by_test_id("security-error")).to_contain_text("Wrong account or password")

    panel.locator("input[name=current_password]").fill(PASSWORD)
    panel.locator("button[type=submit]").click()
    done = page.get_by_test_id("password-changed")
    expect(done).to_contain_text("Your password has been changed.")
    expect(done).to_contain_text("1 other devices were signed out.")
    # The other session (the API one register made) is signed out; this one goes on.
    refused = httpx.get(
        f"{web_server.base_url}/api/v1/me",
        headers={"Authorization": f"Bearer {henry['token']}"},
    )
    assert refused.status_code == 401
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")

    page.get_by_test_id("security-back").click()
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("sign-in")).to_be_visible()
    # The old password is refused; the new one signs in.
    sign_in_with(page, web_server.base_url, account, PASSWORD)
    expect(page.get_by_test_id("sign-in-error")).to_contain_text("Wrong account or password")
    sign_in_with(page, web_server.base_url, account, NEW_PASSWORD)
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")


def test_a_password_reset_by_an_administrator_must_be_changed_at_sign_in(
    web_server: WebServer, new_context: Any
) -> None:
    admin = web_server.register(unique("root"), "Root")
    web_server.make_admin(admin["user"]["account"])
    ivan = web_server.register(unique("ivan"), "Ivan Jiang")
    one_time = web_server.api(
        admin["token"], "POST", f"/admin/users/{ivan['user']['id']}/reset-password"
    )["one_time_password"]

    page: Page = new_context(locale="zh-CN").new_page()
    sign_in_with(page, web_server.base_url, ivan["user"]["account"], one_time)
    form = page.get_by_test_id("forced-password-change")
    expect(form).to_contain_text("管理员重置了你的密码")
    expect(page.get_by_test_id("workspace")).to_have_count(0)
    form.locator("input[name=new_password]").fill(NEW_PASSWORD)
    form.locator("input[name=confirm_password]").fill(NEW_PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")
    # The next sign-in needs nothing more.
    page.get_by_test_id("rail-settings").click()
    page.get_by_test_id("sign-out").click()
    sign_in_with(page, web_server.base_url, ivan["user"]["account"], NEW_PASSWORD)
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")


@pytest.fixture(scope="module")
def invite_only_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    env = {"TIDINGS_REGISTRATION": "invite_only"}
    with running_server(tmp_path_factory.mktemp("invite-only"), env) as server:
        yield server


def test_registration_asks_for_an_invite_code_only_when_the_server_says_so(
    web_server: WebServer, invite_only_server: WebServer, new_context: Any
) -> None:
    page: Page = new_context().new_page()
    page.goto(web_server.base_url)
    page.get_by_test_id("toggle-register").click()
    expect(page.locator("input[name=nickname]")).to_be_visible()
    # This server's registration is open (tests/browser/server.py).
    expect(page.locator("input[name=invite_code]")).to_have_count(0)

    # An invite-only server: the code from an administrator's invite lets one register.
    server = invite_only_server
    admin = unique("admin")
    tidings = Path(sys.executable).parent / "tidings"
    command = [str(tidings), "user", "create", admin, "--password", PASSWORD, "--admin"]
    subprocess.run(
        [*command, "--data-dir", str(server.data_dir)],
        check=True,
        capture_output=True,
    )
    login = server.http.post(
        f"{server.base_url}/api/v1/auth/login",
        json={"account": admin, "password": PASSWORD, "platform": "api"},
    ).json()
    invite = server.api(login["token"], "POST", "/admin/registration-invites", json={})
    page.goto(server.base_url)
    page.get_by_test_id("toggle-register").click()
    form = page.get_by_test_id("sign-in")
    form.locator("input[name=account]").fill(unique("kim"))
    form.locator("input[name=nickname]").fill("Kim Lu")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("input[name=invite_code]").fill("not-an-invite")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("sign-in-error")).to_be_visible()
    form.locator("input[name=invite_code]").fill(invite["code"])
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")
