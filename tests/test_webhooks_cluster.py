"""Webhooks on two nodes sharing PostgreSQL and Redis (issue 14, J2; decision 0068): both
dispatch the outbox and post deliveries at once, racing for the same rows. Every event
becomes one delivery per subscription, posted by one node only: the receiver sees every
webhook-id exactly once (none missing, none twice, no retry needed), and both nodes did
their share of the posting."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.apps import app_token, bearer, create_app
from tests.support.server import Cluster, ServerProcess, pg_cluster
from tests.support.users import Person, register
from tests.support.webhooks import Receiver, delivered, verify

pytestmark = pytest.mark.postgres

ENV = {
    "TIDINGS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
    # Both nodes look for work often: they race for the same events and deliveries.
    "TIDINGS_WEBHOOK_POLL_SECONDS": "0.05",
    # Few posts at a time per node: each node claims many small batches.
    "TIDINGS_WEBHOOK_CONCURRENCY": "4",
}
HOOKS = "/api/v1/app/webhooks"
# Messages sent through each node; two subscriptions get each.
PER_NODE = 120


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with pg_cluster(tmp_path_factory, ENV) as cluster:
        yield cluster


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    found = Receiver(tmp_path)
    found.start()
    yield found
    found.stop()


@pytest.fixture
async def people(cluster: Cluster) -> AsyncIterator[list[Person]]:
    """Alice on node 0, Bob on node 1."""
    found = [
        await register(cluster.nodes[0].base_url, "alice"),
        await register(cluster.nodes[1].base_url, "bob"),
    ]
    yield found
    for person in found:
        await person.http.close()


async def attempts_posted(node: ServerProcess) -> float:
    """The node's count of successful webhook posts (its /metrics)."""
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        text = (await http.get("/metrics")).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith("tidings_webhook_attempts_total") and 'outcome="succeeded"' in line:
            total += float(line.split()[-1])
    return total


async def test_each_delivery_is_posted_once_by_one_of_two_racing_nodes(
    cluster: Cluster, people: list[Person], receiver: Receiver
) -> None:
    alice, bob = people
    node_a, node_b = cluster.nodes
    credentials = await create_app(node_a, f"CRM {secrets.token_hex(3)}", "webhooks events:all")
    grant = await app_token(node_b.base_url, credentials)
    secrets_of: dict[int, str] = {}
    async with httpx.AsyncClient(
        base_url=node_b.base_url, headers=bearer(grant["access_token"])
    ) as app:
        for _ in range(2):
            reply = await app.post(
                HOOKS, json={"url": receiver.url, "event_types": ["message.sent"]}
            )
            assert reply.status_code == 201, reply.text
            created = reply.json()
            secrets_of[int(created["webhook"]["id"])] = created["secret"]
    group = await alice.http.call(
        "POST", "/api/v1/conversations", {"type": "group", "name": "Orders", "member_ids": [bob.id]}
    )
    conversation = int(group["id"])
    before = [await attempts_posted(node) for node in cluster.nodes]

    async def send_all(person: Person, prefix: str) -> None:
        # A few at a time from each node, both nodes at once.
        slots = asyncio.Semaphore(8)

        async def one(n: int) -> None:
            async with slots:
                await person.http.call(
                    "POST",
                    f"/api/v1/conversations/{conversation}/messages",
                    {
                        "client_msg_id": f"{prefix.replace(' ', '-')}-{n}",
                        "type": "text",
                        "body": {"text": f"{prefix} {n}"},
                    },
                )

        await asyncio.gather(*(one(n) for n in range(PER_NODE)))

    await asyncio.gather(send_all(alice, "from a"), send_all(bob, "from b"))
    texts = {f"from {side} {n}" for side in "ab" for n in range(PER_NODE)}
    expected = len(texts) * len(secrets_of)

    def all_arrived(found: list[Any]) -> bool:
        return len(delivered(found)) >= expected

    found = await receiver.wait_for(all_arrived, within=120)
    # Anything posted twice would have arrived by now.
    await asyncio.sleep(1)
    found = receiver.received()
    ids = [r.webhook_id for r in found]
    assert len(ids) == len(set(ids)) == expected, "a webhook-id arrived twice or not at all"
    assert all(r.status == 204 for r in found)
    # Per subscription: every message once, signed with that subscription's secret.
    per_hook: dict[str, set[str]] = {}
    for received in found:
        (hook_id,) = [h for h, s in secrets_of.items() if verify(s, received)]
        per_hook.setdefault(str(hook_id), set()).add(received.event["data"]["body"]["text"])
    assert {h: len(t) for h, t in per_hook.items()} == {str(h): len(texts) for h in secrets_of}
    assert all(t == texts for t in per_hook.values())
    # One event per message; one delivery per event and subscription, each posted once.
    conn = await asyncpg.connect(cluster.database)
    try:
        events = await conn.fetchval(
            "SELECT COUNT(*) FROM webhook_events WHERE type = 'message.sent'"
            " AND conversation_id = $1",
            conversation,
        )
        rows = await conn.fetch(
            "SELECT msg_id, status, attempts FROM webhook_deliveries WHERE webhook_id = ANY($1)",
            list(secrets_of),
        )
    finally:
        await conn.close()
    assert events == len(texts)
    assert len(rows) == expected and {r["msg_id"] for r in rows} == set(ids)
    assert {(r["status"], r["attempts"]) for r in rows} == {("succeeded", 1)}
    # Both nodes posted: the claims really raced.
    after = [await attempts_posted(node) for node in cluster.nodes]
    shares = [a - b for a, b in zip(after, before, strict=True)]
    assert sum(shares) == expected and all(s > 0 for s in shares), shares
