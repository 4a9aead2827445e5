"""A webhook that keeps failing is paused, super admins are told in their system notices,
and the app resumes it (issue 14, J2; decision 0068). A server of its own: the pause comes
after three failures here (a day of them by default)."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.admin import Staff, staff
from tests.support.apps import app_token, bearer, create_app
from tests.support.server import ServerProcess
from tests.support.webhooks import Receiver, delivered, verify

SERVER_ENV = {
    "TIDINGS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
    "TIDINGS_WEBHOOK_TIMEOUT_SECONDS": "1",
    "TIDINGS_WEBHOOK_RETRY_SECONDS": ",".join(["0.2"] * 30),
    "TIDINGS_WEBHOOK_POLL_SECONDS": "0.2",
    "TIDINGS_WEBHOOK_PAUSE_AFTER_SECONDS": "0",
    "TIDINGS_WEBHOOK_PAUSE_AFTER_FAILURES": "3",
}
HOOKS = "/api/v1/app/webhooks"


@pytest.fixture(scope="module")
async def people(server: ServerProcess) -> AsyncIterator[Staff]:
    found = await staff(server)
    yield found
    await found.close()


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    found = Receiver(tmp_path)
    found.start()
    yield found
    found.stop()


async def notices(person: Any) -> list[dict[str, Any]]:
    conversations = (await person.http.call("GET", "/api/v1/conversations"))["conversations"]
    (system,) = [c for c in conversations if c["type"] == "system"]
    found = await person.http.call("GET", f"/api/v1/conversations/{system['id']}/messages")
    messages: list[dict[str, Any]] = found["messages"]
    return messages


async def test_a_failing_webhook_is_paused_admins_are_told_and_resuming_sends_what_waited(
    server: ServerProcess, people: Staff, receiver: Receiver
) -> None:
    name = f"ERP {secrets.token_hex(3)}"
    credentials = await create_app(server, name, "webhooks events:all")
    token = (await app_token(server.base_url, credentials))["access_token"]
    async with httpx.AsyncClient(base_url=server.base_url, headers=bearer(token)) as app:
        created = (
            await app.post(HOOKS, json={"url": receiver.url, "event_types": ["message.sent"]})
        ).json()
        hook_id, secret = created["webhook"]["id"], created["secret"]
        receiver.answer("fail")
        author = people.plain
        conversation = (
            await author.http.call(
                "POST",
                "/api/v1/conversations",
                {"type": "group", "name": "Orders", "member_ids": [people.auditor.id]},
            )
        )["id"]
        for n in range(3):
            await author.http.call(
                "POST",
                f"/api/v1/conversations/{conversation}/messages",
                {"client_msg_id": secrets.token_hex(8), "type": "text", "body": {"text": f"{n}"}},
            )
        deadline = time.monotonic() + 20
        while True:
            hook = (await app.get(f"{HOOKS}/{hook_id}")).json()["webhook"]
            if hook["status"] == "paused":
                break
            assert time.monotonic() < deadline, hook
            await asyncio.sleep(0.1)
        assert hook["consecutive_failures"] >= 3 and hook["paused_at"] is not None
        # The super admins hear of it in their system notices; other admins do not.
        deadline = time.monotonic() + 10
        while not [m for m in await notices(people.super_admin) if name in m["body"]["title"]]:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
        (notice,) = [m for m in await notices(people.super_admin) if name in m["body"]["title"]]
        assert receiver.url in notice["body"]["text"] and notice["type"] == "notice"
        assert not [m for m in await notices(people.org_admin) if name in m["body"]["title"]]
        # Paused, nothing is posted; its deliveries wait.
        tried = len(receiver.received())
        await asyncio.sleep(1)
        assert len(receiver.received()) == tried
        waiting = (await app.get(f"{HOOKS}/{hook_id}/deliveries")).json()["deliveries"]
        assert {d["status"] for d in waiting} == {"pending"} and len(waiting) == 3
        # Resumed with a working receiver: everything that waited arrives.
        receiver.answer("ok")
        resumed = (await app.post(f"{HOOKS}/{hook_id}/resume")).json()["webhook"]
        assert resumed["status"] == "active" and resumed["consecutive_failures"] == 0
        found = await receiver.wait_for(lambda f: len(delivered(f)) == 3)
        assert all(verify(secret, r) for r in found)
        assert {r.event["data"]["body"]["text"] for r in delivered(found)} == {"0", "1", "2"}
