"""Privacy on two nodes sharing PostgreSQL and Redis: hiding one's online status on one node
ends, at once, the subscriptions held on the other (the PresenceHidden bus message)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.support.server import RedisProcess, ServerProcess, new_pg_database, remove_pg_database
from tests.support.users import register
from tests.support.waiting import eventually
from tidings.sdk import PresenceChanged

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ServerProcess]]:
    redis = RedisProcess()
    redis.start()
    database = new_pg_database()
    env = {"TIDINGS_DATABASE_URL": database, "TIDINGS_REDIS_URL": redis.url}
    found = [
        ServerProcess(tmp_path_factory.mktemp(f"node{i}"), env={**env, "TIDINGS_NODE_ID": f"p{i}"})
        for i in range(2)
    ]
    for node in found:
        node.launch()
    for node in found:
        node.wait_ready()
    yield found
    for node in found:
        node.stop()
    remove_pg_database(database)
    redis.stop()


async def test_hiding_online_status_cuts_watchers_on_the_other_node(
    nodes: list[ServerProcess],
) -> None:
    watcher = await register(nodes[0].base_url, "watcher")
    hider = await register(nodes[1].base_url, "hider")
    seen: list[tuple[int, bool]] = []
    async with watcher.client(nodes[0].base_url) as w:
        w.on(
            lambda e: seen.append((e.user_id, e.online)) if isinstance(e, PresenceChanged) else None
        )
        async with hider.client(nodes[1].base_url) as h:
            watched = await w.request("presence.subscribe", {"user_ids": [hider.id]})
            assert watched["presence"] == {str(hider.id): True}
            await h.request("me.privacy.update", {"show_online": False})
            await eventually(lambda: seen[-1:] == [(hider.id, False)])
            cut = len(seen)
        # Coming and going through either node tells the watcher nothing any more.
        for node in nodes:
            async with hider.client(node.base_url):
                await asyncio.sleep(0.2)
        await asyncio.sleep(0.3)
        assert seen[cut:] == [], seen
        again = await w.request("presence.subscribe", {"user_ids": [hider.id]})
        assert again["presence"] == {str(hider.id): False}
    await watcher.http.close()
    await hider.http.close()
