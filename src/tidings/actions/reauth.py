"""Asking a signed-in user for their password again before a change that weakens the account
(unbinding an address, turning TOTP off)."""

from __future__ import annotations

from tidings.auth.passwords import Passwords
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.store.accounts import AccountStore


async def check_password(
    accounts: AccountStore, passwords: Passwords, user_id: int, password: str
) -> None:
    user = await accounts.user(user_id)
    found = await accounts.credentials(user.account) if user else None
    if not await passwords.verify(found[1] if found else None, password):
        raise TidingsError(ErrorCode.INVALID_CREDENTIALS, "wrong password")
