"""Presence dots and the typing indicator in the desktop client (issue 17), against a real
server with Alice on the Python SDK."""

from __future__ import annotations

import asyncio

from tests.desktop.conftest import qrun
from tests.support.users import Person
from tests.support.waiting import eventually
from tidings.desktop.app import DesktopApp
from tidings.sdk import Event, Typing


def test_a_direct_chat_shows_its_partner_online_then_offline_and_typing_both_ways(
    loop: asyncio.AbstractEventLoop,
    desktop: DesktopApp,
    base_url: str,
    alice: Person,
    bob: Person,
) -> None:
    async def scenario() -> None:
        heard: list[Event] = []
        alice_client = alice.client(base_url)
        await alice_client.start()
        alice_client.on(heard.append)
        try:
            summary = await alice_client.request("conversation.open_direct", {"peer_id": bob.id})
            conv_id = int(summary["id"])
            await alice_client.send(conv_id, "text", {"text": "Around?"})

            # The chat list's row for Alice: her avatar carries the online dot.
            conversations = desktop.conversations
            assert conversations is not None
            await eventually(
                lambda: any(r.id == conv_id and r.online is True for r in conversations.rows),
                within=30,
            )
            view = desktop.open_chat(conv_id)
            await eventually(lambda: view.subtitle.text() == "Online", within=30)

            # Alice types: Bob's chat header says so (until a while after her last push).
            await alice_client.request("typing", {"conversation_id": conv_id})
            await eventually(lambda: view.subtitle.text() == "Alice is typing…")
            assert view.chat.typing

            # Bob types: Alice hears it once, however many keys he presses in a row.
            view.input.setFocus()
            view.input.insertPlainText("Y")
            assert view.chat.typed() is False  # throttled: sent with the first key
            view.input.insertPlainText("es")
            typing = await eventually(
                lambda: [e for e in heard if isinstance(e, Typing) and e.conversation_id == conv_id]
            )
            assert [(e.conversation_id, e.user_id) for e in typing] == [(conv_id, bob.id)]
        finally:
            await alice_client.close()

        # Alice goes away: offline in the list and the header.
        await eventually(
            lambda: any(r.id == conv_id and r.online is False for r in conversations.rows),
            within=30,
        )
        await eventually(lambda: view.subtitle.text() == "Offline", within=30)

    qrun(loop, scenario())
