"""Media bubbles and the image viewer's window (D2, I7), through a real server.

Voice, video, location (precise and blurred), contact card, host-system card and sticker
messages render as media, with safe links; the image viewer opens in a window of its own on
the shared connection, forwards the image, and sends an edited (cropped, turned) copy as a new
image through the ordinary upload path.
"""

from __future__ import annotations

import io
import math
import re
import struct
import uuid
import wave
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import direct_chat, open_conversation, sign_in

# A signed link to a file (docs/protocol.md, "Signed links").
FILE_LINK = re.compile(r"/files/[A-Za-z0-9_-]+\?")


def say(
    server: WebServer, user: dict[str, Any], chat: int, type_: str, body: dict[str, Any]
) -> int:
    entry = server.api(
        user["token"],
        "POST",
        f"/conversations/{chat}/messages",
        json={"client_msg_id": uuid.uuid4().hex, "type": type_, "body": body},
    )
    seq: int = entry["seq"]
    return seq


def wav(seconds: float) -> bytes:
    rate = 8000
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(
            b"".join(
                struct.pack("<h", int(2000 * math.sin(2 * math.pi * 440 * i / rate)))
                for i in range(int(rate * seconds))
            )
        )
    return out.getvalue()


def picture(width: int, height: int, colour: tuple[int, int, int], fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), colour)
    # A marker in the top-left corner shows which way the picture is turned.
    image.paste((255, 255, 255), (0, 0, width // 4, height // 4))
    image.save(out, fmt)
    return out.getvalue()


def test_media_bubbles_render_with_safe_links(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    chat = direct_chat(web_server, alice, bob)
    voice = web_server.upload(bob["token"], wav(1.5), "voice.wav", "audio/wav")
    say(web_server, bob, chat, "voice", {"file_id": voice, "duration_ms": 14_000})
    poster = web_server.upload(
        bob["token"], picture(640, 360, (30, 90, 160)), "poster.jpg", "image/jpeg"
    )
    video = web_server.upload(
        bob["token"], b"\x1a\x45\xdf\xa3" + b"\x00" * 500, "clip.webm", "video/webm"
    )
    say(
        web_server,
        bob,
        chat,
        "video",
        {
            "file_id": video,
            "duration_ms": 83_000,
            "width": 640,
            "height": 360,
            "poster_file_id": poster,
        },
    )
    say(
        web_server,
        bob,
        chat,
        "location",
        {
            "latitude": 31.2397,
            "longitude": 121.4998,
            "name": "Riverside Hall",
            "address": "88 Binjiang Ave",
        },
    )
    say(
        web_server,
        bob,
        chat,
        "location",
        {"latitude": 31.230416, "longitude": 121.473701, "precision": "blurred"},
    )
    say(web_server, bob, chat, "contact_card", {"user_id": carol["user"]["id"]})
    say(
        web_server,
        bob,
        chat,
        "custom_card",
        {
            "title": "Order #20931",
            "url": "https://shop.example.com/orders/20931",
            "price": "576",
            "currency": "CNY",
            "image_url": "https://tracker.example.net/pixel.png",
            "source": "Canteen",
        },
    )
    sticker = web_server.upload(
        bob["token"], picture(200, 200, (250, 200, 60), "PNG"), "s.png", "image/png"
    )
    say(
        web_server,
        bob,
        chat,
        "sticker",
        {"file_id": sticker, "width": 200, "height": 200, "emoji": "😄"},
    )

    page: Page = new_context().new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, web_server.base_url, alice["user"]["account"])
    open_conversation(page, "Bob Li")
    expect(page.get_by_test_id("sticker-media").locator("img")).to_be_visible()
    # No placeholder text under any of them.
    expect(page.locator(".bubble-text.unsupported")).to_have_count(0)

    voice_bubble = page.get_by_test_id("voice-media")
    expect(voice_bubble).to_have_attribute("data-duration", "0:14")
    voice_bubble.get_by_test_id("voice-play").click()
    audio = voice_bubble.get_by_test_id("voice-audio")
    expect(audio).to_have_attribute("src", FILE_LINK)
    expect(voice_bubble).to_have_attribute("data-playing", "true")

    video_bubble = page.get_by_test_id("video-media")
    expect(video_bubble).to_have_attribute("data-poster", "yes")
    expect(video_bubble.locator(".video-duration")).to_have_text("1:23")
    video_bubble.get_by_test_id("video-play").click()
    expect(video_bubble.get_by_test_id("video-player")).to_have_attribute("src", FILE_LINK)

    precise, blurred = page.get_by_test_id("location-card").all()
    expect(precise).to_have_attribute("data-precision", "precise")
    expect(precise).to_contain_text("Riverside Hall")
    expect(precise.get_by_test_id("location-coords")).to_have_text("31.23970° N, 121.49980° E")
    link = precise.get_by_test_id("location-link")
    expect(link).to_have_attribute(
        "href",
        "https://www.openstreetmap.org/?mlat=31.239700&mlon=121.499800#map=16/31.239700/121.499800",
    )
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    # The server blurred it to about a kilometre; the card shows an area, not a point.
    expect(blurred).to_have_attribute("data-precision", "blurred")
    expect(blurred.get_by_test_id("location-coords")).to_have_text("≈ 31.23° N, 121.47° E")
    expect(blurred.get_by_test_id("location-link")).to_have_attribute(
        "href", "https://www.openstreetmap.org/#map=13/31.23/121.47"
    )

    card = page.get_by_test_id("custom-card")
    expect(card).to_have_attribute("href", "https://shop.example.com/orders/20931")
    expect(card).to_have_attribute("target", "_blank")
    expect(card).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(card.get_by_test_id("custom-card-price")).to_have_text("CN¥576.00")
    # A picture from another server is not loaded (privacy; the CSP would refuse it anyway).
    expect(card.locator("img")).to_have_count(0)

    contact = page.get_by_test_id("contact-card")
    expect(contact).to_contain_text("Carol Wang")
    contact.get_by_test_id("contact-card-open").click()
    expect(page.get_by_test_id("profile-dialog")).to_contain_text("Carol Wang")
    page.keyboard.press("Escape")
    contact.get_by_test_id("contact-card-message").click()
    expect(page.get_by_test_id("chat-title")).to_have_text("Carol Wang")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_image_viewer_window_forwards_and_sends_an_edited_copy(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    chat = direct_chat(web_server, alice, bob)
    direct_chat(web_server, alice, carol)
    image = web_server.upload(
        bob["token"], picture(800, 400, (40, 120, 200)), "wide.jpg", "image/jpeg"
    )
    say(
        web_server,
        bob,
        chat,
        "image",
        {"file_id": image, "width": 800, "height": 400, "name": "wide.jpg"},
    )

    context = new_context()
    page: Page = context.new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    open_conversation(page, "Bob Li")
    expect(page.locator("[data-testid=image-media][data-state=server]")).to_have_count(1)
    page.get_by_test_id("image-media").click()
    with page.expect_popup() as opened:
        page.get_by_test_id("image-viewer").get_by_test_id("viewer-window").click()
    viewer: Page = opened.value
    # The main window steps back to the chat; the image now has a window of its own.
    expect(page.get_by_test_id("image-viewer")).to_have_count(0)
    expect(viewer.get_by_test_id("image-window")).to_be_visible()
    shown = viewer.get_by_test_id("viewer-image")
    expect(shown).to_be_visible()
    viewer.get_by_test_id("zoom-in").click()
    expect(shown).to_have_attribute("data-zoom", "1.25")
    viewer.get_by_test_id("rotate").click()
    expect(shown).to_have_attribute("data-rotation", "90")
    viewer.get_by_test_id("reset").click()
    expect(shown).to_have_attribute("data-zoom", "1")
    assert "/files/" in (viewer.get_by_test_id("viewer-download").get_attribute("href") or "")

    # Forward, through the forward dialog, from the viewer's window.
    viewer.get_by_test_id("viewer-forward").click()
    dialog = viewer.get_by_test_id("forward-dialog")
    dialog.locator("[data-testid=forward-target][data-title='Carol Wang']").click()
    dialog.get_by_test_id("forward-send").click()
    expect(viewer.get_by_test_id("viewer-notice")).to_contain_text("1")
    forwarded = web_server.api(carol["token"], "GET", "/conversations")["conversations"]
    assert any(c["preview"] and c["preview"]["type"] == "image" for c in forwarded)

    # Edit: turn a quarter to the right, keep the left half, send as a new image.
    viewer.get_by_test_id("viewer-edit").click()
    canvas = viewer.get_by_test_id("editor-canvas")
    expect(canvas).to_be_visible()
    viewer.get_by_test_id("editor-rotate-right").click()
    expect(canvas).to_have_attribute("data-rotation", "90")
    box = canvas.bounding_box()
    assert box and box["height"] > box["width"]  # 800x400 turned is tall
    viewer.get_by_test_id("editor-tool-crop").click()
    viewer.mouse.move(box["x"] + 2, box["y"] + 2)
    viewer.mouse.down()
    viewer.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 2, steps=4)
    viewer.mouse.up()
    viewer.get_by_test_id("editor-crop-apply").click()
    viewer.get_by_test_id("editor-send").click()
    expect(viewer.get_by_test_id("viewer-notice")).to_have_text(
        "The edited image was sent", timeout=15_000
    )

    # The main window, on the same connection, shows the new image; the server has it.
    expect(page.locator("[data-testid=image-media][data-state=server]")).to_have_count(2)
    sent = web_server.api(alice["token"], "GET", f"/conversations/{chat}/messages")["messages"]
    edited = [m for m in sent if m["type"] == "image" and m["sender_id"] == alice["user"]["id"]]
    assert len(edited) == 1
    body = edited[0]["body"]
    # 800x400 turned is 400x800; the left half of that is 200x800 (give or take the few
    # pixels the drag starts and stops inside the picture's edges).
    assert abs(body["width"] - 200) <= 8 and abs(body["height"] - 800) <= 16, body
    assert body["name"] == "wide-edited.png"
