"""Scale benchmarks (issue 6, "Measure"): many connections, big groups, reconnect storms.

    .venv/bin/python bench/scale.py idle --connections 25000,50000,100000 --users 10000
    .venv/bin/python bench/scale.py fanout --members 10000 --online 10000
    .venv/bin/python bench/scale.py fanout --members 100000 --online 10000
    .venv/bin/python bench/scale.py fanout --members 100000 --online 10000 --nodes 2
    .venv/bin/python bench/scale.py storm --clients 10000 --missed 100

idle:   N authenticated connections held idle by one node (pinged every 25 s like a client
        would), opened from several 127.0.0.x source addresses; server RSS per connection.
fanout: a group of M members of whom K are online (one connection each) gets one message at
        a time from its owner; the delay from sending to each online member's push, over
        every (message, member) pair: p50/p99/max, and each member got each message once.
        With ``--nodes N`` (N >= 2): N nodes on one PostgreSQL and one Redis, member i on
        node i mod N, the owner on the first.
storm:  C clients in groups of 100 each miss ``--missed`` messages while offline, then all
        reconnect at once: authenticate, sync, fetch the missed history; total time and the
        time per client. Every client must end holding every missed message.

Users and their sessions are written straight into the database before the server starts
(creating 100,000 accounts through the API would measure argon2), groups are made and
members added through the REST API, and everything measured goes through the real server
and real sockets. The clients are ``lean.LeanSocket``s in this one process, which also
raises its open-file limit (root may raise it to fs.nr_open).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import psutil  # type: ignore[import-untyped]
import uvloop
from harness import (
    Server,
    export_commit,
    fmt_ms,
    median,
    percentile,
    raise_nofile_limit,
    settled_rss,
)
from lean import LeanSocket, connect, source_address
from messaging import machine
from sqlalchemy import insert

from tidings.auth.tokens import token_hash
from tidings.config import Settings
from tidings.store.database import Database
from tidings.store.schema import sessions, users

RESULTS = Path(__file__).resolve().parent / "results"
CONNECT_CONCURRENCY = 500
DAY_MS = 86_400_000


# Seeding


async def _seed(data_dir: Path, count: int, database_url: str = "") -> list[tuple[int, str]]:
    """``count`` users with one live web session each: (user id, bearer token), in the
    embedded database of ``data_dir`` or the one at ``database_url``."""
    database = Database(Settings(data_dir=data_dir, database_url=database_url))
    await database.migrate()
    now = int(time.time() * 1000)
    people: list[tuple[int, str]] = []
    user_rows, session_rows = [], []
    for user_id in range(1, count + 1):
        token = f"bench-{user_id}-{secrets.token_urlsafe(12)}"
        people.append((user_id, token))
        user_rows.append(
            {
                "id": user_id,
                "account": f"u{user_id:06d}",
                "password_hash": "-",
                "nickname": f"User {user_id}",
                "created_at": now,
            }
        )
        session_rows.append(
            {
                "user_id": user_id,
                "token_hash": token_hash(token),
                "platform": "web",
                "created_at": now,
                "last_seen_at": now,
                "expires_at": now + 30 * DAY_MS,
            }
        )
    async with database.engine.begin() as conn:
        for start in range(0, count, 5000):
            await conn.execute(insert(users), user_rows[start : start + 5000])
            await conn.execute(insert(sessions), session_rows[start : start + 5000])
    await database.dispose()
    return people


def seed(data_dir: Path, count: int, database_url: str = "") -> list[tuple[int, str]]:
    started = time.monotonic()
    people = uvloop.run(_seed(data_dir, count, database_url))
    print(f"  seeded {count:,} users with sessions in {time.monotonic() - started:.1f} s")
    return people


async def create_group(base_url: str, owner_token: str, member_ids: list[int]) -> int:
    """A group of the owner and ``member_ids`` through the REST API, members added in chunks."""
    auth = {"Authorization": f"Bearer {owner_token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=600) as http:
        created = await http.post(
            "/api/v1/conversations", json={"type": "group", "name": "Bench group"}, headers=auth
        )
        created.raise_for_status()
        group = int(created.json()["id"])
        for start in range(0, len(member_ids), 5000):
            added = await http.post(
                f"/api/v1/conversations/{group}/members",
                json={"user_ids": member_ids[start : start + 5000]},
                headers=auth,
            )
            added.raise_for_status()
    return group


async def open_many(
    url: str,
    tokens: list[str],
    on_push: Callable[[LeanSocket, bytes, float], None] | None = None,
    after: Callable[[LeanSocket], Awaitable[None]] | None = None,
    first: int = 0,
) -> list[LeanSocket]:
    """One authenticated connection per token, ``CONNECT_CONCURRENCY`` at a time; they are
    numbered from ``first`` on (the number picks the source address)."""
    limit = asyncio.Semaphore(CONNECT_CONCURRENCY)
    sockets: list[LeanSocket | None] = [None] * len(tokens)

    async def one(index: int) -> None:
        async with limit:
            socket = await connect(
                url,
                source=source_address(first + index),
                index=first + index,
                token=tokens[index],
                on_push=on_push,
            )
            if after is not None:
                await after(socket)
        sockets[index] = socket

    await asyncio.gather(*(one(i) for i in range(len(tokens))))
    return [s for s in sockets if s is not None]


async def keepalive(sockets: list[LeanSocket], every: float = 25.0) -> None:
    """A ping on every connection every ``every`` seconds, as clients do (75 s timeout)."""
    ping = orjson.dumps({"op": "ping"})
    while True:
        await asyncio.sleep(every)
        for index, socket in enumerate(list(sockets)):
            socket.send_raw(ping)
            if index % 5000 == 4999:
                await asyncio.sleep(0)


def close_all(sockets: list[LeanSocket]) -> None:
    for socket in sockets:
        socket.close()


def on_seeded_server(
    args: argparse.Namespace,
    name: str,
    users: int,
    run: Callable[[Server, list[tuple[int, str]]], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """Seed ``users`` into a fresh data directory, start a server on it, run, clean up."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"tidings-scale-{name}-"))
    try:
        people = seed(data_dir, users)
        with Server(data_dir=data_dir, source=args.source) as server:
            return uvloop.run(run(server, people))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def on_seeded_cluster(
    args: argparse.Namespace,
    users: int,
    nodes: int,
    run: Callable[[list[Server], list[tuple[int, str]]], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """Seed ``users`` into a fresh PostgreSQL database, start ``nodes`` servers on it and a
    private Redis (as ``messaging.py cluster`` does), run, clean up."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.support.server import RedisProcess, new_pg_database, remove_pg_database

    database = new_pg_database()
    redis = RedisProcess()
    redis.start()
    data_dir = Path(tempfile.mkdtemp(prefix="tidings-scale-cluster-"))
    servers: list[Server] = []
    try:
        people = seed(data_dir, users, database)
        env = {"TIDINGS_DATABASE_URL": database, "TIDINGS_REDIS_URL": redis.url}
        for _ in range(nodes):
            # Listed before it starts: one that fails to come up is stopped too.
            servers.append(Server(source=args.source, env=env))
            servers[-1].start()
        return uvloop.run(run(servers, people))
    finally:
        for server in servers:
            server.stop()
        redis.stop()
        remove_pg_database(database)
        shutil.rmtree(data_dir, ignore_errors=True)


# Scenarios


def scenario_idle(args: argparse.Namespace) -> dict[str, Any]:
    levels = sorted(args.connections)
    print(
        f"\n== idle: {', '.join(f'{n:,}' for n in levels)} authenticated idle connections "
        f"from {args.users:,} users, one node, embedded default"
    )
    limit = raise_nofile_limit(levels[-1] + 1_000)
    print(f"  open-file limit {limit:,} per process (server and load generator each)")
    if limit < levels[-1] + 500:
        print(
            f"  warning: {levels[-1]:,} connections need a higher limit: raising the hard limit "
            "takes root with CAP_SYS_RESOURCE (or `ulimit -Hn` set by whoever starts this)"
        )
    return on_seeded_server(
        args,
        "idle",
        args.users,
        lambda server, people: _idle(server, [t for _, t in people], levels),
    )


async def _idle(server: Server, tokens: list[str], levels: list[int]) -> dict[str, Any]:
    warm = await open_many(server.ws_url, tokens[:200])
    close_all(warm)
    baseline = await settled_rss(server, 0)
    sockets: list[LeanSocket] = []
    pinger = asyncio.create_task(keepalive(sockets))
    points = []
    try:
        for level in levels:
            started = time.monotonic()
            wanted = [tokens[i % len(tokens)] for i in range(len(sockets), level)]
            sockets.extend(await open_many(server.ws_url, wanted, first=len(sockets)))
            seconds = time.monotonic() - started
            rss = await settled_rss(server, level)
            per = (rss - baseline) / level
            points.append(
                {
                    "connections": level,
                    "server_rss": rss,
                    "per_connection": per,
                    "open_seconds": seconds,
                    "client_rss": psutil.Process().memory_info().rss,
                }
            )
            print(
                f"  {level:,} connections: server RSS {rss / 2**20:.0f} MiB (baseline "
                f"{baseline / 2**20:.0f} MiB) -> {per / 1024:.1f} KiB per connection "
                f"(this step opened in {seconds:.0f} s)"
            )
        print(f"  server log problems: {server.log_problems() or 'none'}")
    finally:
        pinger.cancel()
        close_all(sockets)
    return {"baseline": baseline, "points": points}


def scenario_fanout(args: argparse.Namespace) -> dict[str, Any]:
    where = (
        f"{args.nodes} nodes, PostgreSQL + Redis (member i on node i mod {args.nodes}, the "
        "owner on the first)"
        if args.nodes > 1
        else "embedded default"
    )
    print(
        f"\n== fanout: a group of {args.members:,} members, {args.online:,} online, "
        f"{args.messages} messages one after another, {where}"
    )
    raise_nofile_limit(args.online + 10_000)
    # Read by every server started from here on (they inherit the environment).
    os.environ["TIDINGS_GROUP_SIZE_LIMIT"] = str(max(args.members, 10_000))
    if args.nodes > 1:
        return on_seeded_cluster(
            args,
            args.members,
            args.nodes,
            lambda servers, people: _fanout(servers, people, args.online, args.messages),
        )
    return on_seeded_server(
        args,
        "fanout",
        args.members,
        lambda server, people: _fanout([server], people, args.online, args.messages),
    )


async def _fanout(
    servers: list[Server], people: list[tuple[int, str]], online: int, messages: int
) -> dict[str, Any]:
    server = servers[0]
    (_, owner_token), members = people[0], people[1:]
    started = time.monotonic()
    group = await create_group(server.base_url, owner_token, [u for u, _ in members])
    print(f"  group of {len(people):,} made in {time.monotonic() - started:.1f} s")

    sent_at = [0.0]
    current = [-1]
    latencies: list[float] = []
    received: Counter[tuple[int, int]] = Counter()  # (message, member index) -> times
    got = [0]
    everyone = asyncio.Event()
    receivers = min(online, len(members))

    def on_push(socket: LeanSocket, payload: bytes, now: float) -> None:
        if not payload.startswith(b'{"push":"entry"'):
            return
        latencies.append(now - sent_at[0])
        received[(current[0], socket.index)] += 1
        got[0] += 1
        if got[0] == receivers:
            everyone.set()

    started = time.monotonic()
    sockets: list[LeanSocket] = []
    tokens = [t for _, t in members[:receivers]]
    for node, node_server in enumerate(servers):
        # Member i on node i mod N; sockets are numbered 0.. across all nodes.
        mine = tokens[node :: len(servers)]
        sockets.extend(await open_many(node_server.ws_url, mine, on_push, first=len(sockets)))
    owner = await connect(server.ws_url, source="127.0.0.9", token=owner_token)
    print(f"  {receivers:,} members connected in {time.monotonic() - started:.1f} s")
    pinger = asyncio.create_task(keepalive([*sockets, owner]))
    last_member: list[float] = []
    cpu_before = [0.0] * len(servers)
    try:
        for number in range(messages + 1):  # the first one warms up and is not counted
            got[0] = 0
            everyone.clear()
            if number == 1:
                latencies.clear()
                received.clear()
                cpu_before = [s.cpu_seconds() for s in servers]
            current[0] = number
            sent_at[0] = time.perf_counter()
            await owner.request(
                "send",
                {
                    "conversation_id": group,
                    "client_msg_id": f"fanout-{number}",
                    "type": "text",
                    "body": {"text": f"message {number} to everyone"},
                },
            )
            try:
                await asyncio.wait_for(everyone.wait(), 30)
            except TimeoutError:
                print(f"  message {number}: only {got[0]:,} of {receivers:,} got it in 30 s")
            if number:
                last_member.append(time.perf_counter() - sent_at[0])
            await asyncio.sleep(0.3)
        # CPU per node over the counted messages (with the 0.3 s pauses between them).
        node_cpu = [s.cpu_seconds() - b for s, b in zip(servers, cpu_before, strict=True)]
    finally:
        pinger.cancel()
        close_all([*sockets, owner])
    expected = {(m, i) for m in range(1, messages + 1) for i in range(receivers)}
    missing = len(expected - set(received))
    duplicated = sum(1 for count in received.values() if count > 1)
    result = {
        "group": group,
        "members": len(people),
        "online": receivers,
        "messages": messages,
        "deliveries": len(latencies),
        "missing": missing,
        "duplicated": duplicated,
        "p50_ms": 1000 * percentile(latencies, 50),
        "p99_ms": 1000 * percentile(latencies, 99),
        "max_ms": 1000 * max(latencies, default=float("nan")),
        "last_member_median_ms": 1000 * median(last_member),
        "nodes": len(servers),
        "node_cpu_seconds": node_cpu,
        "log": [line for s in servers for line in s.log_problems()],
    }
    print(
        f"  {len(latencies):,} deliveries ({missing} missing, {duplicated} duplicated): "
        f"p50 {fmt_ms(percentile(latencies, 50))}, p99 {fmt_ms(percentile(latencies, 99))}, "
        f"max {fmt_ms(max(latencies, default=float('nan')))}; last member reached after "
        f"{fmt_ms(median(last_member))} (median over messages)"
    )
    print(
        "  server CPU over those messages: "
        + ", ".join(f"node {i + 1} {cpu:.2f} s" for i, cpu in enumerate(node_cpu))
    )
    print(f"  server log problems: {result['log'] or 'none'}")
    return result


def scenario_storm(args: argparse.Namespace) -> dict[str, Any]:
    print(
        f"\n== storm: {args.clients:,} clients in groups of {args.group_size} miss "
        f"{args.missed} messages each, then reconnect at once; embedded default"
    )
    raise_nofile_limit(args.clients + 10_000)
    return on_seeded_server(
        args,
        "storm",
        args.clients,
        lambda server, people: _storm(server, people, args.group_size, args.missed),
    )


async def _storm(
    server: Server, people: list[tuple[int, str]], group_size: int, missed: int
) -> dict[str, Any]:
    tokens = [t for _, t in people]
    started = time.monotonic()
    groups = await asyncio.gather(
        *(
            create_group(
                server.base_url, people[i][1], [u for u, _ in people[i + 1 : i + group_size]]
            )
            for i in range(0, len(people), group_size)
        )
    )
    print(f"  {len(groups):,} groups made in {time.monotonic() - started:.1f} s")

    # Every client syncs once, as a client that was online before would have: it knows its
    # private-log position and its group's last seq.
    held: list[tuple[int, int]] = [(0, 0)] * len(tokens)

    async def first_sync(socket: LeanSocket) -> None:
        reply = await socket.request("sync", {"private_seq": 0, "limit": 1000})
        private = max((e["seq"] for e in reply["private_entries"]), default=0)
        last = max((c["last_seq"] for c in reply["conversations"]), default=0)
        held[socket.index] = (private, last)
        socket.close()

    started = time.monotonic()
    await open_many(server.ws_url, tokens, after=first_sync)
    print(f"  first sync of {len(tokens):,} clients in {time.monotonic() - started:.1f} s")

    started = time.monotonic()
    owners = await open_many(
        server.ws_url, [people[i][1] for i in range(0, len(people), group_size)]
    )

    async def send_all(socket: LeanSocket, group: int) -> None:
        for number in range(missed):
            await socket.request(
                "send",
                {
                    "conversation_id": group,
                    "client_msg_id": f"storm-{group}-{number}",
                    "type": "text",
                    "body": {"text": f"missed message {number}"},
                },
            )

    await asyncio.gather(*(send_all(s, g) for s, g in zip(owners, groups, strict=True)))
    close_all(owners)
    print(
        f"  {missed * len(groups):,} messages sent while everyone was away, in "
        f"{time.monotonic() - started:.1f} s"
    )
    await asyncio.sleep(2)

    done: list[float] = []
    counts: list[int] = [0] * len(tokens)

    async def catch_up(socket: LeanSocket) -> None:
        private, last = held[socket.index]
        reply = await socket.request("sync", {"private_seq": private, "limit": 1000})
        for conversation in reply["conversations"]:
            after = last
            while after < conversation["last_seq"]:
                page = await socket.request(
                    "history",
                    {"conversation_id": conversation["id"], "after_seq": after, "limit": 500},
                )
                if not page["messages"]:
                    break
                counts[socket.index] += len(page["messages"])
                after = page["messages"][-1]["seq"]
        done.append(time.monotonic() - storm_started)
        socket.close()

    before = await asyncio.to_thread(server.metrics)
    cpu = server.cpu_seconds()
    storm_started = time.monotonic()
    await open_many(server.ws_url, tokens, after=catch_up)
    total = time.monotonic() - storm_started
    cpu = server.cpu_seconds() - cpu
    after = await asyncio.to_thread(server.metrics)
    wal = server.data_dir / "tidings.db-wal"
    if wal.exists():
        print(f"  SQLite WAL after the storm: {wal.stat().st_size / 2**20:.1f} MiB")
    # Where the server's database time went: read/write transactions by name.
    spent = {
        key.split('"')[1]: after[key] - before.get(key, 0.0)
        for key in after
        if key.startswith("tidings_transaction_seconds_sum{")
    }
    times = {
        key.split('"')[1]: after[key] - before.get(key, 0.0)
        for key in after
        if key.startswith("tidings_transaction_seconds_count{")
    }
    print(f"  server CPU {cpu:.1f} s = {1000 * cpu / len(tokens):.1f} ms per client; transactions:")
    for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1])[:8]:
        if times.get(name):
            print(
                f"    {name}: {times[name]:,.0f} x {1000 * seconds / times[name]:.2f} ms "
                f"= {seconds:.1f} s"
            )
    short = sum(1 for c in counts if c < missed)
    result = {
        "clients": len(tokens),
        "missed": missed,
        "total_s": total,
        "client_p50_s": percentile(done, 50),
        "client_p99_s": percentile(done, 99),
        "clients_short": short,
        "server_cpu_s": cpu,
        "transactions_s": spent,
        "log": server.log_problems(),
    }
    print(
        f"  {len(tokens):,} clients reconnected and fetched {missed} missed messages each in "
        f"{total:.1f} s total ({len(tokens) / total:,.0f} clients/s); a client was done "
        f"{percentile(done, 50):.1f} s (p50) / {percentile(done, 99):.1f} s (p99) after the "
        f"storm began; {short} clients short of messages"
    )
    print(f"  server log problems: {result['log'] or 'none'}")
    return result


SCENARIOS = {"idle": scenario_idle, "fanout": scenario_fanout, "storm": scenario_storm}


def _int_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("--connections", type=_int_list, default=[25_000, 50_000, 100_000])
    parser.add_argument("--users", type=int, default=10_000, help="idle: users to spread over")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--online", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument(
        "--nodes", type=int, default=1, help="fanout: >= 2 runs that many nodes on PostgreSQL"
    )
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--group-size", type=int, default=100)
    parser.add_argument("--missed", type=int, default=100)
    parser.add_argument(
        "--commit", help="run the server from this commit's src (default: the working tree)"
    )
    args = parser.parse_args()
    args.source = export_commit(args.commit) if args.commit else None
    print(f"machine: {json.dumps(machine())}")
    result = SCENARIOS[args.scenario](args)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"scale-{args.scenario}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    args.source = str(args.source) if args.source else None
    path.write_text(json.dumps({"machine": machine(), "args": vars(args), "result": result}))
    print(f"\nresults written to {path}")


if __name__ == "__main__":
    main()
