"""Web Push scaled out: two nodes on PostgreSQL and Redis. Whether a user has a connected
device is read from the presence in Redis (their device is on the other node), and the node
that took the message pushes it, once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.push_service import Browser, PushService
from tests.support.server import RedisProcess, ServerProcess, new_pg_database, remove_pg_database
from tests.support.users import register
from tests.support.waiting import eventually
from tidings.sdk import TidingsClient

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ServerProcess]]:
    redis = RedisProcess()
    redis.start()
    database = new_pg_database()
    env = {
        "TIDINGS_DATABASE_URL": database,
        "TIDINGS_REDIS_URL": redis.url,
        "TIDINGS_PRESENCE_TTL_SECONDS": "3",
        "TIDINGS_PUSH_ALLOWED_NETWORKS": "127.0.0.0/8",
        "TIDINGS_PUSH_COALESCE_SECONDS": "0.05",
    }
    started = [
        ServerProcess(tmp_path_factory.mktemp(f"push{i}"), env={**env, "TIDINGS_NODE_ID": f"p{i}"})
        for i in range(2)
    ]
    for node in started:
        node.start()
    yield started
    for node in started:
        node.stop()
    remove_pg_database(database)
    redis.stop()


@pytest.fixture
async def push_service() -> AsyncIterator[PushService]:
    service = PushService()
    await service.start()
    yield service
    await service.stop()


async def test_presence_across_nodes_and_one_push(
    nodes: list[ServerProcess], push_service: PushService
) -> None:
    alice = await register(nodes[0].base_url, "alice")
    bob = await register(nodes[1].base_url, "bob")
    browser = Browser()
    endpoint = push_service.endpoint(f"bob{bob.id}")
    async with TidingsClient(nodes[0].base_url, token=alice.token) as a:
        chat = int((await a.request("conversation.open_direct", {"peer_id": bob.id}))["id"])
        async with TidingsClient(nodes[1].base_url, token=bob.token) as b:
            await b.request("push.subscribe", {"endpoint": endpoint, "keys": browser.keys()})
            # Bob's app is open on the other node: no push.
            await a.send(chat, "text", {"text": "seen live"})

        async def offline() -> bool:
            reply = await a.request("presence.subscribe", {"user_ids": [bob.id]})
            return reply["presence"][str(bob.id)] is False

        await eventually(offline, within=10, every=0.05)
        entry = await a.send(chat, "text", {"text": "after closing"})
        got = await push_service.next()
        assert browser.decrypt(got.body)["seq"] == entry["seq"]
        # Once: the other node does not push it too.
        await asyncio.sleep(0.5)
        assert push_service.received.empty()
    for person in (alice, bob):
        await person.http.close()
