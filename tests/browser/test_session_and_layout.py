"""Signing in and out, being signed out by another device, settings, the mobile layout."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import bubble, conversation_row, open_conversation, send_text, sign_in


def test_second_sign_in_on_web_forces_the_first_offline(
    web_server: WebServer, new_context: Any
) -> None:
    bob = web_server.register(unique("bob"), "Bob Li")
    first: Page = new_context().new_page()
    sign_in(first, web_server.base_url, bob["user"]["account"], remember=True)

    second: Page = new_context().new_page()
    sign_in(second, web_server.base_url, bob["user"]["account"])

    notice = first.get_by_test_id("forced-offline-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("signed in on another device")
    expect(first.get_by_test_id("workspace")).to_have_count(0)
    # The displaced device does not sign itself back in with its remembered credential.
    first.reload()
    expect(first.get_by_test_id("sign-in")).to_be_visible()
    expect(first.get_by_test_id("forced-offline-notice")).to_have_count(0)
    # The new sign-in is unaffected.
    expect(second.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")


def test_remember_me_signs_in_again_and_sign_out_forgets(
    web_server: WebServer, new_context: Any
) -> None:
    carol = web_server.register(unique("carol"), "Carol Wang")
    context = new_context()
    page: Page = context.new_page()
    sign_in(page, web_server.base_url, carol["user"]["account"], remember=True)
    page.close()

    # A new window of the same browser: in without a password.
    again: Page = context.new_page()
    again.goto(web_server.base_url)
    expect(again.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")
    # With the session token gone, the device credential alone signs in.
    again.evaluate(
        "localStorage.setItem('tidings.accounts', JSON.stringify("
        "JSON.parse(localStorage.getItem('tidings.accounts')).map(a => ({...a, token: null}))))"
    )
    again.reload()
    expect(again.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")

    again.get_by_test_id("rail-settings").click()
    again.get_by_test_id("sign-out").click()
    expect(again.get_by_test_id("sign-in")).to_be_visible()
    again.reload()
    expect(again.get_by_test_id("sign-in")).to_be_visible()


def test_language_and_theme_switch_without_reload(web_server: WebServer, new_context: Any) -> None:
    dave = web_server.register(unique("dave"), "Dave Chen")
    page: Page = new_context(locale="zh-CN").new_page()
    sign_in(page, web_server.base_url, dave["user"]["account"])
    # The browser's language picks the default.
    expect(page.get_by_test_id("rail-chats")).to_have_attribute("aria-label", "消息")
    expect(conversation_row(page, "系统通知")).to_be_visible()
    page.evaluate("window.__sameDocument = true")

    page.get_by_test_id("rail-settings").click()
    page.get_by_test_id("language").get_by_role("radio", name="English").click()
    expect(page.get_by_test_id("rail-chats")).to_have_attribute("aria-label", "Chats")
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    page.get_by_test_id("theme").get_by_role("radio", name="Dark").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 20, 28)"

    page.get_by_test_id("font-size").get_by_role("radio", name="Large", exact=True).click()
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "16px"
    page.get_by_test_id("language").get_by_role("radio", name="简体中文").click()
    expect(page.get_by_test_id("rail-chats")).to_have_attribute("aria-label", "消息")
    assert page.evaluate("window.__sameDocument") is True
    # The choices stay for the next visit.
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.get_by_test_id("rail-chats")).to_have_attribute("aria-label", "消息")


def test_mobile_layout_navigates_list_to_chat_and_back(
    web_server: WebServer, new_context: Any
) -> None:
    erin = web_server.register(unique("erin"), "Erin Wu")
    frank = web_server.register(unique("frank"), "Frank Xu")
    web_server.api(
        erin["token"],
        "POST",
        "/conversations",
        json={"type": "direct", "peer_id": frank["user"]["id"]},
    )
    page: Page = new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    ).new_page()
    sign_in(page, web_server.base_url, erin["user"]["account"])

    list_pane = page.locator(".conversation-pane")
    expect(list_pane).to_be_visible()
    expect(page.get_by_test_id("chat-pane")).to_have_count(0)
    box = list_pane.bounding_box()
    assert box is not None and box["width"] == 390
    # The rail is a tab bar at the bottom.
    rail = page.locator("nav.rail").bounding_box()
    assert rail is not None and rail["y"] > 844 - 80 and rail["width"] == 390

    conversation_row(page, "Frank Xu").tap()
    expect(page.get_by_test_id("chat-title")).to_have_text("Frank Xu")
    expect(list_pane).to_be_hidden()
    expect(page.locator("nav.rail")).to_be_hidden()
    send_text(page, "On my phone 📱")
    expect(bubble(page, "On my phone 📱")).to_have_attribute("data-state", "sent")
    composer = page.get_by_test_id("composer").bounding_box()
    assert composer is not None and composer["y"] + composer["height"] <= 844 + 1

    page.get_by_test_id("back").tap()
    expect(list_pane).to_be_visible()
    expect(conversation_row(page, "Frank Xu")).to_contain_text("On my phone 📱")
    open_conversation(page, "Frank Xu")


def test_the_app_is_installable_and_served_under_a_strict_csp(
    web_server: WebServer, new_context: Any
) -> None:
    page: Page = new_context().new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    response = page.goto(web_server.base_url)
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_test_id("sign-in")).to_be_visible()
    manifest_url = page.eval_on_selector("link[rel=manifest]", "link => link.href")
    manifest = page.request.get(manifest_url).json()
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert page.request.get(web_server.base_url + icon["src"]).ok
    assert errors == []
