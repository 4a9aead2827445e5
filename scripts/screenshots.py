#!/usr/bin/env python3
"""Screenshots of the web client's main screens for docs/screenshots/ (PNG).

Starts a demo server (`tidings serve --demo`) on a free port with a throwaway data
directory, adds conversations, images, files, group roles and an announcement, friends and
an organization through the REST API and the tus endpoint, and photographs the app in
Chromium: light and dark, Chinese and English, desktop and mobile.

    .venv/bin/python scripts/screenshots.py            # needs the web build and /usr/bin/chromium
"""

from __future__ import annotations

import base64
import contextlib
import io
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageDraw
from playwright.sync_api import (
    Browser,
    FilePayload,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "tidings-demo"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
POPOUT: ViewportSize = {"width": 760, "height": 800}
MOBILE: ViewportSize = {"width": 390, "height": 844}
COMBOS = (("zh-CN", "light"), ("en-US", "dark"), ("en-US", "light"), ("zh-CN", "dark"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Api:
    base: str
    http: httpx.Client

    def login(self, account: str) -> str:
        response = self.http.post(
            f"{self.base}/api/v1/auth/login",
            json={"account": account, "password": PASSWORD, "platform": "api"},
        )
        response.raise_for_status()
        token: str = response.json()["token"]
        return token

    def register(self, account: str, nickname: str) -> str:
        response = self.http.post(
            f"{self.base}/api/v1/auth/register",
            json={
                "account": account,
                "password": PASSWORD,
                "nickname": nickname,
                "platform": "api",
            },
        )
        response.raise_for_status()
        token: str = response.json()["token"]
        return token

    def call(self, token: str, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(
            method,
            f"{self.base}/api/v1{path}",
            headers={"Authorization": f"Bearer {token}"},
            **kwargs,
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def say(self, token: str, conversation: int, type_: str, body: dict[str, Any]) -> int:
        entry = self.call(
            token,
            "POST",
            f"/conversations/{conversation}/messages",
            json={"client_msg_id": uuid.uuid4().hex, "type": type_, "body": body},
        )
        seq: int = entry["seq"]
        return seq

    def text(self, token: str, conversation: int, text: str) -> int:
        return self.say(token, conversation, "text", {"text": text})

    def upload(
        self, token: str, data: bytes, name: str, mime: str, expiry_days: int | None = None
    ) -> str:
        """A whole file in one tus creation-with-upload request."""

        def b64(value: str) -> str:
            return base64.b64encode(value.encode()).decode()

        metadata = f"filename {b64(name)},filetype {b64(mime)}"
        if expiry_days is not None:
            metadata += f",expiry_days {b64(str(expiry_days))}"

        response = self.http.post(
            f"{self.base}/files/",
            content=data,
            headers={
                "Authorization": f"Bearer {token}",
                "Tus-Resumable": "1.0.0",
                "Upload-Length": str(len(data)),
                "Upload-Metadata": metadata,
                "Content-Type": "application/offset+octet-stream",
            },
        )
        response.raise_for_status()
        return response.headers["Location"].rsplit("/", 1)[-1]


def landscape(width: int, height: int) -> bytes:
    """A calm picture for the image messages: sky, sun and hills."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)], fill=(int(90 + 120 * t), int(150 + 70 * t), int(230 - 40 * t))
        )
    draw.ellipse(
        [width * 0.68, height * 0.12, width * 0.82, height * 0.12 + width * 0.14],
        fill=(255, 214, 120),
    )
    for layer, colour in enumerate(((70, 140, 90), (45, 110, 70))):
        points = [(0, height)]
        for x in range(0, width + 1, 8):
            wave = math.sin(x / width * math.pi * (2 + layer) + layer) * height * 0.08
            points.append((x, int(height * (0.62 + 0.12 * layer) + wave)))
        points.append((width, height))
        draw.polygon(points, fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def seed(api: Api, data_dir: str) -> None:
    alice, bob, carol = api.login("alice"), api.login("bob"), api.login("carol")
    dave = api.register("dave", "Dave Chen")
    ids = {
        c["name"] or "system": c["id"]
        for c in api.call(bob, "GET", "/conversations")["conversations"]
    }
    direct, group = ids["Alice Zhang"], ids["Tidings team"]
    user = {
        name: api.call(token, "GET", "/me")["id"]
        for name, token in (("alice", alice), ("bob", bob), ("carol", carol), ("dave", dave))
    }

    first = api.text(bob, direct, "Could you review the release notes before 5pm? 📝")
    api.say(bob, direct, "text", {"text": "Draft is here: https://example.com/notes/v1.2"})
    del first
    # Images may expire too: the bubble says when.
    picture = api.upload(bob, landscape(1200, 800), "offsite.jpg", "image/jpeg", expiry_days=5)
    api.say(
        bob,
        direct,
        "image",
        {"file_id": picture, "width": 1200, "height": 800, "name": "offsite.jpg"},
    )
    notes = b"%PDF-1.4\n% Tidings release notes\n" + b"0" * 180_000
    # Sent to expire in a week (F3): its card says when.
    pdf = api.upload(bob, notes, "Release notes v1.2.pdf", "application/pdf", expiry_days=7)
    api.say(
        bob,
        direct,
        "file",
        {
            "file_id": pdf,
            "name": "Release notes v1.2.pdf",
            "size": len(notes),
            "mime": "application/pdf",
        },
    )
    api.text(alice, direct, "Looks good — two small fixes in section 3, otherwise ready ✅")

    api.text(carol, group, "Standup moves to 10:30 tomorrow ☕")
    api.text(bob, group, "收到，我会准时参加。\n另外，新版本的测试报告已经上传。")
    seq = api.text(carol, group, "👍 Thanks Bob!")
    for token in (bob, carol):
        api.call(token, "POST", f"/conversations/{group}/read", json={"seq": seq})
    api.call(
        alice,
        "PUT",
        f"/groups/{group}/admins/{user['bob']}",
        json={"powers": ["mute", "announcements", "approve_joins"]},
    )
    api.call(
        alice,
        "POST",
        f"/groups/{group}/announcements",
        json={
            "text": "Release 1.2 ships on Friday. Please finish reviews by Thursday noon.",
            "pinned": True,
        },
    )
    api.call(
        alice,
        "PATCH",
        f"/groups/{group}",
        json={
            "intro": "Everything about building Tidings: releases, reviews, standups.",
            "avatar": "emoji:🚀",
        },
    )

    # A plain member's invite in an approval group: a join request the approvers see with
    # who invited (then the group goes back to invitations; the request waits).
    erin = api.register("erin", "Erin Zhou")
    erin_id = api.call(erin, "GET", "/me")["id"]
    api.call(alice, "PATCH", f"/groups/{group}", json={"join_mode": "approval"})
    api.call(carol, "POST", f"/conversations/{group}/members", json={"user_ids": [erin_id]})
    api.call(alice, "PATCH", f"/groups/{group}", json={"join_mode": "invite_code"})

    # Friends: Bob is one (in "Design"), Dave asks to be one.
    request = api.call(
        bob, "POST", "/friend-requests", json={"user_id": user["alice"], "message": "Hi Alice!"}
    )
    api.call(alice, "POST", f"/friend-requests/{request['request_id']}/accept")
    design = api.call(alice, "POST", "/contact-groups", json={"name": "Design"})
    api.call(
        alice,
        "PATCH",
        f"/friends/{user['bob']}",
        json={"contact_group_id": design["id"], "remark": "Bob (design)"},
    )
    api.call(
        carol,
        "POST",
        "/friend-requests",
        json={"user_id": user["alice"], "message": "Carol from QA — let's connect"},
    )
    api.call(
        dave,
        "POST",
        "/friend-requests",
        json={"user_id": user["alice"], "message": "Hello from the sales team 👋"},
    )

    # An organization, made by a server admin.
    subprocess.run(
        [
            str(Path(sys.executable).parent / "tidings"),
            "user",
            "admin",
            "alice",
            "--data-dir",
            data_dir,
        ],
        check=True,
        capture_output=True,
    )
    api.call(alice, "PUT", "/org/company", json={"name": "Tidings Inc."})

    def department(name: str, parent: int | None = None) -> int:
        found: int = api.call(
            alice, "POST", "/org/departments", json={"name": name, "parent_id": parent}
        )["id"]
        return found

    engineering = department("Engineering")
    web = department("Web client", engineering)
    department("Server", engineering)
    product = department("Product")
    sales = department("Sales")
    for dept, who, position in (
        (web, "alice", "Engineering manager"),
        (web, "bob", "Front-end engineer"),
        (product, "carol", "Product designer"),
        (sales, "dave", "Account executive"),
    ):
        api.call(
            alice,
            "PUT",
            f"/org/departments/{dept}/members/{user[who]}",
            json={"position": position},
        )


def context_for(
    browser: Browser, locale: str, theme: str, viewport: ViewportSize, mobile: bool
) -> Any:
    return browser.new_context(
        viewport=viewport,
        locale=locale,
        is_mobile=mobile,
        has_touch=mobile,
        device_scale_factor=2 if mobile else 1,
        color_scheme="dark" if theme == "dark" else "light",
        # Granted: the polite "turn on notifications" offer would be in every picture.
        permissions=["notifications"],
    )


def sign_in(
    browser: Browser, base: str, *, locale: str, theme: str, viewport: ViewportSize, mobile: bool
) -> Page:
    page: Page = context_for(browser, locale, theme, viewport, mobile).new_page()
    sign_in_page(page, base, "alice", remember=True)
    return page


def sign_in_page(page: Page, base: str, account: str, *, remember: bool = False) -> None:
    """Sign ``account`` in on the sign-in screen and wait for the live connection."""
    page.goto(base)
    page.fill("input[name=account]", account)
    page.fill("input[name=password]", PASSWORD)
    if remember:
        page.locator("input[name=remember]").set_checked(True)
    page.click("[data-testid=sign-in] button[type=submit]")
    expect(page.get_by_test_id("workspace")).to_have_attribute(
        "data-connection", "connected", timeout=15_000
    )


@contextlib.contextmanager
def demo_server(env: dict[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """``tidings serve --demo`` on a free port and a temporary data directory (and these
    extra settings), until the block ends: (base URL, data directory)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        tidings = Path(sys.executable).parent / "tidings"
        server = subprocess.Popen(
            [str(tidings), "serve", "--port", str(port), "--data-dir", data_dir, "--demo"],
            # The scripts register more people over REST than the demo has.
            env={**os.environ, "TIDINGS_REGISTRATION": "open", **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            yield base, data_dir
        finally:
            server.terminate()
            server.wait(timeout=10)


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)


def shoot(page: Page, name: str) -> None:
    page.wait_for_timeout(500)
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path))
    print(path.relative_to(ROOT))


def open_chat(page: Page, title: str) -> None:
    page.locator(f"[data-testid=conversation-row][data-title='{title}']").click()
    expect(page.get_by_test_id("chat-title")).to_have_text(title)
    page.wait_for_timeout(600)


def images_loaded(page: Page) -> None:
    for media in page.get_by_test_id("image-media").all():
        expect(media).to_have_attribute("data-state", "server", timeout=10_000)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with demo_server() as (base, data_dir), httpx.Client(timeout=30) as http:
        api = Api(base, http)
        seed(api, data_dir)
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            shots(browser, api)
            browser.close()
    return 0


def shots(browser: Browser, api: Api) -> None:
    base = api.base
    # Sign-in screen.
    for locale, theme in (("en-US", "light"), ("zh-CN", "dark")):
        context = context_for(browser, locale, theme, DESKTOP, False)
        page = context.new_page()
        page.goto(base)
        expect(page.get_by_test_id("sign-in")).to_be_visible()
        shoot(page, f"sign-in-{theme}-{locale[:2]}")
        context.close()

    # Desktop: group with its info panel, a chat with an image and a file, contacts, settings.
    for locale, theme in COMBOS:
        tag = f"{theme}-{locale[:2]}"
        page = sign_in(browser, base, locale=locale, theme=theme, viewport=DESKTOP, mobile=False)
        open_chat(page, "Tidings team")
        shoot(page, f"desktop-group-{tag}")
        page.get_by_test_id("group-info-button").click()
        expect(page.get_by_test_id("group-info").get_by_test_id("announcement")).to_be_visible()
        shoot(page, f"desktop-group-info-{tag}")
        # The approvers' join requests, with who invited.
        requests = page.get_by_test_id("join-requests")
        expect(requests.get_by_test_id("invited-by")).to_be_visible()
        requests.scroll_into_view_if_needed()
        shoot(page, f"desktop-group-requests-{tag}")
        page.get_by_test_id("close-group-info").click()
        open_chat(page, "Bob (design)")
        images_loaded(page)
        shoot(page, f"desktop-chat-{tag}")
        page.get_by_test_id("rail-contacts").click()
        page.get_by_test_id("new-friends").click()
        expect(page.get_by_test_id("friend-request").first).to_be_visible()
        shoot(page, f"desktop-contacts-{tag}")
        page.get_by_test_id("organization").click()
        page.locator("[data-testid=org-department][data-name='Web client']").click()
        expect(page.get_by_test_id("org-person").first).to_be_visible()
        expect(page.get_by_test_id("org-crumb").first).to_be_visible()
        shoot(page, f"desktop-organization-{tag}")
        page.get_by_test_id("rail-settings").click()
        shoot(page, f"desktop-settings-{tag}")
        if (locale, theme) == ("en-US", "light"):
            extras(page, api)
        page.context.close()

    # Mobile: the list, a chat, contacts.
    for locale, theme in (("zh-CN", "light"), ("en-US", "dark")):
        tag = f"{theme}-{locale[:2]}"
        page = sign_in(browser, base, locale=locale, theme=theme, viewport=MOBILE, mobile=True)
        shoot(page, f"mobile-list-{tag}")
        open_chat(page, "Bob (design)")
        images_loaded(page)
        shoot(page, f"mobile-chat-{tag}")
        page.get_by_test_id("back").tap()
        page.get_by_test_id("rail-contacts").tap()
        shoot(page, f"mobile-contacts-{tag}")
        page.context.close()


def extras(page: Page, api: Api) -> None:
    """One of each for the rest: dialogs, the viewer, a toast, a profile, a pop-out."""
    tag = "light-en"
    page.get_by_test_id("rail-chats").click()
    open_chat(page, "Bob (design)")
    images_loaded(page)
    message = (
        page.get_by_test_id("message").filter(has_text="Draft is here").get_by_test_id("bubble")
    )
    message.click(button="right")
    page.get_by_test_id("bubble-menu").get_by_role("menuitem", name="Forward").click()
    dialog = page.get_by_test_id("forward-dialog")
    dialog.get_by_test_id("forward-tab-groups").click()
    dialog.locator("[data-testid=forward-target][data-title='Tidings team']").click()
    dialog.get_by_test_id("forward-tab-friends").click()
    dialog.locator("[data-testid=forward-target][data-title='Bob (design)']").click()
    dialog.get_by_test_id("forward-note").fill("The notes for Friday's release")
    shoot(page, f"desktop-forward-{tag}")
    page.keyboard.press("Escape")

    # A file's menu: Add to favourites.
    page.locator("[data-testid=file-card]").first.click(button="right")
    expect(page.get_by_test_id("menu-favorite")).to_be_visible()
    shoot(page, f"desktop-file-menu-{tag}")
    page.keyboard.press("Escape")
    page.get_by_test_id("emoji-button").click()
    shoot(page, f"desktop-emoji-{tag}")
    page.keyboard.press("Escape")

    page.get_by_test_id("image-media").first.click()
    expect(page.get_by_test_id("viewer-image")).to_be_visible()
    shoot(page, f"desktop-image-viewer-{tag}")
    page.keyboard.press("Escape")

    # Images picked to send: the strip above the input.
    picked: list[FilePayload] = [
        {"name": "whiteboard.jpg", "mimeType": "image/jpeg", "buffer": landscape(1600, 1000)},
        {"name": "sketch.jpg", "mimeType": "image/jpeg", "buffer": landscape(900, 1200)},
    ]
    page.get_by_test_id("image-input").set_input_files(picked)
    page.get_by_test_id("file-input").set_input_files(
        {"name": "minutes.txt", "mimeType": "text/plain", "buffer": b"whiteboard minutes\n"}
    )
    # Kept 3 days: the first image (its choice under the thumbnail) and the file.
    page.get_by_test_id("attachment-expiry").first.select_option("3")
    page.get_by_test_id("attachment-expiry").last.select_option("3")
    page.get_by_test_id("composer-input").fill("Photos from today's whiteboard session")
    expect(page.locator("[data-testid=attachment][data-ready=true]")).to_have_count(3)
    shoot(page, f"desktop-attachments-{tag}")
    page.get_by_test_id("send").click()
    images_loaded(page)

    # A message in another conversation: the toast in the corner.
    carol = api.login("carol")
    group = next(
        c["id"]
        for c in api.call(carol, "GET", "/conversations")["conversations"]
        if c["name"] == "Tidings team"
    )
    api.text(carol, group, "Bob, could you share the test report link here?")
    expect(page.get_by_test_id("message-toast")).to_be_visible()
    shoot(page, f"desktop-toast-{tag}")

    page.get_by_test_id("peer-profile-button").click()
    expect(page.get_by_test_id("profile-name")).to_be_visible()
    shoot(page, f"desktop-profile-{tag}")
    page.keyboard.press("Escape")

    with page.context.expect_page() as opened:
        page.get_by_test_id("pop-out").click()
    popout = opened.value
    popout.set_viewport_size(POPOUT)
    expect(popout.get_by_test_id("chat-window")).to_have_attribute("data-connection", "connected")
    images_loaded(popout)
    shoot(popout, f"popout-chat-{tag}")
    popout.close()

    invite_link(page.context.browser, api)


def invite_link(browser: Browser | None, api: Api) -> None:
    """Dave opens Alice's group invite link (the QR code's): sign in, then accept."""
    assert browser is not None
    alice = api.login("alice")
    group = next(
        c["id"]
        for c in api.call(alice, "GET", "/conversations")["conversations"]
        if c["name"] == "Tidings team"
    )
    code = api.call(alice, "POST", "/invites", json={"kind": "group", "conversation_id": group})[
        "code"
    ]
    for locale, theme in (("en-US", "light"), ("zh-CN", "dark")):
        tag = f"{theme}-{locale[:2]}"
        page: Page = context_for(browser, locale, theme, DESKTOP, False).new_page()
        page.goto(f"{api.base}/invite/{code}")
        expect(page.get_by_test_id("invite-sign-in-hint")).to_be_visible()
        if theme == "light":
            shoot(page, f"invite-sign-in-{tag}")
        page.fill("input[name=account]", "dave")
        page.fill("input[name=password]", PASSWORD)
        page.click("[data-testid=sign-in] button[type=submit]")
        dialog = page.get_by_test_id("accept-invite-dialog")
        expect(dialog.get_by_test_id("invite-accept-link")).to_be_visible()
        shoot(page, f"desktop-invite-accept-{tag}")
        page.context.close()


if __name__ == "__main__":
    raise SystemExit(main())
