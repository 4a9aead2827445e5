"""Call set-up time and the server's cost per call (issue 16; docs/benchmarks.md, "Calls").

Two Chromium browsers with fake camera and microphone, signed in as two users, call each other
on loopback, `--calls` times (20). The callee's page answers the moment it rings (a
MutationObserver clicks "accept", so no human or test-driver delay is counted). Timed in the
pages, on the one machine clock:

- ring: press call (the click) → the callee's incoming-call window shows;
- set-up: press call → inbound audio (bytes) and video (frames decoded) on *both* sides
  (RTCPeerConnection.getStats, polled every 20 ms).

The server's CPU (user + system of the `tidings serve` process) is read before and after each
call; the same browsers idle for as long (the server's sweeps and chores, which run whatever
happens) are taken off; what is left, divided by the calls, is the signalling cost per call
(start, ring, accept, offer, answer, trickled candidates, media state, hang-up, record, and the
clients' reads that follow). The named transactions per call are printed too. Prints numbers,
asserts nothing.

    .venv/bin/python -m bench.calls [--calls 20] [--media video]

`group` (decision 0078): `--people` (8) Chromium pages in one video group call through a real
Janus started here; after everyone has joined and a warm-up, for `--seconds` (30): the CPU
of Janus and of the Tidings server (user + system, as a share of one core), and whether
every participant receives every other one's audio and video (bytes and decoded frames
growing over the window, from RTCPeerConnection.getStats).

    .venv/bin/python -m bench.calls group [--people 8] [--seconds 30] [--fps 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]
from playwright.sync_api import Page, expect, sync_playwright
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, PASSWORD, running_server

FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]

RECORD_PEERS = """
(() => {
  const Native = window.RTCPeerConnection;
  window.__peers = [];
  window.__signals = 0;
  function Recorded(config) {
    const pc = new Native(config);
    window.__peers.push(pc);
    return pc;
  }
  Recorded.prototype = Native.prototype;
  window.RTCPeerConnection = Recorded;
  document.addEventListener('click', (e) => {
    if (e.target.closest && e.target.closest('[data-testid^=call-][data-testid$=-button]')) {
      window.__clickedAt = Date.now();
    }
  }, true);
})();
"""

AUTO_ANSWER = """
() => {
  new MutationObserver(() => {
    const incoming = document.querySelector('[data-testid=call-incoming]');
    if (incoming && !incoming.dataset.seen) {
      incoming.dataset.seen = '1';
      window.__rangAt = Date.now();
      document.querySelector('[data-testid=call-accept]').click();
    }
  }).observe(document.body, { childList: true, subtree: true });
}
"""

# Starts watching for media on this page; sets window.__mediaAt when audio (and, for a video
# call, decoded video) arrives.
WATCH_MEDIA = """
(needVideo) => {
  window.__peers = [];
  window.__mediaAt = null;
  window.__rangAt = null;
  (async () => {
    for (;;) {
      const pc = window.__peers[window.__peers.length - 1];
      if (pc) {
        const stats = await pc.getStats();
        let audio = false, video = false;
        stats.forEach((r) => {
          if (r.type !== 'inbound-rtp') return;
          if (r.kind === 'audio' && r.bytesReceived > 0) audio = true;
          if (r.kind === 'video' && r.framesDecoded > 0) video = true;
        });
        if (audio && (video || !needVideo)) { window.__mediaAt = Date.now(); return; }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
}
"""


def sign_in(page: Page, base_url: str, account: str) -> None:
    page.goto(base_url)
    page.fill("input[name=account]", account)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=sign-in] button[type=submit]")
    expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")


def server_process() -> psutil.Process:
    for process in psutil.Process(os.getpid()).children(recursive=True):
        try:
            if "serve" in process.cmdline() and "tidings" in " ".join(process.cmdline()):
                return process
        except psutil.NoSuchProcess:
            pass
    raise RuntimeError("no tidings serve process")


def cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def transactions(base_url: str) -> dict[str, float]:
    """Named transactions run so far (``tidings_transaction_seconds_count`` by name)."""
    text = httpx.get(f"{base_url}/metrics", timeout=10).text
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("tidings_transaction_seconds_count{"):
            name = line.split('name="', 1)[1].split('"', 1)[0]
            out[name] = float(line.rsplit(" ", 1)[1])
    return out


def wait_for(page: Page, expression: str, limit: float = 30) -> Any:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value is not None:
            return value
        page.wait_for_timeout(20)
    raise TimeoutError(expression)


INBOUND = """
async () => {
  const out = {};
  for (const [index, pc] of (window.__peers || []).entries()) {
    if (pc.connectionState === 'closed') continue;
    const stats = await pc.getStats();
    stats.forEach((r) => {
      if (r.type === 'inbound-rtp') {
        out[`${index}/${r.ssrc}`] = { kind: r.kind, bytes: r.bytesReceived || 0,
                                     frames: r.framesDecoded ?? 0 };
      }
    });
  }
  return out;
}
"""


def group(people: int, seconds: float, fps: int) -> None:
    from tests.support.janus import running_janus

    with (
        tempfile.TemporaryDirectory() as data,
        tempfile.TemporaryDirectory() as janus_dir,
        running_janus(Path(janus_dir)) as janus,
        running_server(
            Path(data), env={"TIDINGS_SESSION_POLICY": "allow_all", **janus.env}
        ) as server,
        sync_playwright() as playwright,
    ):
        # Chromium's fake camera at `fps` frames a second (every page encodes one stream and
        # decodes people - 1: the browsers, not the SFU, are what a 2-core machine runs out of).
        fake = ["--use-fake-ui-for-media-stream", f"--use-fake-device-for-media-stream=fps={fps}"]
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *fake])
        accounts = [f"bench{uuid.uuid4().hex[:8]}" for _ in range(people)]
        users = [server.register(a, a.title()) for a in accounts]
        server.api(
            users[0]["token"],
            "POST",
            "/conversations",
            json={
                "type": "group",
                "name": "Bench call",
                "member_ids": [u["user"]["id"] for u in users[1:]],
            },
        )
        pages = []
        for account in accounts:
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
            context.set_default_timeout(180_000)
            context.add_init_script(RECORD_PEERS)
            page = context.new_page()
            sign_in(page, server.base_url, account)
            page.locator("[data-testid=conversation-row]").filter(has_text="Bench call").click()
            pages.append(page)
        began = time.monotonic()
        try:
            pages[0].get_by_test_id("group-call-video-button").click()
            expect(pages[0].get_by_test_id("group-call")).to_have_attribute("data-phase", "active")
            for page in pages[1:]:
                page.get_by_test_id("group-call-join").click()
                expect(page.get_by_test_id("group-call")).to_have_attribute("data-phase", "active")
            for page in pages:
                expect(page.get_by_test_id("group-tile")).to_have_count(people - 1)
        except AssertionError:
            print((Path(data) / "server.log").read_text()[-6000:])
            print(janus.log.read_text()[-3000:])
            raise
        joined = time.monotonic() - began
        time.sleep(10)  # warm-up: every subscription negotiated, bitrates settled
        serve = server_process()
        januses = [janus.process.pid]
        janus_process = psutil.Process(januses[0])
        browsers = [
            p
            for p in psutil.Process(os.getpid()).children(recursive=True)
            if "chrom" in p.name().lower()
        ]
        first = [page.evaluate(INBOUND) for page in pages]
        cpu_janus, cpu_server = cpu(janus_process), cpu(serve)
        cpu_browsers = sum(cpu(b) for b in browsers if b.is_running())
        time.sleep(seconds)
        used_janus = cpu(janus_process) - cpu_janus
        used_server = cpu(serve) - cpu_server
        used_browsers = sum(cpu(b) for b in browsers if b.is_running()) - cpu_browsers
        last = [page.evaluate(INBOUND) for page in pages]
        complete = 0
        for before, after in zip(first, last, strict=True):
            audio = video = 0
            for key, stats in after.items():
                old = before.get(key)
                if old is None or stats["bytes"] <= old["bytes"]:
                    continue
                if stats["kind"] == "audio":
                    audio += 1
                elif stats["frames"] > old["frames"]:
                    video += 1
            print(f"  a participant receives {audio} audio and {video} video streams, growing")
            complete += audio >= people - 1 and video >= people - 1
        browser.close()
    print(
        f"{people} video participants in one group call through Janus"
        f" (Chromium, fake devices, {fps} fps):"
    )
    print(f"  everyone joined in {joined:.1f} s (press call, then {people - 1} joins in turn)")
    print(
        f"  over {seconds:.0f} s: Janus {used_janus / seconds * 100:.0f}% of a core,"
        f" Tidings server {used_server / seconds * 100:.1f}%,"
        f" Chromium (all {people} pages) {used_browsers / seconds * 100:.0f}%"
    )
    print(f"  participants receiving all {people - 1} others' audio and video: {complete}/{people}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", nargs="?", choices=["pair", "group"], default="pair")
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--media", choices=["audio", "video"], default="video")
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--fps", type=int, default=15, help="the fake camera's frame rate")
    args = parser.parse_args()
    if args.mode == "group":
        group(args.people, args.seconds, args.fps)
        return
    env = {"TIDINGS_SESSION_POLICY": "allow_all"}
    with (
        tempfile.TemporaryDirectory() as data,
        running_server(Path(data), env=env) as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_MEDIA]
        )
        accounts = [f"bench{uuid.uuid4().hex[:8]}" for _ in range(2)]
        caller_user, callee_user = (server.register(a, a.title()) for a in accounts)
        server.api(
            caller_user["token"],
            "POST",
            "/conversations",
            json={"type": "direct", "peer_id": callee_user["user"]["id"]},
        )
        pages = []
        for account in accounts:
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
            context.add_init_script(RECORD_PEERS)
            page = context.new_page()
            sign_in(page, server.base_url, account)
            pages.append(page)
        caller, callee = pages
        callee.evaluate(AUTO_ANSWER)
        caller.locator("[data-testid=conversation-row]").filter(
            has_text=accounts[1].title()
        ).click()
        button = caller.get_by_test_id(f"call-{args.media.replace('audio', 'voice')}-button")
        serve = server_process()
        # One call first to load the call's code and warm the browsers (not counted).
        setups: list[float] = []
        rings: list[float] = []
        used = 0.0
        wall = 0.0
        counted: dict[str, float] = {}
        for attempt in range(args.calls + 1):
            for page in pages:
                page.evaluate(WATCH_MEDIA, args.media == "video")
            before = cpu(serve)
            began = time.monotonic()
            ran = transactions(server.base_url)
            button.click()
            clicked = wait_for(caller, "window.__clickedAt ?? null")
            rang = wait_for(callee, "window.__rangAt")
            arrived = max(wait_for(page, "window.__mediaAt") for page in pages)
            caller.get_by_test_id("call-hang-up").click()
            expect(caller.get_by_test_id("call-panel")).to_have_count(0)
            expect(callee.get_by_test_id("call-panel")).to_have_count(0)
            after = cpu(serve)
            caller.evaluate("window.__clickedAt = null")
            if attempt == 0:
                continue
            setups.append((arrived - clicked) / 1000)
            rings.append((rang - clicked) / 1000)
            used += after - before
            wall += time.monotonic() - began
            for name, count in transactions(server.base_url).items():
                counted[name] = counted.get(name, 0) + count - ran.get(name, 0)
        # What the server spends with the same browsers connected and no call (its sweeps and
        # chores), for as long as the calls took: taken off the calls' CPU.
        idle_from = cpu(serve)
        time.sleep(wall)
        idle = cpu(serve) - idle_from
        browser.close()
    n = len(setups)
    print(f"{n} {args.media} calls on loopback (Chromium, fake devices), caller and callee:")
    print(
        f"  ring (press call -> callee's window): median {statistics.median(rings) * 1000:.0f} ms"
        f" (min {min(rings) * 1000:.0f}, max {max(rings) * 1000:.0f})"
    )
    print(
        f"  set-up (press call -> media both ways): median {statistics.median(setups) * 1000:.0f}"
        f" ms (min {min(setups) * 1000:.0f}, max {max(setups) * 1000:.0f})"
    )
    print(
        f"  server CPU per call (start to record): {used / n * 1000:.1f} ms, of which idle"
        f" chores {idle / n * 1000:.1f} ms: {(used - idle) / n * 1000:.1f} ms for the call"
        f" ({wall / n:.2f} s a call)"
    )
    busiest = sorted(counted.items(), key=lambda kv: -kv[1])[:12]
    print("  transactions per call: " + ", ".join(f"{k} {v / n:.1f}" for k, v in busiest if v))


if __name__ == "__main__":
    main()
