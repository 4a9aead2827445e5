"""Who may administer what, and the audit entry of every admin action (decision 0052)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from tidings.actions.context import Actor
from tidings.domain.admin import AdminPower, AdminRole, AuditNote, powers_of
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.store import audit_context
from tidings.store.audit import AuditStore
from tidings.store.organization import OrgStore


class AdminGate:
    def __init__(self, org: OrgStore, audit: AuditStore) -> None:
        self._org = org
        self._audit = audit

    async def role(self, user_id: int) -> AdminRole | None:
        # Read afresh each time: admin calls are few, and a role taken away must hold at once.
        return await self._org.admin_role(user_id)

    async def require(self, actor: Actor, power: AdminPower) -> AdminRole:
        """The actor's role if it holds ``power``; else ``forbidden`` (plain users too)."""
        role = await self.role(actor.user_id)
        if role is None or power not in powers_of(role):
            raise TidingsError(
                ErrorCode.FORBIDDEN, f"this needs the server admin power {power.value!r}"
            )
        return role

    @contextlib.asynccontextmanager
    async def act(
        self,
        actor: Actor | None,
        power: AdminPower,
        action: str,
        *,
        target_type: str = "",
        target_id: str | int | None = None,
        details: dict[str, Any] | None = None,
        entry: AuditNote | None = None,
    ) -> AsyncIterator[AuditNote]:
        """Check ``power``, then run the block as one audited admin action: its entry
        commits in the block's first write transaction; a block that writes nothing gets it
        written when it ends; a block that raises gets none. ``actor`` None: the command
        line, which holds every power — or an app, whose scope the API checked, with the
        ``entry`` that names it written instead of the command line's."""
        if actor is not None:
            await self.require(actor, power)
        if entry is not None:
            note = entry
        else:
            note = note_of(actor, action, target_type=target_type, target_id=target_id)
            note.details.update(details or {})
        with audit_context.pending(note) as waiting:
            yield note
        if not waiting.written:
            await self._audit.record(note)

    async def record(self, note: AuditNote) -> None:
        """An entry of something that is not an admin action (a failed sign-in)."""
        await self._audit.record(note)


def note_of(
    actor: Actor | None,
    action: str,
    *,
    target_type: str = "",
    target_id: str | int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditNote:
    return AuditNote(
        action=action,
        actor_id=actor.user_id if actor is not None else None,
        target_type=target_type,
        target_id="" if target_id is None else str(target_id),
        details=dict(details or {}),
        ip=actor.ip if actor is not None else "",
        user_agent=actor.user_agent if actor is not None else "",
    )
