"""A workbench app opens and shares a card into a chat (J6, decision 0069), in Chromium.

The example approval app (examples/approval/server.py) runs as its own process on another
origin (127.0.0.2), registered as a workbench app tied to a registered app whose credentials
its backend uses. The user opens the Workbench tab and the app; the page gets a ticket over
the bridge and its backend exchanges it (the user's name shows in the page); the user submits
an approval and shares its card into a direct chat, where the peer sees it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import direct_chat, open_conversation, sign_in
from tests.browser.server import free_port

EXAMPLE = Path(__file__).parents[2] / "examples" / "approval" / "server.py"


def _create_app(server: WebServer, name: str, scopes: str) -> dict[str, str]:
    tidings = Path(sys.executable).parent / "tidings"
    out = subprocess.run(
        [str(tidings), "app", "create", name, "--scopes", scopes, "--data-dir",
         str(server.data_dir)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    return dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)


@pytest.fixture(scope="module")
def approval_app(web_server: WebServer) -> Iterator[tuple[str, int]]:
    """The example app's URL (on 127.0.0.2) and its registered app's id."""
    credentials = _create_app(web_server, "Approvals", "workbench")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(EXAMPLE), "--tidings", web_server.base_url,
         "--client-id", credentials["client_id"], "--client-secret",
         credentials["client_secret"], "--host", "127.0.0.2", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.2:{port}/approval/"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(url).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the example app did not start"
        time.sleep(0.1)
    try:
        yield url, int(credentials["app"].split()[0])
    finally:
        process.terminate()
        process.wait(10)


def test_a_workbench_app_opens_and_shares_a_card_into_a_chat(
    web_server: WebServer, new_context: Any, approval_app: tuple[str, int]
) -> None:
    url, app_id = approval_app
    admin = web_server.register(unique("wbadmin"), "Admin")
    web_server.make_admin(admin["user"]["account"])
    alice = web_server.register(unique("alice"), "Alice Wang")
    bob = web_server.register(unique("bob"), "Bob Li")
    web_server.api(
        admin["token"],
        "POST",
        "/admin/workbench-apps",
        json={
            "name": "Approvals",
            "url": url,
            "app_id": app_id,
            "audience": {"user_ids": [alice["user"]["id"]]},
        },
    )
    chat_id = direct_chat(web_server, alice, bob)
    assert chat_id > 0

    page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    page.get_by_test_id("rail-workbench").click()
    page.locator("[data-testid=workbench-app]", has_text="Approvals").click()
    frame = page.frame_locator("[data-testid=workbench-frame]")
    # The ticket went from the bridge to the app's backend and back as Alice's identity.
    expect(frame.locator("#who")).to_have_text("Signed in as Alice Wang", timeout=15_000)
    sandbox = page.get_by_test_id("workbench-frame").get_attribute("sandbox")
    assert sandbox == "allow-scripts allow-forms allow-same-origin"
    frame.locator("input[name=amount]").fill("1200.00")
    frame.locator("textarea[name=reason]").fill("Team dinner")
    frame.locator("#submit").click()
    # The client's own chat picker; Bob's chat is picked and the card sent as Alice.
    dialog = page.get_by_test_id("forward-dialog")
    expect(dialog).to_be_visible()
    # A card the app made is shared, not forwarded: the dialog and its outcome say so.
    expect(dialog.get_by_role("heading")).to_have_text("Share to")
    dialog.locator("[data-testid=forward-target][data-title='Bob Li']").first.click()
    dialog.get_by_test_id("forward-send").click()
    expect(frame.locator("#status")).to_have_text("Shared into 1 chat(s).")
    expect(page.get_by_test_id("flash")).to_have_text("Shared to 1 chat(s)")

    peer = new_context().new_page()
    sign_in(peer, web_server.base_url, bob["user"]["account"])
    open_conversation(peer, "Alice Wang")
    card = peer.get_by_test_id("custom-card").last
    expect(card).to_contain_text("Approval #1: Expense")
    expect(card).to_contain_text("Team dinner")
    expect(card.get_by_test_id("custom-card-fields")).to_contain_text("1200.00")
    expect(card).to_contain_text("Approvals")  # the source: the app's name
    assert (card.get_attribute("href") or "").startswith("http://127.0.0.2:")
