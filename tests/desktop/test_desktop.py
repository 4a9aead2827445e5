"""The desktop client end to end (issue 17): signed in as Bob against a real server, with
Alice on the Python SDK at the other end of the chat."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QMimeData, QObject, QUrl
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QWidget

from tests.desktop.conftest import new_app, qrun
from tests.support.server import ServerProcess
from tests.support.users import Person
from tests.support.waiting import eventually
from tidings.desktop.app import DesktopApp
from tidings.desktop.viewmodels.chat import MessageItem
from tidings.desktop.views.chat_view import ChatView
from tidings.sdk import TidingsClient, TidingsFiles


class HideWatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Hide:
            self.hidden = True
        return False


async def direct_chat(alice_client: TidingsClient, bob: Person) -> int:
    summary = await alice_client.request("conversation.open_direct", {"peer_id": bob.id})
    return int(summary["id"])


def messages(view: ChatView) -> list[MessageItem]:
    return [i for i in view.chat.items if i.kind == "message"]


def texts(client: TidingsClient, conversation_id: int) -> list[str]:
    conv = client.state.conversations.get(conversation_id)
    return [e["body"].get("text", "") for e in conv.messages()] if conv else []


async def download(base_url: str, person: Person, file_id: str, dest: Path) -> bytes:
    async with TidingsFiles(base_url, token=person.token) as files:
        path = await files.download(file_id, dest)
    return await asyncio.to_thread(path.read_bytes)


def test_a_message_from_another_client_shows_in_the_list_and_the_chat_and_is_read(
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    base_url: str,
    alice: Person,
    bob: Person,
) -> None:
    async def scenario() -> None:
        async with alice.client(base_url) as alice_client:
            conv_id = await direct_chat(alice_client, bob)
            assert desktop.alerts is not None
            before = desktop.alerts.unread  # the system notices' welcome
            entry = await alice_client.send(conv_id, "text", {"text": "Lunch at noon? 🍜"})

            assert desktop.main_panel is not None and desktop.conversations is not None
            # (The title comes with the conversation's summary, a moment after the message.)
            row = await eventually(
                lambda: next(
                    (
                        r
                        for r in desktop.conversations.rows
                        if r.id == conv_id and r.title != "" and not r.title.startswith("#")
                    ),
                    None,
                )
            )
            assert row.preview == "Lunch at noon? 🍜"
            assert row.unread == 1
            assert row.title == "Alice"
            assert desktop.main_panel.chat_model.rowCount() == len(desktop.conversations.rows)
            assert desktop.alerts.unread == before + 1
            assert desktop.tray is not None and desktop.tray.icon_unread == before + 1
            # A native notification is asked for (the tray shows it where there is one) as
            # soon as the sender's name is known, and the tray flashes.
            await eventually(lambda: desktop.alerts.flashing)
            assert [n.text for n in desktop.alerts.notifications] == ["Lunch at noon? 🍜"]
            assert desktop.tray.shown[-1].title == "Alice"
            assert desktop.tray.timer.isActive()

            # Opening the chat shows it, and reading it is what Alice sees as a receipt.
            view = desktop.open_chat(conv_id)
            assert [m.text for m in messages(view)] == ["Lunch at noon? 🍜"]
            assert view.model.rowCount() == len(view.chat.items)
            assert desktop.chat_windows[conv_id].isVisible()
            await eventually(
                lambda: (
                    (alice_client.state.conversations[conv_id].peer or {}).get("read_seq", 0)
                    >= entry["seq"]
                )
            )
            await eventually(lambda: desktop.alerts.unread == before)

            # Alice's next message arrives in the open chat, and is read at once.
            later = await alice_client.send(conv_id, "text", {"text": "Or 12:30"})
            await eventually(lambda: [m.text for m in messages(view)][-1:] == ["Or 12:30"])
            await eventually(
                lambda: alice_client.state.conversations[conv_id].peer["read_seq"] >= later["seq"]
            )

    qrun(loop, scenario())


def test_text_an_image_and_a_file_are_sent_and_the_other_side_gets_them(
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    base_url: str,
    alice: Person,
    bob: Person,
    tmp_path: Path,
) -> None:
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 quarterly\n" + bytes(range(256)) * 2000)

    async def scenario() -> None:
        async with alice.client(base_url) as alice_client:
            conv_id = await direct_chat(alice_client, bob)
            question = await alice_client.send(conv_id, "text", {"text": "Numbers?"})
            view = desktop.open_chat(conv_id)

            # Typed and sent with Enter, as a reply to Alice's question.
            view.set_reply(messages(view)[0])
            view.input.setFocus()
            view.input.insertPlainText("Here you go 👍")
            view.input.submitted.emit()
            assert view.input.toPlainText() == ""
            await eventually(lambda: texts(alice_client, conv_id)[-1:] == ["Here you go 👍"])
            reply = alice_client.state.conversations[conv_id].messages()[-1]
            assert reply["reply_to_seq"] == question["seq"]

            # An image pasted from the clipboard.
            picture = QImage(64, 48, QImage.Format.Format_RGB32)
            picture.fill(QColor("#3366cc"))
            pasted = QMimeData()
            pasted.setImageData(picture)
            view.input.insertFromMimeData(pasted)
            # A file dropped on the input.
            dropped = QMimeData()
            dropped.setUrls([QUrl.fromLocalFile(str(report))])
            view.input.insertFromMimeData(dropped)

            def received() -> list[dict[str, object]]:
                conv = alice_client.state.conversations[conv_id]
                return [e for e in conv.messages() if e["type"] in ("image", "file")]

            image, file = await eventually(lambda: len(received()) == 2 and received())
            assert image["type"] == "image"
            assert (image["body"]["width"], image["body"]["height"]) == (64, 48)
            data = await download(base_url, alice, image["body"]["file_id"], tmp_path / "got.png")
            with Image.open(io.BytesIO(data)) as got:
                assert got.size == (64, 48)
                assert got.convert("RGB").getpixel((10, 10)) == (0x33, 0x66, 0xCC)
            assert file["type"] == "file"
            assert file["body"]["name"] == "report.pdf"
            copy = await download(base_url, alice, file["body"]["file_id"], tmp_path / "got.pdf")
            assert copy == await asyncio.to_thread(report.read_bytes)

            # Bob's own view shows them sent, in order, each once.
            await eventually(lambda: [m.state for m in messages(view)][-3:] == ["sent"] * 3)
            assert [m.type for m in messages(view)] == ["text", "text", "image", "file"]

            # Bob downloads a file Alice sends: to his files folder, resumably.
            async with TidingsFiles(base_url, token=alice.token) as files:
                info = await files.upload(report, name="from-alice.pdf")
            await alice_client.send(
                conv_id,
                "file",
                {"file_id": info["id"], "name": "from-alice.pdf", "size": info["size"]},
            )
            item = await eventually(
                lambda: next(
                    (m for m in messages(view) if m.body.get("name") == "from-alice.pdf"), None
                )
            )
            state = view.chat.download(str(item.body["file_id"]), "from-alice.pdf")
            await eventually(lambda: state.status == "done")
            assert await asyncio.to_thread(state.path.read_bytes) == await asyncio.to_thread(
                report.read_bytes
            )

    qrun(loop, scenario())


def test_a_recalled_message_is_gone_on_both_sides_and_receipts_show_delivered_then_read(
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    base_url: str,
    alice: Person,
    bob: Person,
) -> None:
    async def scenario() -> None:
        async with alice.client(base_url) as alice_client:
            conv_id = await direct_chat(alice_client, bob)
            await alice_client.send(conv_id, "text", {"text": "hi"})
            view = desktop.open_chat(conv_id)
            view.chat.send_text("a typo")
            sent = await eventually(
                lambda: next((m for m in messages(view) if m.seq and m.mine), None)
            )
            assert sent.state == "sent"
            await eventually(lambda: "a typo" in texts(alice_client, conv_id))

            # Alice's device acknowledges it, then she reads it.
            await alice_client.request("ack", {"conversation_id": conv_id, "seq": sent.seq})
            await eventually(lambda: messages(view)[-1].state == "delivered")
            await alice_client.request("read", {"conversation_id": conv_id, "seq": sent.seq})
            await eventually(lambda: messages(view)[-1].state == "read")

            await view.chat.recall(messages(view)[-1])
            assert view.chat.items[-1].kind == "event"
            assert view.chat.items[-1].text == "You recalled a message"
            await eventually(
                lambda: alice_client.state.conversations[conv_id].entries[sent.seq]["recalled"]
            )
            # A recall by the other side too.
            theirs = await alice_client.send(conv_id, "text", {"text": "oops"})
            await eventually(lambda: any(m.seq == theirs["seq"] for m in messages(view)))
            await alice_client.request("recall", {"conversation_id": conv_id, "seq": theirs["seq"]})
            await eventually(lambda: not any(m.seq == theirs["seq"] for m in messages(view)))
            assert "recalled a message" in view.chat.items[-1].text

    qrun(loop, scenario())


def test_after_the_server_restarts_nothing_is_lost_or_shown_twice(
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    server: ServerProcess,
    base_url: str,
    alice: Person,
    bob: Person,
) -> None:
    async def scenario() -> None:
        alice_client = alice.client(base_url, backoff_max=1.0)
        async with alice_client:
            conv_id = await direct_chat(alice_client, bob)
            for n in range(3):
                await alice_client.send(conv_id, "text", {"text": f"before {n}"})
            view = desktop.open_chat(conv_id)
            await eventually(lambda: len(messages(view)) == 3)
            assert desktop.session is not None

            await asyncio.to_thread(server.stop)
            await eventually(lambda: desktop.session.status == "connecting")
            assert desktop.main_panel is not None
            assert "Connecting" in desktop.main_panel.status.text()
            # Written while the server is down: shown as sending, queued in the outbox.
            view.chat.send_text("while down")
            assert messages(view)[-1].state == "sending"
            await asyncio.to_thread(server.start)

            await eventually(lambda: desktop.session.status == "online", within=30)
            await alice_client.wait_ready(30)
            await eventually(lambda: "while down" in texts(alice_client, conv_id), within=30)
            await alice_client.send(conv_id, "text", {"text": "after"})
            await eventually(lambda: messages(view)[-1].text == "after", within=30)
            shown = [m.text for m in messages(view)]
            assert shown == ["before 0", "before 1", "before 2", "while down", "after"]
            seqs = [m.seq for m in messages(view)]
            assert len(set(seqs)) == len(seqs)
            assert texts(alice_client, conv_id).count("while down") == 1

    qrun(loop, scenario(), limit=120)


def test_a_screenshot_is_captured_annotated_and_sent(
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    base_url: str,
    alice: Person,
    bob: Person,
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        async with alice.client(base_url) as alice_client:
            conv_id = await direct_chat(alice_client, bob)
            view = desktop.open_chat(conv_id)
            window = desktop.chat_windows[conv_id]
            watcher = HideWatcher()
            window.installEventFilter(watcher)
            editor = await desktop.take_screenshot(view, hide_windows=True)
            assert watcher.hidden  # out of the way while the screen was captured
            assert window.isVisible()  # and back after
            model = editor.model
            assert (model.width, model.height) == (editor.image.width(), editor.image.height())
            model.set_crop(10, 10, 300, 200)
            model.add("rectangle", [(20, 20), (120, 90)])
            model.add("ellipse", [(150, 30), (250, 120)])
            model.add("arrow", [(30, 180), (200, 130)])
            model.add("pen", [(40, 40), (60, 70), (90, 50)])
            model.add("text", [(200, 160)], text="look")
            model.add("mosaic", [(220, 20), (300, 100)])
            model.add("pen", [(1, 1), (5, 5)])
            model.undo()
            assert [s.tool for s in model.shapes] == [
                "rectangle",
                "ellipse",
                "arrow",
                "pen",
                "text",
                "mosaic",
            ]
            rendered = editor.result_image()
            assert (rendered.width(), rendered.height()) == (300, 200)
            # The rectangle's edge is drawn in the annotation colour (x=20 → 10 in the crop).
            edge = rendered.pixelColor(10, 40)
            assert edge.red() > 180 and edge.green() < 110, edge.name()
            editor.send()

            def image_received() -> dict[str, Any] | None:
                conv = alice_client.state.conversations.get(conv_id)
                found = [e for e in conv.messages() if e["type"] == "image"] if conv else []
                return found[0] if found else None

            image = await eventually(image_received)
            assert (image["body"]["width"], image["body"]["height"]) == (300, 200)
            data = await download(base_url, alice, image["body"]["file_id"], tmp_path / "s.png")
            with Image.open(io.BytesIO(data)) as got:
                assert got.size == (300, 200)
                red, green, _blue = got.convert("RGB").getpixel((10, 40))
                assert red > 180 and green < 110

    qrun(loop, scenario())


def test_signed_in_elsewhere_returns_to_the_sign_in_window(
    loop: asyncio.AbstractEventLoop, desktop: DesktopApp, base_url: str, bob: Person
) -> None:
    from tests.support.users import PASSWORD
    from tidings.sdk import TidingsHttp

    async def scenario() -> None:
        assert desktop.main_panel is not None and desktop.main_panel.isVisible()
        async with TidingsHttp(base_url) as http:
            await http.login(bob.account, PASSWORD, platform="desktop")
        await eventually(lambda: desktop.signed_out_reason == "signed_in_elsewhere")
        await eventually(lambda: desktop.session is None)
        await eventually(lambda: desktop.sign_in_window is not None)
        assert desktop.sign_in_window.isVisible()
        assert desktop.main_panel is None
        window = desktop.sign_in_window
        box = await eventually(lambda: window.findChild(QWidget, "signed-out"))
        assert "another device" in box.text()  # type: ignore[attr-defined]
        assert desktop.settings.device_credential == "" and desktop.settings.token == ""

    qrun(loop, scenario())


def test_the_next_start_signs_in_by_itself_and_opens_from_the_cache_with_chats_as_tabs(
    qapp: QApplication,
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    base_url: str,
    alice: Person,
    bob: Person,
) -> None:
    home = desktop.settings.path.parent

    async def scenario() -> None:
        async with alice.client(base_url) as alice_client:
            conv_id = await direct_chat(alice_client, bob)
            await alice_client.send(conv_id, "text", {"text": "remember me"})
            await eventually(lambda: any(r.id == conv_id for r in desktop.conversations.rows))
            assert desktop.settings.device_credential
            view = desktop.open_chat(conv_id)
            desktop.chat_windows[conv_id].resize(500, 450)
            desktop.chat_windows[conv_id].close()
            assert "chat" in desktop.settings.geometry
            desktop.apply_settings(chat_mode="tabs", start_at_login=False)
            await desktop.quit()
            del view

        again = new_app(qapp, home)
        assert again.settings.chat_mode == "tabs"
        await again.start()
        try:
            assert again.session is not None  # no password asked
            assert again.sign_in_window is None
            # From the cache, before any sync.
            assert any(r.preview == "remember me" for r in again.conversations.rows)
            await again.session.client.wait_ready(20)
            first = again.open_chat(conv_id)
            group = await again.session.client.request(
                "conversation.create_group", {"name": "Desk", "member_ids": [alice.id]}
            )
            second = again.open_chat(int(group["id"]))
            assert again.tabs_window is not None and again.tabs_window.tabs.count() == 2
            assert again.tabs_window.tabs.currentWidget() is second
            assert [m.text for m in messages(first)] == ["remember me"]
            assert again.chat_windows == {}
        finally:
            await again.quit()

    qrun(loop, scenario())


def test_notifications_respect_mute_and_do_not_disturb_but_not_for_mentions(
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    base_url: str,
    alice: Person,
    bob: Person,
) -> None:
    async def scenario() -> None:
        assert desktop.session is not None and desktop.alerts is not None
        bob_client = desktop.session.client
        alerts = desktop.alerts
        async with alice.client(base_url) as alice_client:
            group = await alice_client.request(
                "conversation.create_group", {"name": "Ops", "member_ids": [bob.id]}
            )
            conv_id = int(group["id"])
            await eventually(lambda: conv_id in bob_client.state.conversations)

            async def says(text: str, *, mention: bool = False) -> int:
                body: dict[str, Any] = {"text": text}
                if mention:
                    body["mentions"] = [bob.id]
                entry = await alice_client.send(conv_id, "text", body)
                await eventually(
                    lambda: entry["seq"] in bob_client.state.conversations[conv_id].entries
                )
                return len(alerts.notifications)

            count = await says("first")
            assert alerts.notifications[-1].title == "Ops"
            assert alerts.notifications[-1].text == "Alice: first"

            await bob_client.request(
                "conversation.settings", {"conversation_id": conv_id, "muted": True}
            )
            await eventually(lambda: bob_client.state.conversations[conv_id].muted)
            assert await says("muted") == count
            assert await says("muted, but for you", mention=True) == count + 1

            await bob_client.request(
                "conversation.settings", {"conversation_id": conv_id, "muted": False}
            )
            await bob_client.request(
                "settings.update",
                {
                    "changes": {
                        "dnd": {
                            "schedules": [
                                {
                                    "kind": "custom",
                                    "days": [1, 2, 3, 4, 5, 6, 7],
                                    "start": "00:00",
                                    "end": "00:00",
                                }
                            ],
                            "time_zone": "UTC",
                        }
                    }
                },
            )
            await eventually(lambda: bob_client.state.social.settings.get("dnd"))
            await eventually(lambda: not bob_client.state.conversations[conv_id].muted)
            assert await says("quiet hours") == count + 1
            assert await says("quiet hours, but for you", mention=True) == count + 2

    qrun(loop, scenario())


def test_a_long_history_opens_on_its_newest_page_and_pages_through_all_of_it(
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    base_url: str,
    alice: Person,
    bob: Person,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tidings.desktop.viewmodels import chat as chat_module

    page = chat_module.PAGE
    # A window of 300 rows at most (1,000 in the app), to see it slide with fewer messages.
    monkeypatch.setattr(chat_module, "MAX_ROWS", 300)

    def top_key(view: ChatView) -> str:
        index = view.list.indexAt(view.list.viewport().rect().topLeft())
        return view.chat.items[index.row()].key

    async def scenario() -> None:
        async with alice.client(base_url) as alice_client:
            conv_id = await direct_chat(alice_client, bob)
            total = page * 2 + 30
            for n in range(total):
                await alice_client.send(conv_id, "text", {"text": f"message {n}"})
            assert desktop.session is not None
            await eventually(
                lambda: (
                    desktop.session.state.conversations[conv_id].covered_seq
                    >= alice_client.state.conversations[conv_id].last_seq
                )
            )
            view = desktop.open_chat(conv_id)
            expected = [f"message {n}" for n in range(total)]
            assert [m.text for m in messages(view)] == expected[-page:]
            bar = view.list.verticalScrollBar()
            await eventually(lambda: 0 < bar.maximum() == bar.value())  # at the newest

            # Up to the oldest: each page comes above, the row on top stays on top.
            while view.chat.has_older:
                first = view.chat.items[0].key
                bar.setValue(0)  # the user scrolls to the top
                assert top_key(view) == first
                assert bar.value() > 0
                assert len(view.chat.items) <= 300
                await asyncio.sleep(0)
            assert [m.text for m in messages(view)] == expected[:300]
            assert view.chat.has_newer

            # And down again to the newest.
            while view.chat.has_newer:
                bar.setValue(bar.maximum())
                assert len(view.chat.items) <= 300
                await asyncio.sleep(0)
            assert [m.text for m in messages(view)][-1] == expected[-1]
            assert view.model.rowCount() == len(view.chat.items)

            # Sending while reading old history goes back to the newest.
            bar.setValue(0)
            view.chat.send_text("back to now")
            assert not view.chat.has_newer
            await eventually(lambda: messages(view)[-1].text == "back to now")

    qrun(loop, scenario(), limit=120)


def test_in_a_group_my_messages_count_who_has_read_them(
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    base_url: str,
    alice: Person,
    bob: Person,
) -> None:
    async def scenario() -> None:
        async with alice.client(base_url) as alice_client:
            group = await alice_client.request(
                "conversation.create_group", {"name": "Reads", "member_ids": [bob.id]}
            )
            conv_id = int(group["id"])
            assert desktop.session is not None
            await eventually(lambda: conv_id in desktop.session.state.conversations)
            view = desktop.open_chat(conv_id)
            view.chat.send_text("who read this?")
            mine = await eventually(
                lambda: next((m for m in messages(view) if m.mine and m.seq), None)
            )
            assert mine.read_count in (None, 0)
            await eventually(lambda: mine.seq in alice_client.state.conversations[conv_id].entries)
            await alice_client.request("read", {"conversation_id": conv_id, "seq": mine.seq})
            await eventually(lambda: messages(view)[-1].read_count == 1)
            assert view.delegate._state_label(messages(view)[-1]) == "1 read"

            # Group info: its members and announcements.
            await alice_client.request(
                "group.announcement.post", {"conversation_id": conv_id, "text": "Demo at 4"}
            )
            await view.chat.load_members()
            assert set(view.chat.members) == {alice.id, bob.id}
            assert [a["text"] for a in view.chat.announcements] == ["Demo at 4"]

    qrun(loop, scenario())


def test_contacts_show_the_organization_tree_and_open_a_chat_with_a_colleague(
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    server: ServerProcess,
    base_url: str,
    alice: Person,
    bob: Person,
) -> None:
    from tests.support.server import run_blocking
    from tests.support.social import make_admin

    async def scenario() -> None:
        await asyncio.to_thread(run_blocking, make_admin(server, alice))
        async with alice.client(base_url) as alice_client:
            department = await alice_client.request(
                "org.department.create", {"name": f"Engineering {bob.id}"}
            )
            for person in (alice, bob):
                await alice_client.request(
                    "org.member.set", {"department_id": department["id"], "user_id": person.id}
                )
            group = await alice_client.request(
                "conversation.create_group", {"name": "Release crew", "member_ids": [bob.id]}
            )
            panel = desktop.main_panel
            assert panel is not None and desktop.session is not None
            conversations = desktop.session.state.conversations
            await eventually(
                lambda: (
                    int(group["id"]) in conversations
                    and conversations[int(group["id"])].type == "group"
                )
            )

            panel.tabs.setCurrentIndex(2)
            titles = [panel.groups.item(i).text() for i in range(panel.groups.count())]
            assert "Release crew" in titles

            panel.tabs.setCurrentIndex(1)
            await eventually(lambda: panel.tree.topLevelItemCount() == 2)
            company = panel.tree.topLevelItem(1)
            names = [company.child(i).text(0) for i in range(company.childCount())]
            row = next(i for i, n in enumerate(names) if n.startswith(f"Engineering {bob.id}"))
            engineering = company.child(row)
            assert engineering.text(0).endswith("(2)")
            engineering.setExpanded(True)
            await eventually(lambda: engineering.childCount() == 2)
            colleague = next(
                engineering.child(i)
                for i in range(engineering.childCount())
                if engineering.child(i).text(0) == "Alice"
            )
            panel.tree.itemDoubleClicked.emit(colleague, 0)
            await eventually(
                lambda: any(
                    desktop.session.state.conversations[c].peer
                    and desktop.session.state.conversations[c].peer["user_id"] == alice.id
                    for c in desktop.chats
                )
            )
            assert any(w.isVisible() for w in desktop.chat_windows.values())

    qrun(loop, scenario())


def test_a_file_upload_paused_goes_on_from_where_it_stopped_after_the_app_restarts(
    qapp: QApplication,
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    base_url: str,
    alice: Person,
    bob: Person,
    tmp_path: Path,
) -> None:
    payload = bytes(range(256)) * 16 * 1024  # 4 MiB
    big = tmp_path / "dataset.bin"
    big.write_bytes(payload)
    home = desktop.settings.path.parent

    async def scenario() -> None:
        assert desktop.session is not None
        desktop.session.files.chunk_bytes = 256 * 1024
        outbox = desktop.session.outbox

        def pause_after_a_chunk(message: Any, what: str, _entry: Any) -> None:
            if what == "progress" and message.sent_bytes and not message.paused:
                outbox.pause(message.client_msg_id)

        outbox.on(pause_after_a_chunk)
        async with alice.client(base_url) as alice_client:
            conv_id = await direct_chat(alice_client, bob)
            view = desktop.open_chat(conv_id)
            view.send_paths([str(big)])
            await eventually(lambda: messages(view)[-1].state == "paused")
            assert "Paused" in view.delegate._state_label(messages(view)[-1])
            (message,) = outbox.messages.values()
            assert message.upload_url is not None
            held = await desktop.session.files.offset(message.upload_url)
            assert 0 < held < len(payload)
            upload_url = message.upload_url
            await desktop.quit()

            # The app starts again (remembered sign-in): the upload is still held, then
            # continued from the server's offset, not from the start.
            again = new_app(qapp, home)
            await again.start()
            try:
                assert again.session is not None
                await again.session.client.wait_ready(20)
                view = again.open_chat(conv_id)
                item = messages(view)[-1]
                assert item.state == "paused" and item.type == "file"
                (kept,) = again.session.outbox.messages.values()
                assert kept.upload_url == upload_url
                sent: list[int] = []
                again.session.outbox.on(
                    lambda m, what, _e: sent.append(m.sent_bytes) if what == "progress" else None
                )
                view.chat.resume_upload(item)
                await eventually(lambda: messages(view)[-1].state == "sent", within=30)
                assert min(sent) >= held  # went on from the server's offset

                def received() -> dict[str, Any] | None:
                    conv = alice_client.state.conversations.get(conv_id)
                    files = [e for e in conv.messages() if e["type"] == "file"] if conv else []
                    return files[0] if files else None

                file = await eventually(received)
                assert upload_url.endswith(file["body"]["file_id"])
                copy = await download(base_url, alice, file["body"]["file_id"], tmp_path / "c")
                assert copy == payload
            finally:
                await again.quit()

    qrun(loop, scenario())


def test_the_sign_in_window_signs_in_and_says_why_not(
    qapp: QApplication,
    loop: asyncio.AbstractEventLoop,
    base_url: str,
    bob: Person,
    tmp_path: Path,
) -> None:
    from tests.support.users import PASSWORD

    app = new_app(qapp, tmp_path / "home")

    async def scenario() -> None:
        await app.start()  # nothing remembered: the sign-in window
        window = app.sign_in_window
        assert window is not None and window.isVisible()
        window.server.setText(base_url)
        window.account.setText(bob.account)
        window.password.setText("not the password")
        window.button.click()
        await eventually(lambda: window.error.text() == "wrong account or password")
        assert window.button.isEnabled() and app.session is None

        window.password.setText(PASSWORD)
        window.password.returnPressed.emit()
        await eventually(lambda: app.main_panel is not None and app.main_panel.isVisible())
        assert not window.isVisible()
        assert app.settings.account == bob.account and app.settings.server == base_url
        assert app.settings.device_credential  # "remember me" was on
        assert app.tokens.get(base_url, bob.account)  # this device is known now

    try:
        qrun(loop, scenario())
    finally:
        qrun(loop, app.quit())


def test_forward_and_mentions(
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    base_url: str,
    alice: Person,
    bob: Person,
) -> None:
    async def scenario() -> None:
        async with alice.client(base_url) as alice_client:
            direct = await direct_chat(alice_client, bob)
            await alice_client.send(direct, "text", {"text": "the plan: ship friday"})
            group = await alice_client.request(
                "conversation.create_group", {"name": "Team", "member_ids": [bob.id]}
            )
            group_id = int(group["id"])
            assert desktop.session is not None
            conversations = desktop.session.state.conversations
            await eventually(lambda: group_id in conversations and conversations[group_id].type)

            # Forwarded from the direct chat into the group.
            view = desktop.open_chat(direct)
            await view.chat.forward([messages(view)[0]], [group_id])

            def in_group() -> list[dict[str, Any]]:
                conv = alice_client.state.conversations.get(group_id)
                return conv.messages() if conv else []

            copy = await eventually(lambda: in_group() and in_group()[-1])
            assert copy["body"]["text"] == "the plan: ship friday"
            assert copy["client_msg_id"].startswith("fwd-")
            team = desktop.open_chat(group_id)
            await eventually(lambda: any(m.forwarded for m in messages(team)))

            # @ in the group offers its members; choosing one mentions them.
            await eventually(lambda: alice.id in team.chat.members)
            assert (alice.id, "Alice") in team.chat.mention_candidates("al")
            team.input.insertPlainText("@")
            team.insert_mention(alice.id, "Alice")
            team.input.insertPlainText("can you check?")
            team.send()
            mention = await eventually(
                lambda: in_group()[-1] if in_group()[-1]["body"].get("mentions") else None
            )
            assert mention["body"] == {"text": "@Alice can you check?", "mentions": [alice.id]}

    qrun(loop, scenario())


# Pausing cancels the download mid-stream. httpx's inner stream iterators are then left for
# the garbage collector, whose finaliser closes them in a task of its own, which anyio's
# lock complains about ("exit cancel scope in a different task"): noise from the HTTP
# library, raised here only because warnings are errors. What is tested is unaffected.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_download_paused_goes_on_from_its_partial_file(
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    base_url: str,
    alice: Person,
    bob: Person,
    tmp_path: Path,
) -> None:
    payload = bytes(range(256)) * 32 * 1024  # 8 MiB
    source = tmp_path / "video.bin"
    source.write_bytes(payload)

    async def scenario() -> None:
        async with alice.client(base_url) as alice_client:
            conv_id = await direct_chat(alice_client, bob)
            async with TidingsFiles(base_url, token=alice.token) as files:
                info = await files.upload(source, name="video.bin")
            await alice_client.send(
                conv_id, "file", {"file_id": info["id"], "name": "video.bin", "size": len(payload)}
            )
            view = desktop.open_chat(conv_id)
            item = await eventually(
                lambda: next((m for m in messages(view) if m.type == "file"), None)
            )
            file_id = str(item.body["file_id"])
            chat = view.chat

            # Paused as soon as the first bytes are in: waiting for them from here, a fast
            # server could have sent the whole file meanwhile.
            def pause_at_first_bytes(_splice: object) -> None:
                found = chat.downloads.get(file_id)
                if found is not None and found.done > 0:
                    chat.pause(file_id)

            chat.on_change(pause_at_first_bytes)
            state = chat.download(file_id, "video.bin")
            await eventually(lambda: state.status == "paused")
            partial = state.path.with_name(state.path.name + ".part")
            have = (await asyncio.to_thread(partial.stat)).st_size
            assert 0 < have < len(payload)

            # A new view of the chat (as after a restart) finds the partial file...
            desktop.chat_windows[conv_id].close()
            view = desktop.open_chat(conv_id)
            again = view.chat.download_state(file_id, "video.bin")
            assert again.status == "paused" and again.done == have
            # ...and goes on from it.
            progress: list[int] = []
            view.chat.on_change(lambda _splice: progress.append(again.done))
            view.chat.download(file_id, "video.bin")
            await eventually(lambda: again.status == "done")
            assert min(p for p in progress if p) >= have
            assert await asyncio.to_thread(again.path.read_bytes) == payload

    qrun(loop, scenario())


def test_a_new_device_confirms_a_code_once_and_is_known_after(
    qapp: QApplication,
    loop: asyncio.AbstractEventLoop,
    server: ServerProcess,
    base_url: str,
    bob: Person,
    tmp_path: Path,
) -> None:
    import uuid

    from PySide6.QtWidgets import QInputDialog

    from tests.support.security import call, sms_code_for
    from tests.support.users import PASSWORD

    phone = "+86139" + str(uuid.uuid4().int)[:8]
    app = new_app(qapp, tmp_path / "home")

    async def scenario() -> None:
        status, _ = await call(base_url, "POST", "/me/phone", {"phone": phone}, token=bob.token)
        assert status == 202
        code = await sms_code_for(server.data_dir, phone)
        status, _ = await call(
            base_url, "POST", "/me/phone/verify", {"code": code}, token=bob.token
        )
        assert status == 200

        # This computer is new to Bob's account: a code is sent and asked for.
        await app.start()
        window = app.sign_in_window
        assert window is not None
        window.server.setText(base_url)
        window.account.setText(bob.account)
        window.password.setText(PASSWORD)
        window.remember.setChecked(False)
        window.button.click()
        dialog = await eventually(lambda: window.findChild(QInputDialog))
        await eventually(dialog.isVisible)
        dialog.setTextValue(await sms_code_for(server.data_dir, phone, count=2))
        dialog.accept()
        await eventually(lambda: app.session is not None)
        assert app.settings.device_credential == ""  # "remember me" was off
        await app.sign_out()
        assert app.session is None and window.isVisible()

        # Known now: the next sign-in asks for nothing.
        window.password.setText(PASSWORD)
        window.button.click()
        await eventually(lambda: app.session is not None)
        await asyncio.sleep(0.3)
        texts_sent = await asyncio.to_thread((server.data_dir / "dev-sms.log").read_text)
        assert len([line for line in texts_sent.splitlines() if line.startswith(phone)]) == 2

    try:
        qrun(loop, scenario())
    finally:
        qrun(loop, app.quit())


def test_without_the_server_the_app_opens_from_its_cache_and_sends_when_it_is_back(
    qapp: QApplication,
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    server: ServerProcess,
    base_url: str,
    alice: Person,
    bob: Person,
) -> None:
    home = desktop.settings.path.parent

    async def scenario() -> None:
        alice_client = alice.client(base_url, backoff_max=1.0)
        async with alice_client:
            conv_id = await direct_chat(alice_client, bob)
            await alice_client.send(conv_id, "text", {"text": "see you offline"})
            assert desktop.conversations is not None
            await eventually(
                lambda: any(r.preview == "see you offline" for r in desktop.conversations.rows)
            )
            await desktop.quit()
            await asyncio.to_thread(server.stop)

            again = new_app(qapp, home)
            try:
                await again.start()  # no server: opened from the cache
                assert again.session is not None and again.sign_in_window is None
                again.session.client.backoff_max = 1.0
                assert again.session.status == "connecting"
                assert again.main_panel is not None and again.main_panel.isVisible()
                assert any(r.preview == "see you offline" for r in again.conversations.rows)
                view = again.open_chat(conv_id)
                assert [m.text for m in messages(view)] == ["see you offline"]
                view.chat.send_text("written offline")
                assert messages(view)[-1].state == "sending"

                await asyncio.to_thread(server.start)
                await eventually(lambda: again.session.status == "online", within=40)
                await eventually(lambda: messages(view)[-1].state == "sent", within=30)
                await alice_client.wait_ready(30)
                await eventually(lambda: "written offline" in texts(alice_client, conv_id))
            finally:
                await again.quit()

    qrun(loop, scenario(), limit=120)


def test_a_remembered_session_that_has_ended_returns_to_the_sign_in_window(
    qapp: QApplication,
    loop: asyncio.AbstractEventLoop,
    base_url: str,
    bob: Person,
    tmp_path: Path,
) -> None:
    from tidings.desktop.viewmodels.session import Session

    app = new_app(qapp, tmp_path / "home")

    async def scenario() -> None:
        ended = Session(
            base_url,
            "tds_not_a_session",
            {"id": bob.id, "nickname": "Bob"},
            cache_directory=tmp_path / "home" / "cache",
        )
        await app.open_session(ended)
        await eventually(lambda: app.signed_out_reason == "invalid_token")
        await eventually(lambda: app.session is None)
        await eventually(lambda: app.sign_in_window is not None)
        assert app.sign_in_window.isVisible()
        assert app.main_panel is None

    try:
        qrun(loop, scenario())
    finally:
        qrun(loop, app.quit())


def test_enter_sends_or_starts_a_new_line_as_the_user_chose(
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    base_url: str,
    alice: Person,
    bob: Person,
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    async def scenario() -> None:
        assert desktop.session is not None
        async with alice.client(base_url) as alice_client:
            conv_id = await direct_chat(alice_client, bob)
            view = desktop.open_chat(conv_id)
            QTest.keyClicks(view.input, "one")
            QTest.keyClick(view.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
            QTest.keyClicks(view.input, "two")
            QTest.keyClick(view.input, Qt.Key.Key_Return)
            await eventually(lambda: texts(alice_client, conv_id)[-1:] == ["one\ntwo"])

            await desktop.session.client.request(
                "settings.update", {"changes": {"send_key": "ctrl_enter"}}
            )
            await eventually(
                lambda: desktop.session.state.social.settings.get("send_key") == "ctrl_enter"
            )
            QTest.keyClicks(view.input, "three")
            QTest.keyClick(view.input, Qt.Key.Key_Return)
            QTest.keyClicks(view.input, "four")
            assert view.input.toPlainText() == "three\nfour"
            QTest.keyClick(view.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            await eventually(lambda: texts(alice_client, conv_id)[-1:] == ["three\nfour"])

    qrun(loop, scenario())
