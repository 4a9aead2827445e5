"""Content moderation in the browser (issue 13, K7): a user reports a message from the chat
app; a reviewer opens the console's Moderation page and resolves the report into a recall,
which the reporter's chat shows at once; the word list is edited on its own tab."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.admin_pages import open_console, open_page
from tests.browser.conftest import WebServer, unique
from tests.browser.pages import (
    bubble,
    bubble_menu,
    group_chat,
    open_conversation,
    post_text,
    sign_in,
)


def test_a_reported_message_is_recalled_by_a_reviewer(
    web_server: WebServer, new_context: Any
) -> None:
    reporter = web_server.register(unique("rep"), "Rita Reporter")
    sender = web_server.register(unique("snd"), "Sam Sender")
    reviewer = unique("rev")
    web_server.register(reviewer, "Vera Reviewer")
    web_server.make_admin(reviewer)
    title = unique("Team")
    chat = group_chat(web_server, sender, title, reporter)
    post_text(web_server, sender, chat, "buy cheap coins now")

    page = new_context().new_page()
    sign_in(page, web_server.base_url, reporter["user"]["account"])
    open_conversation(page, title)
    bubble_menu(page, "buy cheap coins now", "Report")
    dialog = page.get_by_test_id("report-dialog")
    expect(dialog).to_contain_text("buy cheap coins now")
    expect(dialog.get_by_test_id("report-send")).to_be_disabled()
    dialog.get_by_test_id("report-reason-fraud").check()
    dialog.get_by_test_id("report-note").fill("a scam in our team chat")
    dialog.get_by_test_id("report-send").click()
    expect(dialog.get_by_test_id("report-sent")).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    # One's own messages offer no "Report".
    page.get_by_test_id("composer-input").fill("my own words")
    page.get_by_test_id("composer-input").press("Enter")
    bubble(page, "my own words").get_by_test_id("bubble").click(button="right")
    expect(page.get_by_test_id("menu-report")).to_have_count(0)
    page.keyboard.press("Escape")

    console = new_context().new_page()
    open_console(console, web_server.base_url, reviewer)
    open_page(console, "moderation")
    row = console.locator(".adm-table tbody tr").filter(has_text="buy cheap coins now")
    expect(row).to_contain_text("Fraud")
    expect(row).to_contain_text("Rita Reporter")
    row.click()
    review = console.get_by_role("dialog", name="Review a report")
    expect(review).to_contain_text("a scam in our team chat")
    review.get_by_role("button", name="Recall the message").click()
    review.get_by_role("button", name="Recall", exact=True).click()
    expect(review).to_have_count(0)
    # Resolved: gone from the open queue, shown under "Resolved" with what was done.
    expect(
        console.locator(".adm-table tbody tr").filter(has_text="buy cheap coins now")
    ).to_have_count(0)
    console.select_option("select[aria-label=Status]", "resolved")
    expect(
        console.locator(".adm-table tbody tr").filter(has_text="buy cheap coins now")
    ).to_contain_text("Message recalled")

    # The reporter's open chat shows the recall without a reload.
    expect(bubble(page, "buy cheap coins now")).to_have_count(0)
    expect(page.get_by_test_id("chat-notice").filter(has_text="recalled a message")).to_be_visible()


def test_the_word_list_is_edited_in_the_console(web_server: WebServer, new_context: Any) -> None:
    reviewer = unique("words")
    web_server.register(reviewer, "Wanda Words")
    web_server.make_admin(reviewer)
    console = new_context(locale="zh-CN").new_page()
    open_console(console, web_server.base_url, reviewer)
    open_page(console, "moderation")
    console.get_by_role("tab", name="敏感词").click()
    word = unique("zz").lower()
    console.get_by_role("button", name="添加敏感词").click()
    add = console.get_by_role("dialog", name="添加敏感词")
    add.locator("textarea").fill(f"{word}\n{word}违规")
    add.get_by_role("button", name="添加 2 个").click()
    console.get_by_role("searchbox").fill(word)
    rows = console.locator(".adm-table tbody tr")
    expect(rows).to_have_count(2)
    console.select_option(f"select[aria-label='处理方式: {word}']", "flag")
    expect(console.locator(f"select[aria-label='处理方式: {word}']")).to_have_value("flag")
    rows.filter(has_text=f"{word}违规").get_by_role("button", name="删除").click()
    rows.filter(has_text=f"{word}违规").get_by_role("button", name="确认删除").click()
    expect(rows).to_have_count(1)
