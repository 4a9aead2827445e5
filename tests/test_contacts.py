"""Contacts end to end (B1-B5): friend request -> accept -> chat, reject and ignore, the
blacklist that leaks nothing, remarks, tags, nested contact groups, friend invite links and
bad input. This server requires friendship for direct chats, so the flow proves itself."""

from __future__ import annotations

from tests.support.social import befriend, online, refused
from tests.support.users import Person
from tests.support.waiting import eventually
from tidings.sdk import PresenceChanged, TidingsClient

SERVER_ENV = {"TIDINGS_DIRECT_CHAT_REQUIRES_FRIENDSHIP": "true"}


async def test_friend_request_accept_then_chat(base_url: str, alice: Person, bob: Person) -> None:
    async with online(base_url, alice, bob) as (a, b):
        assert await refused(a, "conversation.open_direct", {"peer_id": bob.id}) == "not_friends"
        found = await a.request("contacts.search", {"query": bob.account[:8]})
        assert [u["id"] for u in found["users"]] == [bob.id]
        assert found["users"][0]["is_friend"] is False

        sent = await a.request("friends.request", {"user_id": bob.id, "message": "It's Alice"})
        assert sent["status"] == "pending"
        await eventually(lambda: b.state.social.pending_count == 1)
        listed = await b.request("friends.requests", {})
        assert listed["pending_count"] == 1
        assert listed["incoming"][0]["message"] == "It's Alice"
        assert listed["incoming"][0]["from_user"]["id"] == alice.id
        assert sent["request_id"] in a.state.social.outgoing_requests

        await b.request("friends.accept", {"request_id": sent["request_id"]})
        await eventually(lambda: bob.id in a.state.social.friends)
        await eventually(lambda: alice.id in b.state.social.friends)
        assert b.state.social.pending_count == 0 and not a.state.social.outgoing_requests

        chat = await a.request("conversation.open_direct", {"peer_id": bob.id})
        await a.send(chat["id"], "text", {"text": "friends now"})
        await eventually(
            lambda: (
                chat["id"] in b.state.conversations
                and [m["body"]["text"] for m in b.state.conversations[chat["id"]].messages()]
                == ["friends now"]
            )
        )


async def test_reject_ignore_and_asking_back(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with online(base_url, alice, bob, carol) as (a, b, c):
        first = await a.request("friends.request", {"user_id": bob.id})
        await b.request("friends.reject", {"request_id": first["request_id"]})
        await eventually(lambda: not a.state.social.outgoing_requests)
        assert bob.id not in a.state.social.friends

        second = await a.request("friends.request", {"user_id": carol.id})
        await eventually(lambda: c.state.social.pending_count == 1)
        await c.request("friends.ignore", {"request_id": second["request_id"]})
        await eventually(lambda: c.state.social.pending_count == 0)
        assert second["request_id"] in a.state.social.outgoing_requests, "ignoring is silent"
        assert (
            await refused(c, "friends.accept", {"request_id": second["request_id"]}) == "conflict"
        )

        # Bob asks Alice while her request to him... was rejected; now she asks, he asks back.
        third = await a.request("friends.request", {"user_id": bob.id})
        back = await b.request("friends.request", {"user_id": alice.id})
        assert back == {"request_id": third["request_id"], "status": "accepted"}
        await eventually(lambda: bob.id in a.state.social.friends)


async def test_blacklist_leaks_nothing_and_blocks_messages_and_presence(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with online(base_url, alice, bob, carol) as (a, b, c):
        await befriend(a, c, carol)
        chat = await a.request("conversation.open_direct", {"peer_id": carol.id})
        await c.request("blocks.add", {"user_id": alice.id})
        await eventually(lambda: alice.id in c.state.social.blocked)

        to_blocker = await a.request("friends.remove", {"user_id": carol.id})
        assert to_blocker is None
        to_blocker = await a.request("friends.request", {"user_id": carol.id, "message": "?"})
        to_anyone = await a.request("friends.request", {"user_id": bob.id, "message": "?"})
        assert to_blocker.keys() == to_anyone.keys() and to_blocker["status"] == "pending"
        assert (
            await refused(a, "friends.request", {"user_id": carol.id})
            == await refused(a, "friends.request", {"user_id": bob.id})
            == "conflict"
        )
        await eventually(lambda: b.state.social.pending_count == 1)
        assert c.state.social.pending_count == 0
        assert (await c.request("friends.requests", {}))["incoming"] == []
        # Nor through carol's invite link, shared before or after the block.
        link = await c.request("invites.create", {"kind": "friend"})
        assert await refused(a, "invites.accept", {"code": link["code"]}) == "invalid_invite"
        friends = (await a.request("friends.list", {}))["friends"]
        assert carol.id not in [f["user_id"] for f in friends]
        assert alice.id not in c.state.social.friends

        message = {"conversation_id": chat["id"], "client_msg_id": "b1", "type": "text"}
        assert await refused(a, "send", {**message, "body": {"text": "hello?"}}) == "blocked"
        presence = await a.request("presence.subscribe", {"user_ids": [carol.id, bob.id]})
        assert presence["presence"] == {str(carol.id): False, str(bob.id): True}

        await c.request("blocks.remove", {"user_id": alice.id})
        await a.send(chat["id"], "text", {"text": "unblocked"})
        assert (await c.request("blocks.list", {}))["blocked"] == []


async def test_remarks_tags_and_nested_contact_groups(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with online(base_url, alice, bob) as (a, b):
        await befriend(a, b, bob)
        top = await a.request("contact_groups.create", {"name": "Work"})
        middle = await a.request("contact_groups.create", {"name": "Team", "parent_id": top["id"]})
        leaf = await a.request("contact_groups.create", {"name": "Core", "parent_id": middle["id"]})
        for parent in (leaf["id"], top["id"]):
            assert (
                await refused(
                    a, "contact_groups.move", {"group_id": top["id"], "parent_id": parent}
                )
                == "cycle"
            )

        updated = await a.request(
            "contacts.update",
            {
                "user_id": bob.id,
                "remark": "Bob (ops)",
                "tags": ["ops", "oncall", "ops"],
                "contact_group_id": leaf["id"],
            },
        )
        assert updated["tags"] == ["ops", "oncall"]
        await a.request("contact_groups.delete", {"group_id": middle["id"]})
        await a.request("contact_groups.delete", {"group_id": leaf["id"]})
        await eventually(lambda: a.state.social.friends[bob.id]["contact_group_id"] == top["id"])
        friends = await a.request("friends.list", {})
        assert friends["friends"][0]["remark"] == "Bob (ops)"
        assert friends["friends"][0]["contact_group_id"] == top["id"], (
            "contacts move up, never lost"
        )
        assert [g["name"] for g in friends["contact_groups"]] == ["Work"]
        await a.request("contacts.update", {"user_id": bob.id, "contact_group_id": None})
        await eventually(lambda: a.state.social.friends[bob.id]["contact_group_id"] is None)

        profile = await a.request("profile.get", {"user_id": bob.id})
        assert profile["contact"]["remark"] == "Bob (ops)"


async def test_friend_invite_link(base_url: str, alice: Person, bob: Person, carol: Person) -> None:
    async with online(base_url, alice, bob, carol) as (a, b, c):
        invite = await a.request("invites.create", {"kind": "friend"})
        assert await refused(a, "invites.accept", {"code": invite["code"]}) == "invalid_input"
        accepted = await b.request("invites.accept", {"code": invite["code"]})
        assert accepted == {"kind": "friend", "user_id": alice.id}
        await eventually(
            lambda: bob.id in a.state.social.friends and alice.id in b.state.social.friends
        )
        assert [i["code"] for i in (await a.request("invites.list", {}))["invites"]] == [
            invite["code"]
        ]
        assert await refused(b, "invites.revoke", {"code": invite["code"]}) == "not_found"
        await a.request("invites.revoke", {"code": invite["code"]})
        assert await refused(c, "invites.accept", {"code": invite["code"]}) == "invalid_invite"
        assert await refused(c, "invites.get", {"code": "x" * 22}) == "invalid_invite"


async def test_bad_input_changes_nothing(base_url: str, alice: Person, bob: Person) -> None:
    async with online(base_url, alice, bob) as (a, b):
        before = await a.request("friends.list", {}), await b.request("friends.requests", {})
        assert await refused(a, "friends.request", {"user_id": alice.id}) == "invalid_input"
        assert await refused(a, "friends.request", {"user_id": 987_654_321}) == "not_found"
        assert (
            await refused(a, "friends.request", {"user_id": bob.id, "message": "x" * 201})
            == "invalid_input"
        )
        assert await refused(a, "friends.accept", {"request_id": 987_654_321}) == "not_found"
        assert (
            await refused(a, "contacts.update", {"user_id": bob.id, "remark": "x"}) == "not_found"
        )
        assert await refused(a, "contact_groups.create", {"name": "x" * 65}) == "invalid_input"
        assert await refused(a, "contact_groups.create", {"name": "  "}) == "invalid_input"
        assert (
            await refused(a, "contact_groups.create", {"name": "x", "parent_id": 987_654_321})
            == "not_found"
        )
        assert (
            await refused(a, "contact_groups.rename", {"group_id": 987_654_321, "name": "y"})
            == "not_found"
        )
        assert await refused(a, "blocks.add", {"user_id": alice.id}) == "invalid_input"
        assert await refused(a, "blocks.remove", {"user_id": bob.id}) == "conflict"
        assert await refused(a, "contacts.search", {"query": ""}) == "invalid_input"
        assert await refused(a, "invites.create", {"kind": "group"}) == "invalid_input"
        assert (
            await refused(a, "invites.create", {"kind": "friend", "expires_in_seconds": 10**9})
            == "invalid_input"
        )
        await befriend(a, b, bob)
        assert (
            await refused(a, "contacts.update", {"user_id": bob.id, "tags": ["t"] * 21})
            == "invalid_input"
        )
        assert (
            await refused(a, "contacts.update", {"user_id": bob.id, "tags": ["x" * 33]})
            == "invalid_input"
        )
        assert (
            await refused(
                a, "contacts.update", {"user_id": bob.id, "contact_group_id": 987_654_321}
            )
            == "not_found"
        )
        assert await refused(a, "friends.request", {"user_id": bob.id}) == "conflict"
        after = await a.request("friends.list", {})
        assert after["contact_groups"] == before[0]["contact_groups"] == []
        assert after["friends"][0]["remark"] == "" and after["friends"][0]["tags"] == []


def presence_log(client: TidingsClient) -> list[tuple[int, bool]]:
    seen: list[tuple[int, bool]] = []
    client.on(
        lambda e: seen.append((e.user_id, e.online)) if isinstance(e, PresenceChanged) else None
    )
    return seen


async def test_a_block_ends_presence_subscriptions_at_once(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    """Subscriptions made before a block stop delivering as soon as it is made, both ways,
    without anyone reconnecting; carol, whom nobody blocks, shows that presence still flows
    (pushes on one connection arrive in order, so her event comes after any of the other's)."""
    # The blocked user's subscription to the blocker.
    async with online(base_url, bob) as (b,):
        seen_by_bob = presence_log(b)
        async with online(base_url, carol):
            await b.request("presence.subscribe", {"user_ids": [alice.id, carol.id]})
            async with online(base_url, alice) as (a,):
                await eventually(lambda: (alice.id, True) in seen_by_bob)
                await a.request("blocks.add", {"user_id": bob.id})
                # Told at once that alice is offline, and nothing of her after that.
                await eventually(lambda: seen_by_bob[-1:] == [(alice.id, False)])
                cut = len(seen_by_bob)
            async with online(base_url, alice):
                pass
        await eventually(lambda: (carol.id, False) in seen_by_bob[cut:])
        assert [u for u, _ in seen_by_bob[cut:]] == [carol.id], seen_by_bob

    # The blocker's subscription to the one they block.
    async with online(base_url, alice) as (a,):
        await a.request("blocks.remove", {"user_id": bob.id})
        seen_by_alice = presence_log(a)
        async with online(base_url, bob) as (b,):
            watched = await a.request("presence.subscribe", {"user_ids": [bob.id, carol.id]})
            assert watched["presence"] == {str(bob.id): True, str(carol.id): False}
            await a.request("blocks.add", {"user_id": bob.id})
            await eventually(lambda: seen_by_alice[-1:] == [(bob.id, False)])
            cut = len(seen_by_alice)
        async with online(base_url, bob):
            pass
        async with online(base_url, carol):
            await eventually(lambda: (carol.id, True) in seen_by_alice[cut:])
        assert [u for u, _ in seen_by_alice[cut:]][:1] == [carol.id], seen_by_alice
        assert bob.id not in [u for u, _ in seen_by_alice[cut:]]
        # Neither may subscribe again while the block stands.
        again = await a.request("presence.subscribe", {"user_ids": [bob.id]})
        assert again["presence"] == {str(bob.id): False}
