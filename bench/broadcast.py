"""Broadcast benchmark (issue 13, "Measure"; decision 0058).

    .venv/bin/python bench/broadcast.py --users 100000 --online 10000
    .venv/bin/python bench/broadcast.py --users 100000 --online 10000 --batch 1000

A notice to everyone on the embedded default (SQLite): ``--users`` accounts, each with its
system-notices conversation and a live session, of whom ``--online``, spread evenly over
the ids, hold a WebSocket connection (scale.py's lean sockets). The admin posts the
broadcast over REST and the benchmark reports:

- accepted: the POST's answer (the audience is resolved and frozen in that transaction);
- stored: until the broadcast reads ``sent`` (every recipient's entry committed), polled
  every 50 ms, and the fan-out's rate in entries per second;
- pushed: until every online user had the notice's push, with p50/p99 of the per-user
  delay; each online user must get it exactly once;
- a chat message's round trip (send to ack) sampled during the fan-out, against one before:
  the batches hold the SQLite writer, and this is what other people's sends feel.

Users, system conversations and sessions are written straight into the database before the
server starts, as scale.py does (creating 100,000 accounts through the API would measure
argon2); everything measured goes through the real server and real sockets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import uvloop
from harness import Server, fmt_ms, percentile, raise_nofile_limit
from lean import LeanSocket, connect
from messaging import machine
from scale import close_all, keepalive, open_many
from sqlalchemy import insert, update

from tidings.auth.tokens import token_hash
from tidings.config import Settings
from tidings.store.database import Database
from tidings.store.schema import conversations, members, sessions, users

RESULTS = Path(__file__).resolve().parent / "results"
DAY_MS = 86_400_000
CHUNK = 5000


async def _seed(data_dir: Path, count: int) -> list[tuple[int, str]]:
    """``count`` users, each with a system conversation and a live web session; the first
    is a server admin (super_admin)."""
    database = Database(Settings(data_dir=data_dir))
    await database.migrate()
    now = int(time.time() * 1000)
    people: list[tuple[int, str]] = []
    async with database.engine.begin() as conn:
        for start in range(1, count + 1, CHUNK):
            ids = range(start, min(start + CHUNK, count + 1))
            tokens = {i: f"bench-{i}-{secrets.token_urlsafe(12)}" for i in ids}
            people.extend(tokens.items())
            await conn.execute(
                insert(users),
                [
                    {
                        "id": i,
                        "account": f"u{i:06d}",
                        "password_hash": "-",
                        "nickname": f"User {i}",
                        "created_at": now,
                        "system_conversation_id": i,
                    }
                    for i in ids
                ],
            )
            await conn.execute(
                insert(conversations),
                [
                    {"id": i, "type": "system", "last_activity_at": now, "created_at": now}
                    for i in ids
                ],
            )
            await conn.execute(
                insert(members),
                [
                    {"conversation_id": i, "user_id": i, "role": "member", "joined_at": now}
                    for i in ids
                ],
            )
            await conn.execute(
                insert(sessions),
                [
                    {
                        "user_id": i,
                        "token_hash": token_hash(tokens[i]),
                        "platform": "web",
                        "created_at": now,
                        "last_seen_at": now,
                        "expires_at": now + 30 * DAY_MS,
                    }
                    for i in ids
                ],
            )
        role = {"admin_role": "super_admin"} if "admin_role" in users.c else {"is_admin": True}
        await conn.execute(update(users).where(users.c.id == 1).values(**role))
    await database.dispose()
    return people


async def _round_trip(sender: LeanSocket, conversation_id: int, number: int) -> float:
    started = time.perf_counter()
    await sender.request(
        "send",
        {
            "conversation_id": conversation_id,
            "client_msg_id": f"rt-{number}",
            "type": "text",
            "body": {"text": f"during the broadcast {number}"},
        },
    )
    return time.perf_counter() - started


async def _run(server: Server, people: list[tuple[int, str]], online: int) -> dict[str, Any]:
    (_, admin_token), everyone = people[0], people
    # The last two chat with each other during the fan-out; `online` others, spread evenly
    # over the ids (fan-out goes in id order: the first ids alone would hear it first), listen.
    candidates = everyone[1:-2]
    step = max(len(candidates) // max(online, 1), 1)
    listeners = candidates[::step][:online]
    (_, a_token), (b_id, _) = everyone[-2], everyone[-1]
    heard_at: dict[int, float] = {}
    heard: Counter[int] = Counter()
    everyone_heard = asyncio.Event()

    def on_push(socket: LeanSocket, payload: bytes, now: float) -> None:
        if not payload.startswith(b'{"push":"entry"') or b'"notice"' not in payload:
            return
        heard[socket.index] += 1
        heard_at.setdefault(socket.index, now)
        if len(heard_at) == len(listeners):
            everyone_heard.set()

    started = time.monotonic()
    sockets = await open_many(server.ws_url, [t for _, t in listeners], on_push)
    print(f"  {len(sockets):,} users connected in {time.monotonic() - started:.1f} s")
    chatter = await connect(server.ws_url, source="127.0.0.9", token=a_token)
    direct = await chatter.request("conversation.open_direct", {"peer_id": b_id})
    baseline = [await _round_trip(chatter, int(direct["id"]), n) for n in range(20)]
    pinger = asyncio.create_task(keepalive([*sockets, chatter]))
    auth = {"Authorization": f"Bearer {admin_token}"}
    during: list[float] = []
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=600) as http:
            posted_at = time.perf_counter()
            created = await http.post(
                "/api/v1/admin/broadcasts",
                json={
                    "title": "Benchmark notice",
                    "text": "One notice to everyone.",
                    "audience": {"everyone": True},
                },
                headers=auth,
            )
            accepted = time.perf_counter() - posted_at
            created.raise_for_status()
            broadcast = created.json()
            stored = 0.0
            number = 100
            while True:
                during.append(await _round_trip(chatter, int(direct["id"]), number))
                number += 1
                found = (
                    await http.get(f"/api/v1/admin/broadcasts/{broadcast['id']}", headers=auth)
                ).json()
                if found["state"] == "sent":
                    stored = time.perf_counter() - posted_at
                    break
                await asyncio.sleep(0.05)
            try:
                await asyncio.wait_for(everyone_heard.wait(), 120)
            except TimeoutError:
                print(f"  only {len(heard_at):,} of {len(listeners):,} heard it in 120 s")
            pushed = max(heard_at.values(), default=posted_at) - posted_at
        metrics = server.metrics()
    finally:
        pinger.cancel()
        close_all([*sockets, chatter])
    label = 'tidings_transaction_seconds_{0}{{name="broadcast_fan_out"}}'
    batches = metrics.get(label.format("count"), 0)
    batch_s = metrics.get(label.format("sum"), 0) / batches if batches else 0
    delays = [at - posted_at for at in heard_at.values()]
    duplicated = sum(1 for c in heard.values() if c > 1)
    result = {
        "users": len(everyone),
        "online": len(listeners),
        "recipients": found["recipient_count"],
        "delivered": found["delivered_count"],
        "accepted_ms": 1000 * accepted,
        "all_stored_s": stored,
        "entries_per_s": found["delivered_count"] / stored if stored else 0,
        "all_online_pushed_s": pushed,
        "push_p50_s": percentile(delays, 50),
        "push_p99_s": percentile(delays, 99),
        "heard": len(heard_at),
        "duplicated": duplicated,
        "send_rtt_before_p50_ms": 1000 * percentile(baseline, 50),
        "send_rtt_during_p50_ms": 1000 * percentile(during, 50),
        "send_rtt_during_p99_ms": 1000 * percentile(during, 99),
        "send_rtt_during_max_ms": 1000 * max(during, default=0),
        "batches": batches,
        "batch_transaction_mean_ms": 1000 * batch_s,
        "log": server.log_problems(),
    }
    print(
        f"  accepted in {fmt_ms(accepted)} (audience of {found['recipient_count']:,} fixed); "
        f"all {found['delivered_count']:,} stored after {stored:.2f} s "
        f"({result['entries_per_s']:,.0f} entries/s)"
    )
    print(
        f"  all {len(heard_at):,} online users pushed after {pushed:.2f} s "
        f"(p50 {percentile(delays, 50):.2f} s, p99 {percentile(delays, 99):.2f} s), "
        f"{duplicated} duplicated"
    )
    print(
        f"  a chat send's round trip: p50 {fmt_ms(percentile(baseline, 50))} before; during "
        f"the fan-out p50 {fmt_ms(percentile(during, 50))}, p99 "
        f"{fmt_ms(percentile(during, 99))}, max {fmt_ms(max(during, default=0))}"
    )
    print(f"  {batches:.0f} fan-out transactions, {fmt_ms(batch_s)} each on average")
    print(f"  server log problems: {result['log'] or 'none'}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--online", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=None, help="TIDINGS_BROADCAST_BATCH")
    parser.add_argument("--source", type=Path, default=None)
    args = parser.parse_args()
    raise_nofile_limit(args.online + 10_000)
    print(
        f"\n== broadcast to everyone: {args.users:,} users, {args.online:,} online, "
        "embedded default (SQLite)"
    )
    data_dir = Path(tempfile.mkdtemp(prefix="tidings-bench-broadcast-"))
    env = {"TIDINGS_BROADCAST_BATCH": str(args.batch)} if args.batch else {}
    try:
        started = time.monotonic()
        people = uvloop.run(_seed(data_dir, args.users))
        print(f"  seeded {args.users:,} users in {time.monotonic() - started:.1f} s")
        with Server(data_dir=data_dir, source=args.source, env=env) as server:
            result = uvloop.run(_run(server, people, args.online))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    result["machine"] = machine()
    result["batch"] = args.batch or Settings().broadcast_batch
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"broadcast-{int(time.time())}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"  results: {out}")


if __name__ == "__main__":
    main()
