"""The main panel's search (issue 17): people, groups and messages beyond the chat list, and
a message found opens its chat at that message, selected — against a real server."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt

from tests.desktop.conftest import qrun
from tests.support.users import Person
from tests.support.waiting import eventually
from tidings.desktop.app import DesktopApp

USER = Qt.ItemDataRole.UserRole


def test_the_search_box_finds_people_groups_and_messages_and_opens_a_chat_at_a_message(
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    base_url: str,
    alice: Person,
    bob: Person,
) -> None:
    async def scenario() -> None:
        async with alice.client(base_url) as alice_client:
            direct = await alice_client.request("conversation.open_direct", {"peer_id": bob.id})
            conv_id = int(direct["id"])
            group = await alice_client.request(
                "conversation.create_group", {"name": "Falcon launch", "member_ids": [bob.id]}
            )
            sent = []
            for i in range(260):
                text = "the falcon manifest is ready" if i == 20 else f"filler line {i}"
                sent.append(await alice_client.send(conv_id, "text", {"text": text}))
            target = sent[20]

            panel, session = desktop.main_panel, desktop.session
            assert panel is not None and session is not None
            await eventually(lambda: int(group["id"]) in session.state.conversations)

            # A person, by account: Alice is found though she is no friend of Bob's.
            panel.search.setText(alice.account)
            assert panel.pages.currentWidget() is panel.results
            people = await eventually(lambda: panel.result_items().get("People"))
            assert [i.data(0, USER) for i in people] == [("user", alice.id)]
            # Choosing her opens the direct chat.
            panel._result_activated(people[0])
            await eventually(lambda: conv_id in desktop.chats)
            desktop.chat_windows[conv_id].close()
            assert conv_id not in desktop.chats

            # A group, by name; a message, by a word of it (the index follows within seconds).
            panel.search.setText("falcon")

            def found() -> bool:
                sections = panel.result_items()
                return bool(sections.get("Groups")) and bool(sections.get("Messages"))

            await eventually(found, within=20)
            sections = panel.result_items()
            assert [i.data(0, USER) for i in sections["Groups"]] == [("chat", int(group["id"]))]
            messages = sections["Messages"]
            assert [i.data(0, USER) for i in messages] == [
                ("message", (conv_id, int(target["seq"])))
            ]
            assert "the falcon manifest is ready" in messages[0].text(0)
            assert panel.finder.messages[0].marked == ["falcon"]

            # Choosing the message opens the chat at it (240 messages newer than it, so not
            # on the chat's first page), with it selected and on screen.
            panel._result_activated(messages[0])
            view = await eventually(lambda: desktop.chats.get(conv_id))
            await eventually(lambda: view.selected_seqs == [int(target["seq"])])
            row = view.chat.row_of(int(target["seq"]))
            assert row is not None
            assert view.chat.items[row].text == "the falcon manifest is ready"
            await asyncio.sleep(0.1)  # the layout settles; the message stays centred
            rect = view.list.visualRect(view.model.index(row))
            assert view.list.viewport().rect().intersects(rect)
            assert view.selected_seqs == [int(target["seq"])]

            # Clearing the box brings the tabs back.
            panel.search.setText("")
            assert panel.pages.currentWidget() is panel.tabs

    qrun(loop, scenario(), limit=90)
