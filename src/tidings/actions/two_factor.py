"""TOTP second factor (RFC 6238) and recovery codes (PRODUCT.md A5).

Enrolment is two steps: ``do_start`` makes a secret (not yet active) for the user's
authenticator app, ``do_confirm`` turns it on once the app shows a right code, and hands out
ten recovery codes (shown once; only their hashes are kept). A TOTP code is accepted once:
its 30-second step must be later than the last one accepted (one conditional UPDATE, so
concurrent requests with the same code get one yes). A recovery code is spent once.
"""

from __future__ import annotations

import time
from typing import Any

from tidings.actions.codes import invalid_code
from tidings.actions.context import Actor
from tidings.actions.reauth import check_password
from tidings.auth import totp
from tidings.auth.codes import RECOVERY_CODES, new_recovery_code, recovery_code_hash
from tidings.auth.passwords import Passwords
from tidings.config import Settings
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.store.accounts import AccountStore
from tidings.store.security import SecurityStore


def _new_recovery_codes() -> tuple[list[str], list[str]]:
    codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
    return codes, [recovery_code_hash(code) for code in codes]


class TwoFactor:
    def __init__(
        self,
        *,
        settings: Settings,
        store: SecurityStore,
        accounts: AccountStore,
        passwords: Passwords,
    ) -> None:
        self._settings = settings
        self._store = store
        self._accounts = accounts
        self._passwords = passwords

    async def enabled(self, user_id: int) -> bool:
        state = await self._store.totp(user_id)
        return state is not None and state.enabled

    async def do_start(self, actor: Actor) -> dict[str, Any]:
        user = await self._accounts.user(actor.user_id)
        assert user is not None
        secret = totp.new_secret()
        if not await self._store.start_totp(actor.user_id, secret, now_ms()):
            raise TidingsError(ErrorCode.CONFLICT, "two-factor sign-in is on already")
        uri = totp.provisioning_uri(secret, account=user.account, issuer=self._settings.totp_issuer)
        return {"secret": secret, "otpauth_uri": uri, "qr_svg": totp.qr_svg(uri)}

    async def do_confirm(self, actor: Actor, code: str) -> list[str]:
        state = await self._store.totp(actor.user_id)
        if state is None or state.enabled:
            raise TidingsError(ErrorCode.CONFLICT, "start enrolment first (POST /me/totp)")
        step = totp.matching_step(state.secret, code, time.time())
        if step is None:
            raise invalid_code()
        codes, hashes = _new_recovery_codes()
        if not await self._store.accept_totp_step(
            actor.user_id, step, now_ms(), enable_with=hashes
        ):
            raise invalid_code()
        return codes

    async def do_disable(self, actor: Actor, password: str) -> None:
        await check_password(self._accounts, self._passwords, actor.user_id, password)
        if not await self._store.disable_totp(actor.user_id):
            raise TidingsError(ErrorCode.CONFLICT, "two-factor sign-in is off already")

    async def do_new_recovery_codes(self, actor: Actor, code: str) -> list[str]:
        if not await self.enabled(actor.user_id):
            raise TidingsError(ErrorCode.CONFLICT, "two-factor sign-in is off")
        if not await self.check_totp(actor.user_id, code):
            raise invalid_code()
        codes, hashes = _new_recovery_codes()
        await self._store.replace_recovery_codes(actor.user_id, hashes)
        return codes

    async def check_totp(self, user_id: int, code: str) -> bool:
        """True once per right code: its step is then used up."""
        state = await self._store.totp(user_id)
        if state is None or not state.enabled:
            return False
        step = totp.matching_step(state.secret, code, time.time())
        if step is None or step <= state.last_step:
            return False
        return await self._store.accept_totp_step(user_id, step, now_ms())

    async def check_recovery_code(self, user_id: int, code: str) -> bool:
        """True once per recovery code: it is then spent."""
        return await self._store.spend_recovery_code(user_id, recovery_code_hash(code), now_ms())

    async def recovery_codes_left(self, user_id: int) -> int:
        return await self._store.recovery_codes_left(user_id)
