"""The dashboard's numbers (PRODUCT.md K6, decision 0061): counters kept per day as things
happen, who was active on which day, and counts taken from the users, groups and files.

Days are numbers (domain/statistics.py). A chart never scans the conversation log: messages
are counted as they are stored (``daily_counts``); new users and groups are counted from
their rows through the ``created_at`` indexes, in the calendar's days.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter as Tally
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, case, func, literal, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from tidings.domain.accounts import UserKind
from tidings.domain.conversations import ConversationType
from tidings.domain.files import FileState
from tidings.domain.statistics import Counter, Storage
from tidings.store.database import Database
from tidings.store.schema import (
    conversations,
    daily_counts,
    files,
    group_settings,
    user_activity,
    users,
)

_DAY_MS = 86_400_000
# Rows per INSERT: well under SQLite's limit of bound parameters.
_CHUNK = 1000

# (until, offset): up to ``until`` (ms since the epoch) local time is UTC plus ``offset`` ms.
OffsetSpans = list[tuple[int, int]]


class StatisticsStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def record(
        self, active: Iterable[tuple[int, int]], counts: dict[tuple[Counter, int], int]
    ) -> int:
        """Store (day, user) activity and add ``counts`` to the counters, in one transaction.

        An activity already stored (by this node earlier, or by another) is not counted
        again: only the rows this insert creates add to ``active_users``. The number of new
        activity rows."""
        pairs = sorted(set(active))
        tally: Tally[tuple[Counter, int]] = Tally(counts)
        created = 0
        async with self._db.write("record_statistics") as conn:
            for start in range(0, len(pairs), _CHUNK):
                chunk = pairs[start : start + _CHUNK]
                insert = (
                    self._insert(user_activity)
                    .values([{"day": d, "user_id": u} for d, u in chunk])
                    .on_conflict_do_nothing()
                    .returning(user_activity.c.day)
                )
                for (day,) in (await conn.execute(insert)).all():
                    tally[(Counter.ACTIVE_USERS, int(day))] += 1
                    created += 1
            rows = [
                {"metric": metric.value, "day": day, "count": n}
                for (metric, day), n in sorted(tally.items())
                if n
            ]
            if rows:
                stmt = self._insert(daily_counts).values(rows)
                await conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=[daily_counts.c.metric, daily_counts.c.day],
                        set_={"count": daily_counts.c.count + stmt.excluded.count},
                    )
                )
        return created

    async def counts(self, metric: Counter, first_day: int, last_day: int) -> dict[int, int]:
        async with self._db.read("daily_counts") as conn:
            rows = await conn.execute(
                select(daily_counts.c.day, daily_counts.c.count).where(
                    daily_counts.c.metric == metric.value,
                    daily_counts.c.day.between(first_day, last_day),
                )
            )
            return {int(day): int(n) for day, n in rows.all()}

    async def active_users(self, first_day: int, last_day: int) -> int:
        """How many users were active on any day of ``first_day`` .. ``last_day``."""
        async with self._db.read("active_users") as conn:
            found = await conn.execute(
                select(func.count(func.distinct(user_activity.c.user_id))).where(
                    user_activity.c.day.between(first_day, last_day)
                )
            )
            return int(found.scalar_one())

    async def new_users(self, lo: int, hi: int, spans: OffsetSpans) -> dict[int, int]:
        """Users created in [lo, hi) ms, per day."""
        async with self._db.read("new_users_per_day") as conn:
            return await _per_day(
                conn, users.c.created_at, lo, hi, spans, users.c.kind != UserKind.VISITOR.value
            )

    async def new_groups(self, lo: int, hi: int, spans: OffsetSpans) -> dict[int, int]:
        """Groups created in [lo, hi) ms, per day."""
        async with self._db.read("new_groups_per_day") as conn:
            return await _per_day(
                conn,
                conversations.c.created_at,
                lo,
                hi,
                spans,
                conversations.c.type == ConversationType.GROUP.value,
            )

    async def totals(self) -> tuple[int, int]:
        """Accounts not frozen or disabled, and groups not disbanded."""
        async with self._db.read("statistics_totals") as conn:
            people = await conn.execute(
                select(func.count())
                .select_from(users)
                # Customer-service visitors are not staff (decision 0066).
                .where(users.c.disabled.is_(False), users.c.kind != UserKind.VISITOR.value)
            )
            groups = await conn.execute(
                select(func.count())
                .select_from(
                    conversations.outerjoin(
                        group_settings,
                        group_settings.c.conversation_id == conversations.c.id,
                    )
                )
                .where(
                    conversations.c.type == ConversationType.GROUP.value,
                    group_settings.c.disbanded_at.is_(None),
                )
            )
            return int(people.scalar_one()), int(groups.scalar_one())

    async def storage(self) -> Storage:
        """The files' stored bytes (received so far, and the server's derived copies) and
        the database's size on disk."""
        async with self._db.read("storage_used") as conn:
            row = (
                await conn.execute(
                    select(
                        func.count(),
                        func.coalesce(func.sum(files.c.received + files.c.derived_bytes), 0),
                    ).where(files.c.state != FileState.PURGED.value)
                )
            ).one()
            if self._db.sqlite_path is None:
                size = await conn.execute(text("SELECT pg_database_size(current_database())"))
                database_bytes = int(size.scalar_one())
            else:
                database_bytes = _sqlite_bytes(self._db.sqlite_path)
        return Storage(files=int(row[0]), file_bytes=int(row[1]), database_bytes=database_bytes)

    def _insert(self, table: Any) -> Any:
        return sqlite.insert(table) if self._db.is_sqlite else postgresql.insert(table)


async def _per_day(
    conn: AsyncConnection,
    created_at: ColumnElement[Any],
    lo: int,
    hi: int,
    spans: OffsetSpans,
    *where: ColumnElement[bool],
) -> dict[int, int]:
    # Within a span the zone's offset is fixed, so the local day is (t + offset) // day; a
    # CASE picks the span's offset (one branch for most zones, two or three across DST).
    day: ColumnElement[Any] = case(
        *[(created_at < until, (created_at + offset) // _DAY_MS) for until, offset in spans],
        else_=literal(-1),
    )
    bucket = day.label("bucket")
    query = (
        select(bucket, func.count())
        .where(and_(created_at >= lo, created_at < hi, *where))
        .group_by(bucket)
    )
    return {int(b): int(n) for b, n in (await conn.execute(query)).all() if b >= 0}


def _sqlite_bytes(path: str) -> int:
    total = 0
    for suffix in ("", "-wal"):
        with contextlib.suppress(OSError):  # no -wal file after a checkpoint
            total += os.path.getsize(path + suffix)
    return total
