"""Message search on two nodes sharing PostgreSQL and Redis (decision 0072): one node indexes
(it holds the indexer's advisory lock), messages sent through either node are found through
either, concurrent senders on both nodes lose nothing (ids commit out of order across
nodes), and when the indexing node dies the other takes over."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from tests.support.raw import RawConnection, raw_connection
from tests.support.server import ServerProcess, pg_cluster
from tests.support.users import register
from tests.support.waiting import eventually

pytestmark = pytest.mark.postgres


@pytest.fixture
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ServerProcess]]:
    with pg_cluster(tmp_path_factory, {"TIDINGS_SEARCH_POLL_SECONDS": "0.1"}) as cluster:
        yield cluster.nodes


async def found(conn: RawConnection, q: str) -> set[int]:
    seqs: set[int] = set()
    cursor = None
    while True:
        page = await conn.ok(
            "messages.search", {"q": q, "limit": 50, **({"cursor": cursor} if cursor else {})}
        )
        seqs.update(r["seq"] for r in page["results"])
        cursor = page["next"]
        if cursor is None:
            return seqs


async def burst(conn: RawConnection, conversation_id: int, word: str, count: int) -> set[int]:
    async def one(i: int) -> int:
        entry = await conn.ok(
            "send",
            {
                "conversation_id": conversation_id,
                "client_msg_id": uuid.uuid4().hex,
                "type": "text",
                "body": {"text": f"{word} 并发消息 {i}"},
            },
        )
        return int(entry["seq"])

    # Requests on one connection run one at a time; each node still commits its own batches.
    return {await one(i) for i in range(count)}


async def test_concurrent_senders_on_both_nodes_are_all_found_on_both(
    nodes: list[ServerProcess],
) -> None:
    alice = await register(nodes[0].base_url, "alice")
    bob = await register(nodes[1].base_url, "bob")
    await alice.http.close()
    await bob.http.close()
    async with (
        raw_connection(nodes[0].base_url, alice.token) as a,
        raw_connection(nodes[1].base_url, bob.token) as b,
    ):
        conv = (await a.ok("conversation.create_group", {"name": "Both", "member_ids": [bob.id]}))[
            "id"
        ]
        sent_a, sent_b = await asyncio.gather(
            burst(a, conv, "twonodes", 60), burst(b, conv, "twonodes", 60)
        )
        every = sent_a | sent_b
        assert len(every) == 120

        async def complete(conn: RawConnection) -> bool:
            return await found(conn, "twonodes") == every

        await eventually(lambda: complete(a), within=30, every=0.2)
        await eventually(lambda: complete(b), within=30, every=0.2)


async def test_when_the_indexing_node_dies_the_other_takes_over(
    nodes: list[ServerProcess],
) -> None:
    alice = await register(nodes[0].base_url, "alice")
    await alice.http.close()
    async with raw_connection(nodes[0].base_url, alice.token) as a:
        conv = (await a.ok("conversation.create_group", {"name": "Solo", "member_ids": []}))["id"]
        first = await burst(a, conv, "takeover", 5)
        await eventually(lambda: _has(a, "takeover", first), within=30, every=0.2)
    # Whichever node indexes, kill it; the survivor is the only one left to index.
    for node in nodes:
        node.kill()
        survivor = nodes[1] if node is nodes[0] else nodes[0]
        word = f"takeover{node.port}"
        async with raw_connection(survivor.base_url, alice.token) as s:
            more = await burst(s, conv, word, 5)
            await eventually(lambda s=s, w=word, m=more: _has(s, w, m), within=30, every=0.2)
        node.start()


async def _has(conn: RawConnection, q: str, seqs: set[int]) -> bool:
    return await found(conn, q) == seqs
