"""What a new user noticed in chats (issue 12): @all in the mention list, forwarded copies
marked, the list's preview after a delete or a recall, and system-entry wording and group
initials in English and Chinese."""

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
    open_conversation,
    post_text,
    send_text,
    sign_in,
)


def _messages(server: WebServer, user: dict[str, Any], conversation_id: int) -> list[Any]:
    found: list[Any] = server.api(
        user["token"], "GET", f"/conversations/{conversation_id}/messages"
    )["messages"]
    return found


def test_at_all_heads_the_mention_list_in_a_group_and_sends_mention_all(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    group = group_chat(web_server, alice, "Launch crew", bob)
    direct_chat(web_server, alice, bob)
    pa: Page = new_context().new_page()
    sign_in(pa, web_server.base_url, alice["user"]["account"])
    open_conversation(pa, "Launch crew")
    box = pa.get_by_test_id("composer-input")
    box.fill("@")
    picker = pa.get_by_test_id("mention-list")
    expect(picker.get_by_role("option").first).to_have_text("@all")
    expect(picker.get_by_test_id("mention-candidate")).to_have_text(["BLBob Li"])
    picker.get_by_test_id("mention-all").dispatch_event("mousedown")
    expect(box).to_have_value("@all ")
    box.press("End")
    box.type("standup now")
    box.press("Enter")
    expect(bubble(pa, "@all standup now")).to_be_visible()
    last = _messages(web_server, bob, group)[-1]
    assert last["body"] == {"text": "@all standup now", "mention_all": True}

    # A plain member may too (the server's rule: anyone in a group), in Chinese as "@所有人".
    pb: Page = new_context(locale="zh-CN").new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pb, "Launch crew")
    pb.get_by_test_id("composer-input").fill("@")
    expect(pb.get_by_test_id("mention-all")).to_have_text("@所有人")

    # Not in a direct chat: there is no one else to call.
    open_conversation(pa, "Bob Li")
    box.fill("@")
    expect(pa.get_by_test_id("mention-all")).to_have_count(0)


def test_forwarded_copies_are_marked_and_the_note_is_not(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    to_bob = direct_chat(web_server, alice, bob)
    group = group_chat(web_server, alice, "Launch crew", bob)
    seq = post_text(web_server, alice, to_bob, "Ship it on Friday")
    post_text(web_server, alice, group, "plain message")
    web_server.api(
        alice["token"],
        "POST",
        f"/conversations/{to_bob}/forward",
        json={"seqs": [seq], "target_ids": [group], "note": "FYI", "client_msg_id": "f-1"},
    )
    pb: Page = new_context().new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pb, "Launch crew")
    expect(bubble(pb, "FYI")).to_be_visible()
    expect(bubble(pb, "Ship it on Friday").get_by_test_id("forwarded-mark")).to_have_text(
        "↪ Forwarded"
    )
    expect(bubble(pb, "FYI").get_by_test_id("forwarded-mark")).to_have_count(0)
    expect(bubble(pb, "plain message").get_by_test_id("forwarded-mark")).to_have_count(0)
    # The original, in the chat it was sent in, is not a forward.
    open_conversation(pb, "Alice Zhang")
    expect(bubble(pb, "Ship it on Friday").get_by_test_id("forwarded-mark")).to_have_count(0)

    pz: Page = new_context(locale="zh-CN", color_scheme="dark").new_page()
    sign_in(pz, web_server.base_url, bob["user"]["account"])
    open_conversation(pz, "Launch crew")
    expect(bubble(pz, "Ship it on Friday").get_by_test_id("forwarded-mark")).to_have_text("↪ 转发")


def test_the_list_preview_skips_deleted_messages_and_says_who_recalled(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    post_text(web_server, bob, chat, "lunch at noon?")
    post_text(web_server, bob, chat, "embarrassing typo")
    pa: Page = new_context().new_page()
    sign_in(pa, web_server.base_url, alice["user"]["account"])
    preview = conversation_row(pa, "Bob Li").get_by_test_id("row-preview")
    expect(preview).to_have_text("embarrassing typo")
    open_conversation(pa, "Bob Li")
    bubble_menu(pa, "embarrassing typo", "Delete for me")
    expect(bubble(pa, "embarrassing typo")).to_have_count(0)
    expect(preview).to_have_text("lunch at noon?")
    # After a reload too: the server's summary skips what I deleted.
    pa.reload()
    expect(pa.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")
    expect(preview).to_have_text("lunch at noon?")
    # Bob deleted nothing: his preview is the newest message.
    assert web_server.api(bob["token"], "GET", f"/conversations/{chat}")["preview"]["body"] == {
        "text": "embarrassing typo"
    }

    pb: Page = new_context().new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pa, "Bob Li")
    send_text(pa, "wrong chat")
    bob_preview = conversation_row(pb, "Alice Zhang").get_by_test_id("row-preview")
    expect(bob_preview).to_have_text("wrong chat")
    bubble_menu(pa, "wrong chat", "Recall")
    expect(preview).to_have_text("You recalled a message")
    expect(bob_preview).to_have_text("Alice Zhang recalled a message")


def test_entries_about_me_read_well_and_group_initials_start_the_name(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    group = group_chat(web_server, alice, "讨论组", bob)
    bob_id = bob["user"]["id"]
    web_server.api(
        alice["token"], "PUT", f"/groups/{group}/admins/{bob_id}", json={"powers": ["mute"]}
    )
    web_server.api(alice["token"], "PUT", f"/groups/{group}/admins/{bob_id}", json={"powers": None})
    web_server.api(alice["token"], "PUT", f"/groups/{group}/mutes/{bob_id}", json={"seconds": 600})

    pb: Page = new_context().new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pb, "讨论组")
    notices = pb.get_by_test_id("chat-notice")
    expect(notices.get_by_text("You are now an admin", exact=True)).to_be_visible()
    expect(notices.get_by_text("You are no longer an admin", exact=True)).to_be_visible()
    expect(notices.get_by_text("You were muted", exact=True)).to_be_visible()
    expect(notices.get_by_text("You is", exact=False)).to_have_count(0)

    pz: Page = new_context(locale="zh-CN", color_scheme="dark").new_page()
    sign_in(pz, web_server.base_url, bob["user"]["account"])
    row = conversation_row(pz, "讨论组")
    expect(row.get_by_test_id("avatar")).to_have_text("讨论")
    open_conversation(pz, "讨论组")
    notices = pz.get_by_test_id("chat-notice")
    expect(notices.get_by_text("你被禁言", exact=True)).to_be_visible()
    expect(notices.get_by_text("你成为管理员", exact=True)).to_be_visible()
    # Alice's name runs into the verb, as Chinese is written.
    expect(notices.get_by_text("Alice Zhang创建了群聊“讨论组”", exact=True)).to_be_visible()
    # Alice's own view: Bob by name.
    pa: Page = new_context().new_page()
    sign_in(pa, web_server.base_url, alice["user"]["account"])
    open_conversation(pa, "讨论组")
    expect(
        pa.get_by_test_id("chat-notice").get_by_text("Bob Li was muted", exact=True)
    ).to_be_visible()
