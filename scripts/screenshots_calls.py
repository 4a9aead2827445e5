#!/usr/bin/env python3
"""Screenshots of a video call for docs/screenshots/ (decision 0074): the call window in the
middle of a call with the other side muted and their camera off, and the record the call
leaves in the chat. Two browsers with Chromium's fake camera and microphone, Chinese.

    .venv/bin/python scripts/screenshots_calls.py     # needs the web build and /usr/bin/chromium
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser.pages import direct_chat, open_conversation, sign_in  # noqa: E402
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, running_server  # noqa: E402
from tests.browser.test_calls import people  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def main() -> None:
    env = {"TIDINGS_SESSION_POLICY": "allow_all"}
    with (
        tempfile.TemporaryDirectory() as data,
        running_server(Path(data), env=env) as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_MEDIA]
        )
        alice, bob = people(server, "Alice", "Bob")
        direct_chat(server, alice, bob)
        pages = []
        for who in (alice, bob):
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
            page = context.new_page()
            sign_in(page, server.base_url, who["account"])
            pages.append(page)
        caller, callee = pages
        open_conversation(caller, "Bob")
        caller.get_by_test_id("call-video-button").click()
        callee.get_by_test_id("call-accept").click()
        expect(caller.get_by_test_id("call-panel")).to_have_attribute("data-phase", "active")
        callee.get_by_test_id("call-mute").click()
        callee.get_by_test_id("call-camera").click()
        expect(caller.get_by_test_id("call-peer-camera-off")).to_be_visible()
        caller.wait_for_timeout(3000)
        caller.screenshot(path=str(OUT / "desktop-call-video-light-zh.png"))
        caller.get_by_test_id("call-hang-up").click()
        expect(caller.get_by_test_id("chat-notice").filter(has_text="通话时长")).to_be_visible()
        caller.screenshot(path=str(OUT / "desktop-call-record-light-zh.png"))
        browser.close()


if __name__ == "__main__":
    main()
