"""The console's Broadcasts page (issue 13, K5/D1; decision 0058): an admin broadcasts a notice
with a picture to one department from the console; a member of it, signed in to the chat app,
sees it arrive in their system notices; a member of another department does not."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.admin_pages import open_console, open_page
from tests.browser.conftest import WebServer, unique
from tests.browser.pages import conversation_row, sign_in


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 60), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def test_a_broadcast_to_a_department_reaches_its_members_only(
    web_server: WebServer, new_context: Any
) -> None:
    admin = unique("admin")
    token = web_server.register(admin, "Admin")["token"]
    web_server.make_admin(admin)
    member = web_server.register(unique("member"), "Mia Member")
    outsider = web_server.register(unique("outsider"), "Otto Outsider")
    team, other = unique("Ops"), unique("Legal")
    team_id = web_server.api(token, "POST", "/org/departments", json={"name": team})["id"]
    other_id = web_server.api(token, "POST", "/org/departments", json={"name": other})["id"]
    web_server.api(
        token, "PUT", f"/org/departments/{team_id}/members/{member['user']['id']}", json={}
    )
    web_server.api(
        token, "PUT", f"/org/departments/{other_id}/members/{outsider['user']['id']}", json={}
    )

    # The member and the outsider have the chat app open.
    member_page: Page = new_context().new_page()
    sign_in(member_page, web_server.base_url, member["user"]["account"])
    conversation_row(member_page, "System notices").click()
    outsider_page: Page = new_context().new_page()
    sign_in(outsider_page, web_server.base_url, outsider["user"]["account"])

    console: Page = new_context().new_page()
    open_console(console, web_server.base_url, admin)
    open_page(console, "broadcasts")
    console.get_by_role("button", name="New broadcast").click()
    dialog = console.get_by_role("dialog", name="New broadcast")
    dialog.locator("input[name=title]").fill("Fire drill on Friday")
    dialog.locator("textarea[name=text]").fill("Meet at the car park at 10:00.")
    dialog.locator("input[name=url]").fill("https://intranet.example/drill")
    dialog.locator("input[name=image]").set_input_files(
        files=[{"name": "map.png", "mimeType": "image/png", "buffer": _png()}]
    )
    expect(dialog.locator(".adm-field-hint")).to_have_text("map.png")
    dialog.locator(f"input[data-department='{team}']").check()
    expect(dialog.get_by_test_id("bc-reach")).to_have_text("Reaches 1 people")
    dialog.get_by_role("button", name="Send now").click()
    expect(dialog).to_be_hidden()

    row = console.locator(".adm-table tr", has_text="Fire drill on Friday")
    expect(row.locator(".adm-badge")).to_have_text("Sent")
    expect(row.get_by_test_id("bc-delivered")).to_have_text("1 / 1")

    # The member sees it arrive, picture, text and link, without reloading.
    card = member_page.locator(".notice-card", has_text="Fire drill on Friday")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Meet at the car park at 10:00.")
    expect(card.locator("a.notice-link")).to_have_attribute(
        "href", "https://intranet.example/drill"
    )
    expect(card.locator("img")).to_be_visible()
    # The outsider's system notices hold no such notice.
    conversation_row(outsider_page, "System notices").click()
    expect(outsider_page.locator(".notice-card").first).to_be_visible()
    expect(outsider_page.locator(".notice-card", has_text="Fire drill on Friday")).to_have_count(0)

    # Once the member has read it, the list counts one read.
    console.get_by_role("button", name="Refresh").click()
    expect(row.locator("td").nth(5)).to_have_text("1")
