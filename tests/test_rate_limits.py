"""Rate limits (issue 11), on SQLite and PostgreSQL: each rule refuses past its bound with
``rate_limited`` and ``retry_after`` (REST: 429 and Retry-After; WebSocket:
``details.retry_after``), and lets the user through again once that time has passed.

The rules are set small here (a burst of a few, then one every 2 s: a slow machine still
makes the burst within one interval) so a test waits about 2 s to see a rule recover. People
are registered from addresses of their own, so only the registration test meets the
per-address rule.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests.support.raw import RawConnection, raw_connection
from tests.support.users import PASSWORD, Person
from tidings.sdk import TidingsHttp

SERVER_ENV = {
    "TIDINGS_RATE_MESSAGE_SEND": "3/6s",
    "TIDINGS_RATE_MENTION_ALL": "2/4s",
    "TIDINGS_RATE_GROUP_CREATE": "2/4s",
    "TIDINGS_RATE_MEMBERS_ADD": "4/8s",
    "TIDINGS_RATE_WS_CONNECT_SESSION": "2/4s",
    "TIDINGS_RATE_REGISTER_ADDRESS": "2/4s",
    "TIDINGS_RATE_SEARCH": "2/4s",
    "TIDINGS_RATE_MESSAGE_SEARCH": "2/4s",
    "TIDINGS_RATE_MEMBER_LIST": "2/4s",
}
_addresses = itertools.count(1)


async def person(base_url: str, name: str) -> Person:
    """A user registered from an address no other test uses."""
    account = f"{name}{uuid.uuid4().hex[:8]}"
    n = next(_addresses)
    address = f"198.51.{n // 250}.{n % 250 + 1}"
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post(
            "/api/v1/auth/register",
            json={"account": account, "password": PASSWORD, "nickname": name},
            headers={"X-Forwarded-For": address},
        )
    assert response.status_code == 201, response.text
    result = response.json()
    token = result["token"]
    return Person(int(result["user"]["id"]), account, token, TidingsHttp(base_url, token=token))


@pytest.fixture
async def sender(base_url: str) -> AsyncIterator[Person]:
    found = await person(base_url, "sender")
    yield found
    await found.http.close()


@pytest.fixture
async def others(base_url: str) -> AsyncIterator[list[Person]]:
    found = [await person(base_url, f"other{i}") for i in range(6)]
    yield found
    for one in found:
        await one.http.close()


def retry_after(reply: dict[str, Any]) -> int:
    """The wait a refused WebSocket request names (asserting it is ``rate_limited``)."""
    assert reply["ok"] is False, reply
    assert reply["error"]["code"] == "rate_limited", reply
    seconds = reply["error"]["details"]["retry_after"]
    assert isinstance(seconds, int) and seconds >= 1, reply
    return seconds


async def recovers(attempt: Callable[[], Awaitable[dict[str, Any]]], wait: int) -> None:
    """After the named wait the same request goes through."""
    await asyncio.sleep(wait)
    reply = await attempt()
    assert reply["ok"] is True, reply


async def group_of(ws: RawConnection, members: list[Person]) -> int:
    summary = await ws.ok(
        "conversation.create_group", {"name": "g", "member_ids": [m.id for m in members]}
    )
    return int(summary["id"])


async def test_message_sends(base_url: str, sender: Person, others: list[Person]) -> None:
    async with raw_connection(base_url, sender.token) as ws:
        direct = (await ws.ok("conversation.open_direct", {"peer_id": others[0].id}))["id"]
        ids = itertools.count()

        def send() -> Awaitable[dict[str, Any]]:
            return ws.request(
                "send",
                {
                    "conversation_id": direct,
                    "client_msg_id": f"m{next(ids)}",
                    "type": "text",
                    "body": {"text": "hi"},
                },
            )

        for _ in range(3):
            assert (await send())["ok"] is True
        wait = retry_after(await send())
        await recovers(send, wait)
        # A forward counts once per target: three targets take the whole burst.
        targets = [direct] + [
            (await ws.ok("conversation.open_direct", {"peer_id": o.id}))["id"] for o in others[1:3]
        ]
        await asyncio.sleep(6)
        forward = await ws.request(
            "forward",
            {"conversation_id": direct, "seqs": [1], "target_ids": targets, "client_msg_id": "f"},
        )
        assert forward["ok"] is True, forward
        retry_after(await send())
    # Over REST: 429 with Retry-After.
    async with httpx.AsyncClient(base_url=base_url) as http:
        headers = {"Authorization": f"Bearer {sender.token}"}
        answers = [
            await http.post(
                f"/api/v1/conversations/{direct}/messages",
                json={"client_msg_id": f"r{i}", "type": "text", "body": {"text": "x"}},
                headers=headers,
            )
            for i in range(5)
        ]
        refused = [a for a in answers if a.status_code == 429]
        assert refused, [a.status_code for a in answers]
        assert int(refused[0].headers["Retry-After"]) >= 1
        assert refused[0].json()["error"]["details"]["retry_after"] >= 1


async def test_mentions_of_all(base_url: str, sender: Person, others: list[Person]) -> None:
    async with raw_connection(base_url, sender.token) as ws:
        group = await group_of(ws, others[:2])
        ids = itertools.count()

        def mention_all() -> Awaitable[dict[str, Any]]:
            return ws.request(
                "send",
                {
                    "conversation_id": group,
                    "client_msg_id": f"a{next(ids)}",
                    "type": "text",
                    "body": {"text": "@all look", "mention_all": True},
                },
            )

        for _ in range(2):
            assert (await mention_all())["ok"] is True
        wait = retry_after(await mention_all())
        await recovers(mention_all, wait)


async def test_group_creation(base_url: str, sender: Person, others: list[Person]) -> None:
    async with raw_connection(base_url, sender.token) as ws:

        def create() -> Awaitable[dict[str, Any]]:
            return ws.request("conversation.create_group", {"name": "g", "member_ids": []})

        for _ in range(2):
            assert (await create())["ok"] is True
        wait = retry_after(await create())
        await recovers(create, wait)


async def test_members_added(base_url: str, sender: Person, others: list[Person]) -> None:
    async with raw_connection(base_url, sender.token) as ws:
        # More members at once than the rule ever allows: refused, whatever the wait.
        too_many = await ws.request(
            "conversation.create_group", {"name": "big", "member_ids": [o.id for o in others]}
        )
        assert retry_after(too_many) == 8
        assert too_many["error"]["details"]["max"] == 4
        group = await group_of(ws, others[:3])

        def invite() -> Awaitable[dict[str, Any]]:
            return ws.request(
                "group.invite",
                {"conversation_id": group, "user_ids": [others[3].id, others[4].id]},
            )

        wait = retry_after(await invite())  # 3 + 2 > 4
        await recovers(invite, wait)


async def test_connections_per_session(base_url: str, sender: Person) -> None:
    for _ in range(2):
        async with raw_connection(base_url, sender.token) as ws:
            await ws.assert_alive()
    async with raw_connection(base_url) as ws:
        wait = retry_after(await ws.request("auth", {"token": sender.token}))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.next_frame()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    await asyncio.sleep(wait)
    async with raw_connection(base_url, sender.token) as ws:
        await ws.assert_alive()


async def test_registrations_per_address(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:

        async def register() -> httpx.Response:
            return await http.post(
                "/api/v1/auth/register",
                json={
                    "account": f"reg{uuid.uuid4().hex[:8]}",
                    "password": PASSWORD,
                    "nickname": "R",
                },
                headers={"X-Forwarded-For": "203.0.113.7"},
            )

        for _ in range(2):
            assert (await register()).status_code == 201
        refused = await register()
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        wait = int(refused.headers["Retry-After"])
        assert refused.json()["error"]["details"]["retry_after"] == wait
        # Another address is not held back by this one.
        other = await http.post(
            "/api/v1/auth/register",
            json={"account": f"reg{uuid.uuid4().hex[:8]}", "password": PASSWORD, "nickname": "R"},
            headers={"X-Forwarded-For": "203.0.113.8"},
        )
        assert other.status_code == 201
        await asyncio.sleep(wait)
        assert (await register()).status_code == 201


async def test_message_searches(base_url: str, sender: Person) -> None:
    async with raw_connection(base_url, sender.token) as ws:

        def search() -> Awaitable[dict[str, Any]]:
            return ws.request("messages.search", {"q": "会议"})

        for _ in range(2):
            assert (await search())["ok"] is True
        wait = retry_after(await search())
        await recovers(search, wait)
    async with httpx.AsyncClient(base_url=base_url) as http:
        headers = {"Authorization": f"Bearer {sender.token}"}
        codes = [
            (
                await http.get("/api/v1/search/messages", params={"q": "x"}, headers=headers)
            ).status_code
            for _ in range(4)
        ]
        assert 429 in codes, codes


async def test_people_search_and_member_lists(
    base_url: str, sender: Person, others: list[Person]
) -> None:
    async with raw_connection(base_url, sender.token) as ws:
        group = await group_of(ws, others[:2])
        direct = (await ws.ok("conversation.open_direct", {"peer_id": others[0].id}))["id"]

        def search() -> Awaitable[dict[str, Any]]:
            return ws.request("contacts.search", {"query": "other"})

        def org_search() -> Awaitable[dict[str, Any]]:
            return ws.request("org.search", {"query": "x"})

        def members(conversation_id: int = group) -> Awaitable[dict[str, Any]]:
            return ws.request("conversation.members", {"conversation_id": conversation_id})

        assert (await search())["ok"] is True
        assert (await org_search())["ok"] is True
        wait = retry_after(await search())
        await recovers(search, wait)

        for _ in range(2):
            assert (await members())["ok"] is True
        # A direct chat's two members are not counted.
        assert (await members(direct))["ok"] is True
        wait = retry_after(await members())
        await recovers(members, wait)
    # Over REST too.
    async with httpx.AsyncClient(base_url=base_url) as http:
        headers = {"Authorization": f"Bearer {sender.token}"}
        codes = [
            (await http.get("/api/v1/users", params={"q": "other"}, headers=headers)).status_code
            for _ in range(4)
        ]
        assert 429 in codes, codes
