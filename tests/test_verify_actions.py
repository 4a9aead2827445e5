"""verify_action (STYLE.md, Zulip): for every event type, a client that was online and
folded the pushed events holds exactly what a fresh client gets from sync.

Each test keeps a live client for every member, performs one action, waits for the pushes,
then compares each live client's snapshot with a freshly synced client's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from tests.support.users import Person
from tests.support.waiting import eventually
from tidings.sdk import TidingsClient


@asynccontextmanager
async def online(base_url: str, *people: Person) -> AsyncIterator[list[TidingsClient]]:
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(p.client(base_url)) for p in people]


async def fresh_snapshot(base_url: str, person: Person) -> dict[str, Any]:
    async with person.client(base_url) as fresh:
        return fresh.state.snapshot()


async def verify(
    base_url: str,
    people: list[Person],
    clients: list[TidingsClient],
    action: Callable[[], Awaitable[Any]],
) -> None:
    """Run the action; then every live client must converge on a fresh client's state."""
    before = [c.state.snapshot() for c in clients]
    await action()
    changed = False
    for person, client, earlier in zip(people, clients, before, strict=True):

        async def converged(p: Person = person, c: TidingsClient = client) -> bool:
            return c.state.snapshot() == await fresh_snapshot(base_url, p)

        await eventually(converged, within=15, every=0.1)
        changed = changed or client.state.snapshot() != earlier
    assert changed, "the action changed nothing any member can see: the test proves nothing"


async def direct_chat(client: TidingsClient, peer: Person) -> int:
    return int((await client.request("conversation.open_direct", {"peer_id": peer.id}))["id"])


async def test_message_entry(base_url: str, alice: Person, bob: Person) -> None:
    async with online(base_url, alice, bob) as (a, b):
        conv = await direct_chat(a, bob)
        await verify(
            base_url, [alice, bob], [a, b], lambda: a.send(conv, "text", {"text": "hello"})
        )


async def test_recall_entry(base_url: str, alice: Person, bob: Person) -> None:
    async with online(base_url, alice, bob) as (a, b):
        conv = await direct_chat(a, bob)
        sent = await a.send(conv, "text", {"text": "oops"})
        await verify(
            base_url,
            [alice, bob],
            [a, b],
            lambda: a.request("recall", {"conversation_id": conv, "seq": sent["seq"]}),
        )


async def test_group_created_entry_and_conversation_joined(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with online(base_url, alice, bob, carol) as clients:
        await verify(
            base_url,
            [alice, bob, carol],
            clients,
            lambda: clients[0].request(
                "conversation.create_group", {"name": "G", "member_ids": [bob.id, carol.id]}
            ),
        )


async def test_member_joined_entry(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with online(base_url, alice, bob, carol) as clients:
        a = clients[0]
        group = await a.request("conversation.create_group", {"name": "G", "member_ids": [bob.id]})
        await a.send(int(group["id"]), "text", {"text": "before carol joined"})
        await verify(
            base_url,
            [alice, bob, carol],
            clients,
            lambda: a.request(
                "group.invite", {"conversation_id": group["id"], "user_ids": [carol.id]}
            ),
        )
        carol_view = clients[2].state.conversations[int(group["id"])]
        assert [e["kind"] for e in carol_view.visible()] == ["member_joined"], (
            "history before joining stays private"
        )


async def test_member_left_entry_and_conversation_left(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with online(base_url, alice, bob, carol) as clients:
        group = await clients[0].request(
            "conversation.create_group", {"name": "G", "member_ids": [bob.id, carol.id]}
        )
        await verify(
            base_url,
            [alice, bob, carol],
            clients,
            lambda: clients[1].request("group.leave", {"conversation_id": group["id"]}),
        )
        assert int(group["id"]) not in clients[1].state.conversations


async def test_conversation_settings(base_url: str, alice: Person, bob: Person) -> None:
    async with online(base_url, alice, alice) as (a1, a2):
        conv = await direct_chat(a1, bob)
        await verify(
            base_url,
            [alice, alice],
            [a1, a2],
            lambda: a1.request(
                "conversation.settings",
                {"conversation_id": conv, "pinned": True, "muted": True, "draft": "later"},
            ),
        )


async def test_messages_deleted(base_url: str, alice: Person, bob: Person) -> None:
    async with online(base_url, alice, alice, bob) as (a1, a2, b):
        conv = await direct_chat(a1, bob)
        sent = await a1.send(conv, "text", {"text": "delete me"})
        await a1.send(conv, "text", {"text": "keep me"})
        await verify(
            base_url,
            [alice, alice, bob],
            [a1, a2, b],
            lambda: a1.request("delete", {"conversation_id": conv, "seqs": [sent["seq"]]}),
        )


async def test_history_cleared(base_url: str, alice: Person, bob: Person) -> None:
    async with online(base_url, alice, alice, bob) as (a1, a2, b):
        conv = await direct_chat(a1, bob)
        await a1.send(conv, "text", {"text": "old"})
        await verify(
            base_url,
            [alice, alice, bob],
            [a1, a2, b],
            lambda: a1.request("clear", {"conversation_id": conv}),
        )


async def test_read_position_and_read_receipt(base_url: str, alice: Person, bob: Person) -> None:
    async with online(base_url, alice, bob, bob) as (a, b1, b2):
        conv = await direct_chat(a, bob)
        sent = await a.send(conv, "text", {"text": "read me"})
        await verify(
            base_url,
            [alice, bob, bob],
            [a, b1, b2],
            lambda: b1.request("read", {"conversation_id": conv, "seq": sent["seq"]}),
        )


async def test_delivered_receipt(base_url: str, alice: Person, bob: Person) -> None:
    async with online(base_url, alice, bob) as (a, b):
        conv = await direct_chat(a, bob)
        sent = await a.send(conv, "text", {"text": "deliver me"})
        await verify(
            base_url,
            [alice, bob],
            [a, b],
            lambda: b.request("ack", {"conversation_id": conv, "seq": sent["seq"]}),
        )


async def test_profile_updated(base_url: str, alice: Person) -> None:
    async with online(base_url, alice, alice) as (a1, a2):
        await verify(
            base_url,
            [alice, alice],
            [a1, a2],
            lambda: a1.request("profile.update", {"signature": "On holiday"}),
        )
        assert a2.state.profile["signature"] == "On holiday"


async def test_system_notice_entry(base_url: str, alice: Person) -> None:
    # The welcome notice arrives at registration; a new device sees the same log.
    async with online(base_url, alice) as (a,):
        system = [c for c in a.state.conversations.values() if c.type == "system"]
        assert len(system) == 1 and system[0].messages()[0]["type"] == "notice"
        assert a.state.snapshot() == await fresh_snapshot(base_url, alice)


async def test_call_entries(base_url: str, alice: Person, bob: Person) -> None:
    """A call's record (decision 0074): a declined call, then an answered one hung up."""
    async with online(base_url, alice, bob) as (a, b):
        conv = await direct_chat(a, bob)

        async def declined() -> None:
            call = await a.request("call.start", {"conversation_id": conv})
            await b.request("call.decline", {"call_id": call["id"]})

        await verify(base_url, [alice, bob], [a, b], declined)

        async def answered() -> None:
            call = await a.request("call.start", {"conversation_id": conv, "media": "video"})
            await b.request("call.accept", {"call_id": call["id"]})
            await b.request("call.hangup", {"call_id": call["id"]})

        await verify(base_url, [alice, bob], [a, b], answered)
