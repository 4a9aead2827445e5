"""TEMPORARY shim of the lead's foundation (admin-contract.md); replaced when main merges."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from tidings.actions.context import Actor
from tidings.domain.admin import AdminPower, AdminRole
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.store.organization import OrgStore


@dataclass
class AuditNote:
    details: dict[str, Any] = field(default_factory=dict)
    target_id: str | int | None = None


class AdminGate:
    def __init__(self, org: OrgStore) -> None:
        self._org = org

    async def require(self, actor: Actor, power: AdminPower) -> AdminRole:
        if not await self._org.is_admin(actor.user_id):
            raise TidingsError(ErrorCode.FORBIDDEN, "administrators only")
        return AdminRole.SUPER_ADMIN

    @asynccontextmanager
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
        yield AuditNote(dict(details or {}), target_id)
