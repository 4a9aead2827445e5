"""Search in the browser (B7, issue 15; decision 0073): the one search box's sections (people,
groups, conversations, messages, files) with keyboard navigation; a Chinese message found and
opened in place in a conversation of 5,000 messages, scrolling both ways from it and back to
the live tail; every message result with filters and paging; search inside one chat."""

from __future__ import annotations

import asyncio
import threading
import uuid
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
from tidings.sdk import TidingsClient

TARGET = "我们明天下午三点在会议室开会讨论项目进度"


def befriend(server: WebServer, a: dict[str, Any], b: dict[str, Any]) -> None:
    request = server.api(
        b["token"], "POST", "/friend-requests", json={"user_id": a["user"]["id"], "message": "hi"}
    )
    server.api(a["token"], "POST", f"/friend-requests/{request['request_id']}/accept")


def seed(server: WebServer, sender: dict[str, Any], conversation_id: int, texts: list[str]) -> None:
    """Send these texts in this order over one WebSocket, many in flight at once (fast:
    thousands in seconds). In a thread of its own: Playwright's loop runs in this one."""

    async def run() -> None:
        client = TidingsClient(server.base_url, token=sender["token"], keep_state=False)
        async with client:
            for start in range(0, len(texts), 200):
                # A batch in flight together, then the next: the seqs follow the list's order
                # between batches; inside one, the order is the order of arrival.
                batch = texts[start : start + 200]
                await asyncio.gather(
                    *(client.send(conversation_id, "text", {"text": t}) for t in batch)
                )

    failure: list[BaseException] = []

    def thread() -> None:
        try:
            asyncio.run(run())
        except BaseException as error:  # reported in the test's thread
            failure.append(error)

    worker = threading.Thread(target=thread)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


def searched(server: WebServer, user: dict[str, Any], q: str, count: int) -> None:
    """Wait until the background indexer has the messages (about a second after sending)."""
    for _ in range(100):
        reply = server.api(user["token"], "GET", "/search/messages", params={"q": q, "limit": 50})
        if len(reply["results"]) >= count:
            return
        threading.Event().wait(0.1)
    raise AssertionError(f"{q!r} not indexed")


def filler(n: int) -> str:
    """Messages sent 200 at a time arrive in any order within their batch: their seqs are
    near n, not n (tests look messages up by seq)."""
    return f"status line {n:04d}"


def shown_seqs(page: Page) -> list[int]:
    seqs: list[int] = page.eval_on_selector_all(
        "[data-testid=message-list] [data-testid=message][data-seq]",
        "els => els.map(e => Number(e.dataset.seq))",
    )
    return seqs


def message(page: Page, seq: int) -> Any:
    return page.locator(f"[data-testid=message-list] [data-testid=message][data-seq='{seq}']")


def search_box(page: Page) -> Any:
    return page.get_by_test_id("list-search")


def test_a_chinese_message_found_from_the_box_opens_in_place_in_5000_messages(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    texts = [filler(n) for n in range(1, 5001)]
    texts[1199] = TARGET  # seq 1200
    seed(web_server, bob, chat, texts[:1199])
    seed(web_server, bob, chat, texts[1199:1200])
    seed(web_server, bob, chat, texts[1200:])
    searched(web_server, alice, "会议", 1)

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    search_box(page).fill("会议")
    messages = page.get_by_test_id("search-section-messages")
    row = messages.get_by_test_id("search-row").first
    expect(row).to_contain_text("会议")
    expect(row.locator("mark")).to_have_text("会议")
    row.click()

    # The chat opens at the message, highlighted, with its context: not 3,800 messages.
    expect(page.get_by_test_id("chat-title")).to_have_text("Bob Li")
    target = page.get_by_test_id("jump-target")
    expect(target).to_contain_text(TARGET)
    expect(target).to_be_in_viewport()
    seqs = shown_seqs(page)
    assert 1200 in seqs
    assert max(seqs) < 1400 and min(seqs) > 1000
    expect(page.get_by_test_id("latest-pill")).to_be_visible()

    # Scroll up: older messages load above, the list keeps its place.
    message_list = page.get_by_test_id("message-list")
    message_list.hover()
    for _ in range(40):
        page.mouse.wheel(0, -2000)
        page.wait_for_timeout(50)
        if 1100 in shown_seqs(page):
            break
    expect(message(page, 1100)).to_be_visible()
    # Scroll down: later messages load below.
    for _ in range(60):
        page.mouse.wheel(0, 2000)
        page.wait_for_timeout(50)
        if 1300 in shown_seqs(page):
            break
    expect(message(page, 1300)).to_be_visible()
    seqs = shown_seqs(page)
    assert seqs == sorted(set(seqs))

    # Back to the newest: a message Bob sends now shows.
    page.get_by_test_id("latest-pill").click()
    expect(page.get_by_test_id("latest-pill")).to_have_count(0)
    expect(message(page, 5000)).to_be_visible()
    post_text(web_server, bob, chat, "刚刚发的新消息")
    expect(page.get_by_text("刚刚发的新消息", exact=True)).to_be_visible()


def test_scrolling_down_from_a_result_joins_the_live_tail(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    texts = [filler(n) for n in range(1, 301)]
    texts[99] = "deployment checklist for the release"
    seed(web_server, bob, chat, texts[:99])
    seed(web_server, bob, chat, texts[99:100])
    seed(web_server, bob, chat, texts[100:])
    searched(web_server, alice, "deploy", 1)

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    search_box(page).fill("deploy")
    page.get_by_test_id("search-section-messages").get_by_test_id("search-row").first.click()
    expect(page.get_by_test_id("jump-target")).to_contain_text("deployment checklist")
    # A message arriving while the chat shows seq 100's window waits below.
    post_text(web_server, bob, chat, "sent while reading back")
    page.get_by_test_id("message-list").hover()
    for _ in range(100):
        if page.get_by_test_id("latest-pill").count() == 0:
            break
        page.mouse.wheel(0, 3000)
        page.wait_for_timeout(50)
    expect(page.get_by_test_id("latest-pill")).to_have_count(0)
    for _ in range(10):
        page.mouse.wheel(0, 3000)
        page.wait_for_timeout(50)
    expect(page.get_by_text("sent while reading back", exact=True)).to_be_visible()
    # Joined: every seq from the result to the newest is there once, in order.
    seqs = shown_seqs(page)
    assert seqs == sorted(set(seqs))
    post_text(web_server, bob, chat, "and one more after joining")
    expect(page.get_by_text("and one more after joining", exact=True)).to_be_visible()


def test_people_groups_files_sections_and_the_keyboard(
    web_server: WebServer, new_context: Any
) -> None:
    tag = uuid.uuid4().hex[:4]
    alice = web_server.register(unique("alice"), "Alice Zhang")
    carol = web_server.register(unique("carol"), f"Carol {tag}")
    dave = web_server.register(unique("dave"), "Dave Chen")
    befriend(web_server, alice, carol)
    befriend(web_server, alice, dave)
    # Dave is found by the remark and the tag Alice gave him.
    web_server.api(
        alice["token"],
        "PATCH",
        f"/friends/{dave['user']['id']}",
        json={"remark": "评审专家", "tags": [f"review{tag}"]},
    )
    group = group_chat(web_server, alice, "评审小组", carol)
    file_id = web_server.upload(carol["token"], b"x" * 2048, "评审材料.pdf", "application/pdf")
    web_server.api(
        carol["token"],
        "POST",
        f"/conversations/{group}/messages",
        json={
            "client_msg_id": uuid.uuid4().hex,
            "type": "file",
            "body": {"file_id": file_id, "name": "评审材料.pdf", "size": 2048},
        },
    )
    post_text(web_server, carol, group, "明天上午评审新的方案")
    searched(web_server, alice, "评审", 2)

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    box = search_box(page)
    page.keyboard.press("Control+k")
    expect(box).to_be_focused()
    box.fill("评审")
    people = page.get_by_test_id("search-section-people")
    expect(people.get_by_test_id("search-row")).to_have_count(1)
    expect(people).to_contain_text("评审专家")
    groups = page.get_by_test_id("search-section-groups")
    expect(groups).to_contain_text("评审小组")
    files = page.get_by_test_id("search-section-files")
    expect(files).to_contain_text("评审材料.pdf")
    expect(page.get_by_test_id("search-section-messages")).to_contain_text("评审小组")
    # The tag finds Dave too; Carol by her nickname.
    box.fill(f"review{tag}")
    expect(page.get_by_test_id("search-section-people")).to_contain_text("评审专家")
    box.fill(f"Carol {tag}")
    expect(page.get_by_test_id("search-section-people")).to_contain_text(f"Carol {tag}")

    # Keyboard: ↓ moves over the rows, Enter opens the one chosen, Esc leaves the search.
    box.fill("评审")
    expect(page.get_by_test_id("search-section-files").get_by_test_id("search-row")).to_have_count(
        1
    )
    rows = page.get_by_test_id("search-row")
    box.press("ArrowDown")
    expect(rows.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(rows.nth(1)).to_have_attribute("aria-selected", "true")
    expect(rows.nth(1)).to_have_attribute("data-key", f"conversation:{group}")
    box.press("Enter")
    expect(page.get_by_test_id("chat-title")).to_have_text("评审小组")
    # The file row opens the group at the file message.
    page.get_by_test_id("search-section-files").get_by_test_id("search-row").click()
    expect(page.get_by_test_id("jump-target")).to_contain_text("评审材料.pdf")
    box.press("Escape")
    expect(box).to_have_value("")
    expect(page.get_by_test_id("search-results")).to_have_count(0)
    expect(page.get_by_test_id("conversation-list")).to_be_visible()


def test_a_friend_is_found_by_account_and_by_a_remark_given_while_signed_in(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    erin = web_server.register(unique("erin"), "Erin Wu")
    befriend(web_server, alice, erin)
    direct_chat(web_server, alice, erin)
    remark = f"财务对接{uuid.uuid4().hex[:4]}"

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    box = search_box(page)
    box.fill(erin["user"]["account"])
    people = page.get_by_test_id("search-section-people")
    expect(people.get_by_test_id("search-row")).to_have_count(1)
    expect(people).to_contain_text("Erin Wu")
    box.press("Escape")
    # A remark given now (another device, say) finds her at once, not after a reload.
    web_server.api(
        alice["token"], "PATCH", f"/friends/{erin['user']['id']}", json={"remark": remark}
    )
    expect(conversation_row(page, remark)).to_be_visible()
    box.fill(remark)
    expect(people.get_by_test_id("search-row")).to_have_count(1)
    expect(people).to_contain_text(remark)
    expect(page.get_by_test_id("search-section-conversations")).to_contain_text(remark)


def test_colleagues_and_departments_come_from_the_organization(
    web_server: WebServer, new_context: Any
) -> None:
    """Not friends: the organization's people and departments (as its visibility allows,
    tests/test_organization.py), with their departments; a department opens in Contacts, a
    colleague the chat with them."""
    admin = unique("admin")
    token = web_server.register(admin, "Admin")["token"]
    web_server.make_admin(admin)
    alice = web_server.register(unique("alice"), "Alice Zhang")
    mia = web_server.register(unique("mia"), f"Mia {uuid.uuid4().hex[:4]}")
    team = unique("研发部")
    team_id = web_server.api(token, "POST", "/org/departments", json={"name": team})["id"]
    for person in (alice, mia):
        web_server.api(
            token, "PUT", f"/org/departments/{team_id}/members/{person['user']['id']}", json={}
        )

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    box = search_box(page)
    box.fill(mia["user"]["nickname"])
    people = page.get_by_test_id("search-section-people")
    expect(people.get_by_test_id("search-row")).to_have_count(1)
    expect(people).to_contain_text(team)
    box.fill(team)
    department = people.locator(f"[data-key='department:{team_id}']")
    expect(department).to_be_visible()
    department.click()
    expect(page.get_by_test_id("org-crumb-current")).to_have_text(team)
    # Its people once each (the tab's first department and the result asked it together).
    members = page.get_by_test_id("org-person")
    expect(members.filter(has_text=mia["user"]["nickname"])).to_have_count(1)
    expect(members).to_have_count(2)


def scroll_to_all(page: Page, results: Any, count: int) -> None:
    """Scroll the results to their end until `count` have loaded (pages of 20)."""
    items = results.get_by_test_id("message-result")
    expect(items.first).to_be_visible()
    for _ in range(10):
        if items.count() >= count:
            break
        end = "el => { el.scrollTop = el.scrollHeight; }"
        results.locator(".message-results-list").evaluate(end)
        page.wait_for_timeout(150)
    expect(items).to_have_count(count)


def test_every_message_result_with_filters_and_paging(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    word = f"order{uuid.uuid4().hex[:5]}"
    with_bob = direct_chat(web_server, alice, bob)
    with_carol = direct_chat(web_server, alice, carol)
    seed(web_server, bob, with_bob, [f"{word} number {n}" for n in range(30)])
    seed(web_server, carol, with_carol, [f"{word} from carol {n}" for n in range(5)])
    post_text(web_server, bob, with_bob, f"see https://example.com/{word}")
    searched(web_server, alice, word, 36)

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    search_box(page).fill(word)
    section = page.get_by_test_id("search-section-messages")
    expect(section).to_contain_text("Bob Li")
    expect(section).to_contain_text("related messages")
    section.get_by_test_id("search-more").click()
    results = page.get_by_test_id("message-results")
    expect(results).to_be_visible()
    items = results.get_by_test_id("message-result")
    # 20 a page; the rest come by scrolling to the end.
    scroll_to_all(page, results, 36)
    expect(results.get_by_test_id("results-end")).to_be_visible()
    expect(items.first.locator("mark").first).to_have_text(word)
    # The keyboard moves among the results: down, up, to the end and back to the start.
    items.first.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(items.nth(2)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(items.nth(1)).to_be_focused()
    page.keyboard.press("End")
    expect(items.nth(35)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(items.nth(35)).to_be_focused()
    page.keyboard.press("Home")
    expect(items.first).to_be_focused()

    # One conversation, then one sender, then links only.
    results.get_by_test_id("filter-conversation").select_option(str(with_carol))
    expect(items).to_have_count(5)
    results.get_by_test_id("filter-conversation").select_option("")
    scroll_to_all(page, results, 36)
    results.get_by_test_id("filter-sender").select_option(str(bob["user"]["id"]))
    scroll_to_all(page, results, 31)
    results.get_by_test_id("filter-kind-link").click()
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("example.com")
    # A date range that ends before today finds nothing.
    results.get_by_test_id("filter-to").fill("2020-01-01")
    expect(items).to_have_count(0)
    expect(results.get_by_test_id("results-end")).to_contain_text("Nothing found")
    results.get_by_test_id("filter-to").fill("")
    expect(items).to_have_count(1)

    # Escape leaves the results; from the keyboard, a result opens its chat at the message.
    items.first.focus()
    page.keyboard.press("Escape")
    expect(results).to_have_count(0)
    search_box(page).fill(word)
    section.get_by_test_id("search-more").click()
    results.get_by_test_id("filter-kind-link").click()
    expect(items).to_have_count(1)
    items.first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("jump-target")).to_contain_text("example.com")


def test_in_chat_search_steps_through_the_hits(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    chat = direct_chat(web_server, alice, bob)
    other = direct_chat(web_server, alice, carol)
    texts = [filler(n) for n in range(1, 601)]
    for n in (50, 250, 450):
        texts[n - 1] = f"预算审批第{n}号"
    seed(web_server, bob, chat, texts)
    post_text(web_server, carol, other, "预算审批在另一个聊天")
    searched(web_server, alice, "预算审批", 4)

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    open_conversation(page, "Bob Li")
    page.get_by_test_id("composer-input").click()
    page.keyboard.press("Control+f")
    box = page.get_by_test_id("chat-search-input")
    expect(box).to_be_focused()
    box.fill("预算审批")
    # This chat's hits only: three, newest first.
    hits = page.get_by_test_id("chat-search-result")
    expect(hits).to_have_count(3)
    expect(hits.nth(0)).to_have_attribute("data-seq", "450")
    box.press("Enter")
    expect(page.get_by_test_id("chat-search-count")).to_have_text("1/3")
    expect(page.get_by_test_id("jump-target")).to_contain_text("预算审批第450号")
    page.get_by_test_id("chat-search-older").click()
    expect(page.get_by_test_id("chat-search-count")).to_have_text("2/3")
    expect(page.get_by_test_id("jump-target")).to_contain_text("预算审批第250号")
    box.press("Enter")
    expect(page.get_by_test_id("jump-target")).to_contain_text("预算审批第50号")
    page.get_by_test_id("chat-search-newer").click()
    expect(page.get_by_test_id("chat-search-count")).to_have_text("2/3")
    expect(page.get_by_test_id("jump-target")).to_contain_text("预算审批第250号")
    box.press("Escape")
    expect(page.get_by_test_id("chat-search")).to_have_count(0)
    # The header's button opens it again.
    page.get_by_test_id("chat-search-button").click()
    expect(page.get_by_test_id("chat-search-input")).to_be_focused()


def test_in_chat_paging_adds_older_hits_below_and_stepping_follows_them(
    web_server: WebServer, new_context: Any
) -> None:
    """Thirty hits, the five oldest the most relevant: newest first page after page (the
    server's relevance order, re-sorted per page, put a later page's hits above ones shown)."""
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    padding = " ".join(f"note{n}" for n in range(40))
    sent = [post_text(web_server, bob, chat, f"budget budget budget {n}") for n in range(5)]
    sent += [post_text(web_server, bob, chat, f"budget {n} {padding}") for n in range(25)]
    searched(web_server, alice, "budget", 30)
    newest_first = sorted(sent, reverse=True)

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    open_conversation(page, "Bob Li")
    page.get_by_test_id("chat-search-button").click()
    box = page.get_by_test_id("chat-search-input")
    box.fill("budget")
    hits = page.get_by_test_id("chat-search-result")
    expect(hits).to_have_count(20)
    expect(page.get_by_test_id("chat-search-count")).to_have_text("0/20+")

    def shown() -> list[int]:
        return [int(s) for s in hits.evaluate_all("els => els.map(e => e.dataset.seq)")]

    assert shown() == newest_first[:20]
    page.get_by_test_id("chat-search-more").click()
    expect(hits).to_have_count(30)
    assert shown() == newest_first
    # Stepping goes down the same list: the 20th, then the 21st (an older page's first).
    hits.nth(19).click()
    expect(page.get_by_test_id("jump-target")).to_have_attribute("data-seq", str(newest_first[19]))
    page.get_by_test_id("chat-search-older").click()
    expect(page.get_by_test_id("chat-search-count")).to_have_text("21/30")
    expect(page.get_by_test_id("jump-target")).to_have_attribute("data-seq", str(newest_first[20]))
    page.get_by_test_id("chat-search-newer").click()
    expect(page.get_by_test_id("chat-search-count")).to_have_text("20/30")
    expect(page.get_by_test_id("jump-target")).to_have_attribute("data-seq", str(newest_first[19]))


def test_the_searched_words_are_marked_in_the_bubble_until_the_search_closes(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    text = "@Alice Deployment 会议室 🚀 see https://example.com/deploy/会议 and redeploy"
    seq = post_text(web_server, bob, chat, text)
    seed(web_server, bob, chat, [filler(n) for n in range(1, 121)])
    searched(web_server, alice, "deploy 会议", 1)

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    search_box(page).fill("deploy 会议")
    page.get_by_test_id("search-section-messages").get_by_test_id("search-row").first.click()
    target = page.get_by_test_id("jump-target")
    expect(target).to_have_attribute("data-seq", str(seq))
    bubble = target.get_by_test_id("bubble-text")
    hits = bubble.get_by_test_id("bubble-hit")
    # Word prefixes (not "redeploy"), Chinese strings, inside the link too; the text, the
    # link and the emoji are whole.
    expect(hits).to_have_text(["Deployment", "会议", "deploy", "会议"])
    expect(bubble).to_have_text(text)
    link = bubble.locator("a")
    expect(link).to_have_attribute("href", "https://example.com/deploy/会议")
    expect(link.get_by_test_id("bubble-hit")).to_have_text(["deploy", "会议"])
    # The box emptied (Esc): the words are no longer marked; the message stays where it is.
    search_box(page).press("Escape")
    expect(hits).to_have_count(0)
    expect(bubble).to_have_text(text)

    # In-chat search marks the hit it steps to, until its bar closes.
    page.get_by_test_id("composer-input").click()
    page.keyboard.press("Control+f")
    box = page.get_by_test_id("chat-search-input")
    box.fill("会议")
    expect(page.get_by_test_id("chat-search-result")).to_have_count(1)
    box.press("Enter")
    expect(page.get_by_test_id("jump-target").get_by_test_id("bubble-hit")).to_have_text(
        ["会议", "会议"]
    )
    # Other messages carry no marks.
    expect(page.get_by_test_id("message-list").get_by_test_id("bubble-hit")).to_have_count(2)
    box.press("Escape")
    expect(page.get_by_test_id("chat-search")).to_have_count(0)
    expect(page.get_by_test_id("message-list").get_by_test_id("bubble-hit")).to_have_count(0)


def test_on_a_phone_results_fill_the_window_and_back_returns_to_them(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    befriend(web_server, alice, bob)
    chat = direct_chat(web_server, alice, bob)
    word = f"invoice{uuid.uuid4().hex[:5]}"
    seed(web_server, bob, chat, [f"{word} line {n}" for n in range(3)])
    searched(web_server, alice, word, 3)

    page: Page = new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    search_box(page).fill(word)
    section = page.get_by_test_id("search-section-messages")
    expect(section).to_contain_text("3 条相关聊天记录")
    section.get_by_test_id("search-more").click()
    results = page.get_by_test_id("message-results")
    expect(results).to_be_in_viewport()
    expect(page.get_by_test_id("conversation-list")).to_be_hidden()
    expect(results.get_by_test_id("message-result")).to_have_count(3)
    results.get_by_test_id("message-result").first.click()
    expect(page.get_by_test_id("jump-target")).to_contain_text(word)
    # Back from the chat: the results again; back from them: the search box's sections.
    page.get_by_test_id("back").click()
    expect(results).to_be_in_viewport()
    results.get_by_test_id("message-results-back").click()
    expect(page.get_by_test_id("search-results")).to_be_visible()
    # A person opens the chat with them.
    search_box(page).fill("Bob Li")
    page.get_by_test_id("search-section-people").get_by_test_id("search-row").first.click()
    expect(page.get_by_test_id("chat-title")).to_have_text("Bob Li")
