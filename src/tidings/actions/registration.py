"""Who may register (``TIDINGS_REGISTRATION``) and the admins' registration invites (A1)."""

from __future__ import annotations

import secrets
from typing import Any

from tidings.actions.admin_gate import AdminGate
from tidings.actions.context import Actor
from tidings.config import Settings
from tidings.domain.admin import AdminPower
from tidings.domain.clock import now_ms
from tidings.domain.registration import RegistrationInvite
from tidings.store.registration_invites import RegistrationInviteStore


class RegistrationInvites:
    def __init__(
        self, *, settings: Settings, store: RegistrationInviteStore, gate: AdminGate
    ) -> None:
        self._settings = settings
        self._store = store
        self._gate = gate

    def options(self) -> dict[str, Any]:
        """What the sign-in page may offer; asked before anyone signs in."""
        return {"registration": self._settings.registration.value}

    async def do_create(
        self, actor: Actor | None, *, max_uses: int, expires_in_seconds: int | None
    ) -> RegistrationInvite:
        """A new code; ``actor`` None is the CLI (whoever runs it owns the server)."""
        now = now_ms()
        # 10 characters of a 32-letter alphabet without look-alikes: typed by hand, and 50
        # bits are far beyond guessing at the sign-in rate limits.
        code = _new_code()
        async with self._gate.act(
            actor,
            AdminPower.USERS,
            "registration_invite.create",
            target_type="invite",
            target_id=code,
            details={"max_uses": max_uses, "expires_in_seconds": expires_in_seconds},
        ):
            invite = await self._store.create(
                code=code,
                created_by=actor.user_id if actor else None,
                now=now,
                expires_at=now + expires_in_seconds * 1000 if expires_in_seconds else None,
                max_uses=max_uses,
            )
        return invite

    async def list(self, actor: Actor) -> list[RegistrationInvite]:
        await self._gate.require(actor, AdminPower.USERS)
        return await self._store.list()

    async def do_delete(self, actor: Actor, code: str) -> None:
        code = code.strip().upper()
        async with self._gate.act(
            actor,
            AdminPower.USERS,
            "registration_invite.delete",
            target_type="invite",
            target_id=code,
        ):
            await self._store.delete(code)


_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(10))
