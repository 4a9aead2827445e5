"""Customer service across two nodes on one PostgreSQL database and one Redis (decision 0066):
a visitor writing through both nodes at once is held to one count of the visitors' send rule,
and other visitors writing meanwhile are not touched by it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.support.raw import raw_connection
from tests.support.server import pg_cluster
from tests.test_service import new_visitor, send_burst

VISITOR_SENDS = 5
# Slow enough that no hit frees up while the test runs.
ENV = {"TIDINGS_RATE_SERVICE_VISITOR_SEND": f"{VISITOR_SENDS}/1h"}


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with pg_cluster(tmp_path_factory, ENV) as cluster:
        yield [node.base_url for node in cluster.nodes]


async def test_a_visitor_flooding_through_two_nodes_gets_one_count(nodes: list[str]) -> None:
    flooder = await new_visitor(nodes[0])
    others = [await new_visitor(nodes[i % 2]) for i in range(4)]
    async with (
        raw_connection(nodes[0], flooder.token) as first,
        raw_connection(nodes[1], flooder.token) as second,
        raw_connection(nodes[0], others[0].token) as a,
        raw_connection(nodes[1], others[1].token) as b,
        raw_connection(nodes[0], others[2].token) as c,
        raw_connection(nodes[1], others[3].token) as d,
    ):
        outcomes = await asyncio.gather(
            send_burst(first, flooder.conversation_id, [f"first {i}" for i in range(10)]),
            send_burst(second, flooder.conversation_id, [f"second {i}" for i in range(10)]),
            *(
                send_burst(
                    ws, v.conversation_id, [f"{v.user_id} {i}" for i in range(VISITOR_SENDS)]
                )
                for ws, v in zip((a, b, c, d), others, strict=True)
            ),
        )
        flood = [reply for outcome in outcomes[:2] for _, reply in outcome]
        kept = [reply for reply in flood if reply["ok"]]
        refused = [reply["error"] for reply in flood if not reply["ok"]]
        assert len(kept) == VISITOR_SENDS, flood
        assert {e["code"] for e in refused} == {"rate_limited"}
        assert all(e["details"]["retry_after"] >= 1 for e in refused)
        for outcome in outcomes[2:]:
            assert all(reply["ok"] for _, reply in outcome), outcome
        history = await second.ok(
            "history", {"conversation_id": flooder.conversation_id, "after_seq": 0}
        )
        assert len([m for m in history["messages"] if m["kind"] == "message"]) == VISITOR_SENDS
