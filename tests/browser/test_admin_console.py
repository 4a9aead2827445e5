"""The admin console's frame (issue 13): same sign-in as the chat app, server admins only,
the menu by role, the language and the theme; not part of the chat app's first load."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.admin_pages import menu, open_console
from tests.browser.conftest import PASSWORD, WebServer, unique
from tests.browser.pages import sign_in


def test_only_server_admins_get_in_and_see_the_pages_of_their_role(
    web_server: WebServer, new_context: Any
) -> None:
    plain = unique("plain")
    web_server.register(plain, "Plain")
    page = new_context().new_page()
    page.goto(f"{web_server.base_url}/admin")
    page.fill("input[name=account]", plain)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("not a server administrator")
    page.fill("input[name=password]", "wrong password!")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("Wrong account or password")

    auditor = unique("auditor")
    web_server.register(auditor, "Auditor")
    web_server.make_admin(auditor, "auditor")
    page = new_context().new_page()
    open_console(page, web_server.base_url, auditor)
    expect(page.locator(".adm-who")).to_contain_text("Auditor")
    assert "home" in menu(page)
    # Nothing the auditor's powers lack is offered.
    assert not {"users", "groups", "org", "settings", "broadcasts"} & set(menu(page))


def test_the_chat_apps_session_opens_the_console_and_language_and_theme_stick(
    web_server: WebServer, new_context: Any
) -> None:
    admin = unique("admin")
    web_server.register(admin, "Admin")
    web_server.make_admin(admin)
    context = new_context(locale="zh-CN")
    page = context.new_page()
    sign_in(page, web_server.base_url, admin, remember=True)
    # Signed in to the chat app: the console needs no second sign-in.
    page.goto(f"{web_server.base_url}/admin")
    expect(page.locator(".adm-who")).to_contain_text("超级管理员")
    # A super admin lands on the dashboard.
    expect(page.locator(".adm-header h1")).to_have_text("数据看板")
    page.select_option("select[aria-label=语言]", "en")
    expect(page.locator(".adm-header h1")).to_have_text("Dashboard")
    page.select_option("select[aria-label=Theme]", "dark")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.reload()
    expect(page.locator(".adm-header h1")).to_have_text("Dashboard")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background
    assert background == "rgb(20, 23, 28)"
    # A tablet held upright: the menu folds behind a button.
    page.set_viewport_size({"width": 768, "height": 1024})
    expect(page.locator(".adm-nav")).not_to_be_in_viewport()
    page.click(".adm-menu-button")
    expect(page.locator(".adm-nav")).to_be_in_viewport()
    # The chat app's page loads none of the console.
    chat = context.new_page()
    loaded: list[str] = []
    chat.on("request", lambda request: loaded.append(request.url))
    chat.goto(web_server.base_url)
    expect(chat.get_by_test_id("workspace")).to_be_visible()
    assert not [url for url in loaded if "/admin" in url or "admin-" in url]
