"""A conversation popped out into its own window, on the connection the main window shares."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import (
    bubble,
    conversation_row,
    direct_chat,
    post_text,
    send_text,
    sign_in,
)


def wait_for_connections(server: WebServer, wanted: int, timeout: float = 10) -> int:
    deadline = time.monotonic() + timeout
    count = server.connections()
    while count != wanted and time.monotonic() < deadline:
        time.sleep(0.1)
        count = server.connections()
    return count


def test_a_popped_out_chat_receives_messages_on_the_shared_connection(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    post_text(web_server, bob, chat, "before the pop-out")
    context = new_context()
    sockets: list[str] = []
    context.on("page", lambda page: page.on("websocket", lambda ws: sockets.append(ws.url)))
    main: Page = context.new_page()
    main.on("websocket", lambda ws: sockets.append(ws.url))
    sign_in(main, web_server.base_url, alice["user"]["account"])

    with context.expect_page() as opened:
        conversation_row(main, "Bob Li").click(button="right")
        main.get_by_test_id("conversation-menu").get_by_role(
            "menuitem", name="Open in a separate window"
        ).click()
    popout: Page = opened.value
    expect(popout.get_by_test_id("chat-window")).to_have_attribute("data-connection", "connected")
    expect(popout.get_by_test_id("chat-title")).to_have_text("Bob Li")
    expect(popout).to_have_title("Bob Li — Tidings")
    expect(bubble(popout, "before the pop-out")).to_be_visible()
    # The main window stepped back to its list: the conversation lives in its own window now.
    expect(main.get_by_test_id("chat-pane")).to_have_count(0)

    # Both windows ride on one WebSocket, held by the shared worker, not by either page.
    assert wait_for_connections(web_server, 1) == 1
    assert sockets == []

    post_text(web_server, bob, chat, "live into the pop-out")
    expect(bubble(popout, "live into the pop-out")).to_be_visible()
    expect(conversation_row(main, "Bob Li")).to_contain_text("live into the pop-out")
    # The conversation is on screen in the pop-out: the main window does not alert for it.
    expect(main.get_by_test_id("message-toast")).to_have_count(0)

    # A message sent from the pop-out reaches the main window too (the server answers only
    # the sender; the shared worker passes it on), and Bob.
    send_text(popout, "typed in the pop-out")
    expect(bubble(popout, "typed in the pop-out")).to_have_attribute("data-state", "sent")
    expect(conversation_row(main, "Bob Li")).to_contain_text("typed in the pop-out")
    history = web_server.api(bob["token"], "GET", f"/conversations/{chat}/messages")
    assert history["messages"][-1]["body"]["text"] == "typed in the pop-out"

    # Closing the main window leaves the pop-out connected on the same socket.
    main.close()
    post_text(web_server, bob, chat, "after the main window closed")
    expect(bubble(popout, "after the main window closed")).to_be_visible()
    assert wait_for_connections(web_server, 1) == 1
