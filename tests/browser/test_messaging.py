"""Two people chatting in two browsers: text and emoji, receipts, recall, forward, offline."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import (
    bubble,
    bubble_menu,
    bubble_texts,
    conversation_row,
    direct_chat,
    group_chat,
    open_conversation,
    post_text,
    send_text,
    sign_in,
)


def test_text_and_emoji_with_delivered_and_read(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    pa: Page = new_context().new_page()
    pb: Page = new_context().new_page()
    sign_in(pa, web_server.base_url, alice["user"]["account"])
    sign_in(pb, web_server.base_url, bob["user"]["account"])

    # Alice starts the chat from the UI, finding Bob by his account.
    pa.get_by_test_id("new-chat").click()
    pa.get_by_test_id("people-search").fill(bob["user"]["account"])
    pa.locator("[data-testid=person][data-name='Bob Li']").click()
    expect(pa.locator("[data-testid=person][data-name='Bob Li'] input")).to_be_checked()
    pa.get_by_test_id("start-chat").click()
    expect(pa.get_by_test_id("chat-title")).to_have_text("Bob Li")

    send_text(pa, "Hello Bob")
    # Bob is online but has not opened the chat: delivered, not read.
    expect(bubble(pa, "Hello Bob")).to_have_attribute("data-state", "delivered")

    # An emoji from the picker, which then shows it under "recently used".
    pa.get_by_test_id("emoji-button").click()
    pa.get_by_test_id("emoji-picker").get_by_role("button", name="🎉").first.click()
    pa.get_by_test_id("composer-input").press("End")
    pa.get_by_test_id("composer-input").type(" done")
    pa.get_by_test_id("composer-input").press("Enter")
    expect(bubble(pa, "🎉 done")).to_be_visible()
    pa.get_by_test_id("emoji-button").click()
    expect(pa.get_by_test_id("recent-emoji").get_by_role("button", name="🎉")).to_be_visible()
    pa.keyboard.press("Escape")

    row = conversation_row(pb, "Alice Zhang")
    expect(row.get_by_test_id("unread-badge")).to_have_text("2")
    open_conversation(pb, "Alice Zhang")
    expect(bubble(pb, "Hello Bob")).to_be_visible()
    expect(bubble(pb, "🎉 done")).to_be_visible()
    expect(row.get_by_test_id("unread-badge")).to_have_count(0)

    # Bob has read both: Alice sees it without reloading.
    expect(bubble(pa, "Hello Bob")).to_have_attribute("data-state", "read")
    expect(bubble(pa, "🎉 done")).to_have_attribute("data-state", "read")

    # Shift+Enter is a new line; Enter sends.
    box = pb.get_by_test_id("composer-input")
    box.fill("Hi Alice")
    box.press("Shift+Enter")
    box.type("second line 👋")
    box.press("Enter")
    expect(bubble(pa, "Hi Alice\nsecond line 👋")).to_be_visible()


def test_recall_shows_a_notice_to_both(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    direct_chat(web_server, alice, bob)
    pa: Page = new_context().new_page()
    pb: Page = new_context().new_page()
    sign_in(pa, web_server.base_url, alice["user"]["account"])
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pa, "Bob Li")
    open_conversation(pb, "Alice Zhang")

    send_text(pa, "the secret plan")
    expect(bubble(pb, "the secret plan")).to_be_visible()
    bubble_menu(pa, "the secret plan", "Recall")

    expect(
        pb.get_by_test_id("chat-notice").get_by_text("Alice Zhang recalled a message")
    ).to_be_visible()
    expect(bubble(pb, "the secret plan")).to_have_count(0)
    expect(pa.get_by_test_id("chat-notice").get_by_text("You recalled a message")).to_be_visible()
    expect(bubble(pa, "the secret plan")).to_have_count(0)
    # Someone else's message offers no recall.
    send_text(pb, "mine, not yours")
    bubble(pa, "mine, not yours").get_by_test_id("bubble").click(button="right")
    menu = pa.get_by_test_id("bubble-menu")
    expect(menu.get_by_role("menuitem", name="Reply")).to_be_visible()
    expect(menu.get_by_role("menuitem", name="Recall")).to_have_count(0)


def test_forward_to_a_chat_a_friend_without_one_and_a_group_with_a_note(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    dave = web_server.register(unique("dave"), "Dave Wu")
    direct_chat(web_server, alice, bob)
    to_carol = direct_chat(web_server, alice, carol)
    # Dave is Alice's friend, but they have never chatted.
    asked = web_server.api(
        alice["token"], "POST", "/friend-requests", json={"user_id": dave["user"]["id"]}
    )
    web_server.api(dave["token"], "POST", f"/friend-requests/{asked['request_id']}/accept")
    group_chat(web_server, alice, "Launch crew", bob, carol)
    pa: Page = new_context().new_page()
    sign_in(pa, web_server.base_url, alice["user"]["account"])
    expect(conversation_row(pa, "Dave Wu")).to_have_count(0)
    open_conversation(pa, "Bob Li")
    send_text(pa, "Ship it on Friday")

    bubble_menu(pa, "Ship it on Friday", "Forward")
    dialog = pa.get_by_test_id("forward-dialog")
    expect(dialog.get_by_test_id("forward-preview-text")).to_have_text("Ship it on Friday")
    expect(dialog.get_by_test_id("forward-preview")).to_contain_text("Alice Zhang")
    target = "[data-testid=forward-target][data-title='{}']"
    # Recent chats hold no Dave; the friends list does.
    expect(dialog.locator(target.format("Dave Wu"))).to_have_count(0)
    dialog.get_by_test_id("forward-tab-friends").click()
    dialog.locator(target.format("Dave Wu")).click()
    dialog.get_by_test_id("forward-tab-groups").click()
    expect(dialog.locator(target.format("Bob Li"))).to_have_count(0)
    dialog.locator(target.format("Launch crew")).click()
    # A search looks through chats, friends and groups at once.
    dialog.get_by_test_id("forward-search").fill("carol")
    expect(dialog.get_by_test_id("forward-target")).to_have_count(1)
    dialog.locator(target.format("Carol Wang")).click()
    expect(dialog.get_by_test_id("forward-selected")).to_contain_text("Dave Wu")
    expect(dialog.get_by_test_id("forward-selected")).to_contain_text("Launch crew")
    dialog.get_by_test_id("forward-note").fill("FYI")
    dialog.get_by_test_id("forward-send").click()
    expect(pa.get_by_test_id("flash")).to_have_text("Forwarded to 3 chats")
    expect(dialog).to_have_count(0)
    # The chat with Dave was opened for it, and shows in the list.
    expect(conversation_row(pa, "Dave Wu")).to_be_visible()

    # Bob sees the copy and the note in the group, in that order.
    pb: Page = new_context().new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pb, "Launch crew")
    expect(bubble(pb, "FYI")).to_be_visible()
    texts = bubble_texts(pb)
    assert texts[-2:] == ["Ship it on Friday", "FYI"]
    # Dave too, in his new chat with Alice.
    pd: Page = new_context().new_page()
    sign_in(pd, web_server.base_url, dave["user"]["account"])
    open_conversation(pd, "Alice Zhang")
    expect(bubble(pd, "FYI")).to_be_visible()
    assert bubble_texts(pd)[-2:] == ["Ship it on Friday", "FYI"]
    # Carol's direct chat has them too (read through the REST API).
    history = web_server.api(carol["token"], "GET", f"/conversations/{to_carol}/messages")
    assert [m["body"].get("text") for m in history["messages"]] == ["Ship it on Friday", "FYI"]
    # The chat with Bob did not get a copy.
    open_conversation(pa, "Bob Li")
    assert bubble_texts(pa).count("Ship it on Friday") == 1


def test_offline_then_reconnect_shows_missed_messages_once_in_order(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    post_text(web_server, alice, chat, "before")
    context = new_context()
    pb: Page = context.new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pb, "Alice Zhang")
    expect(bubble(pb, "before")).to_be_visible()

    context.set_offline(True)
    expect(pb.get_by_test_id("connection-banner")).to_be_visible()
    for text in ("one", "two", "three"):
        post_text(web_server, alice, chat, text)
    pb.wait_for_timeout(300)
    assert "one" not in bubble_texts(pb)

    context.set_offline(False)
    expect(bubble(pb, "three")).to_be_visible()
    expect(pb.get_by_test_id("connection-banner")).to_have_count(0)
    assert bubble_texts(pb) == ["before", "one", "two", "three"]
    # A live message after the reconnect lands after them, once.
    post_text(web_server, alice, chat, "four")
    expect(bubble(pb, "four")).to_be_visible()
    assert bubble_texts(pb) == ["before", "one", "two", "three", "four"]


def test_sending_while_offline_goes_out_after_reconnect(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    context = new_context()
    pa: Page = context.new_page()
    sign_in(pa, web_server.base_url, alice["user"]["account"])
    open_conversation(pa, "Bob Li")
    context.set_offline(True)
    expect(pa.get_by_test_id("connection-banner")).to_be_visible()
    send_text(pa, "queued while offline")
    expect(bubble(pa, "queued while offline")).to_have_attribute("data-state", "sending")
    context.set_offline(False)
    expect(bubble(pa, "queued while offline")).to_have_attribute("data-state", "sent")
    history = web_server.api(bob["token"], "GET", f"/conversations/{chat}/messages")
    assert [m["body"]["text"] for m in history["messages"]] == ["queued while offline"]


def test_scrolling_up_loads_older_history(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    for index in range(1, 121):
        post_text(web_server, alice, chat, f"message {index}")
    pb: Page = new_context().new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pb, "Alice Zhang")
    expect(bubble(pb, "message 120")).to_be_visible()
    # Only a window of rows is in the DOM, not all 120.
    assert pb.get_by_test_id("message").count() < 60
    message_list = pb.get_by_test_id("message-list")
    # Page by page to the first message; a loaded machine gets time, a stalled list does not
    # (each try scrolls to the top again, as a user does).
    deadline = time.monotonic() + 30
    while bubble(pb, "message 1").count() == 0 and time.monotonic() < deadline:
        message_list.evaluate("el => { el.scrollTop = 0; }")
        pb.wait_for_timeout(150)
    expect(bubble(pb, "message 1")).to_be_visible()
    expect(pb.get_by_text("This is the beginning of the conversation")).to_be_visible()
