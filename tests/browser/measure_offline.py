"""Measure the offline start (docs/benchmarks.md, "Offline start"); prints numbers, asserts
nothing.

Seeds one user with `--conversations` conversations (groups with a message each and a direct
chat), signs in on `--runs` fresh browser profiles (remembered, so the session survives a
restart) and waits until the service worker controls the page and the SDK has written its
IndexedDB cache. Then it stops the server, so nothing can answer (not even the shared
connection's worker, which the browser's offline switch does not cover), switches the
profiles offline, and in each opens the app anew: from navigation start (the page comes from
the service worker's cache) to the frame that shows the conversation list from IndexedDB.

    .venv/bin/python -m tests.browser.measure_offline [--runs 7] [--conversations 1000]

It starts its own server on a temporary data directory and drives /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from playwright.sync_api import expect, sync_playwright

from tests.browser.pages import sign_in
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, WebServer, running_server

# Runs in the page before its own scripts: notes the frame where the list first has a row and
# the frame where it holds every conversation (it renders only the rows in view and says how
# many it holds in data-count).
WATCH_THE_LIST = """
(() => {
  const wanted = __WANTED__;
  window.__listTiming = {};
  const poll = () => {
    const list = document.querySelector('[data-testid=conversation-list]');
    const rows = Number(list?.getAttribute('data-count') ?? 0);
    const shown = document.querySelector('[data-testid=conversation-row]') !== null;
    const timing = window.__listTiming;
    if (shown && timing.first === undefined) timing.first = performance.now();
    if (shown && rows >= wanted) { timing.all = performance.now(); return; }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
})();
"""


def seed(server: WebServer, conversations: int) -> dict[str, Any]:
    me = server.register(f"offline{uuid.uuid4().hex[:6]}", "Offline User")
    peer = server.register(f"peer{uuid.uuid4().hex[:6]}", "Peer Person")

    def group(index: int) -> None:
        created = server.api(
            me["token"],
            "POST",
            "/conversations",
            json={
                "type": "group",
                "name": f"Project {index:04d}",
                "member_ids": [peer["user"]["id"]],
            },
        )
        server.api(
            peer["token"],
            "POST",
            f"/conversations/{created['id']}/messages",
            json={
                "client_msg_id": uuid.uuid4().hex,
                "type": "text",
                "body": {"text": f"Status update for project {index}"},
            },
        )

    server.api(
        me["token"],
        "POST",
        "/conversations",
        json={"type": "direct", "peer_id": peer["user"]["id"]},
    )
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(group, range(conversations - 2)))
    return me


def summary(values: list[float]) -> str:
    runs = ", ".join(f"{v:.0f}" for v in values)
    spread = f"{min(values):.0f}-{max(values):.0f}"
    return f"median {statistics.median(values):.0f} ms ({spread}; runs: {runs})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--conversations", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = []
        with running_server(Path(data)) as server:
            base_url = server.base_url
            started = time.monotonic()
            me = seed(server, args.conversations)
            print(
                f"seeded {args.conversations} conversations in {time.monotonic() - started:.0f} s"
            )
            # One user, its list held in every profile (the system notices make one more).
            wanted = args.conversations
            for _ in range(args.runs):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                sign_in(page, base_url, me["user"]["account"], remember=True)
                page.wait_for_function("() => navigator.serviceWorker.controller !== null")
                expect(page.get_by_test_id("conversation-list")).to_have_attribute(
                    "data-count", str(wanted), timeout=60_000
                )
                page.wait_for_timeout(1500)  # the cache is written 0.4 s after changes settle
                page.close()
                context.add_init_script(WATCH_THE_LIST.replace("__WANTED__", str(wanted)))
                contexts.append(context)
        # The server is gone.
        first: list[float] = []
        every: list[float] = []
        page_ready: list[float] = []
        for context in contexts:
            context.set_offline(True)
            page = context.new_page()
            page.goto(base_url)
            page.wait_for_function("() => window.__listTiming?.all !== undefined", timeout=60_000)
            timing = page.evaluate("window.__listTiming")
            first.append(timing["first"])
            every.append(timing["all"])
            page_ready.append(
                page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd")
            )
            expect(page.get_by_test_id("connection-banner")).to_be_visible()
            context.close()
        browser.close()
    print(f"offline start, the page from the service worker (response end): {summary(page_ready)}")
    print(f"offline start to the first row of the list: {summary(first)}")
    print(f"offline start to the list of {args.conversations} conversations: {summary(every)}")


if __name__ == "__main__":
    main()
