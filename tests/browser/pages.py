"""What a user does in the web client, in a few verbs the tests share."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, WebServer


def direct_chat(server: WebServer, owner: dict[str, Any], peer: dict[str, Any]) -> int:
    summary = server.api(
        owner["token"],
        "POST",
        "/conversations",
        json={"type": "direct", "peer_id": peer["user"]["id"]},
    )
    conversation_id: int = summary["id"]
    return conversation_id


def group_chat(
    server: WebServer, owner: dict[str, Any], name: str, *members: dict[str, Any]
) -> int:
    summary = server.api(
        owner["token"],
        "POST",
        "/conversations",
        json={"type": "group", "name": name, "member_ids": [m["user"]["id"] for m in members]},
    )
    conversation_id: int = summary["id"]
    return conversation_id


def post_text(server: WebServer, sender: dict[str, Any], conversation_id: int, text: str) -> int:
    entry = server.api(
        sender["token"],
        "POST",
        f"/conversations/{conversation_id}/messages",
        json={"client_msg_id": uuid.uuid4().hex, "type": "text", "body": {"text": text}},
    )
    seq: int = entry["seq"]
    return seq


def newest_stored(
    server: WebServer,
    reader: dict[str, Any],
    conversation_id: int,
    check: Callable[[dict[str, Any]], bool],
) -> dict[str, Any]:
    """The newest message the server holds in a conversation, once it is the one awaited: a
    bubble shows on the sender's screen before its message is stored."""
    deadline = time.monotonic() + 10
    while True:
        found: dict[str, Any] = server.api(
            reader["token"], "GET", f"/conversations/{conversation_id}/messages"
        )["messages"][-1]
        if check(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def sign_in(page: Page, base_url: str, account: str, *, remember: bool = False) -> None:
    page.goto(base_url)
    page.fill("input[name=account]", account)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=remember]").set_checked(remember)
    page.click("[data-testid=sign-in] button[type=submit]")
    expect(page.get_by_test_id("workspace")).to_be_visible()
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")


def conversation_row(page: Page, title: str) -> Any:
    return page.locator(f"[data-testid=conversation-row][data-title='{title}']")


def open_conversation(page: Page, title: str) -> None:
    conversation_row(page, title).click()
    expect(page.get_by_test_id("chat-title")).to_have_text(title)


def send_text(page: Page, text: str) -> None:
    box = page.get_by_test_id("composer-input")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")


def bubble(page: Page, text: str) -> Any:
    """The message whose bubble text is exactly `text`."""
    return page.get_by_test_id("message").filter(
        has=page.get_by_test_id("bubble-text").get_by_text(text, exact=True)
    )


def bubble_texts(page: Page) -> list[str]:
    texts: list[str] = page.get_by_test_id("bubble-text").all_inner_texts()
    return texts


def bubble_menu(page: Page, text: str, item: str) -> None:
    bubble(page, text).get_by_test_id("bubble").click(button="right")
    page.get_by_test_id("bubble-menu").get_by_role("menuitem", name=item).click()
