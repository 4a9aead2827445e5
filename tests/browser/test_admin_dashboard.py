"""The console's dashboard and audit log in Chromium (issue 13, K6; decision 0061): charts
with data and a range, the audit log listing and filtering what was just done, its CSV, and
an auditor who sees both pages but nothing they may not use."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.browser.admin_pages import menu, open_console, open_page
from tests.browser.conftest import WebServer, unique


def test_the_dashboard_charts_what_happened(web_server: WebServer, new_context: Any) -> None:
    admin = unique("dashadmin")
    web_server.register(admin, "Dash Admin")
    web_server.make_admin(admin)
    sender = web_server.register(unique("dashsender"), "Sender")
    friend = web_server.register(unique("dashfriend"), "Friend")
    group = web_server.api(
        sender["token"],
        "POST",
        "/conversations",
        json={"type": "group", "name": "Charts", "member_ids": [friend["user"]["id"]]},
    )
    for n in range(4):
        web_server.api(
            sender["token"],
            "POST",
            f"/conversations/{group['id']}/messages",
            json={"client_msg_id": uuid.uuid4().hex, "type": "text", "body": {"text": f"m{n}"}},
        )

    page = new_context().new_page()
    open_console(page, web_server.base_url, admin)
    open_page(page, "dashboard")
    # Counters are written every half second here: the cards show them once written.
    messages = page.locator("[data-stat=messages] .dash-card-value")
    expect(messages).not_to_have_text("0")
    assert int(messages.inner_text().replace(",", "")) >= 4
    expect(page.locator(".dash-chart")).to_have_count(3)
    expect(page.locator(".dash-chart canvas")).to_have_count(3)
    assert int(page.locator("[data-stat=groups] .dash-card-value").inner_text()) >= 1
    # The range: 30 days of points, the button pressed.
    with page.expect_response(lambda r: "/api/v1/admin/dashboard?days=30" in r.url) as answer:
        page.get_by_role("button", name="30 days").click()
    assert len(answer.value.json()["messages"]) == 30
    expect(page.get_by_role("button", name="30 days")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".dash-chart canvas")).to_have_count(3)
    # Dark: the charts are drawn again in the dark theme's colours.
    page.select_option("select[aria-label=Theme]", "dark")
    expect(page.locator(".dash-chart canvas")).to_have_count(3)
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(20, 23, 28)"


def test_the_audit_log_lists_filters_and_exports(web_server: WebServer, new_context: Any) -> None:
    admin = unique("auditadmin")
    signed_in = web_server.register(admin, "Audit Admin")
    web_server.make_admin(admin)
    target = web_server.register(unique("audited"), "Audited")
    target_id = target["user"]["id"]
    for verb in ("freeze", "unfreeze"):
        web_server.api(
            signed_in["token"], "POST", f"/admin/users/{target_id}/{verb}", json={"reason": "test"}
        )

    page = new_context().new_page()
    open_console(page, web_server.base_url, admin)
    open_page(page, "audit")
    rows = page.locator(".adm-table tbody tr")
    expect(rows.filter(has_text="user.freeze").filter(has_text=str(target_id))).to_have_count(1)
    expect(rows.filter(has_text="user.unfreeze").filter(has_text=str(target_id))).to_have_count(1)
    # Filtered to one action and this target: only that entry.
    page.fill("input[name=action]", "user.freeze")
    page.fill("input[name=target_id]", str(target_id))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("user.freeze")
    expect(rows.first).to_contain_text(admin)
    # Its details open in place.
    rows.first.click()
    expect(rows.first.locator(".audit-details")).to_contain_text('"reason": "test"')
    # The CSV holds the same filtered entry.
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line]
    assert len(lines) == 2 and "user.freeze" in lines[1] and str(target_id) in lines[1]
    # A filter that matches nothing says so.
    page.fill("input[name=action]", "no.such.action")
    expect(page.locator(".adm-empty")).to_contain_text("No entries match")


def test_an_auditor_sees_the_dashboard_and_audit_but_nothing_else(
    web_server: WebServer, new_context: Any
) -> None:
    auditor = unique("dashauditor")
    session = web_server.register(auditor, "Auditor")
    web_server.make_admin(auditor, "auditor")
    page = new_context(locale="zh-CN").new_page()
    open_console(page, web_server.base_url, auditor)
    pages = set(menu(page))
    assert {"dashboard", "audit"} <= pages
    assert not {"users", "settings", "org", "groups", "broadcasts"} & pages
    open_page(page, "dashboard")
    expect(page.locator(".adm-header h1")).to_have_text("数据看板")
    expect(page.locator(".dash-chart canvas")).to_have_count(3)
    open_page(page, "audit")
    expect(page.locator(".adm-header h1")).to_have_text("审计日志")
    expect(page.get_by_role("button", name="导出 CSV")).to_be_visible()
    # The API refuses what the menu does not offer.
    headers = {"Authorization": f"Bearer {session['token']}"}
    for method, path in (
        ("POST", f"/api/v1/admin/users/{session['user']['id']}/freeze"),
        ("GET", "/api/v1/admin/org"),
    ):
        answer = httpx.request(method, web_server.base_url + path, headers=headers, json={})
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
    answer = httpx.get(web_server.base_url + "/api/v1/admin/dashboard?days=90", headers=headers)
    assert answer.status_code == 200 and len(answer.json()["days"]) == 90
