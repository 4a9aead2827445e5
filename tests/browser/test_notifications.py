"""Alerts for new messages: toast, sound, system notification, flashing title (H1, H3)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import (
    bubble,
    direct_chat,
    open_conversation,
    post_text,
    sign_in,
)

# Count what the app asks of the browser: sounds played and system notifications shown. The
# permission starts undecided, as in a fresh browser, and becomes granted when asked.
STUBS = """
window.__sounds = 0;
window.__notifications = [];
HTMLMediaElement.prototype.play = function () { window.__sounds += 1; return Promise.resolve(); };
let permission = 'default';
window.Notification = class {
  constructor(title, options) { window.__notifications.push([title, (options || {}).body]); }
  close() {}
  static get permission() { return permission; }
  static requestPermission() { permission = 'granted'; return Promise.resolve(permission); }
};
"""


def sounds(page: Page) -> int:
    count: int = page.evaluate("window.__sounds")
    return count


def test_alerts_for_other_chats_and_none_for_the_one_on_screen(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    with_bob = direct_chat(web_server, alice, bob)
    with_carol = direct_chat(web_server, alice, carol)
    context = new_context()
    context.add_init_script(STUBS)
    page: Page = context.new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])

    # The browser is asked about system notifications only when the user says so.
    offer = page.get_by_test_id("notification-offer")
    expect(offer).to_be_visible()
    offer.get_by_role("button", name="Turn on").click()
    expect(offer).to_have_count(0)

    # The conversation on screen: the message shows, nothing else happens.
    open_conversation(page, "Bob Li")
    post_text(web_server, bob, with_bob, "in the open chat")
    expect(bubble(page, "in the open chat")).to_be_visible()
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("message-toast")).to_have_count(0)
    assert sounds(page) == 0

    # Another conversation: a toast in the default corner, and the sound.
    post_text(web_server, carol, with_carol, "from another chat")
    toast = page.get_by_test_id("message-toast")
    expect(toast).to_contain_text("Carol Wang")
    expect(toast).to_contain_text("from another chat")
    expect(page.get_by_test_id("message-toasts")).to_have_attribute("data-corner", "top-right")
    assert sounds(page) == 1
    assert page.evaluate("window.__notifications") == []
    # Clicking it opens that conversation.
    toast.get_by_role("button", name=re.compile("Carol Wang")).click()
    expect(page.get_by_test_id("chat-title")).to_have_text("Carol Wang")
    expect(toast).to_have_count(0)

    # The user picks another corner and turns the sound off.
    page.get_by_test_id("rail-settings").click()
    page.get_by_test_id("toast-corner").get_by_role("radio", name="Bottom left").click()
    page.get_by_test_id("sound").get_by_role("radio", name="Off").click()
    expect(
        page.get_by_test_id("system-notifications").get_by_role("radio", name="On")
    ).to_have_attribute("aria-checked", "true")
    post_text(web_server, bob, with_bob, "while in settings")
    expect(page.get_by_test_id("message-toasts")).to_have_attribute("data-corner", "bottom-left")
    expect(page.get_by_test_id("message-toast")).to_contain_text("while in settings")
    assert sounds(page) == 1

    # In the background: a system notification and a flashing title; focus stops the flashing.
    page.get_by_test_id("rail-chats").click()
    open_conversation(page, "Carol Wang")
    page.evaluate("window.dispatchEvent(new Event('blur'))")
    post_text(web_server, bob, with_bob, "while you were away")
    expect(page).to_have_title(re.compile(r"【New message】Bob Li"))
    assert page.evaluate("window.__notifications") == [["Bob Li", "while you were away"]]
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    # Two unread from Bob, the welcome notice and the notice of this browser's sign-in (a
    # device the account had not used: the user registered over REST).
    expect(page).to_have_title("(4) Tidings")
    page.wait_for_timeout(1200)
    expect(page).to_have_title("(4) Tidings")
