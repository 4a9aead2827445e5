"""A page of another site in Chromium (N5, J3; decision 0063): the SDK example page
(examples/sdk-page) served from http://127.0.0.2 — another origin than the server's
http://127.0.0.1 — imports the SDK bundle from the server. Off the allowlist, its API calls
and its WebSocket are refused; once an administrator lists its origin in the console's
Settings page (live, no restart), it signs in, connects and sends a message that Bob's web
client shows."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.admin_pages import open_console, open_page
from tests.browser.conftest import PASSWORD, WebServer, unique
from tests.browser.pages import bubble, open_conversation, sign_in

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sdk-page"

# What a page's script sees of the API and the WebSocket (each settles, never hangs).
PROBE = """async (server) => {
  const api = await fetch(new URL('/api/v1/public/settings', server)).then(
    (r) => `status ${r.status}`, () => 'blocked');
  const socket = await new Promise((resolve) => {
    const ws = new WebSocket(new URL('/ws', server).href.replace('http', 'ws'));
    ws.onopen = () => { ws.close(); resolve('open'); };
    ws.onclose = () => resolve('refused');
  });
  return { api, socket };
}"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def host_site(directory: Path) -> Iterator[str]:
    """A static site of its own origin on 127.0.0.2 (http.server), until the block ends."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    with ThreadingHTTPServer(("127.0.0.2", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.2:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()


def set_allowed_origins(server: WebServer, token: str, origins: list[str] | None) -> None:
    changes = {"cors": {"allowed_origins": origins}}
    server.api(token, "PATCH", "/admin/settings", json={"changes": changes})


def test_a_page_of_another_origin_uses_the_sdk_only_once_listed(
    web_server: WebServer, new_context: Any
) -> None:
    admin = web_server.register(unique("admin"), "Admin")
    web_server.make_admin(admin["user"]["account"])
    alice = web_server.register(unique("alice"), "Alice Host")
    bob = web_server.register(unique("bob"), "Bob Agent")
    pb: Page = new_context().new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])

    with host_site(EXAMPLE) as site:
        page: Page = new_context().new_page()
        url = f"{site}/index.html?server={web_server.base_url}"
        page.goto(url)
        # The bundle is a public file: any page may import it (the form is the page's).
        expect(page.locator("#sign-in")).to_be_visible()
        # (a) Not listed: the browser keeps the API's answers from the page, and the
        # server refuses the WebSocket handshake.
        assert page.evaluate(PROBE, web_server.base_url) == {
            "api": "blocked",
            "socket": "refused",
        }
        page.fill("input[name=account]", alice["user"]["account"])
        page.fill("input[name=password]", PASSWORD)
        page.click("text=Sign in")
        expect(page.locator("#status")).to_contain_text("Sign-in failed: network")

        # (b) Listed by an administrator in the console, live (no restart).
        console: Page = new_context().new_page()
        open_console(console, web_server.base_url, admin["user"]["account"])
        open_page(console, "settings")
        console.get_by_test_id("setting-allowed-origins").fill(f"{site}/\nhttps://shop.example.com")
        console.get_by_test_id("settings-save").click()
        expect(console.locator(".adm-toast.good")).to_contain_text("Saved")
        # Stored as browsers spell origins.
        expect(console.get_by_test_id("setting-allowed-origins")).to_have_value(
            f"{site}\nhttps://shop.example.com"
        )
        try:
            assert page.evaluate(PROBE, web_server.base_url) == {
                "api": "status 200",
                "socket": "open",
            }
            page.goto(url)
            page.fill("input[name=account]", alice["user"]["account"])
            page.fill("input[name=password]", PASSWORD)
            page.click("text=Sign in")
            expect(page.locator("#status")).to_contain_text("Connected as Alice Host")
            page.fill("input[name=peer]", str(bob["user"]["id"]))
            page.fill("input[name=text]", "Hello from the shop's page")
            page.click("text=Send")
            expect(page.locator("#status")).to_contain_text("Sent (seq")
            open_conversation(pb, "Alice Host")
            expect(bubble(pb, "Hello from the shop's page")).to_be_visible()
        finally:
            set_allowed_origins(web_server, admin["token"], None)
