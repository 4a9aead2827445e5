"""Every message type from the composer's "+" panel (PRODUCT.md D2, issue 12), in real
Chromium with fake media devices: one user sends, the other plays or opens it.

Voice is recorded from Chromium's fake microphone (a beep), sent, played by the peer at
1x / 1.5x / 2x and sought on its waveform; a video picked from disk gets a poster grabbed in
the browser; a location is sent without map tiles (coordinates, address, blurred); a contact
card is picked from the people picker; an image is saved as a sticker and sent from the
sticker panel. The touch layout (390 by 844) records by holding and cancels by sliding away.
With map tiles configured (a tile server of the test's own), the map loads only when shown.
"""

from __future__ import annotations

import base64
import io
import math
import re
import struct
import threading
import uuid
import wave
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import conversation_row, direct_chat, open_conversation, sign_in
from tests.browser.server import running_server

MOBILE = {"width": 390, "height": 844}


@pytest.fixture
def page_for(media_browser: Any, web_server: WebServer) -> Iterator[Any]:
    """A signed-in page of its own browser context (a device) per user."""
    contexts: list[Any] = []

    def make(user: dict[str, Any], **options: Any) -> Page:
        options.setdefault("viewport", {"width": 1280, "height": 800})
        options.setdefault("locale", "en-US")
        context = media_browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page: Page = context.new_page()
        sign_in(page, web_server.base_url, user["user"]["account"])
        return page

    yield make
    for context in contexts:
        context.close()


def pair(web_server: WebServer) -> tuple[dict[str, Any], dict[str, Any], int]:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    return alice, bob, direct_chat(web_server, alice, bob)


def open_plus(page: Page, item: str) -> None:
    page.get_by_test_id("plus-button").click()
    expect(page.get_by_test_id("plus-panel")).to_be_visible()
    page.get_by_test_id(f"plus-{item}").click()


def test_voice_recorded_sent_and_played_at_three_speeds(
    web_server: WebServer, page_for: Any
) -> None:
    alice, bob, chat = pair(web_server)
    sender = page_for(alice)
    open_conversation(sender, "Bob Li")
    # Esc throws a recording away: nothing is sent.
    open_plus(sender, "voice")
    expect(sender.get_by_test_id("voice-bar")).to_have_attribute("data-state", "recording")
    sender.keyboard.press("Escape")
    expect(sender.get_by_test_id("voice-bar")).to_have_count(0)

    sender.get_by_test_id("voice-button").click()
    bar = sender.get_by_test_id("voice-bar")
    expect(bar).to_have_attribute("data-state", "recording")
    expect(sender.get_by_test_id("voice-elapsed")).to_have_text("0:02", timeout=5_000)
    # The live waveform moves with the fake microphone's beep.
    assert sender.get_by_test_id("voice-live-wave").get_attribute("data-bars") != "0"
    sender.get_by_test_id("voice-send").click()
    expect(bar).to_have_count(0)
    mine = sender.get_by_test_id("voice-media")
    expect(mine).to_have_count(1)
    expect(sender.get_by_test_id("message").last).to_have_attribute("data-state", "sent")
    assert sender.get_by_test_id("message").count() == 1, "the cancelled one was not sent"

    listener = page_for(bob)
    expect(conversation_row(listener, "Alice Zhang").get_by_test_id("row-preview")).to_have_text(
        "[Voice] 0:02"
    )
    open_conversation(listener, "Alice Zhang")
    voice = listener.get_by_test_id("voice-media")
    expect(voice).to_have_attribute("data-duration", "0:02")
    # The waveform the sender measured came with it: not a flat line.
    heights = voice.locator(".voice-wave span").evaluate_all(
        "spans => new Set(spans.map(s => s.style.height)).size"
    )
    assert heights > 1
    voice.get_by_test_id("voice-play").click()
    expect(voice).to_have_attribute("data-playing", "true")
    audio = voice.get_by_test_id("voice-audio")
    speed = voice.get_by_test_id("voice-speed")
    assert audio.evaluate("a => a.playbackRate") == 1
    speed.click()
    expect(speed).to_have_text("1.5×")
    assert audio.evaluate("a => a.playbackRate") == 1.5
    speed.click()
    expect(speed).to_have_text("2×")
    assert audio.evaluate("a => a.playbackRate") == 2
    speed.click()
    assert audio.evaluate("a => a.playbackRate") == 1
    # Seek: a click near the end of the waveform moves the playhead there.
    wave = voice.get_by_test_id("voice-seek")
    box = wave.bounding_box()
    assert box is not None
    listener.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2)
    assert float(wave.get_attribute("data-position") or 0) > 1.0

    # Only one voice message plays at a time: starting alice's pauses bob's long reply.
    expect(voice).to_have_attribute("data-playing", "false")  # it played to its end
    reply = web_server.upload(bob["token"], beep_wav(8.0), "reply.wav", "audio/wav")
    web_server.api(
        bob["token"],
        "POST",
        f"/conversations/{chat}/messages",
        json={
            "client_msg_id": uuid.uuid4().hex,
            "type": "voice",
            "body": {"file_id": reply, "duration_ms": 8000},
        },
    )
    expect(listener.get_by_test_id("voice-media")).to_have_count(2)
    first, second = listener.get_by_test_id("voice-media").all()
    second.get_by_test_id("voice-play").click()
    expect(second).to_have_attribute("data-playing", "true")
    first.get_by_test_id("voice-play").click()
    expect(first).to_have_attribute("data-playing", "true")
    expect(second).to_have_attribute("data-playing", "false")
    assert second.get_by_test_id("voice-audio").evaluate("a => a.paused && !a.ended")


def beep_wav(seconds: float) -> bytes:
    rate = 8000
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(
            b"".join(
                struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * i / rate)))
                for i in range(int(rate * seconds))
            )
        )
    return out.getvalue()


def test_touch_layout_records_by_holding_and_cancels_by_sliding_away(
    web_server: WebServer, page_for: Any
) -> None:
    alice, _, _ = pair(web_server)
    page = page_for(alice, viewport=MOBILE, has_touch=True, is_mobile=True)
    open_conversation(page, "Bob Li")
    open_plus(page, "voice")
    hold = page.get_by_test_id("voice-hold")
    box = hold.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    assert box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"]
    # Slide away before letting go: cancelled.
    page.mouse.move(x, y)
    page.mouse.down()
    expect(page.get_by_test_id("voice-bar")).to_have_attribute("data-state", "recording")
    page.mouse.move(x, y - 160, steps=4)
    expect(page.get_by_test_id("voice-bar")).to_contain_text("Release to cancel")
    page.mouse.up()
    expect(page.get_by_test_id("voice-bar")).to_have_attribute("data-state", "idle")
    # Hold, talk, let go: sent.
    page.mouse.move(x, y)
    page.mouse.down()
    expect(page.get_by_test_id("voice-elapsed")).to_have_text("0:01", timeout=5_000)
    page.mouse.up()
    expect(page.get_by_test_id("voice-media")).to_have_count(1)
    page.get_by_test_id("voice-cancel").click()
    expect(page.get_by_test_id("voice-bar")).to_have_count(0)
    assert page.get_by_test_id("message").count() == 1


def recorded_video(page: Page) -> bytes:
    """A two-second WebM drawn on a canvas and recorded by the page itself."""
    encoded: str = page.evaluate(
        """async () => {
          const canvas = Object.assign(document.createElement('canvas'), {width: 320, height: 240});
          const g = canvas.getContext('2d');
          const stream = canvas.captureStream(15);
          const recorder = new MediaRecorder(stream, {mimeType: 'video/webm'});
          const chunks = [];
          recorder.ondataavailable = (e) => chunks.push(e.data);
          let frame = 0;
          const timer = setInterval(() => {
            g.fillStyle = `hsl(${frame * 12}, 70%, 50%)`;
            g.fillRect(0, 0, 320, 240);
            frame += 1;
          }, 66);
          recorder.start();
          await new Promise((r) => setTimeout(r, 2000));
          await new Promise((r) => { recorder.onstop = r; recorder.stop(); });
          clearInterval(timer);
          const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
          let text = '';
          for (const b of bytes) text += String.fromCharCode(b);
          return btoa(text);
        }"""
    )
    return base64.b64decode(encoded)


def test_video_gets_a_poster_and_plays_for_the_peer(web_server: WebServer, page_for: Any) -> None:
    alice, bob, _ = pair(web_server)
    sender = page_for(alice)
    open_conversation(sender, "Bob Li")
    clip = recorded_video(sender)
    sender.get_by_test_id("media-input").set_input_files(
        {"name": "clip.webm", "mimeType": "video/webm", "buffer": clip}
    )
    expect(sender.get_by_test_id("video-media")).to_have_count(1)
    expect(sender.get_by_test_id("message").last).to_have_attribute("data-state", "sent")

    viewer = page_for(bob)
    open_conversation(viewer, "Alice Zhang")
    video = viewer.get_by_test_id("video-media")
    expect(video).to_have_attribute("data-poster", "yes")
    expect(video.locator(".video-cover img")).to_be_visible()
    video.get_by_test_id("video-play").click()
    player = video.get_by_test_id("video-player")
    expect(player).to_have_attribute("src", re.compile(r"^/files/[A-Za-z0-9_-]+\?"))
    # The browser reads the uploaded file: it knows the clip's size.
    player.evaluate(
        "v => new Promise((ok) => v.readyState > 0 ? ok()"
        " : v.addEventListener('loadedmetadata', ok))"
    )
    assert player.evaluate("v => v.videoWidth") == 320


def test_location_without_tiles_by_coordinates_and_my_position(
    web_server: WebServer, page_for: Any
) -> None:
    alice, bob, _ = pair(web_server)
    sender = page_for(
        alice, permissions=["geolocation"], geolocation={"latitude": 31.2304, "longitude": 121.4737}
    )
    open_conversation(sender, "Bob Li")
    open_plus(sender, "location")
    dialog = sender.get_by_test_id("location-dialog")
    expect(dialog.get_by_test_id("location-no-tiles")).to_be_visible()
    expect(dialog.get_by_test_id("map-view")).to_have_count(0)
    dialog.get_by_test_id("location-locate").click()
    expect(dialog.get_by_test_id("location-latitude")).to_have_value("31.230400")
    expect(dialog.get_by_test_id("location-longitude")).to_have_value("121.473700")
    dialog.get_by_test_id("location-latitude").fill("31.239712")
    dialog.get_by_test_id("location-longitude").fill("121.499815")
    dialog.get_by_test_id("location-address").fill("88 Binjiang Ave, Pudong")
    dialog.get_by_test_id("location-blurred").check()
    dialog.get_by_test_id("location-send").click()
    expect(dialog).to_have_count(0)

    viewer = page_for(bob)
    expect(conversation_row(viewer, "Alice Zhang").get_by_test_id("row-preview")).to_have_text(
        "[Location] 88 Binjiang Ave, Pudong"
    )
    open_conversation(viewer, "Alice Zhang")
    card = viewer.get_by_test_id("location-card")
    expect(card).to_have_attribute("data-precision", "blurred")
    expect(card.get_by_test_id("location-coords")).to_have_text("≈ 31.24° N, 121.50° E")
    expect(card.get_by_test_id("location-address")).to_have_text("88 Binjiang Ave, Pudong")
    expect(card.get_by_test_id("location-open")).to_have_attribute("data-tiles", "no")
    card.get_by_test_id("location-open").click()
    expect(viewer.get_by_test_id("location-viewer")).to_contain_text("88 Binjiang Ave, Pudong")


def test_contact_card_is_picked_and_opened(web_server: WebServer, page_for: Any) -> None:
    alice, bob, _ = pair(web_server)
    carol = web_server.register(unique("carol"), "Carol Wang")
    direct_chat(web_server, alice, carol)
    sender = page_for(alice)
    open_conversation(sender, "Bob Li")
    open_plus(sender, "contact")
    dialog = sender.get_by_test_id("contact-card-dialog")
    dialog.locator("[data-testid=person][data-name='Carol Wang']").click()
    dialog.get_by_test_id("contact-card-send").click()
    expect(sender.get_by_test_id("contact-card")).to_contain_text("Carol Wang")

    viewer = page_for(bob)
    expect(conversation_row(viewer, "Alice Zhang").get_by_test_id("row-preview")).to_have_text(
        "[Contact card]"
    )
    open_conversation(viewer, "Alice Zhang")
    viewer.get_by_test_id("contact-card-open").click()
    expect(viewer.get_by_test_id("profile-dialog")).to_contain_text("Carol Wang")


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (250, 180, 40, 255)).save(out, "PNG")
    return out.getvalue()


def test_an_image_saved_as_a_sticker_is_sent_from_the_panel(
    web_server: WebServer, page_for: Any
) -> None:
    alice, bob, chat = pair(web_server)
    image = web_server.upload(bob["token"], png(160, 160), "smile.png", "image/png")
    web_server.api(
        bob["token"],
        "POST",
        f"/conversations/{chat}/messages",
        json={
            "client_msg_id": uuid.uuid4().hex,
            "type": "image",
            "body": {"file_id": image, "width": 160, "height": 160},
        },
    )
    page = page_for(alice)
    open_conversation(page, "Bob Li")
    open_plus(page, "sticker")
    expect(page.get_by_test_id("sticker-empty")).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_test_id("image-media").click(button="right")
    page.get_by_test_id("menu-save-sticker").click()
    expect(page.get_by_test_id("toast")).to_have_text("Saved to your stickers")
    open_plus(page, "sticker")
    page.get_by_test_id("sticker-item").click()
    expect(page.get_by_test_id("sticker-media")).to_have_count(1)
    expect(page.get_by_test_id("message").last).to_have_attribute("data-state", "sent")

    viewer = page_for(bob)
    expect(conversation_row(viewer, "Alice Zhang").get_by_test_id("row-preview")).to_have_text(
        "[Sticker]"
    )
    open_conversation(viewer, "Alice Zhang")
    sticker = viewer.get_by_test_id("sticker-media")
    expect(sticker.locator("img")).to_be_visible()
    # A sticker is shown as itself, without a bubble around it.
    background = viewer.locator(".bubble.media-bubble.sticker").evaluate(
        "b => getComputedStyle(b).backgroundColor"
    )
    assert background == "rgba(0, 0, 0, 0)"


class _Tiles(BaseHTTPRequestHandler):
    """A tile server of one grey tile, on its own origin like a real provider."""

    png = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.png)))
        self.end_headers()
        self.wfile.write(self.png)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture(scope="module")
def tiled_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (230, 230, 220)).save(out, "PNG")
    _Tiles.png = out.getvalue()
    tiles = ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    threading.Thread(target=tiles.serve_forever, daemon=True).start()
    env = {
        "TIDINGS_MAP_TILE_URL": f"http://127.0.0.1:{tiles.server_address[1]}/{{z}}/{{x}}/{{y}}.png",
        "TIDINGS_MAP_ATTRIBUTION": "Test tiles",
    }
    try:
        with running_server(tmp_path_factory.mktemp("tiled"), env) as server:
            yield server
    finally:
        tiles.shutdown()
        tiles.server_close()


def test_location_on_the_servers_map_loaded_only_when_needed(
    tiled_server: WebServer, media_browser: Any
) -> None:
    """With tiles configured: the map library loads only when a map shows, the tile host is
    allowed by the CSP, a click on the map picks the place, and the peer's card shows it."""
    alice, bob, _ = pair(tiled_server)
    pages: list[Page] = [
        media_browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        for _ in range(2)
    ]
    sender, viewer = pages
    scripts: list[str] = []
    errors: list[str] = []
    sender.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    sender.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        sign_in(sender, tiled_server.base_url, alice["user"]["account"])
        open_conversation(sender, "Bob Li")
        assert not [s for s in scripts if "MapView" in s], "the map library came with the chat"
        open_plus(sender, "location")
        dialog = sender.get_by_test_id("location-dialog")
        expect(dialog.locator(".leaflet-tile-loaded").first).to_be_visible()
        expect(dialog).to_contain_text("Test tiles")
        box = dialog.get_by_test_id("map-view").bounding_box()
        assert box is not None
        sender.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.6)
        latitude = dialog.get_by_test_id("location-latitude")
        expect(latitude).not_to_have_value("")
        picked = float(latitude.input_value())
        dialog.get_by_test_id("location-name").fill("Picked on the map")
        dialog.get_by_test_id("location-send").click()
        expect(sender.get_by_test_id("location-card")).to_have_count(1)
        assert [s for s in scripts if "MapView" in s]
        assert not [e for e in errors if "Content Security Policy" in e], errors

        sign_in(viewer, tiled_server.base_url, bob["user"]["account"])
        open_conversation(viewer, "Alice Zhang")
        card = viewer.get_by_test_id("location-card")
        expect(card.get_by_test_id("location-name")).to_have_text("Picked on the map")
        expect(card.get_by_test_id("location-coords")).to_contain_text(f"{abs(picked):.5f}")
        expect(card.get_by_test_id("location-open")).to_have_attribute("data-tiles", "yes")
        expect(card.locator(".leaflet-tile-loaded").first).to_be_visible()
        card.get_by_test_id("location-open").click()
        larger = viewer.get_by_test_id("location-viewer")
        expect(larger.locator(".leaflet-marker-icon")).to_be_visible()
    finally:
        for page in pages:
            page.context.close()
