"""The console's Workbench page (J6, decision 0069) in Chromium: a super admin adds a workbench
app for one person found by name, sees that person by name (not "#id") when editing it again,
renames it and adds someone; the app shows in the chat app's Workbench tab of the people in
its audience and of no one else. An org admin, without the power, has no Workbench entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.admin_pages import menu, open_console, open_page
from tests.browser.conftest import WebServer, unique
from tests.browser.pages import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "data" / "screenshots"


def _add_person(dialog: Any, query: str, shown: str) -> None:
    dialog.get_by_placeholder("Find people by name or account").fill(query)
    dialog.get_by_role("button", name=f"+ {shown}").click()
    expect(dialog.locator(".bc-chips")).to_contain_text(shown)


def _workbench_apps(page: Page) -> Any:
    page.get_by_test_id("rail-workbench").click()
    expect(page.get_by_test_id("workbench")).to_be_visible()
    return page.get_by_test_id("workbench-app")


def test_add_edit_and_show_a_workbench_app_to_its_audience_only(
    web_server: WebServer, new_context: Any
) -> None:
    admin = unique("wbboss")
    web_server.register(admin, "Boss")
    web_server.make_admin(admin)
    alice = web_server.register(unique("alice"), "Alice Zhao")
    carol = web_server.register(unique("carol"), "Carol Sun")
    bob = web_server.register(unique("bob"), "Bob Qian")
    alice_name = f"Alice Zhao ({alice['user']['account']})"
    carol_name = f"Carol Sun ({carol['user']['account']})"
    name = unique("Leave")

    console: Page = new_context().new_page()
    open_console(console, web_server.base_url, admin)
    open_page(console, "workbench")
    console.get_by_test_id("workbench-register").click()
    dialog = console.get_by_role("dialog", name="Add a workbench app")
    dialog.locator("input[name=name]").fill(name)
    dialog.locator("input[name=url]").fill("http://127.0.0.2:9/leave/")
    dialog.locator("input[name=description]").fill("Ask for days off")
    dialog.locator("input[name=everyone]").uncheck()
    _add_person(dialog, alice["user"]["account"], alice_name)
    dialog.get_by_test_id("workbench-save").click()
    expect(dialog).to_be_hidden()
    row = console.locator(".adm-table tr", has_text=name)
    expect(row).to_contain_text("http://127.0.0.2:9/leave/")
    expect(row).to_contain_text("1 people")

    # Editing it again: the audience shows who, by name.
    row.click()
    dialog = console.get_by_role("dialog", name=name)
    chips = dialog.locator(".bc-chips li")
    expect(chips).to_have_count(1)
    expect(chips).to_contain_text(alice_name)
    expect(dialog.locator(".bc-chips")).not_to_contain_text("#")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console.screenshot(path=str(SCREENSHOTS / "admin-workbench-edit-en.png"))
    renamed = f"{name} requests"
    dialog.locator("input[name=name]").fill(renamed)
    _add_person(dialog, carol["user"]["account"], carol_name)
    dialog.get_by_test_id("workbench-save").click()
    expect(dialog).to_be_hidden()
    row = console.locator(".adm-table tr", has_text=renamed)
    expect(row).to_contain_text("2 people")
    # Saved as shown: opening it once more shows both, by name.
    row.click()
    dialog = console.get_by_role("dialog", name=renamed)
    expect(dialog.locator(".bc-chips li")).to_have_text([f"{alice_name}×", f"{carol_name}×"])
    dialog.get_by_role("button", name="×", exact=True).click()

    # The chat app: those in the audience see it, someone else does not.
    for person, sees in ((alice, True), (carol, True), (bob, False)):
        page = new_context().new_page()
        sign_in(page, web_server.base_url, person["user"]["account"])
        apps = _workbench_apps(page)
        mine = apps.filter(has_text=renamed)
        if sees:
            expect(mine).to_have_count(1)
        else:
            expect(page.get_by_test_id("workbench-empty").or_(apps.first)).to_be_visible()
            expect(mine).to_have_count(0)
        page.close()

    org_admin = unique("orgadmin")
    web_server.register(org_admin, "Org Admin")
    web_server.make_admin(org_admin, "org_admin")
    other: Page = new_context().new_page()
    open_console(other, web_server.base_url, org_admin)
    assert "org" in menu(other)
    assert "workbench" not in menu(other)
