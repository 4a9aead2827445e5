"""A group one has left, found by search in the browser (issue 15, decisions 0073 and 0075):
the result shows the group by its name and opens it read-only at the message, up to the
leaving and never after, with "You left this group" (or "You were removed from this group")
where the composer was; the group does not come back into the conversation list."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import conversation_row, group_chat, post_text, sign_in
from tests.browser.test_compose import png
from tests.browser.test_search import search_box, searched, seed, shown_seqs

BEFORE = "离开之前的消息"
AFTER = "离开之后的消息"


def watch_requests(page: Page) -> list[dict[str, Any]]:
    """The requests the page sends on its WebSocket (the connection is made in the page,
    without the shared worker, whose socket is out of Playwright's sight)."""
    page.add_init_script("delete window.SharedWorker")
    sent: list[dict[str, Any]] = []

    def on_socket(socket: Any) -> None:
        def on_frame(payload: Any) -> None:
            try:
                frame = json.loads(payload)
            except (TypeError, ValueError):
                return
            if isinstance(frame, dict) and isinstance(frame.get("op"), str):
                sent.append(frame)

        socket.on("framesent", on_frame)

    page.on("websocket", on_socket)
    return sent


def test_a_group_one_left_opens_read_only_at_the_result(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    group = group_chat(web_server, alice, "产品发布群", bob)
    web_server.api(alice["token"], "PATCH", f"/groups/{group}", json={"avatar": "emoji:🚀"})
    seed(web_server, alice, group, [f"准备工作第{n}项" for n in range(1, 81)])
    before = post_text(web_server, alice, group, BEFORE)
    seed(web_server, alice, group, [f"后续安排第{n}项" for n in range(1, 81)])
    web_server.api(bob["token"], "DELETE", f"/conversations/{group}/members/me")
    left_seq = web_server.api(bob["token"], "GET", f"/conversations/{group}")["left_seq"]
    post_text(web_server, alice, group, AFTER)
    searched(web_server, alice, "离开", 2)
    searched(web_server, bob, "离开", 1)

    page: Page = new_context(locale="zh-CN").new_page()
    sent = watch_requests(page)
    sign_in(page, web_server.base_url, bob["user"]["account"])
    expect(page.get_by_test_id("conversation-list")).to_be_visible()
    expect(conversation_row(page, "产品发布群")).to_have_count(0)

    search_box(page).fill("离开")
    section = page.get_by_test_id("search-section-messages")
    row = section.get_by_test_id("search-row")
    # The first only, under the group's name and avatar, though it is not in the list.
    expect(row).to_have_count(1)
    expect(row).to_contain_text("产品发布群")
    expect(row).to_contain_text(BEFORE)
    expect(row.locator(".avatar-emoji")).to_have_text("🚀")
    expect(page.get_by_text(AFTER)).to_have_count(0)
    row.click()

    expect(page.get_by_test_id("chat-title")).to_have_text("产品发布群")
    target = page.get_by_test_id("jump-target")
    expect(target).to_contain_text(BEFORE)
    expect(target).to_have_attribute("data-seq", str(before))
    left = page.get_by_test_id("composer-left")
    expect(left).to_have_text("你已退出该群聊")
    expect(page.get_by_test_id("composer-input")).to_have_count(0)
    expect(page.get_by_test_id("group-info-button")).to_have_count(0)
    # Opened far back (in the middle of what Bob may read): a window around the message.
    seqs = shown_seqs(page)
    assert before in seqs and max(seqs) < left_seq - 50
    # No "back to the newest": nothing is newer than the leaving, and nothing comes.
    expect(page.get_by_test_id("message-list")).to_be_visible()
    expect(page.get_by_test_id("latest-pill")).to_have_count(0)
    # Scrolling down pages on up to the leaving, where it stops; up, to the first messages.
    messages = page.get_by_test_id("message-list")
    for _ in range(40):
        if max(shown_seqs(page)) >= left_seq - 1:
            break
        messages.evaluate("el => { el.scrollTop = el.scrollHeight; }")
        page.wait_for_timeout(100)
    expect(page.get_by_test_id("latest-pill")).to_have_count(0)
    expect(page.get_by_text("后续安排第80项", exact=True)).to_have_count(1)
    expect(page.get_by_test_id("message-list")).to_contain_text("你退出了群聊")
    for _ in range(40):
        if page.get_by_text("准备工作第1项", exact=True).count() > 0:
            break
        messages.evaluate("el => { el.scrollTop = 0; }")
        page.wait_for_timeout(100)
    expect(page.get_by_text("准备工作第1项", exact=True)).to_be_visible()
    expect(page.get_by_text(AFTER)).to_have_count(0)
    assert max(shown_seqs(page)) < left_seq + 1
    # A message's menu offers what works in a group one left: copying.
    page.get_by_text("准备工作第1项", exact=True).click(button="right")
    expect(page.get_by_test_id("bubble-menu").get_by_role("menuitem")).to_have_count(1)
    page.keyboard.press("Escape")
    # The group stays out of the list; nothing a member does went out.
    search_box(page).fill("")
    expect(conversation_row(page, "产品发布群")).to_have_count(0)
    mine = [f for f in sent if (f.get("data") or {}).get("conversation_id") == group]
    assert {f["op"] for f in mine} <= {"conversation.get", "history"}, mine
    histories = [f["data"] for f in mine if f["op"] == "history"]
    assert histories and all(h.get("after_seq", 0) < left_seq for h in histories)
    assert all(h.get("around_seq", 0) <= left_seq for h in histories)
    expect(page.get_by_text(AFTER)).to_have_count(0)


def test_a_member_removed_reads_up_to_the_removal(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    carol = web_server.register(unique("carol"), "Carol Wang")
    group = group_chat(web_server, alice, "Launch team", carol)
    post_text(web_server, alice, group, "budget draft one")
    post_text(web_server, alice, group, "budget draft two")
    picture = web_server.upload(alice["token"], png(120, 80), "plan.png", "image/png")
    web_server.api(
        alice["token"],
        "POST",
        f"/conversations/{group}/messages",
        json={
            "client_msg_id": unique("img"),
            "type": "image",
            "body": {"file_id": picture, "width": 120, "height": 80},
        },
    )

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, carol["user"]["account"])
    expect(conversation_row(page, "Launch team")).to_be_visible()
    # Removed while signed in: the group leaves the list at once.
    carol_id = carol["user"]["id"]
    web_server.api(alice["token"], "POST", f"/groups/{group}/members/{carol_id}/remove", json={})
    expect(conversation_row(page, "Launch team")).to_have_count(0)
    post_text(web_server, alice, group, "budget final after carol")
    searched(web_server, alice, "budget", 3)
    searched(web_server, carol, "budget", 2)

    search_box(page).fill("budget")
    section = page.get_by_test_id("search-section-messages")
    row = section.get_by_test_id("search-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Launch team")
    expect(row).to_contain_text("2 related messages")
    section.get_by_test_id("search-more").click()
    results = page.get_by_test_id("message-results")
    items = results.get_by_test_id("message-result")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Launch team")
    expect(results).not_to_contain_text("after carol")
    items.filter(has_text="budget draft one").click()

    expect(page.get_by_test_id("chat-title")).to_have_text("Launch team")
    expect(page.get_by_test_id("jump-target")).to_contain_text("budget draft one")
    expect(page.get_by_test_id("composer-left")).to_have_text("You were removed from this group")
    # Its picture, sent before the removal, still shows.
    image = page.get_by_test_id("message-list").get_by_test_id("server-image")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 120
    expect(page.get_by_text("budget final after carol")).to_have_count(0)
    expect(conversation_row(page, "Launch team")).to_have_count(0)
