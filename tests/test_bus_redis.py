"""The Redis bus's own connections (bus/resp.py, decision 22) against a real redis-server:
a password, messages that are not ours, a Redis that stops answering without closing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from tests.support.server import RedisProcess
from tests.support.waiting import eventually
from tidings.bus import resp
from tidings.bus.messages import (
    BusGap,
    BusMessage,
    MembersPush,
    PresenceChanged,
    Push,
    RosterChanged,
)
from tidings.bus.redis import CHANNEL, RedisBus


@pytest.fixture(scope="module")
def guarded_redis() -> Iterator[RedisProcess]:
    process = RedisProcess(password="s3cret")
    process.start()
    yield process
    process.stop()


class Node:
    def __init__(self, url: str, name: str, **timeouts: float) -> None:
        self.bus = RedisBus(url, name, **timeouts)
        self.heard: list[BusMessage] = []
        self.bus.subscribe(self.heard.append)


@pytest.fixture
async def nodes(guarded_redis: RedisProcess) -> AsyncIterator[tuple[Node, Node]]:
    pair = (Node(guarded_redis.url, "a"), Node(guarded_redis.url, "b"))
    for node in pair:
        await node.bus.start()
    yield pair
    for node in pair:
        await node.bus.stop()


async def test_pushes_cross_nodes_once_and_in_order_through_a_password(
    nodes: tuple[Node, Node],
) -> None:
    a, b = nodes
    sent = [Push((1, 2), f'{{"n":{i}}}', "c1") for i in range(600)]  # over two pipelines
    for message in sent:
        await a.bus.publish(message)
    await eventually(lambda: len(b.heard) == len(sent))
    assert b.heard == sent
    await asyncio.sleep(0.2)  # a's own messages came back from Redis: skipped, not doubled
    assert a.heard == sent


async def test_a_push_to_many_members_crosses_as_the_conversation_id(
    nodes: tuple[Node, Node],
) -> None:
    a, b = nodes
    many = Push(tuple(range(1, 1001)), '{"x":1}', "c9", members_of=42)
    few = Push((1, 2, 3), '{"x":2}', None, members_of=43)
    await a.bus.publish(many)
    await a.bus.publish(few)
    await eventually(lambda: len(b.heard) == 2)
    # A short list is sent as it is (which conversation it came from does not travel).
    assert b.heard == [MembersPush(42, '{"x":1}', "c9"), Push((1, 2, 3), '{"x":2}', None)]
    assert a.heard == [many, few]  # this node delivers the list it has


async def test_a_wrong_password_is_refused_clearly(guarded_redis: RedisProcess) -> None:
    with pytest.raises(resp.RespError, match="refused"):
        await resp.connect(guarded_redis.url.replace("s3cret", "wrong"))
    with pytest.raises(resp.RespError, match="cannot reach"):
        await resp.connect("redis://127.0.0.1:1/0")


async def test_messages_that_are_not_ours_are_ignored(
    nodes: tuple[Node, Node], guarded_redis: RedisProcess
) -> None:
    a, b = nodes
    stranger = Redis.from_url(guarded_redis.url)
    try:
        for junk in (b"", b"x", b"z\n{not json", b"z\n" + b'{"t":"nope"}\n', b"\xff\xfe\n\n"):
            await stranger.publish(CHANNEL, junk)
    finally:
        await stranger.aclose()
    await a.bus.publish(RosterChanged(7))
    await eventually(lambda: b.heard == [RosterChanged(7)])


async def test_a_redis_that_stops_answering_is_left_and_found_again() -> None:
    redis = RedisProcess()
    redis.start()
    a = Node(redis.url, "a", ping_seconds=0.2, reply_timeout=0.5)
    b = Node(redis.url, "b", ping_seconds=0.2, reply_timeout=0.5)
    reconnected: list[str] = []

    async def note() -> None:
        reconnected.append("b")

    b.bus.on_reconnect(note)
    try:
        for node in (a, b):
            await node.bus.start()
        redis.freeze()
        await asyncio.sleep(1.5)  # b's ping goes unanswered: it drops the connection
        redis.thaw()
        await eventually(lambda: reconnected == ["b"], within=10)
        assert BusGap() in b.heard  # b may have missed messages: its caches must go
        await a.bus.publish(PresenceChanged(5, online=True))
        await eventually(lambda: PresenceChanged(5, online=True) in b.heard, within=10)
    finally:
        redis.thaw()
        for node in (a, b):
            await node.bus.stop()
        redis.stop()


async def test_messages_a_node_could_not_publish_are_announced_as_a_gap() -> None:
    redis = RedisProcess()
    redis.start()
    # Subscriptions that outlive the freeze: only a's publishing fails.
    a = Node(redis.url, "a", ping_seconds=60, reply_timeout=0.3)
    b = Node(redis.url, "b", ping_seconds=60, reply_timeout=5)
    try:
        for node in (a, b):
            await node.bus.start()
        redis.freeze()
        await a.bus.publish(RosterChanged(1))  # its reply never comes: a gives the batch up
        await asyncio.sleep(1)
        redis.thaw()
        await a.bus.publish(RosterChanged(2))
        await eventually(lambda: RosterChanged(2) in b.heard)
        assert BusGap() in b.heard[: b.heard.index(RosterChanged(2))]
        assert BusGap() not in a.heard  # a's own subscription never broke
    finally:
        redis.thaw()
        for node in (a, b):
            await node.bus.stop()
        redis.stop()
