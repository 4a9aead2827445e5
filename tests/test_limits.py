"""The limiter's windows (tidings.limits), in process with a given clock and in a real Redis:
a burst of ``count``, then one per ``period / count``; several keys all or none; a hit given
back frees its interval; a cost counts that many hits; rates parse as settings spell them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from tests.support.server import RedisProcess
from tidings.config import Settings
from tidings.domain.errors import TidingsError
from tidings.domain.rates import Rate, parse_rate
from tidings.limits import Hit, Limits, LocalWindow, RedisWindow

THREE_PER_3S = Rate(3, 3)


def test_rates_parse_as_settings_spell_them() -> None:
    assert parse_rate("10/5m") == Rate(10, 300)
    assert parse_rate("20/h") == Rate(20, 3600)
    assert parse_rate("3/2s") == Rate(3, 2)
    assert parse_rate("off") is None
    for bad in ("10", "0/1m", "10/0m", "10/5x", "-1/1m", "ten/1m", ""):
        with pytest.raises(ValueError):
            parse_rate(bad)
    with pytest.raises(ValueError, match="rate_search"):
        Settings(rate_search="often")


def test_a_burst_then_one_per_interval() -> None:
    window = LocalWindow()
    hit = [Hit("r:k", THREE_PER_3S)]
    assert [window.take_now(hit, 100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert window.take_now(hit, 100.0) == pytest.approx(1.0)
    assert window.take_now(hit, 100.5) == pytest.approx(0.5)  # refused: not counted
    assert window.take_now(hit, 101.0) == 0.0
    assert window.take_now(hit, 101.0) == pytest.approx(1.0)
    # Idle long enough, the whole burst is back (and no more).
    assert [window.take_now(hit, 200.0) for _ in range(4)][-1] == pytest.approx(1.0)


def test_several_keys_all_or_none_and_given_back() -> None:
    window = LocalWindow()
    wide, narrow = Hit("a:k", Rate(10, 10)), Hit("b:k", Rate(1, 10))
    assert window.take_now([wide, narrow], 0.0) == 0.0
    assert window.take_now([wide, narrow], 0.0) == pytest.approx(10.0)
    # The refusal took nothing from the wide rule: nine left of ten.
    assert [window.take_now([wide], 0.0) for _ in range(9)] == [0.0] * 9
    assert window.take_now([wide], 0.0) > 0
    window.give_back_now([wide], 0.0)
    assert window.take_now([wide], 0.0) == 0.0


def test_a_cost_counts_that_many_hits() -> None:
    window = LocalWindow()
    assert window.take_now([Hit("m:k", Rate(4, 4), cost=3)], 0.0) == 0.0
    assert window.take_now([Hit("m:k", Rate(4, 4), cost=2)], 0.0) == pytest.approx(1.0)
    assert window.take_now([Hit("m:k", Rate(4, 4), cost=1)], 0.0) == 0.0


async def test_limits_raise_rate_limited_with_retry_after() -> None:
    limits = Limits(Settings(rate_search="2/1h", rate_group_create="off"), LocalWindow())
    await limits.hit("search", 7)
    await limits.hit("search", 7)
    with pytest.raises(TidingsError) as refused:
        await limits.hit("search", 7)
    assert refused.value.code == "rate_limited"
    assert refused.value.details == {"retry_after": 1800}
    await limits.hit("search", 8)  # another key
    for _ in range(100):
        await limits.hit("group_create", 7)  # off
    with pytest.raises(KeyError):
        await limits.hit("no_such_rule", 7)
    off = Limits(Settings(rate_search="1/1h", rate_limits=False), LocalWindow())
    for _ in range(10):
        await off.hit("search", 7)


@pytest.fixture
async def redis() -> AsyncIterator[tuple[RedisProcess, Redis]]:
    process = RedisProcess()
    process.start()
    client = Redis.from_url(process.url)
    yield process, client
    await client.aclose()
    process.stop()


async def test_the_redis_window_counts_as_the_local_one(
    redis: tuple[RedisProcess, Redis],
) -> None:
    process, client = redis
    window = RedisWindow(process.url)
    await window.start()
    hit = [Hit("r:k", Rate(3, 3600))]
    assert [await window.take(hit) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert await window.take(hit) == pytest.approx(1200.0, abs=1)
    wide, narrow = Hit("a:k", Rate(10, 3600)), Hit("b:k", Rate(1, 3600))
    assert await window.take([wide, narrow]) == 0.0
    assert await window.take([wide, narrow]) == pytest.approx(3600.0, abs=1)
    assert [await window.take([wide]) for _ in range(9)] == [0.0] * 9
    assert await window.take([wide]) > 0
    await window.give_back([wide])
    assert await window.take([wide]) == 0.0
    # Keys expire with their window.
    ttl = await client.pttl("limit:r:k")
    assert 0 < ttl <= 3_600_001
    # Many hits at once go out in one batch, each with its own answer.
    many = await asyncio.gather(
        *(window.take([Hit(f"c:{i % 3}", Rate(2, 3600))]) for i in range(9))
    )
    assert sorted(w == 0.0 for w in many) == [False] * 3 + [True] * 6
    # A script Redis forgot (SCRIPT FLUSH) is loaded again on the next connection.
    await client.script_flush()
    assert await window.take([Hit("d:k", Rate(1, 3600))]) == 0.0  # counted locally
    await window.close()


async def test_without_redis_a_node_counts_on_its_own() -> None:
    process = RedisProcess()
    process.start()
    window = RedisWindow(process.url, timeout=0.2)
    await window.start()
    hit = [Hit("r:k", Rate(2, 3600))]
    assert await window.take(hit) == 0.0  # in Redis
    process.freeze()  # a Redis that stops answering: the batch times out
    try:
        assert await window.take(hit) == 0.0
        assert await window.take(hit) == 0.0  # this node's own count starts afresh
        assert await window.take(hit) > 0
    finally:
        process.thaw()
    process.kill()
    await asyncio.sleep(1.1)  # past the second of counting locally: Redis is tried again,
    assert await window.take(hit) > 0  # in the background; meanwhile the local count holds
    await window.close()
    # A window whose Redis never answered counts locally from the start.
    never = RedisWindow(process.url, timeout=0.2)
    await never.start()
    assert [await never.take(hit) for _ in range(2)] == [0.0, 0.0]
    assert await never.take(hit) > 0
    await never.close()
