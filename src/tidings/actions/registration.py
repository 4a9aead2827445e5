"""Who may register (``TIDINGS_REGISTRATION``) and the admins' registration invites (A1)."""

from __future__ import annotations

import secrets
from typing import Any

from tidings.actions.context import Actor
from tidings.config import Settings
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.registration import RegistrationInvite
from tidings.store.organization import OrgStore
from tidings.store.registration_invites import RegistrationInviteStore


class RegistrationInvites:
    def __init__(
        self, *, settings: Settings, store: RegistrationInviteStore, org: OrgStore
    ) -> None:
        self._settings = settings
        self._store = store
        self._org = org

    def options(self) -> dict[str, Any]:
        """What the sign-in page may offer; asked before anyone signs in."""
        return {
            "registration": self._settings.registration.value,
            # Sign-in by e-mail or SMS code (issue 11, h/codes): wired when those land.
            "sms_enabled": False,
            "email_enabled": False,
        }

    async def do_create(
        self, actor: Actor | None, *, max_uses: int, expires_in_seconds: int | None
    ) -> RegistrationInvite:
        """A new code; ``actor`` None is the CLI (whoever runs it owns the server)."""
        await self._check_admin(actor)
        now = now_ms()
        return await self._store.create(
            # 10 characters of a 32-letter alphabet without look-alikes: typed by hand, and
            # 50 bits are far beyond guessing at the sign-in rate limits.
            code=_new_code(),
            created_by=actor.user_id if actor else None,
            now=now,
            expires_at=now + expires_in_seconds * 1000 if expires_in_seconds else None,
            max_uses=max_uses,
        )

    async def list(self, actor: Actor) -> list[RegistrationInvite]:
        await self._check_admin(actor)
        return await self._store.list()

    async def do_delete(self, actor: Actor, code: str) -> None:
        await self._check_admin(actor)
        if not await self._store.delete(code.strip().upper()):
            raise TidingsError(ErrorCode.NOT_FOUND, "no such registration invite")

    async def _check_admin(self, actor: Actor | None) -> None:
        if actor is not None and not await self._org.is_admin(actor.user_id):
            raise TidingsError(ErrorCode.FORBIDDEN, "only server admins manage invites")


_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(10))
