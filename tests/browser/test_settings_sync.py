"""Settings kept on the server, in the browser (issue 12): a change on one device applies
live on another; do-not-disturb keeps a message quiet while an @-mention of me still comes
through (H2); shortcuts are rebound, a conflict is refused, and they work (I13)."""

from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import direct_chat, group_chat, open_conversation, post_text, sign_in
from tests.browser.test_notifications import STUBS, sounds
from tidings.sdk import TidingsClient


def post_mention(
    server: WebServer, sender: dict[str, Any], conversation_id: int, text: str, who: int
) -> None:
    server.api(
        sender["token"],
        "POST",
        f"/conversations/{conversation_id}/messages",
        json={
            "client_msg_id": uuid.uuid4().hex,
            "type": "text",
            "body": {"text": text, "mentions": [who]},
        },
    )


def other_device(server: WebServer, person: dict[str, Any], op: str, data: dict[str, Any]) -> Any:
    """An op from the person's other device (the session they registered with, over the
    WebSocket): a web browser would sign this one out (one session per platform)."""

    async def run() -> Any:
        async with TidingsClient(server.base_url, token=person["token"]) as client:
            return await client.request(op, data)

    # Playwright's sync API holds this thread's event loop: the client runs in a thread.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def test_dnd_quiets_alerts_but_an_at_me_comes_through_and_syncs_live(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    with_bob = direct_chat(web_server, alice, bob)
    team = group_chat(web_server, bob, "Night Shift", alice)
    context = new_context()
    context.add_init_script(STUBS)
    page: Page = context.new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])

    # Before: a message from Bob pops up and rings.
    post_text(web_server, bob, with_bob, "before the night")
    expect(page.get_by_test_id("message-toast")).to_contain_text("before the night")
    assert sounds(page) == 1
    page.get_by_test_id("message-toast").get_by_role("button", name="Dismiss").click()

    # Nights on, all day long (00:00 to 00:00), every day.
    page.get_by_test_id("rail-settings").click()
    page.get_by_test_id("dnd-night-toggle").click()
    page.get_by_test_id("dnd-night-start").fill("00:00")
    expect(page.get_by_test_id("dnd-night-start")).to_have_value("00:00")
    page.get_by_test_id("dnd-night-end").fill("00:00")
    expect(page.get_by_test_id("dnd-now")).to_be_visible()
    # Kept on the server, in the browser's time zone (each change is saved as it is made: the
    # end's may still be on its way).
    night = {
        "kind": "night",
        "enabled": True,
        "days": [1, 2, 3, 4, 5, 6, 7],
        "start": "00:00",
        "end": "00:00",
    }
    deadline = time.monotonic() + 10
    while True:
        kept = other_device(web_server, alice, "settings.get", {})["settings"]["dnd"]
        if kept["schedules"] == [night] or time.monotonic() > deadline:
            break
        page.wait_for_timeout(100)
    assert kept["schedules"] == [night]
    assert kept["time_zone"]

    # Do not disturb: no toast, no sound.
    page.get_by_test_id("rail-chats").click()
    post_text(web_server, bob, with_bob, "during the night")
    page.wait_for_timeout(600)
    expect(page.get_by_test_id("message-toast")).to_have_count(0)
    assert sounds(page) == 1
    # An @-mention of me still comes through.
    post_mention(web_server, bob, team, "@Alice Zhang the server is down", alice["user"]["id"])
    expect(page.get_by_test_id("message-toast")).to_contain_text("the server is down")
    assert sounds(page) == 2

    # Changes on another device apply here at once: the theme, and do-not-disturb off.
    other_device(
        web_server,
        alice,
        "settings.update",
        {"changes": {"theme": "dark", "dnd": {"schedules": []}}},
    )
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    post_text(web_server, bob, with_bob, "good morning")
    expect(page.get_by_test_id("message-toast").last).to_contain_text("good morning")
    # A group's pop-ups off in its details: its messages no longer pop up.
    open_conversation(page, "Night Shift")
    page.get_by_test_id("group-info-button").click()
    page.get_by_test_id("conversation-popup").click()
    expect(page.get_by_test_id("conversation-popup")).to_have_attribute("aria-checked", "false")
    open_conversation(page, "Bob Li")
    post_text(web_server, bob, team, "quiet group")
    page.wait_for_timeout(600)
    expect(page.get_by_test_id("message-toast").filter(has_text="quiet group")).to_have_count(0)
    assert other_device(web_server, alice, "settings.get", {})["settings"]["conversations"] == {
        str(team): {"sound": True, "popup": False}
    }

    # And after a reload, from the server.
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")


def test_shortcuts_are_rebound_checked_and_work(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    with_bob = direct_chat(web_server, alice, bob)
    direct_chat(web_server, alice, carol)
    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    page.get_by_test_id("rail-settings").click()

    search = page.get_by_test_id("shortcut-search")
    expect(search).to_have_attribute("data-combo", "Ctrl+K")
    # Alt+A is the screenshot's: refused, with the reason.
    search.click()
    expect(search).to_contain_text("Press the keys")
    page.keyboard.press("Alt+A")
    expect(page.get_by_test_id("shortcut-problem")).to_contain_text("Take a screenshot")
    # A plain letter is not a shortcut.
    page.keyboard.press("S")
    expect(page.get_by_test_id("shortcut-problem")).to_contain_text("Ctrl, Alt")
    page.keyboard.press("Alt+S")
    expect(search).to_have_attribute("data-combo", "Alt+S")
    expect(page.get_by_test_id("shortcut-problem")).to_have_count(0)

    # It works: the list's search box takes the focus.
    page.keyboard.press("Alt+S")
    expect(page.get_by_test_id("list-search")).to_be_focused()
    # The next unread chat (Alt+ArrowDown by default).
    open_conversation(page, "Carol Wang")
    post_text(web_server, bob, with_bob, "unread for you")
    expect(
        page.locator(
            "[data-testid=conversation-row][data-title='Bob Li'] [data-testid=unread-badge]"
        )
    ).to_be_visible()
    page.locator("body").click()
    page.keyboard.press("Alt+ArrowDown")
    expect(page.get_by_test_id("chat-title")).to_have_text("Bob Li")

    # The binding is kept on the server: another browser has it.
    other: Page = new_context().new_page()
    sign_in(other, web_server.base_url, alice["user"]["account"])
    other.get_by_test_id("rail-settings").click()
    expect(other.get_by_test_id("shortcut-search")).to_have_attribute("data-combo", "Alt+S")
