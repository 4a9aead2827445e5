"""What recording a voice message costs the browser (issue 12; docs/benchmarks.md, "Voice
messages"): CPU of Chromium's processes while the chat is open and idle, then while the
composer records from the fake microphone (MediaRecorder, WebM/Opus at 32 kbit/s, and the
level meter read 20 times a second), and the size of what was recorded. Prints numbers,
asserts nothing.

    .venv/bin/python -m bench.voice_recording [--seconds 15] [--runs 3]

It starts its own server on a temporary data directory and drives /usr/bin/chromium with
Chromium's fake media devices.
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

import psutil  # type: ignore[import-untyped]
from playwright.sync_api import Page, expect, sync_playwright
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, PASSWORD, running_server

FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def chromium_cpu_seconds() -> float:
    """User and system CPU of every Chromium process this script started."""
    total = 0.0
    for process in psutil.Process(os.getpid()).children(recursive=True):
        try:
            if "chrom" in process.name().lower():
                times = process.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def main_thread_ms(page: Page, session: Any) -> float:
    metrics = {m["name"]: m["value"] for m in session.send("Performance.getMetrics")["metrics"]}
    return float(metrics["TaskDuration"]) * 1000


def measure(page: Page, session: Any, seconds: float) -> tuple[float, float]:
    """(CPU % of one core for all Chromium processes, main-thread busy %) over `seconds`."""
    cpu, busy, started = chromium_cpu_seconds(), main_thread_ms(page, session), time.monotonic()
    page.wait_for_timeout(seconds * 1000)
    wall = time.monotonic() - started
    cpu_share = (chromium_cpu_seconds() - cpu) / wall * 100
    busy_share = (main_thread_ms(page, session) - busy) / (wall * 1000) * 100
    return cpu_share, busy_share


def run(seconds: float, runs: int) -> None:
    with tempfile.TemporaryDirectory() as data_dir, running_server(Path(data_dir)) as server:
        alice = server.register(f"alice{uuid.uuid4().hex[:6]}", "Alice")
        bob = server.register(f"bob{uuid.uuid4().hex[:6]}", "Bob")
        chat = server.api(
            alice["token"],
            "POST",
            "/conversations",
            json={"type": "direct", "peer_id": bob["user"]["id"]},
        )["id"]
        rows: list[tuple[float, float, float, float, float]] = []
        with sync_playwright() as playwright:
            for _ in range(runs):
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_MEDIA]
                )
                page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
                session = page.context.new_cdp_session(page)
                session.send("Performance.enable")
                page.goto(server.base_url)
                page.fill("input[name=account]", alice["user"]["account"])
                page.fill("input[name=password]", PASSWORD)
                page.click("[data-testid=sign-in] button[type=submit]")
                page.locator("[data-testid=conversation-row]").filter(has_text="Bob").click()
                expect(page.get_by_test_id("composer-input")).to_be_visible()
                page.wait_for_timeout(2000)  # let the first render and sync settle
                idle_cpu, idle_busy = measure(page, session, seconds)
                page.get_by_test_id("voice-button").click()
                expect(page.get_by_test_id("voice-bar")).to_have_attribute(
                    "data-state", "recording"
                )
                rec_cpu, rec_busy = measure(page, session, seconds)
                page.get_by_test_id("voice-send").click()
                expect(page.get_by_test_id("message").last).to_have_attribute(
                    "data-state", "sent", timeout=30_000
                )
                history = server.api(alice["token"], "GET", f"/conversations/{chat}/messages")
                voice = history["messages"][-1]["body"]
                rate = voice["size"] * 8 / (voice["duration_ms"] / 1000) / 1000
                rows.append((idle_cpu, rec_cpu, idle_busy, rec_busy, rate))
                browser.close()
    print(f"{runs} runs of {seconds:.0f} s each, Chromium {CHROMIUM}")
    for name, index in (
        ("Chromium CPU, chat open and idle (% of one core)", 0),
        ("Chromium CPU, recording (% of one core)", 1),
        ("page main thread busy, idle (%)", 2),
        ("page main thread busy, recording (%)", 3),
        ("recorded bit rate (kbit/s, file size / duration)", 4),
    ):
        values = [row[index] for row in rows]
        print(
            f"  {name}: median {statistics.median(values):.1f}"
            f" ({min(values):.1f}-{max(values):.1f})"
        )
    print(f"  load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    run(args.seconds, args.runs)


if __name__ == "__main__":
    main()
