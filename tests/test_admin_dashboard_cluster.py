"""The dashboard over two nodes (PostgreSQL and Redis; decision 0061): "online now" counts the
users connected to any node, once each; messages and active users sent to either node add up,
a user active on both counted once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.server import RedisProcess, ServerProcess, new_pg_database, remove_pg_database
from tests.support.social import make_admin, new_group
from tests.support.users import Person, register

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ServerProcess]]:
    redis = RedisProcess()
    redis.start()
    database = new_pg_database()
    env = {
        "TIDINGS_DATABASE_URL": database,
        "TIDINGS_REDIS_URL": redis.url,
        "TIDINGS_STATS_FLUSH_SECONDS": "0.2",
    }
    found = [
        ServerProcess(tmp_path_factory.mktemp(f"dash{i}"), env={**env, "TIDINGS_NODE_ID": f"d{i}"})
        for i in range(2)
    ]
    for node in found:
        node.start()
    yield found
    for node in found:
        node.stop()
    remove_pg_database(database)
    redis.stop()


async def report(admin: Person) -> dict[str, Any]:
    found: dict[str, Any] = await admin.http.call("GET", "/api/v1/admin/dashboard", None, days=1)
    return found


async def until(admin: Person, check: Any) -> dict[str, Any]:
    """The first report ``check`` accepts (counters reach the database within a flush)."""
    deadline = time.monotonic() + 10
    while True:
        found = await report(admin)
        if check(found) or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.1)


async def test_numbers_add_up_across_nodes(nodes: list[ServerProcess]) -> None:
    one, two = nodes[0].base_url, nodes[1].base_url
    admin = await register(one, "admin")
    ann = await register(one, "ann")
    ben = await register(two, "ben")
    cat = await register(one, "cat")
    try:
        await make_admin(nodes[0], admin)
        # admin, ann, ben and cat signed in today, on one node or the other.
        before = await until(admin, lambda r: r["active_users"][0] >= 4)
        assert before["active_users"][0] == 4
        async with (
            ann.client(one) as a,
            ben.client(two) as b,
            cat.client(one) as c1,
            cat.client(two) as c2,
        ):
            group = await new_group(a, ben, cat)
            await a.send(group, "text", {"text": "from node one"})
            await a.send(group, "text", {"text": "again"})
            for n in range(3):
                await b.send(group, "text", {"text": f"from node two {n}"})
            await c2.send(group, "text", {"text": "cat on two"})
            assert c1  # cat holds a connection on each node
            # ann, ben, cat (cat on both nodes): three more online, seen from either node once
            # each node has told the other.
            after = await until(
                admin,
                lambda r: (
                    r["messages"][0] >= before["messages"][0] + 6
                    and r["online_now"] >= before["online_now"] + 3
                ),
            )
            assert after["online_now"] == before["online_now"] + 3
        assert after["messages"][0] == before["messages"][0] + 6
        # Each counted once, wherever and however often they were active.
        assert after["active_users"][0] == before["active_users"][0]
    finally:
        for person in (admin, ann, ben, cat):
            await person.http.close()
