"""Helpers for the admin console's tests: people of every admin role, audit entries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.support.server import ServerProcess
from tests.support.social import make_admin
from tests.support.users import Person, register

ROLES = ("super_admin", "org_admin", "auditor")


@dataclass
class Staff:
    """A plain user and one person of each admin role, on one server."""

    plain: Person
    super_admin: Person
    org_admin: Person
    auditor: Person

    def of(self, role: str) -> Person:
        found: Person = getattr(self, role)
        return found

    async def close(self) -> None:
        for person in (self.plain, self.super_admin, self.org_admin, self.auditor):
            await person.http.close()


async def staff(server: ServerProcess) -> Staff:
    people = {name: await register(server.base_url, name) for name in ("plain", *ROLES)}
    for role in ROLES:
        await make_admin(server, people[role], role)
    return Staff(**people)


async def audit_entries(reader: Person, **filters: Any) -> list[dict[str, Any]]:
    """The newest audit entries (up to 200) matching ``filters``, read by an admin who holds
    the audit power (a super admin or an auditor)."""
    found = await reader.http.call("GET", "/api/v1/admin/audit", None, limit=200, **filters)
    entries: list[dict[str, Any]] = found["entries"]
    return entries


async def last_audit_id(reader: Person) -> int:
    found = await reader.http.call("GET", "/api/v1/admin/audit", None, limit=1)
    return int(found["entries"][0]["id"]) if found["entries"] else 0


async def audit_since(reader: Person, after_id: int, **filters: Any) -> list[dict[str, Any]]:
    """Entries written after entry ``after_id`` (oldest first)."""
    return [e for e in reversed(await audit_entries(reader, **filters)) if e["id"] > after_id]
