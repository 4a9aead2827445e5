"""Group calls through a real Janus (PRODUCT.md G3; decision 0078), on SQLite and PostgreSQL:
starting and joining a group's call, every member told of it, the SFU answering a device's
offer, the host's mute, leaving and the last one out ending it with its records, the size
limit under many concurrent joiners, the busy line, the keep-alive sweep, and every denial
and bad input. Media itself is tested in Chromium (tests/browser/test_group_calls.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.support.calls import CallPushes, call_entries, code_of, connected, second_device
from tests.support.janus import Janus, running_janus
from tests.support.server import ServerProcess, new_pg_database, remove_pg_database
from tests.support.social import new_group
from tests.support.users import Person, register
from tidings.sdk import ServerError, TidingsClient

SERVER_ENV = {
    # A member whose device stops reporting is out after 2 s; the sweep looks every 0.1 s.
    "TIDINGS_CALL_LOST_SECONDS": "2",
    "TIDINGS_CALL_SWEEP_SECONDS": "0.1",
    "TIDINGS_CALL_SIGNAL_MAX_BYTES": "4096",
    "TIDINGS_RATE_CALL_START": "30/1m",
}
_FP = ":".join(["AB"] * 32)


def offer_sdp() -> str:
    """A browser-like offer of one audio and one video stream (what Janus needs to answer;
    no media follows it)."""
    lines = ["v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0"]
    lines += ["a=group:BUNDLE 0 1", "a=msid-semantic: WMS s1"]
    for mid, kind, pt, codec in (
        ("0", "audio", 111, "opus/48000/2"),
        ("1", "video", 96, "VP8/90000"),
    ):
        lines += [
            f"m={kind} 9 UDP/TLS/RTP/SAVPF {pt}",
            "c=IN IP4 0.0.0.0",
            "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:abcd",
            "a=ice-pwd:abcdefghijklmnopqrstuvwx",
            "a=ice-options:trickle",
            f"a=fingerprint:sha-256 {_FP}",
            "a=setup:actpass",
            f"a=mid:{mid}",
            "a=sendonly",
            f"a=msid:s1 {kind[0]}1",
            "a=rtcp-mux",
            f"a=rtpmap:{pt} {codec}",
            f"a=ssrc:{1000 + pt} cname:c1",
        ]
    return "\r\n".join(lines) + "\r\n"


@pytest.fixture(scope="module")
def janus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Janus]:
    with running_janus(tmp_path_factory.mktemp("janus")) as running:
        yield running


def _server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    env: dict[str, str],
) -> Iterator[ServerProcess]:
    env = dict(env)
    database = new_pg_database() if request.param == "postgresql" else None
    if database is not None:
        env["TIDINGS_DATABASE_URL"] = database
    process = ServerProcess(tmp_path_factory.mktemp("group-calls"), env=env)
    process.start()
    yield process
    process.stop()
    if database is not None:
        remove_pg_database(database)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, janus: Janus
) -> Iterator[str]:
    for process in _server(request, tmp_path_factory, {**SERVER_ENV, **janus.env}):
        yield process.base_url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def small_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, janus: Janus
) -> Iterator[str]:
    """Video calls of at most 3, voice calls of at most 4."""
    env = {
        **SERVER_ENV,
        **janus.env,
        "TIDINGS_CALL_GROUP_MAX_VIDEO": "3",
        "TIDINGS_CALL_GROUP_MAX_VOICE": "4",
    }
    for process in _server(request, tmp_path_factory, env):
        yield process.base_url


@asynccontextmanager
async def people(url: str, *names: str) -> AsyncIterator[list[Person]]:
    made = [await register(url, name) for name in names]
    try:
        yield made
    finally:
        for person in made:
            await person.http.close()


def group_pushes(pushes: CallPushes, call_id: int) -> list[dict[str, Any]]:
    return pushes.of("call_group", call_id)


async def test_members_start_join_publish_and_leave_and_the_group_hears_all_of_it(
    url: str,
) -> None:
    async with people(url, "alice", "bob", "carol", "dave") as (alice, bob, carol, dave):
        a, b, c, d = (p.client(url) for p in (alice, bob, carol, dave))
        pa, pb, pc, pd = (CallPushes(x) for x in (a, b, c, d))
        async with connected(a, b, c, d):
            group = await new_group(a, bob, carol, dave)
            call = await a.request("call.start", {"conversation_id": group, "media": "video"})
            assert call["kind"] == "group" and call["state"] == "active"
            assert call["caller_id"] == alice.id and call["callee_id"] is None
            assert [p["user_id"] for p in call["participants"]] == [alice.id]
            # Every member hears it started, on every device: the group shows "call in progress".
            for pushes in (pa, pb, pc, pd):
                started = await pushes.wait("call_group", call["id"])
                assert started["state"] == "active"
            # A member starting it too joins the same call (one live call per group); another
            # joins it by id.
            again = await c.request("call.start", {"conversation_id": group, "media": "audio"})
            assert again["id"] == call["id"] and again["media"] == "video"
            joined = await b.request("call.join", {"call_id": call["id"]})
            assert {p["user_id"] for p in joined["participants"] if p["live"]} == {
                alice.id,
                bob.id,
                carol.id,
            }
            seen = await pd.wait("call_group", call["id"])
            await _eventually_live(pd, call["id"], {alice.id, bob.id, carol.id})
            assert seen["kind"] == "group"
            # A member not in it reads it, and sees it among the live calls of their groups.
            assert (await d.request("call.get", {"call_id": call["id"]}))["live_count"] == 3
            live = await d.request("call.live", {})
            assert [x["id"] for x in live["calls"]] == [call["id"]] and live["available"] is True
            assert (await b.request("call.current", {}))["call"]["id"] == call["id"]
            assert (await d.request("call.current", {}))["call"] is None
            # The SFU answers a device's offer of what it sends.
            published = await b.request(
                "call.publish",
                {"call_id": call["id"], "description": {"type": "offer", "sdp": offer_sdp()}},
            )
            assert published["description"]["type"] == "answer"
            assert "m=audio" in published["description"]["sdp"]
            candidate = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"}
            await b.request("call.signal", {"call_id": call["id"], "candidate": candidate})
            # Mute and camera reach everyone; a keep-alive changes nothing.
            await b.request("call.media", {"call_id": call["id"], "audio": True, "video": False})
            await _eventually(pd, call["id"], lambda w: _party(w, bob.id).get("video") is False)
            # The host (the starter, the group's owner) mutes a member; the member sees it.
            muted = await a.request("call.mute_member", {"call_id": call["id"], "user_id": bob.id})
            assert _party(muted, bob.id)["host_muted"] is True
            assert _party(muted, bob.id)["audio"] is False
            await _eventually(pb, call["id"], lambda w: _party(w, bob.id).get("host_muted") is True)
            # Unmuting oneself lifts it.
            back = await b.request(
                "call.media", {"call_id": call["id"], "audio": True, "video": False}
            )
            assert _party(back, bob.id)["host_muted"] is False
            # Leaving: the call goes on for the others, and ends with the last one out.
            left = await b.request("call.leave", {"call_id": call["id"]})
            assert left["state"] == "active" and _party(left, bob.id)["live"] is False
            await c.request("call.hangup", {"call_id": call["id"]})
            # Leaving twice is the same answer.
            assert (await b.request("call.leave", {"call_id": call["id"]}))["state"] == "active"
            ended = await a.request("call.leave", {"call_id": call["id"]})
            assert ended["state"] == "ended" and ended["duration_ms"] >= 0
            for pushes in (pa, pb, pc, pd):
                await _eventually(pushes, call["id"], lambda w: w["state"] == "ended")
            assert (await d.request("call.live", {}))["calls"] == []
            # The log keeps "started by" and "ended, duration", once each.
            entries = [
                e for e in await call_entries(d, group) if e["body"]["call_id"] == call["id"]
            ]
            assert [e["type"] for e in entries] == ["group_started", "ended"]
            assert all(e["sender_id"] == alice.id for e in entries)
            assert entries[1]["body"]["group"] is True and entries[1]["body"]["participants"] == 3
            assert "duration_ms" in entries[1]["body"]
            # Signalling after the end.
            offer = {"type": "offer", "sdp": offer_sdp()}
            for op, data in (
                ("call.publish", {"call_id": call["id"], "description": offer}),
                ("call.signal", {"call_id": call["id"], "candidate": candidate}),
                ("call.join", {"call_id": call["id"]}),
                ("call.media", {"call_id": call["id"], "audio": True, "video": True}),
                ("call.mute_member", {"call_id": call["id"], "user_id": alice.id}),
            ):
                assert await code_of(b.request(op, data)) == "call_ended", op
            # A new start makes a new call.
            fresh = await d.request("call.start", {"conversation_id": group, "media": "audio"})
            assert fresh["id"] != call["id"]
            await d.request("call.leave", {"call_id": fresh["id"]})


async def test_who_may_do_what_in_a_group_call(url: str) -> None:
    async with people(url, "alice", "bob", "carol", "eve") as (alice, bob, carol, eve):
        a, b, c, e = (p.client(url) for p in (alice, bob, carol, eve))
        async with connected(a, b, c, e):
            group = await new_group(a, bob, carol)
            call = await b.request("call.start", {"conversation_id": group, "media": "audio"})
            # Not a member: cannot start, join, read, publish or mute; ids are not probed.
            assert (
                await code_of(e.request("call.start", {"conversation_id": group})) == "not_member"
            )
            for op, data in (
                ("call.join", {"call_id": call["id"]}),
                ("call.get", {"call_id": call["id"]}),
                ("call.mute_member", {"call_id": call["id"], "user_id": bob.id}),
                (
                    "call.publish",
                    {"call_id": call["id"], "description": {"type": "offer", "sdp": "x"}},
                ),
                ("call.join", {"call_id": 987654321}),
            ):
                assert await code_of(e.request(op, data)) == "not_found", op
            assert (await e.request("call.live", {}))["calls"] == []
            # A plain member (not the owner, an admin or the starter) may not mute others.
            await c.request("call.join", {"call_id": call["id"]})
            assert (
                await code_of(
                    c.request("call.mute_member", {"call_id": call["id"], "user_id": bob.id})
                )
                == "forbidden"
            )
            # The group's owner may, though she is not in the call; only members in it are muted.
            await a.request("call.mute_member", {"call_id": call["id"], "user_id": carol.id})
            assert (
                await code_of(
                    a.request("call.mute_member", {"call_id": call["id"], "user_id": eve.id})
                )
                == "not_found"
            )
            # A device not in the call cannot publish or signal for it.
            other = await second_device(url, carol)
            async with connected(other):
                offer = {"type": "offer", "sdp": offer_sdp()}
                assert (
                    await code_of(
                        other.request("call.publish", {"call_id": call["id"], "description": offer})
                    )
                    == "forbidden"
                )
            # A member who left the group is out of its calls too.
            await c.request("call.leave", {"call_id": call["id"]})
            await c.request("group.leave", {"conversation_id": group})
            assert await code_of(c.request("call.join", {"call_id": call["id"]})) == "not_found"
            assert (
                await code_of(c.request("call.start", {"conversation_id": group})) == "not_member"
            )
            # Bad input: an oversized offer, an answer where an offer goes, a client offer by
            # call.signal, garbage the SFU refuses, a signal with neither part.
            big = {"type": "offer", "sdp": "v=0\r\n" + "a=x\r\n" * 2000}
            assert (
                await code_of(
                    b.request("call.publish", {"call_id": call["id"], "description": big})
                )
                == "payload_too_large"
            )
            answer = {"type": "answer", "sdp": offer_sdp()}
            assert (
                await code_of(
                    b.request("call.publish", {"call_id": call["id"], "description": answer})
                )
                == "invalid_input"
            )
            assert (
                await code_of(
                    b.request(
                        "call.signal",
                        {"call_id": call["id"], "description": {"type": "offer", "sdp": "v=0"}},
                    )
                )
                == "invalid_input"
            )
            assert (
                await code_of(
                    b.request(
                        "call.publish",
                        {
                            "call_id": call["id"],
                            "description": {"type": "offer", "sdp": "nonsense"},
                        },
                    )
                )
                == "invalid_input"
            )
            assert (
                await code_of(b.request("call.signal", {"call_id": call["id"]})) == "invalid_input"
            )
            # Group calls do not ring: there is nothing to decline.
            assert await code_of(a.request("call.decline", {"call_id": call["id"]})) == "conflict"
            await b.request("call.leave", {"call_id": call["id"]})


async def test_one_live_call_per_person(url: str) -> None:
    async with people(url, "alice", "bob", "carol") as (alice, bob, carol):
        a, b, c = (p.client(url) for p in (alice, bob, carol))
        async with connected(a, b, c):
            group = await new_group(a, bob, carol)
            direct = int((await a.request("conversation.open_direct", {"peer_id": bob.id}))["id"])
            one_to_one = await a.request("call.start", {"conversation_id": direct})
            # In a one-to-one call (even a ringing one), one neither starts nor joins a group call.
            assert (
                await code_of(a.request("call.start", {"conversation_id": group}))
                == "in_another_call"
            )
            call = await c.request("call.start", {"conversation_id": group})
            assert (
                await code_of(a.request("call.join", {"call_id": call["id"]})) == "in_another_call"
            )
            await a.request("call.hangup", {"call_id": one_to_one["id"]})
            # In a group call, a one-to-one call to one is busy.
            await a.request("call.join", {"call_id": call["id"]})
            busy = await b.request("call.start", {"conversation_id": direct})
            assert busy["end_reason"] == "busy"
            await a.request("call.leave", {"call_id": call["id"]})
            await c.request("call.leave", {"call_id": call["id"]})


async def test_a_member_whose_device_goes_quiet_is_taken_out_and_the_call_ends(url: str) -> None:
    async with people(url, "alice", "bob") as (alice, bob):
        a, b = alice.client(url), bob.client(url)
        pb = CallPushes(b)
        async with connected(a, b):
            group = await new_group(a, bob)
            call = await a.request("call.start", {"conversation_id": group, "media": "video"})
            await b.request("call.join", {"call_id": call["id"]})
            # Bob's device reports; Alice's does not: she is out after the deadline, he stays.
            for _ in range(12):
                await b.request("call.media", {"call_id": call["id"], "audio": True, "video": True})
                await asyncio.sleep(0.3)
            now = await b.request("call.get", {"call_id": call["id"]})
            assert now["state"] == "active"
            assert _party(now, alice.id)["live"] is False and _party(now, bob.id)["live"] is True
            # Then his goes quiet too ("lost" is no report of being there): the call ends.
            await b.request(
                "call.media",
                {"call_id": call["id"], "audio": True, "video": True, "connection": "lost"},
            )
            await _eventually(pb, call["id"], lambda w: w["state"] == "ended")
            entries = [
                e for e in await call_entries(b, group) if e["body"]["call_id"] == call["id"]
            ]
            assert [e["type"] for e in entries] == ["group_started", "ended"]


async def test_a_device_that_reconnects_joins_again_and_publishes_again(url: str) -> None:
    async with people(url, "alice", "bob") as (alice, bob):
        a = alice.client(url)
        async with connected(a):
            group = await new_group(a, bob)
            call = await a.request("call.start", {"conversation_id": group, "media": "video"})
            offer = {"type": "offer", "sdp": offer_sdp()}
            publish = {"call_id": call["id"], "description": offer}
            b = bob.client(url)
            async with connected(b):
                await b.request("call.join", {"call_id": call["id"]})
                assert (await b.request("call.publish", publish))["description"]["type"] == (
                    "answer"
                )
            # Bob's WebSocket closed: his SFU session went with it, his place did not.
            now = await a.request("call.get", {"call_id": call["id"]})
            assert _party(now, bob.id)["live"] is True and now["live_count"] == 2
            b = bob.client(url)
            async with connected(b):
                assert await code_of(b.request("call.publish", publish)) == "forbidden"
                again = await b.request("call.join", {"call_id": call["id"]})
                assert again["live_count"] == 2
                assert (await b.request("call.publish", publish))["description"]["type"] == (
                    "answer"
                )
                await b.request("call.leave", {"call_id": call["id"]})
            await a.request("call.leave", {"call_id": call["id"]})


async def test_the_size_limit_holds_under_many_concurrent_joiners(small_url: str) -> None:
    await _concurrent_joins(small_url, [small_url], video_limit=3, voice_limit=4)


async def _concurrent_joins(
    first: str, urls: list[str], *, video_limit: int, voice_limit: int
) -> None:
    owner = await register(first, "owner")
    crowd = [await register(urls[i % len(urls)], f"joiner{i}") for i in range(9)]
    o = owner.client(first)
    clients = [p.client(urls[i % len(urls)]) for i, p in enumerate(crowd)]
    async with connected(o, *clients):
        group = await new_group(o, *crowd)
        for media, limit in (("video", video_limit), ("audio", voice_limit)):
            # Everyone starts at once: one call, and no more than the limit in it.
            results = await asyncio.gather(
                *(
                    x.request("call.start", {"conversation_id": group, "media": media})
                    for x in clients
                ),
                return_exceptions=True,
            )
            ins = [r for r in results if isinstance(r, dict)]
            outs = [getattr(r, "code", repr(r)) for r in results if not isinstance(r, dict)]
            assert len(ins) == limit, results
            assert set(outs) == {"call_full"}, outs
            assert len({r["id"] for r in ins}) == 1
            call = await o.request("call.get", {"call_id": ins[0]["id"]})
            assert call["live_count"] == limit and call["media"] == media
            assert sum(p["live"] for p in call["participants"]) == limit
            # One out, one more in.
            inside = [x for x, r in zip(clients, results, strict=True) if isinstance(r, dict)]
            outside = [x for x, r in zip(clients, results, strict=True) if not isinstance(r, dict)]
            await inside[0].request("call.leave", {"call_id": call["id"]})
            await outside[0].request("call.join", {"call_id": call["id"]})
            assert (
                await code_of(outside[1].request("call.join", {"call_id": call["id"]}))
                == "call_full"
            )
            for x in [*inside[1:], outside[0]]:
                await x.request("call.leave", {"call_id": call["id"]})
            assert (await o.request("call.get", {"call_id": call["id"]}))["state"] == "ended"
    await owner.http.close()
    for p in crowd:
        await p.http.close()


async def test_a_video_call_holds_sixteen_of_eighteen_joining_at_once(url: str) -> None:
    """The product's limit, not a test setting: 16 people in a group video call."""
    names = [f"crowd{i}" for i in range(18)]
    async with people(url, "host", *names) as (host, *crowd):
        h = host.client(url)
        clients = [p.client(url) for p in crowd]
        async with connected(h, *clients):
            group = await new_group(h, *crowd)
            results = await asyncio.gather(
                *(
                    x.request("call.start", {"conversation_id": group, "media": "video"})
                    for x in clients
                ),
                return_exceptions=True,
            )
            ins = [r for r in results if isinstance(r, dict)]
            outs = [getattr(r, "code", repr(r)) for r in results if not isinstance(r, dict)]
            assert len(ins) == 16 and outs == ["call_full", "call_full"], outs
            call = await h.request("call.get", {"call_id": ins[0]["id"]})
            assert call["live_count"] == 16
            assert await code_of(h.request("call.join", {"call_id": call["id"]})) == "call_full"
            for x, r in zip(clients, results, strict=True):
                if isinstance(r, dict):
                    await x.request("call.leave", {"call_id": call["id"]})
            assert (await h.request("call.get", {"call_id": call["id"]}))["state"] == "ended"


async def test_starting_group_calls_is_rate_limited(url: str) -> None:
    async with people(url, "alice", "bob") as (alice, bob):
        a = alice.client(url)
        async with connected(a):
            group = await new_group(a, bob)
            codes: list[str] = []
            # CALL_START is 30 a minute here (one more every 2 s as time passes); a start
            # that joins counts as well.
            while "rate_limited" not in codes and len(codes) < 45:
                try:
                    call = await a.request("call.start", {"conversation_id": group})
                    await a.request("call.leave", {"call_id": call["id"]})
                    codes.append("ok")
                except ServerError as error:
                    codes.append(error.code)
            assert codes[-1] == "rate_limited" and codes.count("ok") >= 30, codes


@pytest.fixture(scope="module")
def bare_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server without Janus."""
    process = ServerProcess(tmp_path_factory.mktemp("no-janus"), env=SERVER_ENV)
    process.start()
    yield process.base_url
    process.stop()


async def test_without_an_sfu_group_calls_say_so(bare_url: str) -> None:
    async with people(bare_url, "alice", "bob") as (alice, bob):
        a = alice.client(bare_url)
        async with connected(a):
            group = await new_group(a, bob)
            code = await code_of(a.request("call.start", {"conversation_id": group}))
            assert code == "group_calls_unavailable"
            assert (await a.request("call.live", {}))["available"] is False
            # One-to-one calls need none.
            direct = int((await a.request("conversation.open_direct", {"peer_id": bob.id}))["id"])
            call = await a.request("call.start", {"conversation_id": direct})
            await a.request("call.hangup", {"call_id": call["id"]})


def _party(wire: dict[str, Any], user_id: int) -> dict[str, Any]:
    return next((p for p in wire["participants"] if p["user_id"] == user_id), {})


async def _eventually(pushes: CallPushes, call_id: int, check: Any) -> dict[str, Any]:
    from tests.support.waiting import eventually

    found = await eventually(
        lambda: [w for w in group_pushes(pushes, call_id) if check(w)], within=15
    )
    return found[-1]


async def _eventually_live(pushes: CallPushes, call_id: int, users: set[int]) -> None:
    await _eventually(
        pushes, call_id, lambda w: {p["user_id"] for p in w["participants"] if p["live"]} == users
    )


__all__ = ["TidingsClient"]
