"""One-to-one calls (PRODUCT.md G1, G2; decision 0074) against a real server, on SQLite and
PostgreSQL: ringing on every device, one answer winning, the records each ending leaves in
the chat, the relay of signalling to the one device in the call, the deadlines, the TURN
credentials, and every denial and bad input."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.calls import (
    CallPushes,
    call_entries,
    code_of,
    connected,
    recorded,
    second_device,
)
from tests.support.server import ServerProcess, new_pg_database, remove_pg_database
from tests.support.social import make_admin
from tests.support.users import Person, register

SECRET = "the-turn-secret"
SERVER_ENV = {
    # A call rings 3 s and lives 5 s past its answer or the last report that its media flows;
    # the sweep looks every 0.1 s.
    "TIDINGS_CALL_RING_SECONDS": "3",
    "TIDINGS_CALL_LOST_SECONDS": "5",
    "TIDINGS_CALL_SWEEP_SECONDS": "0.1",
    "TIDINGS_CALL_SIGNAL_MAX_BYTES": "4096",
    "TIDINGS_CALL_STUN_URLS": "stun:127.0.0.1:3478",
    "TIDINGS_CALL_TURN_URLS": "turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp",
    "TIDINGS_CALL_TURN_SECRET": SECRET,
    "TIDINGS_CALL_TURN_TTL_SECONDS": "600",
    "TIDINGS_RATE_CALL_START": "8/1m",
}
# A server where a call rings long (30 s) but its caller must report every 2 s: a caller who
# vanishes while it rings is told apart from a call nobody answers.
LONG_RING_ENV = {
    **SERVER_ENV,
    "TIDINGS_CALL_RING_SECONDS": "30",
    "TIDINGS_CALL_LOST_SECONDS": "2",
}
OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"}


async def direct(client: Any, peer: Person) -> int:
    return int((await client.request("conversation.open_direct", {"peer_id": peer.id}))["id"])


async def test_the_callee_rings_on_every_device_and_the_first_answer_wins(
    base_url: str, alice: Person, bob: Person
) -> None:
    a, b1, b2 = alice.client(base_url), bob.client(base_url), await second_device(base_url, bob)
    pa, pb1, pb2 = CallPushes(a), CallPushes(b1), CallPushes(b2)
    async with connected(a, b1, b2):
        conv = await direct(a, bob)
        call = await a.request("call.start", {"conversation_id": conv, "media": "video"})
        assert call["state"] == "ringing" and call["media"] == "video"
        assert call["caller_id"] == alice.id and call["callee_id"] == bob.id
        for pushes in (pb1, pb2):
            rang = await pushes.wait("call_incoming", call["id"])
            assert rang["caller_id"] == alice.id
        # Both of Bob's devices answer at once: one wins, the other is told where it went.
        results = await asyncio.gather(
            b1.request("call.accept", {"call_id": call["id"]}),
            b2.request("call.accept", {"call_id": call["id"]}),
            return_exceptions=True,
        )
        wins = [r for r in results if isinstance(r, dict)]
        losses = [getattr(r, "code", r) for r in results if not isinstance(r, dict)]
        assert len(wins) == 1 and losses == ["call_answered_elsewhere"], results
        answered = wins[0]
        winner, loser = (b1, b2) if results[0] is answered else (b2, b1)
        winner_pushes, loser_pushes = (pb1, pb2) if winner is b1 else (pb2, pb1)
        assert answered["state"] == "active"
        assert {p["user_id"]: p["session_id"] for p in answered["participants"]} == {
            alice.id: a.session_id,
            bob.id: winner.session_id,
        }
        # Every device of both hears it (the loser stops ringing).
        for pushes in (pa, pb1, pb2):
            await pushes.wait("call_accepted", call["id"])
        # Answering again on the winning device is the same answer.
        assert (await winner.request("call.accept", {"call_id": call["id"]}))["state"] == "active"
        # The offer reaches the answering device only; its answer reaches the caller.
        await a.request("call.signal", {"call_id": call["id"], "description": OFFER})
        got = await winner_pushes.wait("call_signal", call["id"])
        assert got["description"] == OFFER and got["from_user_id"] == alice.id
        answer = {"type": "answer", "sdp": OFFER["sdp"]}
        await winner.request("call.signal", {"call_id": call["id"], "description": answer})
        assert (await pa.wait("call_signal", call["id"]))["description"] == answer
        candidate = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"}
        await a.request("call.signal", {"call_id": call["id"], "candidate": candidate})
        assert (await winner_pushes.wait("call_signal", call["id"]))["candidate"]["sdpMid"] == "0"
        # The other device of Bob is not in the call: it cannot signal, and hears none.
        assert (
            await code_of(
                loser.request("call.signal", {"call_id": call["id"], "candidate": candidate})
            )
            == "forbidden"
        )
        assert loser_pushes.of("call_signal") == []
        # Mute and camera-off reach both sides.
        await winner.request("call.media", {"call_id": call["id"], "audio": False, "video": False})
        updated = await pa.wait("call_updated", call["id"])
        bob_side = next(p for p in updated["participants"] if p["user_id"] == bob.id)
        assert bob_side["audio"] is False and bob_side["video"] is False
        # Either side sees the live call after a reconnect.
        current = await b2.request("call.current", {})
        assert current["call"]["id"] == call["id"]
        ended = await a.request("call.hangup", {"call_id": call["id"]})
        assert ended["state"] == "ended" and ended["end_reason"] == "ended"
        assert ended["duration_ms"] >= 0
        for client in (a, b1):
            entry = await recorded(client, conv, call["id"])
            assert entry["type"] == "ended" and entry["sender_id"] == alice.id
            assert entry["body"]["duration_ms"] == ended["duration_ms"]
            assert entry["body"]["hangup"] == "hangup" and entry["body"]["media"] == "video"
        for pushes in (pa, pb1, pb2):
            await pushes.wait("call_ended", call["id"])
        # Hanging up again changes nothing; a signal now is refused.
        assert (await b1.request("call.hangup", {"call_id": call["id"]})) == ended
        assert (
            await code_of(a.request("call.signal", {"call_id": call["id"], "description": OFFER}))
            == "call_ended"
        )
        assert (await a.request("call.current", {}))["call"] is None
        assert len(await call_entries(a, conv)) == 1


async def test_an_answer_racing_a_cancel_has_one_outcome(
    base_url: str, alice: Person, bob: Person
) -> None:
    a, b = alice.client(base_url), bob.client(base_url)
    async with connected(a, b):
        conv = await direct(a, bob)
        outcomes = set()
        for _ in range(5):
            call = await a.request("call.start", {"conversation_id": conv})
            outcome: tuple[Any, Any] = await asyncio.gather(
                b.request("call.accept", {"call_id": call["id"]}),
                a.request("call.hangup", {"call_id": call["id"]}),
                return_exceptions=True,
            )
            accepted, hung_up = outcome
            entry = await recorded(a, conv, call["id"])
            assert isinstance(hung_up, dict) and hung_up["state"] == "ended"
            if isinstance(accepted, dict):
                # Answered first: the hang-up ended an answered call.
                assert entry["type"] == "ended" and hung_up["end_reason"] == "ended"
            else:
                assert getattr(accepted, "code", None) == "call_ended"
                assert entry["type"] == "cancelled" and hung_up["end_reason"] == "cancelled"
            outcomes.add(entry["type"])
        assert (await a.request("call.current", {}))["call"] is None
        assert (await b.request("call.current", {}))["call"] is None
        entries = await call_entries(b, conv)
        assert len(entries) == 5 and len({e["body"]["call_id"] for e in entries}) == 5
        assert outcomes <= {"ended", "cancelled"}


async def test_declined_missed_and_busy_calls_leave_their_records(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    a, b, c = alice.client(base_url), bob.client(base_url), carol.client(base_url)
    pa, pc = CallPushes(a), CallPushes(c)
    async with connected(a, b, c):
        conv = await direct(a, bob)
        # Declined.
        call = await a.request("call.start", {"conversation_id": conv})
        declined = await b.request("call.decline", {"call_id": call["id"]})
        assert declined["end_reason"] == "declined"
        assert (await recorded(b, conv, call["id"]))["type"] == "declined"
        assert (await pa.wait("call_ended", call["id"]))["end_reason"] == "declined"
        assert await code_of(b.request("call.accept", {"call_id": call["id"]})) == "call_ended"
        # Cancelled by the caller while it rang.
        call = await a.request("call.start", {"conversation_id": conv})
        assert (await a.request("call.hangup", {"call_id": call["id"]}))["end_reason"] == (
            "cancelled"
        )
        assert (await recorded(b, conv, call["id"]))["type"] == "cancelled"
        read_before = (await b.request("conversation.get", {"conversation_id": conv}))["unread"]
        # Nobody answers: missed after the ring deadline, unread for Bob only.
        call = await a.request("call.start", {"conversation_id": conv, "media": "video"})
        missed = await recorded(b, conv, call["id"])
        assert missed["type"] == "missed" and "duration_ms" not in missed["body"]
        assert (await pa.wait("call_ended", call["id"]))["end_reason"] == "missed"
        summary = await b.request("conversation.get", {"conversation_id": conv})
        assert summary["unread"] == read_before + 1
        assert (await a.request("conversation.get", {"conversation_id": conv}))["unread"] == 0
        # Busy: Bob is in a call with Alice when Carol calls.
        call = await a.request("call.start", {"conversation_id": conv})
        await b.request("call.accept", {"call_id": call["id"]})
        carol_chat = await direct(c, bob)
        busy = await c.request("call.start", {"conversation_id": carol_chat})
        assert busy["state"] == "ended" and busy["end_reason"] == "busy"
        assert (await recorded(b, carol_chat, busy["id"]))["type"] == "busy"
        assert (await pc.wait("call_ended", busy["id"]))["end_reason"] == "busy"
        # The caller in a call cannot start another.
        assert await code_of(a.request("call.start", {"conversation_id": conv})) == (
            "in_another_call"
        )
        # Media lost for longer than the deadline ends the call for both.
        await a.request(
            "call.media",
            {"call_id": call["id"], "audio": True, "video": False, "connection": "lost"},
        )
        lost = await recorded(b, conv, call["id"])
        assert lost["type"] == "ended" and lost["body"]["hangup"] == "lost"
        assert (await a.request("call.current", {}))["call"] is None


async def test_a_call_lives_while_its_devices_report_and_ends_when_they_stop(
    base_url: str, alice: Person, bob: Person
) -> None:
    a, b = alice.client(base_url), bob.client(base_url)
    pb = CallPushes(b)
    async with connected(a, b):
        conv = await direct(a, bob)
        call = await a.request("call.start", {"conversation_id": conv})
        await b.request("call.accept", {"call_id": call["id"]})
        media = {"call_id": call["id"], "audio": True, "video": False}
        # Lost, then back: the reports keep the call on, well past the 5 s deadline.
        await a.request("call.media", {**media, "connection": "lost"})
        for _ in range(25):
            await a.request("call.media", {**media, "connection": "ok"})
            await asyncio.sleep(0.3)
        assert (await b.request("call.get", {"call_id": call["id"]}))["state"] == "active"
        # Only what changed is pushed: these reports changed nothing.
        assert pb.of("call_updated", call["id"]) == []
        # Then the devices go quiet (closed, crashed, offline): the call ends for both.
        entry = await recorded(b, conv, call["id"])
        assert entry["type"] == "ended" and entry["body"]["hangup"] == "lost"
        assert (await a.request("call.current", {}))["call"] is None
        assert (await b.request("call.current", {}))["call"] is None


async def test_denials(base_url: str, alice: Person, bob: Person, carol: Person) -> None:
    a, b, c = alice.client(base_url), bob.client(base_url), carol.client(base_url)
    async with connected(a, b, c):
        conv = await direct(a, bob)
        # Into a conversation one is not in.
        assert await code_of(c.request("call.start", {"conversation_id": conv})) == "not_member"
        # Into a group: group calls need an SFU, which this server has none of (decision
        # 0078; tests/test_group_calls.py).
        group = await a.request(
            "conversation.create_group", {"name": "calls", "member_ids": [bob.id, carol.id]}
        )
        assert await code_of(a.request("call.start", {"conversation_id": group["id"]})) == (
            "group_calls_unavailable"
        )
        # Someone else's call is not found, whatever one does with it.
        call = await a.request("call.start", {"conversation_id": conv})
        for op in ("call.get", "call.accept", "call.decline", "call.hangup"):
            assert await code_of(c.request(op, {"call_id": call["id"]})) == "not_found", op
        assert (
            await code_of(c.request("call.signal", {"call_id": call["id"], "description": OFFER}))
            == "not_found"
        )
        # Only the callee answers or declines; nobody signals before the answer.
        assert await code_of(a.request("call.accept", {"call_id": call["id"]})) == "forbidden"
        assert await code_of(a.request("call.decline", {"call_id": call["id"]})) == "forbidden"
        assert (
            await code_of(a.request("call.signal", {"call_id": call["id"], "description": OFFER}))
            == "conflict"
        )
        await a.request("call.hangup", {"call_id": call["id"]})
        # Someone who blocked you cannot be called.
        await b.request("blocks.add", {"user_id": alice.id})
        assert await code_of(a.request("call.start", {"conversation_id": conv})) == "blocked"
        await b.request("blocks.remove", {"user_id": alice.id})
    # TURN credentials without a session.
    async with httpx.AsyncClient(base_url=base_url) as http:
        refused = await http.get("/api/v1/calls/ice-servers")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "unauthenticated"


async def test_bad_input(base_url: str, alice: Person, bob: Person) -> None:
    a, b = alice.client(base_url), bob.client(base_url)
    async with connected(a, b):
        conv = await direct(a, bob)
        for op in ("call.get", "call.accept", "call.hangup"):
            assert await code_of(a.request(op, {"call_id": 987_654_321})) == "not_found"
        assert await code_of(
            a.request("call.start", {"conversation_id": conv, "media": "smell"})
        ) == ("invalid_input")
        assert await code_of(a.request("call.get", {"call_id": "x"})) == "invalid_input"
        call = await a.request("call.start", {"conversation_id": conv})
        await b.request("call.accept", {"call_id": call["id"]})
        # Neither a description nor a candidate, or both.
        assert await code_of(a.request("call.signal", {"call_id": call["id"]})) == "invalid_input"
        assert (
            await code_of(
                a.request(
                    "call.signal",
                    {"call_id": call["id"], "description": OFFER, "candidate": {"candidate": ""}},
                )
            )
            == "invalid_input"
        )
        # An SDP over the limit (4 KB here).
        big = {"type": "offer", "sdp": "a=x\r\n" * 2000}
        assert (
            await code_of(a.request("call.signal", {"call_id": call["id"], "description": big}))
            == "payload_too_large"
        )
        assert (
            await code_of(
                a.request(
                    "call.signal",
                    {"call_id": call["id"], "description": {"type": "pranswer", "sdp": "v=0"}},
                )
            )
            == "invalid_input"
        )
        await a.request("call.hangup", {"call_id": call["id"]})
        assert (
            await code_of(a.request("call.signal", {"call_id": call["id"], "description": OFFER}))
            == "call_ended"
        )
        assert (
            await code_of(
                a.request("call.media", {"call_id": call["id"], "audio": True, "video": True})
            )
            == "call_ended"
        )
        # The server is still up and answering.
        assert (await a.request("call.current", {}))["call"] is None


async def test_a_flood_of_call_invites_is_rate_limited(base_url: str) -> None:
    caller, callee = await register(base_url, "flooder"), await register(base_url, "target")
    a, b = caller.client(base_url), callee.client(base_url)
    async with connected(a, b):
        conv = await direct(a, callee)
        codes = []
        for _ in range(12):
            try:
                call = await a.request("call.start", {"conversation_id": conv})
                await a.request("call.hangup", {"call_id": call["id"]})
                codes.append("ok")
            except Exception as failure:
                codes.append(getattr(failure, "code", repr(failure)))
        # 8 a minute: the ninth is refused, with when to try again.
        assert codes[:8] == ["ok"] * 8 and set(codes[8:]) == {"rate_limited"}, codes
        assert len(await call_entries(b, conv)) == 8
    await caller.http.close()
    await callee.http.close()


async def test_ice_servers_hand_out_turn_credentials_that_expire(
    base_url: str, alice: Person
) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        got = await http.get(
            "/api/v1/calls/ice-servers", headers={"Authorization": f"Bearer {alice.token}"}
        )
    assert got.status_code == 200
    body = got.json()
    stun, turn = body["ice_servers"]
    assert stun == {"urls": ["stun:127.0.0.1:3478"]}
    assert turn["urls"] == [
        "turn:127.0.0.1:3478?transport=udp",
        "turn:127.0.0.1:3478?transport=tcp",
    ]
    expiry, user = turn["username"].split(":")
    assert user == str(alice.id) and body["ttl"] == 600
    assert abs(int(expiry) - (time.time() + 600)) < 60
    expected = hmac.new(SECRET.encode(), turn["username"].encode(), hashlib.sha1).digest()
    assert base64.b64decode(turn["credential"]) == expected
    async with alice.client(base_url) as a:
        over_ws = await a.request("call.ice_servers", {})
        assert over_ws["ice_servers"][1]["urls"] == turn["urls"]


async def test_a_call_reaches_devices_that_connect_while_it_rings(
    base_url: str, alice: Person, bob: Person
) -> None:
    a = alice.client(base_url)
    async with connected(a):
        conv = await direct(a, bob)
        call = await a.request("call.start", {"conversation_id": conv})
        async with bob.client(base_url) as late:
            current = await late.request("call.current", {})
            assert current["call"]["id"] == call["id"] and current["call"]["state"] == "ringing"
            await late.request("call.decline", {"call_id": call["id"]})
        assert (await recorded(a, conv, call["id"]))["type"] == "declined"


async def test_calls_turned_off_in_the_site_settings_are_refused(
    server: ServerProcess, base_url: str, alice: Person, bob: Person
) -> None:
    admin = await register(base_url, "admin")
    await make_admin(server, admin)
    path = "/api/v1/admin/settings"
    a = alice.client(base_url)
    async with connected(a):
        conv = await direct(a, bob)
        await admin.http.call("PATCH", path, {"changes": {"modules": {"video_calls": False}}})
        try:
            failure = await code_of(
                a.request("call.start", {"conversation_id": conv, "media": "video"})
            )
            assert failure == "feature_disabled"
            # Voice calls are a switch of their own.
            call = await a.request("call.start", {"conversation_id": conv, "media": "audio"})
            await a.request("call.hangup", {"call_id": call["id"]})
        finally:
            await admin.http.call("PATCH", path, {"changes": {"modules": {"video_calls": True}}})
            await admin.http.close()
        call = await a.request("call.start", {"conversation_id": conv, "media": "video"})
        await a.request("call.hangup", {"call_id": call["id"]})


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def long_ring_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    env = dict(LONG_RING_ENV)
    database = new_pg_database() if request.param == "postgresql" else None
    if database is not None:
        env["TIDINGS_DATABASE_URL"] = database
    process = ServerProcess(tmp_path_factory.mktemp("long-ring"), env=env)
    process.start()
    yield process.base_url
    process.stop()
    if database is not None:
        remove_pg_database(database)


async def test_a_call_whose_caller_vanishes_while_it_rings_is_cancelled(
    long_ring_url: str,
) -> None:
    alice, bob = await register(long_ring_url, "alice"), await register(long_ring_url, "bob")
    a, b = alice.client(long_ring_url), bob.client(long_ring_url)
    pb = CallPushes(b)
    try:
        async with connected(a, b):
            conv = await direct(a, bob)
            call = await a.request("call.start", {"conversation_id": conv})
            await pb.wait("call_incoming", call["id"])
            media = {"call_id": call["id"], "audio": True, "video": False}
            # The caller's device reports while it rings: it rings on, well past 2 s.
            for _ in range(12):
                await a.request("call.media", {**media, "connection": "ok"})
                await asyncio.sleep(0.3)
            assert (await b.request("call.get", {"call_id": call["id"]}))["state"] == "ringing"
            # Only the caller's device keeps a ringing call: the callee's cannot.
            assert await code_of(b.request("call.media", {**media, "connection": "ok"})) == (
                "conflict"
            )
            # "lost" is no report of being there; then the caller goes quiet (its tab
            # closed, its browser crashed, its network gone): the call is cancelled for
            # both within the deadline, long before the ring deadline, with its record.
            await a.request("call.media", {**media, "connection": "lost"})
            ended = await pb.wait("call_ended", call["id"])
            assert ended["end_reason"] == "cancelled" and ended["duration_ms"] is None
            assert ended["ended_at"] < call["ring_deadline"]
            entry = await recorded(b, conv, call["id"])
            assert entry["type"] == "cancelled" and entry["sender_id"] == alice.id
            assert "hangup" not in entry["body"]
            assert (await b.request("call.current", {}))["call"] is None
            assert (await a.request("call.current", {}))["call"] is None
            assert len(await call_entries(b, conv)) == 1
            # A caller whose device stays (a call nobody answers with a caller waiting) is
            # not cancelled by the keep-alive deadline; answered, the same reports keep it on.
            call = await a.request("call.start", {"conversation_id": conv})
            for _ in range(10):
                await a.request("call.media", {**media, "call_id": call["id"]})
                await asyncio.sleep(0.3)
            await b.request("call.accept", {"call_id": call["id"]})
            answered = await a.request("call.hangup", {"call_id": call["id"]})
            assert answered["end_reason"] == "ended"
    finally:
        await alice.http.close()
        await bob.http.close()
