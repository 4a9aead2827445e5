"""The app API (issue 14, decision 0067): messages sent per second by one app over one
connection and over several, and the time of a sync of many users (100,000 by default).

    .venv/bin/python bench/app_api.py                      # SQLite, 100,000 users
    .venv/bin/python bench/app_api.py --users 20000 --messages 2000 --connections 8

A real server in its own process; the app is the Python SDK's TidingsApp. Sends go into a
direct chat between two synced users, each with its own client_msg_id (so every one is a
new message); "several connections" is that many TidingsApp instances (each its own HTTP
connection) sending at once. The sync is one request in sync mode, which the server
applies in batches of 500 people per transaction. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import time
import uuid

from harness import TIDINGS, Server

from tidings.sdk import TidingsApp
from tidings.sdk.app import ext


def create_app(server: Server) -> tuple[str, str]:
    out = subprocess.run(
        [str(TIDINGS), "app", "create", "Bench", "--scopes",
         "users:write org:write messages:send", "--data-dir", str(server.data_dir)],
        check=True, capture_output=True, text=True,
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


async def run(server: Server, args: argparse.Namespace) -> None:
    client_id, secret = create_app(server)
    base = server.base_url
    async with TidingsApp(base, client_id, secret, timeout=3600) as app:
        print(f"sync of {args.users} users: {await sync(app, args.users):.1f} s", flush=True)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    # The app's own rate would stop the sends long before the server does.
    rates = {"TIDINGS_RATE_APP_API": "1000000/1m", "TIDINGS_RATE_MESSAGE_SEND": "1000000/1m"}
    with Server(env=rates) as server:
        asyncio.run(run(server, args))


if __name__ == "__main__":
    main()
