"""Screenshots and the image editor (I6, I7) in real Chromium against a real server.

Chromium picks the capture itself: `--use-fake-ui-for-media-stream` accepts the picker (a
whole screen) and `--use-fake-device-for-media-stream` makes that screen a synthetic 1280x720
picture (green, with a running clock drawn in text at the top left). Headless Chromium has
no real screen, so `--auto-select-desktop-capture-source` and `--auto-accept-this-tab-capture`
never answer there; these two flags do. They get their own browser, the other browser tests
keep theirs.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import direct_chat, open_conversation, sign_in

sync_api = pytest.importorskip("playwright.sync_api")

RED = (245, 34, 45)  # the editor's first colour, #f5222d
BLUE = (22, 119, 255)  # #1677ff


@pytest.fixture
def device(media_browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(**options: Any) -> Page:
        options.setdefault("viewport", {"width": 1280, "height": 800})
        options.setdefault("locale", "en-US")
        context = media_browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page: Page = context.new_page()
        return page

    yield make
    for context in contexts:
        context.close()


def region(page: Page) -> tuple[float, float, float, float]:
    """The part of the picture the editor's canvas shows, in picture pixels."""
    raw = page.get_by_test_id("editor-canvas").get_attribute("data-region") or ""
    x, y, w, h = (float(v) for v in raw.split(","))
    return x, y, w, h


def drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Drag across the editor's canvas between two points in picture pixels."""
    box = page.get_by_test_id("editor-canvas").bounding_box()
    assert box
    rx, ry, rw, rh = region(page)

    def screen(p: tuple[float, float]) -> tuple[float, float]:
        x = box["x"] + (p[0] - rx) * box["width"] / rw
        y = box["y"] + (p[1] - ry) * box["height"] / rh
        return x, y

    page.mouse.move(*screen(start))
    page.mouse.down()
    page.mouse.move(*screen(end), steps=6)
    page.mouse.up()


def marks(page: Page) -> str | None:
    return page.get_by_test_id("editor-canvas").get_attribute("data-marks")


def near(pixel: Any, colour: tuple[int, int, int], slack: int = 40) -> bool:
    return all(abs(int(a) - b) <= slack for a, b in zip(pixel[:3], colour, strict=True))


def only_image(server: WebServer, token: str, chat: int, sender: int) -> dict[str, Any]:
    messages = server.api(token, "GET", f"/conversations/{chat}/messages")["messages"]
    images = [m for m in messages if m["type"] == "image" and m["sender_id"] == sender]
    assert len(images) == 1, images
    body: dict[str, Any] = images[0]["body"]
    return body


def fetch_picture(server: WebServer, token: str, file_id: str) -> Image.Image:
    response = server.http.get(
        f"{server.base_url}/files/{file_id}", headers={"Authorization": f"Bearer {token}"}
    )
    response.raise_for_status()
    return Image.open(io.BytesIO(response.content)).convert("RGB")


def test_screenshot_marked_up_cropped_and_sent_at_full_resolution(
    web_server: WebServer, device: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    page = device()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    open_conversation(page, "Bob Li")

    page.get_by_test_id("screenshot-button").click()
    editor = page.get_by_test_id("image-editor")
    expect(editor).to_be_visible()
    canvas = page.get_by_test_id("editor-canvas")
    # The frame at the screen's own size (1280x720 for Chromium's fake screen), shown smaller.
    width = int(canvas.get_attribute("data-width") or 0)
    height = int(canvas.get_attribute("data-height") or 0)
    assert (width, height) == (1280, 720)
    shown = canvas.bounding_box()
    assert shown and shown["width"] < width

    # A thick red rectangle, a blue arrow, and a mosaic over the clock's text.
    page.get_by_test_id("editor-size-2").click()
    drag(page, (200, 200), (500, 400))
    page.get_by_test_id("editor-tool-arrow").click()
    page.get_by_test_id("editor-color-3").click()
    drag(page, (600, 550), (1000, 250))
    page.get_by_test_id("editor-tool-mosaic").click()
    drag(page, (84, 16), (400, 80))
    expect(canvas).to_have_attribute("data-marks", "3")

    # Undo and redo, by button and by key.
    page.get_by_test_id("editor-undo").click()
    expect(canvas).to_have_attribute("data-marks", "2")
    page.get_by_test_id("editor-redo").click()
    expect(canvas).to_have_attribute("data-marks", "3")
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    expect(canvas).to_have_attribute("data-marks", "1")
    page.keyboard.press("Control+Shift+z")
    page.keyboard.press("Control+Shift+Z")
    expect(canvas).to_have_attribute("data-marks", "3")

    # Crop away the edges: the view then shows just the kept part.
    page.get_by_test_id("editor-tool-crop").click()
    drag(page, (40, 10), (1240, 700))
    page.get_by_test_id("editor-crop-apply").click()
    cx, cy, cw, ch = region(page)
    assert abs(cx - 40) <= 3 and abs(cy - 10) <= 3 and abs(cw - 1200) <= 4 and abs(ch - 690) <= 4
    page.get_by_test_id("editor-send").click()
    expect(editor).to_have_count(0)
    expect(page.locator("[data-testid=image-media][data-state=server]")).to_have_count(1)

    # Bob gets the cropped picture at full resolution, with the drawing in it.
    body = only_image(web_server, bob["token"], chat, alice["user"]["id"])
    assert (body["width"], body["height"]) == (round(cw), round(ch)), body
    picture = fetch_picture(web_server, bob["token"], body["file_id"])
    assert picture.size == (round(cw), round(ch))

    def at(x: float, y: float) -> Any:
        return picture.getpixel((round(x - cx), round(y - cy)))

    assert near(at(200, 300), RED), at(200, 300)  # the rectangle's left side
    assert near(at(350, 400), RED), at(350, 400)  # its bottom
    assert not near(at(350, 300), RED)  # not filled
    assert near(at(800, 400), BLUE), at(800, 400)  # halfway along the arrow
    # The clock's text is blocks now: colour changes only at cell edges, so at few columns
    # (sharp text changes colour at many).
    edges = set()
    colours = set()
    for y in range(30, 66, 3):
        for x in range(100, 380):
            here, right = at(x, y), at(x + 1, y)
            colours.add(here)
            if here != right:
                edges.add(x)
    assert len(colours) > 1 and len(edges) <= 2 * (280 // 22 + 2), (len(colours), len(edges))

    # Bob opens it: the viewer shows it at its full size.
    bob_page = device()
    sign_in(bob_page, web_server.base_url, bob["user"]["account"])
    open_conversation(bob_page, "Alice Zhang")
    bob_page.locator("[data-testid=image-media][data-state=server]").click()
    viewer = bob_page.get_by_test_id("viewer-image")
    expect(viewer).to_be_visible()
    bob_page.wait_for_function(
        "() => document.querySelector('[data-testid=viewer-image]')?.naturalWidth > 0"
    )
    assert viewer.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [
        round(cw),
        round(ch),
    ]

    # The shortcut's action opens the same editor (lib/shortcuts.ts binds the key; here a
    # key press stands in for it, so the browser sees a user gesture); Escape closes it.
    page.evaluate(
        """() => window.addEventListener('keydown', (e) => {
            if (e.altKey && e.key.toLowerCase() === 'a') window.dispatchEvent(
                new CustomEvent('tidings:shortcut', {detail: {action: 'screenshot'}}));
        })"""
    )
    page.get_by_test_id("composer-input").click()
    page.keyboard.press("Alt+a")
    expect(editor).to_be_visible()
    # The keys are the editor's now, not the message input's behind it.
    page.keyboard.type("x")
    expect(page.get_by_test_id("composer-input")).to_have_value("")
    drag(page, (300, 300), (500, 500))
    expect(canvas).to_have_attribute("data-marks", "1")
    page.keyboard.press("Control+z")
    expect(canvas).to_have_attribute("data-marks", "0")
    page.keyboard.press("Escape")
    expect(editor).to_have_count(0)


def picture_bytes(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=95)
    return out.getvalue()


def test_viewer_edit_draws_turns_and_sends_or_saves(web_server: WebServer, device: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    image = web_server.upload(
        bob["token"], picture_bytes(800, 400, (230, 230, 230)), "wall.jpg", "image/jpeg"
    )
    web_server.api(
        bob["token"],
        "POST",
        f"/conversations/{chat}/messages",
        json={
            "client_msg_id": uuid.uuid4().hex,
            "type": "image",
            "body": {"file_id": image, "width": 800, "height": 400, "name": "wall.jpg"},
        },
    )
    page = device()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    open_conversation(page, "Bob Li")
    page.locator("[data-testid=image-media][data-state=server]").click()
    page.get_by_test_id("viewer-edit").click()
    canvas = page.get_by_test_id("editor-canvas")
    expect(canvas).to_have_attribute("data-width", "800")
    # Nothing to send before a change.
    expect(page.get_by_test_id("editor-send")).to_be_disabled()
    # A red rectangle on the left half, then a quarter turn to the right: the picture
    # becomes 400x800 and the rectangle turns with it.
    drag(page, (100, 100), (300, 300))
    # Text: a click where it goes, typing, Enter.
    page.get_by_test_id("editor-tool-text").click()
    drag(page, (500, 200), (500, 200))
    page.get_by_test_id("editor-text-input").press_sequentially("Hi")
    page.keyboard.press("Enter")
    expect(canvas).to_have_attribute("data-marks", "2")
    page.get_by_test_id("editor-rotate-right").click()
    expect(canvas).to_have_attribute("data-rotation", "90")
    expect(canvas).to_have_attribute("data-width", "400")

    with page.expect_download() as saving:
        page.get_by_test_id("editor-save").click()
    saved = Image.open(saving.value.path()).convert("RGB")
    assert saved.size == (400, 800)
    # (x, y) on the original is (400 - y, x) turned: the left side x=100 is now y=100.
    assert near(saved.getpixel((200, 100)), RED), saved.getpixel((200, 100))
    assert near(saved.getpixel((200, 200)), (230, 230, 230))

    page.get_by_test_id("editor-send").click()
    expect(page.get_by_test_id("viewer-notice")).to_have_text(
        "The edited image was sent", timeout=15_000
    )
    body = only_image(web_server, bob["token"], chat, alice["user"]["id"])
    assert (body["width"], body["height"], body["name"]) == (400, 800, "wall-edited.png")
    sent = fetch_picture(web_server, bob["token"], body["file_id"])
    assert sent.size == (400, 800)
    assert near(sent.getpixel((200, 100)), RED)
