"""Bad input (issue 2, "Must hold"): over WebSocket and REST, each kind of bad input gets its
error code; at worst the one connection closes; the server, the other users and everything
stored are unaffected. Valid bodies of every message type are accepted and round-trip.
Against a real server process.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest
from websockets.exceptions import ConnectionClosed

from tests.support.raw import RawConnection, raw_connection
from tests.support.users import Person, register

FRAME_LIMIT = 64 * 1024  # the default TIDINGS_MAX_FRAME_BYTES
TRANSPORT_LIMIT = 16 * FRAME_LIMIT  # frames over this close the connection (1009)
BODY_LIMIT = 1024 * 1024  # REST bodies
TEXT_LIMIT = 10_000  # characters in a text message


@dataclass
class Scene:
    """Alice abuses the server; Bob is connected throughout and must notice nothing."""

    base_url: str
    alice: Person
    bob: Person
    carol: Person
    direct: int  # alice and bob
    group: int  # alice (owner) and bob
    witness: RawConnection  # bob's connection, opened before any abuse
    http: httpx.AsyncClient  # alice's REST client
    # Taken before any abuse: no test in this module may change what is stored.
    initial: dict[str, Any] = field(default_factory=dict)

    async def snapshot(self) -> dict[str, Any]:
        """Everything stored that bad input could have touched."""
        calls: dict[str, Awaitable[Any]] = {
            "me": self.alice.http.call("GET", "/api/v1/me"),
            "members": self.bob.http.call("GET", f"/api/v1/conversations/{self.group}/members"),
        }
        for person in (self.alice, self.bob):
            calls[f"sync {person.id}"] = person.http.call(
                "POST", "/api/v1/sync", {"private_seq": 0}
            )
        for conversation in (self.direct, self.group):
            calls[f"history {conversation}"] = self.bob.http.call(
                "GET", f"/api/v1/conversations/{conversation}/messages", after_seq=0, limit=500
            )
        return dict(zip(calls, await asyncio.gather(*calls.values()), strict=True))

    async def assert_unharmed(self) -> None:
        """The server is up, Bob's connection works and got nothing, nothing stored changed."""
        assert (await self.http.get("/healthz")).status_code == 200
        await self.witness.assert_alive()
        assert await self.snapshot() == self.initial

    def alice_ws(self) -> AbstractAsyncContextManager[RawConnection]:
        return raw_connection(self.base_url, self.alice.token)


@pytest.fixture(scope="module")
async def scene(base_url: str) -> AsyncIterator[Scene]:
    # Set up concurrently: every write is a durable commit, and concurrent ones share one.
    alice, bob, carol = await asyncio.gather(
        *(register(base_url, name) for name in ("alice", "bob", "carol"))
    )
    direct, group = [
        summary["id"]
        for summary in await asyncio.gather(
            alice.http.call("POST", "/api/v1/conversations", {"type": "direct", "peer_id": bob.id}),
            alice.http.call(
                "POST",
                "/api/v1/conversations",
                {"type": "group", "name": "Ops", "member_ids": [bob.id]},
            ),
        )
    ]
    await asyncio.gather(
        *(
            alice.http.call(
                "POST",
                f"/api/v1/conversations/{conversation}/messages",
                {"client_msg_id": secrets.token_hex(8), "type": "text", "body": {"text": text}},
            )
            for conversation, text in ((direct, "before the storm"), (group, "all quiet"))
        )
    )
    async with (
        raw_connection(base_url, bob.token) as witness,
        httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {alice.token}"}
        ) as http,
    ):
        scene = Scene(base_url, alice, bob, carol, direct, group, witness, http)
        scene.initial = await scene.snapshot()
        yield scene
    for person in (alice, bob, carol):
        await person.http.close()


def expect_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]


# WebSocket: the envelope

# frame -> (code, the id the error reply carries)
ENVELOPE_CASES: dict[str, tuple[str, str, int | str | None]] = {
    "malformed json": ('{"id": 1, "op": "ping"', "malformed_json", None),
    "empty frame": ("", "malformed_json", None),
    "not json at all": ("<html>hello</html>", "malformed_json", None),
    "json array": ('[{"id": 1, "op": "ping"}]', "invalid_input", None),
    "json string": ('"ping"', "invalid_input", None),
    "json number": ("42", "invalid_input", None),
    "json null": ("null", "invalid_input", None),
    "unknown op": ('{"id": 3, "op": "drop_tables"}', "unknown_op", 3),
    "unknown envelope field": ('{"id": 4, "op": "ping", "token": "x"}', "invalid_input", 4),
    "missing op": ('{"id": 5, "data": {}}', "invalid_input", 5),
    "op not a string": ('{"id": "six", "op": ["ping"]}', "invalid_input", "six"),
    "data an array": ('{"id": 7, "op": "sync", "data": [0]}', "invalid_input", 7),
    "data a string": ('{"id": 8, "op": "sync", "data": "{}"}', "invalid_input", 8),
    "id a bool": ('{"id": true, "op": "ping"}', "invalid_input", None),
    "id a float": ('{"id": 1.5, "op": "ping"}', "invalid_input", None),
    "id an object": ('{"id": {"a": 1}, "op": "ping"}', "invalid_input", None),
    "id too long": ('{"id": "' + "x" * 65 + '", "op": "ping"}', "invalid_input", None),
    "id too big": ('{"id": 9007199254740993, "op": "ping"}', "invalid_input", None),
    "an integer past 64 bits": (
        '{"id": 10, "op": "history", "data": {"conversation_id": 123456789012345678901234567890}}',
        "invalid_input",
        10,
    ),
    "auth again": ('{"id": 9, "op": "auth", "data": {"token": "x"}}', "already_authenticated", 9),
}


async def test_each_bad_envelope_gets_its_error_and_the_connection_stays(scene: Scene) -> None:
    wrong: list[str] = []
    async with scene.alice_ws() as ws:
        for case, (frame, code, echoed_id) in ENVELOPE_CASES.items():
            reply = await ws.frame_error(frame)
            if (reply["error"]["code"], reply["id"]) != (code, echoed_id):
                wrong.append(f"{case}: {reply}")
            await ws.assert_alive()
    assert wrong == []
    await scene.assert_unharmed()


async def test_garbage_before_auth_then_auth_still_works(scene: Scene) -> None:
    async with raw_connection(scene.base_url) as ws:
        assert (await ws.frame_error("{nope"))["error"]["code"] == "malformed_json"
        assert await ws.error("sync", {"private_seq": 0}) == "unauthenticated"
        assert await ws.error("drop_tables") == "unknown_op"
        assert await ws.error("auth", {"token": ["not", "a", "string"]}) == "invalid_input"
        assert await ws.error("auth", {}) == "invalid_input"
        assert await ws.error("auth", {"token": scene.alice.token, "admin": True}) == (
            "invalid_input"
        )
        accepted = await ws.ok("auth", {"token": scene.alice.token})
        assert accepted["user"]["id"] == scene.alice.id
        await ws.assert_alive()
    await scene.assert_unharmed()


# WebSocket: the data of each op

OpData = Callable[[Scene], tuple[str, dict[str, Any]]]


def _send(scene: Scene, **changes: Any) -> tuple[str, dict[str, Any]]:
    data: dict[str, Any] = {
        "conversation_id": scene.direct,
        "client_msg_id": "bad-" + secrets.token_hex(6),
        "type": "text",
        "body": {"text": "should never be stored"},
    }
    data.update(changes)
    return "send", {k: v for k, v in data.items() if v is not ...}


BAD_DATA: dict[str, OpData] = {
    "conversation_id as a string": lambda s: _send(s, conversation_id=str(s.direct)),
    "conversation_id as a bool": lambda s: _send(s, conversation_id=True),
    "conversation_id as a float": lambda s: _send(s, conversation_id=float(s.direct)),
    "conversation_id zero": lambda s: _send(s, conversation_id=0),
    "conversation_id negative": lambda s: _send(s, conversation_id=-s.direct),
    "conversation_id of 2**63": lambda s: _send(s, conversation_id=2**63),
    "conversation_id null": lambda s: _send(s, conversation_id=None),
    "missing conversation_id": lambda s: _send(s, conversation_id=...),
    "missing client_msg_id": lambda s: _send(s, client_msg_id=...),
    "missing type": lambda s: _send(s, type=...),
    "missing body": lambda s: _send(s, body=...),
    "unknown field sender_id": lambda s: _send(s, sender_id=s.bob.id),
    "unknown field seq": lambda s: _send(s, seq=1),
    "body a string": lambda s: _send(s, body="hello"),
    "body an array": lambda s: _send(s, body=[{"text": "hello"}]),
    "client_msg_id with spaces": lambda s: _send(s, client_msg_id="has spaces"),
    "client_msg_id too long": lambda s: _send(s, client_msg_id="c" * 65),
    "client_msg_id empty": lambda s: _send(s, client_msg_id=""),
    "unknown message type": lambda s: _send(s, type="html", body={"html": "<b>hi</b>"}),
    "type a number": lambda s: _send(s, type=1),
    "reply_to_seq zero": lambda s: _send(s, reply_to_seq=0),
    "reply_to_seq a string": lambda s: _send(s, reply_to_seq="1"),
    "history limit zero": lambda s: ("history", {"conversation_id": s.direct, "limit": 0}),
    "history limit a string": lambda s: ("history", {"conversation_id": s.direct, "limit": "9"}),
    "history after_seq negative": lambda s: (
        "history",
        {"conversation_id": s.direct, "after_seq": -1},
    ),
    "history unknown field": lambda s: ("history", {"conversation_id": s.direct, "all": True}),
    "sync private_seq a string": lambda s: ("sync", {"private_seq": "0"}),
    "sync unknown field": lambda s: ("sync", {"private_seq": 0, "user_id": s.bob.id}),
    "read seq a string": lambda s: ("read", {"conversation_id": s.direct, "seq": "2"}),
    "read missing seq": lambda s: ("read", {"conversation_id": s.direct}),
    "ack seq a float": lambda s: ("ack", {"conversation_id": s.direct, "seq": 1.0}),
    "settings pinned a string": lambda s: (
        "conversation.settings",
        {"conversation_id": s.direct, "pinned": "yes"},
    ),
    "settings nothing to change": lambda s: (
        "conversation.settings",
        {"conversation_id": s.direct},
    ),
    "settings unknown field": lambda s: (
        "conversation.settings",
        {"conversation_id": s.direct, "role": "owner"},
    ),
    "invite user_ids not a list": lambda s: (
        "group.invite",
        {"conversation_id": s.group, "user_ids": s.carol.id},
    ),
    "invite nobody": lambda s: ("group.invite", {"conversation_id": s.group, "user_ids": []}),
    "invite into a direct chat": lambda s: (
        "group.invite",
        {"conversation_id": s.direct, "user_ids": [s.carol.id]},
    ),
    "forward no seqs": lambda s: (
        "forward",
        {"conversation_id": s.direct, "seqs": [], "target_ids": [s.group], "client_msg_id": "f"},
    ),
    "forward to too many": lambda s: (
        "forward",
        {
            "conversation_id": s.direct,
            "seqs": [1],
            "target_ids": list(range(1, 22)),
            "client_msg_id": "f",
        },
    ),
    "delete too many": lambda s: (
        "delete",
        {"conversation_id": s.direct, "seqs": list(range(1, 502))},
    ),
    "presence too many": lambda s: ("presence.subscribe", {"user_ids": list(range(1, 1002))}),
    "open a direct chat with yourself": lambda s: (
        "conversation.open_direct",
        {"peer_id": s.alice.id},
    ),
    "group name empty": lambda s: ("conversation.create_group", {"name": "  ", "member_ids": []}),
    "profile nickname too long": lambda s: ("profile.update", {"nickname": "n" * 65}),
    "profile account change": lambda s: ("profile.update", {"account": "root"}),
    "sign out session as a string": lambda s: ("sessions.sign_out", {"session_id": "1"}),
    "conversations.list with data": lambda s: ("conversations.list", {"page": 2}),
    "ping with data": lambda s: ("ping", {"echo": "me"}),
}


async def test_bad_op_data_is_invalid_input_and_changes_nothing(scene: Scene) -> None:
    wrong: list[str] = []
    async with scene.alice_ws() as ws:
        for case, build in BAD_DATA.items():
            op, data = build(scene)
            reply = await ws.request(op, data, request_id=case[:64])
            if reply["ok"] or reply["error"]["code"] != "invalid_input":
                wrong.append(f"{case}: {reply}")
        await ws.assert_alive()
    assert wrong == []
    await scene.assert_unharmed()


# WebSocket: sizes


def _ping_of_size(size: int, request_id: str) -> str:
    """A ping frame of exactly ``size`` UTF-8 bytes, padded with JSON whitespace."""
    head = orjson.dumps({"id": request_id, "op": "ping"}).decode()[:-1]
    padding = size - len((head + "}").encode())
    assert padding >= 0
    return head + " " * padding + "}"


async def test_a_frame_over_the_limit_is_refused_and_the_connection_stays(scene: Scene) -> None:
    # Four-byte characters: the limit counts bytes, not characters.
    emoji_id = "📨" * 64
    async with scene.alice_ws() as ws:
        for request_id in ("ascii", emoji_id):
            at_limit = _ping_of_size(FRAME_LIMIT, request_id)
            assert len(at_limit.encode()) == FRAME_LIMIT
            await ws.send_frame(at_limit)
            reply = await ws.reply()
            assert reply["ok"] is True and reply["id"] == request_id, reply

            over = _ping_of_size(FRAME_LIMIT + 1, request_id)
            reply = await ws.frame_error(over)
            assert reply["error"]["code"] == "frame_too_large" and reply["id"] is None
            reply = await ws.frame_error(over.encode())  # as a binary frame
            assert reply["error"]["code"] == "frame_too_large"
        assert len(_ping_of_size(FRAME_LIMIT + 1, emoji_id)) < FRAME_LIMIT, "fewer chars than bytes"
        big_send = orjson.dumps(
            {
                "id": 1,
                "op": "send",
                "data": {
                    "conversation_id": scene.direct,
                    "client_msg_id": "too-big",
                    "type": "text",
                    "body": {"text": "y" * FRAME_LIMIT},
                },
            }
        )
        assert (await ws.frame_error(big_send.decode()))["error"]["code"] == "frame_too_large"
        await ws.assert_alive()
    await scene.assert_unharmed()


async def test_a_one_megabyte_text_message_is_refused(scene: Scene) -> None:
    body = {"client_msg_id": "one-mb", "type": "text", "body": {"text": "z" * 1_000_000}}
    async with scene.alice_ws() as ws:
        frame = orjson.dumps(
            {"id": 1, "op": "send", "data": {"conversation_id": scene.direct, **body}}
        )
        assert FRAME_LIMIT < len(frame) < TRANSPORT_LIMIT
        reply = await ws.frame_error(frame.decode())
        assert reply["error"]["code"] == "frame_too_large"
        await ws.assert_alive()
    response = await scene.http.post(f"/api/v1/conversations/{scene.direct}/messages", json=body)
    assert len(response.request.content) < BODY_LIMIT
    expect_error(response, 413, "payload_too_large")
    await scene.assert_unharmed()


async def test_a_frame_far_over_the_limit_closes_only_that_connection(scene: Scene) -> None:
    async with scene.alice_ws() as ws:
        await ws.send_frame("[" + " " * TRANSPORT_LIMIT + "]")
        with pytest.raises(ConnectionClosed):
            await ws.next_frame()
        assert ws.ws.close_code == 1009
    await scene.assert_unharmed()


async def test_ten_thousand_garbage_frames_each_get_an_error_then_the_connection_works(
    scene: Scene,
) -> None:
    garbage: list[tuple[str | bytes, str]] = [
        ('{"id": 1, "op":', "malformed_json"),
        ("[1, 2, 3]", "invalid_input"),
        ('{"id": 2, "op": "rm -rf"}', "unknown_op"),
        (b'{"id": 3, "op": "ping", "data": {"x": "\xc3\x28"}}', "invalid_utf8"),
        ('{"id": 4, "op": "history", "data": {"conversation_id": "1"}}', "invalid_input"),
        ('{"id": 5, "op": "send", "data": {}}', "invalid_input"),
        ('{"id": 6, "op": "ping", "extra": 1}', "invalid_input"),
        ("\x00\x01\x02", "malformed_json"),
    ]
    count = 10_000
    frames = list(itertools.islice(itertools.cycle(garbage), count))
    async with scene.alice_ws() as ws:
        ws.send_burst([frame for frame, _ in frames])
        replies = [await ws.reply() for _ in range(count)]
        assert [r["error"]["code"] for r in replies] == [code for _, code in frames]
        assert all(r["ok"] is False for r in replies)
        await ws.assert_alive()
        assert (await ws.ok("history", {"conversation_id": scene.direct}))["messages"]
    await scene.assert_unharmed()


# WebSocket: UTF-8


async def test_invalid_utf8_in_a_binary_frame_is_invalid_utf8(scene: Scene) -> None:
    async with scene.alice_ws() as ws:
        for frame in (b"\xff\xfe\xfd", b'{"id": 1, "op": "ping", "data": {"x": "\xed\xa0\x80"}}'):
            reply = await ws.frame_error(frame)
            assert reply["error"]["code"] == "invalid_utf8" and reply["id"] is None
        # Valid UTF-8 in a binary frame is accepted like a text frame.
        await ws.send_frame(b'{"id": "bin", "op": "ping"}')
        assert (await ws.reply())["ok"] is True
        await ws.assert_alive()
    await scene.assert_unharmed()


async def test_invalid_utf8_in_a_text_frame_closes_that_connection_with_1007(
    scene: Scene,
) -> None:
    """The WebSocket layer validates text frames before the application sees them
    (RFC 6455 section 8.1): the connection fails with 1007; nothing else is affected."""
    async with scene.alice_ws() as ws:
        await ws.send_frame(b'{"id": 1, "op": "ping", "data": "\xff"}', text=True)
        with pytest.raises(ConnectionClosed):
            await ws.next_frame()
        assert ws.ws.close_code == 1007
    await scene.assert_unharmed()


# Message bodies

BAD_BODIES: dict[str, list[tuple[dict[str, Any], str]]] = {
    "text": [
        ({}, "invalid_input"),
        ({"text": ""}, "invalid_input"),
        ({"text": 5}, "invalid_input"),
        ({"text": "hi", "html": "<b>hi</b>"}, "invalid_input"),
        ({"text": "hi", "mentions": "2"}, "invalid_input"),
        ({"text": "hi", "mentions": [0]}, "invalid_input"),
        ({"text": "hi", "mentions": ["2"]}, "invalid_input"),
        ({"text": "hi", "mention_all": "yes"}, "invalid_input"),
        ({"text": "x" * (TEXT_LIMIT + 1)}, "payload_too_large"),
        ({"text": "好" * (TEXT_LIMIT + 1)}, "payload_too_large"),
    ],
    "image": [
        ({"file_id": "f1", "width": 10}, "invalid_input"),
        ({"file_id": "../../etc/passwd", "width": 10, "height": 10}, "invalid_input"),
        ({"file_id": "", "width": 10, "height": 10}, "invalid_input"),
        ({"file_id": "f1", "width": "10", "height": 10}, "invalid_input"),
        ({"file_id": "f1", "width": 0, "height": 10}, "invalid_input"),
        ({"file_id": "f1", "width": 100_001, "height": 10}, "invalid_input"),
        ({"file_id": "f1", "width": 10, "height": 10, "exif": {}}, "invalid_input"),
        ({"file_id": "f1", "width": 10, "height": 10, "size": -1}, "invalid_input"),
    ],
    "file": [
        ({"file_id": "f1", "name": "a.pdf"}, "invalid_input"),
        ({"file_id": "f1", "name": "", "size": 1}, "invalid_input"),
        ({"file_id": "f1", "name": "n" * 256, "size": 1}, "invalid_input"),
        ({"file_id": "f1", "name": "a.pdf", "size": -5}, "invalid_input"),
        ({"file_id": "f1", "name": "a.pdf", "size": True}, "invalid_input"),
        ({"file_id": 7, "name": "a.pdf", "size": 1}, "invalid_input"),
    ],
    "voice": [
        ({"file_id": "v1"}, "invalid_input"),
        ({"file_id": "v1", "duration_ms": 0}, "invalid_input"),
        ({"file_id": "v1", "duration_ms": 10 * 60 * 1000 + 1}, "invalid_input"),
        ({"duration_ms": 1000}, "invalid_input"),
    ],
    "video": [
        ({"file_id": "v1", "duration_ms": 1000, "width": 640}, "invalid_input"),
        ({"file_id": "v1", "duration_ms": "1000", "width": 640, "height": 480}, "invalid_input"),
        (
            {"file_id": "v1", "duration_ms": 1, "width": 1, "height": 1, "poster_file_id": "a b"},
            "invalid_input",
        ),
    ],
    "location": [
        ({"latitude": 91.0, "longitude": 0.0}, "invalid_input"),
        ({"latitude": 0.0, "longitude": -180.5}, "invalid_input"),
        ({"latitude": "31.2", "longitude": 121.4}, "invalid_input"),
        ({"latitude": True, "longitude": 121.4}, "invalid_input"),
        ({"latitude": 31.2}, "invalid_input"),
        ({"latitude": 31.2, "longitude": 121.4, "precision": "exact"}, "invalid_input"),
        ({"latitude": 31.2, "longitude": 121.4, "altitude": 10}, "invalid_input"),
    ],
    "contact_card": [
        ({}, "invalid_input"),
        ({"user_id": "3"}, "invalid_input"),
        ({"user_id": 0}, "invalid_input"),
        ({"user_id": 3, "nickname": "spoofed"}, "invalid_input"),
    ],
    "custom_card": [
        ({"title": "Order", "url": "javascript:alert(document.cookie)"}, "invalid_input"),
        ({"title": "Order", "url": "JavaScript:alert(1)"}, "invalid_input"),
        ({"title": "Order", "url": "data:text/html,<script>alert(1)</script>"}, "invalid_input"),
        ({"title": "Order", "url": "ftp://shop.example.com/1"}, "invalid_input"),
        (
            {"title": "Order", "url": "https://shop.example.com/1", "image_url": "javascript:x"},
            "invalid_input",
        ),
        ({"title": "Order", "url": "https://shop.example.com/" + "p" * 2000}, "invalid_input"),
        ({"title": "Order"}, "invalid_input"),
        ({"title": "", "url": "https://shop.example.com/1"}, "invalid_input"),
        ({"title": "Order", "url": "https://s.example.com/1", "price": "12.3.4"}, "invalid_input"),
        ({"title": "Order", "url": "https://s.example.com/1", "price": 12.5}, "invalid_input"),
        ({"title": "Order", "url": "https://s.example.com/1", "currency": "usd"}, "invalid_input"),
        ({"title": "Order", "url": "not a url"}, "invalid_input"),
    ],
    "sticker": [
        ({"file_id": "s1", "width": 4097, "height": 10}, "invalid_input"),
        ({"file_id": "s1", "width": 10, "height": 10, "emoji": "😀" * 17}, "invalid_input"),
        ({"width": 10, "height": 10}, "invalid_input"),
    ],
    "no such type": [({"text": "hi"}, "invalid_input")],
}

STATUS = {"invalid_input": 422, "payload_too_large": 413, "not_found": 404}


async def test_bad_bodies_of_each_message_type_are_refused(scene: Scene) -> None:
    path = f"/api/v1/conversations/{scene.direct}/messages"
    wrong: list[str] = []
    async with scene.alice_ws() as ws:
        for message_type, cases in BAD_BODIES.items():
            for index, (body, code) in enumerate(cases):
                message = {"client_msg_id": f"bad-{index}", "type": message_type, "body": body}
                got = await ws.error("send", {"conversation_id": scene.direct, **message})
                response = await scene.http.post(path, json=message)
                rest = (response.status_code, response.json()["error"]["code"])
                if (got, rest) != (code, (STATUS[code], code)):
                    wrong.append(f"{message_type} {str(body)[:80]}: ws {got}, rest {rest}")
        await ws.assert_alive()
    assert wrong == []
    await scene.assert_unharmed()


async def test_mentions_and_replies_must_point_inside_the_conversation(scene: Scene) -> None:
    outsider = scene.carol.id
    cases: list[tuple[int, dict[str, Any], str]] = [
        (scene.direct, {"body": {"text": "hi @carol", "mentions": [outsider]}}, "invalid_input"),
        (scene.group, {"body": {"text": "hi", "mentions": [scene.bob.id, 2**40]}}, "invalid_input"),
        (scene.direct, {"body": {"text": "@all", "mention_all": True}}, "invalid_input"),
        (scene.direct, {"body": {"text": "re"}, "reply_to_seq": 999}, "not_found"),
        # seq 1 of a group is its group_created entry: not a message to reply to.
        (scene.group, {"body": {"text": "re"}, "reply_to_seq": 1}, "not_found"),
    ]
    async with scene.alice_ws() as ws:
        for index, (conversation, fields, code) in enumerate(cases):
            message = {"client_msg_id": f"point-{index}", "type": "text", **fields}
            got = await ws.error("send", {"conversation_id": conversation, **message})
            assert got == code, (fields, got)
            response = await scene.http.post(
                f"/api/v1/conversations/{conversation}/messages", json=message
            )
            expect_error(response, STATUS[code], code)
        await ws.assert_alive()
    await scene.assert_unharmed()


# Valid bodies round-trip


def valid_bodies(contact_id: int) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(type, body sent, body stored) for the types that carry no file; fields left at their
    defaults are not stored."""
    return [
        ("text", {"text": "plain"}, {"text": "plain"}),
        ("text", {"text": "x" * TEXT_LIMIT}, {"text": "x" * TEXT_LIMIT}),
        ("text", {"text": "满" * TEXT_LIMIT}, {"text": "满" * TEXT_LIMIT}),
        ("text", {"text": "<script>alert(1)</script>"}, {"text": "<script>alert(1)</script>"}),
        (
            "location",
            {
                "latitude": 31.230416,
                "longitude": 121.473701,
                "precision": "blurred",
                "name": "外滩",
            },
            {"latitude": 31.23, "longitude": 121.47, "precision": "blurred", "name": "外滩"},
        ),
        (
            "location",
            {"latitude": -33.856784, "longitude": 151.215297, "precision": "precise"},
            {"latitude": -33.856784, "longitude": 151.215297},
        ),
        ("location", {"latitude": 0, "longitude": 180}, {"latitude": 0.0, "longitude": 180.0}),
        ("contact_card", {"user_id": contact_id}, {"user_id": contact_id}),
        (
            "custom_card",
            {
                "title": "Order #1042",
                "url": "https://shop.example.com/orders/1042",
                "description": "2 items",
                "price": "199.90",
                "currency": "CNY",
                "image_url": "http://img.example.com/1042.jpg",
                "source": "Shop",
            },
            {
                "title": "Order #1042",
                "url": "https://shop.example.com/orders/1042",
                "description": "2 items",
                "price": "199.90",
                "currency": "CNY",
                "image_url": "http://img.example.com/1042.jpg",
                "source": "Shop",
            },
        ),
    ]


# Well-formed media bodies: they pass validation and then need the file to exist (uploads and
# their round trip are the files service's tests).
MEDIA_BODIES: dict[str, dict[str, Any]] = {
    "image": {"file_id": "never-uploaded", "width": 800, "height": 600, "name": "猫.png"},
    "file": {"file_id": "never-uploaded", "name": "report.pdf", "size": 1},
    "voice": {"file_id": "never-uploaded", "duration_ms": 600_000},
    "video": {"file_id": "never-uploaded", "duration_ms": 5000, "width": 1920, "height": 1080},
    "sticker": {"file_id": "never-uploaded", "width": 128, "height": 128, "emoji": "👍"},
}


async def test_valid_bodies_of_every_type_are_accepted_and_round_trip(base_url: str) -> None:
    alice, carol = await register(base_url, "alice"), await register(base_url, "carol")
    async with (
        alice.http,
        carol.http,
        raw_connection(base_url, alice.token) as ws,
        httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {alice.token}"}
        ) as http,
    ):
        conversation = (await ws.ok("conversation.open_direct", {"peer_id": carol.id}))["id"]
        path = f"/api/v1/conversations/{conversation}/messages"
        stored: list[dict[str, Any]] = []
        bodies = valid_bodies(carol.id)
        for index, (message_type, body, expected) in enumerate(bodies):
            message = {"type": message_type, "body": body}
            entry = await ws.ok(
                "send", {"conversation_id": conversation, "client_msg_id": f"ws-{index}", **message}
            )
            response = await http.post(path, json={"client_msg_id": f"rest-{index}", **message})
            assert response.status_code == 200, response.text
            for sent in (entry, response.json()):
                assert (sent["type"], sent["body"]) == (message_type, expected)
            stored += [entry, response.json()]
        history = await ws.ok("history", {"conversation_id": conversation, "limit": 500})
        assert [(m["seq"], m["type"], m["body"]) for m in history["messages"]] == [
            (m["seq"], m["type"], m["body"]) for m in stored
        ]
        assert [m["seq"] for m in stored] == list(range(1, 2 * len(bodies) + 1))
        # What carol reads is what was stored.
        carol_view = await carol.http.call("GET", path, after_seq=0, limit=500)
        assert carol_view["messages"] == history["messages"]

        for message_type, body in MEDIA_BODIES.items():
            message = {"client_msg_id": f"media-{message_type}", "type": message_type, "body": body}
            code = await ws.error("send", {"conversation_id": conversation, **message})
            assert code == "not_found", (message_type, code)
            expect_error(await http.post(path, json=message), 404, "not_found")
        assert (await ws.ok("history", {"conversation_id": conversation, "limit": 500})) == history


# REST


async def test_rest_malformed_json_is_400_malformed_json(scene: Scene) -> None:
    paths = (
        f"/api/v1/conversations/{scene.direct}/messages",
        "/api/v1/conversations",
        "/api/v1/sync",
        "/api/v1/auth/login",
        "/api/v1/auth/register",
    )
    bodies = (b'{"client_msg_id": "x", ', b"{'single': 'quotes'}", b'{"a": 1,}', b"\x00")
    for path in paths:
        for body in bodies:
            response = await scene.http.post(
                path, content=body, headers={"content-type": "application/json"}
            )
            expect_error(response, 400, "malformed_json")
    await scene.assert_unharmed()


async def test_rest_invalid_utf8_body_is_400_invalid_utf8(scene: Scene) -> None:
    body = b'{"client_msg_id": "u1", "type": "text", "body": {"text": "\xc3\x28"}}'
    for path in (f"/api/v1/conversations/{scene.direct}/messages", "/api/v1/auth/login"):
        response = await scene.http.post(
            path, content=body, headers={"content-type": "application/json"}
        )
        expect_error(response, 400, "invalid_utf8")
    await scene.assert_unharmed()


RestCase = Callable[[Scene], tuple[str, str, Any]]

REST_INVALID: dict[str, RestCase] = {
    "send: conversation body fields as strings": lambda s: (
        "POST",
        f"/api/v1/conversations/{s.direct}/messages",
        {"client_msg_id": "r1", "type": "text", "body": {"text": "hi"}, "reply_to_seq": "1"},
    ),
    "send: missing body": lambda s: (
        "POST",
        f"/api/v1/conversations/{s.direct}/messages",
        {"client_msg_id": "r2", "type": "text"},
    ),
    "send: unknown field": lambda s: (
        "POST",
        f"/api/v1/conversations/{s.direct}/messages",
        {"client_msg_id": "r3", "type": "text", "body": {"text": "hi"}, "sender_id": 1},
    ),
    "send: body an array": lambda s: (
        "POST",
        f"/api/v1/conversations/{s.direct}/messages",
        {"client_msg_id": "r4", "type": "text", "body": ["hi"]},
    ),
    "send: json array": lambda s: ("POST", f"/api/v1/conversations/{s.direct}/messages", []),
    "send: bad body field": lambda s: (
        "POST",
        f"/api/v1/conversations/{s.direct}/messages",
        {"client_msg_id": "r5", "type": "image", "body": {"file_id": "x"}},
    ),
    "create: peer_id as a string": lambda s: (
        "POST",
        "/api/v1/conversations",
        {"type": "direct", "peer_id": str(s.bob.id)},
    ),
    "create: unknown type": lambda s: ("POST", "/api/v1/conversations", {"type": "channel"}),
    "create: direct without peer": lambda s: ("POST", "/api/v1/conversations", {"type": "direct"}),
    "create: peer over 64 bits": lambda s: (
        "POST",
        "/api/v1/conversations",
        {"type": "direct", "peer_id": 2**70},
    ),
    "read: seq a bool": lambda s: ("POST", f"/api/v1/conversations/{s.direct}/read", {"seq": True}),
    "read: no body": lambda s: ("POST", f"/api/v1/conversations/{s.direct}/read", None),
    "settings: unknown field": lambda s: (
        "PATCH",
        f"/api/v1/conversations/{s.direct}/settings",
        {"pinned": True, "owner": True},
    ),
    "settings: draft a number": lambda s: (
        "PATCH",
        f"/api/v1/conversations/{s.direct}/settings",
        {"draft": 5},
    ),
    "invite: user_ids a string": lambda s: (
        "POST",
        f"/api/v1/conversations/{s.group}/members",
        {"user_ids": "3"},
    ),
    "sync: private_seq negative": lambda s: ("POST", "/api/v1/sync", {"private_seq": -1}),
    "profile: unknown field": lambda s: ("PATCH", "/api/v1/me", {"account": "root"}),
    "profile: nickname a number": lambda s: ("PATCH", "/api/v1/me", {"nickname": 5}),
    # A short or weak one is the password policy's weak_password (tests/test_passwords.py).
    "register: password over 256 characters": lambda s: (
        "POST",
        "/api/v1/auth/register",
        {"account": "longpw", "password": "x" * 257, "nickname": "S"},
    ),
    "register: unknown field": lambda s: (
        "POST",
        "/api/v1/auth/register",
        {"account": "extra1", "password": "long enough pw", "nickname": "E", "role": "admin"},
    ),
    "login: unknown platform": lambda s: (
        "POST",
        "/api/v1/auth/login",
        {"account": s.alice.account, "password": "x", "platform": "fridge"},
    ),
    "history: limit zero": lambda s: (
        "GET",
        f"/api/v1/conversations/{s.direct}/messages?limit=0",
        None,
    ),
    "history: after_seq not a number": lambda s: (
        "GET",
        f"/api/v1/conversations/{s.direct}/messages?after_seq=abc",
        None,
    ),
    "path: conversation id not a number": lambda s: ("GET", "/api/v1/conversations/abc", None),
    "path: conversation id a fraction": lambda s: (
        "GET",
        f"/api/v1/conversations/{s.direct}.5",
        None,
    ),
    "path: conversation id zero": lambda s: ("GET", "/api/v1/conversations/0/messages", None),
    "path: conversation id over 64 bits": lambda s: (
        "GET",
        f"/api/v1/conversations/{2**64}/messages",
        None,
    ),
    "path: seq over 64 bits": lambda s: (
        "POST",
        f"/api/v1/conversations/{s.direct}/messages/{2**64}/recall",
        None,
    ),
    "path: seq not a number": lambda s: (
        "GET",
        f"/api/v1/conversations/{s.direct}/messages/first/read-state",
        None,
    ),
    "path: user id over 64 bits": lambda s: ("GET", f"/api/v1/users/{2**64}", None),
    "path: session id over 64 bits": lambda s: ("DELETE", f"/api/v1/sessions/{2**64}", None),
    "path: session id not a number": lambda s: ("DELETE", "/api/v1/sessions/mine", None),
}


async def test_rest_wrong_types_missing_or_unknown_fields_are_422(scene: Scene) -> None:
    wrong: list[str] = []
    for case, build in REST_INVALID.items():
        method, path, body = build(scene)
        response = await scene.http.request(method, path, json=body)
        if response.status_code != 422 or response.json()["error"]["code"] != "invalid_input":
            wrong.append(f"{case}: {response.status_code} {response.text[:200]}")
        # The HTTP connection is kept: the next request on it works.
        assert (await scene.http.get("/api/v1/me")).status_code == 200, case
    assert wrong == []
    await scene.assert_unharmed()


async def test_rest_bodies_over_one_mebibyte_are_413(scene: Scene) -> None:
    path = f"/api/v1/conversations/{scene.direct}/messages"
    big = orjson.dumps({"client_msg_id": "big", "type": "text", "body": {"text": "b" * BODY_LIMIT}})

    async def streamed() -> AsyncIterator[bytes]:
        # No Content-Length: the limit holds while the body streams in.
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    declared = await scene.http.post(
        path, content=big, headers={"content-type": "application/json"}
    )
    expect_error(declared, 413, "payload_too_large")
    chunked = await scene.http.post(
        path, content=streamed(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in chunked.request.headers
    expect_error(chunked, 413, "payload_too_large")
    await scene.assert_unharmed()


async def test_rest_unknown_ids_get_their_code(scene: Scene) -> None:
    missing = 987_654_321
    conversation = f"/api/v1/conversations/{scene.direct}"
    not_member = [
        ("GET", f"/api/v1/conversations/{missing}", None),
        ("GET", f"/api/v1/conversations/{missing}/messages", None),
    ]
    not_found = [
        ("GET", f"/api/v1/users/{missing}", None),
        ("DELETE", f"/api/v1/sessions/{missing}", None),
        ("POST", f"{conversation}/messages/999/recall", None),
        ("GET", f"{conversation}/messages/999/read-state", None),
        ("POST", "/api/v1/conversations", {"type": "direct", "peer_id": missing}),
        ("POST", "/api/v1/conversations", {"type": "group", "name": "G", "member_ids": [missing]}),
        ("POST", f"/api/v1/conversations/{scene.group}/members", {"user_ids": [missing]}),
        (
            "POST",
            f"{conversation}/forward",
            {"seqs": [999], "target_ids": [scene.group], "client_msg_id": "fw"},
        ),
        ("GET", "/api/v1/no/such/route", None),
    ]
    for calls, status, code in ((not_member, 403, "not_member"), (not_found, 404, "not_found")):
        for method, path, body in calls:
            response = await scene.http.request(method, path, json=body)
            expect_error(response, status, code)
    async with raw_connection(scene.base_url, scene.alice.token) as ws:
        assert await ws.error("profile.get", {"user_id": missing}) == "not_found"
        assert await ws.error("conversation.open_direct", {"peer_id": missing}) == "not_found"
        assert await ws.error("recall", {"conversation_id": scene.direct, "seq": 999}) == (
            "not_found"
        )
        await ws.assert_alive()
    await scene.assert_unharmed()
