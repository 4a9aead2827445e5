"""Chat and list details a WeChat Work / QQ user expects, not covered elsewhere: presence
and the typing indicator, reply with a quote, @mentions, Copy and Delete in the bubble menu,
drafts, pinned and muted conversations, the system notices conversation, wallpapers."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import (
    bubble,
    bubble_menu,
    conversation_row,
    direct_chat,
    group_chat,
    newest_stored,
    open_conversation,
    send_text,
    sign_in,
)


def test_presence_typing_mentions_copy_and_delete(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    direct = direct_chat(web_server, alice, bob)
    group = group_chat(web_server, alice, "Mention crew", bob)
    context_a = new_context(permissions=["clipboard-read", "clipboard-write"])
    pa: Page = context_a.new_page()
    sign_in(pa, web_server.base_url, alice["user"]["account"])
    context_b = new_context()
    pb: Page = context_b.new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])

    # Presence, then Bob typing: Alice's chat header says so.
    open_conversation(pa, "Bob Li")
    subtitle = pa.get_by_test_id("chat-subtitle")
    expect(subtitle).to_have_text("Online")
    open_conversation(pb, "Alice Zhang")
    pb.get_by_test_id("composer-input").press_sequentially("hel")
    expect(subtitle).to_have_text("Bob Li is typing…")
    expect(subtitle).to_have_class("chat-subtitle typing")

    # Copy and Delete for me from the bubble menu.
    send_text(pa, "copy me please")
    expect(bubble(pb, "copy me please")).to_be_visible()
    bubble_menu(pa, "copy me please", "Copy")
    assert pa.evaluate("navigator.clipboard.readText()") == "copy me please"
    bubble_menu(pa, "copy me please", "Delete for me")
    expect(bubble(pa, "copy me please")).to_have_count(0)
    expect(bubble(pb, "copy me please")).to_be_visible()

    # Reply: Bob quotes Alice's message; both see the quote on his bubble.
    send_text(pa, "lunch at noon?")
    bubble_menu(pb, "lunch at noon?", "Reply")
    expect(pb.get_by_test_id("reply-bar")).to_contain_text("lunch at noon?")
    send_text(pb, "yes, see you there")
    for page in (pa, pb):
        reply = page.get_by_test_id("message").filter(has_text="yes, see you there")
        expect(reply.get_by_test_id("quote")).to_contain_text("lunch at noon?")
    expect(pb.get_by_test_id("reply-bar")).to_have_count(0)
    sent = web_server.api(bob["token"], "GET", f"/conversations/{direct}/messages")["messages"]
    original = next(m for m in sent if m["body"].get("text") == "lunch at noon?")
    assert sent[-1]["reply_to_seq"] == original["seq"]

    # @mention in the group: picked from the list, sent with the mention, Bob's row says so.
    open_conversation(pb, "Alice Zhang")
    open_conversation(pa, "Mention crew")
    pa.get_by_test_id("composer-input").press_sequentially("@Bo")
    pa.get_by_test_id("mention-list").get_by_role("option", name="Bob Li").click()
    pa.get_by_test_id("composer-input").press_sequentially("look at this")
    pa.get_by_test_id("composer-input").press("Enter")
    expect(bubble(pa, "@Bob Li look at this")).to_be_visible()
    last = newest_stored(web_server, bob, group, lambda m: "mentions" in m["body"])
    assert last["body"]["mentions"] == [bob["user"]["id"]]
    expect(conversation_row(pb, "Mention crew")).to_contain_text("[You were mentioned]")

    # Bob goes away: Alice sees him offline.
    context_b.close()
    open_conversation(pa, "Bob Li")
    expect(subtitle).to_have_text("Offline", timeout=15_000)


def test_drafts_pinned_muted_system_notices_and_wallpaper(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    direct_chat(web_server, alice, bob)
    with_carol = direct_chat(web_server, alice, carol)
    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])

    # A draft left in one chat shows in the list, and is there again on return.
    open_conversation(page, "Bob Li")
    page.get_by_test_id("composer-input").fill("half a thought")
    open_conversation(page, "Carol Wang")
    expect(conversation_row(page, "Bob Li")).to_contain_text("[Draft] half a thought")
    open_conversation(page, "Bob Li")
    expect(page.get_by_test_id("composer-input")).to_have_value("half a thought")
    page.get_by_test_id("composer-input").fill("")

    # Pin Carol's chat to the top, and mute it.
    conversation_row(page, "Carol Wang").click(button="right")
    page.get_by_test_id("conversation-menu").get_by_role("menuitem", name="Pin to top").click()
    expect(conversation_row(page, "Carol Wang")).to_have_class("conversation-row pinned")
    expect(page.get_by_test_id("conversation-row").first).to_have_attribute(
        "data-title", "Carol Wang"
    )
    conversation_row(page, "Carol Wang").click(button="right")
    page.get_by_test_id("conversation-menu").get_by_role(
        "menuitem", name="Mute notifications"
    ).click()
    expect(conversation_row(page, "Carol Wang").locator(".row-muted")).to_be_visible()
    summary = web_server.api(alice["token"], "GET", f"/conversations/{with_carol}")
    assert summary["pinned"] is True and summary["muted"] is True

    # System notices: a conversation of its own; clicked, it shows the notice cards.
    conversation_row(page, "System notices").click()
    expect(page.get_by_test_id("chat-title")).to_have_text("System notices")
    expect(page.locator(".notice-card").first).to_contain_text("Welcome to Tidings")

    # A wallpaper for the chat background.
    page.get_by_test_id("rail-settings").click()
    swatches = page.get_by_test_id("wallpapers").get_by_role("button")
    expect(page.locator("html")).to_have_attribute("data-wallpaper", "none")
    swatches.nth(1).click()
    expect(page.locator("html")).not_to_have_attribute("data-wallpaper", "none")
    expect(swatches.nth(1)).to_have_attribute("aria-pressed", "true")
