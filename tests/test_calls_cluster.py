"""One-to-one calls on two nodes sharing one PostgreSQL database and one Redis (decision
0074): a call placed on one node rings the callee's devices on both; two devices answering at
once through different nodes get one winner; an answer racing a hang-up on the other node has
one outcome; the signalling crosses nodes to the one device in the call; and both nodes'
sweeps end an unanswered call once, with one record, and a ringing call whose caller vanished
once, as cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.calls import (
    CallPushes,
    call_entries,
    connected,
    people,
    recorded,
    second_device,
)
from tests.support.server import pg_cluster
from tests.support.users import Person

ENV = {
    "TIDINGS_CALL_RING_SECONDS": "2",
    "TIDINGS_CALL_SWEEP_SECONDS": "0.05",
    "TIDINGS_SESSION_POLICY": "allow_all",
}
# Calls ring 30 s but a ringing call whose caller stops reporting ends after 1.5 s.
LONG_RING_ENV = {**ENV, "TIDINGS_CALL_RING_SECONDS": "30", "TIDINGS_CALL_LOST_SECONDS": "1.5"}
OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"}


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with pg_cluster(tmp_path_factory, ENV) as cluster:
        yield [node.base_url for node in cluster.nodes]


async def test_devices_on_two_nodes_race_to_answer_and_one_wins(nodes: list[str]) -> None:
    async with people(nodes[0], nodes[1]) as (alice, bob):
        await _race_to_answer(nodes, alice, bob)


async def _race_to_answer(nodes: list[str], alice: Person, bob: Person) -> None:
    a = alice.client(nodes[0])
    b0, b1 = bob.client(nodes[0]), await second_device(nodes[1], bob)
    pa, pb0, pb1 = CallPushes(a), CallPushes(b0), CallPushes(b1)
    async with connected(a, b0, b1):
        conv = int((await a.request("conversation.open_direct", {"peer_id": bob.id}))["id"])
        for round_ in range(4):
            call = await a.request("call.start", {"conversation_id": conv, "media": "video"})
            # Rung on both nodes.
            for pushes in (pb0, pb1):
                await pushes.wait("call_incoming", call["id"])
            results: tuple[Any, Any] = await asyncio.gather(
                b0.request("call.accept", {"call_id": call["id"]}),
                b1.request("call.accept", {"call_id": call["id"]}),
                return_exceptions=True,
            )
            wins = [r for r in results if isinstance(r, dict)]
            losses = [getattr(r, "code", r) for r in results if not isinstance(r, dict)]
            assert len(wins) == 1 and losses == ["call_answered_elsewhere"], results
            winner, winner_pushes = (b0, pb0) if isinstance(results[0], dict) else (b1, pb1)
            loser_pushes = pb1 if winner is b0 else pb0
            # Every device on both nodes hears who answered.
            for pushes in (pa, pb0, pb1):
                await pushes.wait("call_accepted", call["id"])
            # The offer crosses to the answering device's node, and only there.
            await a.request("call.signal", {"call_id": call["id"], "description": OFFER})
            assert (await winner_pushes.wait("call_signal", call["id"]))["description"] == OFFER
            await winner.request(
                "call.signal",
                {"call_id": call["id"], "description": {"type": "answer", "sdp": OFFER["sdp"]}},
            )
            await pa.wait("call_signal", call["id"])
            assert loser_pushes.of("call_signal", call["id"]) == []
            # Hung up on one node, seen ended on the other.
            await winner.request("call.hangup", {"call_id": call["id"]})
            await pa.wait("call_ended", call["id"])
            entry = await recorded(a, conv, call["id"])
            assert entry["type"] == "ended", round_


async def test_an_answer_and_a_cancel_on_two_nodes_have_one_outcome(nodes: list[str]) -> None:
    async with people(nodes[0], nodes[1]) as (alice, bob):
        await _answer_against_cancel(nodes, alice, bob)


async def _answer_against_cancel(nodes: list[str], alice: Person, bob: Person) -> None:
    a, b = alice.client(nodes[0]), bob.client(nodes[1])
    async with connected(a, b):
        conv = int((await a.request("conversation.open_direct", {"peer_id": bob.id}))["id"])
        for _ in range(6):
            call = await a.request("call.start", {"conversation_id": conv})
            results: tuple[Any, Any] = await asyncio.gather(
                b.request("call.accept", {"call_id": call["id"]}),
                a.request("call.hangup", {"call_id": call["id"]}),
                return_exceptions=True,
            )
            accepted, hung_up = results
            entry = await recorded(b, conv, call["id"])
            if isinstance(accepted, dict):
                assert entry["type"] == "ended" and hung_up["end_reason"] == "ended"
            else:
                assert getattr(accepted, "code", None) == "call_ended"
                assert entry["type"] == "cancelled"
        assert len(await call_entries(a, conv)) == 6
        assert (await b.request("call.current", {}))["call"] is None


async def test_both_nodes_sweep_an_unanswered_call_once(nodes: list[str]) -> None:
    async with people(nodes[0], nodes[1]) as (alice, bob):
        await _sweeps(nodes, alice, bob)


async def _sweeps(nodes: list[str], alice: Person, bob: Person) -> None:
    a, b = alice.client(nodes[0]), bob.client(nodes[1])
    pa, pb = CallPushes(a), CallPushes(b)
    async with connected(a, b):
        conv = int((await a.request("conversation.open_direct", {"peer_id": bob.id}))["id"])
        calls = []
        for _ in range(3):
            call = await a.request("call.start", {"conversation_id": conv})
            calls.append(call["id"])
            missed = await recorded(b, conv, call["id"])
            assert missed["type"] == "missed"
        for call_id in calls:
            assert len(pa.of("call_ended", call_id)) == 1
            assert len(pb.of("call_ended", call_id)) == 1
        assert len(await call_entries(a, conv)) == 3
        summary = await b.request("conversation.get", {"conversation_id": conv})
        assert summary["unread"] == 3


@pytest.fixture(scope="module")
def long_ring_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with pg_cluster(tmp_path_factory, LONG_RING_ENV) as cluster:
        yield [node.base_url for node in cluster.nodes]


async def test_both_nodes_cancel_a_call_whose_caller_vanished_once(
    long_ring_nodes: list[str],
) -> None:
    nodes = long_ring_nodes
    async with people(nodes[0], nodes[1]) as (alice, bob):
        a, b = alice.client(nodes[0]), bob.client(nodes[1])
        pa, pb = CallPushes(a), CallPushes(b)
        async with connected(a, b):
            conv = int((await a.request("conversation.open_direct", {"peer_id": bob.id}))["id"])
            calls = []
            for _ in range(3):
                call = await a.request("call.start", {"conversation_id": conv})
                calls.append(call["id"])
                await pb.wait("call_incoming", call["id"])
                # The caller's reports through one node keep it ringing past 1.5 s for the
                # sweeps of both.
                for _ in range(8):
                    await a.request(
                        "call.media",
                        {"call_id": call["id"], "audio": True, "video": False},
                    )
                    await asyncio.sleep(0.3)
                got = await b.request("call.get", {"call_id": call["id"]})
                assert got["state"] == "ringing"
                # Then it goes quiet: cancelled once, by whichever node's sweep wins.
                entry = await recorded(b, conv, call["id"])
                assert entry["type"] == "cancelled"
            for call_id in calls:
                assert len(pa.of("call_ended", call_id)) == 1
                assert len(pb.of("call_ended", call_id)) == 1
                assert pb.of("call_ended", call_id)[0]["end_reason"] == "cancelled"
            assert len(await call_entries(a, conv)) == 3
            # Not missed calls: nothing unread for the callee.
            summary = await b.request("conversation.get", {"conversation_id": conv})
            assert summary["unread"] == 0
