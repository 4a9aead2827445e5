#!/usr/bin/env python3
"""Screenshots of the web client's main screens for docs/screenshots/ (PNG).

Starts a demo server (`tidings serve --demo`) on a free port with a throwaway data
directory, adds a little conversation through the REST API, and photographs the app in
Chromium: light and dark, Chinese and English, desktop and mobile.

    .venv/bin/python scripts/screenshots.py            # needs the web build and /usr/bin/chromium
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "tidings-demo"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def login(base: str, account: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/login",
        json={"account": account, "password": PASSWORD, "platform": "api"},
    )
    if response.status_code == 422:  # servers that refuse the platform string
        response = httpx.post(
            f"{base}/api/v1/auth/login", json={"account": account, "password": PASSWORD}
        )
    response.raise_for_status()
    token: str = response.json()["token"]
    return token


def say(base: str, token: str, conversation_id: int, text: str, reply_to: int | None = None) -> int:
    body: dict[str, Any] = {
        "client_msg_id": uuid.uuid4().hex,
        "type": "text",
        "body": {"text": text},
    }
    if reply_to is not None:
        body["reply_to_seq"] = reply_to
    response = httpx.post(
        f"{base}/api/v1/conversations/{conversation_id}/messages",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )
    response.raise_for_status()
    seq: int = response.json()["seq"]
    return seq


def conversations(base: str, token: str) -> dict[str, int]:
    response = httpx.get(
        f"{base}/api/v1/conversations", headers={"Authorization": f"Bearer {token}"}
    )
    return {c["name"] or "system": c["id"] for c in response.json()["conversations"]}


def seed(base: str) -> None:
    bob = login(base, "bob")
    carol = login(base, "carol")
    ids = conversations(base, bob)
    direct, group = ids["Alice Zhang"], ids["Tidings team"]
    first = say(base, bob, direct, "Could you review the release notes before 5pm? 📝")
    say(base, bob, direct, "Draft is here: https://example.com/notes/v1.2", reply_to=first)
    say(base, carol, group, "Standup moves to 10:30 tomorrow ☕")
    say(base, bob, group, "收到，我会准时参加。\n另外，新版本的测试报告已经上传。")
    say(base, carol, group, "👍 Thanks Bob!")


def sign_in(
    browser: Browser, base: str, *, locale: str, theme: str, viewport: dict[str, int], mobile: bool
) -> Page:
    context = browser.new_context(
        viewport=viewport,
        locale=locale,
        is_mobile=mobile,
        has_touch=mobile,
        device_scale_factor=2 if mobile else 1,
        color_scheme="dark" if theme == "dark" else "light",
    )
    page = context.new_page()
    page.goto(base)
    page.fill("input[name=account]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=remember]").set_checked(False)
    page.click("[data-testid=sign-in] button[type=submit]")
    expect(page.get_by_test_id("workspace")).to_have_attribute(
        "data-connection", "connected", timeout=15_000
    )
    return page


def shoot(page: Page, name: str) -> None:
    page.wait_for_timeout(400)
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path))
    print(path.relative_to(ROOT))


def open_chat(page: Page, title: str) -> None:
    page.locator(f"[data-testid=conversation-row][data-title='{title}']").click()
    expect(page.get_by_test_id("chat-title")).to_have_text(title)
    page.wait_for_timeout(600)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        tidings = Path(sys.executable).parent / "tidings"
        server = subprocess.Popen(
            [str(tidings), "serve", "--port", str(port), "--data-dir", data_dir, "--demo"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            seed(base)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                shots(browser, base)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


def shots(browser: Browser, base: str) -> None:
    # Sign-in screen.
    for locale, theme in (("en-US", "light"), ("zh-CN", "dark")):
        context = browser.new_context(viewport=DESKTOP, locale=locale, color_scheme=theme)
        page = context.new_page()
        page.goto(base)
        expect(page.get_by_test_id("sign-in")).to_be_visible()
        shoot(page, f"sign-in-{theme}-{locale[:2]}")
        context.close()

    # Desktop chat, group chat, settings, forward dialog.
    for locale, theme in (
        ("zh-CN", "light"),
        ("en-US", "dark"),
        ("en-US", "light"),
        ("zh-CN", "dark"),
    ):
        tag = f"{theme}-{locale[:2]}"
        page = sign_in(browser, base, locale=locale, theme=theme, viewport=DESKTOP, mobile=False)
        open_chat(page, "Tidings team")
        shoot(page, f"desktop-group-{tag}")
        open_chat(page, "Bob Li")
        shoot(page, f"desktop-chat-{tag}")
        if theme == "light" and locale == "en-US":
            message = (
                page.get_by_test_id("message")
                .filter(has_text="Thanks Alice")
                .get_by_test_id("bubble")
            )
            message.click(button="right")
            page.get_by_test_id("bubble-menu").get_by_role("menuitem", name="Forward").click()
            dialog = page.get_by_test_id("forward-dialog")
            dialog.locator("[data-testid=forward-target][data-title='Tidings team']").click()
            dialog.get_by_test_id("forward-note").fill("Nice feedback from Bob")
            shoot(page, f"desktop-forward-{tag}")
            page.keyboard.press("Escape")
            page.get_by_test_id("emoji-button").click()
            shoot(page, f"desktop-emoji-{tag}")
            page.keyboard.press("Escape")
        page.get_by_test_id("rail-settings").click()
        shoot(page, f"desktop-settings-{tag}")
        page.context.close()

    # Mobile: the list, then a chat.
    for locale, theme in (("zh-CN", "light"), ("en-US", "dark")):
        tag = f"{theme}-{locale[:2]}"
        page = sign_in(browser, base, locale=locale, theme=theme, viewport=MOBILE, mobile=True)
        shoot(page, f"mobile-list-{tag}")
        open_chat(page, "Tidings team")
        shoot(page, f"mobile-chat-{tag}")
        page.context.close()


if __name__ == "__main__":
    raise SystemExit(main())
