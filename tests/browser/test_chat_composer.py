"""The chat screen as a new user meets it (issue 12): a muted member is told so instead of
being offered a retry that cannot work, "Reply" puts the caret back in the input, a
"new messages" pill when reading further up, and a file card that downloads in one click."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import (
    bubble,
    bubble_menu,
    direct_chat,
    group_chat,
    open_conversation,
    post_text,
    send_text,
    sign_in,
)


def test_a_muted_member_is_told_until_when_and_the_composer_follows_mutes_live(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    group = group_chat(web_server, alice, "Quiet room", bob)
    bob_id = bob["user"]["id"]
    pa: Page = new_context().new_page()
    sign_in(pa, web_server.base_url, alice["user"]["account"])
    open_conversation(pa, "Quiet room")
    context_b = new_context()
    pb: Page = context_b.new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pb, "Quiet room")
    box = pb.get_by_test_id("composer-input")
    box.fill("half a thought")
    muted = pb.get_by_test_id("composer-muted")

    # Muted for an hour: the composer says so and until when; nothing to send with.
    web_server.api(alice["token"], "PUT", f"/groups/{group}/mutes/{bob_id}", json={"seconds": 3600})
    expect(muted).to_contain_text("You are muted in this group until")
    expect(box).to_have_count(0)
    expect(pb.get_by_test_id("send")).to_have_count(0)

    # Lifted: the composer is back, with what Bob had typed.
    web_server.api(alice["token"], "DELETE", f"/groups/{group}/mutes/{bob_id}")
    expect(muted).to_have_count(0)
    expect(box).to_have_value("half a thought")

    # Muted for ever: "by an admin"; lifted again.
    web_server.api(alice["token"], "PUT", f"/groups/{group}/mutes/{bob_id}", json={"seconds": None})
    expect(muted).to_have_text("You have been muted by an admin.")
    web_server.api(alice["token"], "DELETE", f"/groups/{group}/mutes/{bob_id}")
    expect(box).to_be_visible()

    # "Mute everyone": plain members are told; the owner still has a composer.
    web_server.api(alice["token"], "PATCH", f"/groups/{group}", json={"mute_all": True})
    expect(muted).to_have_text("Everyone is muted: only the owner and admins can send.")
    expect(pa.get_by_test_id("composer-input")).to_be_visible()
    # Also when the chat is opened afresh (from the group's info, not a live entry).
    pb.reload()
    expect(pb.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")
    open_conversation(pb, "Quiet room")
    expect(muted).to_contain_text("Everyone is muted")
    web_server.api(alice["token"], "PATCH", f"/groups/{group}", json={"mute_all": False})
    expect(muted).to_have_count(0)
    send_text(pb, "back again")
    expect(bubble(pa, "back again")).to_be_visible()


def test_a_send_refused_by_a_mute_shows_why_and_offers_no_retry(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    group = group_chat(web_server, alice, "Strict room", bob)
    context_b = new_context()
    pb: Page = context_b.new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pb, "Strict room")

    # Bob sends while offline; meanwhile he is muted; the send is refused on reconnect.
    context_b.set_offline(True)
    expect(pb.get_by_test_id("connection-banner")).to_be_visible()
    send_text(pb, "sorry I'm late")
    web_server.api(
        alice["token"], "PUT", f"/groups/{group}/mutes/{bob['user']['id']}", json={"seconds": 3600}
    )
    context_b.set_offline(False)
    message = bubble(pb, "sorry I'm late")
    expect(message).to_have_attribute("data-state", "failed")
    status = message.get_by_test_id("status")
    expect(status).to_have_attribute("data-failure", "final")
    expect(status).to_contain_text("You are muted in this group until")
    expect(pb.get_by_text("Failed to send — click to retry")).to_have_count(0)
    # The menu offers discarding it, not a retry.
    message.get_by_test_id("bubble").click(button="right")
    menu = pb.get_by_test_id("bubble-menu")
    expect(menu.get_by_role("menuitem", name="Discard")).to_be_visible()
    expect(menu.get_by_role("menuitem", name="Retry")).to_have_count(0)
    menu.get_by_role("menuitem", name="Discard").click()
    expect(message).to_have_count(0)


def test_reply_puts_the_caret_in_the_input_and_keeps_what_was_typed(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    post_text(web_server, alice, chat, "lunch at noon?")
    pb: Page = new_context().new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pb, "Alice Zhang")
    box = pb.get_by_test_id("composer-input")
    box.fill("sure, ")
    bubble(pb, "lunch at noon?").get_by_test_id("bubble").click()  # focus leaves the input
    bubble_menu(pb, "lunch at noon?", "Reply")
    expect(pb.get_by_test_id("reply-bar")).to_contain_text("lunch at noon?")
    expect(box).to_be_focused()
    pb.keyboard.type("see you there")
    expect(box).to_have_value("sure, see you there")
    pb.keyboard.press("Enter")
    reply = pb.get_by_test_id("message").filter(has_text="sure, see you there")
    expect(reply.get_by_test_id("quote")).to_contain_text("lunch at noon?")


def _in_view(page: Page, text: str) -> bool:
    if bubble(page, text).count() == 0:  # rows far from the viewport are not rendered
        return False
    visible: bool = bubble(page, text).evaluate(
        """(row) => {
            const scroller = document.querySelector('[data-testid=message-list]');
            const list = scroller.getBoundingClientRect();
            const box = row.getBoundingClientRect();
            return box.bottom > list.top && box.top < list.bottom;
        }"""
    )
    return visible


def test_new_messages_pill_while_scrolled_up(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    for index in range(1, 41):
        post_text(web_server, alice, chat, f"message {index}")
    pb: Page = new_context().new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pb, "Alice Zhang")
    expect(bubble(pb, "message 40")).to_be_visible()
    pill = pb.get_by_test_id("new-messages-pill")
    message_list = pb.get_by_test_id("message-list")

    # At the bottom a new message just shows: no pill.
    post_text(web_server, alice, chat, "at the bottom")
    expect(bubble(pb, "at the bottom")).to_be_visible()
    expect(pill).to_have_count(0)

    # Scrolled up: a new message brings the pill; the list stays where the user reads.
    message_list.evaluate("el => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); }")
    expect(bubble(pb, "message 1")).to_be_visible()
    post_text(web_server, alice, chat, "fresh news")
    expect(pill).to_have_text("New messages ↓")
    assert not _in_view(pb, "message 40")
    pill.click()
    expect(bubble(pb, "fresh news")).to_be_visible()
    assert _in_view(pb, "fresh news")
    expect(pill).to_have_count(0)

    # Scrolling down to the bottom by hand takes the pill away too.
    message_list.evaluate("el => { el.scrollTop = 0; }")
    expect(bubble(pb, "message 1")).to_be_visible()
    post_text(web_server, alice, chat, "more news")
    expect(pill).to_be_visible()
    message_list.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(pill).to_have_count(0)


def test_one_click_on_a_file_card_downloads_it(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    direct_chat(web_server, alice, bob)
    pa: Page = new_context().new_page()
    sign_in(pa, web_server.base_url, alice["user"]["account"])
    open_conversation(pa, "Bob Li")
    pa.get_by_test_id("file-input").set_input_files(
        files=[{"name": "minutes.txt", "mimeType": "text/plain", "buffer": b"decided: ship\n"}]
    )
    pa.get_by_test_id("send").click()
    pb: Page = new_context(accept_downloads=True).new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pb, "Alice Zhang")
    card = pb.locator("[data-testid=file-card][data-name='minutes.txt']")
    expect(card).to_be_visible()
    with pb.expect_download(timeout=10_000) as download_info:
        card.locator(".file-name").click()
    download = download_info.value
    assert download.suggested_filename == "minutes.txt"
    with open(download.path(), "rb") as saved:
        assert saved.read() == b"decided: ship\n"
    # The download button is one click too.
    with pb.expect_download(timeout=10_000) as again:
        card.get_by_role("link", name="Download").or_(
            card.get_by_role("button", name="Download")
        ).click()
    assert again.value.suggested_filename == "minutes.txt"
