"""Appending to and reading from conversation logs and private logs.

Seqs are allocated by ``UPDATE ... SET last_seq = last_seq + n RETURNING last_seq`` inside
the appending transaction. The row lock (PostgreSQL) or the single writer (SQLite) orders
concurrent appends, so every conversation's seqs are 1, 2, 3... with no gap or repeat, and a
rolled-back append leaves no hole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain.entries import Entry, EntryKind, NewEntry, PrivateEntry, PrivateKind
from tidings.store import codec, outbox
from tidings.store.schema import conversations, entries, hidden_entries, private_entries, users

ENTRY_COLUMNS = (
    entries.c.id,
    entries.c.conversation_id,
    entries.c.seq,
    entries.c.sender_id,
    entries.c.kind,
    entries.c.type,
    entries.c.body,
    entries.c.client_msg_id,
    entries.c.created_at,
    entries.c.reply_to_seq,
    entries.c.recalled,
)


_KINDS = {kind.value: kind for kind in EntryKind}


def entry_from_row(row: Iterable[Any]) -> Entry:
    """An entry from a row of ``ENTRY_COLUMNS``, in their order, from SQLAlchemy, sqlite3 or
    asyncpg (by position: a sync reads thousands)."""
    (
        entry_id,
        conversation_id,
        seq,
        sender_id,
        kind,
        type_,
        body,
        client_msg_id,
        created_at,
        reply_to_seq,
        recalled,
    ) = row
    return Entry(
        id=entry_id,
        conversation_id=conversation_id,
        seq=seq,
        sender_id=sender_id,
        kind=_KINDS[kind],
        type=type_,
        body=codec.loads(body),
        client_msg_id=client_msg_id,
        created_at=created_at,
        reply_to_seq=reply_to_seq,
        recalled=bool(recalled),
    )


def pairs_in(
    first: ColumnElement[Any],
    second: ColumnElement[Any],
    pairs: Sequence[tuple[Any, Any]],
    *,
    sqlite: bool,
) -> ColumnElement[bool]:
    """``(first, second) IN pairs``. SQLite scans the whole table for a row-value IN list but
    answers each ``first = ? AND second = ?`` of an OR from an index; PostgreSQL uses the
    index for the row-value list, which is also far cheaper to build and plan."""
    if sqlite:
        return or_(*(and_(first == a, second == b) for a, b in pairs))
    return tuple_(first, second).in_(pairs)


async def change_roster(conn: AsyncConnection, conversation_id: int) -> None:
    """Move the conversation's roster_version on, holding its row lock to the end of the
    transaction: first in every transaction that changes who is in a conversation or the
    rules a send meets. Concurrent changes of one conversation wait for each other, and a
    send checked before the change is not appended after it (decision 12)."""
    await conn.execute(
        update(conversations)
        .where(conversations.c.id == conversation_id)
        .values(roster_version=conversations.c.roster_version + 1)
    )


async def lock_conversation(conn: AsyncConnection, conversation_id: int) -> None:
    """Hold the conversation's row lock to the end of the transaction without changing it
    (PostgreSQL; on SQLite the one writer holds every lock already)."""
    if conn.dialect.name == "postgresql":
        await conn.execute(
            select(conversations.c.id)
            .where(conversations.c.id == conversation_id)
            .with_for_update()
        )


async def locked_roster_version(conn: AsyncConnection, conversation_id: int) -> int | None:
    """The conversation's roster_version, its row locked to the end of the transaction (so
    no membership change commits before this transaction's appends); None: no such row."""
    statement = select(conversations.c.roster_version).where(conversations.c.id == conversation_id)
    if conn.dialect.name == "postgresql":
        statement = statement.with_for_update()
    return (await conn.execute(statement)).scalar()


_ADVANCE_SEQS_PG = text(
    "UPDATE conversations AS c SET last_seq = c.last_seq + v.n, last_activity_at = v.at "
    "FROM unnest(CAST(:ids AS BIGINT[]), CAST(:counts AS BIGINT[]), CAST(:newest AS BIGINT[])) "
    "AS v(id, n, at) WHERE c.id = v.id RETURNING c.id, c.last_seq"
)


async def append_entries(conn: AsyncConnection, new: Sequence[NewEntry]) -> list[Entry]:
    """Give each new entry the next seq of its conversation and insert them, in order."""
    if not new:
        return []
    counts: dict[int, int] = defaultdict(int)
    newest: dict[int, int] = {}
    for item in new:
        counts[item.conversation_id] += 1
        newest[item.conversation_id] = max(newest.get(item.conversation_id, 0), item.created_at)
    ids = list(counts)
    if conn.dialect.name == "postgresql":
        # One statement of fixed shape whatever the batch: cheap to build, cached, planned
        # once (the CASE form below is rebuilt for every batch and grows with it).
        result = await conn.execute(
            _ADVANCE_SEQS_PG,
            {
                "ids": ids,
                "counts": [counts[i] for i in ids],
                "newest": [newest[i] for i in ids],
            },
        )
    else:
        result = await conn.execute(
            update(conversations)
            .where(conversations.c.id.in_(ids))
            .values(
                last_seq=conversations.c.last_seq + case(counts, value=conversations.c.id, else_=0),
                last_activity_at=case(newest, value=conversations.c.id, else_=0),
            )
            .returning(conversations.c.id, conversations.c.last_seq)
        )
    next_seq = {row.id: row.last_seq - counts[row.id] + 1 for row in result}
    missing = set(ids) - set(next_seq)
    if missing:
        raise LookupError(f"conversations {sorted(missing)} do not exist")
    rows: list[dict[str, Any]] = []
    for item in new:
        seq = next_seq[item.conversation_id]
        next_seq[item.conversation_id] = seq + 1
        rows.append(
            {
                "conversation_id": item.conversation_id,
                "seq": seq,
                "sender_id": item.sender_id,
                "kind": item.kind.value,
                "type": item.type,
                "body": codec.dumps(item.body),
                "client_msg_id": item.client_msg_id,
                "reply_to_seq": item.reply_to_seq,
                "recalled": False,
                "created_at": item.created_at,
            }
        )
    inserted = await conn.execute(
        insert(entries).returning(entries.c.id, sort_by_parameter_order=True), rows
    )
    out: list[Entry] = []
    for row, item, stored in zip(rows, new, inserted, strict=True):
        out.append(item.stored(stored.id, row["seq"]))
    # Their webhook events commit with them (store/outbox.py).
    outbox.note_entries(out)
    return out


async def append_private(
    conn: AsyncConnection, user_id: int, kind: PrivateKind, data: dict[str, Any], now: int
) -> PrivateEntry:
    return (await append_private_many(conn, {user_id: data}, kind, now))[user_id]


async def append_private_many(
    conn: AsyncConnection, data_by_user: dict[int, dict[str, Any]], kind: PrivateKind, now: int
) -> dict[int, PrivateEntry]:
    """Append one entry to each user's private log, in two statements whatever the count."""
    if not data_by_user:
        return {}
    ids = list(data_by_user)
    if conn.dialect.name == "postgresql":
        # Joined with the array, not ``IN ($1, ..., $500)``: a table that grew within
        # minutes (a sync) has no statistics yet, and the planner would scan it whole,
        # comparing each row with every parameter.
        wanted = (
            func.unnest(bindparam("ids", ids, type_=ARRAY(BigInteger)))
            .table_valued("id")
            .render_derived()
        )
        changed = (
            update(users)
            .where(users.c.id == wanted.c.id)
            .values(private_seq=users.c.private_seq + 1)
            .returning(users.c.id, users.c.private_seq)
        )
    else:
        changed = (
            update(users)
            .where(users.c.id.in_(ids))
            .values(private_seq=users.c.private_seq + 1)
            .returning(users.c.id, users.c.private_seq)
        )
    seqs = {row.id: row.private_seq for row in await conn.execute(changed)}
    return await _insert_private(conn, seqs, data_by_user, kind, now)


async def insert_first_private(
    conn: AsyncConnection, data_by_user: dict[int, dict[str, Any]], kind: PrivateKind, now: int
) -> dict[int, PrivateEntry]:
    """The first entry (seq 1) of users just created with ``private_seq`` 1."""
    return await _insert_private(conn, dict.fromkeys(data_by_user, 1), data_by_user, kind, now)


async def _insert_private(
    conn: AsyncConnection,
    seqs: dict[int, int],
    data_by_user: dict[int, dict[str, Any]],
    kind: PrivateKind,
    now: int,
) -> dict[int, PrivateEntry]:
    if not seqs:
        return {}
    await conn.execute(
        insert(private_entries),
        [
            {
                "user_id": user_id,
                "seq": seq,
                "kind": kind.value,
                "data": codec.dumps(data_by_user[user_id]),
                "created_at": now,
            }
            for user_id, seq in seqs.items()
        ],
    )
    return {
        user_id: PrivateEntry(
            user_id=user_id, seq=seq, kind=kind, data=data_by_user[user_id], created_at=now
        )
        for user_id, seq in seqs.items()
    }


async def read_private(
    conn: AsyncConnection, user_id: int, after_seq: int, limit: int
) -> list[PrivateEntry]:
    rows = await conn.execute(
        select(private_entries)
        .where(private_entries.c.user_id == user_id, private_entries.c.seq > after_seq)
        .order_by(private_entries.c.seq)
        .limit(limit)
    )
    return [
        PrivateEntry(
            user_id=row.user_id,
            seq=row.seq,
            kind=PrivateKind(row.kind),
            data=codec.loads(row.data),
            created_at=row.created_at,
        )
        for row in rows
    ]


def _range_statement(*, bounded: bool, newest_first: bool) -> Select[Any]:
    hidden = select(hidden_entries.c.seq).where(
        hidden_entries.c.user_id == bindparam("viewer"),
        hidden_entries.c.conversation_id == bindparam("conversation"),
    )
    conditions = [
        entries.c.conversation_id == bindparam("conversation"),
        entries.c.seq > bindparam("after"),
        entries.c.seq.not_in(hidden),
    ]
    if bounded:
        conditions.append(entries.c.seq < bindparam("before"))
    order = entries.c.seq.desc() if newest_first else entries.c.seq
    return (
        select(*ENTRY_COLUMNS)
        .where(and_(*conditions))
        .order_by(order)
        .limit(bindparam("limit", type_=Integer))
    )


# Built once: every sync and history reads ranges, and building the expression cost more
# than running it.
_RANGES = {
    (bounded, newest_first): _range_statement(bounded=bounded, newest_first=newest_first)
    for bounded in (False, True)
    for newest_first in (False, True)
}


async def read_range(
    conn: AsyncConnection,
    *,
    conversation_id: int,
    viewer_id: int,
    after_seq: int,
    before_seq: int | None,
    limit: int,
    newest_first: bool,
) -> list[Entry]:
    """Entries with after_seq < seq < before_seq that the viewer has not deleted for
    themselves; the oldest ``limit`` of them, or the newest when ``newest_first``."""
    rows = await conn.execute(
        _RANGES[(before_seq is not None, newest_first)],
        {
            "conversation": conversation_id,
            "viewer": viewer_id,
            "after": after_seq,
            "before": before_seq,
            "limit": limit,
        },
    )
    found = [entry_from_row(row) for row in rows]
    if newest_first:
        found.reverse()
    return found


async def read_entry(conn: AsyncConnection, conversation_id: int, seq: int) -> Entry | None:
    row = (
        await conn.execute(
            select(*ENTRY_COLUMNS).where(
                entries.c.conversation_id == conversation_id, entries.c.seq == seq
            )
        )
    ).first()
    return entry_from_row(row) if row else None


# Reading the log in the order it was written, for what is derived from it (the search
# index, decision 0072).


async def read_after_id(conn: AsyncConnection, after_id: int, limit: int) -> list[Entry]:
    """Entries of every conversation with an id above ``after_id``, by id."""
    rows = await conn.execute(
        select(*ENTRY_COLUMNS).where(entries.c.id > after_id).order_by(entries.c.id).limit(limit)
    )
    return [entry_from_row(row) for row in rows]


async def read_ids(conn: AsyncConnection, ids: Sequence[int]) -> list[Entry]:
    """The entries with these ids that exist (committed), by id."""
    found: list[Entry] = []
    for start in range(0, len(ids), 400):
        rows = await conn.execute(
            select(*ENTRY_COLUMNS).where(entries.c.id.in_(list(ids[start : start + 400])))
        )
        found.extend(entry_from_row(row) for row in rows)
    return sorted(found, key=lambda e: e.id)


async def last_entry_id(conn: AsyncConnection) -> int:
    return int((await conn.execute(select(func.coalesce(func.max(entries.c.id), 0)))).scalar_one())


# The messages among some entry ids still shown to a viewer: not recalled (nor burned), not
# deleted for them (what ``read_range`` leaves out). Built once: every search runs it.
_SHOWN_MESSAGES = select(*ENTRY_COLUMNS).where(
    entries.c.id.in_(bindparam("ids", expanding=True)),
    entries.c.kind == EntryKind.MESSAGE.value,
    entries.c.recalled.is_(False),
    ~select(hidden_entries.c.seq)
    .where(
        hidden_entries.c.user_id == bindparam("viewer"),
        hidden_entries.c.conversation_id == entries.c.conversation_id,
        hidden_entries.c.seq == entries.c.seq,
    )
    .exists(),
)


async def read_shown_messages(
    conn: AsyncConnection, viewer_id: int, entry_ids: Sequence[int]
) -> dict[int, Entry]:
    """Of the entries with these ids: the messages still shown to the viewer, by id."""
    found: dict[int, Entry] = {}
    for start in range(0, len(entry_ids), 400):
        rows = await conn.execute(
            _SHOWN_MESSAGES,
            {"ids": list(entry_ids[start : start + 400]), "viewer": viewer_id},
        )
        for row in rows:
            entry = entry_from_row(row)
            found[entry.id] = entry
    return found
