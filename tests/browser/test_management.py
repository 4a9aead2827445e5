"""Contacts, groups and files management in the browser: tags and the tag filter, nested
contact groups, ignoring a request, the blocked list, importing contacts, invite links with QR
codes; a group's announcements with their readers, its invite links and its files; favourites."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import group_chat, open_conversation, sign_in


def befriend(server: WebServer, a: dict[str, Any], b: dict[str, Any]) -> None:
    request = server.api(
        b["token"], "POST", "/friend-requests", json={"user_id": a["user"]["id"], "message": "hi"}
    )
    server.api(a["token"], "POST", f"/friend-requests/{request['request_id']}/accept")


def contact(page: Page, name: str) -> Any:
    return page.locator(f"[data-testid=contact][data-name='{name}']")


def friend_group(page: Page, name: str) -> Any:
    return page.locator(f"[data-testid=friend-group][data-name='{name}']")


def test_tags_nested_groups_requests_blocked_import_and_invite_links(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    dave = web_server.register(unique("dave"), "Dave Chen")
    erin = web_server.register(unique("erin"), "Erin Wu")
    frank = web_server.register(unique("frank"), "Frank Liu")
    befriend(web_server, alice, bob)
    befriend(web_server, alice, carol)
    web_server.api(
        dave["token"],
        "POST",
        "/friend-requests",
        json={"user_id": alice["user"]["id"], "message": "Dave here"},
    )
    web_server.api(alice["token"], "PUT", f"/blocks/{erin['user']['id']}")

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    page.get_by_test_id("rail-contacts").click()

    # Ignore a friend request: it leaves the list and the badge.
    page.get_by_test_id("new-friends").click()
    request = page.locator("[data-testid=friend-request][data-name='Dave Chen']")
    request.get_by_test_id("ignore-request").click()
    expect(request).to_have_count(0)
    expect(page.get_by_test_id("new-friends-badge")).to_have_count(0)
    assert web_server.api(alice["token"], "GET", "/friend-requests")["incoming"] == []

    # Tag Bob twice and Carol once, then filter the list by a tag.
    contact(page, "Bob Li").click()
    for tag in ("design", "web"):
        page.get_by_test_id("tag-input").fill(tag)
        page.get_by_test_id("tag-add").click()
        expect(page.locator(f"[data-testid=person-tag][data-tag='{tag}']")).to_be_visible()
    contact(page, "Carol Wang").click()
    page.get_by_test_id("tag-input").fill("web")
    page.get_by_test_id("tag-input").press("Enter")
    expect(page.locator("[data-testid=person-tag][data-tag='web']")).to_be_visible()
    page.locator("[data-testid=tag-filter-chip][data-tag='design']").click()
    expect(page.get_by_test_id("contact")).to_have_count(1)
    expect(contact(page, "Bob Li")).to_be_visible()
    page.locator("[data-testid=tag-filter-chip][data-tag='web']").click()
    expect(page.get_by_test_id("contact")).to_have_count(2)
    page.locator("[data-testid=tag-filter-chip][data-tag='web']").click()
    notes = {
        f["user_id"]: f["tags"]
        for f in web_server.api(alice["token"], "GET", "/friends")["friends"]
    }
    assert notes == {bob["user"]["id"]: ["design", "web"], carol["user"]["id"]: ["web"]}
    # Removing a tag.
    contact(page, "Bob Li").click()
    page.locator("[data-testid=person-tag][data-tag='web']").get_by_test_id("remove-tag").click()
    expect(page.locator("[data-testid=person-tag][data-tag='web']")).to_have_count(0)

    # Nested contact groups: Work, Design inside it, Bob in Design; then Design moves to the top.
    page.get_by_test_id("new-contact-group").click()
    page.get_by_test_id("contact-group-name").fill("Work")
    page.get_by_test_id("contact-group-name").press("Enter")
    friend_group(page, "Work").locator(".friend-group-head").click(button="right")
    page.get_by_test_id("new-subgroup").click()
    page.get_by_test_id("contact-group-name").fill("Design")
    page.get_by_test_id("contact-group-name").press("Enter")
    expect(friend_group(page, "Design").locator(".friend-group-head")).to_have_attribute(
        "data-depth", "1"
    )
    page.get_by_test_id("person-contact-group").select_option(label="\u00a0\u00a0Design")
    expect(friend_group(page, "Design").get_by_test_id("contact")).to_have_attribute(
        "data-name", "Bob Li"
    )
    friend_group(page, "Design").locator(".friend-group-head").click(button="right")
    page.get_by_test_id("move-group").click()
    page.get_by_test_id("contact-group-move-target").select_option("top")
    expect(friend_group(page, "Design").locator(".friend-group-head")).to_have_attribute(
        "data-depth", "0"
    )
    groups = {
        g["name"]: g["parent_id"]
        for g in web_server.api(alice["token"], "GET", "/friends")["contact_groups"]
    }
    assert groups == {"Work": None, "Design": None}
    # A group cannot be moved into itself: it is not offered.
    friend_group(page, "Work").locator(".friend-group-head").click(button="right")
    page.get_by_test_id("move-group").click()
    options = page.get_by_test_id("contact-group-move-target").locator("option").all_inner_texts()
    assert [o.strip() for o in options][2:] == ["Design"]
    page.get_by_test_id("contact-group-move").get_by_role("button").click()

    # The blocked list: Erin is there; unblock her.
    page.get_by_test_id("contacts-blocked").click()
    blocked = page.locator("[data-testid=blocked-person][data-name='Erin Wu']")
    blocked.get_by_test_id("unblock").click()
    expect(blocked).to_have_count(0)
    assert web_server.api(alice["token"], "GET", "/blocks")["blocked"] == []

    # Import contacts from a CSV: a request to Frank, Carol's remark updated, two rows refused.
    page.get_by_test_id("contacts-import").click()
    csv = (
        "account,remark,tags,message\n"
        f"{frank['user']['account']},,,Hello Frank\n"
        f"{carol['user']['account']},Carol (ops),ops,\n"
        f"nobody-{uuid.uuid4().hex[:6]},,,\n"
        f"{alice['user']['account']},,,\n"
    )
    page.get_by_test_id("import-file").set_input_files(
        files=[{"name": "contacts.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    expect(page.get_by_test_id("import-summary")).to_have_text(
        "Friend requests sent: 1 · friends updated: 1 · rows rejected: 2"
    )
    rows = page.get_by_test_id("import-row")
    expect(rows).to_have_count(4)
    expect(rows.nth(2)).to_contain_text("no such user")
    expect(rows.nth(3)).to_contain_text("that is you")
    expect(contact(page, "Carol (ops)")).to_be_visible()
    assert [
        r["message"] for r in web_server.api(frank["token"], "GET", "/friend-requests")["incoming"]
    ] == ["Hello Frank"]

    # An invite link with its QR code; Dave opens it and becomes a friend; then it is revoked.
    page.get_by_test_id("contacts-invite").click()
    page.get_by_test_id("invite-lifetime").select_option(str(86_400))
    page.get_by_test_id("invite-create").click()
    expect(page.get_by_test_id("invite-qr").locator("img")).to_be_visible()
    assert page.get_by_test_id("invite-qr").locator("img").evaluate("img => img.naturalWidth") > 100
    invite = page.locator("[data-testid=invite][data-state=live]")
    expect(invite).to_have_count(1)
    code = invite.get_attribute("data-code")
    assert code
    expect(invite.get_by_test_id("invite-link")).to_have_value(
        f"{web_server.base_url}/invite/{code}"
    )
    expect(invite).to_contain_text("Expires")
    web_server.api(dave["token"], "POST", f"/invites/{code}/accept", json={})
    expect(contact(page, "Dave Chen")).to_be_visible()
    invite.get_by_test_id("invite-revoke").click()
    expect(page.locator("[data-testid=invite][data-state=revoked]")).to_have_count(1)
    mine = web_server.api(alice["token"], "GET", "/invites")["invites"]
    assert [(i["code"], i["revoked"]) for i in mine] == [(code, True)]

    # Someone else's link, pasted: Frank's friend link makes us friends.
    frank_invite = web_server.api(frank["token"], "POST", "/invites", json={"kind": "friend"})
    page.get_by_test_id("invite-paste").fill(f"{web_server.base_url}/invite/{frank_invite['code']}")
    page.get_by_test_id("invite-paste").press("Enter")
    expect(page.get_by_test_id("invite-found")).to_contain_text("Frank Liu")
    page.get_by_test_id("invite-accept-button").click()
    expect(page.get_by_test_id("invite-found")).to_contain_text("You are now friends")
    expect(contact(page, "Frank Liu")).to_be_visible()


def test_group_announcements_readers_invites_settings_files_and_favourites(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    group_id = group_chat(web_server, alice, "Launch room", bob, carol)
    file_id = web_server.upload(
        bob["token"], b"x" * 5000, "budget-2026.xlsx", "application/octet-stream", expiry_days=3
    )
    web_server.api(
        bob["token"],
        "POST",
        f"/conversations/{group_id}/messages",
        json={
            "client_msg_id": uuid.uuid4().hex,
            "type": "file",
            "body": {"file_id": file_id, "name": "budget-2026.xlsx", "size": 5000},
        },
    )

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    open_conversation(page, "Launch room")
    page.get_by_test_id("group-info-button").click()
    panel = page.get_by_test_id("group-info")

    # Post an announcement, then edit it.
    panel.get_by_test_id("announcement-input").fill("Launch on Friday")
    panel.get_by_role("button", name="Post").click()
    announcement = panel.get_by_test_id("announcement").filter(has_text="Launch on Friday")
    expect(announcement.get_by_test_id("announcement-reads")).to_have_text("0 read · 2 unread")
    announcement.get_by_test_id("announcement-edit").click()
    panel.get_by_test_id("announcement-edit-input").fill("Launch on Friday at 10:00")
    panel.get_by_test_id("announcement-edit-save").click()
    announcement = panel.get_by_test_id("announcement").filter(has_text="Launch on Friday at 10:00")
    expect(announcement).to_contain_text("edited")

    # Bob reads it: the readers list names him, Carol has not read it yet.
    announcements = web_server.api(bob["token"], "GET", f"/groups/{group_id}/announcements")[
        "announcements"
    ]
    assert [a["text"] for a in announcements] == ["Launch on Friday at 10:00"]
    web_server.api(bob["token"], "POST", f"/announcements/{announcements[0]['id']}/read")
    announcement.get_by_test_id("announcement-reads").click()
    readers = announcement.get_by_test_id("announcement-read-list")
    expect(readers).to_contain_text("Read (1): Bob Li")
    expect(readers).to_contain_text("Not yet (1): Carol Wang")
    expect(announcement.get_by_test_id("announcement-reads")).to_have_text("1 read · 1 unread")

    # The group's invite link and QR code.
    panel.get_by_test_id("open-group-invites").click()
    panel.get_by_test_id("invite-create").click()
    expect(panel.get_by_test_id("invite-qr").locator("img")).to_be_visible()
    expect(panel.locator("[data-testid=invite][data-state=live]")).to_have_count(1)
    invites = web_server.api(alice["token"], "GET", "/invites")["invites"]
    assert [(i["kind"], i["conversation_id"]) for i in invites] == [("group", group_id)]

    # Settings: an emoji avatar, the member limit and the rate rule.
    panel.get_by_test_id("group-avatar-edit").click()
    panel.get_by_test_id("group-avatar-option").first.click()
    panel.get_by_test_id("size-limit").fill("50")
    panel.get_by_test_id("size-limit-save").click()
    panel.get_by_test_id("rate-count").fill("5")
    panel.get_by_test_id("rate-seconds").fill("10")
    panel.get_by_test_id("rate-save").click()
    expect(panel.get_by_test_id("rate-rule")).to_contain_text("On: 5 messages per 10 s")
    info = web_server.api(alice["token"], "GET", f"/groups/{group_id}")
    assert (info["avatar"], info["size_limit"], info["rate_count"], info["rate_seconds"]) == (
        "emoji:🚀",
        50,
        5,
        10,
    )

    # The group's files: Bob's spreadsheet with its expiry; save it to my favourites.
    panel.get_by_test_id("open-group-files").click()
    dialog = page.get_by_test_id("group-files-dialog")
    row = dialog.locator("[data-testid=file-row][data-name='budget-2026.xlsx']")
    expect(row).to_contain_text("Bob Li")
    expect(row.get_by_test_id("file-expiry")).to_contain_text("Expires")
    # Owner of the group: may remove anyone's file (recall); the images filter hides it.
    expect(row.get_by_test_id("file-delete")).to_be_visible()
    dialog.get_by_test_id("files-kind-image").click()
    expect(row).to_have_count(0)
    dialog.get_by_test_id("files-kind-all").click()
    row.get_by_test_id("file-favorite").click()
    expect(dialog.get_by_test_id("tool-notice")).to_have_text("Saved to favourites")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    # Favourites list: there, downloadable; removed.
    page.get_by_test_id("rail-contacts").click()
    page.get_by_test_id("contacts-favorites").click()
    favourite = page.locator(
        "[data-testid=favorites] [data-testid=file-row][data-name='budget-2026.xlsx']"
    )
    expect(favourite).to_contain_text("4.9 KB")
    with page.expect_download() as download:
        favourite.get_by_test_id("file-download").click()
    assert download.value.suggested_filename == "budget-2026.xlsx"
    favourite.get_by_test_id("favorite-remove").click()
    expect(favourite).to_have_count(0)
    assert web_server.api(alice["token"], "GET", "/favorites/files")["files"] == []
