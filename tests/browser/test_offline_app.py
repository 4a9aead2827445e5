"""The installable, offline-capable app (issue 12: I11, I12, M2; decision 0042): the service
worker starts the app without a network from its cache of the build, and the SDK's IndexedDB
cache and outbox do the rest; a deployed new version is offered, never forced; a push shows a
notification; Chromium finds the app installable; long-press opens the menus on touch screens.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import (
    bubble,
    bubble_texts,
    conversation_row,
    direct_chat,
    group_chat,
    open_conversation,
    post_text,
    send_text,
    sign_in,
)
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, STATIC, free_port, running_server


def controlled(page: Page) -> None:
    """Wait until the service worker has cached the build and controls the page."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def poll(page: Page, script: str, until: Callable[[Any], bool] = bool) -> Any:
    """Evaluate `script` (a promise is awaited) until `until` holds for its value, up to 10 s;
    the last value. (wait_for_function does not await promises: it would pass at once.)"""
    value = page.evaluate(script)
    for _ in range(100):
        if until(value):
            break
        page.wait_for_timeout(100)
        value = page.evaluate(script)
    return value


def test_the_app_starts_offline_with_cached_chats_and_sends_what_was_typed_once(
    new_context: Any, tmp_path: Path
) -> None:
    # Its own server, stopped while the app starts: nothing can reach it, not even the
    # shared-connection worker (which the browser's offline switch does not cover).
    port = free_port()
    with running_server(tmp_path, port=port) as server:
        base_url = server.base_url
        alice = server.register(unique("alice"), "Alice Zhang")
        bob = server.register(unique("bob"), "Bob Li")
        chat = direct_chat(server, alice, bob)
        post_text(server, bob, chat, "seen before going offline")
        # Someone Alice has no direct chat with: only the names cache knows her offline.
        carol = server.register(unique("carol"), "Carol Wang")
        team = group_chat(server, alice, "Offline team", bob, carol)
        post_text(server, carol, team, "group news")
        context = new_context()
        page: Page = context.new_page()
        sign_in(page, base_url, alice["user"]["account"], remember=True)
        open_conversation(page, "Bob Li")
        expect(bubble(page, "seen before going offline")).to_be_visible()
        team_preview = conversation_row(page, "Offline team").get_by_test_id("row-preview")
        expect(team_preview).to_have_text("Carol Wang: group news")
        controlled(page)
        # The SDK writes its cache 400 ms after a change (and when the page goes away).
        page.wait_for_timeout(600)
        page.close()

    context.set_offline(True)
    page = context.new_page()
    page.goto(base_url)
    expect(page.get_by_test_id("workspace")).to_be_visible()
    expect(page.get_by_test_id("connection-banner")).to_be_visible()
    expect(conversation_row(page, "Bob Li")).to_be_visible()
    # Who wrote what, from the cache too (nobody can be asked).
    team_preview = conversation_row(page, "Offline team").get_by_test_id("row-preview")
    expect(team_preview).to_have_text("Carol Wang: group news")
    open_conversation(page, "Bob Li")
    expect(bubble(page, "seen before going offline")).to_be_visible()
    send_text(page, "written offline")
    expect(bubble(page, "written offline")).to_have_attribute("data-state", "sending")
    # Screens loaded on demand come from the cache too.
    page.get_by_test_id("rail-settings").click()
    expect(page.get_by_test_id("settings")).to_be_visible()
    page.get_by_test_id("rail-chats").click()
    expect(bubble(page, "written offline")).to_have_attribute("data-state", "sending")

    with running_server(tmp_path, port=port) as server:
        context.set_offline(False)
        expect(bubble(page, "written offline")).to_have_attribute("data-state", "sent")
        expect(page.get_by_test_id("connection-banner")).to_have_count(0)
        history = server.api(bob["token"], "GET", f"/conversations/{chat}/messages")
        assert [m["body"]["text"] for m in history["messages"]] == [
            "seen before going offline",
            "written offline",
        ]
        page.reload()
        open_conversation(page, "Bob Li")
        expect(bubble(page, "written offline")).to_have_attribute("data-state", "sent")
        assert bubble_texts(page) == ["seen before going offline", "written offline"]
        # The worker's cache holds the build only: nothing of the API or of files.
        kept = page.evaluate(
            """async () => {
                const paths = [];
                for (const name of await caches.keys()) {
                    const cache = await caches.open(name);
                    for (const request of await cache.keys()) {
                        paths.push(new URL(request.url).pathname);
                    }
                }
                return paths;
            }"""
        )
        assert "/" in kept and any(p.startswith("/assets/app-") for p in kept)
        assert all(p == "/" or p.startswith("/assets/") for p in kept), kept
        # Nor the admin console's files: the chat app's offline start does not need them.
        assert not [p for p in kept if p.startswith(("/assets/admin-", "/assets/AdminApi-"))]


def test_a_new_version_is_offered_and_taken_only_when_asked(
    new_context: Any, tmp_path: Path
) -> None:
    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    data = tmp_path / "data"
    data.mkdir()
    with running_server(data, {"TIDINGS_STATIC_DIR": str(static)}) as server:
        alice = server.register(unique("alice"), "Alice Zhang")
        context = new_context()
        page: Page = context.new_page()
        sign_in(page, server.base_url, alice["user"]["account"], remember=True)
        controlled(page)
        old = page.evaluate("caches.keys()")
        assert len(old) == 1 and old[0].startswith("tidings-shell-")
        expect(page.get_by_test_id("update-prompt")).to_have_count(0)

        # A deploy: the same build with another version in its service worker.
        worker = static / "sw.js"
        version = old[0].removeprefix("tidings-shell-")
        worker.write_text(worker.read_text().replace(version, version[:-4] + "beef"))
        for copy in ("sw.js.br", "sw.js.gz"):
            (static / copy).unlink()
        page.evaluate("window.stillTheSamePage = true")
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        expect(page.get_by_test_id("update-prompt")).to_be_visible()
        # Offered, not forced: the page was not reloaded under the user.
        assert page.evaluate("window.stillTheSamePage") is True
        page.get_by_test_id("update-later").click()
        expect(page.get_by_test_id("update-prompt")).to_have_count(0)
        assert page.evaluate("window.stillTheSamePage") is True

        # The next check (or load) offers it again; taking it reloads into the new version.
        page.reload()
        expect(page.get_by_test_id("update-prompt")).to_be_visible()
        with page.expect_navigation():
            page.get_by_test_id("update-reload").click()
        expect(page.get_by_test_id("workspace")).to_be_visible()
        expect(page.get_by_test_id("update-prompt")).to_have_count(0)
        # The new version's cache, and only it (the old one is deleted on activation).
        new = [f"tidings-shell-{version[:-4]}beef"]
        assert poll(page, "() => caches.keys()", lambda names: names == new) == new


def _registration_id(cdp: Any) -> str:
    found: list[str] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: found.extend(r["registrationId"] for r in event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if found:
            return found[0]
        cdp.send("Runtime.evaluate", {"expression": "1"})
    raise AssertionError("no service worker registration")


def test_a_push_shows_a_notification_that_opens_its_conversation(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    post_text(web_server, bob, chat, "ping")
    # The headless shell shows no notifications: the whole browser.
    context = new_context(whole=True, permissions=["notifications"])
    page: Page = context.new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"], remember=True)
    controlled(page)
    cdp = context.new_cdp_session(page)
    payload = {
        "v": 1,
        "conversation_id": chat,
        "seq": 1,
        "title": "Bob Li",
        "body": "ping",
        "tag": f"conv-{chat}",
        "url": f"/#/c/{chat}",
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": web_server.base_url,
            "registrationId": _registration_id(cdp),
            "data": json.dumps(payload),
        },
    )
    # The worker shows it a moment later.
    shown = poll(
        page,
        """() => navigator.serviceWorker.ready
            .then((r) => r.getNotifications())
            .then((all) => all.map((n) => ({
                title: n.title, body: n.body, tag: n.tag, data: n.data})))""",
    )
    assert shown == [
        {"title": "Bob Li", "body": "ping", "tag": f"conv-{chat}", "data": {"url": f"/#/c/{chat}"}}
    ]

    # A click with the app open: the worker tells the window, which opens the conversation.
    expect(page.get_by_test_id("chat-pane")).to_have_count(0)
    page.evaluate(
        """(url) => navigator.serviceWorker.dispatchEvent(
            new MessageEvent('message', {data: {type: 'open', url}}))""",
        f"/#/c/{chat}",
    )
    expect(page.get_by_test_id("chat-title")).to_have_text("Bob Li")
    # A click with the app closed: the worker opens the link, which opens the conversation.
    page.close()
    page = context.new_page()
    page.goto(f"{web_server.base_url}/#/c/{chat}")
    expect(page.get_by_test_id("chat-title")).to_have_text("Bob Li")
    assert page.evaluate("location.hash") == ""


def test_chromium_finds_the_app_installable(
    web_server: WebServer, browser: Any, tmp_path: Path
) -> None:
    # A profile on disk: Chromium installs nothing from an incognito one (a new context's).
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS
    )
    try:
        page: Page = context.new_page()
        page.goto(web_server.base_url)
        controlled(page)
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        parsed = cdp.send("Page.getAppManifest")
        assert parsed["errors"] == []
        assert parsed["url"] == f"{web_server.base_url}/assets/manifest.webmanifest"
    finally:
        context.close()
    manifest = web_server.http.get(f"{web_server.base_url}/assets/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    worker = web_server.http.get(f"{web_server.base_url}/sw.js")
    assert worker.headers["cache-control"] == "no-cache"
    assert worker.headers["content-type"].startswith("text/javascript")


def _long_press(cdp: Any, x: float, y: float, *, move: float = 0) -> None:
    point = {"x": x, "y": y}
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
    if move:
        moved = {"x": x, "y": y + move}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [moved]})
    cdp.send(
        "Runtime.evaluate",
        {"expression": "new Promise((r) => setTimeout(r, 700))", "awaitPromise": True},
    )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def _center(locator: Any) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_long_press_opens_the_menus_on_a_touch_screen(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    post_text(web_server, bob, chat, "hold me")
    context = new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page: Page = context.new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    cdp = context.new_cdp_session(page)
    row = conversation_row(page, "Bob Li")

    # Moving the finger is a scroll, not a press.
    _long_press(cdp, *_center(row), move=40)
    expect(page.get_by_test_id("conversation-menu")).to_have_count(0)
    expect(page.get_by_test_id("chat-pane")).to_have_count(0)

    # Held still: the conversation's menu, and it stays open when the finger lifts.
    _long_press(cdp, *_center(row))
    expect(page.get_by_test_id("conversation-menu")).to_be_visible()
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("conversation-menu")).to_be_visible()
    expect(page.get_by_test_id("chat-pane")).to_have_count(0)
    page.locator(".menu-backdrop").tap(position={"x": 5, "y": 5})
    expect(page.get_by_test_id("conversation-menu")).to_have_count(0)

    row.tap()
    expect(page.get_by_test_id("chat-title")).to_have_text("Bob Li")
    _long_press(cdp, *_center(bubble(page, "hold me").get_by_test_id("bubble")))
    menu = page.get_by_test_id("bubble-menu")
    expect(menu).to_be_visible()
    page.wait_for_timeout(300)
    expect(menu).to_be_visible()
    expect(menu.get_by_role("menuitem", name="Reply")).to_be_visible()
