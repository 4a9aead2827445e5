"""The group info panel: members and roles, who has read, governance acts, leaving."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import (
    bubble,
    bubble_menu,
    conversation_row,
    group_chat,
    open_conversation,
    post_text,
    send_text,
    sign_in,
)


def member(page: Page, name: str) -> Any:
    return page.get_by_test_id("group-info").locator(f"[data-testid=member][data-name='{name}']")


def member_menu(page: Page, name: str, item: str) -> None:
    member(page, name).click()
    page.get_by_test_id("member-menu").get_by_role("menuitem", name=item).click()


def test_group_info_roles_readers_governance_and_leaving(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    dave = web_server.register(unique("dave"), "Dave Chen")
    group = group_chat(web_server, alice, "Design team", bob, carol, dave)
    pa: Page = new_context().new_page()
    sign_in(pa, web_server.base_url, alice["user"]["account"])
    open_conversation(pa, "Design team")
    send_text(pa, "Mock-ups are ready")

    # Bob reads it: Alice's bubble counts the others, and lists who has read it.
    expect(bubble(pa, "Mock-ups are ready")).to_have_attribute("data-seq", re.compile(r"^\d+$"))
    seq = int(bubble(pa, "Mock-ups are ready").get_attribute("data-seq") or 0)
    web_server.api(bob["token"], "POST", f"/conversations/{group}/read", json={"seq": seq})
    status = bubble(pa, "Mock-ups are ready").get_by_test_id("status")
    expect(status).to_have_text("2 unread")
    status.click()
    readers = pa.get_by_test_id("readers")
    expect(readers.get_by_test_id("read-by")).to_contain_text("Bob Li")
    expect(readers.get_by_test_id("unread-by")).to_contain_text("Carol Wang")
    expect(readers.get_by_test_id("unread-by")).to_contain_text("Dave Chen")
    pa.keyboard.press("Escape")

    # The panel: members with roles; the owner may do everything.
    pa.get_by_test_id("group-info-button").click()
    panel = pa.get_by_test_id("group-info")
    expect(panel.get_by_test_id("group-number")).to_have_text(f"Group ID {group + 100000}")
    expect(member(pa, "Alice Zhang")).to_have_attribute("data-role", "owner")
    expect(member(pa, "Bob Li")).to_have_attribute("data-role", "member")
    expect(panel.get_by_test_id("disband-group")).to_be_visible()
    expect(panel.get_by_test_id("leave-group")).to_have_count(0)

    member_menu(pa, "Bob Li", "Make admin")
    expect(member(pa, "Bob Li")).to_have_attribute("data-role", "admin")
    expect(pa.get_by_test_id("chat-notice").get_by_text("Bob Li is now an admin")).to_be_visible()

    member_menu(pa, "Carol Wang", "Mute…")
    pa.get_by_test_id("member-menu").get_by_role("menuitem", name="10 minutes").click()
    expect(member(pa, "Carol Wang")).to_contain_text("Muted")
    refused = web_server.http.post(
        f"{web_server.base_url}/api/v1/conversations/{group}/messages",
        headers={"Authorization": f"Bearer {carol['token']}"},
        json={"client_msg_id": "c-muted", "type": "text", "body": {"text": "can I talk?"}},
    )
    assert refused.json()["error"]["code"] == "muted"

    panel.get_by_test_id("group-name-edit").click()
    panel.get_by_test_id("group-name-input").fill("Design crew")
    panel.get_by_test_id("group-name-save").click()
    expect(pa.get_by_test_id("chat-title")).to_have_text("Design crew")

    panel.get_by_test_id("announcement-input").fill("Review on Thursday at 3pm")
    panel.get_by_role("button", name="Post").click()
    expect(panel.get_by_test_id("announcement")).to_contain_text("Review on Thursday at 3pm")

    # The owner's powers in the chat: mark a message important (the board), recall anyone's.
    bubble_menu(pa, "Mock-ups are ready", "Mark as important")
    expect(panel.get_by_test_id("board-item")).to_contain_text("Mock-ups are ready")
    post_text(web_server, bob, group, "a typo from Bob")
    expect(bubble(pa, "a typo from Bob")).to_be_visible()
    bubble_menu(pa, "a typo from Bob", "Recall")
    expect(bubble(pa, "a typo from Bob")).to_have_count(0)

    member_menu(pa, "Dave Chen", "Remove from group")
    pa.get_by_test_id("confirm-ok").click()
    expect(member(pa, "Dave Chen")).to_have_count(0)
    expect(pa.get_by_test_id("chat-notice").get_by_text("Dave Chen was removed")).to_be_visible()

    # Bob, now an admin, sees the management he may do, not the owner's; then leaves.
    pb: Page = new_context().new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pb, "Design crew")
    pb.get_by_test_id("group-info-button").click()
    bob_panel = pb.get_by_test_id("group-info")
    expect(bob_panel.get_by_test_id("mute-all")).to_be_visible()
    expect(bob_panel.get_by_test_id("forbid-private-chat")).to_have_count(0)
    expect(bob_panel.get_by_test_id("disband-group")).to_have_count(0)
    bob_panel.get_by_test_id("leave-group").click()
    pb.get_by_test_id("confirm-ok").click()
    expect(conversation_row(pb, "Design crew")).to_have_count(0)
    expect(member(pa, "Bob Li")).to_have_count(0)
