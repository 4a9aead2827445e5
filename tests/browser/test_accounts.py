"""Several accounts signed in in one web client (PRODUCT.md A8), switched without signing out."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, WebServer, unique
from tests.browser.pages import (
    bubble,
    conversation_row,
    direct_chat,
    open_conversation,
    post_text,
    sign_in,
)


def account_row(page: Page, account: str) -> Any:
    menu = page.get_by_test_id("account-menu")
    return menu.locator(f"[data-testid=account-row][data-account='{account}']")


def unread_of(page: Page, account: str) -> int:
    badge = account_row(page, account).get_by_test_id("account-unread")
    return int(badge.inner_text()) if badge.count() else 0


def open_account_menu(page: Page) -> None:
    if page.get_by_test_id("account-menu").count() == 0:
        page.get_by_test_id("account-menu-button").click()
    expect(page.get_by_test_id("account-menu")).to_be_visible()


def switch_to(page: Page, account: str) -> None:
    open_account_menu(page)
    account_row(page, account).click()
    expect(page.get_by_test_id("account-menu")).to_have_count(0)
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")


def add_account(page: Page, account: str) -> None:
    open_account_menu(page)
    page.get_by_test_id("add-account").click()
    form = page.get_by_test_id("sign-in")
    expect(form).to_be_visible()
    form.locator("input[name=account]").fill(account)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")


def test_two_accounts_get_their_own_messages_switch_back_and_forth_and_sign_out_one(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhao")
    bob = web_server.register(unique("bob"), "Bob Qian")
    carol = web_server.register(unique("carol"), "Carol Sun")
    to_alice = direct_chat(web_server, carol, alice)
    to_bob = direct_chat(web_server, carol, bob)
    a, b = alice["user"]["account"], bob["user"]["account"]

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, a, remember=True)
    add_account(page, b)
    # Bob is shown now; Alice stays signed in, listed, with no unread.
    open_account_menu(page)
    expect(account_row(page, a)).to_have_attribute("aria-checked", "false")
    expect(account_row(page, b)).to_have_attribute("aria-checked", "true")
    unread_before = unread_of(page, a)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("account-menu")).to_have_count(0)

    # A message to each arrives under the right account, live.
    post_text(web_server, carol, to_bob, "for bob only")
    post_text(web_server, carol, to_alice, "for alice only")
    expect(conversation_row(page, "Carol Sun")).to_contain_text("for bob only")
    expect(page.get_by_test_id("other-accounts-unread")).to_be_visible()
    open_account_menu(page)
    expect(account_row(page, a).get_by_test_id("account-unread")).to_have_text(
        str(unread_before + 1)
    )

    # Switch to Alice: her conversation, her message; a draft stays hers.
    account_row(page, a).click()
    expect(conversation_row(page, "Carol Sun")).to_contain_text("for alice only")
    open_conversation(page, "Carol Sun")
    expect(bubble(page, "for alice only")).to_be_visible()
    expect(bubble(page, "for bob only")).to_have_count(0)
    page.get_by_test_id("composer-input").fill("alice was typing")

    switch_to(page, b)
    open_conversation(page, "Carol Sun")
    expect(bubble(page, "for bob only")).to_be_visible()
    expect(bubble(page, "for alice only")).to_have_count(0)
    expect(page.get_by_test_id("composer-input")).to_have_value("")

    switch_to(page, a)
    open_conversation(page, "Carol Sun")
    expect(page.get_by_test_id("composer-input")).to_have_value("alice was typing")
    # Each account keeps its own local cache (IndexedDB per user).
    names = page.evaluate("indexedDB.databases().then(list => list.map(d => d.name))")
    assert {f"tidings-{alice['user']['id']}", f"tidings-{bob['user']['id']}"} <= set(names)

    # Sign Bob out (from his own settings): Alice stays signed in.
    switch_to(page, b)
    page.get_by_test_id("rail-settings").click()
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")
    page.get_by_test_id("rail-chats").click()
    expect(conversation_row(page, "Carol Sun")).to_contain_text("[Draft] alice was typing")
    open_account_menu(page)
    expect(page.locator("[data-testid=account-menu] [data-testid=account-row]")).to_have_count(1)
    expect(account_row(page, a)).to_be_visible()
    # The next visit brings Alice back (remembered), not Bob.
    page.reload()
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")
    open_account_menu(page)
    expect(page.locator("[data-testid=account-menu] [data-testid=account-row]")).to_have_count(1)


def test_a_forced_sign_out_is_shown_for_that_account_only(
    web_server: WebServer, new_context: Any
) -> None:
    dave = web_server.register(unique("dave"), "Dave Li")
    erin = web_server.register(unique("erin"), "Erin Ma")
    d, e = dave["user"]["account"], erin["user"]["account"]
    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, d)
    add_account(page, e)
    switch_to(page, d)

    # Erin signs in on another browser: her web session here is displaced.
    other: Page = new_context().new_page()
    sign_in(other, web_server.base_url, e)

    open_account_menu(page)
    expect(account_row(page, e)).to_contain_text("Signed in on another device")
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")
    # Choosing Erin asks for her password again, saying why; Dave is one click away.
    account_row(page, e).click()
    expect(page.get_by_test_id("forced-offline-notice")).to_contain_text("Erin Ma")
    expect(page.locator("input[name=account]")).to_have_value(e)
    page.get_by_test_id("cancel-sign-in").click()
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")


def test_accounts_are_listed_in_settings_on_a_phone(
    web_server: WebServer, new_context: Any
) -> None:
    fay = web_server.register(unique("fay"), "Fay Hu")
    gus = web_server.register(unique("gus"), "Gus He")
    page: Page = new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    sign_in(page, web_server.base_url, fay["user"]["account"])
    page.get_by_test_id("rail-settings").tap()
    card = page.get_by_test_id("accounts-card")
    card.get_by_test_id("add-account").tap()
    page.locator("input[name=account]").fill(gus["user"]["account"])
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("[data-testid=sign-in] button[type=submit]").tap()
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")
    page.get_by_test_id("rail-settings").tap()
    expect(page.get_by_test_id("my-name")).to_have_text("Gus He")
    rows = page.get_by_test_id("accounts-card").get_by_test_id("account-row")
    expect(rows).to_have_count(2)
    box = page.get_by_test_id("accounts-card").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    rows.filter(has_text="Fay Hu").tap()
    page.get_by_test_id("rail-settings").tap()
    expect(page.get_by_test_id("my-name")).to_have_text("Fay Hu")
