"""What the app shows of the server's contacts, organization and group features: a plain
member's invite into an approval group (waiting for approval, "invited by" for approvers,
names looked up together), `blocked` on a profile, department breadcrumbs, and expiry on
images, voice messages and videos."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import group_chat, newest_stored, open_conversation, sign_in
from tests.browser.test_media import wav

DAY_MS = 86_400_000


def sent_ops(page: Page) -> list[str]:
    """Every op this page sends over its WebSocket, recorded from now on. The page holds its
    own connection for this (without SharedWorker the app connects in the page, as in
    browsers that lack it): a shared worker's socket is out of Playwright's sight."""
    page.add_init_script("delete window.SharedWorker")
    ops: list[str] = []

    def on_socket(socket: Any) -> None:
        def on_frame(payload: Any) -> None:
            try:
                frame = json.loads(payload)
            except (TypeError, ValueError):
                return
            if isinstance(frame, dict) and isinstance(frame.get("op"), str):
                ops.append(frame["op"])

        socket.on("framesent", on_frame)

    page.on("websocket", on_socket)
    return ops


def test_a_member_invites_into_an_approval_group_and_the_owner_sees_who_invited(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    carol = web_server.register(unique("carol"), "Carol Wang")
    group = group_chat(web_server, alice, "Approval crew", bob)
    web_server.api(alice["token"], "PATCH", f"/groups/{group}", json={"join_mode": "approval"})

    # Bob, a plain member, may invite (no invite links though); Carol waits for approval.
    pb: Page = new_context().new_page()
    sign_in(pb, web_server.base_url, bob["user"]["account"])
    open_conversation(pb, "Approval crew")
    pb.get_by_test_id("group-info-button").click()
    panel = pb.get_by_test_id("group-info")
    expect(panel.get_by_test_id("group-invites")).to_have_count(0)
    panel.get_by_test_id("invite-members").click()
    dialog = pb.get_by_test_id("invite-dialog")
    dialog.get_by_test_id("people-search").fill(carol["user"]["account"])
    dialog.locator("[data-testid=person][data-name='Carol Wang']").click()
    dialog.get_by_test_id("invite-send").click()
    expect(panel.get_by_test_id("group-toast")).to_have_text(
        "Invited: waiting for approval by the group admins (1)"
    )
    expect(dialog).to_have_count(0)
    members = web_server.api(alice["token"], "GET", f"/groups/{group}/members")["members"]
    assert carol["user"]["id"] not in [m["user_id"] for m in members]
    # Asked again: already waiting.
    panel.get_by_test_id("invite-members").click()
    dialog.get_by_test_id("people-search").fill(carol["user"]["account"])
    dialog.locator("[data-testid=person][data-name='Carol Wang']").click()
    dialog.get_by_test_id("invite-send").click()
    expect(panel.get_by_test_id("group-toast")).to_have_text(
        "Already invited: waiting for approval"
    )

    # Alice, the owner, sees the request with who invited; Carol's name, unknown to her
    # app, comes from one users.lookup (never profile.get one by one).
    pa: Page = new_context().new_page()
    ops = sent_ops(pa)
    sign_in(pa, web_server.base_url, alice["user"]["account"])
    open_conversation(pa, "Approval crew")
    pa.get_by_test_id("group-info-button").click()
    request = pa.get_by_test_id("join-request")
    expect(request).to_contain_text("Carol Wang")
    expect(request.get_by_test_id("invited-by")).to_have_text("invited by Bob Li")
    assert "users.lookup" in ops
    assert "profile.get" not in ops
    request.get_by_role("button", name="Approve").click()
    expect(
        pa.get_by_test_id("group-info").locator("[data-testid=member][data-name='Carol Wang']")
    ).to_be_visible()

    # In Chinese, Bob's next invite says the same.
    dave = web_server.register(unique("dave"), "Dave Chen")
    pb.get_by_test_id("rail-settings").click()
    pb.get_by_test_id("language").get_by_role("radio", name="简体中文").click()
    pb.get_by_test_id("rail-chats").click()
    open_conversation(pb, "Approval crew")
    if not pb.get_by_test_id("group-info").is_visible():
        pb.get_by_test_id("group-info-button").click()
    pb.get_by_test_id("group-info").get_by_test_id("invite-members").click()
    dialog.get_by_test_id("people-search").fill(dave["user"]["account"])
    dialog.locator("[data-testid=person][data-name='Dave Chen']").click()
    dialog.get_by_test_id("invite-send").click()
    expect(pb.get_by_test_id("group-info").get_by_test_id("group-toast")).to_have_text(
        "已邀请，等待群主或管理员审核（1 人）"
    )


def test_profile_block_state_and_department_breadcrumbs(
    web_server: WebServer, new_context: Any
) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    dora = web_server.register(unique("dora"), "Dora Sun")
    web_server.make_admin(alice["user"]["account"])
    company = web_server.api(alice["token"], "POST", "/org/departments", json={"name": "Acme"})
    sales = web_server.api(
        alice["token"],
        "POST",
        "/org/departments",
        json={"name": "Sales", "parent_id": company["id"]},
    )
    east = web_server.api(
        alice["token"], "POST", "/org/departments", json={"name": "East", "parent_id": sales["id"]}
    )
    web_server.api(
        alice["token"],
        "PUT",
        f"/org/departments/{east['id']}/members/{dora['user']['id']}",
        json={"position": "Account manager"},
    )
    # Blocked through another device: the profile says so (not the block list).
    web_server.api(alice["token"], "PUT", f"/blocks/{dora['user']['id']}")

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    page.get_by_test_id("rail-contacts").click()
    page.get_by_test_id("organization").click()

    # Search finds East with its path; a crumb of the result opens Sales.
    page.get_by_test_id("org-search").fill("East")
    result = page.locator("[data-testid=org-result-department][data-name='East']")
    expect(result.get_by_test_id("org-breadcrumbs")).to_have_text("Acme › Sales › East")
    result.locator("[data-testid=org-crumb][data-name='Sales']").click()
    expect(page.get_by_test_id("org-search")).to_have_value("")
    crumbs = page.get_by_test_id("org-members").get_by_test_id("org-breadcrumbs")
    expect(crumbs).to_have_text("Acme › Sales")
    expect(crumbs.get_by_test_id("org-crumb-current")).to_have_text("Sales")

    # Down to East in the tree, then back up to Acme by its crumb.
    page.locator("[data-testid=org-department][data-name='East']").click()
    expect(crumbs).to_have_text("Acme › Sales › East")
    page.locator("[data-testid=org-person][data-name='Dora Sun']").click()
    profile = page.get_by_test_id("person")
    expect(profile.get_by_test_id("block")).to_have_text("Unblock")
    profile.get_by_test_id("block").click()
    expect(profile.get_by_test_id("block")).to_have_text("Block")
    assert web_server.api(alice["token"], "GET", "/blocks")["blocked"] == []

    page.get_by_test_id("organization").click()
    page.locator("[data-testid=org-department][data-name='East']").click()
    crumbs.locator("[data-testid=org-crumb][data-name='Acme']").click()
    expect(crumbs).to_have_text("Acme")
    expect(page.locator("[role=treeitem][aria-selected=true]")).to_contain_text("Acme")

    # Chinese: the breadcrumbs keep their names, labelled in Chinese.
    page.get_by_test_id("rail-settings").click()
    page.get_by_test_id("language").get_by_role("radio", name="简体中文").click()
    page.get_by_test_id("rail-contacts").click()
    page.get_by_test_id("organization").click()
    page.locator("[data-testid=org-department][data-name='East']").click()
    expect(page.get_by_role("navigation", name="部门位置").last).to_have_text("Acme › Sales › East")


def png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, "PNG")
    return out.getvalue()


def test_images_voice_and_video_that_expire(web_server: WebServer, new_context: Any) -> None:
    alice = web_server.register(unique("alice"), "Alice Zhang")
    bob = web_server.register(unique("bob"), "Bob Li")
    chat = group_chat(web_server, alice, "Short-lived", bob)
    voice = web_server.upload(bob["token"], wav(1.5), "v.wav", "audio/wav", expiry_days=2)
    video = web_server.upload(
        bob["token"], b"\x1a\x45\xdf\xa3" + b"\x00" * 400, "c.webm", "video/webm", expiry_days=5
    )
    for type_, body in (
        ("voice", {"file_id": voice, "duration_ms": 1500}),
        ("video", {"file_id": video, "width": 640, "height": 360, "duration_ms": 4000}),
    ):
        web_server.api(
            bob["token"],
            "POST",
            f"/conversations/{chat}/messages",
            json={"client_msg_id": uuid.uuid4().hex, "type": type_, "body": body},
        )

    page: Page = new_context().new_page()
    sign_in(page, web_server.base_url, alice["user"]["account"])
    open_conversation(page, "Short-lived")
    expect(page.get_by_test_id("voice-media").get_by_test_id("media-expiry")).to_contain_text(
        "Expires"
    )
    expect(page.get_by_test_id("video-media").get_by_test_id("media-expiry")).to_contain_text(
        "Expires"
    )

    # An image picked to be kept 2 days: the choice under its thumbnail, the expiry on its bubble.
    page.get_by_test_id("file-input").set_input_files(
        {"name": "sketch.png", "mimeType": "image/png", "buffer": png(320, 200)}
    )
    slot = page.get_by_test_id("attachment-slot")
    expect(slot.get_by_test_id("attachment")).to_have_attribute("data-ready", "true")
    slot.get_by_test_id("attachment-expiry").select_option("2")
    page.get_by_test_id("send").click()
    image = page.get_by_test_id("image-media").last
    expect(image).to_have_attribute("data-state", "server")
    expect(image.get_by_test_id("media-expiry")).to_contain_text("Expires")
    sent = newest_stored(web_server, alice, chat, lambda m: m["type"] == "image")
    assert sent["type"] == "image"
    info = web_server.api(alice["token"], "GET", f"/files/{sent['body']['file_id']}")
    assert info["expires_at"] - info["completed_at"] == 2 * DAY_MS
    assert sent["body"]["expires_at"] == info["expires_at"]

    page.get_by_test_id("rail-settings").click()
    page.get_by_test_id("language").get_by_role("radio", name="简体中文").click()
    page.get_by_test_id("rail-chats").click()
    open_conversation(page, "Short-lived")
    expect(page.get_by_test_id("image-media").last.get_by_test_id("media-expiry")).to_contain_text(
        "过期"
    )
