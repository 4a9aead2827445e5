"""In a one-to-one call, the controls beyond mute and camera (PRODUCT.md G1, decision 0074), in
real Chromium with three fake cameras, three microphones and three speakers: an incoming call
raises a system notification when the page is not in view, closed once answered; switching
camera, choosing a microphone and a speaker change what is sent and played while the media
keeps flowing; a shared screen reaches the other side even with the camera off, and stops;
the other's video pops out into a picture-in-picture window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.calls_support import Devices, media_flowing, people
from tests.browser.conftest import WebServer
from tests.browser.pages import direct_chat, open_conversation
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, running_server

# Chromium's fake cameras: fake_device_1 is a depth camera (16-bit grey frames, which no
# video encoder takes: after switching to it nothing is sent), fake_device_2 a colour one.
THREE_CAMERAS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream=device-count=3",
]

# System notifications the page makes, kept for the test (the browser's, instrumented).
RECORD_NOTIFICATIONS = """
(() => {
  window.__notifications = [];
  const Native = window.Notification;
  if (!Native) return;
  class Recorded extends Native {
    constructor(title, options) {
      super(title, options);
      this.__entry = { title, body: (options && options.body) || '', closed: false };
      window.__notifications.push(this.__entry);
    }
    close() {
      this.__entry.closed = true;
      super.close();
    }
  }
  window.Notification = Recorded;
})();
"""
# The page as when its tab is in the background or the window minimized.
OUT_OF_VIEW = """
Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
"""

# The track each of the newest peer connection's senders sends: {kind: label or null}.
SENT_TRACKS = """
() => {
  const pc = window.__peers[window.__peers.length - 1];
  const out = {};
  for (const sender of pc.getSenders()) {
    const track = sender.track;
    if (track) out[track.kind] = track.label; else out.none = (out.none || 0) + 1;
  }
  return out;
}
"""


@pytest.fixture(scope="module")
def three_camera_browser(playwright: Any) -> Iterator[Any]:
    launched = playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *THREE_CAMERAS]
    )
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    env = {"TIDINGS_CALL_SWEEP_SECONDS": "0.2"}
    with running_server(tmp_path_factory.mktemp("call-controls"), env=env) as started:
        yield started


@pytest.fixture
def device(three_camera_browser: Any) -> Iterator[Callable[..., Page]]:
    devices = Devices(three_camera_browser, timeout_ms=15_000, permissions=["notifications"])

    def open_device(server: WebServer, account: str, *, out_of_view: bool = False) -> Page:
        scripts = [RECORD_NOTIFICATIONS, *([OUT_OF_VIEW] if out_of_view else [])]
        return devices.open(server, account, *scripts)

    yield open_device
    devices.close()


def sent(page: Page) -> dict[str, Any]:
    return dict(page.evaluate(SENT_TRACKS))


def test_notification_devices_screen_sharing_and_pop_out(
    server: WebServer, device: Callable[..., Page]
) -> None:
    alice, bob = people(server, "Alice", "Bob")
    direct_chat(server, alice, bob)
    caller = device(server, alice["account"])
    callee = device(server, bob["account"], out_of_view=True)

    # Out of view, the incoming call raises a system notification; answering closes it.
    open_conversation(caller, "Bob")
    caller.get_by_test_id("call-video-button").click()
    expect(callee.get_by_test_id("call-incoming")).to_be_visible()
    callee.wait_for_function("window.__notifications.length === 1")
    note = callee.evaluate("window.__notifications[0]")
    assert note["title"] == "Incoming video call", note
    assert "Alice" in note["body"], note
    assert note["closed"] is False
    callee.get_by_test_id("call-accept").click()
    callee.wait_for_function("window.__notifications[0].closed")
    for page in (caller, callee):
        expect(page.get_by_test_id("call-panel")).to_have_attribute("data-phase", "active")
        media_flowing(page)
    assert sent(caller)["video"] == "fake_device_0"

    # Switch camera: the next camera is sent, then the next (the colour one, see THREE_CAMERAS),
    # and the other side keeps receiving video.
    for camera in ("fake_device_1", "fake_device_2"):
        caller.get_by_test_id("call-switch-camera").click()
        caller.wait_for_function(
            "label => window.__peers.at(-1).getSenders().some(s => s.track?.label === label)",
            arg=camera,
        )
    media_flowing(callee)

    # Choose a microphone: its track is sent instead.
    microphone = caller.get_by_test_id("call-microphone")
    microphone.select_option(label="Fake Audio Input 2")
    caller.wait_for_function(
        "() => window.__peers.at(-1).getSenders()"
        ".some(s => s.track?.label === 'Fake Audio Input 2')"
    )
    media_flowing(callee)

    # Choose a speaker: the other's media plays there.
    speaker = caller.get_by_test_id("call-speaker")
    speaker.select_option(label="Fake Audio Output 2")
    chosen = speaker.input_value()
    assert chosen
    caller.wait_for_function(
        f"() => document.querySelector('[data-testid=call-remote]').sinkId === {chosen!r}"
    )

    # Share the screen with the camera off: the other side sees it, then the camera-off face.
    caller.get_by_test_id("call-camera").click()
    expect(callee.get_by_test_id("call-peer-camera-off")).to_be_visible()
    caller.get_by_test_id("call-share").click()
    expect(caller.get_by_test_id("call-share")).to_have_attribute("aria-pressed", "true")
    caller.wait_for_function(
        "() => window.__peers.at(-1).getSenders().some(s => s.track?.label.startsWith('screen'))"
    )
    expect(callee.get_by_test_id("call-remote")).to_be_visible()
    expect(callee.get_by_test_id("call-peer-camera-off")).to_have_count(0)
    media_flowing(callee)
    caller.get_by_test_id("call-share").click()
    expect(callee.get_by_test_id("call-peer-camera-off")).to_be_visible()
    expect(callee.get_by_test_id("call-remote")).to_be_hidden()

    # Pop out: the other's video goes to a picture-in-picture window.
    caller.get_by_test_id("call-camera").click()
    expect(callee.get_by_test_id("call-remote")).to_be_visible()
    callee.get_by_test_id("call-pop-out").click()
    callee.wait_for_function(
        "() => document.pictureInPictureElement?.dataset.testid === 'call-remote'"
    )
    media_flowing(callee)

    caller.get_by_test_id("call-hang-up").click()
    for page in (caller, callee):
        expect(page.get_by_test_id("call-panel")).to_have_count(0)
