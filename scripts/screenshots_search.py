#!/usr/bin/env python3
"""Screenshots of search (B7, issue 15; decision 0073) for docs/screenshots/ (PNG).

The search box's sections (people, groups, chats, messages, files) with the keyboard's
cursor on a row; every message result with its filters; a chat opened at a result far back,
highlighted; search inside a chat stepping through its hits. Chinese and English, desktop
(1280x800) and mobile (390x844), on a demo server of its own.

    .venv/bin/python scripts/screenshots_search.py   # needs the web build and /usr/bin/chromium
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from pathlib import Path

from playwright.sync_api import ViewportSize, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser.pages import direct_chat, group_chat, post_text, sign_in  # noqa: E402
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, running_server  # noqa: E402
from tests.browser.test_search import befriend, searched, seed  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
MOBILE: ViewportSize = {"width": 390, "height": 844}
# (device, locale, screens): each screen in one language per device, the other in the other.
SHOTS = [
    ("desktop", "zh-CN", {"search", "jump"}),
    ("desktop", "en-US", {"results", "in-chat"}),
    ("mobile", "zh-CN", {"search", "in-chat"}),
    ("mobile", "en-US", {"results", "jump"}),
]


def main() -> None:
    with running_server(Path(tempfile.mkdtemp())) as server:
        u = uuid.uuid4().hex[:6]
        alice = server.register(f"zhang{u}", "张三")
        bob = server.register(f"li{u}", "李四")
        carol = server.register(f"wang{u}", "王五")
        befriend(server, alice, bob)
        server.api(
            alice["token"],
            "PATCH",
            f"/friends/{bob['user']['id']}",
            json={"remark": "会议室管理员", "tags": ["会议"]},
        )
        chat = direct_chat(server, alice, bob)
        group = group_chat(server, alice, "周一会议群", bob, carol)
        texts = [f"日常消息第{n}条，关于项目的进展" for n in range(1, 401)]
        texts[149] = "我们明天下午三点在会议室开会讨论项目进度"
        seed(server, bob, chat, texts[:149])
        seed(server, bob, chat, texts[149:150])
        seed(server, bob, chat, texts[150:])
        for text in ["会议纪要已经发到群里了", "下周的会议改到周二", "会议室预订 SO-2024-0117"]:
            post_text(server, carol, group, text)
        file_id = server.upload(carol["token"], b"x" * 3000, "会议纪要.docx", "application/msword")
        server.api(
            carol["token"],
            "POST",
            f"/conversations/{group}/messages",
            json={
                "client_msg_id": uuid.uuid4().hex,
                "type": "file",
                "body": {"file_id": file_id, "name": "会议纪要.docx", "size": 3000},
            },
        )
        searched(server, alice, "会议", 5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for device, locale, screens in SHOTS:
                viewport = DESKTOP if device == "desktop" else MOBILE
                context = browser.new_context(viewport=viewport, locale=locale)
                page = context.new_page()
                sign_in(page, server.base_url, alice["user"]["account"])
                # The offer of system notifications is not what these show.
                not_now = "以后再说" if locale == "zh-CN" else "Not now"
                later = page.get_by_role("button", name=not_now)
                if later.count():
                    later.click()
                lang = "zh" if locale == "zh-CN" else "en"

                def shoot(screen: str) -> None:
                    if screen in screens:  # noqa: B023
                        page.wait_for_timeout(400)  # noqa: B023
                        name = "search" if screen == "search" else f"search-{screen}"
                        page.screenshot(path=OUT / f"{device}-{name}-light-{lang}.png")  # noqa: B023

                box = page.get_by_test_id("list-search")
                box.fill("会议")
                expect(page.get_by_test_id("search-section-files")).to_be_visible()
                box.press("ArrowDown")
                box.press("ArrowDown")
                shoot("search")
                page.get_by_test_id("search-more").click()
                expect(page.get_by_test_id("message-result").first).to_be_visible()
                shoot("results")
                page.get_by_test_id("message-result").filter(has_text="三点").click()
                expect(page.get_by_test_id("jump-target")).to_be_visible()
                shoot("jump")
                page.get_by_test_id("chat-search-button").click()
                page.get_by_test_id("chat-search-input").fill("项目")
                expect(page.get_by_test_id("chat-search-result").first).to_be_visible()
                shoot("in-chat")
                context.close()
            browser.close()


if __name__ == "__main__":
    main()
