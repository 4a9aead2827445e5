"""Alembic migrations upgrade an empty database on SQLite and on PostgreSQL, and the schema
they build is the one the code declares."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

from tidings.config import Settings
from tidings.store.database import Database
from tidings.store.schema import metadata


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection)
    return list(compare_metadata(context, metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _upgrade_and_check(settings: Settings) -> None:
    database = Database(settings)
    try:
        await database.migrate()
        await database.migrate()  # a second run is a no-op
        async with database.engine.connect() as conn:
            tables = await conn.run_sync(_tables)
            assert {t.name for t in metadata.sorted_tables} <= tables
            assert "alembic_version" in tables
            assert await conn.run_sync(_differences) == []
    finally:
        await database.dispose()


async def test_upgrade_an_empty_sqlite_database(tmp_path: Path) -> None:
    await _upgrade_and_check(Settings(data_dir=tmp_path))
    assert (tmp_path / "tidings.db").exists()


@pytest.mark.postgres
async def test_upgrade_an_empty_postgresql_database(pg_url: str, tmp_path: Path) -> None:
    await _upgrade_and_check(Settings(data_dir=tmp_path, database_url=pg_url))
