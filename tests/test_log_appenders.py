"""The group-commit appenders outside SQLAlchemy (decisions 17 and 23), on real SQLite and
PostgreSQL databases: seqs in batch order, retries resolved to their first entry, a batch
naming a missing conversation stores the rest, a send checked against an older roster
version is not stored (decision 12), and (PostgreSQL) a send stored by another node between
a batch's lookup and its insert is reported, with nothing stored."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import insert, select

from tidings.config import Settings
from tidings.domain.entries import EntryKind, NewEntry
from tidings.store.batch import Appended, ConcurrentAppend, NotAppended
from tidings.store.database import Database
from tidings.store.log import change_roster
from tidings.store.pg_log import PgLogAppender
from tidings.store.schema import conversations, entries
from tidings.store.sqlite_log import SqliteLogAppender

Appender = SqliteLogAppender | PgLogAppender


@contextlib.asynccontextmanager
async def opened(url: str, tmp_path: Path) -> AsyncIterator[tuple[Database, Appender]]:
    """A migrated database with two empty groups (ids 1 and 2) and its appender."""
    database = Database(Settings(data_dir=tmp_path, database_url=url))
    await database.migrate()
    async with database.write("seed") as conn:
        for _ in range(2):
            await conn.execute(
                insert(conversations).values(type="group", last_activity_at=0, created_at=0)
            )
    appender: Appender = (
        SqliteLogAppender(database.sqlite_path, synchronous="NORMAL")
        if database.sqlite_path is not None
        else PgLogAppender(database.url)
    )
    try:
        yield database, appender
    finally:
        await appender.close()
        await database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path, pg_url: str
) -> AsyncIterator[tuple[Database, Appender]]:
    async with opened(pg_url if request.param == "postgresql" else "", tmp_path) as found:
        yield found


@pytest.fixture
async def pg_store(tmp_path: Path, pg_url: str) -> AsyncIterator[tuple[Database, Appender]]:
    async with opened(pg_url, tmp_path) as found:
        yield found


def new(
    conversation_id: int, sender_id: int, key: str, at: int = 1, rv: int | None = None
) -> NewEntry:
    return NewEntry(
        conversation_id=conversation_id,
        sender_id=sender_id,
        kind=EntryKind.MESSAGE,
        type="text",
        body={"text": key},
        client_msg_id=key,
        created_at=at,
        roster_version=rv,
    )


async def stored(database: Database) -> list[tuple[int, int, str]]:
    async with database.read("check") as conn:
        rows = await conn.execute(
            select(entries.c.conversation_id, entries.c.seq, entries.c.client_msg_id).order_by(
                entries.c.conversation_id, entries.c.seq
            )
        )
        return [(r.conversation_id, r.seq, r.client_msg_id) for r in rows]


async def last_seqs(database: Database) -> dict[int, int]:
    async with database.read("check") as conn:
        rows = await conn.execute(select(conversations.c.id, conversations.c.last_seq))
        return {r.id: r.last_seq for r in rows}


async def test_a_batch_takes_seqs_in_order_and_resolves_retries(
    store: tuple[Database, Appender],
) -> None:
    database, appender = store
    first = await appender.commit([new(1, 7, "a"), new(2, 7, "b"), new(1, 8, "c", at=5)])
    assert [(a.entry.conversation_id, a.entry.seq, a.created) for a in first] == [
        (1, 1, True),
        (2, 1, True),
        (1, 2, True),
    ]
    # A retry of "a", a repeat inside the batch, and new ones around them.
    second = await appender.commit(
        [new(1, 8, "d"), new(1, 7, "a"), new(2, 9, "e"), new(1, 8, "d"), new(1, 9, "f")]
    )
    assert [(a.entry.conversation_id, a.entry.seq, a.created) for a in second] == [
        (1, 3, True),
        (1, 1, False),
        (2, 2, True),
        (1, 3, False),
        (1, 4, True),
    ]
    assert second[1].entry.id == first[0].entry.id
    assert second[0].entry.body == {"text": "d"}
    assert await stored(database) == [
        (1, 1, "a"),
        (1, 2, "c"),
        (1, 3, "d"),
        (1, 4, "f"),
        (2, 1, "b"),
        (2, 2, "e"),
    ]
    assert await last_seqs(database) == {1: 4, 2: 2}


async def test_a_batch_naming_a_missing_conversation_stores_the_rest(
    store: tuple[Database, Appender],
) -> None:
    database, appender = store
    outcomes = await appender.commit([new(1, 7, "a"), new(99, 7, "b")])
    assert outcomes[1] is NotAppended.NO_CONVERSATION
    assert [(o.entry.seq, o.created) for o in outcomes[:1] if isinstance(o, Appended)] == [
        (1, True)
    ]
    assert await stored(database) == [(1, 1, "a")]
    assert await last_seqs(database) == {1: 1, 2: 0}


async def bump_roster(database: Database, conversation_id: int) -> None:
    async with database.write("membership change") as conn:
        await change_roster(conn, conversation_id)


async def test_a_send_checked_against_an_older_roster_is_not_appended(
    store: tuple[Database, Appender],
) -> None:
    """Decision 24: a membership change moved conversation 1's roster_version to 1."""
    database, appender = store
    await bump_roster(database, 1)
    outcomes = await appender.commit(
        [
            new(1, 7, "stale", rv=0),
            new(2, 7, "other conversation", rv=0),
            new(1, 8, "fresh", rv=1),
            new(1, 9, "unchecked"),
        ]
    )
    assert outcomes[0] is NotAppended.ROSTER_MOVED  # older than another check in the batch
    assert [
        (o.entry.conversation_id, o.entry.seq) for o in outcomes[1:] if isinstance(o, Appended)
    ] == [
        (2, 1),
        (1, 1),
        (1, 2),
    ]
    # Checked against version 1 alone, now 2: the database refuses it (and its repeat).
    await bump_roster(database, 1)
    again = await appender.commit(
        [new(1, 7, "late", rv=1), new(2, 7, "next", rv=0), new(1, 7, "late", rv=1)]
    )
    assert again[0] is NotAppended.ROSTER_MOVED and again[2] is NotAppended.ROSTER_MOVED
    assert isinstance(again[1], Appended) and again[1].entry.seq == 2
    assert await stored(database) == [
        (1, 1, "fresh"),
        (1, 2, "unchecked"),
        (2, 1, "other conversation"),
        (2, 2, "next"),
    ]
    assert await last_seqs(database) == {1: 2, 2: 2}


async def test_a_batch_waits_for_a_membership_change_and_sees_it(
    pg_store: tuple[Database, Appender],
) -> None:
    """PostgreSQL: a removal in another node's transaction holds conversation 1's row; the
    batch's append waits for it and, once it commits, finds the version moved on — the
    check is made on the row as committed, not on the statement's snapshot."""
    database, appender = pg_store
    other_node = await asyncpg.connect(database.url.replace("+asyncpg", ""))
    try:
        transaction = other_node.transaction()
        await transaction.start()
        await other_node.execute(
            "UPDATE conversations SET roster_version = roster_version + 1 WHERE id = 1"
        )
        batch = asyncio.create_task(
            appender.commit([new(1, 7, "raced", rv=0), new(2, 7, "elsewhere", rv=0)])
        )
        await asyncio.sleep(0.5)
        assert not batch.done()
        await transaction.commit()
        outcomes = await batch
    finally:
        await other_node.close()
    assert outcomes[0] is NotAppended.ROSTER_MOVED
    assert isinstance(outcomes[1], Appended) and outcomes[1].entry.seq == 1
    assert await stored(database) == [(2, 1, "elsewhere")]
    assert await last_seqs(database) == {1: 0, 2: 1}


async def test_a_send_stored_elsewhere_during_the_batch_is_reported(
    pg_store: tuple[Database, Appender],
) -> None:
    """PostgreSQL only: on SQLite one writer holds the lock from lookup to commit."""
    database, appender = pg_store
    other_node = await asyncpg.connect(database.url.replace("+asyncpg", ""))
    try:
        # Another node's append of the same send, not committed yet: the batch's lookup
        # does not see it, and its insert waits on the unique index...
        transaction = other_node.transaction()
        await transaction.start()
        await other_node.execute("UPDATE conversations SET last_seq = 1 WHERE id = 2")
        await other_node.execute(
            "INSERT INTO entries (conversation_id, seq, sender_id, kind, type, body,"
            " client_msg_id, recalled, created_at)"
            " VALUES (2, 1, 7, 'message', 'text', '{}', 'same', false, 1)"
        )
        batch = asyncio.create_task(appender.commit([new(1, 8, "other"), new(2, 7, "same")]))
        await asyncio.sleep(0.5)
        assert not batch.done()
        await transaction.commit()  # ...until that append commits
        with pytest.raises(ConcurrentAppend):
            await batch
    finally:
        await other_node.close()
    assert await stored(database) == [(2, 1, "same")]  # nothing of the batch
    assert await last_seqs(database) == {1: 0, 2: 1}
    # Sent again, the batch finds the stored send and appends the rest.
    again = await appender.commit([new(1, 8, "other"), new(2, 7, "same")])
    assert [(a.entry.seq, a.created) for a in again] == [(1, True), (1, False)]
