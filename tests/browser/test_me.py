"""The Me page (h/me) in Chromium: profile and a cropped avatar the other user then sees in
the list and the chat; hiding one's online status from the other user; the password lock
hiding a chat until unlocked; the whole app locked after idle minutes (the page's clock moved
on); the Me tab of the phone layout at 390x844."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, WebServer, unique
from tests.browser.pages import (
    bubble,
    conversation_row,
    direct_chat,
    open_conversation,
    post_text,
    sign_in,
)


def _picture() -> bytes:
    """A wide picture: the cropper must make it square."""
    image = Image.new("RGB", (480, 300), (250, 200, 40))
    for x in range(160, 320):
        for y in range(60, 240):
            image.putpixel((x, y), (30, 90, 200))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _open_me(page: Page) -> None:
    page.get_by_test_id("account-menu-button").click()
    page.get_by_test_id("menu-open-me").click()
    expect(page.get_by_test_id("me")).to_be_visible()


def _image_loaded(locator: Any) -> None:
    expect(locator).to_have_count(1)
    expect(locator).to_have_js_property("complete", True)
    assert locator.evaluate("img => img.naturalWidth") > 0


def test_profile_and_cropped_avatar_seen_by_the_other_user(
    web_server: WebServer, new_context: Any
) -> None:
    bob = web_server.register(unique("bob"), "Bob Li")
    alice = web_server.register(unique("alice"), "Alice Zhang")
    chat = direct_chat(web_server, bob, alice)
    post_text(web_server, bob, chat, "hello from bob")

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, bob["user"]["account"])
    _open_me(page)
    page.get_by_test_id("me-open-profile").click()
    page.get_by_test_id("profile-nickname").fill("Bob the Builder")
    page.get_by_test_id("profile-signature").fill("Can we fix it?")
    page.get_by_test_id("profile-desk").fill("B-204")
    page.get_by_test_id("profile-save").click()
    expect(page.get_by_test_id("me-name")).to_have_text("Bob the Builder")
    expect(page.get_by_test_id("me-signature")).to_have_text("Can we fix it?")

    page.get_by_test_id("me-avatar-file").set_input_files(
        {"name": "me.png", "mimeType": "image/png", "buffer": _picture()}
    )
    frame = page.get_by_test_id("cropper-frame")
    expect(frame).to_be_visible()
    page.get_by_test_id("cropper-zoom").fill("1.5")
    box = frame.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 130, box["y"] + 130)
    page.mouse.down()
    page.mouse.move(box["x"] + 90, box["y"] + 110, steps=4)
    page.mouse.up()
    page.get_by_test_id("cropper-use").click()
    expect(page.get_by_test_id("avatar-cropper")).to_have_count(0)
    _image_loaded(page.get_by_test_id("me-avatar").locator("img.avatar-image"))
    profile = web_server.api(bob["token"], "GET", "/me")
    assert profile["avatar"].startswith("file:") and profile["desk"] == "B-204"

    # What the server stored is the square the cropper cut, at 256 pixels a side.
    link = web_server.api(alice["token"], "POST", f"/files/{profile['avatar'][5:]}/links", json={})
    stored = Image.open(io.BytesIO(web_server.http.get(web_server.base_url + link["url"]).content))
    assert stored.size == (256, 256)

    # Alice sees the picture instead of initials: in her list and beside his message.
    other: Page = new_context().new_page()
    sign_in(other, web_server.base_url, alice["user"]["account"])
    row = conversation_row(other, "Bob the Builder")
    _image_loaded(row.locator("img.avatar-image"))
    open_conversation(other, "Bob the Builder")
    expect(bubble(other, "hello from bob")).to_be_visible()
    message = other.locator("[data-testid=message][data-mine=false]").first
    _image_loaded(message.locator("img.avatar-image"))


def test_hiding_online_status_from_the_other_user(web_server: WebServer, new_context: Any) -> None:
    bob = web_server.register(unique("bob"), "Bob Li")
    alice = web_server.register(unique("alice"), "Alice Zhang")
    direct_chat(web_server, alice, bob)

    watcher: Page = new_context().new_page()
    sign_in(watcher, web_server.base_url, alice["user"]["account"])
    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, bob["user"]["account"])
    dot = conversation_row(watcher, "Bob Li").locator(".presence-dot")
    expect(dot).to_have_class("presence-dot online")

    _open_me(page)
    page.get_by_test_id("me-open-privacy").click()
    page.get_by_test_id("privacy-show-online").locator("[data-value=off]").click()
    expect(
        page.get_by_test_id("privacy-show-online").locator("[data-value=off]")
    ).to_have_attribute("aria-checked", "true")
    expect(dot).to_have_class("presence-dot offline")
    # Still hidden after Alice reloads (the server answers "offline", not her client).
    watcher.reload()
    expect(conversation_row(watcher, "Bob Li").locator(".presence-dot")).to_have_class(
        "presence-dot offline"
    )
    assert web_server.api(bob["token"], "GET", "/me")["id"] == bob["user"]["id"]


def _set_lock_code(page: Page, code: str) -> None:
    _open_me(page)
    page.get_by_test_id("me-open-lock").click()
    page.get_by_test_id("lock-code").fill(code)
    page.get_by_test_id("lock-code-again").fill(code)
    page.get_by_test_id("lock-code-save").click()
    expect(page.get_by_test_id("lock-settings")).to_have_attribute("data-has-code", "true")


def test_the_lock_hides_a_chat_until_unlocked(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    secret = direct_chat(web_server, bob, alice)
    post_text(web_server, bob, secret, "the secret plan")
    open_chat = direct_chat(web_server, carol, alice)
    post_text(web_server, carol, open_chat, "lunch?")

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    _set_lock_code(page, "2468")
    page.locator("[data-testid=lock-chat][data-title='Bob Li'] input").click()
    expect(page.locator("[data-testid=lock-chat][data-title='Bob Li'] input")).to_be_checked()
    page.get_by_test_id("rail-chats").click()

    row = conversation_row(page, "Bob Li")
    expect(row.get_by_test_id("locked-preview")).to_be_visible()
    expect(row).not_to_contain_text("the secret plan")
    expect(conversation_row(page, "Carol Wang")).to_contain_text("lunch?")
    # The lock is kept by the server: a reload (or another device) hides the chat too.
    page.reload()
    expect(conversation_row(page, "Bob Li").get_by_test_id("locked-preview")).to_be_visible()

    conversation_row(page, "Bob Li").click()
    expect(page.get_by_test_id("locked-chat")).to_be_visible()
    expect(page.get_by_text("the secret plan")).to_have_count(0)
    page.get_by_test_id("unlock-input").fill("1357")
    page.get_by_test_id("unlock-submit").click()
    expect(page.get_by_test_id("unlock-error")).to_contain_text("Wrong lock code")
    expect(page.get_by_text("the secret plan")).to_have_count(0)
    page.get_by_test_id("unlock-input").fill("2468")
    page.get_by_test_id("unlock-submit").click()
    expect(bubble(page, "the secret plan")).to_be_visible()

    # Choosing another chat locks it again.
    open_conversation(page, "Carol Wang")
    conversation_row(page, "Bob Li").click()
    expect(page.get_by_test_id("locked-chat")).to_be_visible()
    expect(page.get_by_text("the secret plan")).to_have_count(0)
    # Forgotten code: the account password opens it.
    page.get_by_test_id("unlock-forgot").click()
    page.get_by_test_id("unlock-input").fill(PASSWORD)
    page.get_by_test_id("unlock-submit").click()
    expect(bubble(page, "the secret plan")).to_be_visible()


def test_the_app_locks_after_idle_minutes(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    post_text(web_server, bob, direct_chat(web_server, bob, alice), "are you there?")

    page: Page = new_context().new_page()
    page.clock.install()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    _set_lock_code(page, "correct horse")
    page.get_by_test_id("lock-idle").locator("[data-value='1']").click()
    expect(page.get_by_test_id("lock-idle").locator("[data-value='1']")).to_have_attribute(
        "aria-checked", "true"
    )
    page.get_by_test_id("rail-chats").click()
    expect(conversation_row(page, "Bob Li")).to_contain_text("are you there?")
    expect(page.get_by_test_id("app-lock")).to_have_count(0)

    page.clock.fast_forward("00:40")
    expect(page.get_by_test_id("app-lock")).to_have_count(0)
    page.clock.fast_forward("00:30")
    cover = page.get_by_test_id("app-lock")
    expect(cover).to_be_visible()
    # The cover is on top of everything: what is behind it cannot be clicked.
    hit = page.evaluate(
        "() => !!document.elementFromPoint(200, 200).closest('[data-testid=app-lock]')"
    )
    assert hit
    page.get_by_test_id("unlock-input").fill("wrong horse")
    page.get_by_test_id("unlock-submit").click()
    expect(page.get_by_test_id("unlock-error")).to_be_visible()
    page.get_by_test_id("unlock-input").fill("correct horse")
    page.get_by_test_id("unlock-submit").click()
    expect(cover).to_have_count(0)
    # Closing the app locks it: a reload starts covered.
    page.reload()
    expect(page.get_by_test_id("app-lock")).to_be_visible()


def test_mobile_me_tab(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    context = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page: Page = context.new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    tab = page.get_by_test_id("rail-me")
    expect(tab).to_be_visible()
    tab.tap()
    expect(page.get_by_test_id("me")).to_be_visible()
    expect(page.get_by_test_id("me-name")).to_have_text("Alice Zhang")
    for entry in ("profile", "privacy", "lock", "devices", "security", "settings"):
        item = page.get_by_test_id(f"me-open-{entry}")
        expect(item).to_be_visible()
        box = item.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.get_by_test_id("me-open-devices").tap()
    expect(page.locator("[data-testid=device-row][data-current=true]")).to_have_count(1)
    page.get_by_test_id("me-back").tap()
    page.get_by_test_id("me-open-privacy").tap()
    expect(page.get_by_test_id("privacy-settings")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
