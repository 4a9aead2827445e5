"""The database side of a server backup (decision 0054): a consistent snapshot of a running
server's database, and putting one back into an empty database.

SQLite is copied with its online backup API in a single step: one read transaction, so the
copy is the database as of one commit while the server's writers go on (WAL: readers and
writers do not block each other). PostgreSQL is dumped with ``pg_dump``, which reads in one
repeatable-read transaction, and restored with ``pg_restore --single-transaction``: a dump
that fails half way leaves the target as empty as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import asyncpg
from sqlalchemy import make_url

from tidings.domain.backup import BackupError, BackupProblem


def _tool(name: str) -> str:
    """The pg_dump or pg_restore of the PATH unless TIDINGS_PG_DUMP / TIDINGS_PG_RESTORE name
    another (a newer client for a newer server); read when used."""
    return os.environ.get(f"TIDINGS_{name.upper()}", name)


# A busy writer holds SQLite's lock for milliseconds; a snapshot waits this long at most.
_SQLITE_BUSY_SECONDS = 60.0


def snapshot_sqlite(source: Path, target: Path) -> str:
    """Copy the database at ``source`` into a new file ``target``; returns its revision."""
    if not source.is_file():
        raise BackupError(BackupProblem.NO_DATABASE, f"no database at {source}")
    try:
        # Read only: the backup must never create, migrate or lock out the server's file.
        with (
            contextlib.closing(
                sqlite3.connect(
                    f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=_SQLITE_BUSY_SECONDS
                )
            ) as live,
            contextlib.closing(sqlite3.connect(target)) as copy,
        ):
            # pages=-1: the whole database in one step, under one read transaction.
            live.backup(copy, pages=-1)
            # A file that is not a database at all fails here rather than in the server.
            copy.execute("PRAGMA journal_mode=DELETE")
            return _sqlite_revision(copy)
    except sqlite3.Error as error:
        raise BackupError(BackupProblem.DUMP_FAILED, f"copying {source}: {error}") from None


def check_sqlite(path: Path) -> str:
    """A restored database file's revision, after SQLite's own consistency check."""
    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ) as db:
            problems = [row[0] for row in db.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise BackupError(
                    BackupProblem.CORRUPT, f"the database fails its check: {problems[:3]}"
                )
            return _sqlite_revision(db)
    except sqlite3.Error as error:
        raise BackupError(BackupProblem.CORRUPT, f"the database cannot be read: {error}") from None


def _sqlite_revision(db: sqlite3.Connection) -> str:
    try:
        row = db.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        row = None
    if row is None:
        raise BackupError(BackupProblem.NO_DATABASE, "the database has no Tidings schema")
    return str(row[0])


def dump_postgresql(url: str, target: Path) -> str:
    """``pg_dump --format=custom`` of the database at ``url`` into ``target``; returns the
    schema revision it holds."""
    revision = asyncio.run(_postgresql_revision(url))
    _run_tool(
        [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl", "--file", str(target)],
        url,
        BackupProblem.DUMP_FAILED,
    )
    return revision


def check_postgresql_empty(url: str) -> None:
    """Refuse a target database that holds any table, sequence or view of its own."""
    count = asyncio.run(_count_relations(url))
    if count:
        raise BackupError(
            BackupProblem.TARGET_NOT_EMPTY,
            f"the database {make_url(url).database!r} is not empty ({count} relations); "
            "restore into a new one (createdb)",
        )


def restore_postgresql(dump: Path, url: str) -> None:
    """Load a dump into an empty database, all of it or (on any error) none of it."""
    check_postgresql_empty(url)
    _run_tool(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            make_url(url).database or "",
            str(dump),
        ],
        url,
        BackupProblem.RESTORE_FAILED,
    )


def plain_url(url: str) -> str:
    """A PostgreSQL URL as asyncpg and libpq spell it (no SQLAlchemy driver name)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


async def _connect(url: str) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(plain_url(url), timeout=30)
    except (OSError, asyncpg.PostgresError) as error:
        raise BackupError(
            BackupProblem.DATABASE_UNREACHABLE,
            f"cannot reach {make_url(url).render_as_string()}: {error}",
        ) from None


async def _postgresql_revision(url: str) -> str:
    conn = await _connect(url)
    try:
        revision = await conn.fetchval("SELECT version_num FROM alembic_version")
    except asyncpg.UndefinedTableError:
        revision = None
    finally:
        await conn.close()
    if revision is None:
        raise BackupError(BackupProblem.NO_DATABASE, "the database has no Tidings schema")
    return str(revision)


async def _count_relations(url: str) -> int:
    conn = await _connect(url)
    try:
        count = await conn.fetchval(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
        )
    finally:
        await conn.close()
    return int(count)


def _run_tool(command: list[str], url: str, problem: BackupProblem) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            BackupProblem.TOOL_MISSING,
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)",
        )
    # The connection goes in libpq's variables: a password never shows in the process list.
    parsed = make_url(url)
    env = {
        **os.environ,
        "PGHOST": parsed.host or "",
        "PGPORT": str(parsed.port or 5432),
        "PGUSER": parsed.username or "",
        "PGPASSWORD": parsed.password or "",
        "PGDATABASE": parsed.database or "",
    }
    env = {name: value for name, value in env.items() if value}
    # The command is ours: the tool's name (from the PATH or our own variable) and paths.
    done = subprocess.run(  # noqa: S603
        command, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        raise BackupError(problem, f"{command[0]} failed: {' '.join(detail[-3:])}")


def known_revision(revision: str) -> bool:
    """Whether this code's migrations know ``revision`` (a newer server's are unknown)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from tidings.store.database import alembic_config

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False
