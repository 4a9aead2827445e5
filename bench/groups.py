"""Contacts, organization, groups: how fast the big cases are (issue 3, "Measure").

    .venv/bin/python bench/groups.py                 # both scenarios on SQLite
    .venv/bin/python bench/groups.py --postgres URL  # on a PostgreSQL database (emptied first)
    .venv/bin/python bench/groups.py --only members  # or: search

members: 10,000 users join one group in a single batch invite (one request), then the member
         list is read in pages of 1,000 and of 200.
search:  an organization of 50,000 people in 2,000 departments (random tree, 3% hidden,
         100 collaborating pairs, 10% of people in two departments); ordinary members and an
         admin search people by fragments of names, accounts and phone numbers, one request
         at a time over REST; latency percentiles with visibility applied.

Bulk data (users, departments, memberships) is written straight into the database before the
server starts — creating 50,000 accounts through the API would measure argon2, not search.
Everything measured goes through the real server over HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import insert, text
from websockets.asyncio.client import ClientConnection, connect

from tidings.actions.context import Actor
from tidings.config import Settings
from tidings.container import Container
from tidings.store.database import Database
from tidings.store.schema import (
    department_members,
    department_partners,
    departments,
    organization,
    users,
)

TIDINGS = Path(sys.executable).with_name("tidings")
PASSWORD = "bench password 1"
# Argon2 at full strength would make registering the searchers the slowest part.
FAST_HASH_ENV = {
    "TIDINGS_ARGON2_TIME_COST": "1",
    "TIDINGS_ARGON2_MEMORY_KIB": "8192",
    "TIDINGS_ARGON2_PARALLELISM": "1",
    # Bench users register over REST.
    "TIDINGS_REGISTRATION": "open",
}


class Server:
    """``tidings serve`` on a data directory, in its own process."""

    def __init__(self, *, data_dir: Path) -> None:
        self.data_dir = data_dir
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        env = {**os.environ, **FAST_HASH_ENV, "TIDINGS_LOG_LEVEL": "warning"}
        log = open(self.data_dir / "server.log", "ab")
        self._process = subprocess.Popen(
            [str(TIDINGS), "serve", "--port", str(self.port), "--data-dir", str(self.data_dir)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError((self.data_dir / "server.log").read_text())
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def __exit__(self, *_: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            self._process.wait(30)


@dataclass
class Person:
    id: int
    token: str


async def register_users(base_url: str, count: int) -> list[Person]:
    run = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        people = []
        for number in range(count):
            account = f"searcher{run}x{number}"
            response = await http.post(
                "/api/v1/auth/register",
                json={"account": account, "password": PASSWORD, "nickname": account},
            )
            response.raise_for_status()
            body = response.json()
            people.append(Person(int(body["user"]["id"]), body["token"]))
        return people


async def open_ws(ws_url: str, token: str) -> ClientConnection:
    ws = await connect(ws_url, compression=None, max_size=None, ping_interval=None)
    await ws.send(orjson.dumps({"id": 1, "op": "auth", "data": {"token": token}}).decode())
    if not orjson.loads(await ws.recv()).get("ok"):
        raise RuntimeError("auth failed")
    return ws


async def request(ws: ClientConnection, request_id: int, op: str, data: dict[str, Any]) -> Any:
    await ws.send(orjson.dumps({"id": request_id, "op": op, "data": data}).decode())
    while True:
        reply = orjson.loads(await ws.recv())
        if reply.get("id") == request_id:
            if not reply["ok"]:
                raise RuntimeError(f"{op}: {reply['error']}")
            return reply["data"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


SURNAMES = [
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Zhao",
    "Huang",
    "Zhou",
    "Wu",
    "Xu",
    "Sun",
    "Hu",
    "Zhu",
    "Gao",
    "Lin",
    "He",
    "Guo",
    "Ma",
    "Luo",
]
GIVEN = [
    "Wei",
    "Fang",
    "Na",
    "Min",
    "Jing",
    "Lei",
    "Jun",
    "Yang",
    "Yong",
    "Yan",
    "Jie",
    "Tao",
    "Ming",
    "Chao",
    "Xiu",
    "Xia",
    "Ping",
    "Gang",
    "Hui",
    "Bin",
]
POSITIONS = ["Engineer", "Manager", "Analyst", "Designer", "Sales", "Support", "Director"]


async def seed_users(database: Database, count: int, first_id: int = 1000) -> list[int]:
    now = int(time.time() * 1000)
    ids = list(range(first_id, first_id + count))
    rows = [
        {
            "id": i,
            "account": f"p{i:06d}",
            "password_hash": "-",
            "nickname": f"{random.choice(SURNAMES)} {random.choice(GIVEN)} {i}",
            "phone": f"139{i:08d}",
            "created_at": now,
        }
        for i in ids
    ]
    async with database.engine.begin() as conn:
        for start in range(0, len(rows), 2000):
            await conn.execute(insert(users), rows[start : start + 2000])
    return ids


async def seed_org(database: Database, people: list[int], count: int) -> list[int]:
    now = int(time.time() * 1000)
    rng = random.Random(7)
    depts = [{"id": 1, "parent_id": None, "name": "Company", "hidden": False, "created_at": now}]
    for dept_id in range(2, count + 1):
        depts.append(
            {
                "id": dept_id,
                "parent_id": rng.randint(max(1, dept_id // 3), dept_id - 1),
                "name": f"Department {dept_id}",
                "hidden": rng.random() < 0.03,
                "created_at": now,
            }
        )
    placed: dict[tuple[int, int], str] = {}
    for user_id in people:
        placed[(rng.randint(1, count), user_id)] = rng.choice(POSITIONS)
        if rng.random() < 0.1:
            placed[(rng.randint(1, count), user_id)] = rng.choice(POSITIONS)
    pairs = set()
    while len(pairs) < 100:
        a, b = rng.randint(2, count), rng.randint(2, count)
        if a != b:
            pairs.add((a, b))
    async with database.engine.begin() as conn:
        await conn.execute(insert(organization).values(id=1, name="Bench Corp", version=1))
        await conn.execute(insert(departments), depts)
        members = [
            {"department_id": d, "user_id": u, "position": p} for (d, u), p in placed.items()
        ]
        for start in range(0, len(members), 5000):
            await conn.execute(insert(department_members), members[start : start + 5000])
        await conn.execute(
            insert(department_partners),
            [{"department_id": a, "partner_id": b} for x, y in pairs for a, b in ((x, y), (y, x))],
        )
        if database.url.startswith("postgresql"):
            for table in ("users", "departments"):
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    return list(range(1, count + 1))


def create_admin(data_dir: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        [
            str(TIDINGS),
            "user",
            "create",
            "benchadmin",
            "--admin",
            "--password",
            PASSWORD,
            "--data-dir",
            str(data_dir),
        ],
        env={**os.environ, **FAST_HASH_ENV, **env},
        check=False,
        capture_output=True,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"creating the admin failed: {done.stdout.decode()}{done.stderr.decode()}"
        )


async def prepare(data_dir: Path, postgres: str | None) -> Database:
    settings = Settings(data_dir=data_dir, database_url=postgres or "")
    database = Database(settings)
    if postgres:
        async with database.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await database.migrate()
    return database


async def login(http: httpx.AsyncClient, account: str) -> dict[str, str]:
    response = await http.post(
        "/api/v1/auth/login", json={"account": account, "password": PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def bench_members(data_dir: Path, postgres: str | None) -> dict[str, Any]:
    database = await prepare(data_dir, postgres)
    ids = await seed_users(database, 10_000)
    await database.dispose()
    os.environ["TIDINGS_GROUP_SIZE_LIMIT"] = "10001"
    with Server(data_dir=data_dir) as server:
        (owner,) = await register_users(server.base_url, 1)
        auth = {"Authorization": f"Bearer {owner.token}"}
        async with httpx.AsyncClient(base_url=server.base_url, timeout=300) as http:
            group = (
                await http.post(
                    "/api/v1/conversations",
                    json={"type": "group", "name": "All hands"},
                    headers=auth,
                )
            ).json()["id"]
            started = time.perf_counter()
            added = await http.post(
                f"/api/v1/conversations/{group}/members", json={"user_ids": ids}, headers=auth
            )
            add_seconds = time.perf_counter() - started
            added.raise_for_status()
            pages: dict[int, list[float]] = {}
            for size in (1000, 200):
                after, times, seen = 0, [], 0
                while True:
                    started = time.perf_counter()
                    page = (
                        await http.get(
                            f"/api/v1/groups/{group}/members",
                            params={"after_user_id": after, "limit": size},
                            headers=auth,
                        )
                    ).json()
                    times.append(time.perf_counter() - started)
                    seen += len(page["members"])
                    if page["next_after_user_id"] is None:
                        break
                    after = page["next_after_user_id"]
                assert seen == 10_001, seen
                pages[size] = times
            started = time.perf_counter()
            sent = await http.post(
                f"/api/v1/conversations/{group}/messages",
                json={"client_msg_id": "hello-all", "type": "text", "body": {"text": "hi all"}},
                headers=auth,
            )
            send_seconds = time.perf_counter() - started
            sent.raise_for_status()
    return {
        "add_10000_members_s": round(add_seconds, 3),
        "pages_of_1000": {
            "count": len(pages[1000]),
            "total_s": round(sum(pages[1000]), 3),
            "p50": fmt_ms(percentile(pages[1000], 50)),
            "max": fmt_ms(max(pages[1000])),
        },
        "pages_of_200": {
            "count": len(pages[200]),
            "total_s": round(sum(pages[200]), 3),
            "p50": fmt_ms(percentile(pages[200], 50)),
            "max": fmt_ms(max(pages[200])),
        },
        "first_send_to_10001_members": fmt_ms(send_seconds),
    }


async def bench_search(data_dir: Path, postgres: str | None, searches: int) -> dict[str, Any]:
    database = await prepare(data_dir, postgres)
    people = await seed_users(database, 50_000)
    depts = await seed_org(database, people, 2000)
    await database.dispose()
    create_admin(data_dir, {"TIDINGS_DATABASE_URL": postgres} if postgres else {})
    rng = random.Random(11)
    with Server(data_dir=data_dir) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
            admin = await login(http, "benchadmin")
            searchers = await register_users(server.base_url, 20)
            for searcher in searchers:
                response = await http.put(
                    f"/api/v1/org/departments/{rng.choice(depts)}/members/{searcher.id}",
                    json={"position": "Searcher"},
                    headers=admin,
                )
                response.raise_for_status()
            queries = (
                [s.lower() for s in SURNAMES]  # thousands of matches: the first page is quick
                + [f"{g} {rng.randint(1000, 51000)}" for g in GIVEN]  # a handful
                + [f"p0{rng.randint(1000, 51000)}" for _ in range(20)]  # an account
                + [f"139{rng.randint(1000, 51000):08d}" for _ in range(20)]  # a phone number
                + ["nobody-at-all", "zzz"]  # nothing: a full scan
            )
            cold = time.perf_counter()
            await http.get("/api/v1/users", params={"q": "wang"}, headers=admin)
            cold_seconds = time.perf_counter() - cold
            admin_token = admin["Authorization"].split()[1]
            sockets = {
                "member": [await open_ws(server.ws_url, s.token) for s in searchers],
                "admin": [await open_ws(server.ws_url, admin_token)],
            }
            results: dict[str, list[float]] = {}
            found: list[int] = []
            for index in range(searches):
                who = "admin" if index % 5 == 0 else "member"
                query = rng.choice(queries)
                # REST: a request with its own authentication, as a script would search.
                headers = (
                    admin
                    if who == "admin"
                    else {"Authorization": f"Bearer {rng.choice(searchers).token}"}
                )
                started = time.perf_counter()
                response = await http.get(
                    "/api/v1/users", params={"q": query, "limit": 20}, headers=headers
                )
                results.setdefault(f"rest {who}", []).append(time.perf_counter() - started)
                response.raise_for_status()
                found.append(len(response.json()["users"]))
                # WebSocket: the client's search box, on its open connection.
                ws = rng.choice(sockets[who])
                started = time.perf_counter()
                await request(ws, index + 10, "contacts.search", {"query": query, "limit": 20})
                results.setdefault(f"ws {who}", []).append(time.perf_counter() - started)
            for connections in sockets.values():
                for ws in connections:
                    await ws.close()
    # The same searches without a transport: what the server spends (index, visibility,
    # the fresh-row check), in a container of its own on the same database.
    container = Container(Settings(data_dir=data_dir, database_url=postgres or ""))
    await container.start()
    try:
        admin_id = (await container.org_store.users_by_account(["benchadmin"]))["benchadmin"].id
        actors = [Actor(s.id, 0) for s in searchers]
        await container.directory.search(actors[0], "wang", limit=20, offset=0)
        for index in range(searches):
            actor = Actor(admin_id, 0) if index % 5 == 0 else rng.choice(actors)
            started = time.perf_counter()
            await container.directory.search(actor, rng.choice(queries), limit=20, offset=0)
            key = "in-process admin" if index % 5 == 0 else "in-process member"
            results.setdefault(key, []).append(time.perf_counter() - started)
    finally:
        await container.stop()
    out: dict[str, Any] = {"first_search_loads_index_and_tree": fmt_ms(cold_seconds)}
    for who, times in results.items():
        out[who] = {
            "searches": len(times),
            "p50": fmt_ms(percentile(times, 50)),
            "p95": fmt_ms(percentile(times, 95)),
            "p99": fmt_ms(percentile(times, 99)),
            "max": fmt_ms(max(times)),
        }
    out["mean_results"] = round(sum(found) / len(found), 1)
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL whose public schema may be wiped")
    parser.add_argument("--only", choices=["members", "search"])
    parser.add_argument("--searches", type=int, default=1000)
    args = parser.parse_args()
    if args.postgres:
        os.environ["TIDINGS_DATABASE_URL"] = args.postgres
    engine = "postgresql" if args.postgres else "sqlite"
    if args.only in (None, "members"):
        data_dir = Path(tempfile.mkdtemp(prefix="tidings-bench-groups-"))
        print(f"[{engine}] members:", await bench_members(data_dir, args.postgres), flush=True)
    if args.only in (None, "search"):
        data_dir = Path(tempfile.mkdtemp(prefix="tidings-bench-org-"))
        print(
            f"[{engine}] search:",
            await bench_search(data_dir, args.postgres, args.searches),
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
