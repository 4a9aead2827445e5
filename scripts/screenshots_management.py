#!/usr/bin/env python3
"""Screenshots of the contact, group and file management screens for docs/screenshots/ (PNG).

Tags and the tag filter over nested contact groups, a friend invite link with its QR code, a
contacts import report, the blocked list, favourite files; in a group: announcements with who
has read them, the group's invite link and management settings, and the group files browser.
Light/English and dark/Chinese, desktop and one mobile. Uses the demo server and helpers of
scripts/screenshots.py.

    .venv/bin/python scripts/screenshots_management.py   # needs the web build and /usr/bin/chromium
"""

from __future__ import annotations

import base64
import io
import sys
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import Browser, Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import (
    DESKTOP,
    MOBILE,
    Api,
    demo_server,
    launch_chromium,
    open_chat,
    shoot,
    sign_in,
)

GROUP = "Launch room"
CSV = (
    "account,remark,tags,message\n"
    "erin,Erin (sales),sales,Hi Erin\n"
    "bob,Bob (design),design;web,\n"
    "nobody-here,,,\n"
    "alice,,,\n"
    "bob,,,\n"
)


def png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def upload_expiring(api: Api, token: str, data: bytes, name: str, mime: str, days: int) -> str:
    """A file that expires `days` after its upload (F3)."""
    meta = ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}"
        for key, value in (("filename", name), ("filetype", mime), ("expiry_days", str(days)))
    )
    response = api.http.post(
        f"{api.base}/files/",
        content=data,
        headers={
            "Authorization": f"Bearer {token}",
            "Tus-Resumable": "1.0.0",
            "Upload-Length": str(len(data)),
            "Upload-Metadata": meta,
            "Content-Type": "application/offset+octet-stream",
        },
    )
    response.raise_for_status()
    return response.headers["Location"].rsplit("/", 1)[-1]


def seed(api: Api) -> None:
    alice, bob, carol = api.login("alice"), api.login("bob"), api.login("carol")
    users = {"alice": alice, "bob": bob, "carol": carol}
    for account, nickname in (
        ("dave", "Dave Chen"),
        ("erin", "Erin 王"),
        ("frank", "Frank Liu"),
        ("grace", "Grace 李"),
    ):
        users[account] = api.register(account, nickname)
    ids = {a: api.call(t, "GET", "/me")["id"] for a, t in users.items()}
    for account in ("bob", "carol", "dave", "frank"):
        request = api.call(
            users[account], "POST", "/friend-requests", json={"user_id": ids["alice"]}
        )
        if request.get("status") == "pending":
            api.call(alice, "POST", f"/friend-requests/{request['request_id']}/accept")
    api.call(
        users["erin"],
        "POST",
        "/friend-requests",
        json={"user_id": ids["alice"], "message": "Hi Alice, Erin from sales"},
    )
    api.call(alice, "PUT", f"/blocks/{ids['grace']}")
    work = api.call(alice, "POST", "/contact-groups", json={"name": "Work"})
    design = api.call(
        alice, "POST", "/contact-groups", json={"name": "Design", "parent_id": work["id"]}
    )
    api.call(alice, "POST", "/contact-groups", json={"name": "Family"})
    api.call(
        alice,
        "PATCH",
        f"/friends/{ids['bob']}",
        json={"tags": ["design", "web"], "contact_group_id": design["id"]},
    )
    api.call(
        alice,
        "PATCH",
        f"/friends/{ids['carol']}",
        json={"tags": ["web"], "contact_group_id": work["id"]},
    )
    api.call(alice, "PATCH", f"/friends/{ids['dave']}", json={"tags": ["ops"]})

    group = api.call(
        alice,
        "POST",
        "/conversations",
        json={
            "type": "group",
            "name": GROUP,
            "member_ids": [ids["bob"], ids["carol"], ids["dave"]],
        },
    )["id"]
    api.text(alice, group, "Checklist for Friday is in the files.")
    first = api.call(
        alice,
        "POST",
        f"/groups/{group}/announcements",
        json={
            "text": "Release 2.4 ships on Friday. Reviews by Thursday noon, please.",
            "pinned": True,
        },
    )
    api.call(
        alice,
        "POST",
        f"/groups/{group}/announcements",
        json={"text": "Team lunch next Wednesday 12:30 🍜", "pinned": False},
    )
    for reader in ("bob", "carol"):
        api.call(users[reader], "POST", f"/announcements/{first['id']}/read")
    plan = api.upload(alice, png(640, 400, (59, 130, 246)), "release-plan.png", "image/png")
    api.say(alice, group, "image", {"file_id": plan, "width": 640, "height": 400})
    budget = upload_expiring(
        api, users["bob"], b"x" * 48_000, "budget-2026.xlsx", "application/octet-stream", 3
    )
    api.say(
        users["bob"], group, "file", {"file_id": budget, "name": "budget-2026.xlsx", "size": 48_000}
    )
    spec = api.upload(
        users["carol"], b"%PDF-1.4 " + b"y" * 120_000, "设计规范.pdf", "application/pdf"
    )
    api.say(
        users["carol"], group, "file", {"file_id": spec, "name": "设计规范.pdf", "size": 120_009}
    )
    api.call(alice, "PUT", f"/favorites/files/{spec}")
    api.call(alice, "PUT", f"/favorites/files/{budget}")


def contacts(page: Page, suffix: str) -> None:
    page.get_by_test_id("rail-contacts").click()
    # The first run's import names him "Bob (design)".
    page.locator("[data-testid=contact][data-name^='Bob']").click()
    expect(page.get_by_test_id("person-tags")).to_be_visible()
    shoot(page, f"desktop-contacts-tags-{suffix}")
    page.get_by_test_id("contacts-invite").click()
    page.get_by_test_id("invite-create").click()
    expect(page.get_by_test_id("invite-qr").locator("img")).to_be_visible()
    shoot(page, f"desktop-invite-{suffix}")
    page.get_by_test_id("contacts-import").click()
    page.get_by_test_id("import-file").set_input_files(
        files=[{"name": "contacts.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    expect(page.get_by_test_id("import-report")).to_be_visible()
    shoot(page, f"desktop-import-{suffix}")
    page.get_by_test_id("contacts-favorites").click()
    expect(page.get_by_test_id("file-row").first).to_be_visible()
    shoot(page, f"desktop-favorites-{suffix}")


def group(page: Page, suffix: str) -> None:
    page.get_by_test_id("rail-chats").click()
    open_chat(page, GROUP)
    page.get_by_test_id("group-info-button").click()
    panel = page.get_by_test_id("group-info")
    panel.get_by_test_id("announcement-reads").first.click()
    expect(panel.get_by_test_id("announcement-read-list")).to_be_visible()
    shoot(page, f"desktop-group-announcements-{suffix}")
    panel.get_by_test_id("open-group-invites").click()
    panel.get_by_test_id("invite-create").click()
    expect(panel.get_by_test_id("invite-qr").locator("img")).to_be_visible()
    panel.get_by_test_id("group-settings").scroll_into_view_if_needed()
    shoot(page, f"desktop-group-manage-{suffix}")
    panel.get_by_test_id("open-group-files").click()
    expect(
        page.get_by_test_id("group-files-dialog").get_by_test_id("file-row").first
    ).to_be_visible()
    shoot(page, f"desktop-group-files-{suffix}")
    page.keyboard.press("Escape")


def shots(browser: Browser, base: str) -> None:
    for locale, theme, suffix in (("en-US", "light", "light-en"), ("zh-CN", "dark", "dark-zh")):
        page = sign_in(browser, base, locale=locale, theme=theme, viewport=DESKTOP, mobile=False)
        contacts(page, suffix)
        group(page, suffix)
        page.context.close()
    page = sign_in(browser, base, locale="zh-CN", theme="light", viewport=MOBILE, mobile=True)
    page.get_by_test_id("rail-contacts").click()
    page.get_by_test_id("contacts-invite").click()
    page.get_by_test_id("invite-create").click()
    expect(page.get_by_test_id("invite-qr").locator("img")).to_be_visible()
    shoot(page, "mobile-invite-light-zh")
    page.context.close()


def main() -> int:
    with demo_server() as (base, _):
        with httpx.Client(timeout=30) as http:
            seed(Api(base, http))
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            shots(browser, base)
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
