"""Migration 0021 counts what happened before the dashboard existed (decision 0061): messages
per UTC day from the log, and who was active from sessions and senders, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from tidings.config import Settings
from tidings.store.database import Database, alembic_config

DAY = 86_400_000
# Two UTC days: day 20000 and day 20001.
D0, D1 = 20_000 * DAY, 20_001 * DAY


def _before_0021() -> str:
    revision = ScriptDirectory.from_config(alembic_config()).get_revision("0021")
    assert revision is not None and isinstance(revision.down_revision, str)
    return revision.down_revision


def _upgrade(connection: Connection, target: str) -> None:
    command.upgrade(alembic_config(connection), target)


def _seed(connection: Connection) -> None:
    run = connection.execute
    for user in (1, 2, 3):
        run(
            text(
                "INSERT INTO users (id, account, password_hash, nickname, created_at) "
                "VALUES (:id, :account, '-', :account, :at)"
            ),
            {"id": user, "account": f"u{user}", "at": D0},
        )
    run(
        text(
            "INSERT INTO conversations (id, type, name, last_activity_at, created_at) "
            "VALUES (1, 'group', 'g', :at, :at)"
        ),
        {"at": D0},
    )
    entries = [
        # (seq, sender, kind, at): users' messages count, notices and group events do not.
        (1, 1, "message", D0 + 10),
        (2, 1, "message", D0 + 20),
        (3, 2, "message", D1 + 5),
        (4, None, "message", D1 + 6),
        (5, 1, "member_joined", D1 + 7),
    ]
    for seq, sender, kind, at in entries:
        run(
            text(
                "INSERT INTO entries (conversation_id, seq, sender_id, kind, body, created_at) "
                "VALUES (1, :seq, :sender, :kind, '{}', :at)"
            ),
            {"seq": seq, "sender": sender, "kind": kind, "at": at},
        )
    # User 3 only signed in on day 1 (and was last seen then).
    run(
        text(
            "INSERT INTO sessions (user_id, token_hash, platform, created_at, last_seen_at, "
            "expires_at) VALUES (3, 'h3', 'web', :at, :at, :at)"
        ),
        {"at": D1 + 100},
    )


def _counts(connection: Connection) -> dict[tuple[str, int], int]:
    rows = connection.execute(text("SELECT metric, day, count FROM daily_counts"))
    return {(m, int(d)): int(c) for m, d, c in rows}


def _activity(connection: Connection) -> set[tuple[int, int]]:
    rows = connection.execute(text("SELECT day, user_id FROM user_activity"))
    return {(int(d), int(u)) for d, u in rows}


async def _check(settings: Settings) -> None:
    database = Database(settings)
    try:
        async with database.engine.begin() as conn:
            await conn.run_sync(_upgrade, _before_0021())
            await conn.run_sync(_seed)
            await conn.run_sync(_upgrade, "head")
            counts = await conn.run_sync(_counts)
            activity = await conn.run_sync(_activity)
    finally:
        await database.dispose()
    assert counts == {
        ("messages", 20_000): 2,
        ("messages", 20_001): 1,
        ("active_users", 20_000): 1,
        ("active_users", 20_001): 2,
    }
    assert activity == {(20_000, 1), (20_001, 2), (20_001, 3)}


async def test_the_migration_counts_the_past_on_sqlite(tmp_path: Path) -> None:
    await _check(Settings(data_dir=tmp_path))


@pytest.mark.postgres
async def test_the_migration_counts_the_past_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    await _check(Settings(data_dir=tmp_path, database_url=pg_url))
