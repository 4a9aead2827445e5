#!/usr/bin/env python3
"""Screenshots of the Me page, privacy and the password lock for docs/screenshots/ (PNG).

Alice and Bob have avatars (so the list and the chat show pictures instead of initials);
Alice's chat with Bob is behind the password lock. Desktop light/English and dark/Chinese:
the Me page, Privacy, the lock's settings, a locked chat and the locked app; the phone
(light/Chinese and dark/English): the Me tab, Privacy and the lock's settings. Uses the demo
server and helpers of scripts/screenshots.py.

    .venv/bin/python scripts/screenshots_me.py   # needs the web build and /usr/bin/chromium
"""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path

import httpx
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import DESKTOP, MOBILE, Api, demo_server, launch_chromium, shoot, sign_in

from tidings.sdk import TidingsClient

LOCK_CODE = "2468"


def portrait(background: tuple[int, int, int], skin: tuple[int, int, int]) -> bytes:
    """A simple square portrait: a head and shoulders on a colour."""
    size = 256
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse([48, 170, 208, 330], fill=(40, 55, 80))
    draw.ellipse([82, 48, 174, 150], fill=skin)
    draw.pieslice([76, 36, 180, 120], 180, 360, fill=(45, 35, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed(api: Api, base: str) -> None:
    alice, bob = api.login("alice"), api.login("bob")
    looks = {alice: ((250, 205, 120), (240, 200, 170)), bob: ((140, 190, 240), (225, 185, 150))}
    for token, (background, skin) in looks.items():
        avatar = api.upload(token, portrait(background, skin), "avatar.png", "image/png")
        api.call(token, "PATCH", "/me", json={"avatar": f"file:{avatar}"})
    api.call(alice, "PATCH", "/me", json={"signature": "Shipping Tidings 1.0 this week"})
    chats = api.call(alice, "GET", "/conversations")["conversations"]
    with_bob = next(c["id"] for c in chats if c["type"] == "direct" and c["name"] == "Bob Li")

    async def lock() -> None:
        async with TidingsClient(base, token=alice) as client:
            await client.request("me.lock.set", {"code": LOCK_CODE, "conversation_ids": [with_bob]})

    asyncio.run(lock())


def open_me(page: Page, mobile: bool) -> None:
    if mobile:
        page.get_by_test_id("rail-me").tap()
    else:
        page.get_by_test_id("account-menu-button").click()
        page.get_by_test_id("menu-open-me").click()
    expect(page.get_by_test_id("me")).to_be_visible()
    expect(page.get_by_test_id("me-avatar").locator("img")).to_be_visible()


def lock_settings(page: Page) -> None:
    page.get_by_test_id("me-open-lock").click()
    page.get_by_test_id("lock-manage").get_by_test_id("unlock-input").fill(LOCK_CODE)
    page.get_by_test_id("lock-manage").get_by_test_id("unlock-submit").click()
    expect(page.get_by_test_id("lock-chats")).to_be_visible()


def desktop(browser: Browser, base: str, locale: str, theme: str, suffix: str) -> None:
    page = sign_in(browser, base, locale=locale, theme=theme, viewport=DESKTOP, mobile=False)
    open_me(page, False)
    shoot(page, f"desktop-me-{suffix}")
    page.get_by_test_id("me-open-privacy").click()
    expect(page.get_by_test_id("privacy-settings")).to_be_visible()
    shoot(page, f"desktop-privacy-{suffix}")
    page.get_by_test_id("me-back").click()
    lock_settings(page)
    shoot(page, f"desktop-lock-{suffix}")
    page.get_by_test_id("rail-chats").click()
    page.locator("[data-testid=conversation-row][data-locked=true]").first.click()
    expect(page.get_by_test_id("locked-chat")).to_be_visible()
    shoot(page, f"desktop-locked-chat-{suffix}")
    page.get_by_test_id("account-menu-button").click()
    page.get_by_test_id("menu-open-me").click()
    lock_settings(page)
    page.get_by_test_id("lock-now").click()
    expect(page.get_by_test_id("app-lock")).to_be_visible()
    shoot(page, f"desktop-app-lock-{suffix}")
    page.context.close()


def mobile(browser: Browser, base: str, locale: str, theme: str, suffix: str) -> None:
    page = sign_in(browser, base, locale=locale, theme=theme, viewport=MOBILE, mobile=True)
    expect(
        page.get_by_test_id("conversation-list").locator("img.avatar-image").first
    ).to_be_visible()
    shoot(page, f"mobile-list-avatars-{suffix}")
    open_me(page, True)
    shoot(page, f"mobile-me-{suffix}")
    page.get_by_test_id("me-open-privacy").tap()
    expect(page.get_by_test_id("privacy-settings")).to_be_visible()
    shoot(page, f"mobile-privacy-{suffix}")
    page.get_by_test_id("me-back").tap()
    lock_settings(page)
    shoot(page, f"mobile-lock-{suffix}")
    page.context.close()


def main() -> int:
    with demo_server() as (base, _data_dir):
        with httpx.Client(timeout=30) as http:
            seed(Api(base, http), base)
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            desktop(browser, base, "en-US", "light", "light-en")
            desktop(browser, base, "zh-CN", "dark", "dark-zh")
            mobile(browser, base, "zh-CN", "light", "light-zh")
            mobile(browser, base, "en-US", "dark", "dark-en")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
