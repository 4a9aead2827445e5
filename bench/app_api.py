"""The app API (issue 14, decision 0067): messages sent per second by one app over one
connection and over several, and the time of a sync of many users (100,000 by default).

    .venv/bin/python bench/app_api.py                      # SQLite, 100,000 users
    .venv/bin/python bench/app_api.py --users 20000 --messages 2000 --connections 8
    .venv/bin/python bench/app_api.py --users 20000 --messages 0 --sync-runs 3 \
        --postgres postgresql://postgres@127.0.0.1:5432/test   # a fresh database per run
    .venv/bin/python bench/app_api.py --users 20000 --messages 0 --commit d0846a0  # before

A real server in its own process; the app is the Python SDK's TidingsApp. Sends go into a
direct chat between two synced users, each with its own client_msg_id (so every one is a
new message); "several connections" is that many TidingsApp instances (each its own HTTP
connection) sending at once. The sync is one request in sync mode, which the server
applies in batches of 500 people per transaction; each ``--sync-runs`` is a fresh server
on a fresh database (``--postgres``: a database created on that server for the run and
dropped after). ``--commit`` runs the server of an earlier commit, for a before/after on
one machine. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import time
import uuid
from pathlib import Path

import asyncpg
from harness import TIDINGS, Server, export_commit

from tidings.sdk import TidingsApp
from tidings.sdk.app import ext


def create_app(server: Server, env: dict[str, str]) -> tuple[str, str]:
    out = subprocess.run(
        [str(TIDINGS), "app", "create", "Bench", "--scopes",
         "users:write org:write messages:send", "--data-dir", str(server.data_dir)],
        check=True, capture_output=True, text=True, env={**os.environ, **env},
    ).stdout  # fmt: skip
    lines = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    return lines["client_id"], lines["client_secret"]


async def sync(app: TidingsApp, count: int) -> float:
    departments = [{"external_id": "root", "name": "Company"}] + [
        {"external_id": f"d{i}", "name": f"Dept {i}", "parent": "root"} for i in range(100)
    ]
    users = [
        {
            "external_id": f"u{i}",
            "account": f"user{i:06d}",
            "nickname": f"User {i}",
            "departments": [{"department": f"d{i % 100}", "position": "Staff"}],
        }
        for i in range(count)
    ]
    started = time.perf_counter()
    result = await app.sync(departments, users, mode="sync")
    elapsed = time.perf_counter() - started
    assert len(result["report"]["users"]["created"]) == count, result["report"]["rejected"][:3]
    return elapsed


async def sends(apps: list[TidingsApp], total: int) -> float:
    per = total // len(apps)

    async def one(app: TidingsApp) -> None:
        for _ in range(per):
            await app.send_as_user(
                ext("u0"), to=ext("u1"), text="order shipped", client_msg_id=uuid.uuid4().hex
            )

    started = time.perf_counter()
    await asyncio.gather(*(one(app) for app in apps))
    return per * len(apps) / (time.perf_counter() - started)


async def run_sends(server: Server, client_id: str, secret: str, args: argparse.Namespace) -> None:
    base = server.base_url
    async with TidingsApp(base, client_id, secret) as app:
        await app.send_as_user(ext("u0"), to=ext("u1"), text="warm up")
        one = [await sends([app], args.messages) for _ in range(args.runs)]
        print(f"one connection: {statistics.median(one):.0f} messages/s (median of {args.runs})")
    several = []
    for _ in range(args.runs):
        apps = [TidingsApp(base, client_id, secret) for _ in range(args.connections)]
        try:
            several.append(await sends(apps, args.messages))
        finally:
            for app in apps:
                await app.close()
    print(
        f"{args.connections} connections: {statistics.median(several):.0f} messages/s "
        f"(median of {args.runs})"
    )


async def new_database(admin_url: str) -> str:
    name = f"tidings_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name


async def drop_database(admin_url: str, url: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await conn.close()


async def one_run(args: argparse.Namespace, source: Path | None, first: bool) -> float:
    # The app's own rate would stop the sends long before the server does.
    env = {"TIDINGS_RATE_APP_API": "1000000/1m", "TIDINGS_RATE_MESSAGE_SEND": "1000000/1m"}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    database = await new_database(args.postgres) if args.postgres else None
    if database is not None:
        env["TIDINGS_DATABASE_URL"] = database
    try:
        with Server(env=env, source=source) as server:
            client_id, secret = create_app(server, env)
            async with TidingsApp(server.base_url, client_id, secret, timeout=7200) as app:
                elapsed = await sync(app, args.users)
            print(f"sync of {args.users} users: {elapsed:.1f} s", flush=True)
            if first and args.messages:
                await run_sends(server, client_id, secret, args)
            return elapsed
    finally:
        if database is not None:
            await drop_database(args.postgres, database)


async def run(args: argparse.Namespace) -> None:
    source = export_commit(args.commit) if args.commit else None
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"[{engine}{f', commit {args.commit}' if args.commit else ''}] {os.cpu_count()} cores")
    times = [await one_run(args, source, first=n == 0) for n in range(args.sync_runs)]
    if len(times) > 1:
        print(
            f"sync of {args.users} users: median {statistics.median(times):.1f} s "
            f"({', '.join(f'{t:.1f}' for t in times)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=2000, help="0: no sends measured")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sync-runs", type=int, default=1, help="syncs, each on a new server")
    parser.add_argument(
        "--postgres", default="", help="a PostgreSQL server's URL; each run gets a new database"
    )
    parser.add_argument("--commit", default="", help="run the server of this commit")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
