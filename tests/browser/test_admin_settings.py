"""The console's Settings page (K4, I10; decision 0057) in Chromium: an administrator changes
the brand colour and the product name, turns modules off and uploads a logo; a chat client
open in another browser context shows the new colour and name and loses the modules'
entries without a reload, and the sign-in page shows the brand before anyone signs in."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.admin_pages import open_console, open_page
from tests.browser.conftest import WebServer, unique
from tests.browser.pages import bubble, direct_chat, open_conversation, post_text, sign_in

GREEN = "#0a7d52"


def accent(page: Page) -> str:
    value: str = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()"
    )
    return value


@pytest.fixture
def admin(web_server: WebServer) -> Iterator[dict[str, Any]]:
    account = unique("settingsadmin")
    registered = web_server.register(account, "Settings Admin")
    web_server.make_admin(account)
    yield {**registered, "account": account}
    # The browser tests share one server: leave the settings as they were.
    current = web_server.api(registered["token"], "GET", "/admin/settings")
    changes = {section: dict.fromkeys(keys) for section, keys in current["changed"].items()}
    if changes:
        web_server.api(registered["token"], "PATCH", "/admin/settings", json={"changes": changes})


def png(width: int = 96, height: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 125, 82)).save(out, "PNG")
    return out.getvalue()


def test_a_change_in_the_console_reaches_an_open_chat_client_without_a_reload(
    web_server: WebServer, new_context: Any, admin: dict[str, Any], tmp_path: Any
) -> None:
    alice_account, bob_account = unique("alice"), unique("bob")
    alice = web_server.register(alice_account, "Alice")
    bob = web_server.register(bob_account, "Bob")
    conversation = direct_chat(web_server, alice, bob)
    post_text(web_server, alice, conversation, "recall me maybe")

    chat = new_context().new_page()
    sign_in(chat, web_server.base_url, bob_account)
    open_conversation(chat, "Alice")
    before = accent(chat)
    assert before != GREEN
    chat.get_by_test_id("plus-button").click()
    expect(chat.get_by_test_id("plus-location")).to_be_visible()
    chat.keyboard.press("Escape")
    expect(chat.get_by_test_id("rail-favorites")).to_be_visible()
    navigations: list[str] = []
    chat.on("framenavigated", lambda frame: navigations.append(frame.url))

    console = new_context().new_page()
    open_console(console, web_server.base_url, admin["account"])
    open_page(console, "settings")
    console.get_by_test_id("setting-brand-colour").fill(GREEN)
    console.get_by_test_id("setting-product-name").fill("Acme Chat")
    console.get_by_test_id("setting-modules-location").uncheck()
    console.get_by_test_id("setting-modules-favorites").uncheck()
    logo = tmp_path / "logo.png"
    logo.write_bytes(png())
    console.get_by_test_id("setting-logo").set_input_files(str(logo))
    expect(console.get_by_test_id("settings-preview").locator("img")).to_be_visible()
    expect(console.get_by_test_id("settings-preview")).to_contain_text("Acme Chat")
    console.get_by_test_id("settings-save").click()
    expect(console.locator(".adm-toast.good")).to_contain_text("Saved")
    expect(console.get_by_test_id("settings-save")).to_be_disabled()

    # The open client: new colour, new name, the modules' entries gone, no reload.
    chat.wait_for_function(
        "c => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim() == c",
        arg=GREEN,
    )
    expect(chat).to_have_title(re.compile(r"(^|\) )Acme Chat$"))
    expect(chat.get_by_test_id("rail-favorites")).to_have_count(0)
    expect(chat.get_by_test_id("rail-brand-logo")).to_be_visible()
    chat.get_by_test_id("plus-button").click()
    expect(chat.get_by_test_id("plus-panel")).to_be_visible()
    expect(chat.get_by_test_id("plus-location")).to_have_count(0)
    expect(chat.get_by_test_id("plus-file")).to_be_visible()
    chat.keyboard.press("Escape")
    bubble(chat, "recall me maybe").get_by_test_id("bubble").click(button="right")
    expect(chat.get_by_test_id("menu-favorite")).to_have_count(0)
    chat.keyboard.press("Escape")
    assert navigations == []

    # Someone not signed in sees the brand on the sign-in page.
    stranger = new_context().new_page()
    stranger.goto(web_server.base_url)
    expect(stranger.get_by_test_id("sign-in-title")).to_have_text("Sign in to Acme Chat")
    expect(stranger).to_have_title("Acme Chat")
    expect(stranger.get_by_test_id("sign-in-logo")).to_be_visible()
    assert stranger.evaluate("document.querySelector('[data-testid=sign-in-logo]').naturalWidth")
    stranger.wait_for_function(
        "c => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim() == c",
        arg=GREEN,
    )

    # The console wears the brand colour too (from its next load).
    console.reload()
    console.wait_for_function(
        "c => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim() == c",
        arg=GREEN,
    )
    open_page(console, "settings")

    # Turning a module back on brings its entry back, still without a reload.
    console.get_by_test_id("setting-modules-location").check()
    console.get_by_test_id("settings-save").click()
    chat.get_by_test_id("plus-button").click()
    expect(chat.get_by_test_id("plus-location")).to_be_visible()
    assert navigations == []


def test_with_recall_off_the_menu_has_no_recall_and_the_sign_in_text_shows(
    web_server: WebServer, new_context: Any, admin: dict[str, Any]
) -> None:
    alice_account = unique("alice")
    alice = web_server.register(alice_account, "Alice")
    bob = web_server.register(unique("bob"), "Bob")
    conversation = direct_chat(web_server, alice, bob)
    post_text(web_server, alice, conversation, "mine to recall")
    chat = new_context().new_page()
    sign_in(chat, web_server.base_url, alice_account)
    open_conversation(chat, "Bob")
    bubble(chat, "mine to recall").get_by_test_id("bubble").click(button="right")
    expect(chat.get_by_test_id("menu-recall")).to_be_visible()
    chat.keyboard.press("Escape")

    console = new_context(locale="zh-CN").new_page()
    open_console(console, web_server.base_url, admin["account"])
    open_page(console, "settings")
    console.get_by_test_id("setting-modules-recall").uncheck()
    console.get_by_test_id("setting-sign-in-text").fill("仅限员工使用")
    console.get_by_test_id("settings-save").click()
    expect(console.locator(".adm-toast.good")).to_contain_text("已保存")

    bubble(chat, "mine to recall").get_by_test_id("bubble").click(button="right")
    expect(chat.get_by_test_id("bubble-menu")).to_be_visible()
    expect(chat.get_by_test_id("menu-recall")).to_have_count(0)
    chat.keyboard.press("Escape")
    stranger = new_context().new_page()
    stranger.goto(web_server.base_url)
    expect(stranger.get_by_test_id("sign-in-text")).to_have_text("仅限员工使用")
