"""Webhooks (issue 14, J2; decision 0068) against a real server on SQLite and PostgreSQL and
a receiver in a process of its own: signed events (the signature checked by our own few
lines of Standard Webhooks), who gets which event, retries of a receiver that fails or
hangs (the same webhook-id), deliveries listed and replayed, bad URLs and scopes refused,
and the server killed with deliveries pending: after its restart everything arrives."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.apps import AppCredentials, app_token, bearer, create_app
from tests.support.server import TIDINGS, ServerProcess
from tests.support.social import befriend, make_admin
from tests.support.users import Person, register
from tests.support.webhooks import Received, Receiver, delivered, verify

SERVER_ENV = {
    "TIDINGS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
    "TIDINGS_WEBHOOK_TIMEOUT_SECONDS": "1",
    # Many quick retries: a test sees several attempts within seconds.
    "TIDINGS_WEBHOOK_RETRY_SECONDS": ",".join(["0.3", "0.5"] + ["1"] * 28),
    "TIDINGS_WEBHOOK_POLL_SECONDS": "0.2",
    # Restarted under the same name, the server takes back its own leases at once.
    "TIDINGS_NODE_ID": "webhooks-test",
}
HOOKS = "/api/v1/app/webhooks"


class AppClient:
    def __init__(self, base_url: str, credentials: AppCredentials, token: str) -> None:
        self.credentials = credentials
        self.http = httpx.AsyncClient(base_url=base_url, headers=bearer(token), timeout=30)

    async def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        reply = await self.http.request(method, path, json=body, params=params or None)
        assert reply.is_success, reply.text
        return reply.json() if reply.content else None

    async def refused(self, method: str, path: str, body: Any = None) -> tuple[int, str]:
        reply = await self.http.request(method, path, json=body)
        assert not reply.is_success, reply.text
        return reply.status_code, reply.json()["error"]["code"]

    async def me(self) -> dict[str, Any]:
        found: dict[str, Any] = await self.call("GET", "/api/v1/app/me")
        return found


NewApp = Callable[[str], Awaitable[AppClient]]


@pytest.fixture
async def new_app(server: ServerProcess) -> AsyncIterator[NewApp]:
    """Registers apps with the scopes given (`tidings app create`), closed after the test."""
    made: list[AppClient] = []

    async def make(scopes: str) -> AppClient:
        credentials = await create_app(server, f"CRM {secrets.token_hex(3)}", scopes)
        grant = await app_token(server.base_url, credentials)
        made.append(AppClient(server.base_url, credentials, grant["access_token"]))
        return made[-1]

    yield make
    for app in made:
        await app.http.aclose()


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    found = Receiver(tmp_path)
    found.start()
    yield found
    found.stop()


@pytest.fixture(scope="module")
async def people(base_url: str) -> AsyncIterator[tuple[Person, Person]]:
    alice, bob = await asyncio.gather(register(base_url, "alice"), register(base_url, "bob"))
    yield alice, bob
    await alice.http.close()
    await bob.http.close()


async def subscribe(app: AppClient, url: str, *types: str) -> tuple[int, str]:
    created = await app.call("POST", HOOKS, {"url": url, "event_types": list(types)})
    assert created["secret"].startswith("whsec_")
    return int(created["webhook"]["id"]), str(created["secret"])


async def group(person: Person, *member_ids: int, name: str = "Deals") -> int:
    found = await person.http.call(
        "POST",
        "/api/v1/conversations",
        {"type": "group", "name": name, "member_ids": list(member_ids)},
    )
    return int(found["id"])


async def say(person: Person, conversation_id: int, text: str) -> dict[str, Any]:
    found: dict[str, Any] = await person.http.call(
        "POST",
        f"/api/v1/conversations/{conversation_id}/messages",
        {"client_msg_id": secrets.token_hex(8), "type": "text", "body": {"text": text}},
    )
    return found


async def settled(app: AppClient, hook_id: int, within: float = 10) -> list[dict[str, Any]]:
    """The deliveries once none is pending (the receiver may have its post before the
    server has written down the answer)."""
    deadline = time.monotonic() + within
    while True:
        found: list[dict[str, Any]] = (
            await app.call("GET", f"{HOOKS}/{hook_id}/deliveries", limit=200)
        )["deliveries"]
        if all(d["status"] != "pending" for d in found):
            return found
        assert time.monotonic() < deadline, found
        await asyncio.sleep(0.05)


def of_type(found: list[Received], event_type: str) -> list[Received]:
    return [r for r in delivered(found) if r.event["type"] == event_type]


def texts(found: list[Received]) -> set[str]:
    return {r.event["data"]["body"]["text"] for r in of_type(found, "message.sent")}


async def test_events_arrive_signed_in_standard_webhooks_form(
    server: ServerProcess, new_app: NewApp, people: tuple[Person, Person], receiver: Receiver
) -> None:
    alice, bob = people
    app = await new_app("webhooks events:all users:read")
    hook_id, secret = await subscribe(
        app,
        receiver.url,
        "message.sent",
        "message.recalled",
        "group.created",
        "member.joined",
        "member.left",
        "user.created",
    )
    carol = await register(server.base_url, "carol")
    conversation = await group(alice, bob.id)
    sent = await say(alice, conversation, "the quote is ready")
    await alice.http.call(
        "POST", f"/api/v1/conversations/{conversation}/messages/{sent['seq']}/recall"
    )
    await alice.http.call(
        "POST", f"/api/v1/conversations/{conversation}/members", {"user_ids": [carol.id]}
    )
    await bob.http.call("DELETE", f"/api/v1/conversations/{conversation}/members/me")
    wanted = {"user.created", "group.created", "message.sent", "message.recalled"}
    wanted |= {"member.joined", "member.left"}

    def all_there(found: list[Received]) -> bool:
        mine = [
            r
            for r in delivered(found)
            if r.event["data"].get("conversation_id") == conversation
            or r.event["data"].get("user_id") == carol.id
        ]
        return {r.event["type"] for r in mine} >= wanted

    found = await receiver.wait_for(all_there)
    for received in found:
        assert verify(secret, received), received.headers
        assert received.webhook_id.startswith("msg_")
        assert received.headers["content-type"] == "application/json"
        assert received.path == "/hook"
        # Standard Webhooks' body: type, an ISO 8601 timestamp, the data.
        assert received.event["timestamp"].endswith("Z")
    # A wrong secret does not verify.
    assert not verify("whsec_" + "A" * 32, found[0])
    (message,) = [
        r for r in of_type(found, "message.sent") if r.event["data"]["seq"] == sent["seq"]
    ]
    data = message.event["data"]
    assert data["conversation_id"] == conversation and data["sender_id"] == alice.id
    assert data["body"] == {"text": "the quote is ready"} and data["id"] == sent["id"]
    (recalled,) = [
        r
        for r in of_type(found, "message.recalled")
        if r.event["data"]["conversation_id"] == conversation
    ]
    assert recalled.event["data"]["target_seq"] == sent["seq"]
    assert recalled.event["data"]["recalled_by"] == alice.id
    (created,) = [
        r for r in of_type(found, "user.created") if r.event["data"]["user_id"] == carol.id
    ]
    assert created.event["data"]["account"] == carol.account
    (made,) = [
        r
        for r in of_type(found, "group.created")
        if r.event["data"]["conversation_id"] == conversation
    ]
    assert made.event["data"]["owner_id"] == alice.id
    assert sorted(made.event["data"]["member_ids"]) == sorted([alice.id, bob.id])
    joined = [
        r
        for r in of_type(found, "member.joined")
        if r.event["data"]["conversation_id"] == conversation
    ]
    assert joined[-1].event["data"]["user_ids"] == [carol.id]
    left = [
        r
        for r in of_type(found, "member.left")
        if r.event["data"]["conversation_id"] == conversation
    ]
    assert left[-1].event["data"]["user_id"] == bob.id
    # Each delivery is listed as succeeded, newest first, with cursor paging.
    await settled(app, hook_id)
    page = await app.call("GET", f"{HOOKS}/{hook_id}/deliveries", limit=2)
    assert len(page["deliveries"]) == 2 and page["next_before_id"] is not None
    assert all(d["status"] == "succeeded" and d["attempts"] == 1 for d in page["deliveries"])
    assert page["deliveries"][0]["id"] > page["deliveries"][1]["id"]
    rest = await app.call(
        "GET", f"{HOOKS}/{hook_id}/deliveries", limit=200, before_id=page["next_before_id"]
    )
    ids = {d["webhook_id"] for d in page["deliveries"] + rest["deliveries"]}
    assert {r.webhook_id for r in found} <= ids
    await carol.http.close()


async def test_without_events_all_an_app_hears_only_its_bots_conversations(
    server: ServerProcess, new_app: NewApp, people: tuple[Person, Person], receiver: Receiver
) -> None:
    alice, bob = people
    app = await new_app("webhooks")
    bot_id = (await app.me())["bot_user_id"]
    await subscribe(app, receiver.url, "message.sent", "group.created")
    elsewhere = await group(alice, bob.id, name="Without the bot")
    await say(alice, elsewhere, "not for the app")
    with_bot = await group(alice, bot_id, name="With the bot")
    await say(alice, with_bot, "for the app")
    found = await receiver.wait_for(lambda f: "for the app" in texts(f))
    await asyncio.sleep(0.5)  # anything of the other conversation would be here by now
    found = receiver.received()
    conversations = {r.event["data"]["conversation_id"] for r in delivered(found)}
    assert conversations == {with_bot}
    assert {r.event["type"] for r in delivered(found)} == {"group.created", "message.sent"}


async def test_a_receiver_that_fails_then_hangs_gets_retries_under_one_webhook_id(
    server: ServerProcess, new_app: NewApp, people: tuple[Person, Person], receiver: Receiver
) -> None:
    alice, bob = people
    app = await new_app("webhooks events:all")
    hook_id, secret = await subscribe(app, receiver.url, "message.sent")
    conversation = await group(alice, bob.id)
    receiver.answer("fail")
    await say(alice, conversation, "retry me")
    await receiver.wait_for(lambda f: len([r for r in f if r.status == 500]) >= 2)
    listed = (await app.call("GET", f"{HOOKS}/{hook_id}/deliveries"))["deliveries"]
    assert listed[0]["status"] == "pending" and listed[0]["last_status_code"] == 500
    assert listed[0]["attempts"] >= 1 and listed[0]["next_attempt_at"] is not None
    assert "500" in listed[0]["last_error"]
    receiver.answer("hang")
    await receiver.wait_for(lambda f: any(r.status == 0 for r in f))
    # The hanging attempt is given up after the timeout (1 s here) and recorded.
    deadline = time.monotonic() + 10
    while True:
        listed = (await app.call("GET", f"{HOOKS}/{hook_id}/deliveries"))["deliveries"]
        if "no answer" in listed[0]["last_error"]:
            break
        assert time.monotonic() < deadline, listed
        await asyncio.sleep(0.1)
    assert listed[0]["last_status_code"] is None
    receiver.answer("ok")
    found = await receiver.wait_for(lambda f: bool(delivered(f)))
    assert len({r.webhook_id for r in found}) == 1
    assert {r.status for r in found} == {500, 0, 204}
    assert all(verify(secret, r) for r in found)
    # Retries carry the same body; each attempt its own timestamp and signature.
    assert len({r.body for r in found}) == 1
    (done,) = await settled(app, hook_id)
    assert done["status"] == "succeeded" and done["attempts"] == len(found)
    assert done["last_status_code"] == 204 and done["last_error"] == ""


async def test_deliveries_are_replayed_one_or_all_failed_since_a_time(
    server: ServerProcess, new_app: NewApp, people: tuple[Person, Person], receiver: Receiver
) -> None:
    alice, bob = people
    app = await new_app("webhooks events:all")
    hook_id, _ = await subscribe(app, receiver.url, "message.sent")
    conversation = await group(alice, bob.id)
    await say(alice, conversation, "once more")
    first = await receiver.wait_for(lambda f: bool(delivered(f)))
    (delivery,) = await settled(app, hook_id)
    replayed = await app.call("POST", f"{HOOKS}/{hook_id}/deliveries/{delivery['id']}/replay")
    assert replayed["delivery"]["webhook_id"] == first[0].webhook_id
    found = await receiver.wait_for(lambda f: len(delivered(f)) == 2)
    assert found[0].webhook_id == found[1].webhook_id and found[0].body == found[1].body
    # Nothing failed: replaying the failed ones replays none.
    since = int(time.time() * 1000) - 60_000
    none = await app.call("POST", f"{HOOKS}/{hook_id}/deliveries/replay-failed", {"since": since})
    assert none == {"replayed": 0}
    # Unknown deliveries and another app's webhook are not found.
    assert await app.refused("POST", f"{HOOKS}/{hook_id}/deliveries/999999/replay") == (
        404,
        "not_found",
    )
    other = await new_app("webhooks")
    assert await other.refused("GET", f"{HOOKS}/{hook_id}/deliveries") == (404, "not_found")
    assert await other.refused("POST", f"{HOOKS}/{hook_id}/deliveries/{delivery['id']}/replay") == (
        404,
        "not_found",
    )


async def test_a_subscription_is_changed_its_secret_rotated_and_deleted(
    server: ServerProcess, new_app: NewApp, people: tuple[Person, Person], receiver: Receiver
) -> None:
    alice, bob = people
    app = await new_app("webhooks events:all")
    hook_id, old_secret = await subscribe(app, receiver.url, "group.created")
    changed = await app.call(
        "PATCH",
        f"{HOOKS}/{hook_id}",
        {"event_types": ["message.sent"], "description": "orders"},
    )
    assert changed["webhook"]["event_types"] == ["message.sent"]
    assert changed["webhook"]["description"] == "orders"
    rotated = await app.call("POST", f"{HOOKS}/{hook_id}/rotate-secret")
    new_secret = rotated["secret"]
    assert new_secret != old_secret and new_secret.startswith("whsec_")
    conversation = await group(alice, bob.id)
    await say(alice, conversation, "signed anew")
    found = await receiver.wait_for(lambda f: "signed anew" in texts(f))
    assert {r.event["type"] for r in found} == {"message.sent"}
    assert verify(new_secret, found[-1]) and not verify(old_secret, found[-1])
    listed = await app.call("GET", HOOKS)
    assert [w["id"] for w in listed["webhooks"]] == [hook_id]
    assert "secret" not in listed["webhooks"][0]
    await app.call("DELETE", f"{HOOKS}/{hook_id}")
    assert await app.refused("GET", f"{HOOKS}/{hook_id}") == (404, "not_found")
    assert (await app.call("GET", HOOKS))["webhooks"] == []


async def test_bad_urls_and_event_types_are_refused(server: ServerProcess, new_app: NewApp) -> None:
    app = await new_app("webhooks")
    for url in (
        "ftp://127.0.0.1/hook",
        "javascript:alert(1)",
        "not a url",
        "http://user:secret@127.0.0.1:9/hook",
        # The server itself, by address or by name.
        f"http://127.0.0.1:{server.port}/api/v1/auth/login",
        f"http://localhost:{server.port}/",
        # Link-local (a cloud's metadata service) is not in the allowed networks.
        "http://169.254.169.254/latest/meta-data",
        "http://no-such-host.invalid/hook",
    ):
        assert await app.refused("POST", HOOKS, {"url": url, "event_types": ["message.sent"]}) == (
            422,
            "webhook_url_refused",
        ), url
    assert (
        await app.refused(
            "POST", HOOKS, {"url": "http://127.0.0.1:9/", "event_types": ["message.exploded"]}
        )
    )[1] == "invalid_input"
    assert (await app.refused("POST", HOOKS, {"url": "http://127.0.0.1:9/", "event_types": []}))[
        1
    ] == "invalid_input"
    assert (
        await app.refused(
            "POST",
            HOOKS,
            {"url": "http://127.0.0.1:9/", "event_types": ["message.sent"], "secret": "mine"},
        )
    )[1] == "invalid_input"
    hook_id, _ = await subscribe(app, "http://127.0.0.1:9/", "message.sent")
    assert await app.refused(
        "PATCH", f"{HOOKS}/{hook_id}", {"url": f"http://127.0.0.1:{server.port}/"}
    ) == (422, "webhook_url_refused")


async def test_scopes_are_required(server: ServerProcess, new_app: NewApp) -> None:
    no_hooks = await new_app("messages:send")
    body = {"url": "http://127.0.0.1:9/", "event_types": ["message.sent"]}
    assert await no_hooks.refused("POST", HOOKS, body) == (403, "insufficient_scope")
    assert await no_hooks.refused("GET", HOOKS) == (403, "insufficient_scope")
    hooks_only = await new_app("webhooks")
    for event_type, scope in (
        ("user.online", "presence:read"),
        ("user.created", "users:read"),
        ("user.disabled", "users:read"),
    ):
        reply = await hooks_only.http.post(
            HOOKS, json={"url": "http://127.0.0.1:9/", "event_types": [event_type]}
        )
        assert reply.status_code == 403, reply.text
        assert reply.json()["error"]["code"] == "insufficient_scope"
        assert reply.json()["error"]["details"]["scope"] == scope
    async with httpx.AsyncClient(base_url=server.base_url) as anonymous:
        assert (await anonymous.get(HOOKS)).status_code == 401


async def test_deliveries_pending_when_the_server_is_killed_all_arrive_after_restart(
    server: ServerProcess, new_app: NewApp, people: tuple[Person, Person], receiver: Receiver
) -> None:
    alice, bob = people
    app = await new_app("webhooks events:all")
    hook_id, secret = await subscribe(app, receiver.url, "message.sent")
    conversation = await group(alice, bob.id)
    receiver.answer("fail")
    failing = [f"failing {n}" for n in range(10)]
    for text in failing:
        await say(alice, conversation, text)
    # Every one was tried and failed at least once: their retries are pending.
    await receiver.wait_for(
        lambda f: {r.event["data"]["body"]["text"] for r in f if r.status == 500} >= set(failing)
    )
    # More events, just committed: some still in the outbox when the server dies.
    fresh = [f"fresh {n}" for n in range(10)]
    await asyncio.gather(*(say(alice, conversation, text) for text in fresh))
    server.kill()
    receiver.answer("ok")
    server.start()
    found = await receiver.wait_for(lambda f: texts(f) >= set(failing + fresh), within=60)
    assert all(verify(secret, r) for r in found)
    by_text: dict[str, set[str]] = {}
    for r in found:
        by_text.setdefault(r.event["data"]["body"]["text"], set()).add(r.webhook_id)
    # At least once each, every attempt of one event under one webhook-id.
    assert all(len(ids) == 1 for ids in by_text.values()), by_text
    for text in failing:
        attempts = [r for r in found if r.event["data"]["body"]["text"] == text]
        assert {r.status for r in attempts} >= {500, 204}
    listed = await settled(app, hook_id)
    assert len(listed) == 20
    assert {d["status"] for d in listed} == {"succeeded"}


async def test_people_events_arrive_with_their_documented_data(
    server: ServerProcess, new_app: NewApp, receiver: Receiver
) -> None:
    """user.disabled (a console freeze and an app's disable), friend.added (the one who
    asked first) and user.online / user.offline, as docs/protocol.md "Webhooks" gives them."""
    app = await new_app("webhooks events:all users:read users:write presence:read")
    _, secret = await subscribe(
        app, receiver.url, "user.disabled", "friend.added", "user.online", "user.offline"
    )
    admin, asker, accepter, frozen = [
        await register(server.base_url, name) for name in ("admin", "asker", "accepter", "frozen")
    ]
    await make_admin(server, admin, "org_admin")
    # Frozen in the console, and disabled by the app (a user it owns).
    await admin.http.call("POST", f"/api/v1/admin/users/{frozen.id}/freeze", {"reason": "left"})
    external_id = f"E-{secrets.token_hex(4)}"
    owned = (
        await app.call("POST", "/api/v1/app/users", {"external_id": external_id, "nickname": "Ex"})
    )["user"]
    await app.call("POST", f"/api/v1/app/users/ext:{external_id}/disable")
    # Friends: the request's sender is user_id.
    async with asker.client(server.base_url) as a, accepter.client(server.base_url) as b:
        await befriend(a, b, accepter)
    # The last connection of each closed: both went offline.

    def of_user(found: list[Received], event_type: str, user_id: int) -> list[Received]:
        return [r for r in of_type(found, event_type) if r.event["data"].get("user_id") == user_id]

    def all_there(found: list[Received]) -> bool:
        return all(
            (
                of_user(found, "user.disabled", frozen.id),
                of_user(found, "user.disabled", owned["id"]),
                of_user(found, "friend.added", asker.id),
                of_user(found, "user.online", asker.id),
                of_user(found, "user.online", accepter.id),
                of_user(found, "user.offline", asker.id),
                of_user(found, "user.offline", accepter.id),
            )
        )

    found = await receiver.wait_for(all_there)
    assert all(verify(secret, r) for r in found)
    # Exactly the documented data, no more.
    for user_id in (frozen.id, owned["id"]):
        (disabled,) = of_user(found, "user.disabled", user_id)
        assert disabled.event["data"] == {"user_id": user_id}
    (friends,) = of_user(found, "friend.added", asker.id)
    assert friends.event["data"] == {"user_id": asker.id, "friend_id": accepter.id}
    for person in (asker, accepter):
        (online,) = of_user(found, "user.online", person.id)
        (offline,) = of_user(found, "user.offline", person.id)
        assert online.event["data"] == offline.event["data"] == {"user_id": person.id}
        # Online first (the event's time is when the node saw the transition).
        assert online.event["timestamp"] <= offline.event["timestamp"]
        assert online.event["event_id"] < offline.event["event_id"]
    for person in (admin, asker, accepter, frozen):
        await person.http.close()


async def test_without_events_all_an_app_hears_no_friendships_of_others(
    server: ServerProcess, new_app: NewApp, receiver: Receiver, tmp_path: Path
) -> None:
    """Others' friendships need events:all: an app without it hears their presence (it
    holds presence:read) but not that they became friends."""
    everything = await new_app("webhooks events:all presence:read")
    narrow = await new_app("webhooks presence:read")
    witness = Receiver(tmp_path / "witness")
    (tmp_path / "witness").mkdir()
    witness.start()
    try:
        types = ("friend.added", "user.online", "user.offline")
        await subscribe(everything, witness.url, *types)
        await subscribe(narrow, receiver.url, *types)
        asker, accepter = [await register(server.base_url, n) for n in ("asker", "accepter")]
        async with asker.client(server.base_url) as a, accepter.client(server.base_url) as b:
            await befriend(a, b, accepter)
        await witness.wait_for(
            lambda f: bool(
                [r for r in of_type(f, "friend.added") if r.event["data"]["user_id"] == asker.id]
            )
        )
        # The narrow app heard the presence of both, but not their friendship.
        found = await receiver.wait_for(
            lambda f: (
                {r.event["data"]["user_id"] for r in of_type(f, "user.offline")}
                >= {asker.id, accepter.id}
            )
        )
        assert of_type(found, "friend.added") == []
        for person in (asker, accepter):
            await person.http.close()
    finally:
        witness.stop()


async def test_users_made_on_the_command_line_are_user_created_events(
    server: ServerProcess, new_app: NewApp, receiver: Receiver
) -> None:
    """`tidings user create` (another process, writing to the same database) and the bot
    account of `tidings app create` go through the outbox as a registration does."""
    app = await new_app("webhooks users:read users:write")
    _, secret = await subscribe(app, receiver.url, "user.created")
    account = f"cli{secrets.token_hex(4)}"
    process = await asyncio.create_subprocess_exec(
        TIDINGS,
        "user",
        "create",
        account,
        "--nickname",
        "From The Shell",
        "--password",
        "a long and unusual passphrase 42",
        "--data-dir",
        str(server.data_dir),
        env=server.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, output.decode()
    user_id = int(output.decode().split()[2])
    bot_app = await new_app("webhooks")
    bot_id = (await bot_app.me())["bot_user_id"]
    # And one the app makes itself, with the host's id.
    external_id = f"E-{secrets.token_hex(4)}"
    made = await app.call(
        "POST", "/api/v1/app/users", {"external_id": external_id, "nickname": "Hired"}
    )

    def by_user(found: list[Received]) -> dict[int, dict[str, Any]]:
        return {r.event["data"]["user_id"]: r.event["data"] for r in of_type(found, "user.created")}

    found = await receiver.wait_for(
        lambda f: by_user(f).keys() >= {user_id, bot_id, made["user"]["id"]}
    )
    assert all(verify(secret, r) for r in found)
    users = by_user(found)
    assert users[user_id] == {
        "user_id": user_id,
        "account": account,
        "nickname": "From The Shell",
        "kind": "person",
        "external_id": None,
    }
    assert users[bot_id]["kind"] == "bot"
    assert users[made["user"]["id"]]["external_id"] == external_id


async def test_a_sync_that_disables_people_sends_each_one_user_disabled(
    server: ServerProcess, new_app: NewApp, receiver: Receiver
) -> None:
    """An app's sync creates people (user.created each) and, in sync mode, disables those it
    leaves out: one user.disabled each, however many parts the sync is applied in."""
    app = await new_app("webhooks users:read users:write org:write")
    await subscribe(app, receiver.url, "user.created", "user.disabled")
    key = secrets.token_hex(3)
    department = {"external_id": f"d-{key}", "name": f"Sync {key}"}
    people = [
        {
            "external_id": f"s{i}-{key}",
            "account": f"s{i}x{key}",
            "nickname": f"Synced {i}",
            "departments": [{"department": f"d-{key}"}],
        }
        for i in range(3)
    ]
    sync = "/api/v1/app/sync"
    await app.call("POST", sync, {"mode": "merge", "departments": [department], "users": people})

    def ids_of(found: list[Received], event_type: str) -> list[int]:
        return [
            r.event["data"]["user_id"]
            for r in of_type(found, event_type)
            if r.event["data"].get("account", f"x{key}").endswith(f"x{key}")
        ]

    found = await receiver.wait_for(lambda f: len(ids_of(f, "user.created")) == 3)
    made = {
        r.event["data"]["account"]: r.event["data"]["user_id"]
        for r in of_type(found, "user.created")
    }
    left_out = {made[p["account"]] for p in people[1:]}
    await app.call("POST", sync, {"mode": "sync", "departments": [department], "users": people[:1]})
    await receiver.wait_for(lambda f: set(ids_of(f, "user.disabled")) >= left_out)
    await asyncio.sleep(0.5)  # a second event of either would be here by now
    disabled = [u for u in ids_of(receiver.received(), "user.disabled") if u in set(made.values())]
    assert sorted(disabled) == sorted(left_out)
