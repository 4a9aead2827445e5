"""The engine, named transactions and migrations.

SQLite allows one writer at a time. Rather than let write transactions collide and fail with
SQLITE_BUSY, every write transaction in this process takes one asyncio lock first; readers
never wait (WAL). PostgreSQL needs no such lock: its row locks order concurrent writers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, make_url, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from tidings.config import Settings
from tidings.metrics import TRANSACTION_SECONDS
from tidings.store import audit_context, outbox
from tidings.store.sqlite_reads import SqliteReaders, configure_sqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any constant shared by all nodes; "tidings" in ASCII.
_MIGRATION_LOCK = 0x746964696E6773


class Database:
    def __init__(self, settings: Settings) -> None:
        self.url = settings.effective_database_url
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            self.engine: AsyncEngine = create_async_engine(
                self.url, pool_size=4, max_overflow=4, connect_args={"timeout": 30}
            )
            configure_sqlite(
                self.engine.sync_engine, settings.sqlite_synchronous.value, writer=True
            )
        else:
            pool = settings.database_pool_size
            self.engine = create_async_engine(self.url, pool_size=pool, max_overflow=pool)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        self.sqlite_synchronous = settings.sqlite_synchronous.value
        # The file behind a SQLite URL, for code that talks to it directly (decision 17).
        self.sqlite_path: str | None = make_url(self.url).database if self.is_sqlite else None
        # SQLite reads go to reader threads of their own (decision 21); started at first use.
        self._readers: SqliteReaders | None = None
        # The webhook outbox's view of what is wanted (decision 0068).
        self.outbox = outbox.Outbox()

    @contextlib.asynccontextmanager
    async def write(self, name: str) -> AsyncIterator[AsyncConnection]:
        """A named write transaction: committed when the block exits, rolled back on error."""
        started = time.perf_counter()
        lock = self._write_lock
        if lock is not None:
            await lock.acquire()
        try:
            with outbox.collecting() as noted:
                async with self.engine.begin() as conn:
                    yield conn
                    # An admin action's audit entry commits with its change (decision 0052),
                    # and so do the change's webhook events (decision 0068).
                    audited = await audit_context.write_pending(conn)
                    events = await outbox.write_noted(conn, self.outbox, noted)
            if audited is not None:
                audited.written = True
            if events:
                self.outbox.written()
        finally:
            if lock is not None:
                lock.release()
            TRANSACTION_SECONDS.labels(name).observe(time.perf_counter() - started)

    @contextlib.asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[None]:
        """Hold the SQLite write lock for a transaction run outside SQLAlchemy."""
        started = time.perf_counter()
        lock = self._write_lock
        if lock is not None:
            await lock.acquire()
        try:
            yield
        finally:
            if lock is not None:
                lock.release()
            TRANSACTION_SECONDS.labels(name).observe(time.perf_counter() - started)

    @contextlib.asynccontextmanager
    async def read(self, name: str) -> AsyncIterator[AsyncConnection]:
        """A named read-only transaction (a consistent snapshot)."""
        started = time.perf_counter()
        try:
            if self.sqlite_path is None:
                async with self.engine.connect() as conn:
                    yield conn
            else:
                if self._readers is None:
                    self._readers = SqliteReaders(self.sqlite_path, self.sqlite_synchronous)
                readers = self._readers
                reader, connection = await readers.acquire()
                try:
                    # Only execute() is offered, which is all the stores call on a read.
                    yield cast(AsyncConnection, connection)
                finally:
                    readers.release(reader)
        finally:
            TRANSACTION_SECONDS.labels(name).observe(time.perf_counter() - started)

    async def migrate(self) -> None:
        """Bring the schema to the newest migration.

        Several nodes may start at once: on PostgreSQL a transaction-scoped advisory lock lets
        one migrate while the others wait, then find nothing left to do.
        """
        async with self.engine.begin() as conn:
            if not self.is_sqlite:
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                )
            await conn.run_sync(_upgrade_to_head)

    async def dispose(self) -> None:
        if self._readers is not None:
            readers, self._readers = self._readers, None
            await asyncio.to_thread(readers.close)
        await self.engine.dispose()


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _upgrade_to_head(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")
