"""The console's customer-service agents page (客服坐席, J4, decision 0066) in Chromium: a super
admin finds people by name and makes them agents, sees who is on duty and how many chats each
holds, removes one (the server's list follows, audited), in English and in Chinese; an org
admin, without the power `service`, has no such page and the server refuses them."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect
from websockets.sync.client import connect

from tests.browser.admin_pages import menu, open_console, open_page
from tests.browser.conftest import PASSWORD, WebServer, unique
from tests.browser.pages import sign_in
from tests.support.raw import ws_url

SCREENSHOTS = Path(__file__).resolve().parents[2] / "data" / "screenshots"


def _add(console: Page, account: str) -> None:
    console.get_by_placeholder("Add an agent: find people by name or account").fill(account)
    results = console.get_by_test_id("service-results")
    expect(results.locator("li")).to_have_count(1)
    results.get_by_role("button", name="Add").click()


def _row(console: Page, account: str) -> Any:
    return console.locator(".adm-table tr", has_text=account)


def test_choose_agents_see_who_is_on_duty_and_remove_one(
    web_server: WebServer, new_context: Any
) -> None:
    admin = unique("svcboss")
    web_server.register(admin, "Boss")
    web_server.make_admin(admin)
    fang = web_server.register(unique("fang"), "Wang Fang")
    lei = web_server.register(unique("lei"), "Li Lei")
    fang_account, lei_account = fang["user"]["account"], lei["user"]["account"]

    console: Page = new_context().new_page()
    open_console(console, web_server.base_url, admin)
    open_page(console, "service")
    page = console.get_by_test_id("service-agents-page")
    expect(page).to_be_visible()
    _add(console, fang_account)
    expect(_row(console, fang_account)).to_contain_text("Wang Fang")
    _add(console, lei_account)
    expect(_row(console, lei_account)).to_contain_text("Li Lei")
    # Someone already an agent is not offered again.
    console.get_by_placeholder("Add an agent: find people by name or account").fill(fang_account)
    expect(console.get_by_test_id("service-results")).to_contain_text("Agent")

    # Wang Fang signs in to the chat app: on duty; a visitor writes and she takes the chat.
    desk = new_context().new_page()
    sign_in(desk, web_server.base_url, fang_account)
    desk.get_by_test_id("rail-service").click()
    visitor = httpx.post(f"{web_server.base_url}/api/v1/service/visitors", json={}).json()
    _visitor_says(web_server, visitor, "hello?")
    waiting = desk.get_by_test_id("service-waiting").get_by_test_id("service-item")
    expect(waiting).to_have_count(1)
    waiting.get_by_test_id("service-take").click()
    expect(desk.get_by_test_id("chat-title")).to_be_visible()

    console.get_by_test_id("service-refresh").click()
    fang_row = _row(console, fang_account)
    expect(fang_row).to_contain_text("On duty")
    expect(fang_row.locator("td").nth(3)).to_have_text("1")
    expect(_row(console, lei_account)).to_contain_text("Away")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console.screenshot(path=str(SCREENSHOTS / "admin-service-agents-en.png"))

    # In Chinese, then Li Lei is removed.
    console.get_by_role("combobox", name="Language").select_option("zh")
    expect(console.get_by_test_id("service-summary")).to_contain_text("坐席 2 人，在线 1 人")
    expect(_row(console, fang_account)).to_contain_text("在线")
    console.screenshot(path=str(SCREENSHOTS / "admin-service-agents-zh.png"))
    _row(console, lei_account).get_by_role("button", name="移除").click()
    _row(console, lei_account).get_by_role("button", name="确认移除").click()
    expect(_row(console, lei_account)).to_have_count(0)
    listed = web_server.api(_token(web_server, admin), "GET", "/admin/service/agents")
    assert [a["user_id"] for a in listed["agents"]] == [fang["user"]["id"]]

    # An org admin has no such page, and the server refuses them.
    org_admin = unique("orgadmin")
    registered = web_server.register(org_admin, "Org Admin")
    web_server.make_admin(org_admin, "org_admin")
    other: Page = new_context().new_page()
    open_console(other, web_server.base_url, org_admin)
    assert "users" in menu(other)
    assert "service" not in menu(other)
    for method in ("GET", "PUT"):
        refused = httpx.request(
            method,
            f"{web_server.base_url}/api/v1/admin/service/agents",
            json={"user_ids": [registered["user"]["id"]]} if method == "PUT" else None,
            headers={"Authorization": f"Bearer {registered['token']}"},
        )
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"


def _token(server: WebServer, account: str) -> str:
    response = server.http.post(
        f"{server.base_url}/api/v1/auth/login",
        json={"account": account, "password": PASSWORD, "platform": "api"},
    )
    response.raise_for_status()
    token: str = response.json()["token"]
    return token


def _visitor_says(server: WebServer, visitor: dict[str, Any], text: str) -> None:
    """The visitor's widget, as a bare WebSocket: sign in with its token and send."""
    with connect(ws_url(server.base_url)) as ws:
        ws.send(json.dumps({"id": 1, "op": "auth", "data": {"token": visitor["token"]}}))
        assert json.loads(ws.recv())["ok"] is True
        send = {
            "conversation_id": visitor["conversation_id"],
            "client_msg_id": uuid.uuid4().hex,
            "type": "text",
            "body": {"text": text},
        }
        ws.send(json.dumps({"id": 2, "op": "send", "data": send}))
        while (frame := json.loads(ws.recv())).get("id") != 2:
            pass
        assert frame["ok"] is True, frame
