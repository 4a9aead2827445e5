"""Resetting a forgotten password with a code sent to a bound e-mail or phone (A2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tidings.actions.codes import Codes, invalid_code
from tidings.actions.notices import Notices
from tidings.auth.passwords import Passwords
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.security import Channel, CodePurpose, mask_destination
from tidings.store.security import SecurityStore

if TYPE_CHECKING:
    from tidings.actions.accounts import Accounts


class PasswordReset:
    def __init__(
        self,
        *,
        store: SecurityStore,
        codes: Codes,
        passwords: Passwords,
        accounts: Accounts,
        notices: Notices,
    ) -> None:
        self._notices = notices
        self._store = store
        self._codes = codes
        self._passwords = passwords
        self._accounts = accounts

    async def do_reset_password(
        self, channel: Channel, raw_destination: str, code: str, new_password: str
    ) -> None:
        """Set a new password and sign out every session of the user."""
        destination = self._codes.destination(channel, raw_destination)
        owner = await self._store.owner(channel, destination)
        # The policy judges the new password before the code is spent, so a weak one can be
        # replaced without asking for another code.
        await self._accounts.check_password_policy(
            new_password, await self._accounts.profile(owner) if owner is not None else None
        )
        await self._codes.check(CodePurpose.RESET_PASSWORD, channel, destination, code)
        if owner is None:
            raise invalid_code()
        user = await self._accounts.profile(owner)
        if user.disabled:
            raise TidingsError(ErrorCode.ACCOUNT_DISABLED, "this account is disabled")
        ended = await self._accounts.do_set_forgotten_password(owner, new_password)
        system_id = await self._store.system_conversation_id(owner)
        if system_id is not None:
            await self._notices.do_post_notice(
                system_id,
                owner,
                title="Your password was reset",
                text=(
                    f"The password was reset with a code sent to "
                    f"{mask_destination(channel, destination)}, and {ended} session(s) were "
                    "signed out. If this was not you, reset it again and check the e-mail "
                    "and phone bound to your account."
                ),
            )
