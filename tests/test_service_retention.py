"""Customer-service visitors are forgotten after a retention (decision 0066), on SQLite and
PostgreSQL, with the retention shortened to seconds: a visitor whose chat is closed and who
has had no activity since is forgotten (sessions gone, name, page and the host's id wiped,
the log kept; coming back is a new visitor), while one waiting in the queue, one an agent
holds and one who keeps connecting are not.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.support.apps import app_token, bearer, create_app
from tests.support.raw import RawConnection, raw_connection, ws_url
from tests.support.server import ServerProcess
from tests.support.social import make_admin
from tests.support.users import Person, register
from tests.support.waiting import eventually
from tests.test_service import Visitor, new_visitor, say

RETENTION_SECONDS = 3
SERVER_ENV = {
    "TIDINGS_SERVICE_VISITOR_RETENTION_SECONDS": str(RETENTION_SECONDS),
    "TIDINGS_SERVICE_CLEANUP_INTERVAL_SECONDS": "0.3",
    # Every connection counts as the session being seen (not once a minute).
    "TIDINGS_SESSION_TOUCH_SECONDS": "0",
}
SHOP_PAGE = {"url": "https://shop.example.com/orders/7", "title": "Order 7 — Shop"}


@pytest.fixture(scope="module")
async def agents(server: ServerProcess, base_url: str) -> AsyncIterator[list[Person]]:
    admin = await register(base_url, "boss")
    await make_admin(server, admin)
    chosen = [await register(base_url, f"agent{i}") for i in range(2)]
    await admin.http.call(
        "PUT", "/api/v1/admin/service/agents", {"user_ids": [a.id for a in chosen]}
    )
    yield chosen
    for person in [admin, *chosen]:
        await person.http.close()


async def _auth_error(base_url: str, token: str) -> str | None:
    """The code a WebSocket sign-in with ``token`` is refused with; None if accepted."""
    async with connect(ws_url(base_url)) as ws:
        reply = await RawConnection(ws).request("auth", {"token": token})
    return None if reply["ok"] else str(reply["error"]["code"])


async def _identified(base_url: str, token: str, external_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base_url) as http:
        issued = await http.post(
            "/api/v1/app/service/visitor-tokens",
            json={"external_id": external_id, "nickname": "Han Meimei", "avatar": "x.png"},
            headers=bearer(token),
        )
        assert issued.status_code == 201, issued.text
        opened = await http.post(
            "/api/v1/service/visitors/identified",
            json={"identity_token": issued.json()["token"], "page": SHOP_PAGE},
        )
    assert opened.status_code == 201, opened.text
    session: dict[str, Any] = opened.json()
    return session


async def _keep_connecting(base_url: str, visitor: Visitor, stop: asyncio.Event) -> None:
    """A visitor whose widget keeps (re)connecting without writing anything."""
    while not stop.is_set():
        async with raw_connection(base_url, visitor.token) as widget:
            await widget.ok("service.chat")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.3)


async def test_an_idle_visitor_is_forgotten_and_the_others_are_kept(
    server: ServerProcess, base_url: str, agents: list[Person]
) -> None:
    agent, other_agent = agents
    # Written first, so idle the longest: kept all the same.
    waiting = await new_visitor(base_url)
    held = await new_visitor(base_url)
    connecting = await new_visitor(base_url)
    for visitor in (waiting, held, connecting):
        async with raw_connection(base_url, visitor.token) as widget:
            await say(widget, visitor.conversation_id, "hello?")
    await agent.http.call("POST", f"/api/v1/service/chats/{held.conversation_id}/take")
    await other_agent.http.call("POST", f"/api/v1/service/chats/{connecting.conversation_id}/take")
    await other_agent.http.call("POST", f"/api/v1/service/chats/{connecting.conversation_id}/close")
    stop = asyncio.Event()
    keeper = asyncio.create_task(_keep_connecting(base_url, connecting, stop))

    # An identified customer of a shop is served, and their chat closed.
    shop = await create_app(server, f"Shop {uuid.uuid4().hex[:6]}", "service")
    token = (await app_token(base_url, shop))["access_token"]
    customer = f"cust-{uuid.uuid4().hex[:6]}"
    first = await _identified(base_url, token, customer)
    chat = first["conversation_id"]
    async with raw_connection(base_url, first["token"]) as widget:
        await say(widget, chat, "Where is order 7?")
    await other_agent.http.call("POST", f"/api/v1/service/chats/{chat}/take")
    async with raw_connection(base_url, other_agent.token) as desk:
        await say(desk, chat, "On its way.")
    await other_agent.http.call("POST", f"/api/v1/service/chats/{chat}/close")
    before = await agent.http.call("GET", f"/api/v1/service/chats/{chat}")
    assert before["visitor"]["external_id"] == customer and before["page"] is not None

    try:
        # Forgotten (asked of the agent's view: signing in as the visitor would be activity).
        async def forgotten() -> bool:
            details = await agent.http.call("GET", f"/api/v1/service/chats/{chat}")
            return details["identified"] is False

        await eventually(forgotten, within=RETENTION_SECONDS + 15, every=0.2)
        # Their sessions are gone.
        assert await _auth_error(base_url, first["token"]) == "invalid_token"
        after = await agent.http.call("GET", f"/api/v1/service/chats/{chat}")
        visitor_id = first["user"]["id"]
        assert after["visitor"] == {
            "id": visitor_id,
            "nickname": f"Visitor {visitor_id}",
            "avatar": "",
            "external_id": None,
        }
        assert after["identified"] is False and after["page"] is None
        assert [case["page"] for case in after["cases"]] == [None]
        # The conversation's log is kept: the company's record of what was said.
        assert after["preview"] == before["preview"] and after["preview"]["seq"] >= 4
        assert after["state"] == "closed"

        # The others are still who they were.
        for visitor in (waiting, held, connecting):
            assert await _auth_error(base_url, visitor.token) is None
        queue = await agent.http.call("GET", "/api/v1/service/queue")
        assert waiting.conversation_id in [c["conversation_id"] for c in queue["waiting"]]
        assert [c["conversation_id"] for c in queue["mine"]] == [held.conversation_id]
        kept = await agent.http.call("GET", f"/api/v1/service/chats/{connecting.conversation_id}")
        assert kept["page"] is not None and kept["visitor"]["nickname"] != ""

        # The customer comes back: a new visitor and chat, nothing of the old one.
        again = await _identified(base_url, token, customer)
        assert again["conversation_id"] != chat
        assert again["user"]["id"] != visitor_id
        async with raw_connection(base_url, again["token"]) as widget:
            history = await widget.ok(
                "history", {"conversation_id": again["conversation_id"], "after_seq": 0}
            )
            assert history["messages"] == []
    finally:
        stop.set()
        await keeper
