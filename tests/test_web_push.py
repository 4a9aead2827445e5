"""Web Push (issue 12): a message for someone whose devices are all closed reaches a push
service run by this test, signed with VAPID for that service's origin and encrypted so that
only the subscription's keys open it; mute, do-not-disturb and the "show text" choice are
honoured; a subscription the push service calls gone (410) or whose session ended is
dropped; endpoints on private networks are refused (SSRF)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.push_service import Browser, PushService, check_vapid
from tests.support.social import new_group, online, refused
from tests.support.users import Person
from tests.support.waiting import eventually
from tidings.sdk import TidingsClient

SERVER_ENV = {
    # The test's push service listens on 127.0.0.1 over http: allowed here, not by default.
    "TIDINGS_PUSH_ALLOWED_NETWORKS": "127.0.0.0/8",
    "TIDINGS_PUSH_COALESCE_SECONDS": "0.05",
}

ALL_DAY_EVERY_DAY = {
    "kind": "custom",
    "days": [1, 2, 3, 4, 5, 6, 7],
    "start": "00:00",
    "end": "00:00",
}


@pytest.fixture
async def push_service() -> AsyncIterator[PushService]:
    service = PushService()
    await service.start()
    yield service
    await service.stop()


async def subscribe(
    base_url: str, person: Person, endpoint: str, settings: dict[str, Any] | None = None
) -> Browser:
    """Subscribe as the person's browser would, then close the app."""
    browser = Browser()
    async with person.client(base_url) as client:
        if settings:
            await client.request("settings.update", {"changes": settings})
        await client.request("push.subscribe", {"endpoint": endpoint, "keys": browser.keys()})
    return browser


async def closed(watcher: TidingsClient, person: Person) -> None:
    """Wait until the person shows offline (every device closed)."""

    async def offline() -> bool:
        reply = await watcher.request("presence.subscribe", {"user_ids": [person.id]})
        return reply["presence"][str(person.id)] is False

    await eventually(offline, within=5, every=0.05)


async def text(client: TidingsClient, conversation: int, words: str, **extra: Any) -> int:
    entry = await client.send(conversation, "text", {"text": words, **extra})
    return int(entry["seq"])


async def test_a_closed_app_gets_an_encrypted_signed_push(
    base_url: str, alice: Person, bob: Person, push_service: PushService
) -> None:
    async with online(base_url, alice, bob) as (a, b):
        key = (await b.request("push.config"))["vapid_public_key"]
        browser = Browser()
        await b.request("settings.update", {"changes": {"locale": "en"}})
        endpoint = push_service.endpoint(f"bob{bob.id}")
        await b.request("push.subscribe", {"endpoint": endpoint, "keys": browser.keys()})
        chat = int((await a.request("conversation.open_direct", {"peer_id": bob.id}))["id"])
        # Bob's app is open: the message reaches it over the WebSocket, no push.
        await text(a, chat, "seen live")
        await b.close()
        await closed(a, bob)
        seq = await text(a, chat, "hello bob")
        got = await push_service.next()
    assert got.path == f"/push/bob{bob.id}"
    check_vapid(got, origin=push_service.origin, public_key=key)
    assert got.headers["TTL"] == "86400"
    assert got.headers["Content-Encoding"] == "aes128gcm"
    assert browser.decrypt(got.body) == {
        "v": 1,
        "conversation_id": chat,
        "seq": seq,
        "title": "Alice",
        "body": "hello bob",
        "tag": f"conv-{chat}",
        "url": f"/#/c/{chat}",
        "silent": False,
    }
    # Only the subscription's own keys open it.
    with pytest.raises(Exception):  # noqa: B017 (cryptography's InvalidTag)
        Browser().decrypt(got.body)


async def test_dnd_mute_and_privacy_choices(
    base_url: str, alice: Person, bob: Person, carol: Person, push_service: PushService
) -> None:
    async with online(base_url, alice, carol) as (a, c):
        group = await new_group(a, bob, carol)
        chat_with_carol = int(
            (await c.request("conversation.open_direct", {"peer_id": bob.id}))["id"]
        )
        browser = await subscribe(
            base_url,
            bob,
            push_service.endpoint(f"bob{bob.id}"),
            {
                "locale": "en",
                "dnd": {"schedules": [ALL_DAY_EVERY_DAY], "time_zone": "Asia/Shanghai"},
                "starred": [carol.id],
            },
        )
        await closed(a, bob)
        # Do-not-disturb all day: a plain message stays quiet, an @-mention comes through
        # (and is the first push: the quiet one before it was never sent).
        await text(a, group, "quiet please")
        seq = await text(a, group, "@Bob look", mentions=[bob.id])
        payload = browser.decrypt((await push_service.next()).body)
        assert (payload["seq"], payload["conversation_id"]) == (seq, group)
        assert payload["title"] == "Team"
        assert payload["body"] == "[You were mentioned] Alice: @Bob look"
        # A starred contact comes through do-not-disturb too.
        seq = await text(c, chat_with_carol, "from a star")
        payload = browser.decrypt((await push_service.next()).body)
        assert (payload["seq"], payload["body"]) == (seq, "from a star")

        # No DND now, but the group muted and message text hidden.
        async with bob.client(base_url) as b:
            await b.request(
                "settings.update",
                {"changes": {"dnd": {"schedules": []}, "notifications": {"preview": False}}},
            )
            await b.request("conversation.settings", {"conversation_id": group, "muted": True})
        await closed(a, bob)
        await text(a, group, "muted chatter")
        seq = await text(a, group, "@Bob again", mentions=[bob.id])
        payload = browser.decrypt((await push_service.next()).body)
        assert (payload["seq"], payload["title"], payload["body"]) == (seq, "Team", None)

        # The group's pop-ups off in its details: nothing, even for a mention; the direct
        # chat still pushes (and says which message came last).
        async with bob.client(base_url) as b:
            await b.request(
                "settings.update",
                {"changes": {"conversations": {str(group): {"popup": False}}}},
            )
        await closed(a, bob)
        await text(a, group, "@Bob third", mentions=[bob.id])
        seq = await text(c, chat_with_carol, "still here")
        payload = browser.decrypt((await push_service.next()).body)
        assert (payload["conversation_id"], payload["seq"]) == (chat_with_carol, seq)


async def test_burn_messages_and_locked_chats_push_no_text(
    base_url: str, alice: Person, bob: Person, carol: Person, push_service: PushService
) -> None:
    async with online(base_url, alice, carol) as (a, c):
        with_alice = int((await a.request("conversation.open_direct", {"peer_id": bob.id}))["id"])
        with_carol = int((await c.request("conversation.open_direct", {"peer_id": bob.id}))["id"])
        browser = await subscribe(
            base_url, bob, push_service.endpoint(f"bob{bob.id}"), {"locale": "en"}
        )
        async with bob.client(base_url) as b:
            await b.request("me.lock.set", {"code": "2468", "conversation_ids": [with_carol]})
        await closed(a, bob)
        # A burn-after-reading message shows its text only when opened in the chat.
        seq = await text(a, with_alice, "for your eyes only", burn=True)
        payload = browser.decrypt((await push_service.next()).body)
        assert (payload["seq"], payload["body"]) == (seq, "[Burn after reading]")
        # A chat behind the password lock says nothing of what came.
        seq = await text(c, with_carol, "a secret")
        payload = browser.decrypt((await push_service.next()).body)
        assert (payload["seq"], payload["body"]) == (seq, "[Locked chat]")
        # The other chat, not locked, still shows text.
        seq = await text(a, with_alice, "plain words")
        payload = browser.decrypt((await push_service.next()).body)
        assert (payload["seq"], payload["body"]) == (seq, "plain words")


async def test_gone_and_ended_subscriptions_are_dropped(
    base_url: str, alice: Person, bob: Person, carol: Person, push_service: PushService
) -> None:
    async with online(base_url, alice) as (a,):
        group = await new_group(a, bob, carol)
        gone = push_service.endpoint(f"gone/bob{bob.id}").replace("/push/gone/", "/gone/")
        live = push_service.endpoint(f"bob{bob.id}")
        browser = Browser()
        async with bob.client(base_url) as b:
            for endpoint in (gone, live):
                await b.request("push.subscribe", {"endpoint": endpoint, "keys": browser.keys()})
        carol_endpoint = push_service.endpoint(f"c{carol.id}")
        carol_browser = await subscribe(base_url, carol, carol_endpoint)
        # Nobody can unsubscribe someone else's browser.
        async with bob.client(base_url) as b:
            await b.request("push.unsubscribe", {"endpoint": carol_endpoint})
        await closed(a, bob)
        await closed(a, carol)
        await text(a, group, "first")
        first = [await push_service.next() for _ in range(3)]
        assert sorted(r.path for r in first) == sorted(
            [f"/gone/bob{bob.id}", f"/push/bob{bob.id}", f"/push/c{carol.id}"]
        )
        # The push service said 410: that subscription is forgotten.
        seq = await text(a, group, "second")
        second = [await push_service.next() for _ in range(2)]
        assert sorted(r.path for r in second) == sorted(
            [f"/push/bob{bob.id}", f"/push/c{carol.id}"]
        )
        assert browser.decrypt(second[0].body)["seq"] == seq
        assert push_service.posts_by_path[f"/gone/bob{bob.id}"] == 1

        # Bob signs out on that browser: his subscription ends with the session.
        async with bob.client(base_url) as b:
            await b.request("logout")
        await closed(a, bob)
        seq = await text(a, group, "third")
        got = await push_service.next()
        assert got.path == f"/push/c{carol.id}"
        assert carol_browser.decrypt(got.body)["seq"] == seq
        await asyncio.sleep(0.3)
        assert push_service.received.empty()


async def test_subscriptions_are_checked(base_url: str, alice: Person) -> None:
    keys = Browser().keys()
    async with alice.client(base_url) as a:
        for endpoint in (
            "https://169.254.169.254/latest/meta-data",  # cloud metadata
            "http://10.0.0.1/push",  # a private network, and not https
            "https://192.168.1.1/push",
            "ftp://push.example.com/x",
            "https://user:pw@127.0.0.1/x",
        ):
            code = await refused(a, "push.subscribe", {"endpoint": endpoint, "keys": keys})
            assert code == "push_endpoint_refused", endpoint
        bad_keys = [
            {"p256dh": keys["p256dh"][:-4], "auth": keys["auth"]},
            {"p256dh": keys["p256dh"], "auth": "c2hvcnQ"},
        ]
        for bad in bad_keys:
            code = await refused(
                a, "push.subscribe", {"endpoint": "http://127.0.0.1:9/x", "keys": bad}
            )
            assert code == "invalid_input"
        assert await refused(a, "push.subscribe", {"endpoint": "x"}) == "invalid_input"
        await a.request("push.unsubscribe", {"endpoint": "http://127.0.0.1:9/x"})
