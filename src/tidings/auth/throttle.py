"""The sign-in throttle (issue 11): an attempt is reserved on every key it counts against
before the password is checked, and given back if the password was right. So whatever the
concurrency, at most each rule's count of guesses is ever checked, and across nodes too when
the limits live in Redis.

The keys are chosen so the lock-out cannot be aimed at an account's owner:

- per account and address, and per address whatever the account: an attacker locks out
  their own address, not the victim's;
- per account whatever the address (guesses spread over many addresses): this one would
  lock the owner out too, so a sign-in from one of the account's known devices skips all of
  the above and counts in a bucket of that device's own, at the per-account-and-address rate.
"""

from __future__ import annotations

from tidings.limits import Limits, Reservation


class SignInThrottle:
    def __init__(self, limits: Limits) -> None:
        self._limits = limits

    async def attempt(self, *, account: str, ip: str, known_device_id: int | None) -> Reservation:
        """Reserve one attempt, or raise ``rate_limited`` (nothing reserved)."""
        if known_device_id is not None:
            return await self._limits.reserve(
                ("sign_in_account_address", f"{account}|device:{known_device_id}")
            )
        return await self._limits.reserve(
            ("sign_in_account_address", f"{account}|{ip}"),
            ("sign_in_address", ip),
            ("sign_in_account", account),
        )

    async def succeeded(self, attempt: Reservation) -> None:
        """The password was right: the attempt does not count."""
        await self._limits.refund(attempt)
