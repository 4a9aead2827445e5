#!/usr/bin/env python3
"""Screenshots of the offline start and the update offer for docs/screenshots/ (PNG).

The app opened again without a network (the page from the service worker, the conversations
and messages from IndexedDB) with a message written offline waiting to be sent, and the
"A new version is ready — Reload" offer after a deploy (simulated, as the browser test does,
by a new version in the served sw.js). Light and dark, Chinese and English, desktop and
mobile; and a message's menu opened by a long press on a phone. Each offline picture has a
demo server of its own (stopped while the app starts offline) serving a copy of the build,
so that its sw.js can change; helpers of scripts/screenshots.py.

    .venv/bin/python scripts/screenshots_offline.py   # needs the web build and /usr/bin/chromium
"""

from __future__ import annotations

import itertools
import re
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from screenshots import (
    DESKTOP,
    MOBILE,
    ROOT,
    context_for,
    launch_chromium,
    open_chat,
    shoot,
    sign_in_page,
)
from tests.browser.server import free_port, running_server

STATIC = ROOT / "src" / "tidings" / "static"
WRITTEN_OFFLINE = {"en-US": "Running late, see you at 10", "zh-CN": "路上堵车，十点见"}


def deploy(static: Path, build: int) -> None:
    """A new version: the same build, its service worker with another version string."""
    worker = static / "sw.js"
    text = re.sub(
        r'\\"version\\":\\"[0-9a-z-]+\\"',
        f'\\\\"version\\\\":\\\\"shot-{build}\\\\"',
        worker.read_text(),
    )
    worker.write_text(text)
    for copy in ("sw.js.br", "sw.js.gz"):
        (static / copy).unlink(missing_ok=True)


def shots(browser: Browser, static: Path) -> None:
    builds = itertools.count(1)
    for (locale, theme), (device, viewport) in itertools.product(
        (("en-US", "light"), ("zh-CN", "dark"), ("zh-CN", "light"), ("en-US", "dark")),
        (("desktop", DESKTOP), ("mobile", MOBILE)),
    ):
        tag = f"{device}-{{}}-{theme}-{locale[:2]}"
        # A demo server of its own, stopped for the offline start: nothing can reach it (the
        # browser's offline switch does not cover the shared connection's worker).
        env = {"TIDINGS_DEMO": "true", "TIDINGS_STATIC_DIR": str(static)}
        port = free_port()
        with tempfile.TemporaryDirectory() as data:
            with running_server(Path(data), env, port=port) as server:
                base = server.base_url
                context = context_for(browser, locale, theme, viewport, device == "mobile")
                page = context.new_page()
                sign_in_page(page, base, "alice", remember=True)
                page.wait_for_function("() => navigator.serviceWorker.controller !== null")
                open_chat(page, "Bob Li")
                page.wait_for_timeout(800)  # the SDK writes its cache 0.4 s after a change
                page.close()

            context.set_offline(True)
            page = context.new_page()
            page.goto(base)
            expect(page.get_by_test_id("connection-banner")).to_be_visible()
            open_chat(page, "Bob Li")
            box = page.get_by_test_id("composer-input")
            box.fill(WRITTEN_OFFLINE[locale])
            box.press("Enter")
            shoot(page, tag.format("offline"))

            with running_server(Path(data), env, port=port):
                context.set_offline(False)
                expect(page.get_by_test_id("workspace")).to_have_attribute(
                    "data-connection", "connected", timeout=15_000
                )
                deploy(static, next(builds))
                page.evaluate(
                    "() => navigator.serviceWorker.getRegistration().then((r) => r.update())"
                )
                expect(page.get_by_test_id("update-prompt")).to_be_visible()
                shoot(page, tag.format("update"))
                context.close()


def long_press(browser: Browser, static: Path) -> None:
    """A phone: press and hold a message for its menu (CDP touch events, as a finger would)."""
    env = {"TIDINGS_DEMO": "true", "TIDINGS_STATIC_DIR": str(static)}
    with tempfile.TemporaryDirectory() as data, running_server(Path(data), env) as server:
        for locale, theme in (("zh-CN", "light"), ("en-US", "dark")):
            context = context_for(browser, locale, theme, MOBILE, True)
            page = context.new_page()
            sign_in_page(page, server.base_url, "alice")
            open_chat(page, "Bob Li")
            box = page.get_by_test_id("bubble").last.bounding_box()
            assert box is not None
            point = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
            cdp = context.new_cdp_session(page)
            cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
            page.wait_for_timeout(700)
            cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
            expect(page.get_by_test_id("bubble-menu")).to_be_visible()
            shoot(page, f"mobile-long-press-{theme}-{locale[:2]}")
            context.close()


def main() -> int:
    with tempfile.TemporaryDirectory() as copy:
        static = Path(copy) / "static"
        shutil.copytree(STATIC, static)
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            shots(browser, static)
            long_press(browser, static)
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
