"""Every admin endpoint refuses whoever lacks its power (issue 13, decision 0052).

``ADMIN_ENDPOINTS`` lists each ``/api/v1/admin/`` endpoint of the OpenAPI document with the
power it needs and a call. An endpoint missing from the table fails the test until it is
listed. Each call is made by a plain user and by every admin role: those without the power
get 403 ``forbidden``; those with it are not refused as forbidden (so a call must be
harmless for them: point it at a missing id or give it an invalid body). No refusal writes
an audit entry.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from tests.support.admin import ROLES, Staff, last_audit_id, staff
from tests.support.server import ServerProcess
from tidings.domain.admin import POWERS, AdminPower, AdminRole

# An id of nobody: far above any id the tests create.
MISSING = 2**62

Call = Callable[[], tuple[str, Any]]


def _at(path: str, body: Any = None) -> Call:
    return lambda: (path, body)


# "METHOD /path as in OpenAPI": (the power it needs, or None for any signed-in user; a call)
ADMIN_ENDPOINTS: dict[str, tuple[AdminPower | None, Call]] = {
    "GET /api/v1/admin/me": (None, _at("/api/v1/admin/me")),
    "POST /api/v1/admin/users/{user_id}/freeze": (
        AdminPower.USERS,
        _at(f"/api/v1/admin/users/{MISSING}/freeze", {"reason": "probe"}),
    ),
    "POST /api/v1/admin/users/{user_id}/unfreeze": (
        AdminPower.USERS,
        _at(f"/api/v1/admin/users/{MISSING}/unfreeze"),
    ),
    "PUT /api/v1/admin/users/{user_id}/role": (
        AdminPower.ROLES,
        _at(f"/api/v1/admin/users/{MISSING}/role", {"role": "auditor"}),
    ),
    "POST /api/v1/admin/users/{user_id}/reset-password": (
        AdminPower.USERS,
        _at(f"/api/v1/admin/users/{MISSING}/reset-password"),
    ),
    "POST /api/v1/admin/registration-invites": (
        AdminPower.USERS,
        _at("/api/v1/admin/registration-invites", {"max_uses": 0}),
    ),
    "GET /api/v1/admin/registration-invites": (
        AdminPower.USERS,
        _at("/api/v1/admin/registration-invites"),
    ),
    "DELETE /api/v1/admin/registration-invites/{code}": (
        AdminPower.USERS,
        _at("/api/v1/admin/registration-invites/NOSUCHCODE"),
    ),
    # An empty file: refused as bad_file by those who may import.
    "POST /api/v1/admin/users/import": (AdminPower.USERS, _at("/api/v1/admin/users/import")),
    # Users and groups (decision 0059): missing ids, or a department that is none.
    "GET /api/v1/admin/users": (AdminPower.USERS, _at("/api/v1/admin/users?q=nobody.at.all")),
    "POST /api/v1/admin/users": (
        AdminPower.USERS,
        _at(
            "/api/v1/admin/users",
            {
                "account": "probe.nobody",
                "nickname": "P",
                "departments": [{"department_id": MISSING}],
            },
        ),
    ),
    "GET /api/v1/admin/users/{user_id}": (AdminPower.USERS, _at(f"/api/v1/admin/users/{MISSING}")),
    "PATCH /api/v1/admin/users/{user_id}": (
        AdminPower.USERS,
        _at(f"/api/v1/admin/users/{MISSING}", {"desk": "probe"}),
    ),
    "DELETE /api/v1/admin/users/{user_id}/sessions/{session_id}": (
        AdminPower.USERS,
        _at(f"/api/v1/admin/users/{MISSING}/sessions/{MISSING}"),
    ),
    "GET /api/v1/admin/groups": (AdminPower.GROUPS, _at("/api/v1/admin/groups?q=nothing.at.all")),
    "GET /api/v1/admin/groups/{conversation_id}": (
        AdminPower.GROUPS,
        _at(f"/api/v1/admin/groups/{MISSING}"),
    ),
    "PATCH /api/v1/admin/groups/{conversation_id}": (
        AdminPower.GROUPS,
        _at(f"/api/v1/admin/groups/{MISSING}", {"size_limit": 10}),
    ),
    "POST /api/v1/admin/groups/{conversation_id}/owner": (
        AdminPower.GROUPS,
        _at(f"/api/v1/admin/groups/{MISSING}/owner", {"user_id": MISSING}),
    ),
    "POST /api/v1/admin/groups/{conversation_id}/disband": (
        AdminPower.GROUPS,
        _at(f"/api/v1/admin/groups/{MISSING}/disband"),
    ),
    "POST /api/v1/admin/groups/{conversation_id}/assign": (
        AdminPower.GROUPS,
        _at(f"/api/v1/admin/groups/{MISSING}/assign", {"user_ids": [MISSING]}),
    ),
    # Site settings (decision 0057): an unknown section is invalid_input for those who may.
    "GET /api/v1/admin/settings": (AdminPower.SETTINGS, _at("/api/v1/admin/settings")),
    "GET /api/v1/admin/service/agents": (AdminPower.SERVICE, _at("/api/v1/admin/service/agents")),
    "PUT /api/v1/admin/service/agents": (
        AdminPower.SERVICE,
        _at("/api/v1/admin/service/agents", {"user_ids": [MISSING]}),
    ),
    "PATCH /api/v1/admin/settings": (
        AdminPower.SETTINGS,
        _at("/api/v1/admin/settings", {"changes": {"no_such_section": {}}}),
    ),
    # Broadcasts (decision 0058): an audience of nobody known is refused as not_found.
    "POST /api/v1/admin/broadcasts": (
        AdminPower.BROADCASTS,
        _at("/api/v1/admin/broadcasts", {"title": "probe", "audience": {"user_ids": [MISSING]}}),
    ),
    "POST /api/v1/admin/broadcasts/audience": (
        AdminPower.BROADCASTS,
        _at("/api/v1/admin/broadcasts/audience", {"user_ids": [MISSING]}),
    ),
    "GET /api/v1/admin/broadcasts": (AdminPower.BROADCASTS, _at("/api/v1/admin/broadcasts")),
    "GET /api/v1/admin/broadcasts/{broadcast_id}": (
        AdminPower.BROADCASTS,
        _at(f"/api/v1/admin/broadcasts/{MISSING}"),
    ),
    "DELETE /api/v1/admin/broadcasts/{broadcast_id}": (
        AdminPower.BROADCASTS,
        _at(f"/api/v1/admin/broadcasts/{MISSING}"),
    ),
    # The organization (decision 0060): missing ids, invalid bodies, a dry run of an empty
    # file and an export in no format, so nothing changes and nothing is audited.
    "GET /api/v1/admin/org": (AdminPower.ORG, _at("/api/v1/admin/org")),
    "GET /api/v1/admin/org/departments/{department_id}": (
        AdminPower.ORG,
        _at(f"/api/v1/admin/org/departments/{MISSING}"),
    ),
    "GET /api/v1/admin/org/people": (AdminPower.ORG, _at("/api/v1/admin/org/people?q=nobody")),
    "POST /api/v1/admin/org/departments": (
        AdminPower.ORG,
        _at("/api/v1/admin/org/departments", {"name": "", "parent_id": MISSING}),
    ),
    "PATCH /api/v1/admin/org/departments/{department_id}": (
        AdminPower.ORG,
        _at(f"/api/v1/admin/org/departments/{MISSING}", {"name": "Probe"}),
    ),
    "DELETE /api/v1/admin/org/departments/{department_id}": (
        AdminPower.ORG,
        _at(f"/api/v1/admin/org/departments/{MISSING}"),
    ),
    "PUT /api/v1/admin/org/departments/{department_id}/members/{user_id}": (
        AdminPower.ORG,
        _at(f"/api/v1/admin/org/departments/{MISSING}/members/{MISSING}", {"position": ""}),
    ),
    "DELETE /api/v1/admin/org/departments/{department_id}/members/{user_id}": (
        AdminPower.ORG,
        _at(f"/api/v1/admin/org/departments/{MISSING}/members/{MISSING}"),
    ),
    "PUT /api/v1/admin/org/collaborations": (
        AdminPower.ORG,
        _at("/api/v1/admin/org/collaborations", {"department_id": MISSING, "partner_id": MISSING}),
    ),
    "PUT /api/v1/admin/org/company": (AdminPower.ORG, _at("/api/v1/admin/org/company", {})),
    "POST /api/v1/admin/org/import": (
        AdminPower.ORG,
        _at("/api/v1/admin/org/import?dry_run=true&mode=sync"),
    ),
    "GET /api/v1/admin/org/export": (AdminPower.ORG, _at("/api/v1/admin/org/export?format=pdf")),
    # The dashboard (decision 0061): only reads.
    "GET /api/v1/admin/dashboard": (AdminPower.DASHBOARD, _at("/api/v1/admin/dashboard?days=1")),
    "GET /api/v1/admin/audit": (AdminPower.AUDIT, _at("/api/v1/admin/audit")),
    # Content moderation (K7): changes with invalid bodies, a resolve of a missing report.
    "GET /api/v1/admin/moderation/words": (
        AdminPower.MODERATION_VIEW,
        _at("/api/v1/admin/moderation/words?q=probe"),
    ),
    "POST /api/v1/admin/moderation/words": (
        AdminPower.MODERATION,
        _at("/api/v1/admin/moderation/words", {"words": [""], "action": "block"}),
    ),
    "POST /api/v1/admin/moderation/words/remove": (
        AdminPower.MODERATION,
        _at("/api/v1/admin/moderation/words/remove", {"words": [""]}),
    ),
    # An empty file: refused as bad_file by those who may import.
    "POST /api/v1/admin/moderation/words/import": (
        AdminPower.MODERATION,
        _at("/api/v1/admin/moderation/words/import"),
    ),
    "GET /api/v1/admin/moderation/reports": (
        AdminPower.MODERATION_VIEW,
        _at("/api/v1/admin/moderation/reports?status=open"),
    ),
    "POST /api/v1/admin/moderation/reports/{report_id}/resolve": (
        AdminPower.MODERATION,
        _at(f"/api/v1/admin/moderation/reports/{MISSING}/resolve", {"action": "dismiss"}),
    ),
    "GET /api/v1/admin/audit/export": (
        AdminPower.AUDIT,
        _at("/api/v1/admin/audit/export?action=no.such.action"),
    ),
    "GET /api/v1/admin/apps": (AdminPower.APPS, _at("/api/v1/admin/apps")),
    "POST /api/v1/admin/apps": (AdminPower.APPS, _at("/api/v1/admin/apps", {"name": ""})),
    "GET /api/v1/admin/apps/{app_id}": (AdminPower.APPS, _at(f"/api/v1/admin/apps/{MISSING}")),
    "PATCH /api/v1/admin/apps/{app_id}": (
        AdminPower.APPS,
        _at(f"/api/v1/admin/apps/{MISSING}", {"name": "probe"}),
    ),
    "POST /api/v1/admin/apps/{app_id}/rotate-secret": (
        AdminPower.APPS,
        _at(f"/api/v1/admin/apps/{MISSING}/rotate-secret"),
    ),
    "POST /api/v1/admin/apps/{app_id}/revoke": (
        AdminPower.APPS,
        _at(f"/api/v1/admin/apps/{MISSING}/revoke"),
    ),
    # Workbench apps (J6, decision 0069).
    "GET /api/v1/admin/workbench-apps": (AdminPower.APPS, _at("/api/v1/admin/workbench-apps")),
    "POST /api/v1/admin/workbench-apps": (
        AdminPower.APPS,
        _at("/api/v1/admin/workbench-apps", {"name": ""}),
    ),
    "GET /api/v1/admin/workbench-apps/{workbench_app_id}": (
        AdminPower.APPS,
        _at(f"/api/v1/admin/workbench-apps/{MISSING}"),
    ),
    "PATCH /api/v1/admin/workbench-apps/{workbench_app_id}": (
        AdminPower.APPS,
        _at(f"/api/v1/admin/workbench-apps/{MISSING}", {"name": "probe"}),
    ),
    "DELETE /api/v1/admin/workbench-apps/{workbench_app_id}": (
        AdminPower.APPS,
        _at(f"/api/v1/admin/workbench-apps/{MISSING}"),
    ),
}


@pytest.fixture(scope="module")
async def people(shared_server: ServerProcess) -> AsyncIterator[Staff]:
    found = await staff(shared_server)
    yield found
    await found.close()


async def _status(base_url: str, token: str, name: str, call: Call) -> tuple[int, str | None]:
    method = name.split(" ", 1)[0]
    path, body = call()
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.request(
            method, path, json=body, headers={"Authorization": f"Bearer {token}"}
        )
    code = None
    if response.status_code >= 400 and response.headers.get("content-type", "").startswith(
        "application/json"
    ):
        code = response.json()["error"]["code"]
    return response.status_code, code


async def test_every_admin_endpoint_is_in_the_table(shared_server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=shared_server.base_url) as http:
        spec = (await http.get("/openapi.json")).json()
    endpoints = {
        f"{method.upper()} {path}"
        for path, methods in spec["paths"].items()
        if path.startswith("/api/v1/admin/")
        for method in methods
    }
    assert endpoints - set(ADMIN_ENDPOINTS) == set(), "list these in ADMIN_ENDPOINTS"
    assert set(ADMIN_ENDPOINTS) - endpoints == set(), "listed endpoints that do not exist"


async def test_whoever_lacks_the_power_is_refused(
    shared_server: ServerProcess, people: Staff
) -> None:
    before = await last_audit_id(people.super_admin)
    wrong: list[str] = []
    for name, (power, call) in ADMIN_ENDPOINTS.items():
        for who in ("plain", *ROLES):
            holds = power is None or (who != "plain" and power in POWERS[AdminRole(who)])
            status, code = await _status(shared_server.base_url, people.of(who).token, name, call)
            if holds and code == "forbidden":
                wrong.append(f"{name}: {who} holds {power} but was refused")
            if not holds and (status, code) != (403, "forbidden"):
                wrong.append(f"{name}: {who} lacks {power} but got {status} {code}")
    assert wrong == []
    # Refusals and failures leave no trace in the audit log (the export of an action
    # that matches nothing is an action: the two holders' exports are the only entries).
    after = await _entries_after(people, before)
    assert sorted(e["action"] for e in after) == ["audit.export", "audit.export"]


async def _entries_after(people: Staff, before: int) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=people.super_admin.http._http.base_url) as http:
        response = await http.get(
            "/api/v1/admin/audit",
            params={"limit": 200},
            headers={"Authorization": f"Bearer {people.super_admin.token}"},
        )
    return [e for e in response.json()["entries"] if e["id"] > before]
