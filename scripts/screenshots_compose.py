#!/usr/bin/env python3
"""Screenshots of the composer's "+" panel and what it sends, for docs/screenshots/ (PNG).

The panel, voice recording (Chromium's fake microphone), the location picker on a map, the
sticker panel, and a chat holding every type it sends: light and dark, Chinese and English,
desktop and mobile. Map tiles come from a small tile server started here (drawn streets,
no network), named by TIDINGS_MAP_TILE_URL as a real deployment would name its own.

    .venv/bin/python scripts/screenshots_compose.py     # needs the web build and /usr/bin/chromium
"""

from __future__ import annotations

import contextlib
import io
import random
import sys
import threading
from collections.abc import Iterator
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import (
    CHROMIUM_ARGS,
    DESKTOP,
    MOBILE,
    OUT,
    Api,
    context_for,
    demo_server,
    landscape,
    sign_in_page,
)
from screenshots_media import sticker_png, tone_wav

FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
COMBOS = (("en-US", "light", "light-en"), ("zh-CN", "dark", "dark-zh"))
ALL_COMBOS = (*COMBOS, ("zh-CN", "light", "light-zh"), ("en-US", "dark", "dark-en"))


@lru_cache(maxsize=512)
def tile(z: int, x: int, y: int) -> bytes:
    """A 256-pixel tile that looks like a town plan: blocks, streets, a river, some parks."""
    rng = random.Random(z * 1_000_003 + x * 7919 + y)
    image = Image.new("RGB", (256, 256), (242, 239, 233))
    draw = ImageDraw.Draw(image)
    step = max(24, 96 >> max(0, 16 - z))
    for i in range(0, 256, step):
        width = 6 if rng.random() < 0.25 else 3
        draw.line([(i, 0), (i, 256)], fill=(255, 255, 255), width=width)
        draw.line([(0, i), (256, i)], fill=(255, 255, 255), width=width)
    for _ in range(3):
        px, py = rng.randrange(0, 256, step), rng.randrange(0, 256, step)
        draw.rectangle([px + 4, py + 4, px + step - 4, py + step - 4], fill=(200, 228, 190))
    if (x + y) % 5 == 0:
        draw.line([(0, 200), (256, 60)], fill=(170, 205, 240), width=18)
    draw.line([(0, 128), (256, 128)], fill=(252, 214, 140), width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class _Tiles(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        try:
            z, x, y = (int(part) for part in self.path.removesuffix(".png").strip("/").split("/"))
            body = tile(z, x, y)
        except ValueError:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@contextlib.contextmanager
def tile_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    finally:
        server.shutdown()
        server.server_close()


def seed(api: Api) -> None:
    alice, bob = api.login("alice"), api.login("bob")
    ids = {
        c["name"] or "system": c["id"]
        for c in api.call(bob, "GET", "/conversations")["conversations"]
    }
    direct = ids["Alice Zhang"]
    carol_id = api.call(api.login("carol"), "GET", "/me")["id"]
    alice_id = api.call(alice, "GET", "/me")["id"]
    voice = api.upload(bob, tone_wav(2.0), "voice.wav", "audio/wav")
    wave = [12, 30, 55, 80, 64, 38, 70, 95, 100, 72, 40, 22, 48, 76, 90, 58, 30, 18, 44, 66]
    api.say(bob, direct, "voice", {"file_id": voice, "duration_ms": 7_000, "waveform": wave})
    poster = api.upload(bob, landscape(1280, 720), "poster.jpg", "image/jpeg")
    video = api.upload(bob, b"\x1a\x45\xdf\xa3" + b"\x00" * 2000, "clip.webm", "video/webm")
    api.say(
        bob,
        direct,
        "video",
        {
            "file_id": video,
            "duration_ms": 21_000,
            "width": 1280,
            "height": 720,
            "poster_file_id": poster,
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
    api.say(
        bob,
        direct,
        "location",
        {
            "latitude": 31.2304,
            "longitude": 121.4737,
            "precision": "blurred",
            "address": "Huangpu, Shanghai",
        },
    )
    # A card names someone the sender may see in the organization (decision 0011): carol
    # where the demo's tree shows her to bob, else alice herself.
    try:
        api.say(bob, direct, "contact_card", {"user_id": carol_id})
    except httpx.HTTPStatusError:
        api.say(bob, direct, "contact_card", {"user_id": alice_id})
    sticker = api.upload(alice, sticker_png(), "smile.png", "image/png")
    api.say(alice, direct, "sticker", {"file_id": sticker, "width": 240, "height": 240})
    # Alice keeps it, and one more, in her sticker panel.
    second = api.upload(alice, landscape(300, 300), "hills.png", "image/jpeg")
    with contextlib.suppress(httpx.HTTPError):
        add_stickers(api, alice, [sticker, second])


def add_stickers(api: Api, token: str, file_ids: list[str]) -> None:
    """stickers.add is a WebSocket op: one short session of the Python SDK."""
    import asyncio

    from tidings.sdk import TidingsClient

    async def run() -> None:
        async with TidingsClient(api.base, token=token) as client:
            for file_id in file_ids:
                await client.request("stickers.add", {"file_id": file_id})

    asyncio.run(run())


def open_bob(page: Page, base: str) -> None:
    sign_in_page(page, base, "alice")
    page.get_by_test_id("conversation-row").filter(has_text="Bob").first.click()
    expect(page.get_by_test_id("sticker-media").locator("img")).to_be_visible()
    expect(page.get_by_test_id("location-open").first).to_have_attribute("data-tiles", "yes")
    page.wait_for_timeout(800)


def save(page: Page, name: str) -> None:
    page.wait_for_timeout(400)
    page.screenshot(path=str(OUT / f"{name}.png"))
    print(f"docs/screenshots/{name}.png")


def shoot(browser: Browser, base: str) -> None:
    for locale, theme, name in ALL_COMBOS:
        # Tall enough for every type the panel sends at once.
        tall: ViewportSize = {"width": 1280, "height": 1320}
        page = context_for(browser, locale, theme, tall, False).new_page()
        open_bob(page, base)
        save(page, f"desktop-compose-chat-{name}")
        page.set_viewport_size(DESKTOP)
        if (locale, theme, name) in COMBOS:
            page.get_by_test_id("plus-button").click()
            save(page, f"desktop-plus-panel-{name}")
            page.keyboard.press("Escape")
            page.get_by_test_id("voice-button").click()
            expect(page.get_by_test_id("voice-elapsed")).to_have_text("0:02", timeout=5_000)
            save(page, f"desktop-voice-recording-{name}")
            page.get_by_test_id("voice-cancel").click()
            page.get_by_test_id("plus-button").click()
            page.get_by_test_id("plus-location").click()
            dialog = page.get_by_test_id("location-dialog")
            dialog.get_by_test_id("location-latitude").fill("31.239700")
            dialog.get_by_test_id("location-longitude").fill("121.499800")
            dialog.get_by_test_id("location-name").fill("Riverside Hall")
            expect(dialog.locator(".leaflet-tile-loaded").first).to_be_visible()
            save(page, f"desktop-location-picker-{name}")
            page.keyboard.press("Escape")
            page.get_by_test_id("plus-button").click()
            page.get_by_test_id("plus-sticker").click()
            expect(page.get_by_test_id("sticker-item").first.locator("img")).to_be_visible()
            save(page, f"desktop-sticker-panel-{name}")
            page.keyboard.press("Escape")
            page.get_by_test_id("location-open").first.click()
            expect(page.locator(".location-viewer .leaflet-tile-loaded").first).to_be_visible()
            save(page, f"desktop-location-viewer-{name}")
        page.context.close()
    for locale, theme, name in COMBOS:
        phone = context_for(browser, locale, theme, MOBILE, True).new_page()
        open_bob(phone, base)
        phone.get_by_test_id("voice-media").scroll_into_view_if_needed()
        save(phone, f"mobile-compose-chat-{name}")
        phone.get_by_test_id("plus-button").click()
        save(phone, f"mobile-plus-panel-{name}")
        phone.get_by_test_id("plus-voice").click()
        box = phone.get_by_test_id("voice-hold").bounding_box()
        assert box
        phone.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        phone.mouse.down()
        expect(phone.get_by_test_id("voice-elapsed")).to_have_text("0:01", timeout=5_000)
        save(phone, f"mobile-voice-hold-{name}")
        phone.mouse.move(box["x"] + box["width"] / 2, box["y"] - 150, steps=3)
        save(phone, f"mobile-voice-slide-cancel-{name}")
        phone.mouse.up()
        phone.context.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tile_server() as tiles:
        env = {"TIDINGS_MAP_TILE_URL": tiles, "TIDINGS_MAP_ATTRIBUTION": "Demo tiles"}
        with demo_server(env) as (base, _):
            with httpx.Client(timeout=30) as http:
                seed(Api(base, http))
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium", args=[*CHROMIUM_ARGS, *FAKE_MEDIA]
                )
                shoot(browser, base)
                browser.close()


if __name__ == "__main__":
    main()
