"""The SDK as a long-lived client uses it (issue 17): a local cache that opens without the
server and syncs on from its cursors, and an outbox that sends what was written offline,
after a restart of the app or of the server, each message exactly once and in order.

Against a real server on SQLite: the cache is the client's, whatever the server stores in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import ServerProcess
from tests.support.users import Person
from tests.support.waiting import eventually
from tidings.sdk import HistoryFilled, LocalCache, Outbox, TidingsClient, TidingsFiles


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("server"))
    process.start()
    yield process
    process.stop()


def texts(client: TidingsClient, conversation_id: int) -> list[str]:
    conv = client.state.conversations[conversation_id]
    return [e["body"].get("text", "") for e in conv.messages()]


async def open_direct(client: TidingsClient, peer: Person) -> int:
    summary = await client.request("conversation.open_direct", {"peer_id": peer.id})
    return int(summary["id"])


async def test_the_cache_opens_offline_and_sync_goes_on_from_its_cursors(
    base_url: str, alice: Person, bob: Person, tmp_path: Path
) -> None:
    async with bob.client(base_url) as bob_client:
        conv_id = await open_direct(bob_client, alice)
        for n in range(5):
            await bob_client.send(conv_id, "text", {"text": f"before {n}"})

        cache = LocalCache.for_account(base_url, alice.id, tmp_path)
        async with TidingsClient(base_url, token=alice.token, state=cache.load()) as client:
            cache.attach(client)
            await eventually(lambda: len(texts(client, conv_id)) == 5)
        cache.close()

        # Offline: everything is there, read from the file alone.
        cache = LocalCache.for_account(base_url, alice.id, tmp_path)
        state = cache.load(preview=2)
        assert state.user_id == alice.id
        assert state.private_seq > 0
        conv = state.conversations[conv_id]
        # The newest two, and all that Alice has not read yet (to count them): all five.
        assert [e["body"]["text"] for e in conv.messages()] == [f"before {n}" for n in range(5)]
        cache.load_history(conv)
        assert [e["body"]["text"] for e in conv.messages()] == [f"before {n}" for n in range(5)]

        # While Alice is away Bob writes on and recalls a message she has cached.
        first = int(conv.messages()[0]["seq"])
        for n in range(3):
            await bob_client.send(conv_id, "text", {"text": f"after {n}"})
        await bob_client.request("recall", {"conversation_id": conv_id, "seq": first})

        # Back online from the cached state: only what followed is pulled.
        filled: list[HistoryFilled] = []
        client = TidingsClient(base_url, token=alice.token, state=state)
        client.on(lambda e: filled.append(e) if isinstance(e, HistoryFilled) else None)
        cache.attach(client)
        async with client:
            assert sum(f.count for f in filled) == 4  # three messages and the recall
            assert texts(client, conv_id) == [
                "",
                *[f"before {n}" for n in range(1, 5)],
                *[f"after {n}" for n in range(3)],
            ]
        cache.close()

    # The recall reached the cached target, though it was not in memory when it came.
    cache = LocalCache.for_account(base_url, alice.id, tmp_path)
    state = cache.load(preview=1)
    conv = state.conversations[conv_id]
    cache.load_history(conv)
    assert conv.entries[first]["recalled"] is True
    assert conv.entries[first]["body"] == {}
    assert len(conv.messages()) == 8
    cache.close()


async def test_messages_written_offline_go_out_once_in_order_after_the_app_restarts(
    base_url: str, alice: Person, bob: Person, tmp_path: Path
) -> None:
    async with bob.client(base_url) as bob_client:
        conv_id = await open_direct(bob_client, alice)

        # Written offline: the client never connected (a wrong address), then the app quits.
        cache = LocalCache.for_account(base_url, alice.id, tmp_path)
        offline = TidingsClient("http://127.0.0.1:9", token=alice.token, state=cache.load())
        outbox = Outbox(offline, cache)
        await offline.start(wait=False)
        outbox.start()
        for n in range(3):
            outbox.queue(conv_id, "text", {"text": f"offline {n}"})
        await outbox.close()
        await offline.close()
        cache.close()

        # The app starts again, online: the outbox remembers them and sends them.
        cache = LocalCache.for_account(base_url, alice.id, tmp_path)
        client = TidingsClient(base_url, token=alice.token, state=cache.load())
        outbox = Outbox(client, cache)
        assert [m.body["text"] for m in outbox.messages.values()] == [
            f"offline {n}" for n in range(3)
        ]
        sent: list[int] = []
        outbox.on(lambda _m, what, entry: sent.append(entry["seq"]) if entry else None)
        async with client:
            outbox.start()
            await eventually(lambda: len(sent) == 3)
            assert texts(bob_client, conv_id) == [f"offline {n}" for n in range(3)]
            assert outbox.messages == {}

            # The app died after the server stored a message and before the outbox forgot
            # it: sending it again gives the entry already stored, not a second one.
            entry = await client.send(conv_id, "text", {"text": "once"}, client_msg_id="m-once")
            cache.outbox_put(
                "m-once",
                {
                    "client_msg_id": "m-once",
                    "conversation_id": conv_id,
                    "type": "text",
                    "body": {"text": "once"},
                },
            )
            await outbox.close()
            again = Outbox(client, cache)
            again.on(lambda _m, what, got: sent.append(got["seq"]) if got else None)
            again.start()
            await eventually(lambda: len(sent) == 4)
            assert sent[-1] == entry["seq"]
            await eventually(lambda: texts(bob_client, conv_id)[-1] == "once")
            assert texts(bob_client, conv_id).count("once") == 1
            await again.close()
        assert cache.outbox_rows() == []
        cache.close()


@pytest.fixture
def payload(tmp_path: Path) -> Path:
    path = tmp_path / "report.bin"
    path.write_bytes(bytes(range(256)) * 4000)
    return path


async def test_a_file_queued_while_the_server_is_down_is_uploaded_and_sent_when_it_is_back(
    server: ServerProcess, base_url: str, alice: Person, bob: Person, tmp_path: Path, payload: Path
) -> None:
    async with bob.client(base_url) as bob_client:
        conv_id = await open_direct(bob_client, alice)
        cache = LocalCache.for_account(base_url, alice.id, tmp_path)
        client = TidingsClient(base_url, token=alice.token, state=cache.load(), backoff_max=0.5)
        files = TidingsFiles(base_url, token=alice.token, backoff=0.1, retries=50)
        outbox = Outbox(client, cache, files)
        async with client:
            outbox.start()
            server.stop()
            outbox.queue(conv_id, "text", {"text": "the report:"})
            outbox.queue(
                conv_id,
                "file",
                {"name": "report.bin", "size": 256 * 4000},
                path=payload,
            )
            server.start()
            await eventually(lambda: outbox.messages == {}, within=30)
            await outbox.close()
        await files.close()
        cache.close()

        await eventually(lambda: len(bob_client.state.conversations[conv_id].messages()) == 2)
        text, file = bob_client.state.conversations[conv_id].messages()
        assert text["body"]["text"] == "the report:"
        assert file["type"] == "file"
        async with TidingsFiles(base_url, token=bob.token) as bob_files:
            copy = await bob_files.download(file["body"]["file_id"], tmp_path / "copy.bin")
        assert await asyncio.to_thread(copy.read_bytes) == bytes(range(256)) * 4000
