"""Opening an invite link (the link inside invite QR codes) and accepting it after sign-in;
a file sent to expire after some days with the expiry on its card; "Add to favourites" from a
message's menu; a group's emoji avatar in the conversation list (B5, E12, F3, E1)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, WebServer, unique
from tests.browser.pages import (
    conversation_row,
    direct_chat,
    group_chat,
    newest_stored,
    open_conversation,
    sign_in,
)

DAY_MS = 86_400_000


def test_invite_links_open_the_app_and_are_accepted_after_sign_in(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    group_id = group_chat(web_server, alice, "Launch crew", carol)
    web_server.api(alice["token"], "PATCH", f"/groups/{group_id}", json={"avatar": "emoji:🚀"})
    group_code = web_server.api(
        alice["token"], "POST", "/invites", json={"kind": "group", "conversation_id": group_id}
    )["code"]

    # Bob scans the group's QR code: the app opens at the link and asks him to sign in.
    page: Page = new_context().new_page()
    page.goto(f"{web_server.base_url}/invite/{group_code}")
    expect(page.get_by_test_id("invite-sign-in-hint")).to_be_visible()
    page.fill("input[name=account]", bob["user"]["account"])
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=sign-in] button[type=submit]")
    dialog = page.get_by_test_id("accept-invite-dialog")
    expect(dialog.get_by_test_id("invite-name")).to_have_text(
        "You are invited to join the group Launch crew"
    )
    expect(dialog).to_contain_text("2 members")
    dialog.get_by_test_id("invite-accept-link").click()
    expect(dialog.get_by_test_id("invite-result")).to_have_text("Joined")
    dialog.get_by_test_id("invite-open-chat").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("chat-title")).to_have_text("Launch crew")
    # The address is the app's again: a reload does not offer the invite twice.
    assert page.url.rstrip("/") == web_server.base_url
    # The group's avatar shows in the list (its emoji, not its initials).
    expect(conversation_row(page, "Launch crew").locator(".avatar-emoji")).to_have_text("🚀")
    members = web_server.api(alice["token"], "GET", f"/groups/{group_id}/members")["members"]
    assert bob["user"]["id"] in [m["user_id"] for m in members]

    # Carol, signed in already, opens Alice's friend link: offered at once.
    friend_code = web_server.api(alice["token"], "POST", "/invites", json={"kind": "friend"})[
        "code"
    ]
    pc: Page = new_context().new_page()
    sign_in(pc, web_server.base_url, carol["user"]["account"], remember=True)
    pc.goto(f"{web_server.base_url}/invite/{friend_code}")
    dialog = pc.get_by_test_id("accept-invite-dialog")
    expect(dialog.get_by_test_id("invite-name")).to_have_text(
        "Alice Zhang invites you to be friends"
    )
    dialog.get_by_test_id("invite-accept-link").click()
    expect(dialog.get_by_test_id("invite-result")).to_have_text("You are now friends")
    dialog.get_by_test_id("invite-open-chat").click()
    expect(pc.get_by_test_id("chat-title")).to_have_text("Alice Zhang")
    friends = web_server.api(carol["token"], "GET", "/friends")["friends"]
    assert alice["user"]["id"] in [f["user_id"] for f in friends]

    # A link revoked (or made up) says so instead of failing silently.
    web_server.api(alice["token"], "DELETE", f"/invites/{friend_code}")
    pc.goto(f"{web_server.base_url}/invite/{friend_code}")
    dialog = pc.get_by_test_id("accept-invite-dialog")
    expect(dialog).to_contain_text("This invite is unknown, expired or revoked.")
    expect(dialog.get_by_test_id("invite-accept-link")).to_have_count(0)


def test_a_file_sent_to_expire_and_saved_to_favourites_from_its_menu(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    open_conversation(page, "Bob Li")

    page.get_by_test_id("file-input").set_input_files(
        {"name": "minutes.txt", "mimeType": "text/plain", "buffer": b"short-lived notes\n"}
    )
    expiry = page.get_by_test_id("attachment-expiry")
    expect(expiry).to_have_value("")
    expiry.select_option("3")
    page.get_by_test_id("send").click()
    card = page.locator("[data-testid=file-card][data-name='minutes.txt']")
    expect(card.get_by_test_id("file-download-prepare")).to_be_visible()
    expect(card.get_by_test_id("file-expiry")).to_contain_text("Expires")
    sent = newest_stored(web_server, alice, chat, lambda m: m["body"].get("name") == "minutes.txt")
    file_id = sent["body"]["file_id"]
    info = web_server.api(alice["token"], "GET", f"/files/{file_id}")
    assert info["expires_at"] - info["completed_at"] == 3 * DAY_MS
    assert sent["body"]["expires_at"] == info["expires_at"]

    # Bob saves it to his favourites from the message's menu.
    pb: Page = new_context().new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pb, "Alice Zhang")
    theirs = pb.locator("[data-testid=file-card][data-name='minutes.txt']")
    expect(theirs.get_by_test_id("file-expiry")).to_contain_text("Expires")
    theirs.click(button="right")
    pb.get_by_test_id("bubble-menu").get_by_test_id("menu-favorite").click()
    expect(pb.get_by_test_id("flash")).to_have_text("Saved to favourites")
    # Any message goes to the favourites (decision 0036); the file stays readable through it.
    favourites = web_server.api(bob["token"], "GET", "/favorites")["favorites"]
    assert [f["body"]["file_id"] for f in favourites] == [file_id]
    # A text message offers no such item.
    web_server.api(
        alice["token"],
        "POST",
        f"/conversations/{chat}/messages",
        json={"client_msg_id": unique("m"), "type": "text", "body": {"text": "plain words"}},
    )
    text = pb.get_by_test_id("message").filter(
        has=pb.get_by_test_id("bubble-text").get_by_text("plain words", exact=True)
    )
    text.get_by_test_id("bubble").click(button="right")
    expect(pb.get_by_test_id("bubble-menu").get_by_role("menuitem", name="Reply")).to_be_visible()
    # A text message can be a favourite too.
    expect(pb.get_by_test_id("menu-favorite")).to_have_count(1)
