#!/usr/bin/env python3
"""Screenshots of multi-select, the chat-record viewer and the favourites page for
docs/screenshots/ (PNG): desktop light/English and dark/Chinese, phone light/Chinese and
dark/English. Uses the demo server and helpers of scripts/screenshots.py.

    .venv/bin/python scripts/screenshots_select.py     # needs the web build and /usr/bin/chromium
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect, sync_playwright

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
    sign_in_page,
)


def seed(api: Api) -> None:
    alice, bob = api.login("alice"), api.login("bob")
    ids = {
        c["name"] or "system": c["id"]
        for c in api.call(alice, "GET", "/conversations")["conversations"]
    }
    direct, group = ids["Bob Li"], ids["Tidings team"]
    seqs = [
        api.text(bob, direct, "Could you review the release notes before 5pm? 📝"),
        api.text(alice, direct, "Sure. Is the draft final?"),
        api.text(bob, direct, "Almost — pricing table still changes.\n会后我再更新一版。"),
    ]
    picture = api.upload(bob, landscape(1200, 800), "offsite.jpg", "image/jpeg")
    seqs.append(
        api.say(
            bob, direct, "image", {"file_id": picture, "width": 1200, "height": 800, "name": "x"}
        )
    )
    notes = b"%PDF-1.4\n% Tidings release notes\n" + b"0" * 120_000
    pdf = api.upload(bob, notes, "Release notes v1.2.pdf", "application/pdf")
    seqs.append(api.say(bob, direct, "file", {"file_id": pdf, "name": "x", "size": 1, "mime": "x"}))
    seqs.append(api.text(alice, direct, "Looks good — two small fixes in section 3 ✅"))
    api.text(bob, direct, "Thanks! Shipping Friday then 🚀")
    api.call(
        alice,
        "POST",
        f"/conversations/{direct}/forward",
        json={
            "seqs": seqs,
            "target_ids": [group],
            "client_msg_id": uuid.uuid4().hex,
            "merged": True,
            "title": "Chat history of Alice Zhang and Bob Li",
        },
    )
    api.say(
        alice,
        direct,
        "location",
        {
            "latitude": 31.2397,
            "longitude": 121.4998,
            "name": "Riverside Hall",
            "address": "88 Binjiang Avenue, Pudong, Shanghai",
        },
    )
    last = api.call(alice, "GET", f"/conversations/{group}/messages")["messages"][-1]["seq"]
    for conversation, seq in [
        (direct, seqs[0]),
        (direct, seqs[3]),
        (direct, seqs[4]),
        (group, last),
        (direct, seqs[2]),
    ]:
        api.call(alice, "POST", "/favorites", json={"conversation_id": conversation, "seq": seq})
    location = api.call(alice, "GET", f"/conversations/{direct}/messages")["messages"][-1]["seq"]
    api.call(alice, "POST", "/favorites", json={"conversation_id": direct, "seq": location})


def open_chat(page: Page, title: str) -> None:
    page.locator(f"[data-testid=conversation-row][data-title='{title}']").click()
    expect(page.get_by_test_id("chat-title")).to_have_text(title)
    page.wait_for_timeout(500)


def pick(page: Page, index: int) -> None:
    page.get_by_test_id("selectable-row").nth(index).click()


def shots(page: Page, name: str, mobile: bool) -> None:
    kind = "mobile" if mobile else "desktop"
    open_chat(page, "Bob Li")
    page.get_by_test_id("chat-more").click()
    page.get_by_test_id("chat-more-select").click()
    rows = page.get_by_test_id("selectable-row")
    count = rows.count()
    for index in range(max(0, count - 5), count - 1):
        pick(page, index)
    page.wait_for_timeout(300)
    page.screenshot(path=str(OUT / f"{kind}-select-{name}.png"))
    page.get_by_test_id("select-cancel").click()
    if mobile:
        page.get_by_test_id("back").click()
    open_chat(page, "Tidings team")
    page.get_by_test_id("record-card").last.click()
    viewer = page.get_by_test_id("record-viewer")
    expect(viewer.get_by_test_id("record-message")).to_have_count(6)
    expect(viewer.get_by_test_id("image-media")).to_have_attribute("data-state", "server")
    page.wait_for_timeout(400)
    page.screenshot(path=str(OUT / f"{kind}-record-viewer-{name}.png"))
    page.keyboard.press("Escape")
    if mobile:
        page.get_by_test_id("back").click()
    page.get_by_test_id("rail-favorites").click()
    expect(page.get_by_test_id("favorite-item")).to_have_count(6)
    page.wait_for_timeout(600)
    page.screenshot(path=str(OUT / f"{kind}-favourites-page-{name}.png"))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with demo_server() as (base, _):
        with httpx.Client(timeout=30) as http:
            seed(Api(base, http))
        with sync_playwright() as p:
            browser = launch_chromium(p)
            runs: list[tuple[str, str, str, Any, bool]] = [
                ("en-US", "light", "light-en", DESKTOP, False),
                ("zh-CN", "dark", "dark-zh", DESKTOP, False),
                ("zh-CN", "light", "light-zh", MOBILE, True),
                ("en-US", "dark", "dark-en", MOBILE, True),
            ]
            for locale, theme, name, viewport, mobile in runs:
                page = context_for(browser, locale, theme, viewport, mobile).new_page()
                sign_in_page(page, base, "alice")
                shots(page, name, mobile)
                page.context.close()
            browser.close()


if __name__ == "__main__":
    main()
