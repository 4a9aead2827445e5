"""Group announcements with read receipts, and the board of important and @all messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, insert, select, update

from tidings.domain.entries import Entry, EntryKind, PrivateEntry, PrivateKind
from tidings.store import log
from tidings.store.database import Database
from tidings.store.groups import append_one, new_entry
from tidings.store.schema import announcement_reads, announcements, board_marks, entries


@dataclass(frozen=True, slots=True)
class Announcement:
    id: int
    conversation_id: int
    author_id: int
    text: str
    pinned: bool
    created_at: int
    edited_at: int | None

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "author_id": self.author_id,
            "text": self.text,
            "pinned": self.pinned,
            "created_at": self.created_at,
            "edited_at": self.edited_at,
        }


class AnnouncementStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    # Announcements and the board

    async def post_announcement(
        self, *, conversation_id: int, author_id: int, text: str, pinned: bool, now: int
    ) -> tuple[Announcement, Entry]:
        async with self._db.write("post_announcement") as conn:
            announcement_id = (
                await conn.execute(
                    insert(announcements)
                    .values(
                        conversation_id=conversation_id,
                        author_id=author_id,
                        text=text,
                        pinned=pinned,
                        created_at=now,
                    )
                    .returning(announcements.c.id)
                )
            ).scalar_one()
            announcement = Announcement(
                announcement_id, conversation_id, author_id, text, pinned, now, None
            )
            entry = await append_one(
                conn,
                new_entry(
                    conversation_id,
                    author_id,
                    EntryKind.ANNOUNCEMENT_POSTED,
                    {"announcement_id": announcement_id, "text": text, "pinned": pinned},
                    now,
                ),
            )
        return announcement, entry

    async def announcement(self, announcement_id: int) -> Announcement | None:
        async with self._db.read("get_announcement") as conn:
            row = (
                await conn.execute(
                    select(announcements).where(announcements.c.id == announcement_id)
                )
            ).first()
        return _announcement(row) if row else None

    async def edit_announcement(
        self,
        *,
        announcement: Announcement,
        actor_id: int,
        text: str | None,
        pinned: bool | None,
        now: int,
    ) -> tuple[Announcement, Entry]:
        changes: dict[str, Any] = {"edited_at": now}
        if text is not None:
            changes["text"] = text
        if pinned is not None:
            changes["pinned"] = pinned
        async with self._db.write("edit_announcement") as conn:
            await conn.execute(
                update(announcements).where(announcements.c.id == announcement.id).values(**changes)
            )
            row = (
                await conn.execute(
                    select(announcements).where(announcements.c.id == announcement.id)
                )
            ).one()
            edited = _announcement(row)
            entry = await append_one(
                conn,
                new_entry(
                    announcement.conversation_id,
                    actor_id,
                    EntryKind.ANNOUNCEMENT_EDITED,
                    {"announcement_id": edited.id, "text": edited.text, "pinned": edited.pinned},
                    now,
                ),
            )
        return edited, entry

    async def announcements(self, conversation_id: int, reader_id: int) -> list[dict[str, Any]]:
        async with self._db.read("list_announcements") as conn:
            rows = await conn.execute(
                select(announcements, announcement_reads.c.read_at)
                .outerjoin(
                    announcement_reads,
                    and_(
                        announcement_reads.c.announcement_id == announcements.c.id,
                        announcement_reads.c.user_id == reader_id,
                    ),
                )
                .where(announcements.c.conversation_id == conversation_id)
                .order_by(announcements.c.pinned.desc(), announcements.c.id.desc())
            )
            # One's own announcement counts as read by its author.
            return [
                {
                    **_announcement(r).to_wire(),
                    "read": r.read_at is not None or r.author_id == reader_id,
                }
                for r in rows
            ]

    async def mark_announcement_read(
        self, *, announcement: Announcement, user_id: int, now: int
    ) -> PrivateEntry | None:
        async with self._db.write("read_announcement") as conn:
            seen = (
                await conn.execute(
                    select(announcement_reads.c.user_id).where(
                        announcement_reads.c.announcement_id == announcement.id,
                        announcement_reads.c.user_id == user_id,
                    )
                )
            ).first()
            if seen is not None:
                return None
            await conn.execute(
                insert(announcement_reads).values(
                    announcement_id=announcement.id, user_id=user_id, read_at=now
                )
            )
            return await log.append_private(
                conn,
                user_id,
                PrivateKind.ANNOUNCEMENT_READ,
                {
                    "conversation_id": announcement.conversation_id,
                    "announcement_id": announcement.id,
                },
                now,
            )

    async def announcement_readers(self, announcement_id: int) -> set[int]:
        async with self._db.read("announcement_readers") as conn:
            rows = await conn.execute(
                select(announcement_reads.c.user_id).where(
                    announcement_reads.c.announcement_id == announcement_id
                )
            )
            return set(rows.scalars())

    async def mark_message(
        self, *, conversation_id: int, seq: int, actor_id: int, important: bool, now: int
    ) -> Entry | None:
        """Put a message on the board or take it off; None when nothing changed."""
        async with self._db.write("mark_message") as conn:
            if important:
                exists = (
                    await conn.execute(
                        select(board_marks.c.seq).where(
                            board_marks.c.conversation_id == conversation_id,
                            board_marks.c.seq == seq,
                        )
                    )
                ).first()
                if exists is not None:
                    return None
                await conn.execute(
                    insert(board_marks).values(
                        conversation_id=conversation_id,
                        seq=seq,
                        marked_by=actor_id,
                        created_at=now,
                    )
                )
            else:
                gone = (
                    await conn.execute(
                        delete(board_marks).where(
                            board_marks.c.conversation_id == conversation_id,
                            board_marks.c.seq == seq,
                        )
                    )
                ).rowcount
                if not gone:
                    return None
            return await append_one(
                conn,
                new_entry(
                    conversation_id,
                    actor_id,
                    EntryKind.MESSAGE_MARKED,
                    {"target_seq": seq, "important": important},
                    now,
                ),
            )

    async def board(
        self, conversation_id: int, *, from_seq: int, limit: int
    ) -> list[tuple[Entry, str]]:
        """Marked-important messages and @all messages, newest first."""
        async with self._db.read("group_board") as conn:
            marked = await conn.execute(
                select(*log.ENTRY_COLUMNS)
                .join(
                    board_marks,
                    and_(
                        board_marks.c.conversation_id == entries.c.conversation_id,
                        board_marks.c.seq == entries.c.seq,
                    ),
                )
                .where(entries.c.conversation_id == conversation_id, entries.c.seq >= from_seq)
                .order_by(entries.c.seq.desc())
                .limit(limit)
            )
            found = {row.seq: (log.entry_from_row(row), "important") for row in marked}
            # @all is rare and the board is read rarely: found in the log, not indexed on
            # the send path.
            mention_all = await conn.execute(
                select(*log.ENTRY_COLUMNS)
                .where(
                    entries.c.conversation_id == conversation_id,
                    entries.c.seq >= from_seq,
                    entries.c.kind == EntryKind.MESSAGE.value,
                    entries.c.recalled.is_(False),
                    entries.c.body.like('%"mention_all":true%'),
                )
                .order_by(entries.c.seq.desc())
                .limit(limit)
            )
            for row in mention_all:
                found.setdefault(row.seq, (log.entry_from_row(row), "mention_all"))
        return [found[seq] for seq in sorted(found, reverse=True)[:limit]]


def _announcement(row: Any) -> Announcement:
    return Announcement(
        row.id,
        row.conversation_id,
        row.author_id,
        row.text,
        bool(row.pinned),
        row.created_at,
        row.edited_at,
    )
