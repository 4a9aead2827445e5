"""The person one chats with keeps their name when the organization hides their department
(issue 12): their profile, the list's preview and a new message's toast name them, and
people search finds them; never "This person cannot be found" or "#<id>"."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import (
    conversation_row,
    direct_chat,
    group_chat,
    open_conversation,
    post_text,
    sign_in,
)


def test_a_chat_partner_the_organization_hides_keeps_their_name(
    web_server: WebServer, new_context: Any
) -> None:
    tag = unique("")
    admin = web_server.register(unique("admin"), "Org Admin")
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), f"Bob {tag}")
    bob_name = f"Bob {tag}"
    # Carol shares only the group with Alice: the app knows her name from no direct chat.
    carol_name = f"Carol {tag}"
    carol = web_server.register(unique("carol"), carol_name)
    web_server.make_admin(admin["user"]["account"])
    with_bob = direct_chat(web_server, alice, bob)
    crew = group_chat(web_server, alice, f"Crew {tag}", bob, carol)
    # Then the company loads its tree: Sales and Design are siblings that do not work
    # together, so it hides Bob's department (Bob and Carol) from Alice.
    departments = {}
    for name in ("Sales", "Design"):
        departments[name] = web_server.api(
            admin["token"], "POST", "/org/departments", json={"name": f"{name} {tag}"}
        )
    for person, name, position in (
        (alice, "Sales", "Account manager"),
        (bob, "Design", "Designer"),
        (carol, "Design", "Illustrator"),
    ):
        web_server.api(
            admin["token"],
            "PUT",
            f"/org/departments/{departments[name]['id']}/members/{person['user']['id']}",
            json={"position": position},
        )
    tree = web_server.api(alice["token"], "GET", "/org")
    assert f"Design {tag}" not in [d["name"] for d in tree["departments"]]

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])

    # A message in the group: its toast and the list's preview name the sender.
    post_text(web_server, carol, crew, "hello crew")
    toast = page.locator(f"[data-testid=message-toast][data-conversation-id='{crew}']")
    expect(toast).to_contain_text(f"{carol_name}: hello crew")
    expect(toast).not_to_contain_text(f"#{carol['user']['id']}")
    expect(conversation_row(page, f"Crew {tag}")).to_contain_text(f"{carol_name}: hello crew")

    # A message in the direct chat: its toast names Bob too.
    open_conversation(page, f"Crew {tag}")
    post_text(web_server, bob, with_bob, "psst, a private word")
    toast = page.locator(f"[data-testid=message-toast][data-conversation-id='{with_bob}']")
    expect(toast).to_contain_text("psst, a private word")
    expect(toast).to_contain_text(bob_name)
    expect(toast).not_to_contain_text(f"#{bob['user']['id']}")

    # Their profile, from the direct chat, shows their name, not "cannot be found".
    open_conversation(page, bob_name)
    page.get_by_test_id("peer-profile-button").click()
    profile = page.get_by_test_id("profile-dialog")
    expect(profile.get_by_test_id("profile-name")).to_have_text(bob_name)
    expect(profile).not_to_contain_text("cannot be found")

    # People search finds them by name.
    page.keyboard.press("Escape")
    expect(profile).to_have_count(0)
    page.get_by_test_id("rail-contacts").click()
    page.get_by_test_id("contacts-search").fill(bob["user"]["account"])
    expect(page.locator(f"[data-testid=search-result][data-name='{bob_name}']")).to_be_visible()
