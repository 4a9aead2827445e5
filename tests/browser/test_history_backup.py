"""History backup (D12, docs/decisions/0051): back up chat history in one browser profile,
restore it in a fresh one (a new device) — twice — and each message shows once; messages the
server no longer shows this account come back marked as restored, an image with its bytes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import bubble, direct_chat, open_conversation, post_text, sign_in

PASSPHRASE = "blue harbour lanterns 2026"


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (220, 38, 38)).save(out, "PNG")
    return out.getvalue()


def open_backup(page: Page) -> None:
    page.get_by_test_id("rail-settings").click()
    page.get_by_test_id("open-history-backup").click()
    expect(page.get_by_test_id("history-backup")).to_be_visible()


def restore(page: Page, backup: Path, passphrase: str) -> None:
    page.get_by_test_id("backup-tab-restore").click()
    page.get_by_test_id("restore-file").set_input_files(str(backup))
    page.get_by_test_id("restore-passphrase").fill(passphrase)
    page.get_by_test_id("restore-open").click()


def test_backup_restored_on_a_fresh_profile_shows_each_message_once(
    web_server: WebServer, new_context: Any, tmp_path: Path
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = direct_chat(web_server, alice, bob)
    post_text(web_server, alice, chat, "kept on the server")
    gone = post_text(web_server, bob, chat, "deleted for me later")

    first: Page = new_context().new_page()
    sign_in(first, web_server.base_url, alice["user"]["account"])
    open_conversation(first, "Bob Li")
    picture = tmp_path / "red.png"
    picture.write_bytes(png(64, 48))
    first.get_by_test_id("image-input").set_input_files(str(picture))
    first.get_by_test_id("send").click()
    expect(first.locator("[data-testid=image-media][data-state=server]")).to_have_count(1)
    image_seq = gone + 1

    # Back up: with files, the passphrase twice (a mismatch is refused first).
    open_backup(first)
    # Only the chat with Bob (not the system notices).
    first.get_by_role("button", name="Select none").click()
    expect(first.get_by_test_id("backup-problem")).to_be_visible()
    first.locator(f"[data-testid=backup-choice][data-id='{chat}']").check()
    first.get_by_test_id("backup-with-files").check()
    first.get_by_test_id("backup-passphrase").fill(PASSPHRASE)
    expect(first.get_by_test_id("backup-strength")).to_have_attribute("data-level", "3")
    first.get_by_test_id("backup-confirm").fill(PASSPHRASE + "x")
    expect(first.get_by_test_id("backup-problem")).to_be_visible()
    expect(first.get_by_test_id("backup-start")).to_be_disabled()
    first.get_by_test_id("backup-confirm").fill(PASSPHRASE)
    with first.expect_download() as download_info:
        first.get_by_test_id("backup-start").click()
    backup = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(backup)
    assert backup.name.endswith(".tdbackup")
    expect(first.get_by_test_id("backup-done")).to_contain_text("Messages: 3, files: 1")
    assert b"kept on the server" not in backup.read_bytes()

    # Since the backup: Alice deleted Bob's message and the picture for herself, and a new one came.
    web_server.api(
        alice["token"], "POST", f"/conversations/{chat}/delete", json={"seqs": [gone, image_seq]}
    )
    post_text(web_server, bob, chat, "after the backup")

    # A fresh browser profile (another device): a wrong passphrase is refused, then the right one.
    second: Page = new_context().new_page()
    sign_in(second, web_server.base_url, alice["user"]["account"])
    open_backup(second)
    restore(second, backup, "not the passphrase")
    expect(second.get_by_test_id("restore-error")).to_contain_text("passphrase")
    second.get_by_test_id("restore-passphrase").fill(PASSPHRASE)
    second.get_by_test_id("restore-open").click()
    preview = second.get_by_test_id("restore-preview")
    expect(preview.get_by_test_id("restore-conversation")).to_have_count(1)
    expect(preview.get_by_test_id("restore-conversation")).to_contain_text("Bob Li")
    second.get_by_test_id("restore-start").click()
    expect(second.get_by_test_id("restore-done")).to_contain_text("3 new")
    # The same backup again: nothing new.
    restore(second, backup, PASSPHRASE)
    second.get_by_test_id("restore-start").click()
    expect(second.get_by_test_id("restore-done")).to_contain_text("0 new")

    second.get_by_test_id("rail-chats").click()
    open_conversation(second, "Bob Li")
    expect(bubble(second, "after the backup")).to_have_count(1)
    expect(bubble(second, "kept on the server")).to_have_count(1)
    expect(bubble(second, "kept on the server")).not_to_have_attribute("data-restored", "true")
    restored = bubble(second, "deleted for me later")
    expect(restored).to_have_count(1)
    expect(restored).to_have_attribute("data-restored", "true")
    expect(restored.get_by_test_id("restored-mark")).to_be_visible()
    # The picture comes back from the backup's bytes.
    image = second.locator("[data-testid=message][data-restored=true] [data-testid=image-media]")
    expect(image).to_have_count(1)
    expect(image).to_have_attribute("data-state", "local")
    size = image.locator("img").evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert size == [64, 48]
    expect(second.get_by_test_id("message")).to_have_count(4)

    # After a reload the restored history is still there, still once.
    second.reload()
    expect(second.get_by_test_id("workspace")).to_have_attribute("data-connection", "connected")
    open_conversation(second, "Bob Li")
    expect(bubble(second, "deleted for me later")).to_have_count(1)
    expect(second.get_by_test_id("message")).to_have_count(4)


def test_backup_and_restore_screens_fit_a_phone(
    web_server: WebServer, new_context: Any, tmp_path: Path
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li with a rather long display name")
    direct_chat(web_server, alice, bob)
    page: Page = new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    page.get_by_test_id("rail-settings").tap()
    page.get_by_test_id("open-history-backup").tap()
    expect(page.get_by_test_id("history-backup")).to_be_visible()

    def fits() -> None:
        overflow = page.get_by_test_id("history-backup").evaluate(
            "e => e.scrollWidth - e.clientWidth"
        )
        assert overflow == 0
        for testid in ("backup-tab-backup", "backup-tab-restore"):
            box = page.get_by_test_id(testid).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390

    fits()
    page.get_by_test_id("backup-passphrase").fill("short")
    page.get_by_test_id("backup-confirm").fill("short")
    expect(page.get_by_test_id("backup-problem")).to_be_visible()
    page.get_by_test_id("backup-start").scroll_into_view_if_needed()
    box = page.get_by_test_id("backup-start").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    page.get_by_test_id("backup-tab-restore").tap()
    not_a_backup = tmp_path / "notes.tdbackup"
    not_a_backup.write_bytes(b"just some notes, not a backup at all" * 4)
    page.get_by_test_id("restore-file").set_input_files(str(not_a_backup))
    page.get_by_test_id("restore-passphrase").fill("anything")
    page.get_by_test_id("restore-open").tap()
    expect(page.get_by_test_id("restore-error")).to_contain_text("not a Tidings")
    fits()
