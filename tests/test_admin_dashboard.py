"""The dashboard's numbers (PRODUCT.md K6, decision 0061) on SQLite and PostgreSQL: messages,
active, new users and groups per day of the statistics' time zone, online now, storage."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from tests.support.admin import Staff, audit_entries, last_audit_id, staff
from tests.support.files import uploaded
from tests.support.server import ServerProcess
from tests.support.social import http_refused, new_group
from tests.support.users import register

ZONE = "Asia/Shanghai"
# Counters are written every 0.2 s here (10 s by default).
SERVER_ENV = {"TIDINGS_STATS_TIME_ZONE": ZONE, "TIDINGS_STATS_FLUSH_SECONDS": "0.2"}


@pytest.fixture(scope="module")
async def people(server: ServerProcess) -> AsyncIterator[Staff]:
    found = await staff(server)
    yield found
    await found.close()


async def dashboard(people: Staff, days: int = 7, who: str = "super_admin") -> dict[str, Any]:
    report: dict[str, Any] = await people.of(who).http.call(
        "GET", "/api/v1/admin/dashboard", None, days=days
    )
    return report


async def eventually(
    read: Callable[[], Awaitable[dict[str, Any]]], holds: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The first report ``holds`` accepts: counters reach the database within a flush."""
    deadline = time.monotonic() + 10
    while True:
        report = await read()
        if holds(report) or time.monotonic() > deadline:
            return report
        await asyncio.sleep(0.1)


def today() -> str:
    return dt.datetime.now(ZoneInfo(ZONE)).date().isoformat()


async def test_today_counts_what_happens(server: ServerProcess, people: Staff) -> None:
    before = await dashboard(people)
    assert before["time_zone"] == ZONE
    assert len(before["days"]) == 7 and before["days"][-1] == today()
    for series in ("active_users", "messages", "new_users", "new_groups"):
        assert len(before[series]) == 7

    ann = await register(server.base_url, "ann")
    ben = await register(server.base_url, "ben")
    async with ann.client(server.base_url) as client:
        group = await new_group(client, ben, name="Dashboard")
        await client.send(group, "text", {"text": "one"})
        await client.send(group, "text", {"text": "two"})
        # A retry of a stored send is the same message, not another.
        await client.send(group, "text", {"text": "three"}, client_msg_id="dash-three")
        await client.send(group, "text", {"text": "three"}, client_msg_id="dash-three")
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            await uploaded(http, ann.token, b"x" * 5000)

        after = await eventually(
            lambda: dashboard(people),
            lambda r: r["messages"][-1] >= before["messages"][-1] + 3,
        )
        assert after["online_now"] >= 1
    assert after["messages"][-1] == before["messages"][-1] + 3
    assert after["messages"][:-1] == before["messages"][:-1]
    assert after["new_users"][-1] == before["new_users"][-1] + 2
    assert after["new_groups"][-1] == before["new_groups"][-1] + 1
    assert after["users"] == before["users"] + 2
    assert after["groups"] == before["groups"] + 1
    # Both signed in today (registering signs in); the staff used their sessions.
    assert after["active_users"][-1] >= before["active_users"][-1] + 2
    assert after["active_users"][-1] >= 6
    assert after["weekly_active_users"] >= after["active_users"][-1]
    assert after["storage"]["files"] == before["storage"]["files"] + 1
    assert after["storage"]["file_bytes"] >= before["storage"]["file_bytes"] + 5000
    assert after["storage"]["database_bytes"] > 0
    await ann.http.close()
    await ben.http.close()


async def test_days_are_the_time_zones_days(server: ServerProcess, people: Staff) -> None:
    """Accounts made either side of a Shanghai midnight fall on their local days."""
    early = await register(server.base_url, "early")
    late = await register(server.base_url, "late")
    zone = ZoneInfo(ZONE)
    local_today = dt.datetime.now(zone).date()
    midnight = dt.datetime.combine(local_today - dt.timedelta(days=1), dt.time(), zone)
    # 23:59:59.999 two days ago and 00:00:00.000 yesterday, Shanghai time; in UTC both are
    # on the same day (16:00 UTC), so UTC days would put them together.
    at = int(midnight.timestamp() * 1000)
    await set_created_at(server, early.id, at - 1)
    await set_created_at(server, late.id, at)
    report = await dashboard(people, days=3)
    assert report["new_users"][0] >= 1  # two days ago: early (and nobody else's)
    assert report["new_users"][1] == 1  # yesterday: late only
    assert report["days"] == [(local_today - dt.timedelta(days=n)).isoformat() for n in (2, 1, 0)]
    await early.http.close()
    await late.http.close()


async def test_one_to_ninety_days(people: Staff) -> None:
    assert len((await dashboard(people, days=1))["days"]) == 1
    assert len((await dashboard(people, days=90))["messages"]) == 90
    for days in (0, 91, -1):
        assert (
            await http_refused(people.super_admin, "GET", f"/api/v1/admin/dashboard?days={days}")
            == "invalid_input"
        )


async def test_auditors_read_it_others_are_refused_and_nothing_is_audited(
    people: Staff,
) -> None:
    before = await last_audit_id(people.super_admin)
    assert (await dashboard(people, who="auditor"))["days"][-1] == today()
    for who in ("plain", "org_admin"):
        code = await http_refused(people.of(who), "GET", "/api/v1/admin/dashboard")
        assert code == "forbidden"
    # Reading statistics is not an admin action: no audit entry.
    assert [e for e in await audit_entries(people.super_admin) if e["id"] > before] == []


async def set_created_at(server: ServerProcess, user_id: int, at: int) -> None:
    """Move an account's creation time, past the server (tests only)."""
    query = "UPDATE users SET created_at = {} WHERE id = {}"
    url = server.env.get("TIDINGS_DATABASE_URL")
    if url:
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            await conn.execute(query.format("$1", "$2"), at, user_id)
        finally:
            await conn.close()
        return
    with sqlite3.connect(server.data_dir / "tidings.db", timeout=30) as db:
        db.execute(query.format("?", "?"), (at, user_id))
