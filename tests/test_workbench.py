"""Workbench apps (J6, decision 0069) against a real server on SQLite and PostgreSQL:
registered by a super admin (audited), listed only to their audience (departments with
everything below them, listed people, everyone), one-time tickets that the tied app's
backend exchanges once (also when two exchanges race), the CSP's frame sources, the bridge
script, and every refusal."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.admin import Staff, audit_since, last_audit_id, staff
from tests.support.apps import AppCredentials, app_token, bearer, create_app
from tests.support.server import ServerProcess
from tests.support.social import http_refused
from tests.support.users import Person, register

ADMIN = "/api/v1/admin/workbench-apps"
MINE = "/api/v1/workbench/apps"
EXCHANGE = "/api/v1/app/workbench/tickets/exchange"


@dataclass
class Scene:
    people: Staff
    insider: Person  # in a department below the one the app is for
    outsider: Person  # in no department the app is for
    listed: Person  # named in the audience
    backend: AppCredentials  # the registered app tied to the workbench app
    other: AppCredentials  # another registered app
    app: dict[str, Any]


@pytest.fixture(scope="module")
async def scene(server: ServerProcess, base_url: str) -> AsyncIterator[Scene]:
    people = await staff(server)
    admin = people.super_admin
    insider = await register(base_url, "insider")
    outsider = await register(base_url, "outsider")
    listed = await register(base_url, "listed")
    tag = uuid.uuid4().hex[:6]
    finance = await admin.http.call("POST", "/api/v1/org/departments", {"name": f"Fin {tag}"})
    payroll = await admin.http.call(
        "POST", "/api/v1/org/departments", {"name": f"Pay {tag}", "parent_id": finance["id"]}
    )
    sales = await admin.http.call("POST", "/api/v1/org/departments", {"name": f"Sales {tag}"})
    for person, dept in ((insider, payroll), (outsider, sales)):
        await admin.http.call(
            "PUT", f"/api/v1/org/departments/{dept['id']}/members/{person.id}", {}
        )
    backend = await create_app(server, "Approvals", "workbench")
    other = await create_app(server, "Other", "workbench")
    app = await admin.http.call(
        "POST",
        ADMIN,
        {
            "name": "Approvals",
            "url": "http://127.0.0.2:9/approval/",
            "icon_url": "http://127.0.0.2:9/icon.png",
            "app_id": backend.app_id,
            "audience": {"department_ids": [finance["id"]], "user_ids": [listed.id]},
        },
    )
    yield Scene(people, insider, outsider, listed, backend, other, app["app"])
    for person in (insider, outsider, listed):
        await person.http.close()
    await people.close()


async def _exchange(base_url: str, token: str, ticket: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url) as http:
        return await http.post(EXCHANGE, json={"ticket": ticket}, headers=bearer(token))


async def _ticket(person: Person, app_id: int) -> str:
    reply = await person.http.call("POST", f"{MINE}/{app_id}/tickets")
    assert reply["expires_in"] == 60
    ticket: str = reply["ticket"]
    return ticket


async def test_only_the_audience_sees_the_app_and_gets_tickets(scene: Scene) -> None:
    app_id = scene.app["id"]
    for person in (scene.insider, scene.listed):
        mine = (await person.http.call("GET", MINE))["apps"]
        assert [(a["id"], a["origin"]) for a in mine] == [(app_id, "http://127.0.0.2:9")]
        assert "audience" not in mine[0]  # who else sees it is the console's business
    assert (await scene.outsider.http.call("GET", MINE))["apps"] == []
    # A ticket for an app one may not see: as for one that does not exist.
    assert await http_refused(scene.outsider, "POST", f"{MINE}/{app_id}/tickets") == "not_found"
    assert await http_refused(scene.outsider, "POST", f"{MINE}/{2**62}/tickets") == "not_found"
    # Everyone: the outsider sees it now.
    admin = scene.people.super_admin
    await admin.http.call("PATCH", f"{ADMIN}/{app_id}", {"audience": {"everyone": True}})
    assert [a["id"] for a in (await scene.outsider.http.call("GET", MINE))["apps"]] == [app_id]
    await admin.http.call(
        "PATCH",
        f"{ADMIN}/{app_id}",
        {"audience": scene.app["audience"]},
    )
    assert (await scene.outsider.http.call("GET", MINE))["apps"] == []


async def test_the_console_sees_the_audiences_people_by_name(scene: Scene) -> None:
    admin = scene.people.super_admin
    named = [{"id": scene.listed.id, "account": scene.listed.account, "nickname": "Listed"}]
    assert scene.app["audience_people"] == named
    one = (await admin.http.call("GET", f"{ADMIN}/{scene.app['id']}"))["app"]
    assert one["audience_people"] == named
    listed = next(
        a for a in (await admin.http.call("GET", ADMIN))["apps"] if a["id"] == scene.app["id"]
    )
    assert listed["audience_people"] == named
    # What the console reads it may send back as it is (the names are beside the audience).
    changed = await admin.http.call(
        "PATCH", f"{ADMIN}/{scene.app['id']}", {"audience": listed["audience"]}
    )
    assert changed["app"]["audience_people"] == named


async def test_a_ticket_tells_the_tied_backend_who_it_is_once(base_url: str, scene: Scene) -> None:
    token = (await app_token(base_url, scene.backend))["access_token"]
    ticket = await _ticket(scene.insider, scene.app["id"])
    reply = await _exchange(base_url, token, ticket)
    assert reply.status_code == 200, reply.text
    user = reply.json()["user"]
    assert user["id"] == scene.insider.id and user["nickname"] == "Insider"
    assert user["account"] == scene.insider.account
    assert [d["name"][:3] for d in user["departments"]] == ["Pay"]
    again = await _exchange(base_url, token, ticket)
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_ticket"
    # Another app's backend cannot use it (and the ticket is spent).
    other = (await app_token(base_url, scene.other))["access_token"]
    stolen = await _exchange(base_url, other, await _ticket(scene.insider, scene.app["id"]))
    assert stolen.json()["error"]["code"] == "invalid_ticket"
    assert (await _exchange(base_url, token, "wbt_nothing")).json()["error"]["code"] == (
        "invalid_ticket"
    )


async def test_two_exchanges_of_one_ticket_racing_one_wins(base_url: str, scene: Scene) -> None:
    token = (await app_token(base_url, scene.backend))["access_token"]
    for _ in range(3):
        ticket = await _ticket(scene.listed, scene.app["id"])
        replies = await asyncio.gather(*(_exchange(base_url, token, ticket) for _ in range(4)))
        assert sorted(r.status_code for r in replies) == [200, 400, 400, 400]


async def test_the_exchange_needs_the_workbench_scope(server: ServerProcess, base_url: str) -> None:
    crm = await create_app(server, "CRM", "users:read")
    token = (await app_token(base_url, crm))["access_token"]
    reply = await _exchange(base_url, token, "wbt_x")
    assert reply.status_code == 403 and reply.json()["error"]["code"] == "insufficient_scope"
    unauthenticated = await _exchange(base_url, "nope", "wbt_x")
    assert unauthenticated.status_code == 401


async def test_the_console_is_audited_and_refuses_bad_input(scene: Scene) -> None:
    admin = scene.people.super_admin
    since = await last_audit_id(admin)
    made = await admin.http.call(
        "POST",
        ADMIN,
        {"name": " Leave ", "url": "https://leave.example.com/a", "audience": {"everyone": True}},
    )
    app_id = made["app"]["id"]
    assert made["app"]["name"] == "Leave" and made["app"]["app_id"] is None
    await admin.http.call("PATCH", f"{ADMIN}/{app_id}", {"name": "Leave requests"})
    listed = (await admin.http.call("GET", ADMIN))["apps"]
    assert "Leave requests" in [a["name"] for a in listed]
    await admin.http.call("DELETE", f"{ADMIN}/{app_id}")
    actions = [e["action"] for e in await audit_since(admin, since)]
    assert actions == [
        "workbench_app.register",
        "workbench_app.update",
        "workbench_app.remove",
    ]
    assert await http_refused(admin, "GET", f"{ADMIN}/{app_id}") == "not_found"

    def body(**changes: Any) -> dict[str, Any]:
        return {"name": "X", "url": "https://x.example.com/", "audience": {"everyone": True}} | (
            changes
        )

    for bad, code in [
        (body(url="javascript:alert(1)"), "invalid_input"),
        (body(url="https://a.example.com/ x"), "invalid_input"),
        (body(url="https://user:pw@a.example.com/"), "invalid_input"),
        (body(icon_url="https://elsewhere.example.com/i.png"), "invalid_input"),
        (body(audience={}), "empty_audience"),
        (body(app_id=2**62), "not_found"),
        (body(unknown=1), "invalid_input"),
    ]:
        assert await http_refused(admin, "POST", ADMIN, bad) == code, bad
    # Nothing was registered by the refusals.
    assert len((await admin.http.call("GET", ADMIN))["apps"]) == len(listed) - 1


async def test_the_csp_lets_registered_apps_into_frames_and_serves_the_bridge(
    base_url: str, scene: Scene
) -> None:
    deadline = time.monotonic() + 15
    async with httpx.AsyncClient(base_url=base_url) as http:
        while True:
            policy = (await http.get("/")).headers["content-security-policy"]
            if "frame-src 'self' http://127.0.0.2:9" in policy or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        assert "frame-src 'self' http://127.0.0.2:9;" in policy
        assert "img-src 'self' data: blob: http://127.0.0.2:9" in policy
        assert "frame-ancestors 'none'" in policy
        bridge = await http.get("/workbench/bridge.js")
    assert bridge.status_code == 200
    assert bridge.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert "window.Tidings" in bridge.text
