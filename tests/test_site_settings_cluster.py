"""Site settings on two nodes sharing PostgreSQL and Redis (decision 0057): a change made
on one node holds on the other at once — a recall there is refused, its clients hear the
push — with no restart and no database read per send."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis.asyncio import Redis

from tests.support.server import RedisProcess, ServerProcess, new_pg_database, remove_pg_database
from tests.support.social import make_admin, refused
from tests.support.users import register
from tests.support.waiting import eventually
from tidings.sdk import SiteSettingsChanged

pytestmark = pytest.mark.postgres

PATH = "/api/v1/admin/settings"


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ServerProcess]]:
    redis = RedisProcess()
    redis.start()
    database = new_pg_database()
    env = {"TIDINGS_DATABASE_URL": database, "TIDINGS_REDIS_URL": redis.url}
    found = [
        ServerProcess(tmp_path_factory.mktemp(f"node{i}"), env={**env, "TIDINGS_NODE_ID": f"s{i}"})
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


async def test_recall_turned_off_on_node_a_is_refused_on_node_b(
    nodes: list[ServerProcess],
) -> None:
    a_url, b_url = nodes[0].base_url, nodes[1].base_url
    admin = await register(a_url, "admin")
    await make_admin(nodes[0], admin)
    alice = await register(b_url, "alice")
    bob = await register(b_url, "bob")
    heard: list[SiteSettingsChanged] = []
    async with alice.client(b_url) as a:
        a.on(lambda e: heard.append(e) if isinstance(e, SiteSettingsChanged) else None)
        conv = int((await a.request("conversation.open_direct", {"peer_id": bob.id}))["id"])
        sent = await a.send(conv, "text", {"text": "oops"})
        changed = await admin.http.call("PATCH", PATH, {"changes": {"modules": {"recall": False}}})
        # Node B applied the change before pushing it to its clients.
        await eventually(lambda: [e for e in heard if e.version == changed["version"]])
        assert heard[-1].settings["modules"]["recall"] is False
        recall = {"conversation_id": conv, "seq": sent["seq"]}
        assert await refused(a, "recall", recall) == "feature_disabled"
        # Node B's public answer agrees, and turning it back on holds there too.
        public = await alice.http.call("GET", "/api/v1/public/settings")
        assert public["version"] == changed["version"]
        again = await admin.http.call("PATCH", PATH, {"changes": {"modules": {"recall": None}}})
        await eventually(lambda: [e for e in heard if e.version == again["version"]])
        await a.request("recall", recall)
    for person in (admin, alice, bob):
        await person.http.close()


async def test_a_change_missed_while_the_bus_was_down_is_read_again(
    nodes: list[ServerProcess],
) -> None:
    """Node B's subscription is cut while node A changes the settings (B never hears
    SiteSettingsChanged): once B hears Redis again, the gap makes it read them afresh."""
    a_url, b_url = nodes[0].base_url, nodes[1].base_url
    admin = await register(a_url, "admin")
    await make_admin(nodes[0], admin)
    alice = await register(b_url, "alice")
    redis = Redis.from_url(str(nodes[0].env["TIDINGS_REDIS_URL"]))
    # Subscriptions are cut and cannot come back until the password goes (connections
    # already open, like node A's publisher, go on working).
    await redis.config_set("requirepass", "for-a-moment")
    try:
        await redis.client_kill_filter(_type="pubsub")
        changed = await admin.http.call(
            "PATCH", PATH, {"changes": {"modules": {"friend_requests": False}}}
        )
    finally:
        await redis.config_set("requirepass", "")
        await redis.aclose()

    async def b_has_it() -> bool:
        public = await alice.http.call("GET", "/api/v1/public/settings")
        return bool(public["version"] == changed["version"])

    await eventually(b_has_it, within=30)
    async with alice.client(b_url) as a:
        asked = {"user_id": admin.id, "message": "hi"}
        assert await refused(a, "friends.request", asked) == "feature_disabled"
    await admin.http.call("PATCH", PATH, {"changes": {"modules": {"friend_requests": None}}})
    for person in (admin, alice):
        await person.http.close()
