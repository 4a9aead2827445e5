"""The WebSocket gateway with the Python SDK, against a real server process."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.raw import ws_url
from tests.support.server import ServerProcess
from tests.support.users import Person, register
from tests.support.waiting import eventually
from tidings.sdk import EntryReceived, ServerError, SignedOut, TidingsClient, Typing


async def open_direct(client: TidingsClient, peer: Person) -> int:
    summary = await client.request("conversation.open_direct", {"peer_id": peer.id})
    return int(summary["id"])


async def test_send_and_receive_in_a_direct_chat(base_url: str, alice: Person, bob: Person) -> None:
    async with alice.client(base_url) as a, bob.client(base_url) as b:
        conv = await open_direct(a, bob)
        received: list[EntryReceived] = []
        b.on(lambda e: received.append(e) if isinstance(e, EntryReceived) else None)
        sent = await a.send(conv, "text", {"text": "你好 Bob 👋"})
        assert sent["seq"] == 1 and sent["sender_id"] == alice.id
        await eventually(lambda: received)
        assert received[0].entry["body"] == {"text": "你好 Bob 👋"}
        assert b.state.conversations[conv].messages()[0]["id"] == sent["id"]


async def test_retry_with_the_same_client_msg_id_returns_the_original(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with alice.client(base_url) as a:
        conv = await open_direct(a, bob)
        first = await a.send(conv, "text", {"text": "once"}, client_msg_id="same-id")
        second = await a.send(conv, "text", {"text": "once"}, client_msg_id="same-id")
        assert (first["id"], first["seq"]) == (second["id"], second["seq"])
        assert len(await a.history(conv)) == 1


async def test_offline_messages_arrive_by_sync_in_order(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with alice.client(base_url) as a:
        conv = await open_direct(a, bob)
        for index in range(30):
            await a.send(conv, "text", {"text": f"m{index}"})
    async with bob.client(base_url) as b:
        texts = [m["body"]["text"] for m in b.state.conversations[conv].messages()]
        assert texts == [f"m{index}" for index in range(30)]


async def test_gap_in_pushes_is_filled_from_history(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with alice.client(base_url) as a, bob.client(base_url) as b:
        conv = await open_direct(a, bob)
        await a.send(conv, "text", {"text": "one"})
        await eventually(lambda: len(b.state.conversations[conv].messages()) == 1)
        # Bob misses a push (as if dropped in transit): a REST send skips his connection's
        # state, then the next pushed entry reveals the gap.
        b.state.conversations[conv].entries.clear()
        b.state.conversations[conv].covered_seq = 0
        await a.send(conv, "text", {"text": "two"})
        await eventually(
            lambda: (
                [m["body"]["text"] for m in b.state.conversations[conv].messages()]
                == ["one", "two"]
            )
        )


async def test_group_messages_reach_every_member(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with (
        alice.client(base_url) as a,
        bob.client(base_url) as b,
        carol.client(base_url) as c,
    ):
        group = await a.request(
            "conversation.create_group", {"name": "Launch", "member_ids": [bob.id, carol.id]}
        )
        gid = int(group["id"])
        await eventually(lambda: gid in b.state.conversations and gid in c.state.conversations)
        await b.send(gid, "text", {"text": "@all hi", "mention_all": True, "mentions": [alice.id]})
        for client in (a, c):
            await eventually(lambda cl=client: len(cl.state.conversations[gid].messages()) == 1)
        members = await c.request("conversation.members", {"conversation_id": gid})
        assert {m["user_id"]: m["role"] for m in members["members"]} == {
            alice.id: "owner",
            bob.id: "member",
            carol.id: "member",
        }


async def test_read_and_delivered_receipts_in_a_direct_chat(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with alice.client(base_url) as a, bob.client(base_url) as b:
        conv = await open_direct(a, bob)
        sent = await a.send(conv, "text", {"text": "did you get this?"})
        await eventually(lambda: b.state.conversations[conv].messages())
        await b.request("ack", {"conversation_id": conv, "seq": sent["seq"]})
        await eventually(lambda: (a.state.conversations[conv].peer or {}).get("delivered_seq") == 1)
        await b.request("read", {"conversation_id": conv, "seq": sent["seq"]})
        await eventually(lambda: (a.state.conversations[conv].peer or {}).get("read_seq") == 1)
        summary = await a.request("conversation.get", {"conversation_id": conv})
        assert summary["peer"]["read_seq"] == 1
        bob_summary = await b.request("conversation.get", {"conversation_id": conv})
        assert bob_summary["unread"] == 0 and bob_summary["read_seq"] == 1


async def test_group_read_count_and_who_has_read(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with alice.client(base_url) as a, bob.client(base_url) as b:
        group = await a.request(
            "conversation.create_group", {"name": "Reads", "member_ids": [bob.id, carol.id]}
        )
        gid = int(group["id"])
        sent = await a.send(gid, "text", {"text": "please read"})
        await eventually(lambda: gid in b.state.conversations)
        await b.request("read", {"conversation_id": gid, "seq": sent["seq"]})
        state = await a.request("read_state", {"conversation_id": gid, "seq": sent["seq"]})
        assert state["read_count"] == 1 and state["read_by"] == [bob.id]
        assert state["unread_by"] == [carol.id]


async def test_typing_and_presence(base_url: str, alice: Person, bob: Person) -> None:
    async with alice.client(base_url) as a:
        conv = await open_direct(a, bob)
        watched = await a.request("presence.subscribe", {"user_ids": [bob.id]})
        assert watched["presence"] == {str(bob.id): False}
        events: list[object] = []
        a.on(events.append)
        async with bob.client(base_url) as b:
            await eventually(lambda: any(getattr(e, "online", None) is True for e in events))
            await b.request("typing", {"conversation_id": conv})
            await eventually(lambda: any(isinstance(e, Typing) for e in events))
        await eventually(lambda: any(getattr(e, "online", None) is False for e in events))


async def test_recall_within_the_window(base_url: str, alice: Person, bob: Person) -> None:
    async with alice.client(base_url) as a, bob.client(base_url) as b:
        conv = await open_direct(a, bob)
        sent = await a.send(conv, "text", {"text": "oops"})
        await eventually(lambda: b.state.conversations[conv].messages())
        recall = await a.request("recall", {"conversation_id": conv, "seq": sent["seq"]})
        assert recall["kind"] == "recall" and recall["body"] == {"target_seq": sent["seq"]}
        await eventually(lambda: b.state.conversations[conv].messages()[0]["recalled"])
        assert b.state.conversations[conv].messages()[0]["body"] == {}
        stored = await b.history(conv)
        assert stored[0]["recalled"] is True and stored[0]["body"] == {}
        with pytest.raises(ServerError) as again:
            await a.request("recall", {"conversation_id": conv, "seq": sent["seq"]})
        assert again.value.code == "not_recallable"


async def test_forward_to_several_conversations_with_a_note(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with alice.client(base_url) as a:
        source = await open_direct(a, bob)
        target1 = await open_direct(a, carol)
        group = await a.request(
            "conversation.create_group", {"name": "Fwd", "member_ids": [carol.id]}
        )
        target2 = int(group["id"])
        original = await a.send(source, "text", {"text": "the plan"})
        request = {
            "conversation_id": source,
            "seqs": [original["seq"]],
            "target_ids": [target1, target2],
            "note": "FYI",
            "client_msg_id": "fwd-1",
        }
        result = await a.request("forward", request)
        assert [(e["conversation_id"], e["body"]["text"]) for e in result["entries"]] == [
            (target1, "the plan"),
            (target1, "FYI"),
            (target2, "the plan"),
            (target2, "FYI"),
        ]
        retried = await a.request("forward", request)
        assert [e["id"] for e in retried["entries"]] == [e["id"] for e in result["entries"]]


async def test_delete_for_me_and_clear_history_sync_to_my_other_devices(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with alice.client(base_url) as a1:
        conv = await open_direct(a1, bob)
        sent = [await a1.send(conv, "text", {"text": f"m{i}"}) for i in range(4)]
        await a1.request("delete", {"conversation_id": conv, "seqs": [sent[1]["seq"]]})
        assert [m["body"]["text"] for m in a1.state.conversations[conv].messages()] == [
            "m0",
            "m2",
            "m3",
        ]
        async with bob.client(base_url) as b:
            assert len(b.state.conversations[conv].messages()) == 4, "only deleted for alice"
        await a1.request("clear", {"conversation_id": conv})
        assert a1.state.conversations[conv].messages() == []
        await a1.send(conv, "text", {"text": "after clear"})
    async with alice.client(base_url) as a2:
        texts = [m["body"]["text"] for m in a2.state.conversations[conv].messages()]
        assert texts == ["after clear"]


async def test_the_summary_preview_is_the_newest_entry_i_still_see(
    base_url: str, alice: Person, bob: Person
) -> None:
    """Deleting the newest messages for me moves my preview back (issue 12); not Bob's."""
    async with alice.client(base_url) as a, bob.client(base_url) as b:
        conv = await open_direct(a, bob)
        sent = [await b.send(conv, "text", {"text": f"m{i}"}) for i in range(3)]
        await a.request(
            "delete", {"conversation_id": conv, "seqs": [sent[2]["seq"], sent[1]["seq"]]}
        )
        mine = await a.request("conversation.get", {"conversation_id": conv})
        assert mine["preview"]["body"] == {"text": "m0"}
        listed = await a.request("conversations.list")
        assert [c["preview"]["body"] for c in listed["conversations"] if c["id"] == conv] == [
            {"text": "m0"}
        ]
        theirs = await b.request("conversation.get", {"conversation_id": conv})
        assert theirs["preview"]["body"] == {"text": "m2"}
        await a.request("delete", {"conversation_id": conv, "seqs": [sent[0]["seq"]]})
        assert (await a.request("conversation.get", {"conversation_id": conv}))["preview"] is None


async def test_forward_copies_and_the_note_have_told_apart_ids(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with alice.client(base_url) as a:
        source = await open_direct(a, bob)
        group = await a.request("conversation.create_group", {"name": "F", "member_ids": [bob.id]})
        original = await a.send(source, "text", {"text": "the plan"})
        result = await a.request(
            "forward",
            {
                "conversation_id": source,
                "seqs": [original["seq"]],
                "target_ids": [group["id"]],
                "note": "FYI",
                "client_msg_id": "x-1",
            },
        )
        assert [e["client_msg_id"][:4] for e in result["entries"]] == ["fwd-", "fwn-"]


async def test_settings_pin_mute_draft_sync_across_devices(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with alice.client(base_url) as a1, alice.client(base_url) as a2:
        conv = await open_direct(a1, bob)
        await a1.request(
            "conversation.settings",
            {"conversation_id": conv, "pinned": True, "muted": True, "draft": "half a thought"},
        )
        await eventually(
            lambda: conv in a2.state.conversations and a2.state.conversations[conv].draft
        )
        other = a2.state.conversations[conv]
        assert (other.pinned, other.muted, other.draft) == (True, True, "half a thought")
        listing = await a2.request("conversations.list")
        assert listing["conversations"][0]["id"] == conv, "pinned first"


async def test_conversation_list_order_unread_and_preview(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with bob.client(base_url) as b, carol.client(base_url) as c:
        with_bob = await open_direct(b, alice)
        with_carol = await open_direct(c, alice)
        await b.send(with_bob, "text", {"text": "from bob"})
        await c.send(with_carol, "text", {"text": "from carol 1"})
        await c.send(with_carol, "text", {"text": "from carol 2"})
    async with alice.client(base_url) as a:
        listing = (await a.request("conversations.list"))["conversations"]
        chats = [s for s in listing if s["type"] == "direct"]
        assert [s["id"] for s in chats] == [with_carol, with_bob]
        assert [s["unread"] for s in chats] == [2, 1]
        assert chats[0]["preview"]["body"]["text"] == "from carol 2"
        assert chats[0]["name"] == (await carol.http.call("GET", "/api/v1/me"))["nickname"]
        system = [s for s in listing if s["type"] == "system"]
        assert len(system) == 1 and system[0]["preview"]["type"] == "notice"


async def test_signed_in_elsewhere_forces_the_older_session_off(base_url: str) -> None:
    user = await register(base_url, "dana", platform="desktop")
    first = TidingsClient(base_url, token=user.token)
    await first.start()
    events: list[object] = []
    first.on(events.append)
    second_login = await user.http.login(user.account, "correct horse battery", platform="desktop")
    await eventually(lambda: any(isinstance(e, SignedOut) for e in events))
    assert first.signed_out_reason == "signed_in_elsewhere"
    await eventually(lambda: first._runner is not None and first._runner.done())
    with pytest.raises(ServerError) as refused:
        await _get_with(base_url, user.token)
    assert refused.value.code == "invalid_token"
    async with TidingsClient(base_url, token=second_login["token"]) as second:
        assert second.session_id == second_login["session_id"]
    await first.close()
    await user.http.close()


async def _get_with(base_url: str, token: str) -> None:
    from tidings.sdk import TidingsHttp

    async with TidingsHttp(base_url, token=token) as http:
        await http.call("GET", "/api/v1/conversations")


async def test_allow_all_is_not_the_default_but_other_platforms_coexist(base_url: str) -> None:
    user = await register(base_url, "erin", platform="web")
    async with TidingsClient(base_url, token=user.token) as web:
        desktop = await user.http.login(user.account, "correct horse battery", platform="desktop")
        sessions = await web.request("sessions.list")
        assert {s["platform"] for s in sessions["sessions"]} == {"web", "desktop"}
        assert web.signed_out_reason is None
        # Signing out the desktop session from the web closes its live connection.
        async with TidingsClient(base_url, token=desktop["token"]) as other:
            events: list[object] = []
            other.on(events.append)
            await web.request("sessions.sign_out", {"session_id": desktop["session_id"]})
            await eventually(lambda: other.signed_out_reason == "signed_out")
    await user.http.close()


async def test_device_credential_auto_login(base_url: str) -> None:
    user = await register(base_url, "fay", remember=True, platform="ios")
    login = await user.http.login(user.account, "correct horse battery", remember=True)
    credential = login["device_credential"]
    renewed = await user.http.call(
        "POST", "/api/v1/auth/device-login", {"device_credential": credential}
    )
    assert renewed["user"]["id"] == user.id and renewed["device_credential"] != credential
    with pytest.raises(ServerError) as spent:
        await user.http.call("POST", "/api/v1/auth/device-login", {"device_credential": credential})
    assert spent.value.code == "invalid_token"
    with pytest.raises(ServerError) as replaced:
        await _get_with(base_url, login["token"])
    assert replaced.value.code == "invalid_token"
    await user.http.close()


async def test_logout_closes_the_live_connection(base_url: str, alice: Person) -> None:
    async with alice.client(base_url) as a1, alice.client(base_url) as a2:
        assert await a1.request("logout") is None
        await eventually(lambda: a2.signed_out_reason == "logged_out")
        await eventually(lambda: a1._runner is not None and a1._runner.done())
        with pytest.raises(ServerError) as refused:
            await _get_with(base_url, alice.token)
        assert refused.value.code == "invalid_token"


async def test_raw_protocol_auth_first_and_ping(base_url: str, alice: Person) -> None:
    async with connect(base_url.replace("http", "ws") + "/ws") as ws:
        await ws.send('{"id":1,"op":"ping"}')
        pong = orjson.loads(await ws.recv())
        assert pong["ok"] and pong["id"] == 1 and pong["data"]["now"] > 0
        await ws.send('{"id":2,"op":"sync","data":{}}')
        refused = orjson.loads(await ws.recv())
        assert refused["error"]["code"] == "unauthenticated"
        await ws.send(orjson.dumps({"id": 3, "op": "auth", "data": {"token": alice.token}}))
        accepted = orjson.loads(await ws.recv())
        assert accepted["ok"] and accepted["data"]["user"]["id"] == alice.id
        await ws.send(orjson.dumps({"id": 4, "op": "auth", "data": {"token": alice.token}}))
        assert orjson.loads(await ws.recv())["error"]["code"] == "already_authenticated"


async def test_a_forged_token_closes_the_connection(base_url: str) -> None:
    async with connect(base_url.replace("http", "ws") + "/ws") as ws:
        await ws.send('{"id":1,"op":"auth","data":{"token":"forged"}}')
        reply = orjson.loads(await ws.recv())
        assert reply["error"]["code"] == "invalid_token"
        await asyncio.wait_for(ws.wait_closed(), 5)
        assert ws.close_code == 4004


async def test_a_client_that_stops_reading_is_cut_off_and_others_go_on(
    base_url: str, alice: Person, bob: Person
) -> None:
    """Pushes pile up for a connection whose client never reads; past 4 MiB waiting the server
    closes it (1008, or cut if even the close frame cannot get out) instead of buffering
    without end, while the same user's other connection gets every message."""
    async with (
        alice.client(base_url) as a,
        bob.client(base_url) as b,
        connect(ws_url(base_url), max_size=None) as stalled,
    ):
        conv = await open_direct(a, bob)
        await stalled.send(orjson.dumps({"id": 1, "op": "auth", "data": {"token": bob.token}}))
        assert orjson.loads(await stalled.recv())["ok"]
        # Stop reading, with a small receive buffer so the kernel holds little for us.
        sock = stalled.transport.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        stalled.transport.pause_reading()
        received: list[EntryReceived] = []
        b.on(lambda e: received.append(e) if isinstance(e, EntryReceived) else None)
        text = "x" * 9000
        count = 1500  # ~13.5 MB of pushes: the limit plus any kernel buffers
        for start in range(0, count, 100):
            await asyncio.gather(
                *(a.send(conv, "text", {"text": f"{i} {text}"}) for i in range(start, start + 100))
            )
        await eventually(lambda: len(received) == count, within=60)
        await a.request("ping", {})  # the server is fine
        stalled.transport.resume_reading()
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(30):
                while True:
                    await stalled.recv()
        assert closed.value.rcvd is None or closed.value.rcvd.code == 1008


async def test_a_stopping_server_says_so_and_exits(tmp_path: Path) -> None:
    """SIGTERM: every connection gets close code 1001 ("server shutting down"), then the
    process exits by itself (no connection holds the shutdown up)."""
    server = ServerProcess(tmp_path)
    server.start()
    try:
        person = await register(server.base_url, "leaver")
        await person.http.close()
        async with connect(ws_url(server.base_url)) as ws:
            await ws.send(orjson.dumps({"id": 1, "op": "auth", "data": {"token": person.token}}))
            assert orjson.loads(await ws.recv())["ok"]
            assert server.process is not None
            server.process.send_signal(signal.SIGTERM)
            with pytest.raises(ConnectionClosed) as closed:
                async with asyncio.timeout(10):
                    await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
        await asyncio.to_thread(server.process.wait, 15)
    finally:
        server.stop()
