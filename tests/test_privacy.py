"""Privacy choices end to end (issue 12, h/me), on SQLite and PostgreSQL: who may find me by
account or phone, who may add me, whether others see me online, whether my reading is told
— each enforced by the server, each with its denial; and a change racing subscriptions."""

from __future__ import annotations

import asyncio

from tests.support.server import ServerProcess
from tests.support.social import befriend, make_admin, new_group, online, refused
from tests.support.users import Person, register
from tests.support.waiting import eventually
from tidings.sdk import (
    PresenceChanged,
    PrivateReceived,
    ReceiptChanged,
    TidingsClient,
    TidingsHttp,
)

SERVER_ENV = {"TIDINGS_DIRECTORY_RELOAD_SECONDS": "0.2"}

DEFAULTS = {
    "find_by_phone": "everyone",
    "find_by_account": "everyone",
    "add_me": "verify",
    "show_online": True,
    "send_read_receipts": True,
}


async def _found(client: TidingsClient, query: str) -> set[int]:
    found = await client.request("contacts.search", {"query": query})
    return {u["id"] for u in found["users"]}


async def test_defaults_update_sync_and_bad_input(base_url: str, alice: Person) -> None:
    async with online(base_url, alice, alice) as (a, other_device):
        changes: list[dict[str, object]] = []
        other_device.on(
            lambda e: (
                changes.append(e.entry["data"])
                if isinstance(e, PrivateReceived) and e.entry["kind"] == "privacy_changed"
                else None
            )
        )
        assert await a.request("me.privacy.get", {}) == DEFAULTS
        updated = await a.request(
            "me.privacy.update", {"find_by_phone": "friends", "show_online": False}
        )
        assert updated == {**DEFAULTS, "find_by_phone": "friends", "show_online": False}
        # A partial update keeps the rest.
        again = await a.request("me.privacy.update", {"add_me": "nobody"})
        assert again == {**updated, "add_me": "nobody"}
        assert await a.request("me.privacy.get", {}) == again
        await eventually(lambda: changes[-1:] == [again])
        for bad in (
            {"find_by_phone": "strangers"},
            {"add_me": "friends"},
            {"show_online": "no"},
            {"send_read_receipts": 0},
            {"colour": "red"},
        ):
            assert await refused(a, "me.privacy.update", bad) == "invalid_input", bad
        assert await a.request("me.privacy.get", {}) == again, "bad input changed nothing"


async def test_find_by_account_everyone_friends_nobody(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with online(base_url, alice, bob, carol) as (a, b, c):
        # Bob's account, not his nickname ("Bob"): a search by it finds him by account only.
        query = bob.account
        assert bob.id in await _found(a, query)
        await b.request("me.privacy.update", {"find_by_account": "nobody"})
        assert bob.id not in await _found(a, query), "nobody finds him by account"
        assert bob.id in await _found(b, query), "one always finds oneself"
        await b.request("me.privacy.update", {"find_by_account": "friends"})
        await befriend(a, b, bob)
        assert bob.id in await _found(a, query), "a friend finds him"
        assert bob.id not in await _found(c, query), "a stranger does not"
        # The nickname is not covered: "Bob" finds him (among others).
        assert bob.id in await _found(c, "Bob")


async def test_find_by_phone(server: ServerProcess, alice: Person) -> None:
    # Phones in the directory come from the organization's user import (an admin's).
    admin = await register(server.base_url, "admin")
    await make_admin(server, admin)
    account, phone = f"ph{admin.id}", f"1390000{admin.id:04d}"
    csv = f"account,nickname,password,phone\n{account},Phoebe,a-long-password-1,{phone}\n"
    response = await admin.http._http.post(
        "/api/v1/admin/users/import",
        content=csv.encode(),
        headers={"Authorization": f"Bearer {admin.token}", "Content-Type": "text/csv"},
    )
    assert response.status_code == 200 and response.json()["added"] == 1, response.text
    await admin.http.close()
    async with TidingsHttp(server.base_url) as http:
        signed_in = await http.login(account, "a-long-password-1")
        phoebe = Person(int(signed_in["user"]["id"]), account, signed_in["token"], http)
        async with online(server.base_url, alice, phoebe) as (a, p):
            # The directory index reloads within 0.2 s here.
            for _ in range(50):
                if phoebe.id in await _found(a, phone):
                    break
                await asyncio.sleep(0.1)
            assert phoebe.id in await _found(a, phone)
            await p.request("me.privacy.update", {"find_by_phone": "nobody"})
            assert phoebe.id not in await _found(a, phone), "not found by phone"
            await p.request("me.privacy.update", {"find_by_phone": "friends"})
            assert phoebe.id not in await _found(a, phone)
            await befriend(a, p, phoebe)
            assert phoebe.id in await _found(a, phone), "a friend finds her by phone"


async def test_who_may_add_me(base_url: str, alice: Person, bob: Person, carol: Person) -> None:
    async with online(base_url, alice, bob, carol) as (a, b, c):
        await b.request("me.privacy.update", {"add_me": "nobody"})
        assert (
            await refused(a, "friends.request", {"user_id": bob.id, "message": "hi"})
            == "not_accepting_friends"
        )
        assert (await b.request("friends.requests", {}))["pending_count"] == 0
        await b.request("me.privacy.update", {"add_me": "everyone"})
        sent = await a.request("friends.request", {"user_id": bob.id, "message": "hi"})
        assert sent["status"] == "accepted", "accepted at once"
        await eventually(lambda: alice.id in b.state.social.friends)
        await eventually(lambda: bob.id in a.state.social.friends)
        await b.request("me.privacy.update", {"add_me": "verify"})
        waiting = await c.request("friends.request", {"user_id": bob.id, "message": "hi"})
        assert waiting["status"] == "pending"
        assert carol.id not in b.state.social.friends


async def test_hidden_online_status(base_url: str, alice: Person, bob: Person) -> None:
    seen: list[tuple[int, bool]] = []
    async with online(base_url, alice) as (a,):
        a.on(
            lambda e: seen.append((e.user_id, e.online)) if isinstance(e, PresenceChanged) else None
        )
        async with online(base_url, bob) as (b,):
            watched = await a.request("presence.subscribe", {"user_ids": [bob.id]})
            assert watched["presence"] == {str(bob.id): True}
            # Bob hides it while Alice watches: she is told "offline" at once, and no more.
            await b.request("me.privacy.update", {"show_online": False})
            await eventually(lambda: seen[-1:] == [(bob.id, False)])
            cut = len(seen)
            again = await a.request("presence.subscribe", {"user_ids": [bob.id]})
            assert again["presence"] == {str(bob.id): False}, "hidden: shown offline"
            # Bob's own devices still see him.
            own = await b.request("presence.subscribe", {"user_ids": [bob.id]})
            assert own["presence"] == {str(bob.id): True}
        async with online(base_url, bob):
            await asyncio.sleep(0.3)
        assert bob.id not in [u for u, _ in seen[cut:]], seen
        async with online(base_url, bob) as (b,):
            await b.request("me.privacy.update", {"show_online": True})
            shown = await a.request("presence.subscribe", {"user_ids": [bob.id]})
            assert shown["presence"] == {str(bob.id): True}


async def test_hiding_online_status_races_many_subscriptions(
    base_url: str, alice: Person, bob: Person
) -> None:
    """Subscriptions made while Bob hides his status: once the change is answered, none of
    them ever hears him come online."""
    watchers = [await register(base_url, f"w{i}") for i in range(6)]
    try:
        seen: list[tuple[int, int, bool]] = []
        async with online(base_url, *watchers) as clients:
            for i, client in enumerate(clients):
                client.on(
                    lambda e, i=i: (
                        seen.append((i, e.user_id, e.online))
                        if isinstance(e, PresenceChanged)
                        else None
                    )
                )
            async with online(base_url, bob) as (b,):
                subscribe = [
                    c.request("presence.subscribe", {"user_ids": [bob.id]})
                    for c in clients
                    for _ in range(3)
                ]
                await asyncio.gather(
                    *subscribe, b.request("me.privacy.update", {"show_online": False})
                )
                cut = len(seen)
            async with online(base_url, bob):
                await asyncio.sleep(0.5)
            assert not [s for s in seen[cut:] if s[2]], seen
    finally:
        for person in watchers:
            await person.http.close()


async def test_read_receipts_off(base_url: str, alice: Person, bob: Person, carol: Person) -> None:
    async with online(base_url, alice, bob, carol) as (a, b, c):
        receipts: list[tuple[int, int | None, int | None]] = []
        a.on(
            lambda e: (
                receipts.append((e.user_id, e.read_seq, e.delivered_seq))
                if isinstance(e, ReceiptChanged)
                else None
            )
        )
        await b.request("me.privacy.update", {"send_read_receipts": False})
        chat = await a.request("conversation.open_direct", {"peer_id": bob.id})
        sent = await a.send(chat["id"], "text", {"text": "read me"})
        await b.request("read", {"conversation_id": chat["id"], "seq": sent["seq"]})
        await eventually(lambda: any(r[2] == sent["seq"] for r in receipts))
        assert all(r[1] is None for r in receipts if r[0] == bob.id), "never told read"
        listed = await a.request("conversations.list", {})
        peer = next(s for s in listed["conversations"] if s["id"] == chat["id"])["peer"]
        assert peer["read_seq"] == 0 and peer["delivered_seq"] >= sent["seq"]
        # Bob still has his own read position (unread counts, his other devices).
        mine = next(
            s
            for s in (await b.request("conversations.list", {}))["conversations"]
            if s["id"] == chat["id"]
        )
        assert mine["read_seq"] == sent["seq"]

        group = await new_group(a, bob, carol)
        said = await a.send(group, "text", {"text": "group"})
        for client in (b, c):
            await client.request("read", {"conversation_id": group, "seq": said["seq"]})
        state = await a.request("read_state", {"conversation_id": group, "seq": said["seq"]})
        assert state["read_by"] == [carol.id] and state["unread_by"] == [bob.id]
