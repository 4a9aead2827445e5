"""Group calls on two nodes sharing one PostgreSQL database, one Redis and one Janus
(decision 0078): a member joining through node B is seen by a participant on node A, each
device's media goes through the node holding its WebSocket, the size limit holds with joiners
racing through both nodes, and the last one out ends the call once, with one record."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.calls import CallPushes, call_entries, connected
from tests.support.janus import running_janus
from tests.support.server import pg_cluster
from tests.support.social import new_group
from tests.support.users import register
from tests.test_group_calls import _concurrent_joins, _eventually_live, offer_sdp, people

ENV = {
    "TIDINGS_CALL_SWEEP_SECONDS": "0.1",
    "TIDINGS_SESSION_POLICY": "allow_all",
    "TIDINGS_CALL_GROUP_MAX_VIDEO": "3",
    "TIDINGS_CALL_GROUP_MAX_VOICE": "4",
    "TIDINGS_RATE_CALL_START": "off",
}


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with (
        running_janus(tmp_path_factory.mktemp("janus")) as janus,
        pg_cluster(tmp_path_factory, {**ENV, **janus.env}) as cluster,
    ):
        yield [node.base_url for node in cluster.nodes]


async def test_a_join_on_one_node_is_seen_on_the_other(nodes: list[str]) -> None:
    node_a, node_b = nodes
    async with people(node_a, "alice", "bob") as (alice, bob):
        carol = await register(node_b, "carol")
        try:
            a, b, c = alice.client(node_a), bob.client(node_b), carol.client(node_b)
            pa, pb = CallPushes(a), CallPushes(b)
            async with connected(a, b, c):
                group = await new_group(a, bob, carol)
                call = await a.request("call.start", {"conversation_id": group, "media": "video"})
                await pb.wait("call_group", call["id"])  # across the bus
                await b.request("call.join", {"call_id": call["id"]})
                await _eventually_live(pa, call["id"], {alice.id, bob.id})
                # Each device publishes through its own node's Janus session.
                for client in (a, b):
                    published = await client.request(
                        "call.publish",
                        {
                            "call_id": call["id"],
                            "description": {"type": "offer", "sdp": offer_sdp()},
                        },
                    )
                    assert published["description"]["type"] == "answer"
                # Carol on node B reads it; the owner on node A mutes Bob on node B.
                assert (await c.request("call.live", {}))["calls"][0]["live_count"] == 2
                await a.request("call.mute_member", {"call_id": call["id"], "user_id": bob.id})
                await b.request("call.leave", {"call_id": call["id"]})
                await _eventually_live(pa, call["id"], {alice.id})
                await a.request("call.leave", {"call_id": call["id"]})
                await pb.wait("call_group", call["id"])
                entries = [
                    e for e in await call_entries(c, group) if e["body"]["call_id"] == call["id"]
                ]
                assert [e["type"] for e in entries] == ["group_started", "ended"]
        finally:
            await carol.http.close()


async def test_the_size_limit_holds_with_joiners_on_both_nodes(nodes: list[str]) -> None:
    await _concurrent_joins(nodes[0], nodes, video_limit=3, voice_limit=4)
