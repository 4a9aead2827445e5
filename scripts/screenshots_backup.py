#!/usr/bin/env python3
"""Screenshots of the chat history backup (D12, docs/decisions/0051) for docs/screenshots/.

Settings → Chat history backup: the backup form (conversations chosen, with files, the
passphrase and its strength), the backup done, the restore preview of a backup file, and a
chat showing restored messages (ones Alice had deleted for herself since the backup).
Light/dark, Chinese/English on the desktop; the phone's backup and restore screens.
Uses the demo server and helpers of scripts/screenshots.py.

    .venv/bin/python scripts/screenshots_backup.py   # needs the web build and /usr/bin/chromium
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import (
    COMBOS,
    DESKTOP,
    MOBILE,
    Api,
    demo_server,
    launch_chromium,
    open_chat,
    shoot,
    sign_in,
)

PASSPHRASE = "blue harbour lanterns 2026"


def suffix(locale: str, theme: str) -> str:
    return f"{theme}-{'zh' if locale == 'zh-CN' else 'en'}"


def open_backup(page: Page, mobile: bool) -> None:
    for testid in ("rail-settings", "open-history-backup"):
        target = page.get_by_test_id(testid)
        if mobile:
            target.tap()
        else:
            target.click()
    expect(page.get_by_test_id("history-backup")).to_be_visible()


def fill_backup(page: Page) -> None:
    page.get_by_test_id("backup-with-files").check()
    page.get_by_test_id("backup-passphrase").fill(PASSPHRASE)
    page.get_by_test_id("backup-confirm").fill(PASSPHRASE)


def make_backup(browser: Browser, base: str, folder: Path) -> Path:
    """Alice's whole history, with files, as the first screenshots' backup."""
    page = sign_in(browser, base, locale="en-US", theme="light", viewport=DESKTOP, mobile=False)
    open_backup(page, False)
    fill_backup(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_test_id("backup-start").click()
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    expect(page.get_by_test_id("backup-done")).to_be_visible()
    shoot(page, "desktop-backup-done-light-en")
    page.context.close()
    return path


def preview(page: Page, backup: Path) -> None:
    page.get_by_test_id("backup-tab-restore").click()
    page.get_by_test_id("restore-file").set_input_files(str(backup))
    page.get_by_test_id("restore-passphrase").fill(PASSPHRASE)
    page.get_by_test_id("restore-open").click()
    expect(page.get_by_test_id("restore-preview")).to_be_visible(timeout=30_000)


def desktop(browser: Browser, base: str, backup: Path, locale: str, theme: str) -> None:
    name = suffix(locale, theme)
    page = sign_in(browser, base, locale=locale, theme=theme, viewport=DESKTOP, mobile=False)
    open_backup(page, False)
    fill_backup(page)
    shoot(page, f"desktop-backup-{name}")
    preview(page, backup)
    shoot(page, f"desktop-restore-{name}")
    page.get_by_test_id("restore-start").click()
    expect(page.get_by_test_id("restore-done")).to_be_visible(timeout=60_000)
    page.get_by_test_id("rail-chats").click()
    open_chat(page, "Bob Li")
    expect(page.locator("[data-testid=message][data-restored=true]").first).to_be_visible()
    shoot(page, f"desktop-chat-restored-{name}")
    page.context.close()


def mobile(browser: Browser, base: str, backup: Path, locale: str, theme: str) -> None:
    name = suffix(locale, theme)
    page = sign_in(browser, base, locale=locale, theme=theme, viewport=MOBILE, mobile=True)
    open_backup(page, True)
    fill_backup(page)
    shoot(page, f"mobile-backup-{name}")
    preview(page, backup)
    shoot(page, f"mobile-restore-{name}")
    page.context.close()


def forget_some(api: Api) -> None:
    """Alice deletes Bob's messages in their chat for herself: the backup brings them back."""
    alice = api.login("alice")
    conversations = api.call(alice, "GET", "/conversations")["conversations"]
    bob = next(c for c in conversations if c["type"] == "direct" and c["name"] == "Bob Li")
    messages = api.call(alice, "GET", f"/conversations/{bob['id']}/messages")["messages"]
    seqs = [m["seq"] for m in messages if m["kind"] == "message"][-3:]
    api.call(alice, "POST", f"/conversations/{bob['id']}/delete", json={"seqs": seqs})
    # And the chat went on: the server's messages and the restored ones show together.
    bob_token = api.login("bob")
    api.text(bob_token, bob["id"], "Did the backup work?")
    api.text(alice, bob["id"], "Yes — the old messages are back.")


def main() -> int:
    with (
        demo_server() as (base, _data_dir),
        tempfile.TemporaryDirectory() as folder,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        backup = make_backup(browser, base, Path(folder))
        with httpx.Client(timeout=30) as http:
            forget_some(Api(base, http))
        for locale, theme in COMBOS:
            desktop(browser, base, backup, locale, theme)
        mobile(browser, base, backup, "zh-CN", "light")
        mobile(browser, base, backup, "en-US", "dark")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
