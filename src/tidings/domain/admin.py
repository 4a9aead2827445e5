"""TEMPORARY shim of the lead's foundation (admin-contract.md); replaced when main merges."""

from __future__ import annotations

from enum import StrEnum


class AdminRole(StrEnum):
    SUPER_ADMIN = "super_admin"
    ORG_ADMIN = "org_admin"
    AUDITOR = "auditor"


class AdminPower(StrEnum):
    USERS = "users"
    ORG = "org"
    GROUPS = "groups"
    SETTINGS = "settings"
    BROADCASTS = "broadcasts"
    MODERATION = "moderation"
    MODERATION_VIEW = "moderation_view"
    AUDIT = "audit"
    DASHBOARD = "dashboard"
    ROLES = "roles"
