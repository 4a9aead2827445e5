"""Old webhook deliveries and events are pruned (issue 14, J2; decision 0068): finished
deliveries once their last attempt is older than the retention (a succeeded one; a failed
one after its retries were spent), events once no delivery of theirs is left; pending
deliveries and undispatched events never. The store with its clock given (SQLite and
PostgreSQL), and a real server whose periodic work prunes with a retention of a second."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, select

from tests.support.apps import app_token, bearer, create_app
from tests.support.server import ServerProcess
from tests.support.stored import Stored
from tests.support.users import register
from tests.support.waiting import eventually
from tests.support.webhooks import Receiver, delivered
from tidings.config import Settings
from tidings.domain.webhooks import EventType, OutboxEvent
from tidings.store.database import Database
from tidings.store.schema import apps, users, webhook_deliveries, webhook_events
from tidings.store.webhooks import WebhookStore

SERVER_ENV = {
    "TIDINGS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
    "TIDINGS_WEBHOOK_TIMEOUT_SECONDS": "1",
    # Three attempts in half a second, then the delivery has failed for good.
    "TIDINGS_WEBHOOK_RETRY_SECONDS": "0.2,0.2",
    "TIDINGS_WEBHOOK_POLL_SECONDS": "0.1",
    "TIDINGS_WEBHOOK_RETENTION_SECONDS": "2",
    "TIDINGS_WEBHOOK_PRUNE_SECONDS": "0.3",
}
HOOKS = "/api/v1/app/webhooks"
DAY = 86_400_000
KEEP = 7 * DAY
T0 = 1_800_000_000_000
NODE = "retention-test"


@contextlib.asynccontextmanager
async def opened(url: str, tmp_path: Path) -> AsyncIterator[tuple[Database, WebhookStore, int]]:
    """A migrated database with an app allowed user events; the store and the app's id."""
    database = Database(Settings(data_dir=tmp_path, database_url=url))
    await database.migrate()
    database.outbox.wanted = frozenset({EventType.USER_CREATED, EventType.USER_DISABLED})
    async with database.write("seed") as conn:
        bot = (
            await conn.execute(
                insert(users)
                .values(account="app.bot", password_hash="!", nickname="Bot", created_at=0)
                .returning(users.c.id)
            )
        ).scalar_one()
        app_id = (
            await conn.execute(
                insert(apps)
                .values(
                    name="CRM",
                    client_id="tdg_retention",
                    secret_hash="x",
                    scopes="webhooks users:read",
                    bot_user_id=bot,
                    created_at=0,
                    secret_rotated_at=0,
                )
                .returning(apps.c.id)
            )
        ).scalar_one()
    try:
        yield database, WebhookStore(database), app_id
    finally:
        await database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path, pg_url: str
) -> AsyncIterator[tuple[Database, WebhookStore, int]]:
    async with opened(pg_url if request.param == "postgresql" else "", tmp_path) as found:
        yield found


def created(user_id: int) -> OutboxEvent:
    return OutboxEvent(EventType.USER_CREATED, None, {"user_id": user_id}, T0)


async def left(database: Database) -> tuple[set[int], set[int]]:
    """The user ids of the events and of the deliveries still stored."""
    async with database.read("left") as conn:
        events = {
            int(r.data.split(":")[1].rstrip("}"))
            for r in await conn.execute(select(webhook_events.c.data))
        }
        deliveries = {
            int(r.data.split(":")[1].rstrip("}"))
            for r in await conn.execute(
                select(webhook_events.c.data).join(
                    webhook_deliveries, webhook_deliveries.c.event_id == webhook_events.c.id
                )
            )
        }
    return events, deliveries


async def test_finished_deliveries_and_their_events_go_after_the_retention(
    store: tuple[Database, WebhookStore, int],
) -> None:
    database, webhooks, app_id = store
    await webhooks.create(
        app_id=app_id,
        url="http://127.0.0.1:9/",
        event_types=frozenset({EventType.USER_CREATED}),
        description="",
        secret="whsec_AAAA",
        now=T0,
    )
    # Events 1 to 4 get a delivery each; 5 is of a type nobody subscribed to (no delivery).
    await webhooks.add_events([created(n) for n in range(1, 5)])
    await webhooks.add_events([OutboxEvent(EventType.USER_DISABLED, None, {"user_id": 5}, T0)])
    assert await webhooks.dispatch(T0, 100) == 5
    # 6 is written but not dispatched yet.
    await webhooks.add_events([created(6)])
    claimed = {
        int(c.data.split(":")[1].rstrip("}")): c for c in await webhooks.claim(NODE, T0, 60_000, 10)
    }
    assert sorted(claimed) == [1, 2, 3, 4]
    await webhooks.succeeded(claimed[1], NODE, T0, 204)
    failure: dict[str, Any] = {
        "status_code": 500,
        "error": "no",
        "pause_after_ms": 100 * DAY,
        "pause_after_failures": 100,
    }
    # 2 failed for good a day later (its retries spent); 3 waits for another attempt.
    await webhooks.failed(claimed[2], NODE, T0 + DAY, next_attempt_at=None, **failure)
    await webhooks.failed(claimed[3], NODE, T0, next_attempt_at=T0 + 200 * DAY, **failure)
    await webhooks.succeeded(claimed[4], NODE, T0 + 5 * DAY, 204)

    # Within the retention nothing goes.
    pruned = await webhooks.prune(T0 + KEEP, keep_ms=KEEP)
    assert (pruned.deliveries, pruned.events) == (0, 0)
    assert await left(database) == ({1, 2, 3, 4, 5, 6}, {1, 2, 3, 4})
    # A week after: the delivery that succeeded then and its event, and the event nobody
    # got. One row per transaction here: the batches add up.
    pruned = await webhooks.prune(T0 + KEEP + 1, keep_ms=KEEP, batch=1)
    assert (pruned.deliveries, pruned.events) == (1, 2)
    assert await left(database) == ({2, 3, 4, 6}, {2, 3, 4})
    # The failed one a week after its last attempt.
    pruned = await webhooks.prune(T0 + DAY + KEEP + 1, keep_ms=KEEP)
    assert (pruned.deliveries, pruned.events) == (1, 1)
    assert await left(database) == ({3, 4, 6}, {3, 4})
    # However late: a pending delivery and its event stay, and an event not dispatched.
    pruned = await webhooks.prune(T0 + 100 * DAY, keep_ms=KEEP)
    assert (pruned.deliveries, pruned.events) == (1, 1)
    assert await left(database) == ({3, 6}, {3})
    # Pruning twice, or two nodes at once, deletes nothing more.
    again = await asyncio.gather(*(webhooks.prune(T0 + 100 * DAY, keep_ms=KEEP) for _ in "ab"))
    assert [(p.deliveries, p.events) for p in again] == [(0, 0), (0, 0)]
    async with database.read("count") as conn:
        count = (
            await conn.execute(select(func.count()).select_from(webhook_deliveries))
        ).scalar_one()
    assert count == 1


# ---- a real server ------------------------------------------------------------------------


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    found = Receiver(tmp_path)
    found.start()
    yield found
    found.stop()


async def test_a_serving_node_prunes_on_its_own(server: ServerProcess, receiver: Receiver) -> None:
    credentials = await create_app(server, f"HR {secrets.token_hex(3)}", "webhooks users:read")
    grant = await app_token(server.base_url, credentials)
    async with httpx.AsyncClient(
        base_url=server.base_url, headers=bearer(grant["access_token"])
    ) as app:
        reply = await app.post(HOOKS, json={"url": receiver.url, "event_types": ["user.created"]})
        assert reply.status_code == 201, reply.text
        hook_id = reply.json()["webhook"]["id"]
        stored = Stored(server)
        mine = f"SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = {int(hook_id)}"
        events = "SELECT COUNT(*) FROM webhook_events"

        async def listed() -> list[dict[str, Any]]:
            found = await app.get(f"{HOOKS}/{hook_id}/deliveries")
            deliveries: list[dict[str, Any]] = found.json()["deliveries"]
            return deliveries

        # One delivery succeeds; it is listed, then pruned with its event.
        person = await register(server.base_url, "hired")
        await receiver.wait_for(lambda f: bool(delivered(f)))

        async def listed_as(*wanted: tuple[str, int]) -> bool:
            return [(d["status"], d["attempts"]) for d in await listed()] == list(wanted)

        await eventually(lambda: listed_as(("succeeded", 1)))
        await eventually(lambda: _zero(stored, mine))
        await eventually(lambda: _zero(stored, events))
        # One fails three times (its retries spent), then it goes as well.
        receiver.answer("fail")
        other = await register(server.base_url, "hired")
        await receiver.wait_for(lambda f: len([r for r in f if r.status == 500]) == 3)
        await eventually(lambda: listed_as(("failed", 3)))
        await eventually(lambda: _zero(stored, mine))
        await eventually(lambda: _zero(stored, events))
        assert await listed() == []
        for found in (person, other):
            await found.http.close()


async def _zero(stored: Stored, query: str) -> bool:
    return await stored.count(query) == 0
