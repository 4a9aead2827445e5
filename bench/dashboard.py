"""The admin dashboard on a large database (issue 13, K6; decision 0061): how long
``GET /api/v1/admin/dashboard`` takes for 1, 7, 30 and 90 days through the real server.

    .venv/bin/python bench/dashboard.py                      # 100,000 users, 40,000 active a day
    .venv/bin/python bench/dashboard.py --users 20000 --daily 8000
    .venv/bin/python bench/dashboard.py --postgres postgresql://postgres@127.0.0.1:5432/tidings_bench_dash

Seeded straight into the database first: the users (created over the last 90 days), 2,000
groups, 90 days of message counters and of activity (``--daily`` users a day: 3.6 M rows at
the default) and 50,000 files. Then ``tidings serve`` answers the dashboard ``--reads`` times
per range. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from groups import Server, create_admin, login, percentile, prepare, seed_users
from sqlalchemy import insert, text, update

from tidings.store.database import Database
from tidings.store.schema import conversations, daily_counts, files, user_activity, users

DAY_MS = 86_400_000


async def seed(database: Database, people: int, daily: int) -> None:
    rng = random.Random(61)
    now = int(time.time() * 1000)
    today = now // DAY_MS
    ids = await seed_users(database, people)
    async with database.engine.begin() as conn:
        # Joined over the last 90 days.
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            await conn.execute(
                update(users)
                .where(users.c.id.between(chunk[0], chunk[-1]))
                .values(created_at=now - rng.randint(0, 89) * DAY_MS)
            )
        await conn.execute(
            insert(conversations),
            [
                {
                    "type": "group",
                    "name": f"Group {g}",
                    "created_by": ids[g],
                    "last_activity_at": now,
                    "created_at": now - rng.randint(0, 89) * DAY_MS,
                }
                for g in range(2000)
            ],
        )
        await conn.execute(
            insert(daily_counts),
            [
                {"metric": "messages", "day": today - d, "count": rng.randint(100_000, 900_000)}
                for d in range(90)
            ]
            + [{"metric": "active_users", "day": today - d, "count": daily} for d in range(90)],
        )
        for d in range(90):
            active = rng.sample(ids, daily)
            rows = [{"day": today - d, "user_id": u} for u in active]
            for start in range(0, len(rows), 10_000):
                await conn.execute(insert(user_activity), rows[start : start + 10_000])
        await conn.execute(
            insert(files),
            [
                {
                    "id": f"f{n:031d}",
                    "uploader_id": ids[n % len(ids)],
                    "name": "bench.bin",
                    "kind": "file",
                    "size": 1 << 20,
                    "received": 1 << 20,
                    "state": "complete",
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(50_000)
            ],
        )
        if database.url.startswith("postgresql"):
            await conn.execute(text("ANALYZE"))


async def run(data_dir: Path, postgres: str | None, people: int, daily: int, reads: int) -> None:
    database = await prepare(data_dir, postgres)
    started = time.perf_counter()
    await seed(database, people, daily)
    await database.dispose()
    print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)
    env = {"TIDINGS_DATABASE_URL": postgres} if postgres else {}
    create_admin(data_dir, env)
    with Server(data_dir=data_dir) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as http:
            auth = await login(http, "benchadmin")
            for days in (1, 7, 30, 90):
                times: list[float] = []
                report: dict[str, Any] = {}
                for _ in range(reads):
                    began = time.perf_counter()
                    answer = await http.get(
                        "/api/v1/admin/dashboard", params={"days": days}, headers=auth
                    )
                    times.append(time.perf_counter() - began)
                    answer.raise_for_status()
                    report = answer.json()
                print(
                    f"days={days:2d}: p50 {percentile(times, 50) * 1000:.1f} ms, "
                    f"p99 {percentile(times, 99) * 1000:.1f} ms "
                    f"(weekly active {report['weekly_active_users']}, "
                    f"users {report['users']}, files {report['storage']['files']})",
                    flush=True,
                )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL whose public schema may be wiped")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--daily", type=int, default=40_000)
    parser.add_argument("--reads", type=int, default=20)
    args = parser.parse_args()
    if args.postgres:
        os.environ["TIDINGS_DATABASE_URL"] = args.postgres
    engine = "postgresql" if args.postgres else "sqlite"
    print(f"[{engine}] {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    data_dir = Path(tempfile.mkdtemp(prefix="tidings-bench-dashboard-"))
    await run(data_dir, args.postgres, args.users, args.daily, args.reads)


if __name__ == "__main__":
    asyncio.run(main())
