"""TEMPORARY stand-in for the lead's admin gate (reverted when main's foundation is merged)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from tidings.actions.context import Actor
from tidings.domain.admin import AdminPower, AdminRole, AuditNote
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.store.organization import OrgStore


class AdminGate:
    def __init__(self, org: OrgStore) -> None:
        self._org = org

    async def require(self, actor: Actor, power: AdminPower) -> AdminRole:
        if not await self._org.is_admin(actor.user_id):
            raise TidingsError(ErrorCode.FORBIDDEN, f"this needs the power {power.value!r}")
        return AdminRole.SUPER_ADMIN

    @contextlib.asynccontextmanager
    async def act(
        self,
        actor: Actor,
        power: AdminPower,
        action: str,
        *,
        target_type: str = "",
        target_id: str | int | None = None,
        details: dict[str, Any] | None = None,
    ) -> AsyncIterator[AuditNote]:
        await self.require(actor, power)
        yield AuditNote(action=action, actor_id=actor.user_id, details=dict(details or {}))
