"""Burn after reading (decision 0038): opening, wiping, and the per-chat mode.

Opening and wiping each run in one write transaction that also appends their log entry, so
an open is recorded once (with one ``burn_opened`` entry) however many devices open at
once, and a message is wiped once (with one ``burned`` entry) however many sweeps reach it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain.burn import BURNED_BODY, carried_files, is_burn
from tidings.domain.entries import Entry, EntryKind, NewEntry
from tidings.store import codec, log
from tidings.store.database import Database
from tidings.store.schema import burn_modes, burns, entries, favorite_files, file_refs


@dataclass(frozen=True, slots=True)
class Opened:
    conversation_id: int
    seq: int
    reader_id: int
    opened_at: int
    burn_at: int
    burned_at: int | None

    def to_wire(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "seq": self.seq,
            "reader_id": self.reader_id,
            "opened_at": self.opened_at,
            "burn_at": self.burn_at,
            "burned": self.burned_at is not None,
        }


@dataclass(frozen=True, slots=True)
class Burned:
    # The ``burned`` entry; None when the message was recalled before its time came.
    entry: Entry | None
    # Files the message carried: deleted unless something else still uses them.
    file_ids: list[str]


class BurnStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def opened(self, conversation_id: int, seq: int) -> Opened | None:
        async with self._db.read("burn_opened") as conn:
            return await _opened(conn, conversation_id, seq)

    async def open(
        self, *, conversation_id: int, seq: int, reader_id: int, now: int, countdown_ms: int
    ) -> tuple[Opened, Entry | None] | None:
        """Record the first opening and append ``burn_opened``; a later one returns the first
        with no entry. None: the message is no longer there to open (recalled or burned)."""
        async with self._db.write("open_burn_message") as conn:
            # Opens of one conversation wait for each other here (PostgreSQL; SQLite has one
            # writer), so the second sees the first's row.
            await log.lock_conversation(conn, conversation_id)
            found = await _opened(conn, conversation_id, seq)
            if found is not None:
                return found, None
            row = (
                await conn.execute(
                    select(entries.c.recalled, entries.c.body).where(
                        entries.c.conversation_id == conversation_id, entries.c.seq == seq
                    )
                )
            ).first()
            if row is None or row.recalled or not is_burn(codec.loads(row.body)):
                return None
            opened = Opened(conversation_id, seq, reader_id, now, now + countdown_ms, None)
            await conn.execute(
                insert(burns).values(
                    conversation_id=conversation_id,
                    seq=seq,
                    reader_id=reader_id,
                    opened_at=now,
                    burn_at=opened.burn_at,
                )
            )
            (entry,) = await log.append_entries(
                conn,
                [
                    NewEntry(
                        conversation_id=conversation_id,
                        sender_id=reader_id,
                        kind=EntryKind.BURN_OPENED,
                        type=None,
                        body={"target_seq": seq, "opened_at": now, "burn_at": opened.burn_at},
                        client_msg_id=None,
                        created_at=now,
                    )
                ],
            )
            return opened, entry

    async def due(self, now: int, limit: int) -> list[tuple[int, int]]:
        """Opened messages whose time has come and that are not wiped yet."""
        async with self._db.read("burns_due") as conn:
            rows = await conn.execute(
                select(burns.c.conversation_id, burns.c.seq)
                .where(burns.c.burned_at.is_(None), burns.c.burn_at <= now)
                .order_by(burns.c.burn_at)
                .limit(limit)
            )
            return [(row.conversation_id, row.seq) for row in rows]

    async def burn(self, *, conversation_id: int, seq: int, now: int) -> Burned | None:
        """Wipe the message's body in storage and append ``burned``; None if another sweep
        did it already."""
        async with self._db.write("burn_message") as conn:
            taken = (
                await conn.execute(
                    update(burns)
                    .where(
                        burns.c.conversation_id == conversation_id,
                        burns.c.seq == seq,
                        burns.c.burned_at.is_(None),
                    )
                    .values(burned_at=now)
                )
            ).rowcount
            if not taken:
                return None
            row = (
                await conn.execute(
                    select(entries.c.recalled, entries.c.body).where(
                        entries.c.conversation_id == conversation_id, entries.c.seq == seq
                    )
                )
            ).first()
            if row is None or row.recalled:
                return Burned(None, [])
            file_ids = carried_files(codec.loads(row.body))
            await conn.execute(
                update(entries)
                .where(
                    and_(
                        entries.c.conversation_id == conversation_id,
                        entries.c.seq == seq,
                        entries.c.recalled.is_(False),
                    )
                )
                .values(recalled=True, body=codec.dumps(BURNED_BODY))
            )
            (entry,) = await log.append_entries(
                conn,
                [
                    NewEntry(
                        conversation_id=conversation_id,
                        sender_id=None,
                        kind=EntryKind.BURNED,
                        type=None,
                        body={"target_seq": seq},
                        client_msg_id=None,
                        created_at=now,
                    )
                ],
            )
            return Burned(entry, file_ids)

    async def file_still_used(self, file_id: str) -> bool:
        """Whether a message not wiped or recalled still carries the file, or someone saved it."""
        live_ref = (
            select(file_refs.c.file_id)
            .join(
                entries,
                and_(
                    entries.c.conversation_id == file_refs.c.conversation_id,
                    entries.c.seq == file_refs.c.seq,
                ),
            )
            .where(file_refs.c.file_id == file_id, entries.c.recalled.is_(False))
        )
        saved = select(favorite_files.c.file_id).where(favorite_files.c.file_id == file_id)
        async with self._db.read("burned_file_used") as conn:
            return bool((await conn.execute(select(exists(live_ref) | exists(saved)))).scalar())

    async def carried_by_burn_message(self, file_id: str) -> bool:
        """Whether a burn message that is still there carries the file."""
        async with self._db.read("file_in_burn_message") as conn:
            rows = await conn.execute(
                select(entries.c.body)
                .join(
                    file_refs,
                    and_(
                        entries.c.conversation_id == file_refs.c.conversation_id,
                        entries.c.seq == file_refs.c.seq,
                    ),
                )
                .where(file_refs.c.file_id == file_id, entries.c.recalled.is_(False))
                .limit(100)
            )
            return any(is_burn(codec.loads(row.body)) for row in rows)

    # The per-chat mode

    async def mode_users(self, conversation_id: int) -> list[int]:
        async with self._db.read("burn_modes") as conn:
            rows = await conn.execute(
                select(burn_modes.c.user_id)
                .where(burn_modes.c.conversation_id == conversation_id)
                .order_by(burn_modes.c.user_id)
            )
            return [row.user_id for row in rows]

    async def set_mode(
        self, *, conversation_id: int, user_id: int, enabled: bool, now: int
    ) -> Entry | None:
        """Turn the user's mode on or off and append ``burn_mode``; None if it already was.

        Moves the conversation's roster_version on: a send checked while the mode was
        otherwise is checked again (decision 12), so no message escapes the switch."""
        async with self._db.write("set_burn_mode") as conn:
            await log.change_roster(conn, conversation_id)
            key = and_(
                burn_modes.c.conversation_id == conversation_id, burn_modes.c.user_id == user_id
            )
            was = (await conn.execute(select(burn_modes.c.since).where(key))).first() is not None
            if was == enabled:
                return None
            if enabled:
                await conn.execute(
                    insert(burn_modes).values(
                        conversation_id=conversation_id, user_id=user_id, since=now
                    )
                )
            else:
                await conn.execute(delete(burn_modes).where(key))
            (entry,) = await log.append_entries(
                conn,
                [
                    NewEntry(
                        conversation_id=conversation_id,
                        sender_id=user_id,
                        kind=EntryKind.BURN_MODE,
                        type=None,
                        body={"user_id": user_id, "enabled": enabled},
                        client_msg_id=None,
                        created_at=now,
                    )
                ],
            )
            return entry


async def _opened(conn: AsyncConnection, conversation_id: int, seq: int) -> Opened | None:
    row = (
        await conn.execute(
            select(burns).where(burns.c.conversation_id == conversation_id, burns.c.seq == seq)
        )
    ).first()
    if row is None:
        return None
    return Opened(
        row.conversation_id, row.seq, row.reader_id, row.opened_at, row.burn_at, row.burned_at
    )
