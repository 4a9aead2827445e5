"""The word list and the review queue (tables ``moderation_words``, ``moderation_state``,
``reports``; docs/decisions/0056).

Every change of the list locks the one ``moderation_state`` row first (so changes through
several nodes take turns and the size limit holds) and bumps its ``words_version`` in the
same transaction: a node whose compiled list is older reloads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain.entries import Entry
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.moderation import (
    MAX_WORDS,
    Report,
    ReportReason,
    ReportStatus,
    ReportTarget,
    Resolution,
    WordAction,
)
from tidings.store.conversations import recall_in
from tidings.store.database import Database
from tidings.store.groups import mute_in
from tidings.store.schema import moderation_state, moderation_words, reports

# Rows per statement when a change touches many words (PostgreSQL takes at most 32,767
# parameters in one statement; SQLite 32,766 since 3.32).
CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class WordRow:
    word: str
    action: WordAction
    created_at: int
    updated_at: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "word": self.word,
            "action": self.action.value,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class WordChange:
    added: int
    updated: int
    unchanged: int
    version: int


def _report(row: Any) -> Report:
    return Report(
        id=row.id,
        reporter_id=row.reporter_id,
        target_type=ReportTarget(row.target_type),
        target_user_id=row.target_user_id,
        conversation_id=row.conversation_id,
        seq=row.seq,
        reason=ReportReason(row.reason),
        note=row.note,
        excerpt=row.excerpt,
        status=ReportStatus(row.status),
        resolution=Resolution(row.resolution) if row.resolution else None,
        resolution_note=row.resolution_note,
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
        created_at=row.created_at,
    )


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class ModerationStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # The word list

    async def words_version(self) -> int:
        async with self._db.read("moderation_words_version") as conn:
            return int(
                (
                    await conn.execute(
                        select(moderation_state.c.words_version).where(moderation_state.c.id == 1)
                    )
                ).scalar_one()
            )

    async def all_words(self) -> tuple[int, list[tuple[str, WordAction]]]:
        """The whole list and its version, read in one snapshot (what a node compiles)."""
        async with self._db.read("moderation_all_words") as conn:
            version = (
                await conn.execute(
                    select(moderation_state.c.words_version).where(moderation_state.c.id == 1)
                )
            ).scalar_one()
            rows = await conn.execute(
                select(moderation_words.c.word, moderation_words.c.action).order_by(
                    moderation_words.c.word
                )
            )
            return int(version), [(row.word, WordAction(row.action)) for row in rows]

    async def list_words(
        self, *, query: str, action: WordAction | None, after: str | None, limit: int
    ) -> tuple[list[WordRow], int]:
        """One page of words in order (after the ``after`` word), and how many match."""
        conditions: list[Any] = []
        if query:
            escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(moderation_words.c.word.like(f"%{escaped}%", escape="\\"))
        if action is not None:
            conditions.append(moderation_words.c.action == action.value)
        where = and_(*conditions) if conditions else None
        page = select(moderation_words).order_by(moderation_words.c.word).limit(limit)
        count = select(func.count()).select_from(moderation_words)
        if where is not None:
            page = page.where(where)
            count = count.where(where)
        if after is not None:
            page = page.where(moderation_words.c.word > after)
        async with self._db.read("moderation_list_words") as conn:
            rows = [
                WordRow(row.word, WordAction(row.action), row.created_at, row.updated_at)
                for row in await conn.execute(page)
            ]
            total = int((await conn.execute(count)).scalar_one())
        return rows, total

    async def put_words(self, words: dict[str, WordAction], now: int) -> WordChange:
        """Add the words, or set the action of those already listed; refused whole with
        ``too_many_words`` when the list would grow past MAX_WORDS."""
        async with self._db.write("moderation_put_words") as conn:
            await self._lock_list(conn)
            existing: dict[str, str] = {}
            for chunk in _chunks(list(words)):
                rows = await conn.execute(
                    select(moderation_words.c.word, moderation_words.c.action).where(
                        moderation_words.c.word.in_(chunk)
                    )
                )
                existing.update({row.word: row.action for row in rows})
            new = [w for w in words if w not in existing]
            changed: dict[str, list[str]] = {}
            for word, old in existing.items():
                if words[word].value != old:
                    changed.setdefault(words[word].value, []).append(word)
            total = int(
                (
                    await conn.execute(select(func.count()).select_from(moderation_words))
                ).scalar_one()
            )
            if total + len(new) > MAX_WORDS:
                raise TidingsError(
                    ErrorCode.TOO_MANY_WORDS,
                    f"the word list holds at most {MAX_WORDS} words: it has {total}, "
                    f"and this would add {len(new)}",
                    details={"limit": MAX_WORDS, "listed": total, "adding": len(new)},
                )
            for start in range(0, len(new), CHUNK):
                await conn.execute(
                    insert(moderation_words),
                    [
                        {"word": w, "action": words[w].value, "created_at": now, "updated_at": now}
                        for w in new[start : start + CHUNK]
                    ],
                )
            for action, listed in changed.items():
                for chunk in _chunks(listed):
                    await conn.execute(
                        update(moderation_words)
                        .where(moderation_words.c.word.in_(chunk))
                        .values(action=action, updated_at=now)
                    )
            updated = sum(len(v) for v in changed.values())
            version = await self._bump(conn) if new or updated else await self._version(conn)
        return WordChange(
            added=len(new),
            updated=updated,
            unchanged=len(existing) - updated,
            version=version,
        )

    async def remove_words(self, words: Sequence[str]) -> tuple[int, int]:
        """Remove the words listed; (how many were, the list's version)."""
        async with self._db.write("moderation_remove_words") as conn:
            await self._lock_list(conn)
            removed = 0
            for chunk in _chunks(list(words)):
                removed += (
                    await conn.execute(
                        delete(moderation_words).where(moderation_words.c.word.in_(chunk))
                    )
                ).rowcount
            version = await self._bump(conn) if removed else await self._version(conn)
        return removed, version

    async def _lock_list(self, conn: AsyncConnection) -> None:
        await conn.execute(
            select(moderation_state.c.id).where(moderation_state.c.id == 1).with_for_update()
        )

    async def _version(self, conn: AsyncConnection) -> int:
        return int(
            (
                await conn.execute(
                    select(moderation_state.c.words_version).where(moderation_state.c.id == 1)
                )
            ).scalar_one()
        )

    async def _bump(self, conn: AsyncConnection) -> int:
        await conn.execute(
            update(moderation_state)
            .where(moderation_state.c.id == 1)
            .values(words_version=moderation_state.c.words_version + 1)
        )
        return await self._version(conn)

    # The review queue

    async def add_report(
        self,
        *,
        reporter_id: int | None,
        target_type: ReportTarget,
        target_user_id: int | None,
        conversation_id: int | None,
        seq: int | None,
        dedupe: str,
        reason: ReportReason,
        note: str,
        excerpt: str,
        now: int,
    ) -> tuple[Report, bool]:
        """The new report, or the one this reporter already filed on this target (False)."""
        found = await self._by_dedupe(dedupe)
        if found is not None:
            return found, False
        try:
            async with self._db.write("add_report") as conn:
                report_id = (
                    await conn.execute(
                        insert(reports)
                        .values(
                            reporter_id=reporter_id,
                            target_type=target_type.value,
                            target_user_id=target_user_id,
                            conversation_id=conversation_id,
                            seq=seq,
                            dedupe=dedupe,
                            reason=reason.value,
                            note=note,
                            excerpt=excerpt,
                            status=ReportStatus.OPEN.value,
                            created_at=now,
                        )
                        .returning(reports.c.id)
                    )
                ).scalar_one()
                row = (await conn.execute(select(reports).where(reports.c.id == report_id))).one()
            return _report(row), True
        except IntegrityError:
            # The same reporter, the same target, at the same moment (another tab or node).
            found = await self._by_dedupe(dedupe)
            if found is None:
                raise
            return found, False

    async def _by_dedupe(self, dedupe: str) -> Report | None:
        async with self._db.read("report_by_dedupe") as conn:
            row = (await conn.execute(select(reports).where(reports.c.dedupe == dedupe))).first()
        return _report(row) if row else None

    async def report(self, report_id: int) -> Report | None:
        async with self._db.read("report") as conn:
            row = (await conn.execute(select(reports).where(reports.c.id == report_id))).first()
        return _report(row) if row else None

    async def list_reports(
        self,
        *,
        status: ReportStatus | None,
        target_type: ReportTarget | None,
        flagged: bool | None,
        before_id: int | None,
        limit: int,
    ) -> tuple[list[Report], int]:
        """Newest first, before ``before_id``; and how many match (all pages)."""
        conditions: list[Any] = []
        if status is not None:
            conditions.append(reports.c.status == status.value)
        if target_type is not None:
            conditions.append(reports.c.target_type == target_type.value)
        if flagged is not None:
            conditions.append(
                reports.c.reporter_id.is_(None) if flagged else reports.c.reporter_id.is_not(None)
            )
        page = select(reports).order_by(reports.c.id.desc()).limit(limit)
        count = select(func.count()).select_from(reports)
        if conditions:
            page = page.where(and_(*conditions))
            count = count.where(and_(*conditions))
        if before_id is not None:
            page = page.where(reports.c.id < before_id)
        async with self._db.read("list_reports") as conn:
            found = [_report(row) for row in await conn.execute(page)]
            total = int((await conn.execute(count)).scalar_one())
        return found, total

    async def resolve(
        self,
        report: Report,
        *,
        resolution: Resolution,
        note: str,
        resolved_by: int,
        now: int,
        recall: bool = False,
        mute_until: int | None = None,
    ) -> tuple[list[int], Entry | None]:
        """Resolve the report and every other open one on the same target, and recall the
        message or mute its sender in the same transaction; (the reports resolved, the
        conversation entry written). ``conflict`` when the report was resolved meanwhile."""
        async with self._db.write("resolve_report") as conn:
            same_target = and_(
                reports.c.status == ReportStatus.OPEN.value,
                reports.c.target_type == report.target_type.value,
                _same(reports.c.conversation_id, report.conversation_id),
                _same(reports.c.seq, report.seq),
                _same(reports.c.target_user_id, report.target_user_id),
            )
            ids = [
                row.id
                for row in await conn.execute(
                    select(reports.c.id)
                    .where(or_(reports.c.id == report.id, same_target))
                    .with_for_update()
                )
            ]
            done = (
                await conn.execute(
                    update(reports)
                    .where(reports.c.id.in_(ids), reports.c.status == ReportStatus.OPEN.value)
                    .values(
                        status=ReportStatus.RESOLVED.value,
                        resolution=resolution.value,
                        resolution_note=note,
                        resolved_by=resolved_by,
                        resolved_at=now,
                    )
                    .returning(reports.c.id)
                )
            ).scalars()
            resolved = sorted(done)
            if report.id not in resolved:
                raise TidingsError(ErrorCode.CONFLICT, "this report was resolved already")
            entry: Entry | None = None
            if recall and report.conversation_id is not None and report.seq is not None:
                entry = await recall_in(
                    conn,
                    conversation_id=report.conversation_id,
                    target_seq=report.seq,
                    actor_id=resolved_by,
                    now=now,
                )
            elif mute_until is not None and report.conversation_id is not None:
                assert report.target_user_id is not None
                entry = await mute_in(
                    conn,
                    conversation_id=report.conversation_id,
                    actor_id=resolved_by,
                    user_id=report.target_user_id,
                    until=mute_until,
                    now=now,
                )
        return resolved, entry


def _same(column: Any, value: int | None) -> Any:
    return column.is_(None) if value is None else column == value
