#!/usr/bin/env python3
"""Screenshots of the settings kept on the server for docs/screenshots/ (PNG): notifications,
do-not-disturb and shortcuts in Settings, and a group's own alert choices in its details.
Light and dark, English and Chinese, desktop and the phone. Uses the demo server and helpers
of scripts/screenshots.py; Alice's settings are set over the WebSocket first (the server's
copy decides the theme and language on every device).

    .venv/bin/python scripts/screenshots_settings.py   # needs the web build and /usr/bin/chromium
"""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import DESKTOP, MOBILE, Api, demo_server, launch_chromium, shoot, sign_in

from tidings.sdk import TidingsClient

SCHEDULES = [
    {"kind": "work", "enabled": False, "days": [1, 2, 3, 4, 5], "start": "09:00", "end": "18:00"},
    {
        "kind": "night",
        "enabled": True,
        "days": [1, 2, 3, 4, 5, 6, 7],
        "start": "22:30",
        "end": "07:30",
    },
    {"kind": "weekend", "enabled": True, "days": [6, 7], "start": "00:00", "end": "00:00"},
]


def update_settings(base: str, token: str, changes: dict[str, Any]) -> None:
    async def run() -> None:
        async with TidingsClient(base, token=token) as client:
            await client.request("settings.update", {"changes": changes})

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def open_settings_at(page: Page, test_id: str, *, tap: bool = False) -> None:
    rail = page.get_by_test_id("rail-settings")
    if tap:
        rail.tap()
    else:
        rail.click()
    target = page.get_by_test_id(test_id)
    expect(target).to_be_visible()
    target.evaluate("el => el.scrollIntoView({block: 'start'})")


def desktop(browser: Browser, base: str, token: str, locale: str, theme: str, group: str) -> None:
    suffix = f"{theme}-{'zh' if locale == 'zh-CN' else 'en'}"
    update_settings(base, token, {"locale": locale, "theme": theme})
    page = sign_in(browser, base, locale=locale, theme=theme, viewport=DESKTOP, mobile=False)
    open_settings_at(page, "notification-settings")
    shoot(page, f"desktop-settings-notifications-{suffix}")
    page.get_by_test_id("shortcut-settings").evaluate("el => el.scrollIntoView({block: 'end'})")
    page.get_by_test_id("shortcut-next_unread").click()
    page.keyboard.press("Alt+A")  # the screenshot's: refused, with the reason
    expect(page.get_by_test_id("shortcut-problem")).to_be_visible()
    shoot(page, f"desktop-settings-shortcuts-{suffix}")
    page.keyboard.press("Escape")
    # A group's details: its own sound and pop-ups.
    page.get_by_test_id("rail-chats").click()
    page.locator(f"[data-testid=conversation-row][data-title='{group}']").click()
    page.get_by_test_id("group-info-button").click()
    alerts = page.get_by_test_id("conversation-alerts")
    expect(alerts).to_be_visible()
    alerts.evaluate("el => el.scrollIntoView({block: 'center'})")
    shoot(page, f"desktop-chat-alerts-{suffix}")
    # A person's profile: star them (they come through do-not-disturb), their chat's alerts.
    page.locator("[data-testid=conversation-row][data-title='Bob Li']").click()
    page.get_by_test_id("peer-profile-button").click()
    expect(page.get_by_test_id("person-alerts")).to_be_visible()
    shoot(page, f"desktop-profile-star-{suffix}")
    page.context.close()


def mobile(browser: Browser, base: str, token: str, locale: str, theme: str) -> None:
    suffix = f"{theme}-{'zh' if locale == 'zh-CN' else 'en'}"
    update_settings(base, token, {"locale": locale, "theme": theme})
    page = sign_in(browser, base, locale=locale, theme=theme, viewport=MOBILE, mobile=True)
    open_settings_at(page, "dnd-settings", tap=True)
    shoot(page, f"mobile-settings-dnd-{suffix}")
    page.get_by_test_id("shortcut-settings").evaluate("el => el.scrollIntoView({block: 'end'})")
    shoot(page, f"mobile-settings-shortcuts-{suffix}")
    page.context.close()


def main() -> int:
    with demo_server() as (base, _data_dir):
        with httpx.Client(timeout=30) as http:
            api = Api(base, http)
            alice = api.login("alice")
            bob_id = api.call(api.login("bob"), "GET", "/me")["id"]
            conversations = api.call(alice, "GET", "/conversations")["conversations"]
            group = next(c["name"] for c in conversations if c["type"] == "group")
        update_settings(
            base,
            alice,
            {
                "notifications": {"preview": False},
                "dnd": {"schedules": SCHEDULES, "time_zone": "Asia/Shanghai"},
                "starred": [bob_id],
                "shortcuts": {"search": "Alt+S"},
            },
        )
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for locale, theme in (
                ("en", "light"),
                ("zh-CN", "dark"),
                ("zh-CN", "light"),
                ("en", "dark"),
            ):
                desktop(browser, base, alice, locale, theme, group)
            mobile(browser, base, alice, "zh-CN", "light")
            mobile(browser, base, alice, "en", "dark")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
