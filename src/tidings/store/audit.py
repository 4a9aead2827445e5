"""The audit log (PRODUCT.md K6, decision 0052): append-only; nothing in the product updates
or deletes an entry. How an entry joins its change's transaction: store/audit_context.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select

from tidings.domain.admin import AuditEntry, AuditNote
from tidings.domain.clock import now_ms
from tidings.store import codec
from tidings.store.audit_context import insert_entry
from tidings.store.database import Database
from tidings.store.schema import audit_log


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Filters of the audit log; every one optional. ``before_id`` pages (newest first)."""

    action: str | None = None  # exact, or a prefix ending in "." ("user.")
    actor_id: int | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: int | None = None
    until: int | None = None
    text: str | None = None  # in the actor's account, the target id, the details, the IP
    before_id: int | None = None


class AuditStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def record(self, note: AuditNote) -> None:
        async with self._db.write("audit_record") as conn:
            await insert_entry(conn, note, now_ms())

    async def entries(self, query: AuditQuery, limit: int) -> list[AuditEntry]:
        conditions: list[Any] = []
        if query.action:
            if query.action.endswith("."):
                conditions.append(audit_log.c.action.startswith(query.action, autoescape=True))
            else:
                conditions.append(audit_log.c.action == query.action)
        if query.actor_id is not None:
            conditions.append(audit_log.c.actor_id == query.actor_id)
        if query.target_type:
            conditions.append(audit_log.c.target_type == query.target_type)
        if query.target_id:
            conditions.append(audit_log.c.target_id == query.target_id)
        if query.since is not None:
            conditions.append(audit_log.c.at >= query.since)
        if query.until is not None:
            conditions.append(audit_log.c.at < query.until)
        if query.before_id is not None:
            conditions.append(audit_log.c.id < query.before_id)
        if query.text:
            conditions.append(
                or_(
                    *(
                        column.contains(query.text, autoescape=True)
                        for column in (
                            audit_log.c.actor_account,
                            audit_log.c.target_id,
                            audit_log.c.details,
                            audit_log.c.ip,
                        )
                    )
                )
            )
        statement = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if conditions:
            statement = statement.where(and_(*conditions))
        async with self._db.read("audit_entries") as conn:
            rows = await conn.execute(statement)
            return [
                AuditEntry(
                    id=row.id,
                    at=row.at,
                    action=row.action,
                    actor_id=row.actor_id,
                    actor_account=row.actor_account,
                    target_type=row.target_type,
                    target_id=row.target_id,
                    details=codec.loads(row.details),
                    ip=row.ip,
                    user_agent=row.user_agent,
                )
                for row in rows
            ]
