"""Multi-select, merged forwards (chat records), favourites and clearing a chat's history, in
real Chromium against a real server (decisions 0035-0037)."""

from __future__ import annotations

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
    sign_in,
)
from tests.support.files import jpeg


def pick(page: Page, text: str) -> None:
    page.get_by_test_id("selectable-row").filter(
        has=page.get_by_test_id("bubble-text").get_by_text(text, exact=True)
    ).click()


def test_merged_forward_opens_the_originals_for_someone_outside_the_chat(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    chat = direct_chat(web_server, alice, bob)
    group_chat(web_server, alice, "Planning", carol)
    post_text(web_server, alice, chat, "Budget is 40k")
    post_text(web_server, bob, chat, "Agreed, ship Friday")
    picture = web_server.upload(bob["token"], jpeg(120, 80), "plan.jpg", "image/jpeg")
    web_server.api(
        bob["token"],
        "POST",
        f"/conversations/{chat}/messages",
        json={
            "client_msg_id": unique("img"),
            "type": "image",
            "body": {"file_id": picture, "width": 120, "height": 80},
        },
    )
    post_text(web_server, alice, chat, "Not this one")

    pa: Page = new_context().new_page()
    sign_in(pa, web_server.base_url, alice["user"]["account"])
    open_conversation(pa, "Bob Li")
    bubble_menu(pa, "Budget is 40k", "Select")
    expect(pa.get_by_test_id("selection-bar")).to_be_visible()
    expect(pa.get_by_test_id("composer")).to_have_count(0)
    expect(pa.get_by_test_id("selection-count")).to_have_text("1 selected")
    pick(pa, "Agreed, ship Friday")
    pa.get_by_test_id("selectable-row").filter(has=pa.get_by_test_id("image-media")).click()
    expect(pa.get_by_test_id("selection-count")).to_have_text("3 selected")
    pa.get_by_test_id("select-forward-merged").click()
    dialog = pa.get_by_test_id("forward-dialog")
    expect(dialog).to_contain_text("[Chat history] Chat history of Alice Zhang and Bob Li")
    dialog.get_by_test_id("forward-tab-groups").click()
    dialog.locator("[data-testid=forward-target][data-title='Planning']").click()
    dialog.get_by_test_id("forward-send").click()
    expect(pa.get_by_test_id("flash")).to_have_text("Forwarded to 1 chats")
    # Forwarding leaves multi-select.
    expect(pa.get_by_test_id("selection-bar")).to_have_count(0)
    expect(pa.get_by_test_id("composer")).to_be_visible()

    # Carol, who is not in Alice and Bob's chat, opens the record and reads the originals.
    pc: Page = new_context().new_page()
    sign_in(pc, web_server.base_url, carol["user"]["account"])
    expect(conversation_row(pc, "Planning")).to_contain_text(
        "[Chat history] Chat history of Alice Zhang and Bob Li"
    )
    open_conversation(pc, "Planning")
    card = pc.get_by_test_id("record-card")
    expect(card.get_by_test_id("record-title")).to_have_text(
        "Chat history of Alice Zhang and Bob Li"
    )
    expect(card.get_by_test_id("record-line")).to_have_text(
        ["Alice Zhang: Budget is 40k", "Bob Li: Agreed, ship Friday", "Bob Li: [Image]"]
    )
    card.click()
    viewer = pc.get_by_test_id("record-viewer")
    expect(viewer.get_by_test_id("record-message")).to_have_count(3)
    # The picture inside loads for Carol: the record lets her read its files.
    expect(viewer.get_by_test_id("image-media")).to_have_attribute("data-state", "server")
    expect(viewer.get_by_test_id("record-text")).to_have_text(
        ["Budget is 40k", "Agreed, ship Friday"]
    )
    expect(viewer.get_by_test_id("record-message").nth(1)).to_have_attribute(
        "data-sender", "Bob Li"
    )
    viewer.get_by_test_id("image-media").click()
    expect(pc.get_by_test_id("viewer-image")).to_be_visible()
    pc.keyboard.press("Escape")
    expect(viewer).to_have_count(0)


def test_multi_select_delete_and_favourite_then_the_favourites_page(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    for text in ("first note", "second note", "third note", "keep me"):
        post_text(web_server, bob, chat, text)
    pa: Page = new_context().new_page()
    sign_in(pa, web_server.base_url, alice["user"]["account"])
    open_conversation(pa, "Bob Li")

    # Delete two for me, after confirming.
    bubble_menu(pa, "first note", "Select")
    pick(pa, "second note")
    pa.get_by_test_id("select-delete").click()
    pa.get_by_test_id("confirm").get_by_test_id("confirm-ok").click()
    expect(pa.get_by_test_id("selection-bar")).to_have_count(0)
    expect(bubble(pa, "first note")).to_have_count(0)
    expect(bubble(pa, "second note")).to_have_count(0)
    assert bubble_texts(pa) == ["third note", "keep me"]

    # Favourite one from multi-select, one from the menu.
    pa.get_by_test_id("chat-more").click()
    pa.get_by_test_id("chat-more-select").click()
    pick(pa, "third note")
    pa.get_by_test_id("select-favorite").click()
    expect(pa.get_by_test_id("toast")).to_have_text("Saved 1 to favourites")
    bubble(pa, "keep me").get_by_test_id("bubble").click(button="right")
    pa.get_by_test_id("bubble-menu").get_by_test_id("menu-favorite").click()
    expect(pa.get_by_test_id("flash")).to_have_text("Saved to favourites")
    saved = web_server.api(alice["token"], "GET", "/favorites")["favorites"]
    assert [f["body"]["text"] for f in saved] == ["keep me", "third note"]

    # The favourites page: both, newest first; search; filter; remove.
    pa.get_by_test_id("rail-favorites").click()
    page = pa.get_by_test_id("favorites-page")
    expect(page.get_by_test_id("favorite-text")).to_have_text(["keep me", "third note"])
    page.get_by_test_id("favorites-search").fill("third")
    expect(page.get_by_test_id("favorite-text")).to_have_text(["third note"])
    page.get_by_test_id("favorites-search").fill("")
    page.get_by_test_id("favorites-filter-file").click()
    expect(page.get_by_test_id("favorite-item")).to_have_count(0)
    page.get_by_test_id("favorites-filter-all").click()
    expect(page.get_by_test_id("favorite-item")).to_have_count(2)
    # Opening one shows it as it was.
    page.get_by_test_id("favorite-text").first.click()
    expect(pa.get_by_test_id("record-viewer").get_by_test_id("record-text")).to_have_text("keep me")
    pa.keyboard.press("Escape")
    # Removed on another device: this page follows.
    web_server.api(alice["token"], "DELETE", f"/favorites/{saved[0]['id']}")
    expect(page.get_by_test_id("favorite-text")).to_have_text(["third note"])
    page.get_by_test_id("favorite-remove").click()
    expect(page.get_by_test_id("favorite-item")).to_have_count(0)


def test_clear_history_asks_first_and_clears_on_every_device(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    post_text(web_server, bob, chat, "old news")
    # On a phone (one web session per user: the other device is an API client).
    phone: Page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    sign_in(phone, web_server.base_url, alice["user"]["account"])
    open_conversation(phone, "Bob Li")
    expect(bubble(phone, "old news")).to_be_visible()

    phone.get_by_test_id("chat-more").click()
    phone.get_by_test_id("clear-history").click()
    confirm = phone.get_by_test_id("clear-confirm")
    expect(confirm).to_contain_text('Clear the chat history of "Bob Li"?')
    confirm.get_by_test_id("clear-cancel").click()
    expect(bubble(phone, "old news")).to_be_visible()
    phone.get_by_test_id("chat-more").click()
    phone.get_by_test_id("clear-history").click()
    phone.get_by_test_id("clear-ok").click()
    expect(phone.get_by_test_id("flash")).to_have_text("Chat history cleared")
    expect(bubble(phone, "old news")).to_have_count(0)
    assert (
        web_server.api(alice["token"], "GET", f"/conversations/{chat}/messages")["messages"] == []
    )

    # Cleared on another device: the open chat and the list's preview follow at once.
    post_text(web_server, bob, chat, "newer news")
    expect(bubble(phone, "newer news")).to_be_visible()
    web_server.api(alice["token"], "POST", f"/conversations/{chat}/clear")
    expect(bubble(phone, "newer news")).to_have_count(0)
    phone.get_by_test_id("back").click()
    expect(conversation_row(phone, "Bob Li")).not_to_contain_text("newer news")
    # Bob keeps his.
    pb: Page = new_context().new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pb, "Alice Zhang")
    expect(bubble(pb, "old news")).to_be_visible()


def test_multi_select_on_a_phone(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    post_text(web_server, bob, chat, "tap me")
    post_text(web_server, bob, chat, "and me")
    phone: Page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    sign_in(phone, web_server.base_url, alice["user"]["account"])
    open_conversation(phone, "Bob Li")
    phone.get_by_test_id("chat-more").click()
    phone.get_by_test_id("chat-more-select").click()
    pick(phone, "tap me")
    pick(phone, "and me")
    bar = phone.get_by_test_id("selection-bar")
    expect(bar.get_by_test_id("selection-count")).to_have_text("2 selected")
    box = bar.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    bar.get_by_test_id("select-cancel").click()
    expect(bar).to_have_count(0)
    expect(phone.get_by_test_id("composer")).to_be_visible()
