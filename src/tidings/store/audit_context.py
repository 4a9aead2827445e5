"""How an audit entry joins the transaction of the change it records (decision 0052).

An action about to change something declares its entry with :func:`pending`; the first
write transaction (``Database.write``) that runs in that context inserts it just before it
commits, so the change and its entry commit or roll back together. An action that writes
nothing (an export) has its entry written on its own when it succeeds (``AuditStore.record``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain.admin import AuditNote
from tidings.domain.clock import now_ms
from tidings.store import codec
from tidings.store.schema import audit_log, users


@dataclass(slots=True)
class Pending:
    note: AuditNote
    written: bool = False


_pending: ContextVar[Pending | None] = ContextVar("tidings_audit_pending", default=None)


@contextlib.contextmanager
def pending(note: AuditNote) -> Iterator[Pending]:
    """Within the block, the first committed write transaction carries ``note``."""
    token = _pending.set(found := Pending(note))
    try:
        yield found
    finally:
        _pending.reset(token)


async def write_pending(conn: AsyncConnection) -> Pending | None:
    """Insert the context's pending entry into ``conn``'s transaction, if one waits; the
    caller marks it written once the transaction has committed."""
    found = _pending.get()
    if found is None or found.written:
        return None
    await insert_entry(conn, found.note, now_ms())
    return found


async def insert_entry(conn: AsyncConnection, note: AuditNote, now: int) -> None:
    account = ""
    if note.actor_id is not None:
        account = (
            await conn.execute(select(users.c.account).where(users.c.id == note.actor_id))
        ).scalar() or ""
    await conn.execute(
        insert(audit_log).values(
            at=now,
            action=note.action[:64],
            actor_id=note.actor_id,
            actor_account=account,
            target_type=note.target_type[:32],
            target_id=note.target_id[:128],
            details=codec.dumps(note.details),
            ip=note.ip[:64],
            user_agent=note.user_agent[:256],
        )
    )
