#!/usr/bin/env python3
"""Screenshots of the screenshot button's options and the image editor for docs/screenshots/.

For each of light/dark and Chinese/English, on the desktop and the phone layout: a picture of
the app itself (as a screenshot would be) sent into the chat, opened in the viewer and marked
up in the editor — a rectangle, an arrow, text and a mosaic over a name, the arrow selected.
Uses the demo server and helpers of scripts/screenshots.py.

    .venv/bin/python scripts/screenshots_editor.py     # needs the web build and /usr/bin/chromium
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import (
    COMBOS,
    DESKTOP,
    MOBILE,
    OUT,
    ROOT,
    Api,
    context_for,
    demo_server,
    launch_chromium,
    sign_in_page,
)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with demo_server() as (base, _), httpx.Client(timeout=30) as http:
        api = Api(base, http)
        shoot(base, api)


def open_bob(page: Page) -> None:
    page.get_by_test_id("conversation-row").filter(has_text="Bob").first.click()
    expect(page.get_by_test_id("composer-input")).to_be_visible()


def drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Drag across the editor's canvas between two points given in fractions of it."""
    box = page.get_by_test_id("editor-canvas").bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] * start[0], box["y"] + box["height"] * start[1])
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * end[0], box["y"] + box["height"] * end[1], steps=6)
    page.mouse.up()


def mark_up(page: Page, words: str) -> None:
    page.get_by_test_id("editor-size-1").click()
    drag(page, (0.36, 0.16), (0.72, 0.42))
    page.get_by_test_id("editor-tool-mosaic").click()
    drag(page, (0.02, 0.1), (0.28, 0.5))
    page.get_by_test_id("editor-tool-text").click()
    drag(page, (0.48, 0.62), (0.48, 0.62))
    page.keyboard.type(words)
    page.keyboard.press("Enter")
    page.get_by_test_id("editor-tool-arrow").click()
    page.get_by_test_id("editor-color-3").click()
    drag(page, (0.46, 0.66), (0.56, 0.44))
    page.wait_for_timeout(300)


def shoot(base: str, api: Api) -> None:
    bob = api.login("bob")
    direct = {c["name"]: c["id"] for c in api.call(bob, "GET", "/conversations")["conversations"]}[
        "Alice Zhang"
    ]
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for locale, theme in COMBOS:
            lang = "zh" if locale.startswith("zh") else "en"
            words = "看这里" if lang == "zh" else "Look here"
            for layout, size, mobile in (("desktop", DESKTOP, False), ("mobile", MOBILE, True)):
                page = context_for(browser, locale, theme, size, mobile).new_page()
                sign_in_page(page, base, "alice")
                open_bob(page)
                page.wait_for_timeout(400)
                if not mobile:
                    # The app itself, as a screenshot of it would be.
                    picture = page.screenshot()
                    file_id = api.upload(bob, picture, "screen.png", "image/png")
                    viewport: ViewportSize = size
                    api.say(
                        bob,
                        direct,
                        "image",
                        {
                            "file_id": file_id,
                            "width": viewport["width"],
                            "height": viewport["height"],
                            "name": "screen.png",
                        },
                    )
                    if (locale, theme) == ("en-US", "light") or (locale, theme) == (
                        "zh-CN",
                        "dark",
                    ):
                        page.get_by_test_id("screenshot-options").click()
                        expect(page.get_by_test_id("screenshot-menu")).to_be_visible()
                        page.wait_for_timeout(200)
                        page.screenshot(
                            path=str(OUT / f"desktop-screenshot-menu-{theme}-{lang}.png")
                        )
                        page.keyboard.press("Escape")
                expect(
                    page.locator("[data-testid=image-media][data-state=server]").last
                ).to_be_visible()
                page.locator("[data-testid=image-media][data-state=server]").last.click()
                page.get_by_test_id("viewer-edit").click()
                expect(page.get_by_test_id("editor-canvas")).to_be_visible()
                mark_up(page, words)
                path = OUT / f"{layout}-image-editor-{theme}-{lang}.png"
                page.screenshot(path=str(path))
                print(path.relative_to(ROOT))
                page.context.close()
        browser.close()


if __name__ == "__main__":
    main()
