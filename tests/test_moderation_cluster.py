"""The word list on two nodes sharing PostgreSQL and Redis (K7, decision 0056): a change made
through one node holds on the other at once (the WordsChanged bus message), and the same
report filed through both nodes at once is one report."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.support.server import RedisProcess, ServerProcess, new_pg_database, remove_pg_database
from tests.support.social import make_admin, new_group, online, refused
from tests.support.users import register
from tests.support.waiting import eventually
from tidings.sdk import ServerError

pytestmark = pytest.mark.postgres

WORDS = "/api/v1/admin/moderation/words"


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ServerProcess]]:
    redis = RedisProcess()
    redis.start()
    database = new_pg_database()
    env = {"TIDINGS_DATABASE_URL": database, "TIDINGS_REDIS_URL": redis.url}
    found = [
        ServerProcess(tmp_path_factory.mktemp(f"node{i}"), env={**env, "TIDINGS_NODE_ID": f"m{i}"})
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


async def test_a_word_added_on_one_node_blocks_on_the_other(nodes: list[ServerProcess]) -> None:
    admin = await register(nodes[0].base_url, "moderator")
    await make_admin(nodes[0], admin, "super_admin")
    alice = await register(nodes[1].base_url, "alice")
    bob = await register(nodes[1].base_url, "bob")
    async with online(nodes[1].base_url, alice, bob) as (a, b):
        group = await new_group(a, bob)
        before = await a.send(group, "text", {"text": "clusterword here"})
        assert before["body"]["text"] == "clusterword here"
        await admin.http.call(
            "POST", WORDS, {"words": [{"word": "clusterword", "action": "block"}]}
        )

        async def blocked() -> bool:
            try:
                code = await refused(
                    a,
                    "send",
                    {
                        "conversation_id": group,
                        "client_msg_id": f"try{asyncio.get_running_loop().time()}",
                        "type": "text",
                        "body": {"text": "clusterword again"},
                    },
                )
            except AssertionError:
                return False
            return code == "content_blocked"

        # The bus carries the change within moments (a poll every 30 s is the safety net).
        await eventually(blocked, within=5)
        await admin.http.call(
            "POST", WORDS, {"words": [{"word": "clusterword", "action": "replace"}]}
        )

        async def masked() -> bool:
            try:
                sent = await b.send(group, "text", {"text": "clusterword!"})
            except ServerError as error:
                assert error.code == "content_blocked"  # still the former action
                return False
            return bool(sent["body"]["text"] == "***!")

        await eventually(masked, within=5)
        await admin.http.call("POST", f"{WORDS}/remove", {"words": ["clusterword"]})

        async def allowed() -> bool:
            sent = await b.send(group, "text", {"text": "clusterword."})
            return bool(sent["body"]["text"] == "clusterword.")

        await eventually(allowed, within=5)
        message = await b.send(group, "text", {"text": "report me"})
        report = {
            "target_type": "message",
            "conversation_id": group,
            "seq": message["seq"],
            "reason": "spam",
        }
        # One reporter, both nodes at once: one report.
        async with online(nodes[0].base_url, alice) as (a0,):
            replies = await asyncio.gather(
                *(c.request("reports.create", report) for c in (a, a0) for _ in range(4))
            )
        assert len({r["id"] for r in replies}) == 1
        assert sum(r["created"] for r in replies) == 1
    for person in (admin, alice, bob):
        await person.http.close()
