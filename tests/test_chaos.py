"""The log guarantees under chaos (issue 2, "Must hold").

Twenty clients send 5,000 messages into direct chats and groups while connections are cut
at random and the server is killed with SIGKILL and restarted twice. Afterwards every
acknowledged message is present exactly once, in the order its sender sent it, on every
member's client; sends abandoned without an acknowledgement exist at most once.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from tests.support.chaos import (
    Ledger,
    canonical_logs,
    check_clients,
    check_log,
    cut_connections,
    send_many,
)
from tests.support.server import ServerProcess, create_pg_database, drop_pg_database
from tests.support.users import Person, register
from tests.support.waiting import eventually
from tidings.sdk import TidingsClient

CLIENTS = 20
MESSAGES = 5_000


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
async def test_nothing_lost_nothing_duplicated_always_in_order(tmp_path: Path, engine: str) -> None:
    env = {}
    database = None
    if engine == "postgresql":
        database = await create_pg_database()
        env["TIDINGS_DATABASE_URL"] = database
    server = ServerProcess(tmp_path / "data", env=env)
    server.start()
    try:
        await _run_chaos(server)
    finally:
        server.stop()
        if database is not None:
            await drop_pg_database(database)


async def _run_chaos(server: ServerProcess) -> None:
    rng = random.Random(20261122)
    people = [await register(server.base_url, f"chaos{i}") for i in range(CLIENTS)]
    conversations = await _make_conversations(server.base_url, people, rng)
    member_of: dict[int, list[int]] = defaultdict(list)
    for conv_id, members in conversations.items():
        for user_id in members:
            member_of[user_id].append(conv_id)

    ledger = Ledger()
    async with AsyncExitStack() as stack:
        for person in people:
            stack.push_async_callback(person.http.close)
        clients = [
            await stack.enter_async_context(
                TidingsClient(
                    server.base_url,
                    token=p.token,
                    backoff_initial=0.05,
                    backoff_max=0.5,
                    request_timeout=3,
                )
            )
            for p in people
        ]
        per_client = MESSAGES // CLIENTS
        senders = [
            asyncio.create_task(
                send_many(client, person, member_of[person.id], per_client, ledger, rng)
            )
            for client, person in zip(clients, people, strict=True)
        ]
        chaos = asyncio.create_task(cut_connections(clients, rng))
        for fraction in (0.3, 0.65):
            await eventually(lambda f=fraction: ledger.count >= MESSAGES * f, within=120)
            server.kill()
            await asyncio.sleep(rng.uniform(0.1, 0.6))
            server.start()
        await asyncio.gather(*senders)
        chaos.cancel()
        assert ledger.count == MESSAGES
        assert len(ledger.acknowledged) > MESSAGES * 0.9

        # Every client reconnects and syncs, as after any network trouble.
        for client in clients:
            await client.drop_connection()
        for client in clients:
            await client.wait_ready(limit=30)

        by_user = {p.id: c for p, c in zip(people, clients, strict=True)}
        logs = await canonical_logs(by_user, conversations)
        check_log(logs, ledger)
        check_clients(by_user, conversations, logs)


async def _make_conversations(
    base_url: str, people: list[Person], rng: random.Random
) -> dict[int, list[int]]:
    conversations: dict[int, list[int]] = {}
    for index, person in enumerate(people):
        peer = people[(index + 1) % len(people)]
        summary = await person.http.call(
            "POST", "/api/v1/conversations", {"type": "direct", "peer_id": peer.id}
        )
        conversations[int(summary["id"])] = [person.id, peer.id]
    for number in range(3):
        owner, *others = rng.sample(people, 8)
        summary = await owner.http.call(
            "POST",
            "/api/v1/conversations",
            {"type": "group", "name": f"chaos {number}", "member_ids": [p.id for p in others]},
        )
        conversations[int(summary["id"])] = [owner.id, *(p.id for p in others)]
    return conversations
