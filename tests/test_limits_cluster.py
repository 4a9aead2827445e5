"""Sign-in throttle, device credentials and rate limits across two nodes on one PostgreSQL
database and one Redis (issue 11): the counts are shared, so two nodes allow what one does.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.support.raw import raw_connection
from tests.support.server import RedisProcess, ServerProcess, new_pg_database, remove_pg_database
from tests.support.users import PASSWORD, Person
from tests.test_rate_limits import person
from tests.test_sign_in_throttle import outcome, sign_in

PER_ACCOUNT_AND_ADDRESS = 5
ENV = {
    "TIDINGS_RATE_SIGN_IN_ACCOUNT_ADDRESS": f"{PER_ACCOUNT_AND_ADDRESS}/1h",
    "TIDINGS_RATE_SIGN_IN_ACCOUNT": "50/1h",
    "TIDINGS_RATE_SIGN_IN_ADDRESS": "1000/1h",
    "TIDINGS_SESSION_POLICY": "allow_all",
    # Slow enough that no hit frees up while a test runs.
    "TIDINGS_RATE_MESSAGE_SEND": "3/1h",
    "TIDINGS_RATE_REGISTER_ADDRESS": "2/1h",
}


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    redis = RedisProcess()
    redis.start()
    database = new_pg_database()
    env = {**ENV, "TIDINGS_DATABASE_URL": database, "TIDINGS_REDIS_URL": redis.url}
    servers = [
        ServerProcess(tmp_path_factory.mktemp(f"node{i}"), env={**env, "TIDINGS_NODE_ID": f"n{i}"})
        for i in range(2)
    ]
    for server in servers:
        server.launch()
    for server in servers:
        server.wait_ready()
    yield [s.base_url for s in servers]
    for server in servers:
        server.stop()
    remove_pg_database(database)
    redis.stop()


@pytest.fixture
async def victim(nodes: list[str]) -> AsyncIterator[Person]:
    found = await person(nodes[0], "victim")
    yield found
    await found.http.close()


async def test_concurrent_guesses_through_two_nodes_share_one_count(
    nodes: list[str], victim: Person
) -> None:
    guesses = [f"wrong {i}" for i in range(199)] + [PASSWORD]
    random.shuffle(guesses)
    limits = httpx.Limits(max_connections=100)
    clients = [httpx.AsyncClient(base_url=url, limits=limits, timeout=60) for url in nodes]
    try:
        answers = await asyncio.gather(
            *(
                sign_in(clients[i % 2], victim.account, guess, "10.9.0.1")
                for i, guess in enumerate(guesses)
            )
        )
        seen = Counter(outcome(a) for a in answers)
        assert seen["invalid_credentials"] + seen["signed_in"] <= PER_ACCOUNT_AND_ADDRESS, seen
        if seen["signed_in"]:
            # The right guess was checked and gave its attempt back: one more fills the count.
            wrong = await sign_in(clients[1], victim.account, "wrong", "10.9.0.1")
            assert outcome(wrong) == "invalid_credentials"
        for http in clients:
            right = await sign_in(http, victim.account, PASSWORD, "10.9.0.1")
            assert outcome(right) == "rate_limited"
    finally:
        for http in clients:
            await http.aclose()


async def test_a_device_credential_signs_in_once_across_nodes(
    nodes: list[str], victim: Person
) -> None:
    clients = [httpx.AsyncClient(base_url=url, timeout=60) for url in nodes]
    try:
        first = await sign_in(clients[0], victim.account, PASSWORD, "10.9.1.1", remember=True)
        credential = first.json()["device_credential"]
        answers = await asyncio.gather(
            *(
                clients[i % 2].post(
                    "/api/v1/auth/device-login", json={"device_credential": credential}
                )
                for i in range(8)
            )
        )
        assert Counter(outcome(a) for a in answers) == {"signed_in": 1, "invalid_token": 7}
    finally:
        for http in clients:
            await http.aclose()


async def test_sends_through_two_nodes_share_one_limit(nodes: list[str]) -> None:
    sender, peer = await person(nodes[0], "sender"), await person(nodes[1], "peer")
    async with (
        raw_connection(nodes[0], sender.token) as first,
        raw_connection(nodes[1], sender.token) as second,
    ):
        direct = (await first.ok("conversation.open_direct", {"peer_id": peer.id}))["id"]
        replies = [
            await ws.request(
                "send",
                {
                    "conversation_id": direct,
                    "client_msg_id": f"m{i}",
                    "type": "text",
                    "body": {"text": "hi"},
                },
            )
            for i, ws in enumerate([first, second] * 4)
        ]
    accepted = [r for r in replies if r["ok"]]
    refused = [r for r in replies if not r["ok"]]
    assert len(accepted) == 3, replies
    assert {r["error"]["code"] for r in refused} == {"rate_limited"}
    assert all(r["error"]["details"]["retry_after"] >= 1 for r in refused)
    for one in (sender, peer):
        await one.http.close()


async def test_registrations_through_two_nodes_share_one_limit(nodes: list[str]) -> None:
    async def register_at(url: str) -> int:
        async with httpx.AsyncClient(base_url=url) as http:
            response = await http.post(
                "/api/v1/auth/register",
                json={"account": f"r{uuid.uuid4().hex[:8]}", "password": PASSWORD, "nickname": "R"},
                headers={"X-Forwarded-For": "203.0.113.9"},
            )
        return response.status_code

    codes = [await register_at(url) for url in nodes * 2]
    assert sorted(codes) == [201, 201, 429, 429], codes
