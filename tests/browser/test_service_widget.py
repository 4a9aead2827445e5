"""The customer-service widget on a web shop's page (J4, decision 0066), in Chromium.

The shop's page comes from a tiny http.server on 127.0.0.2 — another origin than the Tidings
server on 127.0.0.1 — and loads /widget.js with one script tag. A visitor writes; an agent
signed in to the Tidings client in another browser context takes the chat and answers; the
shop's page sends an order card through `Tidings.widget.sendCard`, which the agent sees as a
card; the visitor reloads and keeps the conversation.

Until the CORS allowlist is on this branch (``allowed_origins`` in the settings), the shop's
page is served at the Tidings origin instead (same-origin), by Playwright's routing.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import unique
from tests.browser.pages import conversation_row, send_text, sign_in
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, WebServer, free_port, running_server
from tidings.config import Settings

CROSS_ORIGIN = "allowed_origins" in Settings.model_fields
SHOP_HOST = "127.0.0.2"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "data" / "screenshots"

SHOP_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Blue teapot — Tea Shop</title>
<style>/* the shop's own CSS must not reach the widget */
* { font-family: serif !important; color: red !important; }
button { background: yellow !important; }</style></head>
<body><h1>Blue teapot</h1><p>USD 25.00</p>
<script src="{tidings}/widget.js" data-lang="en" data-title="Tea Shop support" async></script>
</body></html>
"""

ORDER = {
    "title": "Order #A-1001",
    "url": "https://shop.example.com/orders/A-1001",
    "price": "25.00",
    "currency": "USD",
    "fields": [{"label": "Items", "value": "Blue teapot × 1"}, {"label": "State", "value": "Paid"}],
}


@pytest.fixture(scope="module")
def shop_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebServer, str]]:
    """A Tidings server that allows the shop's origin, and the shop's page URL."""
    port = free_port()
    shop_origin = f"http://{SHOP_HOST}:{port}"
    env = {"TIDINGS_ALLOWED_ORIGINS": shop_origin, "TIDINGS_WS_ALLOWED_ORIGINS": shop_origin}
    with running_server(tmp_path_factory.mktemp("service-widget"), env=env) as server:
        if not CROSS_ORIGIN:
            yield server, f"{server.base_url}/shop/teapot.html"
            return
        root = tmp_path_factory.mktemp("shop")
        (root / "teapot.html").write_text(SHOP_PAGE.replace("{tidings}", server.base_url))
        shop = _static_server(root, port)
        try:
            yield server, f"{shop_origin}/teapot.html"
        finally:
            shop.shutdown()
            shop.server_close()


@pytest.fixture(scope="module")
def shop_browser(playwright: Any, browser: Any) -> Iterator[Any]:
    """The visitor's Chromium. A page Playwright fulfils counts as a public one, which
    Chromium's local-network checks keep from a loopback WebSocket: the same-origin stand-in
    needs them off; the real cross-origin page (loopback to loopback) does not."""
    if CROSS_ORIGIN:
        yield browser
        return
    launched = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"],
    )
    yield launched
    launched.close()


def _static_server(root: Path, port: int) -> http.server.ThreadingHTTPServer:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer((SHOP_HOST, port), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _open_shop(page: Page, server: WebServer, url: str) -> None:
    if not CROSS_ORIGIN:
        page.route(
            url,
            lambda route: route.fulfill(
                content_type="text/html", body=SHOP_PAGE.replace("{tidings}", server.base_url)
            ),
        )
    page.goto(url)
    expect(page.locator("[data-tidings-widget]")).to_be_attached()


def _widget(page: Page) -> Any:
    # Playwright's CSS locators pierce open shadow roots.
    return page.locator("[data-tidings-widget]")


def test_a_visitor_and_an_agent_talk_through_the_widget(
    shop_server: tuple[WebServer, str], shop_browser: Any, new_context: Any
) -> None:
    server, shop_url = shop_server
    admin = server.register(unique("boss"), "Boss")
    agent = server.register(unique("agent"), "Wang Fang")
    server.make_admin(admin["user"]["account"])
    server.api(
        admin["token"], "PUT", "/admin/service/agents", json={"user_ids": [agent["user"]["id"]]}
    )

    shop_context = shop_browser.new_context(viewport={"width": 1280, "height": 800})
    shop_context.set_default_timeout(10_000)
    visitor = shop_context.new_page()
    _open_shop(visitor, server, shop_url)
    widget = _widget(visitor)
    launcher = widget.locator(".tw-launcher")
    expect(launcher).to_be_visible()
    # The shop's CSS stops at the shadow root.
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(255, 255, 0)"
    launcher.click()
    expect(widget.locator(".tw-title")).to_have_text("Tea Shop support")
    box = widget.locator(".tw-input")
    box.fill("Is the blue teapot in stock?")
    box.press("Enter")
    expect(widget.locator(".tw-mine:not(.tw-pending)")).to_have_text(
        ["Is the blue teapot in stock?"]
    )
    expect(widget.locator(".tw-status")).to_have_text("Waiting for an agent…")

    desk = new_context().new_page()
    sign_in(desk, server.base_url, agent["user"]["account"])
    desk.get_by_test_id("rail-service").click()
    waiting = desk.get_by_test_id("service-waiting").get_by_test_id("service-item")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("Blue teapot — Tea Shop")
    expect(waiting).to_contain_text("Is the blue teapot in stock?")
    waiting.get_by_test_id("service-take").click()
    # Taking opens the chat in Chats, with the visitor's message in it.
    expect(desk.get_by_test_id("bubble-text").filter(has_text="blue teapot")).to_be_visible()
    send_text(desk, "Yes, we have 12 left.")
    expect(widget.locator(".tw-theirs:not(.tw-greeting)")).to_have_text(["Yes, we have 12 left."])
    expect(widget.locator(".tw-status")).to_have_text("Wang Fang is serving you")

    # The shop's page sends an order card; the agent sees it as a card.
    visitor.evaluate("order => window.Tidings.widget.sendCard(order)", ORDER)
    expect(widget.locator(".tw-card .tw-card-title")).to_have_text("Order #A-1001")
    card = desk.get_by_test_id("custom-card")
    expect(card).to_contain_text("Order #A-1001")
    expect(card).to_contain_text("Blue teapot × 1")

    # The visitor reloads (or moves to another page of the shop): the conversation stays.
    visitor.reload()
    widget = _widget(visitor)
    widget.locator(".tw-launcher").click()
    expect(widget.locator(".tw-line[data-key]")).to_have_count(3)
    expect(widget.locator(".tw-mine").first).to_have_text("Is the blue teapot in stock?")
    expect(widget.locator(".tw-card .tw-card-title")).to_have_text("Order #A-1001")
    widget.locator(".tw-input").fill("Thanks!")
    widget.locator(".tw-input").press("Enter")
    expect(desk.get_by_test_id("bubble-text").filter(has_text="Thanks!")).to_be_visible()
    shop_context.close()


def test_an_agent_serves_a_customer_in_chats_with_the_service_actions_there(
    shop_server: tuple[WebServer, str], shop_browser: Any, new_context: Any
) -> None:
    """In Chats, a service chat reads as a customer conversation (the visitor's name,
    "Customer"/"客户", the page they are on, "took the chat", not group wording), offers
    only what the server takes (text and emoji), and has Transfer and Close for its agent."""
    server, shop_url = shop_server
    admin = server.register(unique("boss"), "Boss")
    first = server.register(unique("agent"), "Zhou Min")
    second = server.register(unique("agent"), "Li Na")
    server.make_admin(admin["user"]["account"])
    agents = [first["user"]["id"], second["user"]["id"]]
    server.api(admin["token"], "PUT", "/admin/service/agents", json={"user_ids": agents})

    shop_context = shop_browser.new_context(viewport={"width": 1280, "height": 800})
    shop_context.set_default_timeout(10_000)
    visitor = shop_context.new_page()
    _open_shop(visitor, server, shop_url)
    widget = _widget(visitor)
    widget.locator(".tw-launcher").click()
    widget.locator(".tw-input").fill("Where is my parcel?")
    widget.locator(".tw-input").press("Enter")
    expect(widget.locator(".tw-mine:not(.tw-pending)")).to_have_text(["Where is my parcel?"])

    desk = new_context().new_page()
    sign_in(desk, server.base_url, first["user"]["account"])
    desk.get_by_test_id("rail-service").click()
    waiting = desk.get_by_test_id("service-waiting").get_by_test_id("service-item")
    expect(waiting).to_have_count(1)
    name = waiting.locator(".service-visitor").inner_text()
    assert name.startswith("Visitor ")
    waiting.get_by_test_id("service-take").click()
    expect(desk.get_by_test_id("chat-title")).to_have_text(name)
    expect(desk.get_by_test_id("chat-subtitle")).to_have_text("Customer")
    bar = desk.get_by_test_id("service-chat-bar")
    expect(bar.get_by_test_id("service-chat-page")).to_contain_text("Blue teapot — Tea Shop")
    notices = desk.get_by_test_id("chat-notice")
    expect(notices.filter(has_text="You took the chat")).to_have_count(1)
    expect(notices.filter(has_text="group")).to_have_count(0)
    # Text and emoji only: no picture, file, screenshot, voice or "+" the server would refuse.
    expect(desk.get_by_test_id("emoji-button")).to_be_visible()
    for refused in ("image-button", "file-button", "plus-button", "voice-button"):
        expect(desk.get_by_test_id(refused)).to_have_count(0)
    expect(desk.get_by_test_id("screenshot-button")).to_have_count(0)
    send_text(desk, "It left the warehouse today.")
    expect(widget.locator(".tw-theirs:not(.tw-greeting)")).to_have_text(
        ["It left the warehouse today."]
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    desk.screenshot(path=str(SCREENSHOTS / "service-chat-agent-en.png"))

    # Transfer from the chat itself: it leaves this agent's Chats and reaches the other.
    bar.get_by_test_id("service-chat-transfer-target").select_option(label="Li Na")
    bar.get_by_test_id("service-chat-transfer").click()
    expect(conversation_row(desk, name)).to_have_count(0)
    expect(widget.locator(".tw-status")).to_have_text("Li Na is serving you")

    other = new_context(locale="zh-CN").new_page()
    sign_in(other, server.base_url, second["user"]["account"])
    zh_name = name.replace("Visitor ", "访客 ")
    conversation_row(other, zh_name).click()
    expect(other.get_by_test_id("chat-title")).to_have_text(zh_name)
    expect(other.get_by_test_id("chat-subtitle")).to_have_text("客户")
    other_notices = other.get_by_test_id("chat-notice")
    expect(other_notices.filter(has_text="Zhou Min将会话转接给你")).to_have_count(1)
    expect(other_notices.filter(has_text="群")).to_have_count(0)
    expect(other.get_by_test_id("image-button")).to_have_count(0)
    other.screenshot(path=str(SCREENSHOTS / "service-chat-agent-zh.png"))
    other.get_by_test_id("service-chat-bar").get_by_test_id("service-chat-close").click()
    expect(conversation_row(other, zh_name)).to_have_count(0)
    expect(widget.locator(".tw-status")).to_have_text("The chat was closed. Write again any time.")
    shop_context.close()
