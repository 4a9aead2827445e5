"""Account security on two nodes sharing PostgreSQL and Redis: a challenge, a recovery code
and a TOTP code are each used once whichever nodes the concurrent requests reach; code sends
are counted across nodes; two users verifying one phone number through different nodes at
once: one wins."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pyotp
import pytest

from tests.support.security import call, error_code, sms_code_for
from tests.support.server import (
    DEV_SMS_ENV,
    RedisProcess,
    ServerProcess,
    new_pg_database,
    remove_pg_database,
)
from tests.support.users import PASSWORD, Person, register

pytestmark = pytest.mark.postgres


@dataclass
class Pair:
    nodes: list[ServerProcess]

    def url(self, i: int) -> str:
        return self.nodes[i % 2].base_url


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    redis = RedisProcess()
    redis.start()
    database = new_pg_database()
    env = {
        **DEV_SMS_ENV,
        "TIDINGS_DATABASE_URL": database,
        "TIDINGS_REDIS_URL": redis.url,
        "TIDINGS_SESSION_POLICY": "allow_all",
    }
    nodes = [
        ServerProcess(tmp_path_factory.mktemp(f"node{i}"), env={**env, "TIDINGS_NODE_ID": f"n{i}"})
        for i in range(2)
    ]
    for node in nodes:
        node.launch()
    for node in nodes:
        node.wait_ready()
    yield Pair(nodes)
    for node in nodes:
        node.stop()
    remove_pg_database(database)
    redis.stop()


@pytest.fixture
async def alice(pair: Pair) -> AsyncIterator[Person]:
    person = await register(pair.url(0), "alice")
    yield person
    await person.http.close()


async def enrol(pair: Pair, person: Person) -> tuple[pyotp.TOTP, list[str]]:
    _, body = await call(pair.url(0), "POST", "/me/totp", token=person.token)
    totp = pyotp.TOTP(body["secret"])
    status, body = await call(
        pair.url(1), "POST", "/me/totp/confirm", {"code": totp.now()}, token=person.token
    )
    assert status == 200, body
    return totp, body["recovery_codes"]


async def challenge(pair: Pair, person: Person, i: int) -> str:
    status, body = await call(
        pair.url(i), "POST", "/auth/login", {"account": person.account, "password": PASSWORD}
    )
    assert (status, error_code(body)) == (401, "second_factor_required")
    return str(body["error"]["details"]["challenge"])


async def test_one_challenge_verified_through_both_nodes_at_once_gives_one_session(
    pair: Pair, alice: Person
) -> None:
    _, recovery = await enrol(pair, alice)
    token = await challenge(pair, alice, 0)
    results = await asyncio.gather(
        *(
            call(
                pair.url(i),
                "POST",
                "/auth/login/verify",
                {"challenge": token, "code": code, "method": "recovery_code"},
            )
            for i, code in enumerate(recovery[:8])
        )
    )
    assert [status for status, _ in results].count(200) == 1, results


async def test_one_recovery_code_through_both_nodes_at_once_works_once(
    pair: Pair, alice: Person
) -> None:
    _, recovery = await enrol(pair, alice)
    tokens = [await challenge(pair, alice, i) for i in range(8)]
    results = await asyncio.gather(
        *(
            call(
                pair.url(i),
                "POST",
                "/auth/login/verify",
                {"challenge": token, "code": recovery[0], "method": "recovery_code"},
            )
            for i, token in enumerate(tokens)
        )
    )
    assert [status for status, _ in results].count(200) == 1, results


async def test_one_totp_code_through_both_nodes_at_once_works_once(
    pair: Pair, alice: Person
) -> None:
    totp, _ = await enrol(pair, alice)
    tokens = [await challenge(pair, alice, i) for i in range(8)]
    code = totp.at(time.time() + 30)
    results = await asyncio.gather(
        *(
            call(pair.url(i), "POST", "/auth/login/verify", {"challenge": token, "code": code})
            for i, token in enumerate(tokens)
        )
    )
    assert [status for status, _ in results].count(200) == 1, results


async def test_code_sends_are_counted_across_nodes(pair: Pair) -> None:
    phone = "+1555" + str(uuid.uuid4().int)[:7]
    ask = {"purpose": "login", "channel": "sms", "destination": phone}
    for i in range(5):
        status, _ = await call(pair.url(i), "POST", "/auth/codes", ask)
        assert status == 202
    for i in range(2):
        status, body = await call(pair.url(i), "POST", "/auth/codes", ask)
        assert (status, error_code(body)) == (429, "rate_limited")


async def test_two_users_verifying_one_phone_through_two_nodes_one_wins(
    pair: Pair, alice: Person
) -> None:
    bob = await register(pair.url(1), "bob")
    phone = "+1555" + str(uuid.uuid4().int)[:7]
    for i, person in enumerate((alice, bob)):
        status, _ = await call(
            pair.url(i), "POST", "/me/phone", {"phone": phone}, token=person.token
        )
        assert status == 202
    codes = [await sms_code_for(pair.nodes[i].data_dir, phone) for i in range(2)]
    results = await asyncio.gather(
        *(
            call(pair.url(i), "POST", "/me/phone/verify", {"code": codes[i]}, token=person.token)
            for i, person in enumerate((alice, bob))
        )
    )
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409], results
    assert error_code(next(body for status, body in results if status == 409)) == (
        "destination_taken"
    )
    await bob.http.close()
