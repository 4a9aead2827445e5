"""Customer service on a web site (J4, decision 0066): visitors, the queue and its agents.

A real server on SQLite and PostgreSQL; visitors as the widget makes them (REST, then the
WebSocket), agents over REST. What a visitor's token may not do is tried op by op.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest

from tests.support.apps import app_token, bearer, create_app
from tests.support.raw import RawConnection, raw_connection
from tests.support.server import ServerProcess
from tests.support.social import make_admin
from tests.support.users import PASSWORD, Person, register
from tidings.sdk import ServerError

PAGE = {"url": "https://shop.example.com/item/42?ref=ad", "title": "Teapot — Shop"}


@dataclass
class Desk:
    base_url: str
    admin: Person
    agents: list[Person]
    stranger: Person  # a person who is no agent


@dataclass
class Visitor:
    token: str
    user_id: int
    conversation_id: int


@pytest.fixture(scope="module")
async def desk(server: ServerProcess, base_url: str) -> AsyncIterator[Desk]:
    admin = await register(base_url, "boss")
    await make_admin(server, admin)
    agents = [await register(base_url, f"agent{i}") for i in range(5)]
    stranger = await register(base_url, "stranger")
    await admin.http.call(
        "PUT", "/api/v1/admin/service/agents", {"user_ids": [a.id for a in agents]}
    )
    yield Desk(base_url, admin, agents, stranger)
    for person in [admin, stranger, *agents]:
        await person.http.close()


async def new_visitor(base_url: str, body: dict[str, Any] | None = None) -> Visitor:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post("/api/v1/service/visitors", json=body or {"page": PAGE})
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["user"]["kind"] == "visitor"
    return Visitor(data["token"], data["user"]["id"], data["conversation_id"])


async def say(connection: RawConnection, conversation_id: int, text: str) -> dict[str, Any]:
    sent: dict[str, Any] = await connection.ok(
        "send",
        {
            "conversation_id": conversation_id,
            "client_msg_id": uuid.uuid4().hex,
            "type": "text",
            "body": {"text": text},
        },
    )
    return sent


async def rest(person: Person | Visitor, method: str, path: str, body: Any = None) -> Any:
    token = person.token
    async with httpx.AsyncClient(base_url=_base) as http:
        return await http.request(
            method, path, json=body, headers={"Authorization": f"Bearer {token}"}
        )


_base = ""


@pytest.fixture(autouse=True)
def _remember_base(base_url: str) -> None:
    global _base
    _base = base_url


async def error_of(person: Person, method: str, path: str, body: Any = None) -> str:
    with pytest.raises(ServerError) as caught:
        await person.http.call(method, path, body)
    return caught.value.code


async def until_push(connection: RawConnection, name: str) -> dict[str, Any]:
    """The next push called ``name`` (earlier ones seen are kept in ``pushes``)."""
    for push in connection.pushes:
        if push["push"] == name:
            connection.pushes.remove(push)
            return push
    async with asyncio.timeout(10):
        while True:
            frame = await connection.next_frame()
            if frame.get("push") == name:
                return frame
            connection.pushes.append(frame)


async def test_a_visitor_is_served_taken_transferred_and_closed(desk: Desk) -> None:
    first, second = desk.agents[0], desk.agents[1]
    visitor = await new_visitor(desk.base_url)
    async with (
        raw_connection(desk.base_url, visitor.token) as widget,
        raw_connection(desk.base_url, first.token) as agent_ws,
    ):
        chat = await widget.ok("service.chat")
        assert chat == {
            "conversation_id": visitor.conversation_id,
            "state": "closed",
            "agent": None,
        }
        await say(widget, visitor.conversation_id, "Is the teapot in stock?")
        queued = await until_push(agent_ws, "service_queue")
        assert queued["data"] == {
            "conversation_id": visitor.conversation_id,
            "state": "waiting",
            "agent_id": None,
        }
        queue = await first.http.call("GET", "/api/v1/service/queue")
        waiting = next(
            c for c in queue["waiting"] if c["conversation_id"] == visitor.conversation_id
        )
        assert waiting["page"]["url"] == PAGE["url"]
        assert waiting["page"]["title"] == PAGE["title"]
        assert waiting["preview"]["body"] == {"text": "Is the teapot in stock?"}
        assert waiting["visitor"]["nickname"] == f"Visitor {visitor.user_id}"

        taken = await first.http.call(
            "POST", f"/api/v1/service/chats/{visitor.conversation_id}/take"
        )
        assert taken["state"] == "taken" and taken["agent_id"] == first.id
        # The agent is a member now, and sees the visitor's message from before.
        history = await agent_ws.ok(
            "history", {"conversation_id": visitor.conversation_id, "after_seq": 0}
        )
        assert [m["body"].get("text") for m in history["messages"] if m["kind"] == "message"] == [
            "Is the teapot in stock?"
        ]
        answer = await say(agent_ws, visitor.conversation_id, "Yes, 12 left.")
        pushed = await until_push(widget, "entry")
        while pushed["data"]["seq"] != answer["seq"]:
            pushed = await until_push(widget, "entry")
        assert pushed["data"]["body"] == {"text": "Yes, 12 left."}
        chat = await widget.ok("service.chat")
        assert chat["state"] == "taken" and chat["agent"]["nickname"] == "Agent0"

        # The visitor moves on to another page of the shop: the agent sees it.
        await widget.ok("service.page", {"url": "https://shop.example.com/cart", "title": "Cart"})
        details = await first.http.call("GET", f"/api/v1/service/chats/{visitor.conversation_id}")
        assert details["page"]["url"] == "https://shop.example.com/cart"

        moved = await first.http.call(
            "POST",
            f"/api/v1/service/chats/{visitor.conversation_id}/transfer",
            {"agent_id": second.id},
        )
        assert moved["agent_id"] == second.id
        assert (
            await agent_ws.error(
                "history", {"conversation_id": visitor.conversation_id, "after_seq": 0}
            )
            == "not_member"
        )
        assert (
            await error_of(first, "POST", f"/api/v1/service/chats/{visitor.conversation_id}/close")
            == "conflict"
        )
        closed = await second.http.call(
            "POST", f"/api/v1/service/chats/{visitor.conversation_id}/close"
        )
        assert closed["state"] == "closed" and closed["agent_id"] is None

        # Writing again puts the chat back in the queue: a second case.
        await say(widget, visitor.conversation_id, "One more question")
        details = await second.http.call("GET", f"/api/v1/service/chats/{visitor.conversation_id}")
        assert details["state"] == "waiting"
        assert len(details["cases"]) == 2
        earlier = details["cases"][1]
        assert earlier["agent_id"] == second.id and earlier["closed_at"] is not None
        assert earlier["agent_name"] == "Agent1"
        assert earlier["page"]["url"] == PAGE["url"]


async def test_of_agents_taking_at_once_exactly_one_gets_the_chat(desk: Desk) -> None:
    for _ in range(3):
        visitor = await new_visitor(desk.base_url)
        async with raw_connection(desk.base_url, visitor.token) as widget:
            await say(widget, visitor.conversation_id, "hello?")
        path = f"/api/v1/service/chats/{visitor.conversation_id}/take"
        outcomes = await asyncio.gather(*(rest(agent, "POST", path) for agent in desk.agents))
        statuses = sorted(r.status_code for r in outcomes)
        assert statuses == [200] + [409] * (len(desk.agents) - 1), statuses
        refused = [r.json()["error"]["code"] for r in outcomes if r.status_code == 409]
        assert set(refused) == {"service_chat_taken"}
        winner = next(r.json()["agent_id"] for r in outcomes if r.status_code == 200)
        for agent in desk.agents:
            async with raw_connection(desk.base_url, agent.token) as ws:
                reply = await ws.request(
                    "conversation.members", {"conversation_id": visitor.conversation_id}
                )
            if agent.id == winner:
                members = {m["user_id"] for m in reply["data"]["members"]}
                assert members == {visitor.user_id, winner}
            else:
                assert reply["error"]["code"] == "not_member"


async def test_a_visitors_token_reaches_only_its_own_chat(desk: Desk) -> None:
    visitor = await new_visitor(desk.base_url)
    other = await new_visitor(desk.base_url)
    staff_chat = await desk.agents[0].http.call(
        "POST", "/api/v1/conversations", {"type": "direct", "peer_id": desk.agents[1].id}
    )
    for method, path in [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/conversations"),
        ("GET", "/api/v1/friends"),
        ("GET", "/api/v1/users?q=agent"),
        ("GET", "/api/v1/org"),
        ("GET", "/api/v1/org/search?q=agent"),
        ("GET", "/api/v1/service/queue"),
        ("GET", "/api/v1/admin/service/agents"),
        ("GET", f"/api/v1/conversations/{visitor.conversation_id}/messages"),
    ]:
        response = await rest(visitor, method, path)
        assert response.status_code == 403, (path, response.text)
        assert response.json()["error"]["code"] == "visitor_not_allowed", path
    async with raw_connection(desk.base_url, visitor.token) as widget:
        for op, data in [
            ("conversations.list", {}),
            ("profile.get", {"user_id": desk.agents[0].id}),
            ("contacts.search", {"query": "agent"}),
            ("conversation.open_direct", {"peer_id": desk.agents[0].id}),
            ("conversation.create_group", {"name": "x", "member_ids": [desk.agents[0].id]}),
            ("presence.subscribe", {"user_ids": [desk.agents[0].id]}),
            ("org.tree", {}),
            ("logout", {}),
        ]:
            assert await widget.error(op, data) == "visitor_not_allowed", op
        for conversation_id in (other.conversation_id, staff_chat["id"]):
            ref = {"conversation_id": conversation_id}
            assert await widget.error("history", ref | {"after_seq": 0}) == "not_member"
            send = {"client_msg_id": uuid.uuid4().hex, "type": "text", "body": {"text": "hi"}}
            assert await widget.error("send", ref | send) == "not_member"
            assert await widget.error("read", ref | {"seq": 1}) == "not_member"
        # Only text and cards: nothing that needs a file the visitor could not fetch.
        sticker = {"file_id": "0" * 32, "width": 10, "height": 10}
        assert (
            await widget.error(
                "send",
                {
                    "conversation_id": visitor.conversation_id,
                    "client_msg_id": uuid.uuid4().hex,
                    "type": "sticker",
                    "body": sticker,
                },
            )
            == "invalid_input"
        )
        sync = await widget.ok("sync", {"private_seq": 0})
        assert [c["id"] for c in sync["conversations"]] == [visitor.conversation_id]
    # No password signs a visitor in, whatever it is.
    async with httpx.AsyncClient(base_url=desk.base_url) as http:
        response = await http.post(
            "/api/v1/auth/login",
            json={"account": f"visitor.{visitor.user_id}", "password": PASSWORD},
        )
    assert response.status_code == 401


async def test_only_agents_serve_and_only_admins_choose_them(desk: Desk) -> None:
    visitor = await new_visitor(desk.base_url)
    stranger = desk.stranger
    base = f"/api/v1/service/chats/{visitor.conversation_id}"
    for method, path, body in [
        ("GET", "/api/v1/service/queue", None),
        ("GET", "/api/v1/service/agents", None),
        ("GET", base, None),
        ("POST", f"{base}/take", None),
        ("POST", f"{base}/transfer", {"agent_id": desk.agents[0].id}),
        ("POST", f"{base}/close", None),
    ]:
        assert await error_of(stranger, method, path, body) == "not_an_agent", path
    for method, body in [("GET", None), ("PUT", {"user_ids": [stranger.id]})]:
        assert await error_of(stranger, method, "/api/v1/admin/service/agents", body) == "forbidden"
    listed = await desk.admin.http.call("GET", "/api/v1/admin/service/agents")
    assert [a["user_id"] for a in listed["agents"]] == sorted(a.id for a in desk.agents)
    audit = await desk.admin.http.call("GET", "/api/v1/admin/audit", action="service.agents_update")
    assert any(e["details"]["added"] == sorted(a.id for a in desk.agents) for e in audit["entries"])


async def test_the_console_sees_who_is_on_duty_and_what_each_holds(desk: Desk) -> None:
    agent, idle = desk.agents[3], desk.agents[1]
    visitor = await new_visitor(desk.base_url)
    async with raw_connection(desk.base_url, visitor.token) as widget:
        await say(widget, visitor.conversation_id, "anyone there?")
    path = "/api/v1/admin/service/agents"
    async with raw_connection(desk.base_url, agent.token):
        listed = await desk.admin.http.call("GET", path)
        by_id = {a["user_id"]: a for a in listed["agents"]}
        # (Chats won in the race of an earlier test are still held.)
        held = by_id[agent.id]["open_chats"]
        assert by_id[agent.id] == {
            "user_id": agent.id,
            "account": agent.account,
            "nickname": "Agent3",
            "avatar": "",
            "disabled": False,
            "online": True,
            "open_chats": held,
        }
        assert by_id[idle.id]["online"] is False
        assert listed["waiting"] >= 1
        await agent.http.call("POST", f"/api/v1/service/chats/{visitor.conversation_id}/take")
        listed = await desk.admin.http.call("GET", path)
        assert {a["user_id"]: a["open_chats"] for a in listed["agents"]}[agent.id] == held + 1
        # Choosing the agents answers the same view.
        chosen = await desk.admin.http.call(
            "PUT", path, {"user_ids": [a["user_id"] for a in listed["agents"]]}
        )
        assert chosen == listed
        await agent.http.call("POST", f"/api/v1/service/chats/{visitor.conversation_id}/close")


async def test_an_agent_removed_while_serving_may_still_hand_on_or_close_their_chats(
    desk: Desk,
) -> None:
    leaving = await register(desk.base_url, "leaving")
    path = "/api/v1/admin/service/agents"
    everyone = [a.id for a in desk.agents]
    await desk.admin.http.call("PUT", path, {"user_ids": [*everyone, leaving.id]})
    held, other = await new_visitor(desk.base_url), await new_visitor(desk.base_url)
    for visitor in (held, other):
        async with raw_connection(desk.base_url, visitor.token) as widget:
            await say(widget, visitor.conversation_id, "help")
    await leaving.http.call("POST", f"/api/v1/service/chats/{held.conversation_id}/take")
    await desk.admin.http.call("PUT", path, {"user_ids": everyone})
    mine = f"/api/v1/service/chats/{held.conversation_id}"
    # No longer an agent: no queue, nothing new to take, nobody else's chat ...
    assert await error_of(leaving, "GET", "/api/v1/service/queue") == "not_an_agent"
    take = f"/api/v1/service/chats/{other.conversation_id}/take"
    assert await error_of(leaving, "POST", take) == "not_an_agent"
    other_chat = f"/api/v1/service/chats/{other.conversation_id}"
    assert await error_of(leaving, "GET", other_chat) == "not_an_agent"
    # ... but the chat they hold they see, and close (or hand on).
    assert (await leaving.http.call("GET", mine))["agent_id"] == leaving.id
    assert [
        a["user_id"] for a in (await leaving.http.call("GET", "/api/v1/service/agents"))["agents"]
    ] == sorted(everyone)
    closed = await leaving.http.call("POST", f"{mine}/close")
    assert closed["state"] == "closed"
    assert await error_of(leaving, "POST", f"{mine}/close") == "not_an_agent"
    assert await error_of(leaving, "GET", "/api/v1/service/agents") == "not_an_agent"
    await desk.agents[0].http.call("POST", f"{other_chat}/take")
    await desk.agents[0].http.call("POST", f"{other_chat}/close")
    await leaving.http.close()


async def test_bad_input_gets_a_clear_error(desk: Desk) -> None:
    agent = desk.agents[2]
    async with httpx.AsyncClient(base_url=desk.base_url) as http:
        for body in [
            {"page": {"url": "javascript:alert(1)"}},
            {"page": {"url": "https://x.example/" + "a" * 2100}},
            {"nickname": "n" * 65},
            {"nickname": "ok", "admin": True},
            {"page": {"url": "https://x.example", "title": "t" * 201}},
        ]:
            response = await http.post("/api/v1/service/visitors", json=body)
            assert response.status_code == 422, body
            assert response.json()["error"]["code"] == "invalid_input", body
        response = await http.post(
            "/api/v1/service/visitors/identified", json={"identity_token": "forged"}
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_token"
    visitor = await new_visitor(desk.base_url)
    chats = f"/api/v1/service/chats/{visitor.conversation_id}"
    missing = "/api/v1/service/chats/999999999"
    assert await error_of(agent, "POST", f"{missing}/take") == "not_found"
    assert await error_of(agent, "GET", missing) == "not_found"
    # Nothing to take before the visitor writes; nothing to close that one does not hold.
    assert await error_of(agent, "POST", f"{chats}/take") == "conflict"
    assert await error_of(agent, "POST", f"{chats}/close") == "conflict"
    async with raw_connection(desk.base_url, visitor.token) as widget:
        await say(widget, visitor.conversation_id, "hi")
        assert (
            await widget.error("service.page", {"url": "ftp://x.example/", "title": ""})
            == "invalid_input"
        )
    await agent.http.call("POST", f"{chats}/take")
    for body, code in [
        ({"agent_id": desk.stranger.id}, "not_an_agent"),
        ({"agent_id": agent.id}, "invalid_input"),
        ({"agent_id": "x"}, "invalid_input"),
        ({}, "invalid_input"),
    ]:
        assert await error_of(agent, "POST", f"{chats}/transfer", body) == code, body
    for user_ids in [[visitor.user_id], [999999999]]:
        assert (
            await error_of(
                desk.admin, "PUT", "/api/v1/admin/service/agents", {"user_ids": user_ids}
            )
            == "invalid_input"
        )
    await agent.http.call("POST", f"{chats}/close")


async def test_a_host_backend_identifies_its_user_to_the_widget(
    server: ServerProcess, desk: Desk
) -> None:
    shop = await create_app(server, f"Shop {uuid.uuid4().hex[:6]}", "service")
    crm = await create_app(server, f"CRM {uuid.uuid4().hex[:6]}", "users:read")
    shop_token = (await app_token(desk.base_url, shop))["access_token"]
    crm_token = (await app_token(desk.base_url, crm))["access_token"]
    tokens = "/api/v1/app/service/visitor-tokens"
    identity = {"external_id": "cust-42", "nickname": "Li Lei"}
    async with httpx.AsyncClient(base_url=desk.base_url) as http:
        refused = await http.post(tokens, json=identity, headers=bearer(crm_token))
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "insufficient_scope"
        assert (await http.post(tokens, json=identity)).status_code == 401
        bad = await http.post(
            tokens, json={"external_id": "", "nickname": "x"}, headers=bearer(shop_token)
        )
        assert bad.status_code == 422
        sessions = []
        for page in ("https://shop.example.com/a", "https://shop.example.com/b"):
            issued = await http.post(tokens, json=identity, headers=bearer(shop_token))
            assert issued.status_code == 201
            assert issued.json()["expires_in"] == 300
            body = {"identity_token": issued.json()["token"], "page": {"url": page}}
            # Exchanged once, by one of any number of concurrent exchanges.
            replies = await asyncio.gather(
                *(http.post("/api/v1/service/visitors/identified", json=body) for _ in range(4))
            )
            assert sorted(r.status_code for r in replies) == [201, 401, 401, 401]
            sessions.append(next(r.json() for r in replies if r.status_code == 201))
    # The same customer of the same shop comes back to the same chat, under their name.
    first, again = sessions
    assert first["conversation_id"] == again["conversation_id"]
    assert first["user"]["id"] == again["user"]["id"]
    assert again["user"]["nickname"] == "Li Lei" and again["token"] != first["token"]
    async with raw_connection(desk.base_url, again["token"]) as widget:
        await say(widget, again["conversation_id"], "Where is my order?")
    details = await desk.agents[3].http.call(
        "GET", f"/api/v1/service/chats/{again['conversation_id']}"
    )
    assert details["visitor"]["external_id"] == "cust-42"
    assert details["identified"] is True
    assert details["page"]["url"] == "https://shop.example.com/b"


async def test_visitors_are_nobodys_colleagues(desk: Desk) -> None:
    """Not in people search, the organization's search, nor the dashboard's staff numbers."""
    before = await desk.admin.http.call("GET", "/api/v1/admin/dashboard", days=1)
    name = f"Zorblax{uuid.uuid4().hex[:8]}"
    visitor = await new_visitor(desk.base_url, {"nickname": name, "page": PAGE})
    async with raw_connection(desk.base_url, visitor.token) as widget:
        await say(widget, visitor.conversation_id, "hello")
    found = await desk.admin.http.call("GET", "/api/v1/users", q=name)
    assert found["users"] == []
    tree = await desk.admin.http.call("GET", "/api/v1/org/search", q=name)
    assert not [u for u in tree.get("users", []) if u.get("id") == visitor.user_id]
    after = await desk.admin.http.call("GET", "/api/v1/admin/dashboard", days=1)
    assert after["users"] == before["users"]
    assert after["new_users"] == before["new_users"]


async def test_the_widget_is_served_at_a_stable_address_outside_the_precache(desk: Desk) -> None:
    async with httpx.AsyncClient(base_url=desk.base_url) as http:
        script = await http.get("/widget.js", headers={"accept-encoding": "gzip"})
        worker = await http.get("/sw.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "no-cache" in script.headers["cache-control"]
    assert "Tidings" in script.text
    assert worker.status_code == 200 and "widget.js" not in worker.text


def send_frame(request_id: str, conversation_id: int, text: str) -> str:
    return orjson.dumps(
        {
            "id": request_id,
            "op": "send",
            "data": {
                "conversation_id": conversation_id,
                "client_msg_id": uuid.uuid4().hex,
                "type": "text",
                "body": {"text": text},
            },
        }
    ).decode()


async def send_burst(
    connection: RawConnection, conversation_id: int, texts: list[str]
) -> list[Any]:
    """Send all at once (one write), then read every reply: (text, reply) pairs."""
    ids = [f"b{i}" for i in range(len(texts))]
    connection.send_burst(
        [send_frame(i, conversation_id, text) for i, text in zip(ids, texts, strict=True)]
    )
    replies = {}
    while len(replies) < len(ids):
        reply = await connection.reply()
        replies[reply["id"]] = reply
    return [(text, replies[i]) for i, text in zip(ids, texts, strict=True)]


async def test_a_flooding_visitor_is_slowed_down_and_others_are_not(desk: Desk) -> None:
    """The visitors' own rule (``TIDINGS_RATE_SERVICE_VISITOR_SEND``, 30 a minute): one
    visitor floods from three connections at once while four others write and an agent
    answers; only the flood is refused, with ``rate_limited``, and nothing refused is kept."""
    flooder = await new_visitor(desk.base_url)
    others = [await new_visitor(desk.base_url) for _ in range(4)]
    agent = desk.agents[4]
    async with contextlib.AsyncExitStack() as stack:
        floods = [
            await stack.enter_async_context(raw_connection(desk.base_url, flooder.token))
            for _ in range(3)
        ]
        widgets = [
            await stack.enter_async_context(raw_connection(desk.base_url, v.token)) for v in others
        ]
        outcomes = await asyncio.gather(
            *(
                send_burst(ws, flooder.conversation_id, [f"flood {n}-{i}" for i in range(15)])
                for n, ws in enumerate(floods)
            ),
            *(
                send_burst(ws, v.conversation_id, [f"{v.user_id} asks {i}" for i in range(8)])
                for ws, v in zip(widgets, others, strict=True)
            ),
        )
        flood = [pair for outcome in outcomes[:3] for pair in outcome]
        kept = [text for text, reply in flood if reply["ok"]]
        refused = [reply["error"] for _, reply in flood if not reply["ok"]]
        # A burst of 30, then one every 2 s: however long the flood took, most is refused.
        assert 30 <= len(kept) < 40, len(kept)
        assert len(kept) + len(refused) == 45
        assert {e["code"] for e in refused} == {"rate_limited"}
        assert all(e["details"]["retry_after"] >= 1 for e in refused)
        for outcome in outcomes[3:]:
            assert all(reply["ok"] for _, reply in outcome), outcome
        # What was refused was not stored; what was kept is there once.
        history = await floods[0].ok(
            "history", {"conversation_id": flooder.conversation_id, "after_seq": 0, "limit": 100}
        )
        stored = [m["body"]["text"] for m in history["messages"] if m["kind"] == "message"]
        assert sorted(stored) == sorted(kept)
        # Still refused while the flooder waits; the agent serving them is not limited.
        assert (
            await floods[1].error(
                "send",
                {
                    "conversation_id": flooder.conversation_id,
                    "client_msg_id": uuid.uuid4().hex,
                    "type": "text",
                    "body": {"text": "one more"},
                },
            )
            == "rate_limited"
        )
        await agent.http.call("POST", f"/api/v1/service/chats/{flooder.conversation_id}/take")
        async with raw_connection(desk.base_url, agent.token) as desk_ws:
            for i in range(35):
                await say(desk_ws, flooder.conversation_id, f"answer {i}")
        await agent.http.call("POST", f"/api/v1/service/chats/{flooder.conversation_id}/close")


async def test_new_visitors_are_rate_limited_per_address(desk: Desk) -> None:
    """Last in the module: it spends this address's visitor budget."""
    async with httpx.AsyncClient(base_url=desk.base_url) as http:
        for _ in range(40):
            response = await http.post("/api/v1/service/visitors", json={})
            if response.status_code == 429:
                break
            assert response.status_code == 201
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "rate_limited"
