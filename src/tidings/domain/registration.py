"""Registration invites: codes a server admin hands out when registration is invite_only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RegistrationInvite:
    code: str
    created_by: int | None
    created_at: int
    expires_at: int | None
    max_uses: int
    uses: int

    def usable(self, now: int) -> bool:
        return self.uses < self.max_uses and (self.expires_at is None or self.expires_at > now)

    def to_wire(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "max_uses": self.max_uses,
            "uses": self.uses,
        }
