"""Contacts: new friends, contact groups, remarks, right-click actions, the organization tree,
and finding people to start a chat with."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import conversation_row, group_chat, sign_in


def contact(page: Page, name: str) -> Any:
    return page.locator(f"[data-testid=contact][data-name='{name}']")


def test_friends_contact_groups_remarks_and_the_organization(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    group_chat(web_server, alice, "Release crew", carol)
    web_server.api(
        bob["token"],
        "POST",
        "/friend-requests",
        json={"user_id": alice["user"]["id"], "message": "Hi, Bob from design"},
    )
    # An organization: Engineering / Web, Bob a front-end engineer there.
    web_server.make_admin(alice["user"]["account"])
    engineering = web_server.api(
        alice["token"], "POST", "/org/departments", json={"name": "Engineering"}
    )
    web = web_server.api(
        alice["token"],
        "POST",
        "/org/departments",
        json={"name": "Web", "parent_id": engineering["id"]},
    )
    web_server.api(
        alice["token"],
        "PUT",
        f"/org/departments/{web['id']}/members/{bob['user']['id']}",
        json={"position": "Front-end engineer"},
    )

    context = new_context()
    page: Page = context.new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])

    # New friends: a badge, the request with its message, accept.
    expect(page.get_by_test_id("contacts-badge")).to_have_text("1")
    page.get_by_test_id("rail-contacts").click()
    expect(page.get_by_test_id("new-friends-badge")).to_have_text("1")
    page.get_by_test_id("new-friends").click()
    request = page.locator("[data-testid=friend-request][data-name='Bob Li']")
    expect(request).to_contain_text("Hi, Bob from design")
    request.get_by_role("button", name="Accept").click()
    expect(page.get_by_test_id("new-friends-badge")).to_have_count(0)
    expect(page.get_by_test_id("contacts-badge")).to_have_count(0)
    expect(contact(page, "Bob Li")).to_be_visible()

    # My own contact group, Bob moved into it, and a remark for him.
    page.get_by_test_id("new-contact-group").click()
    page.get_by_test_id("contact-group-name").fill("Design")
    page.get_by_test_id("contact-group-name").press("Enter")
    contact(page, "Bob Li").click()
    page.get_by_test_id("person-contact-group").select_option(label="Design")
    expect(
        page.locator("[data-testid=friend-group][data-name='Design'] [data-testid=contact]")
    ).to_have_attribute("data-name", "Bob Li")
    profile = page.get_by_test_id("person")
    expect(profile).to_contain_text("Web · Front-end engineer")
    profile.get_by_test_id("remark-edit").click()
    profile.get_by_test_id("remark-input").fill("Bobby (design)")
    profile.get_by_test_id("remark-save").click()
    expect(contact(page, "Bobby (design)")).to_be_visible()

    # Right-click: send a message (the chat carries my remark), or open it in its own window.
    contact(page, "Bobby (design)").click(button="right")
    page.get_by_test_id("contact-menu").get_by_role("menuitem", name="Send message").click()
    expect(page.get_by_test_id("chat-title")).to_have_text("Bobby (design)")
    page.get_by_test_id("rail-contacts").click()
    with context.expect_page() as opened:
        contact(page, "Bobby (design)").click(button="right")
        page.get_by_test_id("contact-menu").get_by_role(
            "menuitem", name="Open in a separate window"
        ).click()
    window: Page = opened.value
    expect(window.get_by_test_id("chat-title")).to_have_text("Bobby (design)")
    window.close()

    # Group chats.
    page.get_by_test_id("group-chats").click()
    page.locator("[data-testid=contact-group-chat][data-name='Release crew']").click()
    expect(page.get_by_test_id("chat-title")).to_have_text("Release crew")

    # The organization tree, and its search.
    page.get_by_test_id("rail-contacts").click()
    page.get_by_test_id("organization").click()
    page.locator("[data-testid=org-department][data-name='Web']").click()
    expect(page.get_by_test_id("org-members")).to_contain_text("Engineering › Web")
    # My remark names him here too.
    expect(page.locator("[data-testid=org-person][data-name='Bobby (design)']")).to_contain_text(
        "Front-end engineer"
    )
    page.get_by_test_id("org-search").fill("Web")
    expect(page.get_by_test_id("org-result-department")).to_contain_text("Engineering › Web")

    # People search finds someone who is not a friend; their card offers "add friend".
    page.get_by_test_id("contacts-search").fill(carol["user"]["account"])
    result = page.locator("[data-testid=search-result][data-name='Carol Wang']")
    result.click()
    page.get_by_test_id("friend-greeting").fill("Hello from Alice")
    page.get_by_test_id("add-friend").click()
    expect(page.get_by_test_id("friend-requested")).to_be_visible()
    requests = web_server.api(carol["token"], "GET", "/friend-requests")
    assert [r["message"] for r in requests["incoming"]] == ["Hello from Alice"]

    # My contact group renamed, then deleted: its friends move up to no group.
    page.get_by_test_id("contacts-search").fill("")
    page.locator("[data-testid=friend-group][data-name='Design'] .friend-group-head").click(
        button="right"
    )
    page.get_by_test_id("contact-menu").get_by_role("menuitem", name="Rename").click()
    page.get_by_test_id("contact-group-rename").fill("Designers")
    page.get_by_test_id("contact-group-rename").press("Enter")
    designers = page.locator("[data-testid=friend-group][data-name='Designers']")
    expect(designers.get_by_test_id("contact")).to_have_attribute("data-name", "Bobby (design)")
    designers.locator(".friend-group-head").click(button="right")
    page.get_by_test_id("contact-menu").get_by_role("menuitem", name="Delete").click()
    expect(designers).to_have_count(0)
    expect(
        page.locator("[data-testid=friend-group][data-name='Not in a group'] [data-testid=contact]")
    ).to_have_attribute("data-name", "Bobby (design)")


def test_start_a_chat_by_searching_people(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    dora = web_server.register(unique("dora"), "Dora Sun")
    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    page.get_by_test_id("new-chat").click()
    dialog = page.get_by_test_id("new-chat-dialog")
    dialog.get_by_test_id("people-search").fill(dora["user"]["account"])
    dialog.locator("[data-testid=person][data-name='Dora Sun']").click()
    dialog.get_by_test_id("start-chat").click()
    expect(page.get_by_test_id("chat-title")).to_have_text("Dora Sun")

    # A group found by its number, joined from the contacts search.
    house = group_chat(web_server, dora, "Open house")
    web_server.api(dora["token"], "PATCH", f"/groups/{house}", json={"join_mode": "open"})
    page.get_by_test_id("rail-contacts").click()
    page.get_by_test_id("contacts-search").fill(str(house + 100000))
    found = page.locator("[data-testid=found-group][data-name='Open house']")
    found.get_by_test_id("join-group").click()
    expect(found.get_by_role("button", name="Send message")).to_be_visible()
    page.get_by_test_id("rail-chats").click()
    expect(conversation_row(page, "Open house")).to_be_visible()

    # Blocking someone from their profile (B4).
    page.get_by_test_id("peer-profile-button").click()
    profile = page.get_by_test_id("profile-dialog")
    profile.get_by_test_id("block").click()
    expect(profile.get_by_test_id("block")).to_have_text("Unblock")
    blocked = web_server.api(alice["token"], "GET", "/blocks")["blocked"]
    assert [b["id"] for b in blocked] == [dora["user"]["id"]]
