"""Broadcasts are delivered exactly once whatever happens to the servers (decision 0058):
a server killed with SIGKILL mid-fan-out and started again (SQLite and PostgreSQL), and two
nodes on one PostgreSQL racing for a scheduled broadcast while the one fanning it out is
killed. Afterwards every recipient's system conversation holds the notice once, with
contiguous seqs, and the stored delivery count matches."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import pytest

from tests.support.server import RedisProcess, ServerProcess, new_pg_database, remove_pg_database
from tests.support.social import make_admin
from tests.support.users import Person, register
from tests.support.waiting import eventually

# Small batches and a short lease, so a fan-out takes long enough to be cut and a dead
# node's claim passes on in a second.
FAST_SENDER_ENV = {
    "TIDINGS_BROADCAST_BATCH": "2",
    "TIDINGS_BROADCAST_LEASE_SECONDS": "1",
    "TIDINGS_BROADCAST_POLL_SECONDS": "0.05",
}
PEOPLE = 400


async def import_people(admin: Person, count: int, prefix: str) -> None:
    rows = "".join(f"{prefix}{i:04d},Person {i},,,,\n" for i in range(count))
    csv = "account,nickname,password,phone,department,position\n" + rows
    response = await admin.http._http.post(
        "/api/v1/admin/users/import",
        content=csv.encode(),
        headers={"Authorization": f"Bearer {admin.token}", "Content-Type": "text/csv"},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    assert response.json()["added"] == count


class Database:
    """Reads the server's database directly, to check what it stored."""

    def __init__(self, server: ServerProcess, pg_url: str | None) -> None:
        self._sqlite = None if pg_url else str(server.data_dir / "tidings.db")
        self._pg = pg_url

    async def rows(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        if self._sqlite is not None:
            with sqlite3.connect(self._sqlite, timeout=30) as conn:
                return list(conn.execute(query.replace("$1", "?"), args).fetchall())
        assert self._pg is not None
        conn = await asyncpg.connect(self._pg)
        try:
            return [tuple(r) for r in await conn.fetch(query, *args)]
        finally:
            await conn.close()

    async def progress(self, broadcast_id: int) -> tuple[str, int, int, str]:
        ((state, recipients, delivered, owner),) = await self.rows(
            "SELECT state, recipient_count, delivered_count, lease_owner FROM broadcasts"
            " WHERE id = $1",
            broadcast_id,
        )
        return state, recipients, delivered, owner

    async def check_exactly_once(self, broadcast_id: int, title: str) -> int:
        """Every recipient has the notice once at the seq recorded, seqs contiguous."""
        recipients = await self.rows(
            "SELECT user_id, conversation_id, seq FROM broadcast_recipients"
            " WHERE broadcast_id = $1",
            broadcast_id,
        )
        assert recipients and all(seq is not None for _, _, seq in recipients)
        notices = await self.rows(
            "SELECT conversation_id, seq, body FROM entries WHERE type = 'notice'"
        )
        mine: dict[int, list[int]] = {}
        for conversation_id, seq, body in notices:
            if f'"title":"{title}"' in body:
                mine.setdefault(conversation_id, []).append(seq)
        assert len(mine) == len(recipients)
        for _, conversation_id, seq in recipients:
            assert mine[conversation_id] == [seq]
        gaps = await self.rows(
            "SELECT e.conversation_id, COUNT(*), MIN(e.seq), MAX(e.seq), MAX(c.last_seq)"
            " FROM entries e JOIN conversations c ON c.id = e.conversation_id"
            " WHERE c.type = 'system' GROUP BY e.conversation_id"
        )
        for _, count, first, last, last_seq in gaps:
            assert (first, last, last_seq) == (1, count, count)
        state, count, delivered, _ = await self.progress(broadcast_id)
        assert state == "sent" and delivered == count == len(recipients)
        return count


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Iterator[str | None]:
    if request.param == "sqlite":
        yield None
        return
    url = new_pg_database()
    yield url
    remove_pg_database(url)


@pytest.fixture
async def admin_of() -> AsyncIterator[list[Person]]:
    made: list[Person] = []
    yield made
    for person in made:
        await person.http.close()


async def test_a_server_killed_mid_fan_out_resumes_without_duplicates(
    engine: str | None, tmp_path_factory: pytest.TempPathFactory, admin_of: list[Person]
) -> None:
    env = dict(FAST_SENDER_ENV)
    if engine:
        env["TIDINGS_DATABASE_URL"] = engine
    server = ServerProcess(tmp_path_factory.mktemp("broadcast-crash"), env=env)
    server.start()
    try:
        admin = await register(server.base_url, "admin")
        admin_of.append(admin)
        await make_admin(server, admin)
        await import_people(admin, PEOPLE, "crash")
        db = Database(server, engine)
        created = await admin.http.call(
            "POST",
            "/api/v1/admin/broadcasts",
            {"title": "Crash course", "audience": {"everyone": True}},
        )
        broadcast_id = created["id"]

        async def some_delivered() -> bool:
            return (await db.progress(broadcast_id))[2] >= 40

        await eventually(some_delivered, every=0.005)
        server.kill()
        state, recipients, delivered, _ = await db.progress(broadcast_id)
        assert state == "sending" and 40 <= delivered < recipients, (delivered, recipients)

        server.start()
        await eventually(lambda: _sent(db, broadcast_id), within=30)
        assert await db.check_exactly_once(broadcast_id, "Crash course") == recipients
    finally:
        server.stop()


async def _sent(db: Database, broadcast_id: int) -> bool:
    return (await db.progress(broadcast_id))[0] == "sent"


async def test_two_nodes_race_a_scheduled_broadcast_and_survive_losing_one(
    tmp_path_factory: pytest.TempPathFactory, admin_of: list[Person]
) -> None:
    redis = RedisProcess()
    redis.start()
    database = new_pg_database()
    env = {**FAST_SENDER_ENV, "TIDINGS_DATABASE_URL": database, "TIDINGS_REDIS_URL": redis.url}
    nodes = [
        ServerProcess(tmp_path_factory.mktemp(f"node{i}"), env={**env, "TIDINGS_NODE_ID": f"n{i}"})
        for i in range(2)
    ]
    try:
        for node in nodes:
            node.start()
        admin = await register(nodes[0].base_url, "admin")
        admin_of.append(admin)
        await make_admin(nodes[0], admin)
        await import_people(admin, PEOPLE, "race")
        db = Database(nodes[0], database)
        created = await admin.http.call(
            "POST",
            "/api/v1/admin/broadcasts",
            {
                "title": "Race day",
                "audience": {"everyone": True},
                "send_at": int(time.time() * 1000) + 1000,
            },
        )
        assert created["state"] == "scheduled"
        broadcast_id = created["id"]

        async def under_way() -> str:
            state, _, delivered, owner = await db.progress(broadcast_id)
            return owner if state == "sending" and delivered >= 40 else ""

        owner = await eventually(under_way, within=20, every=0.005)
        # Kill whichever node won the start; the other takes over once its lease runs out.
        doomed = nodes[int(owner[1:])]
        doomed.kill()
        state, recipients, delivered, _ = await db.progress(broadcast_id)
        assert state == "sending" and delivered < recipients
        await eventually(lambda: _sent(db, broadcast_id), within=30)
        assert await db.check_exactly_once(broadcast_id, "Race day") == recipients
    finally:
        for node in nodes:
            node.stop()
        redis.stop()
        remove_pg_database(database)
