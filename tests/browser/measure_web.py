"""Measure the web client (docs/benchmarks.md, "Web client"); prints numbers, asserts nothing.

- the initial JavaScript of the main screen, gzipped;
- the first render of the conversation list after signing in, with 1,000 conversations
  (from pressing "Sign in" to the frame that has every row), on a fresh device and on one
  that remembers the account (the list comes from the IndexedDB cache first);
- opening a conversation of 10,000 messages held in the IndexedDB cache (from the click to
  the frame showing its newest message).

    .venv/bin/python -m tests.browser.measure_web [--runs 5]

It starts its own server on a temporary data directory and drives /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.server import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    STATIC,
    WebServer,
    running_server,
)

CONVERSATIONS = 1_000
MESSAGES = 10_000


def initial_javascript() -> tuple[int, int]:
    """Bytes and gzipped bytes of the scripts index.html loads at start (not the worker)."""
    html = (STATIC / "index.html").read_text()
    paths = re.findall(r'<script[^>]+src="([^"]+)"', html) + re.findall(
        r'<link rel="modulepreload"[^>]+href="([^"]+)"', html
    )
    raw = zipped = 0
    for path in paths:
        data = (STATIC / path.lstrip("/")).read_bytes()
        raw += len(data)
        zipped += len(gzip.compress(data, compresslevel=9))
    return raw, zipped


def seed(server: WebServer) -> tuple[dict[str, Any], int]:
    """A user with 1,000 conversations, one of them holding 10,000 messages."""
    me = server.register(f"bench{uuid.uuid4().hex[:6]}", "Bench User")
    peer = server.register(f"peer{uuid.uuid4().hex[:6]}", "Peer Person")
    peer_id = peer["user"]["id"]

    def group(index: int) -> None:
        created = server.api(
            me["token"],
            "POST",
            "/conversations",
            json={"type": "group", "name": f"Project {index:04d}", "member_ids": [peer_id]},
        )
        say(peer["token"], created["id"], f"Status update for project {index}")

    def say(token: str, conversation: int, text: str) -> None:
        server.api(
            token,
            "POST",
            f"/conversations/{conversation}/messages",
            json={"client_msg_id": uuid.uuid4().hex, "type": "text", "body": {"text": text}},
        )

    direct = server.api(
        me["token"], "POST", "/conversations", json={"type": "direct", "peer_id": peer_id}
    )["id"]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(group, range(CONVERSATIONS - 2)))
        list(
            pool.map(
                lambda i: say(
                    peer["token"] if i % 3 else me["token"],
                    direct,
                    f"Message {i}: the quick brown fox jumps over the lazy dog",
                ),
                range(MESSAGES),
            )
        )
    return me, direct


def sign_in_and_time(page: Page, base: str, account: str, remember: bool) -> dict[str, float]:
    page.goto(base)
    page.fill("input[name=account]", account)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=remember]").set_checked(remember)
    timing: dict[str, float] = page.evaluate(
        """(wanted) => new Promise((resolve) => {
            const start = performance.now();
            const out = {};
            const poll = () => {
                // The list renders only the rows in view; it says how many it holds.
                const list = document.querySelector('[data-testid=conversation-list]');
                const rows = Number(list?.getAttribute('data-count') ?? 0);
                const shown = document.querySelector('[data-testid=conversation-row]') !== null;
                if (shown && out.first === undefined) out.first = performance.now() - start;
                if (shown && rows >= wanted) {
                    out.all = performance.now() - start;
                    resolve(out);
                    return;
                }
                requestAnimationFrame(poll);
            };
            requestAnimationFrame(poll);
            document.querySelector('[data-testid=sign-in] button[type=submit]').click();
        })""",
        CONVERSATIONS,
    )
    expect(page.get_by_test_id("workspace")).to_have_attribute(
        "data-connection", "connected", timeout=60_000
    )
    return timing


def reload_and_time(page: Page) -> dict[str, float]:
    """A remembered device: from navigation start to the frame with every row."""
    page.reload()
    timing: dict[str, float] = page.evaluate(
        """(wanted) => new Promise((resolve) => {
            const poll = () => {
                const list = document.querySelector('[data-testid=conversation-list]');
                const rows = Number(list?.getAttribute('data-count') ?? 0);
                const shown = document.querySelector('[data-testid=conversation-row]') !== null;
                if (shown && rows >= wanted) { resolve({ all: performance.now() }); return; }
                requestAnimationFrame(poll);
            };
            poll();
        })""",
        CONVERSATIONS,
    )
    expect(page.get_by_test_id("workspace")).to_have_attribute(
        "data-connection", "connected", timeout=60_000
    )
    return timing


def fill_cache(page: Page, server: WebServer, me: dict[str, Any], conversation: int) -> None:
    """Put the conversation's 10,000 entries into the app's IndexedDB cache, as it keeps them."""
    entries: list[dict[str, Any]] = []
    while True:
        page_of = server.api(
            me["token"],
            "GET",
            f"/conversations/{conversation}/messages",
            params={"after_seq": entries[-1]["seq"] if entries else 0, "limit": 500},
        )["messages"]
        if not page_of:
            break
        entries.extend(page_of)
    page.evaluate(
        """async ([userId, conversation, entries]) => {
            const db = await new Promise((resolve, reject) => {
                const request = indexedDB.open(`tidings-${userId}`);
                request.onsuccess = () => resolve(request.result);
                request.onerror = () => reject(request.error);
            });
            const tx = db.transaction('timelines', 'readwrite');
            tx.objectStore('timelines').put({
                window: { from: entries[0].seq, through: entries[entries.length - 1].seq,
                          reachedStart: true },
                entries, hiddenThrough: 0, deletedSeqs: [],
            }, conversation);
            await new Promise((resolve) => { tx.oncomplete = resolve; });
            db.close();
        }""",
        [me["user"]["id"], conversation, entries],
    )


def open_and_time(page: Page, conversation: int, last_seq: int) -> float:
    elapsed: float = page.evaluate(
        """([conversation, lastSeq]) => new Promise((resolve) => {
            const row = document.querySelector(
                `[data-testid=conversation-row][data-conversation-id="${conversation}"]`);
            const start = performance.now();
            const poll = () => {
                if (document.querySelector(`[data-testid=message][data-seq="${lastSeq}"]`)) {
                    resolve(performance.now() - start);
                    return;
                }
                requestAnimationFrame(poll);
            };
            row.click();
            requestAnimationFrame(poll);
        })""",
        [conversation, last_seq],
    )
    return elapsed


def summary(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.0f} ms (runs: {', '.join(f'{v:.0f}' for v in values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    raw, zipped = initial_javascript()
    print(f"initial JavaScript: {raw / 1024:.1f} KiB, {zipped / 1024:.1f} KiB gzipped")
    with tempfile.TemporaryDirectory() as data, running_server(Path(data)) as server:
        started = time.monotonic()
        me, direct = seed(server)
        print(
            f"seeded {CONVERSATIONS} conversations and {MESSAGES} messages in "
            f"{time.monotonic() - started:.0f} s"
        )
        account = me["user"]["account"]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            fresh: list[float] = []
            first: list[float] = []
            cached: list[float] = []
            opened: list[float] = []
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                timing = sign_in_and_time(page, server.base_url, account, remember=True)
                fresh.append(timing["all"])
                first.append(timing["first"])
                page.wait_for_timeout(1500)  # the cache is written 0.4 s after changes settle
                cached.append(reload_and_time(page)["all"])
                fill_cache(page, server, me, direct)
                page.reload()
                expect(page.get_by_test_id("workspace")).to_have_attribute(
                    "data-connection", "connected", timeout=60_000
                )
                opened.append(open_and_time(page, direct, MESSAGES))
                context.close()
            browser.close()
    print(
        f"conversation list, {CONVERSATIONS} conversations, first row after sign-in: "
        f"{summary(first)}"
    )
    print(
        f"conversation list, {CONVERSATIONS} conversations, all rows after sign-in: "
        f"{summary(fresh)}"
    )
    print(
        f"conversation list from the cache (remembered device, page load to all rows): "
        f"{summary(cached)}"
    )
    print(f"open a conversation of {MESSAGES} cached messages: {summary(opened)}")


if __name__ == "__main__":
    main()
