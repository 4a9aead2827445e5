"""Group calls in real Chromium with fake media devices, through a real Janus (PRODUCT.md G3;
decision 0078): three members in a group's video call each receive the other two's audio and
video (RTCPeerConnection.getStats: bytes and frames growing); one leaves and the other two
go on receiving each other; a member not in the call sees "call in progress — join" and joins
from it; a server without an SFU says group calls need one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.calls_support import Devices, people
from tests.browser.conftest import WebServer
from tests.browser.pages import group_chat, open_conversation
from tests.browser.server import running_server
from tests.support.janus import running_janus

# Every inbound stream of every peer connection of the page: kind, bytes, frames decoded.
INBOUND = """
async () => {
  const out = [];
  for (const [index, pc] of (window.__peers || []).entries()) {
    if (pc.connectionState === 'closed') continue;
    const stats = await pc.getStats();
    stats.forEach((r) => {
      if (r.type === 'inbound-rtp') {
        out.push({
          key: `${index}/${r.ssrc}`, kind: r.kind,
          bytes: r.bytesReceived || 0, frames: r.framesDecoded ?? 0,
        });
      }
    });
  }
  return out;
}
"""


# The users whose tile was ever outlined as speaking, however briefly.
WATCH_SPEAKER = """
window.__spoke = [];
new MutationObserver((changes) => {
  for (const change of changes) {
    const tile = change.target;
    if (tile.dataset && tile.dataset.speaking === 'true') {
      window.__spoke.push(Number(tile.dataset.userId));
    }
  }
}).observe(document, { attributes: true, attributeFilter: ['data-speaking'], subtree: true });
"""

# A device that speaks: its microphone is a steady tone (Chromium's fake one only beeps, too
# briefly for an SFU's talk detection), its camera the fake one.
SPEAKS = """
(() => {
  const devices = navigator.mediaDevices;
  const original = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    if (!constraints || !constraints.audio) return stream;
    const context = new AudioContext();
    const tone = context.createOscillator();
    const gain = context.createGain();
    gain.gain.value = 0.5;
    const out = context.createMediaStreamDestination();
    tone.connect(gain).connect(out);
    tone.start();
    await context.resume();
    for (const track of stream.getAudioTracks()) track.stop();
    return new MediaStream([...out.stream.getAudioTracks(), ...stream.getVideoTracks()]);
  };
})();
"""


@pytest.fixture(scope="module")
def group_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    with running_janus(tmp_path_factory.mktemp("janus")) as janus:
        env = {
            "TIDINGS_SESSION_POLICY": "allow_all",
            "TIDINGS_CALL_SWEEP_SECONDS": "0.2",
            **janus.env,
        }
        with running_server(tmp_path_factory.mktemp("group-call-server"), env=env) as server:
            yield server


@pytest.fixture(scope="module")
def bare_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    with running_server(tmp_path_factory.mktemp("no-sfu-server")) as server:
        yield server


@pytest.fixture
def device(media_browser: Any) -> Iterator[Callable[..., Page]]:
    devices = Devices(media_browser, timeout_ms=20_000)

    def open_device(server: WebServer, account: str, *, speaks: bool = False) -> Page:
        return devices.open(server, account, WATCH_SPEAKER, *([SPEAKS] if speaks else []))

    yield open_device
    devices.close()


def receiving_from(page: Page, others: int) -> None:
    """Audio and video of ``others`` people arriving, decoded, and still arriving."""
    deadline = time.monotonic() + 40
    first: dict[str, dict[str, Any]] = {}
    last: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        last = page.evaluate(INBOUND)
        now = {s["key"]: s for s in last}
        growing = {"audio": 0, "video": 0}
        for key, stats in now.items():
            before = first.get(key)
            if before is None or stats["bytes"] == 0:
                continue
            if stats["bytes"] > before["bytes"] and (
                stats["kind"] == "audio" or stats["frames"] > before["frames"]
            ):
                growing[stats["kind"]] += 1
        if growing["audio"] >= others and growing["video"] >= others:
            return
        for key, stats in now.items():
            if stats["bytes"] > 0 and key not in first:
                first[key] = stats
        page.wait_for_timeout(500)
        # Compare with what came a moment ago, not with the very first sample.
        first = {k: v for k, v in now.items() if v["bytes"] > 0}
    raise AssertionError(f"not receiving from {others}: {last}")


def test_three_in_a_group_call_receive_each_other_and_two_go_on_after_one_leaves(
    group_server: WebServer, device: Callable[..., Page]
) -> None:
    alice, bob, carol, dave = people(group_server, "Alice", "Bob", "Carol", "Dave")
    group_chat(group_server, alice, "Standup", bob, carol, dave)
    pages = {
        p["account"]: device(group_server, p["account"], speaks=p is bob)
        for p in (alice, bob, carol, dave)
    }
    a, b, c, d = (pages[p["account"]] for p in (alice, bob, carol, dave))
    for page in (a, b, c, d):
        open_conversation(page, "Standup")

    a.get_by_test_id("group-call-video-button").click()
    expect(a.get_by_test_id("group-call")).to_have_attribute("data-phase", "active")
    # Every member sees the call going on; Bob and Carol join from the banner.
    for page in (b, c, d):
        expect(page.get_by_test_id("group-call-banner")).to_be_visible()
        expect(page.get_by_test_id("row-call-live")).to_be_visible()
    for page in (b, c):
        page.get_by_test_id("group-call-join").click()
        expect(page.get_by_test_id("group-call")).to_have_attribute("data-phase", "active")
    # Each of the three gets the other two's audio and video, decoded and growing, and
    # shows them as two tiles with their names.
    for page in (a, b, c):
        expect(page.get_by_test_id("group-tile")).to_have_count(2)
        receiving_from(page, 2)
    expect(a.get_by_test_id("group-tile").filter(has_text="Bob")).to_be_visible()
    expect(a.locator("[data-testid=group-tile] video:not([hidden])")).to_have_count(2)
    # Dave, not in it, still sees "call in progress — join", with three in it.
    expect(d.get_by_test_id("group-call-banner")).to_contain_text("3")
    expect(d.get_by_test_id("group-call")).to_have_count(0)
    # The active speaker, from the SFU's audio levels (the server's default thresholds): Bob
    # speaks, and his tile is outlined for Alice; Carol's, whose microphone only beeps, not.
    deadline = time.monotonic() + 30
    while bob["user"]["id"] not in a.evaluate("() => window.__spoke"):
        assert time.monotonic() < deadline, "Bob's tile was never outlined as speaking"
        a.wait_for_timeout(200)
    assert carol["user"]["id"] not in a.evaluate("() => window.__spoke")
    a.screenshot(path=str(group_server.data_dir / "group-call.png"))
    d.screenshot(path=str(group_server.data_dir / "group-call-banner.png"))

    # Carol leaves: Alice and Bob go on, receiving each other.
    c.get_by_test_id("group-call-leave").click()
    expect(c.get_by_test_id("group-call")).to_have_count(0)
    for page in (a, b):
        expect(page.get_by_test_id("group-tile")).to_have_count(1)
        receiving_from(page, 1)
    expect(c.get_by_test_id("group-call-banner")).to_be_visible()
    expect(d.get_by_test_id("group-call-banner")).to_contain_text("2")

    # The host (Alice, who owns the group and started the call) mutes Bob: his window says
    # so. Bob, a plain member, has no such button.
    expect(b.get_by_test_id("group-tile-mute")).to_have_count(0)
    a.get_by_test_id("group-tile").first.hover()
    a.get_by_test_id("group-tile-mute").click()
    expect(b.get_by_test_id("group-call-host-muted")).to_be_visible()
    expect(a.get_by_test_id("group-tile").locator("svg").first).to_be_visible()

    # The last two leave: the call ends, the banner goes, the chat keeps its records.
    b.get_by_test_id("group-call-leave").click()
    a.get_by_test_id("group-call-leave").click()
    expect(d.get_by_test_id("group-call-banner")).to_have_count(0)
    expect(
        d.get_by_test_id("chat-notice").filter(has_text="Alice started a group call")
    ).to_be_visible()
    expect(d.get_by_test_id("chat-notice").filter(has_text="Group call ended")).to_be_visible()


def test_without_an_sfu_the_client_says_group_calls_need_one(
    bare_server: WebServer, device: Callable[..., Page]
) -> None:
    alice, bob = people(bare_server, "Alice", "Bob")
    group_chat(bare_server, alice, "No SFU", bob)
    page = device(bare_server, alice["account"])
    open_conversation(page, "No SFU")
    page.get_by_test_id("group-call-voice-button").click()
    expect(page.get_by_test_id("group-call-error-banner")).to_contain_text(
        "Group calls need an SFU (Janus)"
    )
    expect(page.get_by_test_id("group-call")).to_have_count(0)
    page.screenshot(path=str(bare_server.data_dir / "group-call-unavailable.png"))
