"""Group governance end to end with real clients (issue 3, "Must hold"): approval and invite
code joins, a timed mute expiring, moderation approve and reject, forbidden private chat,
keyword and rate blocking, ownership transfer, disbanding learned through sync, and the rest
of E1-E12 that members see."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.support.server import ServerProcess
from tests.support.social import (
    befriend,
    http_refused,
    new_group,
    online,
    refused,
)
from tests.support.users import Person, register
from tests.support.waiting import eventually
from tidings.sdk import ServerError, TidingsClient


@pytest.fixture(scope="module")
def server(shared_server: ServerProcess) -> ServerProcess:
    return shared_server


def kinds(client: TidingsClient, conversation_id: int) -> list[str]:
    return [e["kind"] for e in client.state.conversations[conversation_id].visible()]


async def test_approval_join(base_url: str, alice: Person, bob: Person, carol: Person) -> None:
    async with online(base_url, alice, bob, carol) as (a, b, c):
        group = await new_group(a, bob)
        await a.request("group.update", {"conversation_id": group, "join_mode": "approval"})

        asked = await c.request("group.join", {"conversation_id": group, "message": "let me in"})
        assert asked["status"] == "pending"
        request_id = asked["request"]["id"]
        assert await refused(c, "group.join", {"conversation_id": group}) == "conflict"
        await eventually(lambda: request_id in a.state.social.join_requests)
        listed = await a.request("group.join_requests", {"conversation_id": group})
        assert [r["message"] for r in listed["requests"]] == ["let me in"]
        assert (
            await refused(b, "group.decide_join", {"request_id": request_id, "approve": True})
            == "forbidden"
        )

        await a.request("group.decide_join", {"request_id": request_id, "approve": True})
        await eventually(
            lambda: group in c.state.conversations and kinds(c, group) == ["member_joined"]
        )
        await eventually(lambda: kinds(b, group)[-1] == "member_joined")
        assert request_id not in a.state.social.join_requests

        dave = await register(base_url, "dave")
        async with dave.http, online(base_url, dave) as (d,):
            asked = await d.request("group.join", {"conversation_id": group, "message": "me too"})
            await a.request(
                "group.decide_join", {"request_id": asked["request"]["id"], "approve": False}
            )
            assert (
                await refused(
                    a, "group.decide_join", {"request_id": asked["request"]["id"], "approve": True}
                )
                == "conflict"
            )
            assert group not in d.state.conversations
            members = await a.request("group.members", {"conversation_id": group})
            assert dave.id not in [m["user_id"] for m in members["members"]]


async def test_a_members_invite_in_approval_mode_waits_for_an_approver(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    dave = await register(base_url, "dave")
    erin = await register(base_url, "erin")
    async with dave.http, erin.http, online(base_url, alice, bob, carol, dave) as (a, b, c, d):
        group = await new_group(a, bob)
        await a.request("group.update", {"conversation_id": group, "join_mode": "approval"})

        # A plain member's invite becomes a join request per invitee, naming the inviter.
        asked = await b.request(
            "group.invite", {"conversation_id": group, "user_ids": [carol.id, dave.id]}
        )
        assert asked["status"] == "pending"
        by_user = {r["user_id"]: r for r in asked["requests"]}
        assert set(by_user) == {carol.id, dave.id}
        assert {r["invited_by"] for r in asked["requests"]} == {bob.id}
        assert group not in c.state.conversations
        members = await a.request("group.members", {"conversation_id": group})
        assert sorted(m["user_id"] for m in members["members"]) == sorted([alice.id, bob.id])
        assert (
            await refused(b, "group.invite", {"conversation_id": group, "user_ids": [carol.id]})
            == "conflict"
        ), "already waiting"
        assert await refused(c, "group.join", {"conversation_id": group}) == "conflict"

        # The approvers learn of them through their private log, like any join request.
        carols, daves = by_user[carol.id]["id"], by_user[dave.id]["id"]
        await eventually(lambda: {carols, daves} <= set(a.state.social.join_requests))
        listed = await a.request("group.join_requests", {"conversation_id": group})
        assert {(r["user_id"], r["invited_by"]) for r in listed["requests"]} == {
            (carol.id, bob.id),
            (dave.id, bob.id),
        }
        assert (
            await refused(b, "group.decide_join", {"request_id": carols, "approve": True})
            == "forbidden"
        ), "the inviter cannot approve their own invite"

        decided = await a.request("group.decide_join", {"request_id": carols, "approve": True})
        assert decided["entry"]["kind"] == "member_joined"
        assert decided["entry"]["body"]["inviter_id"] == bob.id
        await eventually(
            lambda: group in c.state.conversations and kinds(c, group) == ["member_joined"]
        )
        await a.request("group.decide_join", {"request_id": daves, "approve": False})
        members = await a.request("group.members", {"conversation_id": group})
        assert sorted(m["user_id"] for m in members["members"]) == sorted(
            [alice.id, bob.id, carol.id]
        )
        assert group not in d.state.conversations

        # An admin holding the approve-joins power (and the owner) still add at once.
        await a.request(
            "group.set_admin",
            {"conversation_id": group, "user_id": carol.id, "powers": ["approve_joins"]},
        )
        added = await c.request("group.invite", {"conversation_id": group, "user_ids": [erin.id]})
        assert added["kind"] == "member_joined" and added["body"]["user_ids"] == [erin.id]
        assert (await a.request("group.join_requests", {"conversation_id": group}))[
            "requests"
        ] == []


async def test_invite_code_join_expiry_and_revocation(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with online(base_url, alice, bob, carol) as (a, b, c):
        group = await new_group(a)
        assert await refused(b, "group.join", {"conversation_id": group}) == "forbidden", (
            "invite code mode by default"
        )
        invite = await a.request("invites.create", {"kind": "group", "conversation_id": group})
        preview = await b.request("invites.get", {"code": invite["code"]})
        assert preview["group"]["name"] == "Team"
        joined = await b.request("invites.accept", {"code": invite["code"]})
        assert joined["status"] == "joined"
        await eventually(lambda: group in b.state.conversations)

        png = await alice.http._http.get(
            f"/api/v1/invites/{invite['code']}/qr.png",
            headers={"Authorization": f"Bearer {alice.token}"},
        )
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
        svg = await alice.http._http.get(
            f"/api/v1/invites/{invite['code']}/qr.svg",
            headers={"Authorization": f"Bearer {alice.token}"},
        )
        assert svg.status_code == 200 and b"<svg" in svg.content

        await a.request("invites.revoke", {"code": invite["code"]})
        assert await refused(c, "invites.accept", {"code": invite["code"]}) == "invalid_invite"

        brief = await a.request(
            "invites.create", {"kind": "group", "conversation_id": group, "expires_in_seconds": 1}
        )
        await asyncio.sleep(1.2)
        assert await refused(c, "invites.accept", {"code": brief["code"]}) == "invalid_invite"
        assert group not in c.state.conversations

        # A link dies with its creator's membership: a member who left (or was removed)
        # cannot keep letting people in.
        left_behind = await b.request("invites.create", {"kind": "group", "conversation_id": group})
        await b.request("group.leave", {"conversation_id": group})
        assert await refused(c, "invites.get", {"code": left_behind["code"]}) == "invalid_invite"
        assert await refused(c, "invites.accept", {"code": left_behind["code"]}) == "invalid_invite"
        assert group not in c.state.conversations


async def test_timed_mute_expires_by_itself(base_url: str, alice: Person, bob: Person) -> None:
    async with online(base_url, alice, bob) as (a, b):
        group = await new_group(a, bob)
        muted = await a.request(
            # Long enough to be seen muted on a busy machine, short enough to wait out.
            "group.mute",
            {"conversation_id": group, "user_id": bob.id, "seconds": 3},
        )
        assert muted["kind"] == "member_muted" and muted["body"]["until"] > 0
        assert (
            await refused(
                b,
                "send",
                {
                    "conversation_id": group,
                    "client_msg_id": "m1",
                    "type": "text",
                    "body": {"text": "hi"},
                },
            )
            == "muted"
        )
        await eventually(lambda: "member_muted" in kinds(b, group))
        # Nothing is done when the mute ends: the clock passing `until` is enough.
        await asyncio.sleep(max(0.0, muted["body"]["until"] / 1000 - time.time()) + 0.05)
        sent = await b.send(group, "text", {"text": "free again"}, client_msg_id="m1")
        assert sent["seq"] > muted["seq"]
        info = await b.request("group.info", {"conversation_id": group})
        assert info["muted_until"] is not None, "the mute stays recorded; it just ended"

        await a.request(
            "group.mute", {"conversation_id": group, "user_id": bob.id, "seconds": None}
        )
        assert (
            await refused(
                b,
                "send",
                {
                    "conversation_id": group,
                    "client_msg_id": "m2",
                    "type": "text",
                    "body": {"text": "x"},
                },
            )
            == "muted"
        )
        await a.request("group.unmute", {"conversation_id": group, "user_id": bob.id})
        await b.send(group, "text", {"text": "unmuted"})
        for seconds in (0, 366 * 24 * 3600 + 1):
            assert (
                await refused(
                    a,
                    "group.mute",
                    {"conversation_id": group, "user_id": bob.id, "seconds": seconds},
                )
                == "invalid_input"
            )

        await a.request("group.update", {"conversation_id": group, "mute_all": True})
        assert (
            await refused(
                b,
                "send",
                {
                    "conversation_id": group,
                    "client_msg_id": "m3",
                    "type": "text",
                    "body": {"text": "x"},
                },
            )
            == "muted"
        )
        await a.send(group, "text", {"text": "the owner still speaks"})


async def test_moderation_approve_and_reject(base_url: str, alice: Person, bob: Person) -> None:
    async with online(base_url, alice, bob) as (a, b):
        group = await new_group(a, bob)
        await a.request("group.update", {"conversation_id": group, "moderation": True})
        before = b.state.conversations[group].last_seq
        message = {
            "conversation_id": group,
            "client_msg_id": "mod-1",
            "type": "text",
            "body": {"text": "please approve"},
        }
        assert await refused(b, "send", message) == "pending_moderation"
        assert await refused(b, "send", message) == "pending_moderation", (
            "a retry finds the queued copy"
        )
        queue = await a.request("group.moderation_queue", {"conversation_id": group})
        assert [q["body"]["text"] for q in queue["pending"]] == ["please approve"]
        await eventually(lambda: len(a.state.social.moderation_pending) == 1)
        assert b.state.conversations[group].last_seq == before, "no seq while it waits"

        decided = await a.request(
            "group.moderate", {"pending_id": queue["pending"][0]["id"], "approve": True}
        )
        seq = decided["entry"]["seq"]
        await eventually(
            lambda: any(
                e["seq"] == seq and e["body"]["text"] == "please approve"
                for e in b.state.conversations[group].messages()
            )
        )
        again = await b.request("send", message)
        assert again["seq"] == seq, "a retry after approval returns the approved entry"
        assert not a.state.social.moderation_pending

        rejected = {**message, "client_msg_id": "mod-2", "body": {"text": "nope"}}
        assert await refused(b, "send", rejected) == "pending_moderation"
        queue = await a.request("group.moderation_queue", {"conversation_id": group})
        await a.request(
            "group.moderate",
            {"pending_id": queue["pending"][0]["id"], "approve": False, "reason": "off topic"},
        )
        await eventually(
            lambda: any(
                r["reason"] == "off topic" for r in b.state.social.rejected_messages.values()
            )
        )
        assert await refused(b, "send", rejected) == "message_rejected"
        assert (
            await refused(
                a, "group.moderate", {"pending_id": queue["pending"][0]["id"], "approve": True}
            )
            == "conflict"
        )
        owner = await a.send(group, "text", {"text": "owners are not moderated"})
        assert owner["seq"] == seq + 1


async def test_forbidden_private_chat_unless_friends(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with online(base_url, alice, bob, carol) as (a, b, c):
        group = await new_group(a, bob, carol)
        assert (
            await refused(
                b, "group.update", {"conversation_id": group, "forbid_private_chat": True}
            )
            == "forbidden"
        )
        await a.request("group.update", {"conversation_id": group, "forbid_private_chat": True})
        through_group = {"peer_id": carol.id, "via_group_id": group}
        assert (
            await refused(b, "conversation.open_direct", through_group) == "private_chat_forbidden"
        )
        assert not [cv for cv in b.state.conversations.values() if cv.type == "direct"]
        await befriend(b, c, carol)
        chat = await b.request("conversation.open_direct", through_group)
        assert chat["type"] == "direct"


async def test_keyword_and_rate_blocking(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with online(base_url, alice, bob, carol) as (a, b, c):
        group = await new_group(a, bob)
        await a.request(
            "group.update",
            {"conversation_id": group, "keywords": ["spam", "广告"], "join_mode": "approval"},
        )
        info_member = await b.request("group.info", {"conversation_id": group})
        assert "keywords" not in info_member, "members are not told the blocked words"
        try:
            await b.request(
                "send",
                {
                    "conversation_id": group,
                    "client_msg_id": "k1",
                    "type": "text",
                    "body": {"text": "cheap SPAM here"},
                },
            )
            raise AssertionError("a blocked word went through")
        except ServerError as error:
            assert error.code == "blocked" and "spam" in error.message
        assert (
            await refused(
                b,
                "send",
                {
                    "conversation_id": group,
                    "client_msg_id": "k2",
                    "type": "text",
                    "body": {"text": "看广告"},
                },
            )
            == "blocked"
        )
        assert (
            await refused(c, "group.join", {"conversation_id": group, "message": "spam bot"})
            == "blocked"
        )
        await b.send(group, "text", {"text": "a clean message"})

        await a.request(
            "group.update", {"conversation_id": group, "rate_count": 2, "rate_seconds": 60}
        )
        await b.send(group, "text", {"text": "one"})
        await b.send(group, "text", {"text": "two"})
        try:
            await b.request(
                "send",
                {
                    "conversation_id": group,
                    "client_msg_id": "k3",
                    "type": "text",
                    "body": {"text": "three"},
                },
            )
            raise AssertionError("the rate rule let a third message through")
        except ServerError as error:
            assert error.code == "blocked" and "too fast" in error.message


async def test_ownership_transfer(base_url: str, alice: Person, bob: Person) -> None:
    async with online(base_url, alice, bob) as (a, b):
        group = await new_group(a, bob)
        assert (
            await refused(b, "group.transfer", {"conversation_id": group, "user_id": alice.id})
            == "forbidden"
        )
        entry = await a.request("group.transfer", {"conversation_id": group, "user_id": bob.id})
        assert entry["body"] == {"previous_owner_id": alice.id, "owner_id": bob.id}
        await eventually(lambda: "owner_changed" in kinds(b, group))
        assert (await b.request("group.info", {"conversation_id": group}))["role"] == "owner"
        assert await refused(a, "group.disband", {"conversation_id": group}) == "forbidden"
        await a.request("group.leave", {"conversation_id": group})


async def test_disband_is_learned_through_sync(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with online(base_url, alice) as (a,):
        group = await new_group(a, bob)
        await a.send(group, "text", {"text": "last words"})
        assert await refused(a, "group.leave", {"conversation_id": group}) == "forbidden"
        await a.request("group.disband", {"conversation_id": group})
        assert (
            await refused(
                a,
                "send",
                {
                    "conversation_id": group,
                    "client_msg_id": "d1",
                    "type": "text",
                    "body": {"text": "x"},
                },
            )
            == "group_disbanded"
        )
        assert (
            await refused(a, "group.invite", {"conversation_id": group, "user_ids": [carol.id]})
            == "group_disbanded"
        )
    # Bob was offline throughout: his next sync brings the whole story.
    async with online(base_url, bob) as (b,):
        assert kinds(b, group)[-2:] == ["message", "group_disbanded"]
        assert (await b.request("group.info", {"conversation_id": group}))["disbanded"] is True
        await b.request("group.leave", {"conversation_id": group})
    async with online(base_url, alice) as (a,):
        await a.request("group.leave", {"conversation_id": group})  # the owner may leave now
        listed = await a.request("conversations.list", {})
        assert group not in {c["id"] for c in listed["conversations"]}


async def test_remove_blacklist_and_size_limit(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with online(base_url, alice, bob) as (a, b):
        group = await new_group(a, bob)
        link = await a.request("invites.create", {"kind": "group", "conversation_id": group})
        await a.request(
            "group.remove", {"conversation_id": group, "user_id": bob.id, "blacklist": True}
        )
        await eventually(lambda: group not in b.state.conversations)
        # What was said up to the removal stays readable, nothing after (decision 0075).
        kept = await b.request("history", {"conversation_id": group})
        assert kept["messages"][-1]["kind"] == "member_removed"
        assert (
            await refused(
                b,
                "send",
                {
                    "conversation_id": group,
                    "client_msg_id": "x",
                    "type": "text",
                    "body": {"text": "?"},
                },
            )
            == "not_member"
        )
        assert (
            await refused(a, "group.invite", {"conversation_id": group, "user_ids": [bob.id]})
            == "forbidden"
        )
        # No way back in: not by a link, not by joining an open group, not by asking.
        assert await refused(b, "invites.accept", {"code": link["code"]}) == "forbidden"
        for mode in ("open", "approval"):
            await a.request("group.update", {"conversation_id": group, "join_mode": mode})
            assert await refused(b, "group.join", {"conversation_id": group}) == "forbidden"
        assert (await a.request("group.join_requests", {"conversation_id": group}))[
            "requests"
        ] == []
        await a.request("group.update", {"conversation_id": group, "join_mode": "invite_code"})
        assert group not in b.state.conversations
        listed = await a.request("group.blacklist", {"conversation_id": group})
        assert [x["user_id"] for x in listed["blacklist"]] == [bob.id]
        await a.request("group.blacklist.remove", {"conversation_id": group, "user_ids": [bob.id]})
        await a.request("group.update", {"conversation_id": group, "size_limit": 2})
        await a.request("group.invite", {"conversation_id": group, "user_ids": [bob.id]})
        assert (
            await refused(a, "group.invite", {"conversation_id": group, "user_ids": [carol.id]})
            == "group_full"
        )
        assert (
            await refused(a, "group.update", {"conversation_id": group, "size_limit": 1})
            == "invalid_input"
        )


async def test_find_by_number_open_join_and_back_office(
    base_url: str, server: object, alice: Person, bob: Person, carol: Person
) -> None:
    from tests.support.social import make_admin

    async with online(base_url, alice, bob, carol) as (a, b, c):
        group = await new_group(a, name="Open house")
        info = await a.request("group.info", {"conversation_id": group})
        assert info["size_limit"] == 10_000, "the default size limit"
        card = await b.request("group.find", {"number": info["number"]})
        assert card["name"] == "Open house" and card["join_mode"] == "invite_code"
        await a.request("group.update", {"conversation_id": group, "join_mode": "open"})
        joined = await b.request("group.join", {"conversation_id": group})
        assert joined["status"] == "joined"

        await a.request("group.update", {"conversation_id": group, "join_mode": "back_office"})
        assert await refused(c, "group.join", {"conversation_id": group}) == "forbidden"
        assert (
            await refused(a, "group.invite", {"conversation_id": group, "user_ids": [carol.id]})
            == "forbidden"
        )
        assert (
            await refused(a, "group.assign", {"conversation_id": group, "user_ids": [carol.id]})
            == "forbidden"
        )
        await make_admin(server, carol)  # type: ignore[arg-type]
        await c.request("group.assign", {"conversation_id": group, "user_ids": [carol.id]})
        await eventually(lambda: group in c.state.conversations)


async def test_announcements_board_and_view_modes(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with online(base_url, alice, bob) as (a, b):
        group = await new_group(a, bob)
        posted = await a.request(
            "group.announcement.post", {"conversation_id": group, "text": "Standup at 10"}
        )
        assert (
            await refused(b, "group.announcement.post", {"conversation_id": group, "text": "x"})
            == "forbidden"
        )
        await a.request(
            "group.announcement.edit",
            {"announcement_id": posted["id"], "text": "Standup at 9:30", "pinned": True},
        )
        await eventually(
            lambda: kinds(b, group)[-2:] == ["announcement_posted", "announcement_edited"]
        )
        listed = await b.request("group.announcements", {"conversation_id": group})
        assert listed["announcements"][0]["text"] == "Standup at 9:30"
        assert (
            listed["announcements"][0]["pinned"] is True
            and listed["announcements"][0]["read"] is False
        )
        await b.request("group.announcement.read", {"announcement_id": posted["id"]})
        reads = await a.request("group.announcement.reads", {"announcement_id": posted["id"]})
        assert reads["read_by"] == [bob.id] and reads["unread_count"] == 0

        plain = await b.send(group, "text", {"text": "an ordinary message"})
        shout = await a.send(group, "text", {"text": "everyone!", "mention_all": True})
        await a.request(
            "group.mark", {"conversation_id": group, "seq": plain["seq"], "important": True}
        )
        board = await b.request("group.board", {"conversation_id": group})
        assert [(i["reason"], i["entry"]["seq"]) for i in board["items"]] == [
            ("mention_all", shout["seq"]),
            ("important", plain["seq"]),
        ]
        assert (
            await refused(
                a, "group.mark", {"conversation_id": group, "seq": plain["seq"], "important": True}
            )
            == "conflict"
        )

        await b.request("group.view_mode", {"conversation_id": group, "view_mode": "admins_only"})
        await eventually(lambda: b.state.social.view_modes.get(group) == "admins_only")
        assert (await b.request("group.info", {"conversation_id": group}))[
            "view_mode"
        ] == "admins_only"


async def test_admin_powers_and_recall(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with online(base_url, alice, bob, carol) as (a, b, c):
        group = await new_group(a, bob, carol)
        await a.request(
            "group.set_admin", {"conversation_id": group, "user_id": bob.id, "powers": ["mute"]}
        )
        said = await c.send(group, "text", {"text": "recall me"})
        assert (
            await refused(b, "recall", {"conversation_id": group, "seq": said["seq"]})
            == "not_your_message"
        )
        await a.request(
            "group.set_admin", {"conversation_id": group, "user_id": bob.id, "powers": ["recall"]}
        )
        await b.request("recall", {"conversation_id": group, "seq": said["seq"]})
        assert (
            await refused(
                b, "group.mute", {"conversation_id": group, "user_id": alice.id, "seconds": 60}
            )
            == "forbidden"
        )
        await a.request(
            "group.set_admin", {"conversation_id": group, "user_id": bob.id, "powers": None}
        )
        info = await b.request("group.info", {"conversation_id": group})
        assert info["role"] == "member" and info["powers"] == []


async def test_recalling_anothers_message_needs_a_higher_rank(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    """Decision 24: owner > admin > member, for recalls as for mutes and removals."""
    dave = await register(base_url, "dave")
    async with dave.http, online(base_url, alice, bob, carol, dave) as (a, b, c, d):
        group = await new_group(a, bob, carol, dave)
        for admin in (bob, carol):
            await a.request(
                "group.set_admin",
                {"conversation_id": group, "user_id": admin.id, "powers": ["recall"]},
            )
        said = {
            name: int((await client.send(group, "text", {"text": name}))["seq"])
            for name, client in [
                ("owner", a),
                ("admin", c),
                ("member", d),
                ("self", b),
                ("leaver", d),
            ]
        }

        def recall(seq: int) -> dict[str, int]:
            return {"conversation_id": group, "seq": seq}

        # An admin holding the recall power on the owner's and a fellow admin's message;
        # a member on anyone's.
        assert await refused(b, "recall", recall(said["owner"])) == "forbidden"
        assert await refused(b, "recall", recall(said["admin"])) == "forbidden"
        assert await refused(d, "recall", recall(said["admin"])) == "not_your_message"
        assert (
            await http_refused(
                bob, "POST", f"/api/v1/conversations/{group}/messages/{said['owner']}/recall"
            )
            == "forbidden"
        )
        history = await a.history(group)
        assert not any(e["recalled"] for e in history)

        # Allowed: an admin on a member's, a former member's and their own; the owner on an
        # admin's and their own.
        await b.request("recall", recall(said["member"]))
        await b.request("recall", recall(said["self"]))
        await d.request("group.leave", {"conversation_id": group})
        await b.request("recall", recall(said["leaver"]))
        await a.request("recall", recall(said["admin"]))
        await a.request("recall", recall(said["owner"]))
        history = await a.history(group)
        assert {e["seq"] for e in history if e["recalled"]} == set(said.values())


async def test_joining_a_disbanded_group_answers_group_disbanded(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    """As sends, invites and governance do (decision 15); a missing group stays not_found."""
    async with online(base_url, alice, carol) as (a, c):
        group = await new_group(a, bob)
        await a.request("group.update", {"conversation_id": group, "join_mode": "open"})
        await a.request("group.disband", {"conversation_id": group})
        assert await refused(c, "group.join", {"conversation_id": group}) == "group_disbanded"
        assert (
            await http_refused(carol, "POST", f"/api/v1/groups/{group}/join", {})
            == "group_disbanded"
        )
        assert await refused(c, "group.join", {"conversation_id": 987_654_321}) == "not_found"
        members = await a.request("group.members", {"conversation_id": group})
        assert carol.id not in [m["user_id"] for m in members["members"]]


async def test_bad_input_and_unknown_ids_change_nothing(
    base_url: str, alice: Person, bob: Person
) -> None:
    missing = 987_654_321
    async with online(base_url, alice, bob) as (a, b):
        group = await new_group(a, bob)
        direct = await a.request("conversation.open_direct", {"peer_id": bob.id})
        before = await a.request("group.info", {"conversation_id": group})
        cases: list[tuple[str, dict[str, object], str]] = [
            ("group.update", {"conversation_id": group, "name": "x" * 101}, "invalid_input"),
            ("group.update", {"conversation_id": group, "name": " "}, "invalid_input"),
            ("group.update", {"conversation_id": group, "intro": "x" * 501}, "invalid_input"),
            ("group.update", {"conversation_id": group, "join_mode": "free"}, "invalid_input"),
            ("group.update", {"conversation_id": group, "keywords": ["k"] * 201}, "invalid_input"),
            ("group.update", {"conversation_id": group}, "invalid_input"),
            ("group.update", {"conversation_id": group, "colour": "red"}, "invalid_input"),
            ("group.update", {"conversation_id": missing, "intro": "x"}, "not_member"),
            ("group.update", {"conversation_id": direct["id"], "intro": "x"}, "invalid_input"),
            (
                "group.set_admin",
                {"conversation_id": group, "user_id": missing, "powers": []},
                "not_found",
            ),
            (
                "group.set_admin",
                {"conversation_id": group, "user_id": bob.id, "powers": ["fly"]},
                "invalid_input",
            ),
            (
                "group.set_admin",
                {"conversation_id": group, "user_id": alice.id, "powers": []},
                "invalid_input",
            ),
            (
                "group.mute",
                {"conversation_id": group, "user_id": missing, "seconds": 60},
                "not_found",
            ),
            (
                "group.mute",
                {"conversation_id": group, "user_id": alice.id, "seconds": 60},
                "forbidden",
            ),
            ("group.unmute", {"conversation_id": group, "user_id": bob.id}, "conflict"),
            ("group.remove", {"conversation_id": group, "user_id": alice.id}, "invalid_input"),
            ("group.transfer", {"conversation_id": group, "user_id": missing}, "not_found"),
            ("group.blacklist.add", {"conversation_id": group, "user_ids": [bob.id]}, "conflict"),
            ("group.blacklist.add", {"conversation_id": group, "user_ids": [missing]}, "not_found"),
            ("group.decide_join", {"request_id": missing, "approve": True}, "not_found"),
            ("group.moderate", {"pending_id": missing, "approve": True}, "not_found"),
            ("group.announcement.edit", {"announcement_id": missing, "text": "x"}, "not_found"),
            (
                "group.announcement.post",
                {"conversation_id": group, "text": "x" * 5001},
                "invalid_input",
            ),
            ("group.mark", {"conversation_id": group, "seq": 999}, "not_found"),
            ("group.find", {"number": 1}, "not_found"),
            ("group.join", {"conversation_id": missing}, "not_found"),
            ("group.view_mode", {"conversation_id": group, "view_mode": "loud"}, "invalid_input"),
            ("invites.accept", {"code": "no-such-code-at-all"}, "invalid_invite"),
            ("invites.create", {"kind": "group", "conversation_id": missing}, "not_member"),
        ]
        for op, data, code in cases:
            assert await refused(a, op, data) == code, (op, data)
        assert await refused(b, "group.members", {"conversation_id": missing}) == "not_member"
        assert await a.request("group.info", {"conversation_id": group}) == before
        history = await a.history(group)
        assert [e["kind"] for e in history] == ["group_created"]
