"""Read transactions on SQLite, each statement one hand-off to a reader thread (decision 21).

Through SQLAlchemy's async engine every SQLite statement is four hand-offs between the event
loop and aiosqlite's thread (cursor, execute, fetch, close), plus BEGIN and ROLLBACK per
transaction; each wakes a thread, and on a small machine those wake-ups, not SQLite, were
what a reconnect storm spent its CPU on (docs/benchmarks.md, "Scale-out"). Here a few reader
threads each own a synchronous SQLAlchemy connection: a statement is sent to the thread,
which runs it (beginning the transaction first if needed), buffers the rows with
``Result.freeze()`` and hands them back in one go; the rollback that ends the transaction is
queued without waiting for it. The stores keep their SQLAlchemy Core statements: a
``ReadConnection`` answers ``execute`` exactly like ``AsyncConnection`` (a buffered result).

Writes are untouched (one writer, decision 3; the log's fast path, decision 17).
``configure_sqlite`` sets up every SQLite connection of ours, the async engine's and these.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Engine, Executable, NullPool, Result, create_engine, event
from sqlalchemy.engine import FrozenResult

_STOP = object()
_ROLLBACK = object()


class ReadConnection:
    """One read transaction on one reader thread: what ``Database.read`` yields on SQLite."""

    __slots__ = ("_reader",)

    def __init__(self, reader: _Reader) -> None:
        self._reader = reader

    async def execute(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Result[Any]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[FrozenResult[Any]] = loop.create_future()
        self._reader.jobs.put((loop, future, statement, parameters))
        frozen = await future
        return frozen()


class _Reader:
    def __init__(self, engine: Engine, name: str) -> None:
        self.jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._engine = engine
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def end_transaction(self) -> None:
        self.jobs.put(_ROLLBACK)

    def stop(self) -> None:
        self.jobs.put(_STOP)
        self._thread.join(5)

    def _run(self) -> None:
        conn: Connection = self._engine.connect()
        try:
            while True:
                job = self.jobs.get()
                if job is _STOP:
                    return
                if job is _ROLLBACK:
                    if conn.in_transaction():
                        conn.rollback()
                    continue
                loop, future, statement, parameters = job
                try:
                    result = conn.execute(statement, parameters).freeze()
                except BaseException as error:  # handed to the awaiting coroutine
                    loop.call_soon_threadsafe(_fail, future, error)
                else:
                    loop.call_soon_threadsafe(_succeed, future, result)
        finally:
            conn.close()


def _succeed(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


class SqliteReaders:
    """A fixed set of reader threads, lent out one read transaction at a time."""

    def __init__(self, path: str, synchronous: str, count: int = 4) -> None:
        # One connection per reader thread, made and used only there.
        self._engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
        configure_sqlite(self._engine, synchronous)
        self._readers = [_Reader(self._engine, f"sqlite-reader-{i}") for i in range(count)]
        self._idle: asyncio.Queue[_Reader] | None = None

    async def acquire(self) -> tuple[_Reader, ReadConnection]:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for reader in self._readers:
                self._idle.put_nowait(reader)
        reader = await self._idle.get()
        return reader, ReadConnection(reader)

    def release(self, reader: _Reader) -> None:
        reader.end_transaction()  # runs on the thread before any later statement
        assert self._idle is not None
        self._idle.put_nowait(reader)

    def close(self) -> None:
        for reader in self._readers:
            reader.stop()
        self._engine.dispose()


def configure_sqlite(engine: Engine, synchronous: str, *, writer: bool = False) -> None:
    """Every SQLite connection of ours: WAL, the durability asked for, foreign keys, a busy
    timeout, and BEGIN issued where SQLAlchemy begins (not lazily before the first write),
    so every statement of one transaction sees the same snapshot.

    A ``writer`` engine's transactions take the write lock as they begin (BEGIN IMMEDIATE),
    waiting out the busy timeout for it. A deferred one that reads, then writes, fails at
    once with "database is locked" if another process (the command line beside a busy
    server) committed in between: the busy timeout does not help a stale snapshot."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if writer else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)
