"""One-to-one calls in real Chromium with fake media devices (PRODUCT.md G1, G2, H1;
decision 0074): the callee rings on every signed-in device and stops where another device
answers; media flows both ways (RTCPeerConnection.getStats); mute and camera-off show on the
other side; every ending leaves its record in both chats; a call whose other side vanishes
tries to reconnect, then ends; a call forced through TURN connects through a real coturn
started here; and the ringtone has its own switch.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.calls_support import MEDIA_STATS, Devices, media_flowing, people
from tests.browser.conftest import WebServer
from tests.browser.pages import conversation_row, direct_chat, open_conversation
from tests.browser.server import running_server
from tests.support.coturn import Turn, running_coturn

TURN_SECRET = "tidings-test-turn-secret"
# The call window's duration while the call is on.
_DURATION = re.compile(r"^\d+:\d\d$")
# A device whose peer connections use TURN only (calls_support.RECORD_PEERS reads it).
RELAY_ONLY = "window.__relayOnly = true;"


@pytest.fixture(scope="module")
def turn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Turn]:
    with running_coturn(tmp_path_factory.mktemp("coturn"), TURN_SECRET) as started:
        yield started


@pytest.fixture(scope="module")
def call_server(tmp_path_factory: pytest.TempPathFactory, turn: Turn) -> Iterator[WebServer]:
    env = {
        # A user's several browsers are several devices, all signed in.
        "TIDINGS_SESSION_POLICY": "allow_all",
        # Nobody answers within 6 s: missed (45 s in production).
        "TIDINGS_CALL_RING_SECONDS": "6",
        "TIDINGS_CALL_SWEEP_SECONDS": "0.2",
        "TIDINGS_CALL_TURN_URLS": turn.url,
        "TIDINGS_CALL_TURN_SECRET": TURN_SECRET,
    }
    with running_server(tmp_path_factory.mktemp("call-server"), env=env) as server:
        yield server


@pytest.fixture(scope="module")
def long_ring_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """Calls ring 40 s, but a caller's device that stops reporting (every 5 s) for 8 s
    cancels its ringing call: the caller vanishing is told apart from no answer."""
    env = {
        "TIDINGS_SESSION_POLICY": "allow_all",
        "TIDINGS_CALL_RING_SECONDS": "40",
        "TIDINGS_CALL_LOST_SECONDS": "8",
        "TIDINGS_CALL_SWEEP_SECONDS": "0.2",
    }
    with running_server(tmp_path_factory.mktemp("long-ring-server"), env=env) as server:
        yield server


@pytest.fixture
def device(media_browser: Any) -> Iterator[Callable[..., Page]]:
    """A signed-in browser (a device of its own) with fake camera and microphone; with
    ``relay_only``, its peer connections use TURN only (the G2 test)."""
    devices = Devices(media_browser, timeout_ms=15_000)

    def open_device(server: WebServer, account: str, *, relay_only: bool = False) -> Page:
        return devices.open(server, account, *([RELAY_ONLY] if relay_only else []))

    yield open_device
    devices.close()


def call_record(page: Page, title: str, text: str) -> None:
    """The chat with ``title`` shows a call record with ``text``."""
    open_conversation(page, title)
    expect(page.get_by_test_id("chat-notice").filter(has_text=text)).to_be_visible()


def test_a_video_call_rings_every_device_connects_and_leaves_its_duration(
    call_server: WebServer, device: Callable[..., Page]
) -> None:
    alice, bob = people(call_server, "Alice", "Bob")
    direct_chat(call_server, alice, bob)
    caller = device(call_server, alice["account"])
    answering = device(call_server, bob["account"])
    other = device(call_server, bob["account"])

    open_conversation(caller, "Bob")
    caller.get_by_test_id("call-video-button").click()
    expect(caller.get_by_test_id("call-panel")).to_have_attribute("data-phase", "outgoing")
    # Both of Bob's devices ring.
    for page in (answering, other):
        expect(page.get_by_test_id("call-incoming")).to_be_visible()
        expect(page.get_by_test_id("call-peer-name")).to_have_text("Alice")
    answering.get_by_test_id("call-accept").click()
    # The other device stops ringing.
    expect(other.get_by_test_id("call-incoming")).to_have_count(0)
    expect(other.get_by_test_id("call-panel")).to_have_count(0)
    for page in (caller, answering):
        expect(page.get_by_test_id("call-panel")).to_have_attribute("data-phase", "active")
    # Audio and video arrive on both sides, decoded, and keep arriving.
    for page in (caller, answering):
        media_flowing(page)
    expect(caller.get_by_test_id("call-remote")).to_be_visible()
    expect(caller.get_by_test_id("call-status")).to_have_text(_DURATION)
    # Mute and camera-off show on the other side.
    answering.get_by_test_id("call-mute").click()
    expect(caller.get_by_test_id("call-peer-muted")).to_be_visible()
    answering.get_by_test_id("call-camera").click()
    expect(caller.get_by_test_id("call-peer-camera-off")).to_be_visible()
    expect(caller.get_by_test_id("call-remote")).to_be_hidden()
    answering.get_by_test_id("call-mute").click()
    expect(caller.get_by_test_id("call-peer-muted")).to_have_count(0)
    caller.wait_for_timeout(1200)  # a call of at least a second
    caller.get_by_test_id("call-hang-up").click()
    for page in (caller, answering):
        expect(page.get_by_test_id("call-panel")).to_have_count(0)
    # The record with its duration, in both chats, on every device.
    call_record(caller, "Bob", "[Video call] Duration 0:0")
    call_record(answering, "Alice", "[Video call] Duration 0:0")
    call_record(other, "Alice", "[Video call] Duration 0:0")
    record = caller.get_by_test_id("chat-notice").filter(has_text="Video call")
    expect(record.get_by_test_id("call-back")).to_be_visible()


def test_declined_unanswered_and_busy_calls_leave_the_right_records(
    call_server: WebServer, device: Callable[..., Page]
) -> None:
    alice, bob, carol = people(call_server, "Alice", "Bob", "Carol")
    direct_chat(call_server, alice, bob)
    direct_chat(call_server, carol, bob)
    caller = device(call_server, alice["account"])
    callee = device(call_server, bob["account"])
    third = device(call_server, carol["account"])

    # Declined.
    open_conversation(caller, "Bob")
    caller.get_by_test_id("call-voice-button").click()
    expect(callee.get_by_test_id("call-incoming")).to_be_visible()
    callee.get_by_test_id("call-decline").click()
    expect(caller.get_by_test_id("call-panel")).to_have_count(0)
    expect(
        caller.get_by_test_id("chat-notice").filter(
            has_text="[Voice call] Declined by the other side"
        )
    ).to_be_visible()
    call_record(callee, "Alice", "[Voice call] Declined")

    # Nobody answers: after the ring deadline, "No answer" here, a missed call (unread) there.
    open_conversation(callee, "Carol")
    caller.get_by_test_id("call-back").first.click()
    expect(callee.get_by_test_id("call-incoming")).to_be_visible()
    expect(caller.get_by_test_id("chat-notice").filter(has_text="No answer")).to_be_visible(
        timeout=20_000
    )
    expect(callee.get_by_test_id("call-incoming")).to_have_count(0)
    expect(conversation_row(callee, "Alice").get_by_test_id("unread-badge")).to_have_text("1")
    call_record(callee, "Alice", "[Voice call] Missed call")

    # Busy: Bob is in a call with Alice when Carol calls.
    caller.get_by_test_id("call-voice-button").click()
    callee.get_by_test_id("call-accept").click()
    expect(callee.get_by_test_id("call-panel")).to_have_attribute("data-phase", "active")
    open_conversation(third, "Bob")
    third.get_by_test_id("call-voice-button").click()
    expect(
        third.get_by_test_id("chat-notice").filter(has_text="The other side was busy")
    ).to_be_visible()
    caller.get_by_test_id("call-hang-up").click()
    call_record(callee, "Carol", "[Voice call] Missed call (you were in another call)")


def test_a_call_forced_through_turn_connects_through_coturn(
    call_server: WebServer, device: Callable[..., Page], turn: Turn
) -> None:
    alice, bob = people(call_server, "Alice", "Bob")
    direct_chat(call_server, alice, bob)
    caller = device(call_server, alice["account"], relay_only=True)
    callee = device(call_server, bob["account"], relay_only=True)
    open_conversation(caller, "Bob")
    caller.get_by_test_id("call-video-button").click()
    callee.get_by_test_id("call-accept").click()
    for page in (caller, callee):
        expect(page.get_by_test_id("call-panel")).to_have_attribute("data-phase", "active")
        stats = media_flowing(page)
        # Only relayed candidates could be used: the media went through this coturn, on a
        # relay port of its range, with the credentials the server made.
        assert stats["local"] == "relay", stats
        address, port = stats["relay"].rsplit(":", 1)
        assert address == turn.address and 49160 <= int(port) <= 49460, stats
    caller.get_by_test_id("call-hang-up").click()
    call_record(callee, "Alice", "[Video call] Duration")


def test_a_call_whose_media_path_breaks_and_comes_back_goes_on(
    call_server: WebServer, device: Callable[..., Page], turn: Turn
) -> None:
    """A relay-only call loses its TURN relay (coturn stopped: every allocation gone) and gets
    it back within the lost-media window: the caller restarts ICE, the media flows again both
    ways on the same call, which is not ended, and its one record has its duration.
    (Playwright's offline emulation does not touch WebRTC on loopback: the relay is the path a
    test can break.)"""
    alice, bob = people(call_server, "Alice", "Bob")
    direct_chat(call_server, alice, bob)
    caller = device(call_server, alice["account"], relay_only=True)
    callee = device(call_server, bob["account"], relay_only=True)
    open_conversation(caller, "Bob")
    caller.get_by_test_id("call-video-button").click()
    callee.get_by_test_id("call-accept").click()
    pages = (caller, callee)
    for page in pages:
        expect(page.get_by_test_id("call-panel")).to_have_attribute("data-phase", "active")
        media_flowing(page)
    try:
        turn.stop()
        broke = time.monotonic()
        for page in pages:
            expect(page.get_by_test_id("call-panel")).to_have_attribute(
                "data-phase", "reconnecting", timeout=15_000
            )
        at_break = [page.evaluate(MEDIA_STATS) for page in pages]
    finally:
        turn.start()
    for page, before in zip(pages, at_break, strict=True):
        expect(page.get_by_test_id("call-panel")).to_have_attribute(
            "data-phase", "active", timeout=15_000
        )
        after = media_flowing(page)
        assert after["local"] == "relay", after
        assert after["audio"]["bytes"] > before["audio"]["bytes"], (before, after)
        assert after["video"]["bytes"] > before["video"]["bytes"], (before, after)
    # The same connection came back (an ICE restart, not a new call).
    for page in pages:
        assert page.evaluate("window.__peers.length") == 1
    # Past the moment the call would have ended had its devices not reported the media back
    # (15 s after the break at most), it is on, media flowing, with no record yet.
    caller.wait_for_timeout(max(0.0, broke + 17 - time.monotonic()) * 1000)
    for page in pages:
        expect(page.get_by_test_id("call-panel")).to_have_attribute("data-phase", "active")
        media_flowing(page)
    expect(caller.get_by_test_id("chat-notice").filter(has_text="[Video call]")).to_have_count(0)
    caller.get_by_test_id("call-hang-up").click()
    for page, peer in ((caller, "Bob"), (callee, "Alice")):
        expect(page.get_by_test_id("call-panel")).to_have_count(0)
        call_record(page, peer, "[Video call] Duration")
        expect(page.get_by_test_id("chat-notice").filter(has_text="[Video call]")).to_have_count(1)


def test_the_ringtone_has_its_own_switch(
    call_server: WebServer, device: Callable[..., Page]
) -> None:
    (bob,) = people(call_server, "Bob")
    page = device(call_server, bob["account"])
    page.get_by_test_id("rail-settings").click()
    calls = page.get_by_test_id("call-sound")
    messages = page.get_by_test_id("sound")
    expect(calls.locator("[data-value=on]")).to_have_attribute("aria-checked", "true")
    calls.locator("[data-value=off]").click()
    expect(calls.locator("[data-value=off]")).to_have_attribute("aria-checked", "true")
    # Separate from the message sound, which stays on.
    expect(messages.locator("[data-value=on]")).to_have_attribute("aria-checked", "true")
    # Kept on the server: another device of Bob's has it off too.
    other = device(call_server, bob["account"])
    other.get_by_test_id("rail-settings").click()
    expect(other.get_by_test_id("call-sound").locator("[data-value=off]")).to_have_attribute(
        "aria-checked", "true"
    )


def test_a_call_whose_other_side_vanishes_ends_for_both(
    call_server: WebServer, device: Callable[..., Page]
) -> None:
    """The callee's browser goes away mid-call (closed, crashed, its network gone): the
    caller's media stops, it tries to reconnect, and within the lost-media deadline (15 s) the
    call ends, with a record in the chat."""
    alice, bob = people(call_server, "Alice", "Bob")
    direct_chat(call_server, alice, bob)
    caller = device(call_server, alice["account"])
    callee = device(call_server, bob["account"])
    open_conversation(caller, "Bob")
    caller.get_by_test_id("call-voice-button").click()
    callee.get_by_test_id("call-accept").click()
    expect(caller.get_by_test_id("call-panel")).to_have_attribute("data-phase", "active")
    callee.context.close()
    # It tries to get the media back first (an ICE restart), saying so.
    expect(caller.get_by_test_id("call-panel")).to_have_attribute(
        "data-phase", "reconnecting", timeout=30_000
    )
    expect(caller.get_by_test_id("call-status")).to_have_text("Connection lost, reconnecting…")
    expect(caller.get_by_test_id("call-panel")).to_have_count(0, timeout=60_000)
    expect(
        caller.get_by_test_id("chat-notice").filter(has_text=re.compile(r"^\[Voice call\] "))
    ).to_have_count(1)
    record = caller.get_by_test_id("chat-notice").filter(has_text="[Voice call]")
    expect(record).to_contain_text(re.compile(r"Duration|Connection lost"))


def test_a_caller_who_vanishes_while_it_rings_stops_the_ringing(
    long_ring_server: WebServer, device: Callable[..., Page]
) -> None:
    """The caller's tab is closed (or crashes, or goes offline) while the call rings: the
    callee does not ring on until the 40 s deadline; the call is cancelled within the
    keep-alive deadline, with the record a caller who gives up leaves."""
    alice, bob = people(long_ring_server, "Alice", "Bob")
    direct_chat(long_ring_server, alice, bob)
    caller = device(long_ring_server, alice["account"])
    callee = device(long_ring_server, bob["account"])
    open_conversation(caller, "Bob")
    caller.get_by_test_id("call-voice-button").click()
    expect(callee.get_by_test_id("call-incoming")).to_be_visible()
    expect(callee.locator("html")).to_have_attribute("data-call-ringing", "ringtone")
    # Still ringing after more than the keep-alive deadline while the caller is there.
    callee.wait_for_timeout(10_000)
    expect(callee.get_by_test_id("call-incoming")).to_be_visible()
    caller.context.close()
    expect(callee.get_by_test_id("call-incoming")).to_have_count(0, timeout=20_000)
    expect(callee.locator("html")).to_have_attribute("data-call-ringing", "")
    # Not a missed call (that would count as unread): cancelled, as when the caller hangs up.
    expect(conversation_row(callee, "Alice").get_by_test_id("unread-badge")).to_have_count(0)
    call_record(callee, "Alice", "[Voice call] Cancelled by the caller")
    expect(callee.get_by_test_id("chat-notice").filter(has_text="[Voice call]")).to_have_count(1)
