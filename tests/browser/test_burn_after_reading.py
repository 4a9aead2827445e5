"""Burn after reading in two browsers (PRODUCT.md D10, decision 0038): the recipient sees a
blurred message, opens it, a countdown runs, and it is gone for both — also after a reload,
from the local cache too; an unread one can still be recalled; the chat's burn mode."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import direct_chat, open_conversation, sign_in
from tests.browser.server import running_server

SECRET = "the vault code is 7741"

# Short countdowns, and a sweep that looks often: the tests wait for them.
BURN_ENV = {
    "TIDINGS_BURN_TEXT_SECONDS": "3",
    "TIDINGS_BURN_MEDIA_SECONDS": "3",
    "TIDINGS_BURN_SWEEP_SECONDS": "0.2",
}

# Everything this device keeps of its account in IndexedDB, as text.
CACHED_TEXT = """async (userId) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(`tidings-${userId}`);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const out = [];
  for (const name of db.objectStoreNames) {
    const all = await new Promise((resolve) => {
      const request = db.transaction(name, 'readonly').objectStore(name).getAll();
      request.onsuccess = () => resolve(request.result);
    });
    out.push(JSON.stringify(all));
  }
  db.close();
  return out.join('\\n');
}"""


@pytest.fixture(scope="module")
def burn_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    with running_server(tmp_path_factory.mktemp("burn-server"), BURN_ENV) as server:
        yield server


def pair(server: WebServer, new_context: Any) -> tuple[Page, Page, dict[str, Any], dict[str, Any]]:
    alice = server.register(unique("alice"), "Alice Zhang")
    bob = server.register(unique("bob"), "Bob Li")
    direct_chat(server, alice, bob)
    pa: Page = new_context().new_page()
    pb: Page = new_context().new_page()
    sign_in(pa, server.base_url, alice["user"]["account"], remember=True)
    sign_in(pb, server.base_url, bob["user"]["account"], remember=True)
    open_conversation(pa, "Bob Li")
    return pa, pb, alice, bob


def send_burning(page: Page, text: str) -> None:
    page.get_by_test_id("burn-toggle").click()
    expect(page.get_by_test_id("burn-toggle")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("burn-banner")).to_contain_text("Screenshots are not prevented")
    box = page.get_by_test_id("composer-input")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")
    # The toggle is for one message.
    expect(page.get_by_test_id("burn-toggle")).to_have_attribute("aria-pressed", "false")


def notice(page: Page, text: str) -> Any:
    return page.get_by_test_id("chat-notice").filter(has_text=text)


def cached(page: Page, user: dict[str, Any]) -> str:
    return str(page.evaluate(CACHED_TEXT, user["user"]["id"]))


def until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_opened_it_counts_down_and_is_gone_for_both_also_after_a_reload(
    burn_server: WebServer, new_context: Any
) -> None:
    pa, pb, alice, bob = pair(burn_server, new_context)
    send_burning(pa, SECRET)
    mine = pa.get_by_test_id("message").filter(has_text=SECRET)
    expect(mine.get_by_test_id("burn-badge")).to_have_attribute("data-state", "unread")

    # Bob: blurred, nothing readable, not even in the list's preview.
    row = pb.locator("[data-testid=conversation-row][data-title='Alice Zhang']")
    expect(row).to_contain_text("[Burn after reading]")
    open_conversation(pb, "Alice Zhang")
    sealed = pb.get_by_test_id("burn-sealed")
    expect(sealed).to_be_visible()
    expect(pb.get_by_test_id("message-list")).not_to_contain_text(SECRET)
    # Cached while unread (the device must show it once opened).
    until(lambda: SECRET in cached(pb, bob), "the unread message is cached")

    sealed.click()
    opened = pb.get_by_test_id("message").filter(has_text=SECRET)
    expect(opened).to_be_visible()
    expect(opened.get_by_test_id("burn-countdown")).to_have_text("3 s")
    expect(mine.get_by_test_id("burn-badge")).to_have_attribute("data-state", "opened")

    for page in (pa, pb):
        expect(page.get_by_test_id("message-list")).not_to_contain_text(SECRET, timeout=15_000)
        expect(notice(page, "burned after reading")).to_be_visible()
    for page, user, title in ((pa, alice, "Bob Li"), (pb, bob, "Alice Zhang")):
        # The wiped copy is what the device keeps (the `burned` entry folded in).
        until(
            lambda page=page, user=user: (
                SECRET not in (text := cached(page, user)) and '"kind":"burned"' in text
            ),
            "the device's cache lost the burned message",
        )
        page.reload()
        expect(page.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")
        open_conversation(page, title)
        expect(notice(page, "burned after reading")).to_be_visible()
        expect(page.get_by_test_id("message-list")).not_to_contain_text(SECRET)
        assert SECRET not in cached(page, user)


def test_an_unread_one_can_be_recalled_and_offers_no_copy_forward_or_reply(
    burn_server: WebServer, new_context: Any
) -> None:
    pa, pb, _alice, _bob = pair(burn_server, new_context)
    send_burning(pa, "recall me before he reads")
    open_conversation(pb, "Alice Zhang")
    expect(pb.get_by_test_id("burn-sealed")).to_be_visible()

    mine = pa.get_by_test_id("message").filter(has_text="recall me before he reads")
    mine.get_by_test_id("bubble").click(button="right")
    menu = pa.get_by_test_id("bubble-menu")
    for refused in ("Copy", "Forward", "Reply", "Add to favourites"):
        expect(menu.get_by_role("menuitem", name=refused)).to_have_count(0)
    menu.get_by_role("menuitem", name="Recall").click()
    expect(pb.get_by_test_id("burn-sealed")).to_have_count(0)
    expect(notice(pb, "recalled a message")).to_be_visible()
    expect(pa.get_by_test_id("message-list")).not_to_contain_text("recall me before he reads")


def test_the_burn_mode_makes_an_image_burn_and_both_see_it_turned_on(
    burn_server: WebServer, new_context: Any
) -> None:
    pa, pb, _alice, _bob = pair(burn_server, new_context)
    open_conversation(pb, "Alice Zhang")
    pa.get_by_test_id("burn-mode-button").click()
    expect(pa.get_by_test_id("burn-mode-button")).to_have_attribute("aria-pressed", "true")
    expect(notice(pa, "You turned on burn after reading")).to_be_visible()
    expect(notice(pb, "Alice Zhang turned on burn after reading")).to_be_visible()
    expect(pa.get_by_test_id("burn-banner")).to_contain_text("Screenshots are not prevented")

    picture = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 40, 40)).save(picture, "PNG")
    pa.get_by_test_id("image-input").set_input_files(
        {"name": "secret.png", "mimeType": "image/png", "buffer": picture.getvalue()}
    )
    pa.get_by_test_id("send").click()
    mine = pa.get_by_test_id("message").filter(has=pa.get_by_test_id("burn-badge"))
    expect(mine.get_by_test_id("burn-badge")).to_have_attribute("data-state", "unread")

    sealed = pb.get_by_test_id("burn-sealed")
    expect(sealed).to_be_visible()
    expect(sealed.locator(".burn-blur")).to_have_count(1)
    sealed.click()
    expect(pb.get_by_test_id("burn-countdown")).to_be_visible()
    for page in (pa, pb):
        expect(page.get_by_test_id("burn-badge")).to_have_count(0, timeout=15_000)
        expect(notice(page, "burned after reading")).to_be_visible()
    # Turned off: the next message is ordinary.
    pa.get_by_test_id("burn-mode-button").click()
    expect(notice(pb, "Alice Zhang turned off burn after reading")).to_be_visible()
    expect(pa.get_by_test_id("burn-banner")).to_have_count(0)
