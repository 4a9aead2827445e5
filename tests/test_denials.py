"""Denials (issue 2, "Must hold"): each refused with its code over WebSocket and REST, and
nothing changed by the attempt. Against a real server process.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.raw import RawConnection, raw_connection
from tests.support.server import ServerProcess
from tests.support.users import PASSWORD, Person, register

# Ids that were never issued: refused exactly like someone else's conversation.
MISSING_ID = 987_654_321
HUGE_ID = 2**62


# The world the intruder (carol) is kept out of


@dataclass
class Scene:
    base_url: str
    alice: Person
    bob: Person
    carol: Person
    dave: Person
    direct: int  # alice and bob
    group: int  # alice (owner) and bob
    own: int  # carol and dave: carol's own chat, seq 1 is her message
    # Taken once the scene is set: nothing an outsider tries may change it.
    initial: dict[str, Any] = field(default_factory=dict)

    @property
    def victims(self) -> dict[str, int]:
        return {"direct": self.direct, "group": self.group, "missing": MISSING_ID, "huge": HUGE_ID}

    async def snapshot(self) -> dict[str, Any]:
        """Everything stored that the denied requests could have touched."""
        calls: dict[str, Awaitable[Any]] = {
            f"sync {person.account}": person.http.call("POST", "/api/v1/sync", {"private_seq": 0})
            for person in (self.alice, self.bob, self.carol, self.dave)
        }
        for conversation, member in (
            (self.direct, self.alice),
            (self.group, self.bob),
            (self.own, self.dave),
        ):
            calls[f"history {conversation}"] = member.http.call(
                "GET", f"/api/v1/conversations/{conversation}/messages", after_seq=0, limit=500
            )
        calls["members"] = self.bob.http.call("GET", f"/api/v1/conversations/{self.group}/members")
        return dict(zip(calls, await asyncio.gather(*calls.values()), strict=True))


@pytest.fixture(scope="module")
async def scene(base_url: str) -> AsyncIterator[Scene]:
    # Set up concurrently: every write is a durable commit, and concurrent ones share one.
    alice, bob, carol, dave = await asyncio.gather(
        *(register(base_url, name) for name in ("alice", "bob", "carol", "dave"))
    )
    direct, group, own = [
        summary["id"]
        for summary in await asyncio.gather(
            alice.http.call("POST", "/api/v1/conversations", {"type": "direct", "peer_id": bob.id}),
            alice.http.call(
                "POST",
                "/api/v1/conversations",
                {"type": "group", "name": "Board", "member_ids": [bob.id]},
            ),
            carol.http.call(
                "POST", "/api/v1/conversations", {"type": "direct", "peer_id": dave.id}
            ),
        )
    ]
    await asyncio.gather(
        *(
            sender.http.call(
                "POST",
                f"/api/v1/conversations/{conversation}/messages",
                {"client_msg_id": secrets.token_hex(8), "type": "text", "body": {"text": text}},
            )
            for conversation, sender, text in (
                (direct, alice, "private plans"),
                (group, bob, "board minutes"),
                (own, carol, "mine to forward"),
            )
        )
    )
    await bob.http.call(
        "POST",
        f"/api/v1/conversations/{direct}/messages",
        {"client_msg_id": "agreed", "type": "text", "body": {"text": "agreed"}},
    )
    # Bob has read the direct chat: a denied read or ack must not move anyone's position.
    await bob.http.call("POST", f"/api/v1/conversations/{direct}/read", {"seq": 1})
    scene = Scene(base_url, alice, bob, carol, dave, direct, group, own)
    scene.initial = await scene.snapshot()
    yield scene
    for person in (alice, bob, carol, dave):
        await person.http.close()


def expect_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    error = response.json()["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def rest(
    person: Person, method: str, path: str, body: Any = None, **params: Any
) -> httpx.Response:
    """One REST call as ``person``, returning the raw response (status and all)."""
    async with httpx.AsyncClient(
        base_url=person.http.base_url, headers=bearer(person.token)
    ) as http:
        return await http.request(method, path, json=body, params=params or None)


# Not a member: every op that names a conversation, over both transports


@dataclass(frozen=True)
class Attempt:
    """One thing an outsider tries, as a WebSocket op and as a REST call where both exist."""

    op: str | None = None
    data: Callable[[Scene, int], dict[str, Any]] | None = None
    rest: Callable[[Scene, int], tuple[str, str, Any]] | None = None


def _text(client_msg_id: str) -> dict[str, Any]:
    return {"client_msg_id": client_msg_id, "type": "text", "body": {"text": "let me in"}}


NOT_MEMBER_ATTEMPTS: dict[str, Attempt] = {
    "history": Attempt(
        "history",
        lambda s, c: {"conversation_id": c, "after_seq": 0},
        lambda s, c: ("GET", f"/api/v1/conversations/{c}/messages?after_seq=0", None),
    ),
    "history before": Attempt(
        "history",
        lambda s, c: {"conversation_id": c, "before_seq": 3, "limit": 2},
        lambda s, c: ("GET", f"/api/v1/conversations/{c}/messages?before_seq=3&limit=2", None),
    ),
    "send": Attempt(
        "send",
        lambda s, c: {"conversation_id": c, **_text("intruder-1")},
        lambda s, c: ("POST", f"/api/v1/conversations/{c}/messages", _text("intruder-2")),
    ),
    "recall": Attempt(
        "recall",
        lambda s, c: {"conversation_id": c, "seq": 1},
        lambda s, c: ("POST", f"/api/v1/conversations/{c}/messages/1/recall", None),
    ),
    "forward from": Attempt(
        "forward",
        lambda s, c: {
            "conversation_id": c,
            "seqs": [1],
            "target_ids": [s.own],
            "client_msg_id": "f1",
        },
        lambda s, c: (
            "POST",
            f"/api/v1/conversations/{c}/forward",
            {"seqs": [1], "target_ids": [s.own], "client_msg_id": "f2"},
        ),
    ),
    # Mine first, theirs second: all or nothing, so mine gets no copy either.
    "forward to": Attempt(
        "forward",
        lambda s, c: {
            "conversation_id": s.own,
            "seqs": [1],
            "target_ids": [s.own, c],
            "note": "all or nothing",
            "client_msg_id": "f3",
        },
        lambda s, c: (
            "POST",
            f"/api/v1/conversations/{s.own}/forward",
            {"seqs": [1], "target_ids": [s.own, c], "note": "hi", "client_msg_id": "f4"},
        ),
    ),
    "delete": Attempt(
        "delete",
        lambda s, c: {"conversation_id": c, "seqs": [1]},
        lambda s, c: ("POST", f"/api/v1/conversations/{c}/delete", {"seqs": [1]}),
    ),
    "clear": Attempt(
        "clear",
        lambda s, c: {"conversation_id": c},
        lambda s, c: ("POST", f"/api/v1/conversations/{c}/clear", None),
    ),
    "ack": Attempt(
        "ack",
        lambda s, c: {"conversation_id": c, "seq": 2},
        lambda s, c: ("POST", f"/api/v1/conversations/{c}/delivered", {"seq": 2}),
    ),
    "read": Attempt(
        "read",
        lambda s, c: {"conversation_id": c, "seq": 2},
        lambda s, c: ("POST", f"/api/v1/conversations/{c}/read", {"seq": 2}),
    ),
    "read_state": Attempt(
        "read_state",
        lambda s, c: {"conversation_id": c, "seq": 1},
        lambda s, c: ("GET", f"/api/v1/conversations/{c}/messages/1/read-state", None),
    ),
    "typing": Attempt("typing", lambda s, c: {"conversation_id": c}),
    "conversation.get": Attempt(
        "conversation.get",
        lambda s, c: {"conversation_id": c},
        lambda s, c: ("GET", f"/api/v1/conversations/{c}", None),
    ),
    "conversation.members": Attempt(
        "conversation.members",
        lambda s, c: {"conversation_id": c},
        lambda s, c: ("GET", f"/api/v1/conversations/{c}/members", None),
    ),
    "conversation.settings": Attempt(
        "conversation.settings",
        lambda s, c: {"conversation_id": c, "pinned": True, "draft": "mine now"},
        lambda s, c: ("PATCH", f"/api/v1/conversations/{c}/settings", {"muted": True}),
    ),
    "group.invite": Attempt(
        "group.invite",
        lambda s, c: {"conversation_id": c, "user_ids": [s.carol.id]},
        lambda s, c: ("POST", f"/api/v1/conversations/{c}/members", {"user_ids": [s.carol.id]}),
    ),
    "group.leave": Attempt(
        "group.leave",
        lambda s, c: {"conversation_id": c},
        lambda s, c: ("DELETE", f"/api/v1/conversations/{c}/members/me", None),
    ),
}


@pytest.mark.parametrize("case", list(NOT_MEMBER_ATTEMPTS))
async def test_an_outsider_is_refused_not_member_and_nothing_changes(
    scene: Scene, case: str
) -> None:
    """Someone else's direct chat or group, or an id never issued: the same answer."""
    attempt = NOT_MEMBER_ATTEMPTS[case]
    async with (
        raw_connection(scene.base_url, scene.carol.token) as ws,
        httpx.AsyncClient(base_url=scene.base_url, headers=bearer(scene.carol.token)) as http,
    ):
        for name, conversation in scene.victims.items():
            if attempt.op is not None and attempt.data is not None:
                code = await ws.error(attempt.op, attempt.data(scene, conversation))
                assert code == "not_member", f"WebSocket {attempt.op} on {name}: {code}"
            if attempt.rest is not None:
                method, path, body = attempt.rest(scene, conversation)
                response = await http.request(method, path, json=body)
                assert response.status_code == 403, f"{method} {path} on {name}: {response.text}"
                expect_error(response, 403, "not_member")
        await ws.assert_alive()
    assert await scene.snapshot() == scene.initial


async def test_sync_never_shows_an_outsider_someone_elses_conversation(scene: Scene) -> None:
    async with raw_connection(scene.base_url, scene.carol.token) as carol:
        synced = await carol.ok("sync", {"private_seq": 0})
        listed = await carol.ok("conversations.list")
    for conversations in (synced["conversations"], listed["conversations"]):
        ids = {c["id"] for c in conversations}
        assert scene.own in ids
        assert not ids & {scene.direct, scene.group}
    mentioned = {e["data"].get("conversation_id") for e in synced["private_entries"]}
    assert not mentioned & {scene.direct, scene.group}


async def test_a_member_who_left_reads_what_came_before_and_nothing_else(
    base_url: str, alice: Person, bob: Person
) -> None:
    """Leaving keeps what one was there for (decision 0075): history and the summary up to
    the member_left entry, never after; everything a member does is refused."""
    async with raw_connection(base_url, alice.token) as a, raw_connection(base_url, bob.token) as b:
        group = (await a.ok("conversation.create_group", {"name": "Exit", "member_ids": [bob.id]}))[
            "id"
        ]
        said = await a.ok(
            "send",
            {
                "conversation_id": group,
                "client_msg_id": "x1",
                "type": "text",
                "body": {"text": "hi"},
            },
        )
        left = await b.ok("group.leave", {"conversation_id": group})
        later = await a.ok(
            "send",
            {
                "conversation_id": group,
                "client_msg_id": "x2",
                "type": "text",
                "body": {"text": "said after bob left"},
            },
        )
        kept = await b.ok("history", {"conversation_id": group})
        assert [e["seq"] for e in kept["messages"]][-2:] == [said["seq"], left["seq"]]
        assert all(e["seq"] <= left["seq"] for e in kept["messages"])
        for window in (
            {"after_seq": said["seq"]},
            {"before_seq": later["seq"] + 1},
            {"around_seq": later["seq"]},
        ):
            page = await b.ok("history", {"conversation_id": group, **window})
            assert later["seq"] not in {e["seq"] for e in page["messages"]}, window
        summary = await b.ok("conversation.get", {"conversation_id": group})
        assert summary["left_seq"] == left["seq"] == summary["last_seq"]
        assert summary["preview"]["seq"] == left["seq"]
        history = await a.ok("history", {"conversation_id": group})
        for op, data in (
            ("read", {"conversation_id": group, "seq": 2}),
            ("ack", {"conversation_id": group, "seq": 2}),
            ("clear", {"conversation_id": group}),
            ("conversation.members", {"conversation_id": group}),
            (
                "send",
                {
                    "conversation_id": group,
                    "client_msg_id": "back",
                    "type": "text",
                    "body": {"text": "still here?"},
                },
            ),
            ("recall", {"conversation_id": group, "seq": said["seq"]}),
            ("group.leave", {"conversation_id": group}),
        ):
            assert await b.error(op, data) == "not_member", op
        assert await a.ok("history", {"conversation_id": group}) == history
        # Nothing to read before the member_left entry for someone who never was a member.
        carol = await register(base_url, "carol")
        async with raw_connection(base_url, carol.token) as c:
            assert await c.error("history", {"conversation_id": group}) == "not_member"
            assert await c.error("conversation.get", {"conversation_id": group}) == "not_member"
        await carol.http.close()
    response = await rest(bob, "GET", f"/api/v1/conversations/{group}/messages")
    assert response.status_code == 200, response.text
    assert max(e["seq"] for e in response.json()["messages"]) == left["seq"]


# Recalling someone else's message


async def _send(connection: RawConnection, conversation: int, text: str) -> dict[str, Any]:
    entry: dict[str, Any] = await connection.ok(
        "send",
        {
            "conversation_id": conversation,
            "client_msg_id": secrets.token_hex(8),
            "type": "text",
            "body": {"text": text},
        },
    )
    return entry


async def _history(connection: RawConnection, conversation: int) -> list[dict[str, Any]]:
    reply = await connection.ok("history", {"conversation_id": conversation})
    messages: list[dict[str, Any]] = reply["messages"]
    return messages


async def test_recalling_the_peers_message_in_a_direct_chat_is_not_your_message(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with raw_connection(base_url, alice.token) as a, raw_connection(base_url, bob.token) as b:
        conversation = (await a.ok("conversation.open_direct", {"peer_id": bob.id}))["id"]
        sent = await _send(a, conversation, "mine alone")
        before = await _history(a, conversation)
        assert (
            await b.error("recall", {"conversation_id": conversation, "seq": sent["seq"]})
            == "not_your_message"
        )
        response = await rest(
            bob, "POST", f"/api/v1/conversations/{conversation}/messages/{sent['seq']}/recall"
        )
        expect_error(response, 403, "not_your_message")
        assert await _history(a, conversation) == before
        assert before[-1]["recalled"] is False


async def test_a_plain_group_member_cannot_recall_others_but_the_owner_can(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with (
        raw_connection(base_url, alice.token) as owner,
        raw_connection(base_url, bob.token) as member,
        raw_connection(base_url, carol.token) as other,
    ):
        group = (
            await owner.ok(
                "conversation.create_group", {"name": "Recalls", "member_ids": [bob.id, carol.id]}
            )
        )["id"]
        by_carol = await _send(other, group, "carol's words")
        by_owner = await _send(owner, group, "the owner's words")
        before = await _history(owner, group)
        for target in (by_carol, by_owner):
            code = await member.error("recall", {"conversation_id": group, "seq": target["seq"]})
            assert code == "not_your_message"
            response = await rest(
                bob, "POST", f"/api/v1/conversations/{group}/messages/{target['seq']}/recall"
            )
            expect_error(response, 403, "not_your_message")
        assert await _history(owner, group) == before

        recall = await owner.ok("recall", {"conversation_id": group, "seq": by_carol["seq"]})
        assert recall["kind"] == "recall" and recall["body"] == {"target_seq": by_carol["seq"]}
        after = {m["seq"]: m for m in await _history(member, group)}
        assert after[by_carol["seq"]]["recalled"] is True and after[by_carol["seq"]]["body"] == {}
        assert after[by_owner["seq"]]["recalled"] is False
        assert after[recall["seq"]]["kind"] == "recall"


async def test_recalling_a_missing_or_non_message_entry(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with raw_connection(base_url, alice.token) as a:
        group = (await a.ok("conversation.create_group", {"name": "R", "member_ids": [bob.id]}))[
            "id"
        ]
        assert await a.error("recall", {"conversation_id": group, "seq": 99}) == "not_found"
        # seq 1 is the group_created entry: not a message.
        assert await a.error("recall", {"conversation_id": group, "seq": 1}) == "not_recallable"


# Tokens


def _jwt_looking_expired_token() -> str:
    # header {"alg":"HS256","typ":"JWT"}, payload {"sub":"1","exp":1000000000}: not ours at all.
    return (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwiZXhwIjoxMDAwMDAwMDAwfQ."
        + secrets.token_urlsafe(32)
    )


async def make_token(kind: str, base_url: str) -> str:
    if kind == "revoked":
        user = await register(base_url, "revoked")
        async with user.http:
            await user.http.call("POST", "/api/v1/auth/logout")
        return user.token
    if kind == "forged":  # the right shape, never issued
        return secrets.token_urlsafe(32)
    if kind == "expired-looking":
        return _jwt_looking_expired_token()
    if kind == "garbage":
        return "not even a token \" ' <script>alert(1)</script>"
    assert kind == "overlong"
    return "A" * 400


@pytest.mark.parametrize("kind", ["revoked", "forged", "expired-looking", "garbage", "overlong"])
async def test_bad_tokens_are_invalid_token_over_rest_and_ws(base_url: str, kind: str) -> None:
    token = await make_token(kind, base_url)
    async with httpx.AsyncClient(base_url=base_url, headers=bearer(token)) as http:
        for path in ("/api/v1/conversations", "/api/v1/me", "/api/v1/sessions"):
            expect_error(await http.get(path), 401, "invalid_token")
        expect_error(await http.post("/api/v1/sync", json={"private_seq": 0}), 401, "invalid_token")
    async with raw_connection(base_url) as ws:
        reply = await ws.request("auth", {"token": token}, request_id="auth-1")
        assert reply["ok"] is False and reply["error"]["code"] == "invalid_token", reply
        await asyncio.wait_for(ws.ws.wait_closed(), 5)
        assert ws.ws.close_code == 4004


async def test_a_token_without_bearer_is_unauthenticated(base_url: str, alice: Person) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.get(
            "/api/v1/conversations", headers={"Authorization": f"Basic {alice.token}"}
        )
        expect_error(response, 401, "unauthenticated")


# Signed-out sessions


async def _second_session(person: Person) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=person.http.base_url) as http:
        response = await http.post(
            "/api/v1/auth/login",
            json={"account": person.account, "password": PASSWORD, "platform": "desktop"},
        )
        assert response.status_code == 200, response.text
        second: dict[str, Any] = response.json()
        return second


async def _assert_closed_as_signed_out(connection: RawConnection) -> None:
    push = await connection.next_frame()
    assert push == {"push": "signed_out", "data": {"reason": "signed_out"}}
    await asyncio.wait_for(connection.ws.wait_closed(), 5)
    assert connection.ws.close_code == 4002


async def test_signing_out_a_session_over_ws_closes_its_live_connection(
    base_url: str, alice: Person
) -> None:
    desktop = await _second_session(alice)
    async with (
        raw_connection(base_url, alice.token) as web,
        raw_connection(base_url, desktop["token"]) as other,
    ):
        assert await web.ok("sessions.sign_out", {"session_id": desktop["session_id"]}) is None
        await _assert_closed_as_signed_out(other)
        # The session that signed the other out stays, and hears of it through its private log.
        await web.ok("ping")
        assert [p["data"]["kind"] for p in web.pushes] == ["session_revoked"]
        assert web.pushes[0]["data"]["data"] == {
            "session_id": desktop["session_id"],
            "reason": "signed_out",
        }
    async with httpx.AsyncClient(base_url=base_url) as http:
        expect_error(
            await http.get("/api/v1/me", headers=bearer(desktop["token"])), 401, "invalid_token"
        )
        assert (await http.get("/api/v1/me", headers=bearer(alice.token))).status_code == 200


async def test_deleting_a_session_over_rest_closes_its_live_connection(
    base_url: str, alice: Person
) -> None:
    desktop = await _second_session(alice)
    async with (
        raw_connection(base_url, desktop["token"]) as other,
        httpx.AsyncClient(base_url=base_url, headers=bearer(alice.token)) as http,
    ):
        response = await http.delete(f"/api/v1/sessions/{desktop['session_id']}")
        assert response.status_code == 204, response.text
        await _assert_closed_as_signed_out(other)
        expect_error(
            await http.get("/api/v1/me", headers=bearer(desktop["token"])), 401, "invalid_token"
        )
        # Signed out once is signed out: a second time there is no such live session.
        expect_error(
            await http.delete(f"/api/v1/sessions/{desktop['session_id']}"), 404, "not_found"
        )


async def test_signing_out_someone_elses_session_is_not_found(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with (
        raw_connection(base_url, alice.token) as intruder,
        raw_connection(base_url, bob.token) as victim,
        httpx.AsyncClient(base_url=base_url, headers=bearer(alice.token)) as http,
    ):
        bob_session = (await victim.ok("sessions.list"))["sessions"][0]["id"]
        for session_id in (bob_session, MISSING_ID):
            code = await intruder.error("sessions.sign_out", {"session_id": session_id})
            assert code == "not_found"
            expect_error(await http.delete(f"/api/v1/sessions/{session_id}"), 404, "not_found")
        await victim.assert_alive()
        response = await http.get("/api/v1/me", headers=bearer(bob.token))
        assert response.status_code == 200 and response.json()["id"] == bob.id


# System notices


async def test_posting_into_system_notices_or_sending_a_notice_is_forbidden(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with raw_connection(base_url, alice.token) as a:
        listed = (await a.ok("conversations.list"))["conversations"]
        (system,) = [c["id"] for c in listed if c["type"] == "system"]
        direct = (await a.ok("conversation.open_direct", {"peer_id": bob.id}))["id"]
        mine = await _send(a, direct, "something to forward")
        before = (await _history(a, system), await _history(a, direct))
        text = {"client_msg_id": "sys-1", "type": "text", "body": {"text": "hello system"}}
        notice = {
            "client_msg_id": "sys-2",
            "type": "notice",
            "body": {"title": "Password expired", "text": "click", "url": "https://evil.test/"},
        }
        assert await a.error("send", {"conversation_id": system, **text}) == "forbidden"
        assert await a.error("send", {"conversation_id": system, **notice}) == "forbidden"
        assert await a.error("send", {"conversation_id": direct, **notice}) == "forbidden"
        forward = {"seqs": [mine["seq"]], "target_ids": [system], "client_msg_id": "sys-3"}
        assert await a.error("forward", {"conversation_id": direct, **forward}) == "forbidden"
        async with httpx.AsyncClient(base_url=base_url, headers=bearer(alice.token)) as http:
            for conversation, body in ((system, text), (system, notice), (direct, notice)):
                response = await http.post(
                    f"/api/v1/conversations/{conversation}/messages", json=body
                )
                expect_error(response, 403, "forbidden")
            response = await http.post(f"/api/v1/conversations/{direct}/forward", json=forward)
            expect_error(response, 403, "forbidden")
        assert (await _history(a, system), await _history(a, direct)) == before


# Settings that change the rules: a server of their own


@contextmanager
def dedicated_server(tmp_path: Path, env: dict[str, str]) -> Iterator[str]:
    """A server of its own, for settings that must differ from the shared one."""
    process = ServerProcess(tmp_path / "server", env=env)
    process.start()
    try:
        yield process.base_url
    finally:
        process.stop()


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Direct chats need friendship and the recall window is one second. The sign-in rate
    limit is tested here too: it blocks this address, and no other test here signs in."""
    env = {
        "TIDINGS_DIRECT_CHAT_REQUIRES_FRIENDSHIP": "true",
        "TIDINGS_RECALL_WINDOW_SECONDS": "1",
    }
    with dedicated_server(tmp_path_factory.mktemp("strict"), env) as base_url:
        yield base_url


async def test_recalling_after_the_window_is_refused_but_the_group_owner_may(
    strict_server: str,
) -> None:
    alice, bob = await register(strict_server, "alice"), await register(strict_server, "bob")
    async with (
        alice.http,
        bob.http,
        raw_connection(strict_server, alice.token) as owner,
        raw_connection(strict_server, bob.token) as member,
    ):
        group = (
            await owner.ok("conversation.create_group", {"name": "Slow", "member_ids": [bob.id]})
        )["id"]
        late = await _send(member, group, "bob's old words")
        await asyncio.sleep(1.2)  # the window is one second on this server
        before = await _history(owner, group)

        code = await member.error("recall", {"conversation_id": group, "seq": late["seq"]})
        assert code == "recall_window_passed"
        response = await rest(
            bob, "POST", f"/api/v1/conversations/{group}/messages/{late['seq']}/recall"
        )
        expect_error(response, 403, "recall_window_passed")
        assert await _history(owner, group) == before

        # Group owners and admins recall any time.
        await owner.ok("recall", {"conversation_id": group, "seq": late["seq"]})
        recalled = {m["seq"]: m for m in await _history(member, group)}[late["seq"]]
        assert recalled["recalled"] is True and recalled["body"] == {}


async def test_direct_chats_can_require_friendship(strict_server: str) -> None:
    alice, bob = await register(strict_server, "alice"), await register(strict_server, "bob")
    async with alice.http, bob.http, raw_connection(strict_server, alice.token) as a:
        assert await a.error("conversation.open_direct", {"peer_id": bob.id}) == "not_friends"
        response = await rest(
            alice, "POST", "/api/v1/conversations", {"type": "direct", "peer_id": bob.id}
        )
        expect_error(response, 403, "not_friends")
        # Nothing was opened, for either of them; groups are still allowed.
        for person in (alice, bob):
            listed = await person.http.call("GET", "/api/v1/conversations")
            assert [c["type"] for c in listed["conversations"]] == ["system"]
        await a.ok("conversation.create_group", {"name": "Team", "member_ids": [bob.id]})


async def test_ten_failed_sign_ins_then_rate_limited_even_with_the_right_password(
    strict_server: str,
) -> None:
    user = await register(strict_server, "target")
    async with user.http, httpx.AsyncClient(base_url=strict_server) as http:
        for attempt in range(10):
            response = await http.post(
                "/api/v1/auth/login",
                json={"account": user.account, "password": f"guess number {attempt}"},
            )
            expect_error(response, 401, "invalid_credentials")
        response = await http.post(
            "/api/v1/auth/login", json={"account": user.account, "password": PASSWORD}
        )
        expect_error(response, 429, "rate_limited")
        # The sessions already open are not affected.
        assert (await http.get("/api/v1/me", headers=bearer(user.token))).status_code == 200
