"""The console's users and groups pages (issue 13, K1/K2): freezing a user who is signed in to
the chat app in another browser throws them out with the frozen notice and keeps them out;
unfreezing lets them back. Creating a user shows the one-time password once; the groups page
finds a group and disbands it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.admin_pages import open_console, open_page
from tests.browser.conftest import PASSWORD, WebServer, unique
from tests.browser.pages import sign_in


def _open_user(page: Page, account: str) -> None:
    page.locator(".adm-search").fill(account)
    row = page.locator(".adm-table tr", has_text=account)
    expect(row).to_have_count(1)
    row.click()
    expect(page.get_by_role("dialog")).to_contain_text(account)


def test_freeze_throws_the_user_out_and_unfreeze_lets_them_back(
    web_server: WebServer, new_context: Any
) -> None:
    admin = unique("admin")
    web_server.register(admin, "Admin")
    web_server.make_admin(admin, "org_admin")
    worker = unique("worker")
    web_server.register(worker, "Worker")

    chat = new_context().new_page()
    sign_in(chat, web_server.base_url, worker)

    console = new_context().new_page()
    open_console(console, web_server.base_url, admin)
    open_page(console, "users")
    _open_user(console, worker)
    dialog = console.get_by_role("dialog")
    # The chat app's session is listed; then the account is frozen.
    expect(dialog.locator(".adm-users-sessions li")).not_to_have_count(0)
    dialog.get_by_role("button", name="Freeze", exact=True).click()
    dialog.get_by_role("button", name="Freeze and sign out everywhere").click()
    expect(dialog.locator(".adm-badge.bad")).to_have_text("Frozen")
    expect(dialog).to_contain_text("No live session.")

    # Thrown out at once, with the words for it; signing in again is refused.
    expect(chat.get_by_test_id("sign-in")).to_be_visible()
    expect(chat.get_by_test_id("sign-in")).to_contain_text("An administrator froze this account")
    chat.fill("input[name=account]", worker)
    chat.fill("input[name=password]", PASSWORD)
    chat.click("[data-testid=sign-in] button[type=submit]")
    expect(chat.get_by_test_id("sign-in")).to_contain_text("This account is frozen")

    # The list's filter shows them among the frozen.
    console.keyboard.press("Escape")
    console.select_option("select[aria-label=Status]", "frozen")
    expect(console.locator(".adm-table tr", has_text=worker)).to_have_count(1)
    console.select_option("select[aria-label=Status]", "")

    _open_user(console, worker)
    dialog.get_by_role("button", name="Unfreeze", exact=True).click()
    dialog.get_by_role("button", name="Unfreeze now").click()
    expect(dialog.locator(".adm-badge.good")).to_have_text("Active")
    sign_in(chat, web_server.base_url, worker)


def test_create_a_user_with_a_one_time_password_in_chinese(
    web_server: WebServer, new_context: Any
) -> None:
    admin = unique("admin")
    web_server.register(admin, "Admin")
    web_server.make_admin(admin)
    console = new_context(locale="zh-CN").new_page()
    open_console(console, web_server.base_url, admin)
    open_page(console, "users")
    expect(console.locator(".adm-header h1")).to_have_text("用户")
    console.get_by_role("button", name="新建用户").click()
    dialog = console.get_by_role("dialog")
    account = unique("new")
    dialog.get_by_label("账号").fill(account)
    dialog.get_by_label("姓名").fill("新同事")
    dialog.get_by_role("button", name="创建").click()
    one_time = dialog.get_by_test_id("one-time-password")
    expect(one_time).to_be_visible()
    password = one_time.inner_text()
    assert len(password) == 16
    dialog.get_by_role("button", name="完成").click()
    expect(console.locator(".adm-table tr", has_text=account)).to_have_count(1)
    # The one-time password signs in to a password change only.
    chat = new_context().new_page()
    chat.goto(web_server.base_url)
    chat.fill("input[name=account]", account)
    chat.fill("input[name=password]", password)
    chat.click("[data-testid=sign-in] button[type=submit]")
    expect(chat.locator("input[name=newPassword], input[type=password]").first).to_be_visible()


def test_groups_page_finds_and_disbands_a_group(web_server: WebServer, new_context: Any) -> None:
    admin = unique("admin")
    web_server.register(admin, "Admin")
    web_server.make_admin(admin, "org_admin")
    owner = web_server.register(unique("owner"), "Owner")
    member = web_server.register(unique("member"), "Member")
    name = unique("Group ")
    group = web_server.api(
        owner["token"],
        "POST",
        "/conversations",
        json={"type": "group", "name": name, "member_ids": [member["user"]["id"]]},
    )
    number = group["id"] + 100_000

    console = new_context().new_page()
    open_console(console, web_server.base_url, admin)
    open_page(console, "groups")
    console.locator(".adm-search").fill(str(number))
    row = console.locator(".adm-table tr", has_text=name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("2 /")
    row.click()
    dialog = console.get_by_role("dialog")
    expect(dialog.locator(".adm-table tr", has_text="Member")).to_have_count(1)
    dialog.get_by_role("button", name="Disband", exact=True).click()
    dialog.get_by_role("button", name="Disband for everyone").click()
    expect(dialog).to_contain_text("Disbanded")
    console.keyboard.press("Escape")
    console.select_option("select[aria-label=Status]", "disbanded")
    expect(console.locator(".adm-table tr", has_text=name)).to_have_count(1)
    info = web_server.api(member["token"], "GET", f"/groups/{group['id']}")
    assert info["disbanded"] is True
