"""Known devices (issue 11): a device that signed in to an account before carries an opaque
``device_token``. Every successful sign-in returns one; a sign-in that presents a valid one
for its account is from a known device, which the per-account lock-out skips (an attacker
guessing a victim's password from elsewhere cannot lock the victim out of their own
devices). Only the token's sha256 is stored.
"""

from __future__ import annotations

from tidings.auth.tokens import new_token, token_hash
from tidings.domain.accounts import KnownDevice, Platform
from tidings.domain.clock import now_ms
from tidings.store.known_devices import KnownDeviceStore

# Devices remembered per user; the least recently used beyond this are forgotten.
KNOWN_DEVICES_MAX = 50


class KnownDevices:
    def __init__(self, store: KnownDeviceStore) -> None:
        self._store = store

    async def access(self, user_id: int, device_token: str | None) -> KnownDevice | None:
        """The user's known device behind this token, or None."""
        if not device_token or len(device_token) > 128:
            return None
        return await self._store.find(user_id, token_hash(device_token))

    async def is_known(self, user_id: int, device_token: str | None) -> bool:
        return await self.access(user_id, device_token) is not None

    async def remember(
        self,
        user_id: int,
        *,
        device_token: str | None = None,
        platform: Platform = Platform.WEB,
        device_name: str = "",
        ip: str = "",
    ) -> str:
        """The device token to hand back after a successful sign-in: the same one if the
        request carried a valid token of this user (its last use is recorded), else a new one."""
        now = now_ms()
        known = await self.access(user_id, device_token)
        if known is not None and device_token is not None:
            await self._store.touch(known.id, now=now, ip=ip[:64])
            return device_token
        token = new_token()
        await self._store.add(
            user_id=user_id,
            token_hash=token_hash(token),
            device_name=device_name[:100],
            platform=platform,
            ip=ip[:64],
            now=now,
            keep=KNOWN_DEVICES_MAX,
        )
        return token

    async def list(self, user_id: int) -> list[KnownDevice]:
        """The user's known devices, most recently used first (for ``GET /me/security``)."""
        return await self._store.list(user_id)

    async def do_forget(self, user_id: int, device_id: int) -> bool:
        return await self._store.forget(user_id, device_id)
