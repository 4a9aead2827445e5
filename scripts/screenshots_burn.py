#!/usr/bin/env python3
"""Screenshots of burn after reading for docs/screenshots/ (PNG).

The recipient's sealed (blurred) text and picture, the same text opened and counting down,
and the sender's side: "opened · burns in N s" with the composer's burn toggle and its
notice that screenshots are not prevented. Light and dark, Chinese and English, desktop and
mobile. Uses the demo server and helpers of scripts/screenshots.py, with a countdown long
enough to photograph.

    .venv/bin/python scripts/screenshots_burn.py   # needs the web build and /usr/bin/chromium
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import (
    DESKTOP,
    MOBILE,
    OUT,
    Api,
    context_for,
    demo_server,
    landscape,
    launch_chromium,
    open_chat,
    shoot,
    sign_in_page,
)

BURN_ENV = {"TIDINGS_BURN_TEXT_SECONDS": "45", "TIDINGS_BURN_MEDIA_SECONDS": "45"}
SHOTS = (
    ("zh-CN", "light", DESKTOP, False),
    ("en-US", "dark", DESKTOP, False),
    ("en-US", "light", DESKTOP, False),
    ("zh-CN", "dark", DESKTOP, False),
    ("zh-CN", "light", MOBILE, True),
    ("en-US", "dark", MOBILE, True),
)


def page_of(
    browser: Browser, base: str, account: str, locale: str, theme: str, viewport: ViewportSize
) -> Page:
    mobile = viewport == MOBILE
    page: Page = context_for(browser, locale, theme, viewport, mobile).new_page()
    sign_in_page(page, base, account)
    return page


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        demo_server(BURN_ENV) as (base, _data_dir),
        httpx.Client(timeout=30) as http,
        sync_playwright() as playwright,
    ):
        api = Api(base, http)
        alice, bob = api.login("alice"), api.login("bob")
        bob_id = api.call(bob, "GET", "/me")["id"]
        direct = api.call(
            alice, "POST", "/conversations", json={"type": "direct", "peer_id": bob_id}
        )
        conversation = int(direct["id"])
        picture = api.upload(alice, landscape(960, 640), "beach.jpg", "image/jpeg")
        browser = launch_chromium(playwright)
        try:
            for locale, theme, viewport, mobile in SHOTS:
                tag = f"{'mobile' if mobile else 'desktop'}-burn-%s-{theme}-{locale[:2]}"
                zh = locale.startswith("zh")
                # Each set of pictures starts from an empty chat.
                for token in (alice, bob):
                    api.call(token, "POST", f"/conversations/{conversation}/clear")
                intro = "周五的门禁密码👇" if zh else "The door code for Friday 👇"
                api.text(alice, conversation, intro)
                secret = "4-7-1-9，看完就忘了吧" if zh else "4-7-1-9, forget it once read"
                api.say(alice, conversation, "text", {"text": secret, "burn": True})
                body = {"file_id": picture, "width": 960, "height": 640, "burn": True}
                api.say(alice, conversation, "image", body)

                page = page_of(browser, base, "bob", locale, theme, viewport)
                open_chat(page, "Alice Zhang")
                sealed = page.get_by_test_id("burn-sealed")
                expect(sealed).to_have_count(2)
                shoot(page, tag % "sealed")
                sealed.first.click()
                expect(page.get_by_test_id("burn-countdown")).to_be_visible()
                shoot(page, tag % "countdown")
                page.context.close()

                page = page_of(browser, base, "alice", locale, theme, viewport)
                open_chat(page, "Bob Li")
                expect(page.get_by_test_id("burn-countdown").first).to_be_visible()
                page.get_by_test_id("burn-toggle").click()
                expect(page.get_by_test_id("burn-banner")).to_be_visible()
                shoot(page, tag % "sender")
                page.context.close()
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
