"""Broadcasts and their recipients (decision 0058).

Sending starts by writing one ``broadcast_recipients`` row per person of the audience (one
``INSERT ... SELECT``). Fan-out then takes the next batch of recipients after the
broadcast's ``fanned_out_to`` cursor, appends their entries, and records their seqs and the
cursor, all in one transaction: a batch is stored whole or not at all, and a batch that was
stored is never taken again. The batch's first statement renews the fan-out lease of the
node doing it, conditioned on that node holding it; on PostgreSQL that statement also holds
the broadcast's row lock to the commit, so two nodes can never write batches of one
broadcast at the same time (SQLite has one writer anyway).

On SQLite a batch runs as one call on a thread of its own with a plain sqlite3 connection
(the log's fast path, decision 17, and its ``append_new``): through SQLAlchemy and aiosqlite
500 entries took 200 ms, most of it statement building and a thread hand-off per row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain.accounts import UserKind
from tidings.domain.bodies import MessageType
from tidings.domain.broadcasts import Audience, Broadcast, BroadcastState, Reach
from tidings.domain.conversations import ConversationType
from tidings.domain.entries import Entry, EntryKind, NewEntry
from tidings.store import codec, log
from tidings.store.database import Database
from tidings.store.schema import (
    broadcast_recipients,
    broadcasts,
    conversations,
    department_members,
    group_settings,
    members,
    users,
)
from tidings.store.sqlite_log import SqliteLogAppender, append_new


@dataclass(frozen=True, slots=True)
class FannedOut:
    """What one fan-out batch stored: (recipient, their entry), and whether it was the last."""

    delivered: list[tuple[int, Entry]]
    finished: bool


_COLUMNS = (
    broadcasts.c.id,
    broadcasts.c.created_by,
    broadcasts.c.body,
    broadcasts.c.audience,
    broadcasts.c.state,
    broadcasts.c.send_at,
    broadcasts.c.created_at,
    broadcasts.c.started_at,
    broadcasts.c.finished_at,
    broadcasts.c.cancelled_at,
    broadcasts.c.recipient_count,
    broadcasts.c.delivered_count,
)


def _broadcast(row: Any) -> Broadcast:
    return Broadcast(
        id=row.id,
        created_by=row.created_by,
        body=codec.loads(row.body),
        audience=Audience.from_wire(codec.loads(row.audience)),
        state=BroadcastState(row.state),
        send_at=row.send_at,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        cancelled_at=row.cancelled_at,
        recipient_count=row.recipient_count,
        delivered_count=row.delivered_count,
    )


def _reached(reach: Reach) -> ColumnElement[bool]:
    """Which users an audience reaches: live accounts that have a system conversation."""
    live = and_(
        users.c.disabled.is_(False),
        users.c.system_conversation_id.is_not(None),
        # Customer-service visitors are no one's staff (decision 0066).
        users.c.kind != UserKind.VISITOR.value,
    )
    if reach.everyone:
        return live
    parts: list[ColumnElement[bool]] = []
    if reach.department_ids:
        parts.append(
            users.c.id.in_(
                select(department_members.c.user_id).where(
                    department_members.c.department_id.in_(reach.department_ids)
                )
            )
        )
    if reach.group_ids:
        parts.append(
            users.c.id.in_(
                select(members.c.user_id).where(
                    members.c.conversation_id.in_(reach.group_ids), members.c.active.is_(True)
                )
            )
        )
    if reach.user_ids:
        parts.append(users.c.id.in_(reach.user_ids))
    return and_(live, or_(*parts) if parts else false())


async def _start(conn: AsyncConnection, broadcast_id: int, reach: Reach, now: int) -> int:
    """Fix the recipients and mark the broadcast sending; how many there are."""
    result = await conn.execute(
        insert(broadcast_recipients).from_select(
            ["broadcast_id", "user_id", "conversation_id"],
            select(literal(broadcast_id), users.c.id, users.c.system_conversation_id).where(
                _reached(reach)
            ),
        )
    )
    count = max(result.rowcount or 0, 0)
    # An audience that came to nobody by send time is sent at once, to nobody.
    state = BroadcastState.SENDING if count else BroadcastState.SENT
    await conn.execute(
        update(broadcasts)
        .where(broadcasts.c.id == broadcast_id)
        .values(
            state=state.value,
            recipient_count=count,
            started_at=now,
            finished_at=None if count else now,
        )
    )
    return count


_SET_SEQ = (
    update(broadcast_recipients)
    .where(
        broadcast_recipients.c.broadcast_id == bindparam("b_id"),
        broadcast_recipients.c.user_id == bindparam("u_id"),
    )
    .values(seq=bindparam("b_seq"))
)


class BroadcastStore:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._sqlite = (
            SqliteLogAppender(database.sqlite_path, synchronous=database.sqlite_synchronous)
            if database.sqlite_path is not None
            else None
        )

    async def close(self) -> None:
        if self._sqlite is not None:
            await self._sqlite.close()

    async def count_reach(self, reach: Reach) -> int:
        async with self._db.read("count_broadcast_reach") as conn:
            return int(
                (
                    await conn.execute(
                        select(func.count()).select_from(users).where(_reached(reach))
                    )
                ).scalar_one()
            )

    async def missing(
        self, *, group_ids: Sequence[int], user_ids: Sequence[int]
    ) -> tuple[list[int], list[int]]:
        """Of these, the ids that are no live group, and no user."""
        async with self._db.read("broadcast_missing_ids") as conn:
            found_groups: set[int] = set()
            if group_ids:
                rows = await conn.execute(
                    select(conversations.c.id)
                    .outerjoin(
                        group_settings, group_settings.c.conversation_id == conversations.c.id
                    )
                    .where(
                        conversations.c.id.in_(group_ids),
                        conversations.c.type == ConversationType.GROUP.value,
                        group_settings.c.disbanded_at.is_(None),
                    )
                )
                found_groups = {row.id for row in rows}
            found_users: set[int] = set()
            if user_ids:
                rows = await conn.execute(select(users.c.id).where(users.c.id.in_(user_ids)))
                found_users = {row.id for row in rows}
        return (
            [i for i in group_ids if i not in found_groups],
            [i for i in user_ids if i not in found_users],
        )

    async def create(
        self,
        *,
        created_by: int,
        body: dict[str, Any],
        audience: Audience,
        send_at: int,
        image_file_id: str | None,
        now: int,
        reach: Reach | None,
        named: Callable[[int], None],
    ) -> Broadcast:
        """A scheduled broadcast, or (``reach`` given) one whose sending starts now.
        ``named`` is told the new id inside the transaction (its audit entry names it)."""
        async with self._db.write("create_broadcast") as conn:
            broadcast_id = (
                await conn.execute(
                    insert(broadcasts)
                    .values(
                        created_by=created_by,
                        body=codec.dumps(body),
                        audience=codec.dumps(audience.to_wire()),
                        state=BroadcastState.SCHEDULED.value,
                        send_at=send_at,
                        image_file_id=image_file_id,
                        created_at=now,
                    )
                    .returning(broadcasts.c.id)
                )
            ).scalar_one()
            named(broadcast_id)
            if reach is not None:
                await _start(conn, broadcast_id, reach, now)
            row = (
                await conn.execute(select(*_COLUMNS).where(broadcasts.c.id == broadcast_id))
            ).one()
        return _broadcast(row)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        async with self._db.read("get_broadcast") as conn:
            row = (
                await conn.execute(select(*_COLUMNS).where(broadcasts.c.id == broadcast_id))
            ).first()
        return _broadcast(row) if row else None

    async def page(
        self, *, before_id: int | None, limit: int, state: BroadcastState | None
    ) -> list[Broadcast]:
        """Newest first."""
        statement = select(*_COLUMNS).order_by(broadcasts.c.id.desc()).limit(limit)
        if before_id is not None:
            statement = statement.where(broadcasts.c.id < before_id)
        if state is not None:
            statement = statement.where(broadcasts.c.state == state.value)
        async with self._db.read("list_broadcasts") as conn:
            return [_broadcast(row) for row in await conn.execute(statement)]

    async def read_counts(self, broadcast_ids: Sequence[int]) -> dict[int, int]:
        """Per broadcast, how many recipients have read past its entry."""
        if not broadcast_ids:
            return {}
        r = broadcast_recipients
        async with self._db.read("broadcast_read_counts") as conn:
            rows = await conn.execute(
                select(r.c.broadcast_id, func.count())
                .select_from(r)
                .join(
                    members,
                    and_(
                        members.c.conversation_id == r.c.conversation_id,
                        members.c.user_id == r.c.user_id,
                    ),
                )
                .where(
                    r.c.broadcast_id.in_(broadcast_ids),
                    r.c.seq.is_not(None),
                    members.c.read_seq >= r.c.seq,
                )
                .group_by(r.c.broadcast_id)
            )
            found = {row[0]: int(row[1]) for row in rows}
        return {i: found.get(i, 0) for i in broadcast_ids}

    async def cancel(self, broadcast_id: int, now: int) -> Broadcast | None:
        """Cancel a broadcast still waiting for its time; None if it is not (any more)."""
        async with self._db.write("cancel_broadcast") as conn:
            row = (
                await conn.execute(
                    update(broadcasts)
                    .where(
                        broadcasts.c.id == broadcast_id,
                        broadcasts.c.state == BroadcastState.SCHEDULED.value,
                    )
                    .values(state=BroadcastState.CANCELLED.value, cancelled_at=now)
                    .returning(*_COLUMNS)
                )
            ).first()
        return _broadcast(row) if row else None

    # Sending

    async def due(self, now: int, limit: int) -> list[Broadcast]:
        """Scheduled broadcasts whose time has come, oldest first."""
        async with self._db.read("due_broadcasts") as conn:
            rows = await conn.execute(
                select(*_COLUMNS)
                .where(
                    broadcasts.c.state == BroadcastState.SCHEDULED.value,
                    broadcasts.c.send_at <= now,
                )
                .order_by(broadcasts.c.send_at, broadcasts.c.id)
                .limit(limit)
            )
            return [_broadcast(row) for row in rows]

    async def start(self, broadcast_id: int, reach: Reach, now: int) -> int | None:
        """Start sending a scheduled broadcast: the recipients' count, or None when another
        node started it first or it was cancelled (the state change is conditional)."""
        async with self._db.write("start_broadcast") as conn:
            claimed = await conn.execute(
                update(broadcasts)
                .where(
                    broadcasts.c.id == broadcast_id,
                    broadcasts.c.state == BroadcastState.SCHEDULED.value,
                )
                .values(state=BroadcastState.SENDING.value)
            )
            if claimed.rowcount != 1:
                return None
            return await _start(conn, broadcast_id, reach, now)

    async def sending(self, node: str, now: int) -> list[int]:
        """Broadcasts being sent that this node may fan out: its own, and those whose
        node's lease ran out (a node that stopped or crashed mid-way)."""
        async with self._db.read("sending_broadcasts") as conn:
            rows = await conn.execute(
                select(broadcasts.c.id)
                .where(
                    broadcasts.c.state == BroadcastState.SENDING.value,
                    or_(broadcasts.c.lease_owner == node, broadcasts.c.lease_until < now),
                )
                .order_by(broadcasts.c.id)
            )
            return [row.id for row in rows]

    async def claim(self, broadcast_id: int, node: str, now: int, lease_ms: int) -> bool:
        async with self._db.write("claim_broadcast") as conn:
            result = await conn.execute(
                update(broadcasts)
                .where(
                    broadcasts.c.id == broadcast_id,
                    broadcasts.c.state == BroadcastState.SENDING.value,
                    or_(broadcasts.c.lease_owner == node, broadcasts.c.lease_until < now),
                )
                .values(lease_owner=node, lease_until=now + lease_ms)
            )
            return result.rowcount == 1

    async def release(self, broadcast_id: int, node: str) -> None:
        """Give up the lease (stopping): another node may go on at once."""
        async with self._db.write("release_broadcast") as conn:
            await conn.execute(
                update(broadcasts)
                .where(broadcasts.c.id == broadcast_id, broadcasts.c.lease_owner == node)
                .values(lease_owner="", lease_until=0)
            )

    async def fan_out(
        self, broadcast_id: int, node: str, now: int, lease_ms: int, limit: int
    ) -> FannedOut | None:
        """Store the entries of the next ``limit`` recipients, in one transaction; None when
        this node no longer holds the broadcast's lease (or it is no longer sending)."""
        if self._sqlite is not None:
            async with self._db.exclusive("broadcast_fan_out"):
                return await self._sqlite.run(
                    lambda conn: _fan_out_sqlite(conn, broadcast_id, node, now, lease_ms, limit)
                )
        async with self._db.write("broadcast_fan_out") as conn:
            # First: renews the lease, and on PostgreSQL locks the row to the commit.
            held = (
                await conn.execute(
                    update(broadcasts)
                    .where(
                        broadcasts.c.id == broadcast_id,
                        broadcasts.c.state == BroadcastState.SENDING.value,
                        broadcasts.c.lease_owner == node,
                    )
                    .values(lease_until=now + lease_ms)
                    .returning(broadcasts.c.fanned_out_to, broadcasts.c.body)
                )
            ).first()
            if held is None:
                return None
            r = broadcast_recipients
            batch = (
                await conn.execute(
                    select(r.c.user_id, r.c.conversation_id)
                    .where(
                        r.c.broadcast_id == broadcast_id,
                        r.c.user_id > held.fanned_out_to,
                        r.c.seq.is_(None),
                    )
                    .order_by(r.c.user_id)
                    .limit(limit)
                )
            ).all()
            body = codec.loads(held.body)
            stored = await log.append_entries(
                conn,
                [
                    NewEntry(
                        conversation_id=row.conversation_id,
                        sender_id=None,
                        kind=EntryKind.MESSAGE,
                        type=MessageType.NOTICE.value,
                        body=body,
                        client_msg_id=None,
                        created_at=now,
                    )
                    for row in batch
                ],
            )
            if stored:
                await conn.execute(
                    _SET_SEQ,
                    [
                        {"b_id": broadcast_id, "u_id": row.user_id, "b_seq": entry.seq}
                        for row, entry in zip(batch, stored, strict=True)
                    ],
                )
            finished = len(batch) < limit
            progress: dict[str, Any] = {
                "delivered_count": broadcasts.c.delivered_count + len(batch),
            }
            if batch:
                progress["fanned_out_to"] = batch[-1].user_id
            if finished:
                progress.update(
                    state=BroadcastState.SENT.value,
                    finished_at=now,
                    lease_owner="",
                    lease_until=0,
                )
            await conn.execute(
                update(broadcasts).where(broadcasts.c.id == broadcast_id).values(**progress)
            )
        return FannedOut(
            [(row.user_id, entry) for row, entry in zip(batch, stored, strict=True)], finished
        )


_HOLD = (
    "UPDATE broadcasts SET lease_until = ? WHERE id = ? AND state = 'sending'"
    " AND lease_owner = ? RETURNING fanned_out_to, body"
)
_NEXT = (
    "SELECT user_id, conversation_id FROM broadcast_recipients WHERE broadcast_id = ?"
    " AND user_id > ? AND seq IS NULL ORDER BY user_id LIMIT ?"
)
_SEQ = "UPDATE broadcast_recipients SET seq = ? WHERE broadcast_id = ? AND user_id = ?"
_PROGRESS = (
    "UPDATE broadcasts SET delivered_count = delivered_count + ?,"
    " fanned_out_to = max(fanned_out_to, ?) WHERE id = ?"
)
_FINISHED = (
    "UPDATE broadcasts SET state = 'sent', finished_at = ?, lease_owner = '', lease_until = 0"
    " WHERE id = ?"
)


def _fan_out_sqlite(
    conn: sqlite3.Connection, broadcast_id: int, node: str, now: int, lease_ms: int, limit: int
) -> FannedOut | None:
    """``BroadcastStore.fan_out`` on SQLite's plain connection, the same statements."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        held = conn.execute(_HOLD, (now + lease_ms, broadcast_id, node)).fetchone()
        if held is None:
            conn.execute("ROLLBACK")
            return None
        fanned_out_to, body_text = held
        batch = conn.execute(_NEXT, (broadcast_id, fanned_out_to, limit)).fetchall()
        body = codec.loads(body_text)
        appended = append_new(
            conn,
            [
                NewEntry(
                    conversation_id=conversation_id,
                    sender_id=None,
                    kind=EntryKind.MESSAGE,
                    type=MessageType.NOTICE.value,
                    body=body,
                    client_msg_id=None,
                    created_at=now,
                )
                for _, conversation_id in batch
            ],
            {},
        )
        stored = [e for e in appended if isinstance(e, Entry)]
        if len(stored) != len(batch):
            raise LookupError(f"broadcast {broadcast_id}: a system conversation is gone")
        conn.executemany(
            _SEQ,
            [
                (entry.seq, broadcast_id, user_id)
                for (user_id, _), entry in zip(batch, stored, strict=True)
            ],
        )
        last = batch[-1][0] if batch else 0
        conn.execute(_PROGRESS, (len(batch), last, broadcast_id))
        finished = len(batch) < limit
        if finished:
            conn.execute(_FINISHED, (now, broadcast_id))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return FannedOut(
        [(user_id, entry) for (user_id, _), entry in zip(batch, stored, strict=True)], finished
    )


def image_readable_by(user_id: int, file_id: str) -> ColumnElement[bool]:
    """A broadcast's image is readable by the people it was delivered to (files.may_read)."""
    r = broadcast_recipients
    return exists(
        select(r.c.user_id)
        .select_from(r)
        .join(broadcasts, broadcasts.c.id == r.c.broadcast_id)
        .where(
            broadcasts.c.image_file_id == file_id,
            r.c.user_id == user_id,
            r.c.seq.is_not(None),
        )
    )
