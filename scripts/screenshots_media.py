#!/usr/bin/env python3
"""Screenshots of the media bubbles and the image viewer window for docs/screenshots/ (PNG).

Voice, video, location (precise and blurred), contact card, host-system card and sticker
messages in one chat, light/English and dark/Chinese; the image viewer in its own window,
and its editor. Uses the demo server and helpers of scripts/screenshots.py.

    .venv/bin/python scripts/screenshots_media.py       # needs the web build and /usr/bin/chromium
"""

from __future__ import annotations

import io
import math
import struct
import sys
import wave
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageDraw
from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

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

ROOT = Path(__file__).resolve().parents[1]


def tone_wav(seconds: float) -> bytes:
    """A short, quiet two-note chime as a WAV voice message."""
    rate = 8000
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = bytearray()
        for i in range(int(rate * seconds)):
            f = 523.25 if i < rate * seconds / 2 else 659.25
            frames += struct.pack("<h", int(3000 * math.sin(2 * math.pi * f * i / rate)))
        w.writeframes(bytes(frames))
    return out.getvalue()


def sticker_png() -> bytes:
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse([12, 12, 228, 228], fill=(255, 205, 64, 255), outline=(230, 160, 30, 255), width=6)
    draw.ellipse([72, 80, 100, 112], fill=(60, 40, 20, 255))
    draw.ellipse([140, 80, 168, 112], fill=(60, 40, 20, 255))
    draw.arc([64, 96, 176, 190], 20, 160, fill=(60, 40, 20, 255), width=10)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# A WebM header is all the server checks; the screenshots show the poster, not a playing video.
FAKE_WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 2000


def seed_media(api: Api) -> dict[str, Any]:
    alice, bob = api.login("alice"), api.login("bob")
    ids = {
        c["name"] or "system": c["id"]
        for c in api.call(bob, "GET", "/conversations")["conversations"]
    }
    direct = ids["Alice Zhang"]
    carol_id = api.call(api.login("carol"), "GET", "/me")["id"]
    api.text(bob, direct, "The photos and the address for Friday 👇")
    voice = api.upload(bob, tone_wav(3.0), "voice.wav", "audio/wav")
    api.say(bob, direct, "voice", {"file_id": voice, "duration_ms": 14_000})
    poster = api.upload(bob, landscape(1280, 720), "poster.jpg", "image/jpeg")
    video = api.upload(bob, FAKE_WEBM, "offsite.webm", "video/webm")
    api.say(
        bob,
        direct,
        "video",
        {
            "file_id": video,
            "duration_ms": 83_000,
            "width": 1280,
            "height": 720,
            "poster_file_id": poster,
        },
    )
    api.say(
        bob,
        direct,
        "location",
        {
            "latitude": 31.2397,
            "longitude": 121.4998,
            "precision": "precise",
            "name": "Riverside Hall",
            "address": "88 Binjiang Avenue, Pudong, Shanghai",
        },
    )
    api.say(
        alice,
        direct,
        "location",
        {
            "latitude": 31.2304,
            "longitude": 121.4737,
            "precision": "blurred",
            "name": "Near People's Square",
        },
    )
    api.say(bob, direct, "contact_card", {"user_id": carol_id})
    api.say(
        alice,
        direct,
        "custom_card",
        {
            "title": "Order #20931 — Team offsite lunch boxes ×12",
            "url": "https://shop.example.com/orders/20931",
            "description": "Delivery Friday 11:30 to Riverside Hall",
            "price": "576",
            "currency": "CNY",
            "image_url": f"{api.base}/assets/icon-192.png",
            "source": "Canteen",
        },
    )
    sticker = api.upload(alice, sticker_png(), "smile.png", "image/png")
    api.say(
        alice, direct, "sticker", {"file_id": sticker, "width": 240, "height": 240, "emoji": "😄"}
    )
    picture = api.upload(bob, landscape(1200, 800), "hills.jpg", "image/jpeg")
    api.say(
        bob,
        direct,
        "image",
        {"file_id": picture, "width": 1200, "height": 800, "name": "hills.jpg"},
    )
    return {"direct": direct}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with demo_server() as (base, _):
        with httpx.Client(timeout=30) as http:
            seed_media(Api(base, http))
        shoot(base)


def shoot(base: str) -> None:
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for locale, theme, name in (("en-US", "light", "light-en"), ("zh-CN", "dark", "dark-zh")):
            # Tall enough to show every kind of bubble at once.
            size: ViewportSize = {"width": DESKTOP["width"], "height": 1480}
            page = context_for(browser, locale, theme, size, False).new_page()
            open_bob(page, base)
            page.wait_for_timeout(400)
            page.screenshot(path=str(OUT / f"desktop-media-{name}.png"))
            if name == "light-en":
                viewer_shots(page)
            page.context.close()
        phone = context_for(browser, "zh-CN", "light", MOBILE, True).new_page()
        open_bob(phone, base)
        phone.wait_for_timeout(400)
        phone.screenshot(path=str(OUT / "mobile-media-light-zh.png"))
        phone.context.close()
        browser.close()


def open_bob(page: Page, base: str) -> None:
    sign_in_page(page, base, "alice")
    page.get_by_test_id("conversation-row").filter(has_text="Bob").first.click()
    expect(page.get_by_test_id("sticker-media").locator("img")).to_be_visible()
    expect(page.get_by_test_id("video-media")).to_have_attribute("data-poster", "yes")
    # The voice message near the top, with the line before it.
    page.get_by_test_id("voice-media").evaluate(
        "e => { e.closest('[data-testid=message]').scrollIntoView({ block: 'start' });"
        " document.querySelector('[data-testid=message-list]').scrollTop -= 56; }"
    )


def viewer_shots(page: Page) -> None:
    """The viewer over the chat, in its own window, and its editor with a crop."""
    page.set_viewport_size(DESKTOP)
    page.get_by_test_id("image-media").last.click()
    expect(page.get_by_test_id("viewer-image")).to_be_visible()
    page.wait_for_timeout(300)
    page.screenshot(path=str(OUT / "desktop-image-viewer-light-en.png"))
    with page.expect_popup() as popup_info:
        page.get_by_test_id("viewer-window").click()
    viewer = popup_info.value
    viewer.set_viewport_size({"width": 900, "height": 680})
    expect(viewer.get_by_test_id("viewer-image")).to_be_visible()
    viewer.wait_for_timeout(300)
    viewer.screenshot(path=str(OUT / "viewer-window-light-en.png"))
    viewer.get_by_test_id("viewer-edit").click()
    box = viewer.get_by_test_id("editor-canvas").bounding_box()
    assert box
    viewer.mouse.move(box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.2)
    viewer.mouse.down()
    viewer.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.85, steps=5)
    viewer.mouse.up()
    viewer.wait_for_timeout(200)
    viewer.screenshot(path=str(OUT / "viewer-edit-light-en.png"))


if __name__ == "__main__":
    main()
