"""Images and files: pick, paste, drop; compression; progress replaced by the server's image;
the image viewer; file cards with resumable uploads and downloads (F4, F1, F2)."""

from __future__ import annotations

import io
import os
import random
import re
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import conversation_row, direct_chat, open_conversation, sign_in


def photo(path: Path, width: int, height: int) -> Path:
    """A grainy JPEG, large as photos from phones are (grain does not compress)."""
    rng = random.Random(width * height)
    Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3)).save(
        path, "JPEG", quality=90
    )
    return path


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (37, 99, 235, 200)).save(out, "PNG")
    return out.getvalue()


def messages(server: WebServer, user: dict[str, Any], chat: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = server.api(
        user["token"], "GET", f"/conversations/{chat}/messages"
    )["messages"]
    return found


def test_images_sent_together_compressed_shown_and_viewed(
    web_server: WebServer, new_context: Any, tmp_path: Path
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    big = photo(tmp_path / "holiday.jpg", 2400, 1600)
    small = tmp_path / "logo.png"
    small.write_bytes(png(120, 80))
    pa: Page = new_context().new_page()
    pb: Page = new_context().new_page()
    sign_in(pa, web_server.base_url, alice["user"]["account"])
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pa, "Bob Li")

    # Two images picked at once: a preview strip, then one send.
    pa.get_by_test_id("image-input").set_input_files([str(big), str(small)])
    strip = pa.get_by_test_id("attachment-strip")
    expect(strip.get_by_test_id("attachment")).to_have_count(2)
    expect(strip.locator("[data-testid=attachment][data-ready=true]")).to_have_count(2)
    pa.get_by_test_id("send").click()
    expect(strip).to_have_count(0)
    images = pa.get_by_test_id("image-media")
    expect(images).to_have_count(2)
    # Each ends as the server's image (its thumbnail), sent.
    expect(pa.locator("[data-testid=image-media][data-state=server]")).to_have_count(2)
    expect(pa.locator("[data-testid=message][data-state=delivered]")).to_have_count(2)

    # The server got a compressed copy of the photo, no bigger than 1920 pixels a side.
    sent = [m for m in messages(web_server, alice, chat) if m["type"] == "image"]
    assert [(m["body"]["width"], m["body"]["height"]) for m in sent] == [(1920, 1280), (120, 80)]
    assert sent[0]["body"]["size"] < os.path.getsize(big) / 2
    assert sent[0]["body"]["name"] == "holiday.jpg"

    # Bob sees both.
    open_conversation(pb, "Alice Zhang")
    expect(pb.locator("[data-testid=image-media][data-state=server]")).to_have_count(2)

    # The viewer: zoom, rotate, reset, download.
    pb.get_by_test_id("image-media").first.click()
    viewer = pb.get_by_test_id("image-viewer")
    image = viewer.get_by_test_id("viewer-image")
    expect(image).to_be_visible()
    viewer.get_by_test_id("zoom-in").click()
    expect(viewer.get_by_test_id("zoom-level")).to_have_text("125%")
    viewer.get_by_test_id("rotate").click()
    expect(image).to_have_attribute("data-rotation", "90")
    viewer.get_by_test_id("reset").click()
    expect(viewer.get_by_test_id("zoom-level")).to_have_text("100%")
    expect(image).to_have_attribute("data-rotation", "0")
    href = viewer.get_by_test_id("viewer-download").get_attribute("href")
    assert href is not None and re.search(r"/files/[\w-]+\?", href)
    downloaded = pb.request.get(web_server.base_url + href)
    assert downloaded.ok and Image.open(io.BytesIO(downloaded.body())).size == (1920, 1280)
    pb.keyboard.press("Escape")
    expect(viewer).to_have_count(0)
    expect(conversation_row(pb, "Alice Zhang")).to_contain_text("[Image]")


def test_files_pasted_and_dropped_resumable_and_downloadable(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    open_conversation(page, "Bob Li")

    # A screenshot pasted into the input lands in the strip; a file dropped on the chat too.
    page.get_by_test_id("composer-input").evaluate(
        """async (box) => {
            const canvas = new OffscreenCanvas(40, 30);
            canvas.getContext('2d').fillRect(0, 0, 40, 30);
            const blob = await canvas.convertToBlob({ type: 'image/png' });
            const data = new DataTransfer();
            data.items.add(new File([blob], 'screenshot.png', { type: 'image/png' }));
            box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
        }"""
    )
    page.get_by_test_id("chat-column").evaluate(
        """(column) => {
            const data = new DataTransfer();
            data.items.add(new File(['quarterly numbers\\n'], '报表 Q3.csv', { type: 'text/csv' }));
            for (const type of ['dragover', 'drop']) {
                const init = { dataTransfer: data, bubbles: true, cancelable: true };
                column.dispatchEvent(new DragEvent(type, init));
            }
        }"""
    )
    strip = page.get_by_test_id("attachment-strip")
    expect(strip.locator("[data-kind=image]")).to_have_count(1)
    expect(strip.locator("[data-kind=file]")).to_contain_text("报表 Q3.csv")
    page.get_by_test_id("composer-input").fill("the numbers")
    page.get_by_test_id("send").click()
    card = page.locator("[data-testid=file-card][data-name='报表 Q3.csv']")
    expect(card.get_by_test_id("file-download-prepare")).to_be_visible()
    card.get_by_test_id("file-download-prepare").click()
    href = card.get_by_test_id("file-download").get_attribute("href")
    assert href is not None
    assert page.request.get(web_server.base_url + href).text() == "quarterly numbers\n"
    kinds = [(m["type"], m["body"].get("name")) for m in messages(web_server, alice, chat)]
    assert kinds == [("text", None), ("image", "screenshot.png"), ("file", "报表 Q3.csv")]

    # A slow link: pause the upload halfway, resume, and it completes from where it stopped.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 300_000},
    )
    data = random.Random(7).randbytes(900_000)
    page.get_by_test_id("file-input").set_input_files(
        {"name": "design.bin", "mimeType": "application/octet-stream", "buffer": data}
    )
    page.get_by_test_id("send").click()
    big = page.locator("[data-testid=file-card][data-name='design.bin']")
    expect(big.get_by_test_id("upload-progress")).to_have_attribute("data-state", "uploading")
    page.wait_for_timeout(1200)
    big.get_by_test_id("upload-pause").click()
    expect(big.get_by_test_id("upload-progress")).to_have_attribute("data-state", "paused")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    big.get_by_test_id("upload-resume").click()
    expect(big.get_by_test_id("file-download-prepare")).to_be_visible()
    sent = messages(web_server, alice, chat)[-1]
    assert sent["body"]["name"] == "design.bin" and sent["body"]["size"] == len(data)
    download = page.request.get(
        f"{web_server.base_url}/files/{sent['body']['file_id']}",
        headers={"Authorization": f"Bearer {bob['token']}"},
    )
    assert download.body() == data
