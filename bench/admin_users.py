"""The console's user list over 100,000 users (issue 13, K1): p50/p99 of its search and
filters, on the embedded default (SQLite) or PostgreSQL.

    .venv/bin/python bench/admin_users.py                     # SQLite in a temporary dir
    .venv/bin/python bench/admin_users.py --users 100000 --runs 200
    .venv/bin/python bench/admin_users.py --database-url postgresql+asyncpg://...

The users are written straight into a migrated database (in batches; hashing 100,000 real
passwords would take an hour and time nothing the list does), 200 departments hold them, a
third have never signed in. Each query is the one GET /api/v1/admin/users runs (store/
admin_users.py): a page of 50 and, for a first page, the count of all matches. Nothing here
asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import string
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from sqlalchemy import insert

from tidings.config import Settings
from tidings.domain.admin_users import UserQuery, UserSort, UserStatus, decode_cursor, encode_cursor
from tidings.store.admin_users import AdminUserStore
from tidings.store.database import Database
from tidings.store.schema import department_members, departments, users

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
NOW = 1_796_000_000_000
DAY = 86_400_000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def fill(db: Database, count: int) -> None:
    rng = random.Random(13)
    async with db.write("bench_departments") as conn:
        await conn.execute(
            insert(departments),
            [{"id": d, "parent_id": None if d <= 10 else (d % 10) + 1, "name": f"Dept {d}",
              "created_at": NOW} for d in range(1, 201)],
        )  # fmt: skip
    batch = 5000
    for start in range(0, count, batch):
        rows = []
        places = []
        for i in range(start, min(count, start + batch)):
            ascii_name = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9)))
            chinese = rng.random() < 0.5
            signed = rng.random() < 0.66
            rows.append(
                {
                    "id": i + 1,
                    "account": f"{ascii_name}{i}",
                    "password_hash": "x",
                    "nickname": (
                        rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
                        if chinese
                        else ascii_name.title()
                    ),
                    "phone": f"13{rng.randint(0, 999_999_999):09d}",
                    "work_email": f"{ascii_name}{i}@example.com",
                    "disabled": rng.random() < 0.02,
                    "created_at": NOW - rng.randint(0, 700) * DAY,
                    "last_sign_in_at": NOW - rng.randint(0, 90 * DAY) if signed else 0,
                }
            )
            places.append({"department_id": rng.randint(1, 200), "user_id": i + 1})
        async with db.write("bench_users") as conn:
            await conn.execute(insert(users), rows)
            await conn.execute(insert(department_members), places)


def queries(departments_below: frozenset[int]) -> dict[str, UserQuery]:
    return {
        "first page, no filter": UserQuery(),
        "account prefix 'ab'": UserQuery(text="ab"),
        "rare text 'zqxj' (scans all)": UserQuery(text="zqxj"),
        "Chinese nickname '王芳'": UserQuery(text="王芳"),
        "phone prefix '1380000'": UserQuery(text="1380000"),
        "department subtree (21 depts)": UserQuery(department_ids=departments_below),
        "frozen": UserQuery(status=UserStatus.FROZEN),
        "never signed in, by name": UserQuery(never_signed_in=True, sort=UserSort.NICKNAME),
        "not in 30 days, newest sign-in": UserQuery(
            signed_in_before=NOW - 30 * DAY, sort=UserSort.LAST_SIGN_IN, descending=True
        ),
        "text 'li' + dept + active": UserQuery(
            text="li", department_ids=departments_below, status=UserStatus.ACTIVE
        ),
    }


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=args.database_url)
        db = Database(settings)
        await db.migrate()
        started = time.monotonic()
        await fill(db, args.users)
        took = time.monotonic() - started
        print(f"{args.users:,} users written in {took:.1f} s ({db.engine.dialect.name})")
        store = AdminUserStore(db)
        below = frozenset([2, *range(11, 201, 10)])
        heads = ("page p50", "page p99", "+count p50", "+count p99")
        print(f"{'query':36} {heads[0]:>9} {heads[1]:>9} {heads[2]:>11} {heads[3]:>11} matches")
        for name, query in queries(below).items():
            page_ms: list[float] = []
            first_ms: list[float] = []
            total = 0
            for _ in range(args.runs):
                t0 = time.perf_counter()
                found, more = await store.page(query)
                t1 = time.perf_counter()
                total = await store.count(query)
                t2 = time.perf_counter()
                page_ms.append((t1 - t0) * 1000)
                first_ms.append((t2 - t0) * 1000)
                if more and found:  # the next page, as a cursor walks on
                    key = found[-1].sort_key(query.sort)
                    cursor = encode_cursor(key, found[-1].id)
                    after = decode_cursor(cursor, text_key=isinstance(key, str))
                    t3 = time.perf_counter()
                    await store.page(replace(query, after=after))
                    page_ms.append((time.perf_counter() - t3) * 1000)
            page = f"{percentile(page_ms, 50):8.1f}ms {percentile(page_ms, 99):8.1f}ms"
            first = f"{percentile(first_ms, 50):10.1f}ms {percentile(first_ms, 99):10.1f}ms"
            print(f"{name:36} {page} {first} {total:>8,}")
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--database-url", default="", help="PostgreSQL (an empty database)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
