"""Single sign-on by an app's one-time ticket in Chromium (issue 14 A6, decision 0067): the
browser opens /sso?ticket=...&next=... and lands in the web client signed in; the same
ticket again, or an expired one, shows the sign-in form saying why."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import unique
from tests.browser.server import WebServer
from tidings.auth.tokens import token_hash


def _app_token(server: WebServer) -> str:
    tidings = Path(sys.executable).parent / "tidings"
    name = unique("HR")
    out = subprocess.run(
        [str(tidings), "app", "create", name, "--scopes", "users:write sso", "--data-dir",
         str(server.data_dir)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    lines = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    reply = httpx.post(
        f"{server.base_url}/api/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(lines["client_id"], lines["client_secret"]),
    )
    reply.raise_for_status()
    token: str = reply.json()["access_token"]
    return token


def _app(server: WebServer, token: str, path: str, body: Any) -> Any:
    reply = httpx.post(
        f"{server.base_url}/api/v1/app/{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )
    reply.raise_for_status()
    return reply.json()


def test_a_ticket_signs_in_once_and_a_spent_or_expired_one_is_refused(
    web_server: WebServer, new_context: Any
) -> None:
    token = _app_token(web_server)
    key = unique("e")
    user = _app(web_server, token, "users", {"external_id": key, "nickname": "Mei Lin"})["user"]
    ticket = _app(web_server, token, "sso-tickets", {"user": {"external_id": key}, "next": "/"})
    page = new_context(locale="en-US").new_page()
    page.goto(web_server.base_url + ticket["url"])
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")
    assert "ticket" not in page.url
    page.screenshot(path="/tmp/appapi-sso-landed.png")
    # The same link again, in another browser: refused with a clear notice.
    again = new_context(locale="en-US").new_page()
    again.goto(web_server.base_url + ticket["url"])
    expect(again.get_by_text("This sign-in link was already used or has expired")).to_be_visible()
    expect(again.get_by_test_id("sign-in")).to_be_visible()
    # An expired ticket (stored as one asked for two minutes ago), in Chinese.
    expired = "expired" + key
    now = int(time.time() * 1000)
    with sqlite3.connect(web_server.data_dir / "tidings.db") as db:
        app_id = db.execute("SELECT max(id) FROM apps").fetchone()[0]
        db.execute(
            "INSERT INTO sso_tickets (ticket_hash, app_id, user_id, next_path, created_at,"
            " expires_at) VALUES (?, ?, ?, '/', ?, ?)",
            (token_hash(expired), app_id, user["id"], now - 120_000, now - 60_000),
        )
    zh = new_context(locale="zh-CN").new_page()
    zh.goto(f"{web_server.base_url}/sso?ticket={expired}&next=/")
    expect(zh.get_by_text("此登录链接已被使用或已过期")).to_be_visible()
    zh.screenshot(path="/tmp/appapi-sso-refused-zh.png")
