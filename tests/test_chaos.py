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
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.server import ServerProcess, create_pg_database, drop_pg_database
from tests.support.users import Person, register
from tests.support.waiting import eventually
from tidings.sdk import ConnectionLost, ServerError, TidingsClient

CLIENTS = 20
MESSAGES = 5_000
# A share of sends is tried once and abandoned on failure: it may exist, but only once.
ABANDON_RATE = 0.05


@dataclass
class Ledger:
    acknowledged: dict[tuple[int, str], dict[str, object]] = field(default_factory=dict)
    abandoned: set[tuple[int, str]] = field(default_factory=set)
    sent_order: dict[tuple[int, int], list[str]] = field(default_factory=lambda: defaultdict(list))

    @property
    def count(self) -> int:
        return len(self.acknowledged) + len(self.abandoned)


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
                _send_many(client, person, member_of[person.id], per_client, ledger, rng)
            )
            for client, person in zip(clients, people, strict=True)
        ]
        chaos = asyncio.create_task(_cut_connections(clients, rng))
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

        canonical = await _canonical_logs(clients, people, conversations)
        _check_log(canonical, ledger)
        for client, person in zip(clients, people, strict=True):
            for conv_id in member_of[person.id]:
                held = client.state.conversations[conv_id].visible()
                assert [e["id"] for e in held] == [e["id"] for e in canonical[conv_id]], (
                    f"user {person.id} differs from the log of conversation {conv_id}"
                )


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


async def _send_many(
    client: TidingsClient,
    person: Person,
    conversation_ids: list[int],
    count: int,
    ledger: Ledger,
    rng: random.Random,
) -> None:
    for index in range(count):
        conv_id = rng.choice(conversation_ids)
        client_msg_id = f"{person.id}-{index}"
        key = (person.id, client_msg_id)
        abandon = rng.random() < ABANDON_RATE
        try:
            entry = await client.send(
                conv_id,
                "text",
                {"text": client_msg_id},
                client_msg_id=client_msg_id,
                max_attempts=1 if abandon else None,
            )
        except (ConnectionLost, TimeoutError):
            ledger.abandoned.add(key)
            continue
        except ServerError as error:
            raise AssertionError(f"send refused: {error}") from error
        ledger.acknowledged[key] = entry
        ledger.sent_order[(person.id, conv_id)].append(client_msg_id)


async def _cut_connections(clients: list[TidingsClient], rng: random.Random) -> None:
    while True:
        await asyncio.sleep(rng.uniform(0.02, 0.15))
        await rng.choice(clients).drop_connection()


async def _canonical_logs(
    clients: list[TidingsClient], people: list[Person], conversations: dict[int, list[int]]
) -> dict[int, list[dict[str, object]]]:
    """Each conversation's whole log, read page by page by one of its members."""
    by_user = {p.id: c for p, c in zip(people, clients, strict=True)}
    logs: dict[int, list[dict[str, object]]] = {}
    for conv_id, members in conversations.items():
        client = by_user[members[0]]
        entries: list[dict[str, object]] = []
        while True:
            page = await client.history(conv_id, after_seq=len(entries), limit=500)
            entries.extend(page)
            if len(page) < 500:
                break
        logs[conv_id] = entries
    return logs


def _check_log(logs: dict[int, list[dict[str, object]]], ledger: Ledger) -> None:
    seen: dict[tuple[int, str], dict[str, object]] = {}
    for conv_id, entries in logs.items():
        assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1)), (
            f"conversation {conv_id}: seqs are not contiguous"
        )
        for entry in entries:
            if entry["kind"] != "message":
                continue
            key = (int(entry["sender_id"]), str(entry["client_msg_id"]))  # type: ignore[call-overload]
            assert key not in seen, f"{key} stored twice"
            seen[key] = entry
    for key, acked in ledger.acknowledged.items():
        stored = seen.get(key)
        assert stored is not None, f"acknowledged {key} is missing"
        assert (stored["id"], stored["seq"]) == (acked["id"], acked["seq"])
    unknown = set(seen) - set(ledger.acknowledged) - ledger.abandoned
    assert not unknown, f"entries nobody sent: {sorted(unknown)[:5]}"
    for (sender, conv_id), order in ledger.sent_order.items():
        stored_order = [
            str(e["client_msg_id"])
            for e in logs[conv_id]
            if e["sender_id"] == sender and (sender, str(e["client_msg_id"])) in ledger.acknowledged
        ]
        assert stored_order == order, f"sender {sender} in {conv_id}: order differs"
