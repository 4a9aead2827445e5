"""Chat records (merged forwards) and favourites of any message, against a real server on
SQLite and PostgreSQL: what recipients and savers may read, the denials, the limits, and
concurrent saves (decisions 0035, 0036)."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.files import uploaded
from tests.support.users import Person, register
from tests.support.waiting import eventually
from tidings.sdk import ServerError
from tidings.sdk.events import PrivateReceived

# Small enough that a test reaches it; each test saves with users of its own.
SERVER_ENV = {"TIDINGS_MAX_FAVORITES": "6"}
_ids = itertools.count(1)


@dataclass
class Scene:
    base_url: str
    http: httpx.AsyncClient
    alice: Person
    bob: Person
    carol: Person  # not in alice and bob's chat; in a group with alice
    direct: int  # alice and bob
    group: int  # alice and carol

    async def send(self, who: Person, conversation: int, type: str, body: dict[str, Any]) -> int:
        entry = await who.http.call(
            "POST",
            f"/api/v1/conversations/{conversation}/messages",
            {"client_msg_id": f"r{next(_ids)}", "type": type, "body": body},
        )
        return int(entry["seq"])

    async def forward(self, who: Person, source: int, seqs: list[int], **extra: Any) -> Any:
        return await who.http.call(
            "POST",
            f"/api/v1/conversations/{source}/forward",
            {"seqs": seqs, "client_msg_id": f"m{next(_ids)}", **extra},
        )

    async def download(self, who: Person, file_id: str) -> int:
        response = await self.http.get(
            f"/files/{file_id}", headers={"Authorization": f"Bearer {who.token}"}
        )
        return response.status_code


async def people(base_url: str) -> tuple[Person, Person, Person, int, int]:
    alice, bob, carol = [await register(base_url, name) for name in ("alice", "bob", "carol")]
    direct = (
        await alice.http.call(
            "POST", "/api/v1/conversations", {"type": "direct", "peer_id": bob.id}
        )
    )["id"]
    group = (
        await alice.http.call(
            "POST",
            "/api/v1/conversations",
            {"type": "group", "name": "Records", "member_ids": [carol.id]},
        )
    )["id"]
    return alice, bob, carol, direct, group


@pytest.fixture
async def scene(base_url: str) -> AsyncIterator[Scene]:
    alice, bob, carol, direct, group = await people(base_url)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        yield Scene(base_url, http, alice, bob, carol, direct, group)
    for person in (alice, bob, carol):
        await person.http.close()


async def code_of(call: Any) -> str:
    with pytest.raises(ServerError) as caught:
        await call
    return caught.value.code


async def test_a_merged_forward_carries_copies_the_recipient_can_open(scene: Scene) -> None:
    alice, bob, carol = scene.alice, scene.bob, scene.carol
    data = os.urandom(3000)
    file_id = await uploaded(scene.http, bob.token, data, filename="plan.pdf")
    first = await scene.send(alice, scene.direct, "text", {"text": "Lunch at noon?"})
    second = await scene.send(bob, scene.direct, "text", {"text": "Yes, the usual place"})
    third = await scene.send(
        bob, scene.direct, "file", {"file_id": file_id, "name": "x", "size": 1}
    )
    # Carol is not in the chat: she cannot read the file yet.
    assert await scene.download(carol, file_id) == 404

    reply = await scene.forward(
        alice,
        scene.direct,
        [third, first, second],
        target_ids=[scene.group],
        merged=True,
        title="Chat history of Alice and Bob",
    )
    [record] = reply["entries"]
    assert record["type"] == "chat_record" and record["sender_id"] == alice.id
    body = record["body"]
    assert body["title"] == "Chat history of Alice and Bob"
    assert [i["type"] for i in body["items"]] == ["text", "text", "file"], "in the chat's order"
    assert [i["sender_id"] for i in body["items"]] == [alice.id, bob.id, bob.id]
    assert body["items"][0]["sender_name"] == "Alice"
    assert body["items"][1]["body"] == {"text": "Yes, the usual place"}
    assert body["items"][2]["body"]["name"] == "plan.pdf", "the server's facts, not the claim"

    # Carol sees the record in the group and may open the file inside it.
    seen = await carol.http.call("GET", f"/api/v1/conversations/{scene.group}/messages")
    assert seen["messages"][-1]["body"] == body
    assert await scene.download(carol, file_id) == 200
    # The group's file list shows only files sent there, not those inside a record.
    listed = await carol.http.call("GET", f"/api/v1/conversations/{scene.group}/files")
    assert listed["files"] == []
    # A recalled record takes the right to read with it.
    await alice.http.call(
        "POST", f"/api/v1/conversations/{scene.group}/messages/{record['seq']}/recall"
    )
    assert await scene.download(carol, file_id) == 404


async def test_records_nest_to_a_limit_and_one_by_one_forwards_still_work(scene: Scene) -> None:
    alice = scene.alice
    seq = await scene.send(alice, scene.group, "text", {"text": "deep"})
    source = scene.group
    for _level in range(3):
        [record] = (
            await scene.forward(alice, source, [seq], target_ids=[scene.direct], merged=True)
        )["entries"]
        assert record["body"]["title"] == "Chat history", "the default title"
        source, seq = scene.direct, record["seq"]
    # A fourth level is refused, and nothing is sent.
    before = await alice.http.call("GET", f"/api/v1/conversations/{scene.direct}/messages")
    assert (
        await code_of(scene.forward(alice, source, [seq], target_ids=[scene.group], merged=True))
        == "invalid_input"
    )
    after = await alice.http.call("GET", f"/api/v1/conversations/{scene.direct}/messages")
    assert len(after["messages"]) == len(before["messages"])
    # Forwarding the record itself (not merged) is a plain copy.
    [copy] = (await scene.forward(alice, source, [seq], target_ids=[scene.group]))["entries"]
    assert copy["type"] == "chat_record" and copy["client_msg_id"].startswith("fwd-")


async def test_records_only_from_what_the_forwarder_may_read(scene: Scene) -> None:
    alice, bob, carol = scene.alice, scene.bob, scene.carol
    secret = await scene.send(alice, scene.direct, "text", {"text": "between us"})
    # Carol is not in the chat: not even merged into her own group.
    assert (
        await code_of(
            scene.forward(carol, scene.direct, [secret], target_ids=[scene.group], merged=True)
        )
        == "not_member"
    )
    # Into a conversation the forwarder is not in.
    assert (
        await code_of(
            scene.forward(bob, scene.direct, [secret], target_ids=[scene.group], merged=True)
        )
        == "not_member"
    )
    # Cleared history is no longer the forwarder's to read.
    await bob.http.call("POST", f"/api/v1/conversations/{scene.direct}/clear")
    assert (
        await code_of(
            scene.forward(bob, scene.direct, [secret], target_ids=[scene.direct], merged=True)
        )
        == "not_found"
    )
    # A record cannot be sent as a message: it would carry whatever the client wrote.
    forged = {
        "title": "Chat history",
        "items": [
            {
                "sender_id": carol.id,
                "sender_name": "Carol",
                "sent_at": 1,
                "type": "text",
                "body": {"text": "I never said this"},
            }
        ],
    }
    assert await code_of(scene.send(alice, scene.group, "chat_record", forged)) == "forbidden"
    # Limits: at most 100 messages, a title of at most 200 characters.
    assert (
        await code_of(
            scene.forward(
                alice, scene.direct, list(range(1, 102)), target_ids=[scene.group], merged=True
            )
        )
        == "invalid_input"
    )
    assert (
        await code_of(
            scene.forward(
                alice,
                scene.direct,
                [secret],
                target_ids=[scene.group],
                merged=True,
                title="x" * 201,
            )
        )
        == "invalid_input"
    )
    assert (
        await code_of(
            scene.forward(alice, scene.direct, [secret], target_ids=[scene.group], merged="yes")
        )
        == "invalid_input"
    )


async def test_favourites_keep_a_copy_and_the_file(scene: Scene) -> None:
    alice, bob, carol = scene.alice, scene.bob, scene.carol
    file_id = await uploaded(scene.http, alice.token, os.urandom(2000), filename="notes.txt")
    text = await scene.send(alice, scene.direct, "text", {"text": "The Quarterly plan"})
    sent = await scene.send(
        alice, scene.direct, "file", {"file_id": file_id, "name": "x", "size": 1}
    )
    saved = await bob.http.call(
        "POST", "/api/v1/favorites", {"conversation_id": scene.direct, "seq": sent}
    )
    assert saved["type"] == "file" and saved["sender_id"] == alice.id
    assert saved["sender_name"] == "Alice" and saved["body"]["name"] == "notes.txt"
    again = await bob.http.call(
        "POST", "/api/v1/favorites", {"conversation_id": scene.direct, "seq": sent}
    )
    assert again["id"] == saved["id"], "saving twice keeps one favourite"
    saved_text = await bob.http.call(
        "POST", "/api/v1/favorites", {"conversation_id": scene.direct, "seq": text}
    )

    # Alice recalls the file: bob's favourite stays and still opens it (decision 0036).
    await alice.http.call("POST", f"/api/v1/conversations/{scene.direct}/messages/{sent}/recall")
    assert await scene.download(bob, file_id) == 200
    # Bob clears the chat: the favourites stay.
    await bob.http.call("POST", f"/api/v1/conversations/{scene.direct}/clear")
    listed = await bob.http.call("GET", "/api/v1/favorites")
    assert [f["id"] for f in listed["favorites"]] == [saved_text["id"], saved["id"]]
    # Filters and search.
    files = await bob.http.call("GET", "/api/v1/favorites", category="file")
    assert [f["id"] for f in files["favorites"]] == [saved["id"]]
    found = await bob.http.call("GET", "/api/v1/favorites", query="quarterly PLAN")
    assert [f["id"] for f in found["favorites"]] == [saved_text["id"]]
    page = await bob.http.call("GET", "/api/v1/favorites", limit=1, before=saved_text["id"])
    assert [f["id"] for f in page["favorites"]] == [saved["id"]]

    # Sending a favourite on: a copy into a chat bob may post in.
    bob_and_carol = (
        await bob.http.call(
            "POST", "/api/v1/conversations", {"type": "direct", "peer_id": carol.id}
        )
    )["id"]
    [copy] = (
        await bob.http.call(
            "POST",
            f"/api/v1/favorites/{saved['id']}/send",
            {"target_ids": [bob_and_carol], "client_msg_id": f"s{next(_ids)}"},
        )
    )["entries"]
    assert copy["type"] == "file" and copy["body"]["file_id"] == file_id
    assert await scene.download(carol, file_id) == 200

    # Removing: the favourite and its right to the file go.
    await bob.http.call("DELETE", f"/api/v1/favorites/{saved['id']}")
    listed = await bob.http.call("GET", "/api/v1/favorites")
    assert [f["id"] for f in listed["favorites"]] == [saved_text["id"]]
    await carol.http.call("POST", f"/api/v1/conversations/{bob_and_carol}/clear")
    await bob.http.call(
        "POST", f"/api/v1/conversations/{bob_and_carol}/messages/{copy['seq']}/recall"
    )
    assert await scene.download(bob, file_id) == 404


async def test_favourite_denials_and_bad_input(scene: Scene) -> None:
    alice, bob, carol = scene.alice, scene.bob, scene.carol
    seq = await scene.send(alice, scene.direct, "text", {"text": "private"})
    add = {"conversation_id": scene.direct, "seq": seq}
    # Carol is not in the chat; a missing conversation answers the same.
    assert await code_of(carol.http.call("POST", "/api/v1/favorites", add)) == "not_member"
    missing = {"conversation_id": 987654321, "seq": 1}
    assert await code_of(carol.http.call("POST", "/api/v1/favorites", missing)) == "not_member"
    # Nothing at that seq; a recalled message; a seq before the history I cleared.
    beyond = {"conversation_id": scene.direct, "seq": seq + 50}
    assert await code_of(bob.http.call("POST", "/api/v1/favorites", beyond)) == "not_found"
    recalled = await scene.send(alice, scene.direct, "text", {"text": "oops"})
    await alice.http.call(
        "POST", f"/api/v1/conversations/{scene.direct}/messages/{recalled}/recall"
    )
    gone = {"conversation_id": scene.direct, "seq": recalled}
    assert await code_of(bob.http.call("POST", "/api/v1/favorites", gone)) == "not_found"
    await bob.http.call("POST", f"/api/v1/conversations/{scene.direct}/clear")
    assert await code_of(bob.http.call("POST", "/api/v1/favorites", add)) == "not_found"
    # Someone else's favourite cannot be removed or sent.
    mine = await alice.http.call("POST", "/api/v1/favorites", add)
    assert await code_of(bob.http.call("DELETE", f"/api/v1/favorites/{mine['id']}")) == "not_found"
    send = {"target_ids": [scene.direct], "client_msg_id": f"s{next(_ids)}"}
    assert (
        await code_of(bob.http.call("POST", f"/api/v1/favorites/{mine['id']}/send", send))
        == "not_found"
    )
    # Sending my favourite into a chat I am not in.
    foreign = (
        await bob.http.call(
            "POST", "/api/v1/conversations", {"type": "group", "name": "B", "member_ids": []}
        )
    )["id"]
    send = {"target_ids": [foreign], "client_msg_id": f"s{next(_ids)}"}
    assert (
        await code_of(alice.http.call("POST", f"/api/v1/favorites/{mine['id']}/send", send))
        == "not_member"
    )
    # Bad input over WebSocket: stable codes, the connection stays.
    async with alice.client(scene.base_url) as client:
        for op, data in [
            ("favorites.add_message", {"conversation_id": scene.direct}),
            ("favorites.add_message", {"conversation_id": scene.direct, "seq": "1"}),
            ("favorites.list", {"category": "poems"}),
            ("favorites.list", {"query": "q" * 101}),
            ("favorites.list", {"limit": 0}),
            ("favorites.remove_message", {"id": -1}),
            ("favorites.send", {"id": mine["id"], "target_ids": [], "client_msg_id": "x"}),
        ]:
            assert await code_of(client.request(op, data)) == "invalid_input", (op, data)
        assert (await client.request("favorites.list", {}))["favorites"][0]["id"] == mine["id"]


async def test_every_device_hears_of_a_favourite(scene: Scene) -> None:
    alice = scene.alice
    seq = await scene.send(alice, scene.direct, "text", {"text": "keep this"})
    async with alice.client(scene.base_url) as phone, alice.client(scene.base_url) as laptop:
        heard: list[dict[str, Any]] = []
        phone.on(lambda e: heard.append(e.entry) if isinstance(e, PrivateReceived) else None)
        saved = await laptop.request(
            "favorites.add_message", {"conversation_id": scene.direct, "seq": seq}
        )
        added = await eventually(lambda: [e for e in heard if e["kind"] == "favorite_added"])
        assert added[0]["data"]["favorite"] == saved
        await laptop.request("favorites.remove_message", {"id": saved["id"]})
        removed = await eventually(lambda: [e for e in heard if e["kind"] == "favorite_removed"])
        assert removed[0]["data"] == {"id": saved["id"]}
    # A device that was away catches up from the private log.
    log = await alice.http.call("POST", "/api/v1/sync", {"private_seq": 0})
    kinds = [e["kind"] for e in log["private_entries"]]
    assert kinds.index("favorite_added") < kinds.index("favorite_removed")


async def test_concurrent_saves_stop_at_the_limit_and_never_duplicate(base_url: str) -> None:
    alice, bob, carol, direct, _group = await people(base_url)
    seqs = []
    for n in range(12):
        entry = await alice.http.call(
            "POST",
            f"/api/v1/conversations/{direct}/messages",
            {"client_msg_id": f"c{next(_ids)}", "type": "text", "body": {"text": f"m{n}"}},
        )
        seqs.append(entry["seq"])
    clients = [bob.client(base_url) for _ in range(4)]
    for client in clients:
        await client.start()
    try:
        # The same message from four devices at once: one favourite.
        same = await asyncio.gather(
            *(
                c.request("favorites.add_message", {"conversation_id": direct, "seq": seqs[0]})
                for c in clients
            )
        )
        assert len({s["id"] for s in same}) == 1
        # Eleven more at once against a limit of six: exactly five more fit.
        outcomes = await asyncio.gather(
            *(
                clients[i % 4].request(
                    "favorites.add_message", {"conversation_id": direct, "seq": seq}
                )
                for i, seq in enumerate(seqs[1:])
            ),
            return_exceptions=True,
        )
        refused = [o for o in outcomes if isinstance(o, ServerError)]
        assert len(outcomes) - len(refused) == 5
        assert {r.code for r in refused} == {"favorites_full"}
        listed = await clients[0].request("favorites.list", {"limit": 200})
        assert len(listed["favorites"]) == 6
        assert len({(f["conversation_id"], f["seq"]) for f in listed["favorites"]}) == 6
    finally:
        for client in clients:
            await client.close()
        for person in (alice, bob, carol):
            await person.http.close()
