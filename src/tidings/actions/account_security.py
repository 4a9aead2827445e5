"""What the security settings screen shows (``GET /me/security``)."""

from __future__ import annotations

from typing import Any

from tidings.actions.context import Actor
from tidings.actions.known_devices import KnownDevices
from tidings.actions.two_factor import TwoFactor
from tidings.domain.clock import now_ms
from tidings.domain.security import Channel
from tidings.store.security import SecurityStore


class AccountSecurity:
    def __init__(
        self, *, store: SecurityStore, two_factor: TwoFactor, known_devices: KnownDevices
    ) -> None:
        self._store = store
        self._two_factor = two_factor
        self._known_devices = known_devices

    async def overview(self, actor: Actor) -> dict[str, Any]:
        bindings = await self._store.bindings(actor.user_id)
        out: dict[str, Any] = {}
        for channel, name in ((Channel.EMAIL, "email"), (Channel.SMS, "phone")):
            verified = bindings.get(channel)
            pending = await self._store.newest_bind_code(actor.user_id, channel, now_ms())
            if verified is not None:
                out[name], out[f"{name}_verified"] = verified, True
            elif pending is not None and pending.used_at is None:
                # Asked for, not yet confirmed: shown so the screen can offer to type the code.
                out[name], out[f"{name}_verified"] = pending.destination, False
            else:
                out[name], out[f"{name}_verified"] = None, False
        enabled = await self._two_factor.enabled(actor.user_id)
        out["totp_enabled"] = enabled
        out["recovery_codes_left"] = (
            await self._two_factor.recovery_codes_left(actor.user_id) if enabled else 0
        )
        # PASSWORD POLICY (h/passwords) sets this for a session after an admin reset.
        out["password_change_required"] = False
        out["known_devices"] = [
            device.to_wire() for device in await self._known_devices.list(actor.user_id)
        ]
        return out
