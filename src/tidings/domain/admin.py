"""Server administration (PRODUCT.md K1 to K7): roles, what each may do, and audit entries.

A server admin holds one role; each admin endpoint or op needs one power (decision 0052).
Group admins (a group's own owner and admins) are another thing: domain/groups.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class AdminRole(StrEnum):
    SUPER_ADMIN = "super_admin"  # everything
    ORG_ADMIN = "org_admin"  # users, the tree, groups
    AUDITOR = "auditor"  # read-only: the audit log, the dashboard, reports


class AdminPower(StrEnum):
    USERS = "users"  # K1: list, create, edit, freeze, reset passwords, sessions
    ORG = "org"  # K3/C3: the tree, imports, sync, export
    GROUPS = "groups"  # K2
    SETTINGS = "settings"  # K4
    BROADCASTS = "broadcasts"  # K5
    MODERATION = "moderation"  # K7: word lists, acting on reports
    MODERATION_VIEW = "moderation_view"  # K7: reading word lists and the report queue
    AUDIT = "audit"  # K6: reading the audit log
    DASHBOARD = "dashboard"  # K6: reading the statistics
    ROLES = "roles"  # giving and taking admin roles
    SERVICE = "service"  # J4: choosing the customer-service agents
    APPS = "apps"  # J1: registering apps, their secrets and scopes (issue 14)


POWERS: dict[AdminRole, frozenset[AdminPower]] = {
    AdminRole.SUPER_ADMIN: frozenset(AdminPower),
    AdminRole.ORG_ADMIN: frozenset({AdminPower.USERS, AdminPower.ORG, AdminPower.GROUPS}),
    AdminRole.AUDITOR: frozenset(
        {AdminPower.AUDIT, AdminPower.DASHBOARD, AdminPower.MODERATION_VIEW}
    ),
}

# The roles that manage the organization and see the whole tree (the powers the single
# "server admin" flag gave before roles: the org.* ops, imports, group assignment).
MANAGING_ROLES = frozenset({AdminRole.SUPER_ADMIN, AdminRole.ORG_ADMIN})


def powers_of(role: AdminRole | None) -> frozenset[AdminPower]:
    return POWERS[role] if role is not None else frozenset()


@dataclass(slots=True)
class AuditNote:
    """One audit entry about to be written: who did what to what, from where.

    ``actor_id`` is None for the system or the command line; ``action`` reads
    ``<area>.<verb>`` (``user.freeze``, ``settings.update``, ``auth.sign_in_failed``).
    """

    action: str
    actor_id: int | None = None
    target_type: str = ""
    target_id: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    ip: str = ""
    user_agent: str = ""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: int
    action: str
    actor_id: int | None
    actor_account: str
    target_type: str
    target_id: str
    details: dict[str, Any]
    ip: str
    user_agent: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "action": self.action,
            "actor_id": self.actor_id,
            "actor_account": self.actor_account,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "details": self.details,
            "ip": self.ip,
            "user_agent": self.user_agent,
        }
