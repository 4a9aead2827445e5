"""Files, where they were sent, favorites, and the secret that signs download links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain.files import MIN_CHARGE_BYTES, FileKind, FileState, NewUpload, StoredFile
from tidings.store.broadcasts import image_readable_by
from tidings.store.database import Database
from tidings.store.schema import (
    entries,
    favorite_files,
    favorite_message_files,
    file_refs,
    files,
    members,
    sessions,
    signing_keys,
    stickers,
    users,
)


class PartsTaken(Exception):
    """A partial upload named by a final upload is gone or being joined by another."""


class QuotaExceeded(Exception):
    def __init__(self, used: int) -> None:
        super().__init__(used)
        self.used = used


@dataclass(frozen=True, slots=True)
class FileRef:
    """One sending of a file: the entry at (conversation_id, seq) carries it."""

    conversation_id: int
    seq: int
    file_id: str
    sender_id: int
    is_poster: bool
    created_at: int


@dataclass(frozen=True, slots=True)
class SentFile:
    seq: int
    sender_id: int
    sent_at: int
    file: StoredFile


def _file(row: Any) -> StoredFile:
    return StoredFile(
        id=row.id,
        uploader_id=row.uploader_id,
        name=row.name,
        mime=row.mime,
        kind=FileKind(row.kind),
        size=row.size,
        received=row.received,
        state=FileState(row.state),
        width=row.width,
        height=row.height,
        duration_ms=row.duration_ms,
        animated=bool(row.animated),
        thumbnail_mime=row.thumbnail_mime,
        has_shared_copy=bool(row.has_shared_copy),
        expiry_days=row.expiry_days,
        expires_at=row.expires_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        completed_at=row.completed_at,
        derived_bytes=row.derived_bytes,
        upload_metadata=row.upload_metadata,
        concat=row.concat,
    )


class FileStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    # Uploads

    async def create(
        self,
        *,
        file_id: str,
        uploader_id: int,
        new: NewUpload,
        quota: int,
        now: int,
        upload_metadata: str | None = None,
        concat: str | None = None,
        replacing: tuple[str, ...] = (),
    ) -> StoredFile:
        """Record a new upload; with a quota (> 0), refuse it if the user's files would
        exceed it. Uploads in progress count at their full length, every file at least
        ``MIN_CHARGE_BYTES``. The files in ``replacing`` (the partial uploads a final upload
        is made of, removed once it is) are not counted, and are claimed in the same
        transaction (``concat`` "joining"): of two final uploads naming the same part, on any
        node, one gets ``PartsTaken``."""
        async with self._db.write("create_upload") as conn:
            if replacing:
                claimed = (
                    await conn.execute(
                        update(files)
                        .where(
                            files.c.id.in_(replacing),
                            files.c.uploader_id == uploader_id,
                            files.c.concat == "partial",
                            files.c.state == FileState.COMPLETE.value,
                        )
                        .values(concat="joining", updated_at=now)
                    )
                ).rowcount
                if claimed != len(replacing):
                    raise PartsTaken()
            if quota > 0:
                used = await _usage(conn, uploader_id, excluding=replacing)
                if used + max(new.size, MIN_CHARGE_BYTES) > quota:
                    raise QuotaExceeded(used)
            await conn.execute(
                insert(files).values(
                    id=file_id,
                    uploader_id=uploader_id,
                    name=new.name,
                    mime=new.mime,
                    kind=new.kind.value,
                    size=new.size,
                    received=0,
                    state=FileState.UPLOADING.value,
                    width=new.width,
                    height=new.height,
                    duration_ms=new.duration_ms,
                    expiry_days=new.expiry_days,
                    created_at=now,
                    updated_at=now,
                    upload_metadata=upload_metadata,
                    concat=concat,
                )
            )
            row = (await conn.execute(select(files).where(files.c.id == file_id))).one()
        return _file(row)

    async def release_parts(self, part_ids: tuple[str, ...], now: int) -> None:
        """Give back parts claimed by a final upload that failed: partial uploads again."""
        async with self._db.write("release_parts") as conn:
            await conn.execute(
                update(files)
                .where(files.c.id.in_(part_ids), files.c.concat == "joining")
                .values(concat="partial", updated_at=now)
            )

    async def get(self, file_id: str) -> StoredFile | None:
        async with self._db.read("get_file") as conn:
            row = (await conn.execute(select(files).where(files.c.id == file_id))).first()
        return _file(row) if row else None

    async def set_received(self, file_id: str, *, expected: int, received: int, now: int) -> bool:
        """Move the durable offset from ``expected`` to ``received``; False if another
        request moved it first."""
        async with self._db.write("upload_progress") as conn:
            moved = (
                await conn.execute(
                    update(files)
                    .where(
                        files.c.id == file_id,
                        files.c.received == expected,
                        files.c.state == FileState.UPLOADING.value,
                    )
                    .values(received=received, updated_at=now)
                )
            ).rowcount
        return bool(moved)

    async def complete(self, file_id: str, *, now: int, **facts: Any) -> StoredFile:
        async with self._db.write("complete_upload") as conn:
            await conn.execute(
                update(files)
                .where(files.c.id == file_id)
                .values(state=FileState.COMPLETE.value, completed_at=now, updated_at=now, **facts)
            )
            row = (await conn.execute(select(files).where(files.c.id == file_id))).one()
        return _file(row)

    async def delete(self, file_id: str) -> None:
        """Forget an upload that was never sent (terminated, rejected or abandoned)."""
        async with self._db.write("delete_upload") as conn:
            await conn.execute(delete(favorite_files).where(favorite_files.c.file_id == file_id))
            await conn.execute(delete(stickers).where(stickers.c.file_id == file_id))
            await conn.execute(delete(files).where(files.c.id == file_id))

    async def is_sent(self, file_id: str) -> bool:
        async with self._db.read("file_is_sent") as conn:
            return bool(
                (
                    await conn.execute(select(exists().where(file_refs.c.file_id == file_id)))
                ).scalar()
            )

    async def usage(self, user_id: int) -> int:
        async with self._db.read("file_usage") as conn:
            return await _usage(conn, user_id)

    # Who may read

    async def may_read(self, user_id: int, file_id: str) -> bool:
        """The user saved the file (a favorite, a sticker), or is a member who can see an
        entry that carries it (not recalled, not from before they joined), or was one: a
        former member reads up to their leaving (decision 0075). The uploader is checked by
        the caller."""
        visible_ref = (
            select(file_refs.c.file_id)
            .join(
                entries,
                and_(
                    entries.c.conversation_id == file_refs.c.conversation_id,
                    entries.c.seq == file_refs.c.seq,
                ),
            )
            .join(
                members,
                and_(
                    members.c.conversation_id == file_refs.c.conversation_id,
                    members.c.user_id == user_id,
                ),
            )
            .where(
                file_refs.c.file_id == file_id,
                entries.c.recalled.is_(False),
                or_(
                    members.c.active.is_(True),
                    and_(
                        members.c.left_seq.is_not(None),
                        file_refs.c.seq <= members.c.left_seq,
                    ),
                ),
                members.c.visible_from_seq <= file_refs.c.seq,
            )
        )
        favorite = select(favorite_files.c.file_id).where(
            favorite_files.c.user_id == user_id, favorite_files.c.file_id == file_id
        )
        # A favourite message (or chat record) carrying the file keeps it readable too.
        saved_message = select(favorite_message_files.c.file_id).where(
            favorite_message_files.c.user_id == user_id,
            favorite_message_files.c.file_id == file_id,
        )
        # A sticker the user saved is theirs to send (issue 12, h/compose).
        sticker = select(stickers.c.file_id).where(
            stickers.c.user_id == user_id, stickers.c.file_id == file_id
        )
        # Someone's avatar (h/me, decision 0049): cards show it to anyone.
        avatar = select(users.c.id).where(users.c.avatar == f"file:{file_id}")
        # A broadcast's image, to the people it reached (decision 0058).
        broadcast_image = image_readable_by(user_id, file_id)
        async with self._db.read("may_read_file") as conn:
            return bool(
                (
                    await conn.execute(
                        select(
                            exists(visible_ref)
                            | exists(favorite)
                            | exists(saved_message)
                            | exists(sticker)
                            | exists(avatar)
                            | broadcast_image
                        )
                    )
                ).scalar()
            )

    async def record_refs(self, refs: list[FileRef]) -> None:
        """Remember where files were sent; a retried send records nothing twice."""
        if not refs:
            return
        rows = [
            {
                "conversation_id": r.conversation_id,
                "seq": r.seq,
                "file_id": r.file_id,
                "sender_id": r.sender_id,
                "is_poster": r.is_poster,
                "created_at": r.created_at,
            }
            for r in refs
        ]
        async with self._db.write("record_file_refs") as conn:
            # Bodies stored before files were checked may name files that never existed.
            known = set(
                (
                    await conn.execute(
                        select(files.c.id).where(files.c.id.in_({r["file_id"] for r in rows}))
                    )
                ).scalars()
            )
            rows = [r for r in rows if r["file_id"] in known]
            if rows:
                await conn.execute(self._insert_ignoring_duplicates(file_refs), rows)

    async def conversation_files(
        self,
        *,
        conversation_id: int,
        visible_from_seq: int,
        kind: FileKind | None,
        since: int | None,
        until: int | None,
        before_seq: int | None,
        limit: int,
    ) -> list[SentFile]:
        """Files sent in a conversation, newest first, recalled ones left out."""
        conditions = [
            file_refs.c.conversation_id == conversation_id,
            file_refs.c.is_poster.is_(False),
            file_refs.c.seq >= visible_from_seq,
            entries.c.recalled.is_(False),
        ]
        if kind is not None:
            conditions.append(files.c.kind == kind.value)
        if since is not None:
            conditions.append(file_refs.c.created_at >= since)
        if until is not None:
            conditions.append(file_refs.c.created_at < until)
        if before_seq is not None:
            conditions.append(file_refs.c.seq < before_seq)
        query = (
            select(file_refs.c.seq, file_refs.c.sender_id, file_refs.c.created_at.label("sent_at"))
            .add_columns(*files.c)
            .join(files, files.c.id == file_refs.c.file_id)
            .join(
                entries,
                and_(
                    entries.c.conversation_id == file_refs.c.conversation_id,
                    entries.c.seq == file_refs.c.seq,
                ),
            )
            .where(*conditions)
            .order_by(file_refs.c.seq.desc(), file_refs.c.file_id)
            .limit(limit)
        )
        async with self._db.read("conversation_files") as conn:
            rows = await conn.execute(query)
            return [SentFile(row.seq, row.sender_id, row.sent_at, _file(row)) for row in rows]

    # Favorites

    async def add_favorite(self, user_id: int, file_id: str, now: int) -> None:
        async with self._db.write("add_favorite_file") as conn:
            await conn.execute(
                self._insert_ignoring_duplicates(favorite_files).values(
                    user_id=user_id, file_id=file_id, created_at=now
                )
            )

    async def remove_favorite(self, user_id: int, file_id: str) -> bool:
        async with self._db.write("remove_favorite_file") as conn:
            removed = (
                await conn.execute(
                    delete(favorite_files).where(
                        favorite_files.c.user_id == user_id, favorite_files.c.file_id == file_id
                    )
                )
            ).rowcount
        return bool(removed)

    async def favorites(
        self, user_id: int, *, before: int | None, limit: int
    ) -> list[tuple[int, StoredFile]]:
        """(saved_at, file), newest first."""
        conditions = [favorite_files.c.user_id == user_id]
        if before is not None:
            conditions.append(favorite_files.c.created_at < before)
        async with self._db.read("favorite_files") as conn:
            rows = await conn.execute(
                select(favorite_files.c.created_at.label("saved_at"))
                .add_columns(*files.c)
                .join(files, files.c.id == favorite_files.c.file_id)
                .where(*conditions)
                .order_by(favorite_files.c.created_at.desc(), files.c.id)
                .limit(limit)
            )
            return [(row.saved_at, _file(row)) for row in rows]

    # Cleanup

    async def expired(self, now: int, limit: int) -> list[StoredFile]:
        async with self._db.read("expired_files") as conn:
            rows = await conn.execute(
                select(files)
                .where(files.c.state == FileState.COMPLETE.value, files.c.expires_at <= now)
                .limit(limit)
            )
            return [_file(row) for row in rows]

    async def abandoned(self, idle_since: int, limit: int) -> list[StoredFile]:
        """Unfinished uploads idle since before ``idle_since``, and partial uploads (tus
        concatenation) left unconcatenated as long."""
        unused = (files.c.state == FileState.UPLOADING.value) | (
            (files.c.state == FileState.COMPLETE.value) & files.c.concat.in_(("partial", "joining"))
        )
        async with self._db.read("abandoned_uploads") as conn:
            rows = await conn.execute(
                select(files).where(unused, files.c.updated_at < idle_since).limit(limit)
            )
            return [_file(row) for row in rows]

    async def mark_purged(self, file_id: str, now: int) -> None:
        async with self._db.write("purge_file") as conn:
            await conn.execute(
                update(files)
                .where(files.c.id == file_id)
                .values(state=FileState.PURGED.value, updated_at=now)
            )

    # Link signing

    async def signing_secret(self, name: str, candidate: str, now: int) -> str:
        """The shared secret called ``name``; the first node to ask stores ``candidate``."""
        async with self._db.write("signing_secret") as conn:
            await conn.execute(
                self._insert_ignoring_duplicates(signing_keys).values(
                    name=name, secret=candidate, created_at=now
                )
            )
            secret: str = (
                await conn.execute(select(signing_keys.c.secret).where(signing_keys.c.name == name))
            ).scalar_one()
        return secret

    async def live_session_user(self, session_id: int, now: int) -> int | None:
        """The user of a session that is neither revoked nor expired, and not disabled."""
        async with self._db.read("link_session") as conn:
            user_id: int | None = (
                await conn.execute(
                    select(sessions.c.user_id)
                    .join(users, users.c.id == sessions.c.user_id)
                    .where(
                        sessions.c.id == session_id,
                        sessions.c.revoked_at.is_(None),
                        sessions.c.expires_at > now,
                        users.c.disabled.is_(False),
                    )
                )
            ).scalar()
        return user_id

    def _insert_ignoring_duplicates(self, table: Any) -> Any:
        if self._db.is_sqlite:
            return sqlite.insert(table).on_conflict_do_nothing()
        return postgresql.insert(table).on_conflict_do_nothing()


async def _usage(conn: AsyncConnection, user_id: int, excluding: tuple[str, ...] = ()) -> int:
    """Bytes charged to the user: each file's size (at least ``MIN_CHARGE_BYTES``) and its
    derived copies, as in ``StoredFile.quota_charge``."""
    charge = (
        case((files.c.size < MIN_CHARGE_BYTES, MIN_CHARGE_BYTES), else_=files.c.size)
        + files.c.derived_bytes
    )
    conditions = [files.c.uploader_id == user_id, files.c.state != FileState.PURGED.value]
    if excluding:
        conditions.append(files.c.id.not_in(excluding))
    used = (
        await conn.execute(select(func.coalesce(func.sum(charge), 0)).where(*conditions))
    ).scalar_one()
    return int(used)
