"""The app API with the host system in its own process (issue 14): it syncs a tree and 1,000
people, sends as one of them and as its bot — a synced person's real WebSocket client gets
both, the bot's under the app's name — and is rate limited (429 with Retry-After)."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from typing import Any

import httpx

from tests.support.apps import create_app
from tests.support.server import ServerProcess
from tidings.sdk import TidingsClient

# Low enough that the host sees a 429 after its sync and sends; the SDK's own calls wait
# a 429 out, so they pass anyway.
SERVER_ENV = {"TIDINGS_RATE_APP_API": "40/1m"}


async def _sso_session(base_url: str, token: str, external_id: str) -> str:
    """A synced person signs in by an SSO ticket (they have no password)."""
    async with httpx.AsyncClient(base_url=base_url) as http:
        headers = {"Authorization": f"Bearer {token}"}
        # The host has just spent the app's rate: wait it out, as its Retry-After says.
        for _ in range(30):
            ticket = await http.post(
                "/api/v1/app/sso-tickets",
                json={"user": {"external_id": external_id}},
                headers=headers,
            )
            if ticket.status_code != 429:
                break
            await asyncio.sleep(float(ticket.headers["retry-after"]))
        assert ticket.status_code == 201, ticket.text
        signed = await http.post("/api/v1/auth/sso", json={"ticket": ticket.json()["ticket"]})
        assert signed.status_code == 200, signed.text
        session: str = signed.json()["token"]
    return session


async def test_a_host_in_its_own_process_syncs_sends_and_is_limited(
    server: ServerProcess, base_url: str
) -> None:
    credentials = await create_app(
        server, "Web shop", "users:read users:write org:write messages:send sso"
    )
    key = uuid.uuid4().hex[:6]
    host = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.host_app",
        base_url,
        credentials.client_id,
        credentials.client_secret,
        key,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert host.stdout is not None
    steps: dict[str, dict[str, Any]] = {}
    client: TidingsClient | None = None
    try:
        while "rate_limited" not in steps and "never_limited" not in steps:
            line = await asyncio.wait_for(host.stdout.readline(), 240)
            assert line, f"the host stopped: {steps}"
            try:
                step = json.loads(line)
            except ValueError:
                raise AssertionError(line.decode() + (await host.stdout.read()).decode()) from None
            steps[step["step"]] = step
            if step["step"] == "synced":
                assert step["created"] == 1000
        assert "rate_limited" in steps and int(steps["rate_limited"]["retry_after"]) >= 1
        # The receiver, a synced person, connects and finds both messages.
        grant = await _token(base_url, credentials.client_id, credentials.client_secret)
        session = await _sso_session(base_url, grant, f"{key}-u1")
        client = TidingsClient(base_url, token=session)
        await client.start()
        messages: dict[str, list[dict[str, Any]]] = {}
        for name in ("sent_as_user", "sent_as_bot"):
            messages[name] = await client.history(steps[name]["conversation_id"])
        assert [m["body"]["text"] for m in messages["sent_as_user"]] == ["as a user"]
        (from_bot,) = messages["sent_as_bot"]
        assert from_bot["body"]["text"] == "as the bot"
        cards = await client.request("users.lookup", {"user_ids": [from_bot["sender_id"]]})
        assert cards["users"][0]["nickname"] == "Web shop"
    finally:
        if client is not None:
            await client.close()
        if host.returncode is None:
            host.kill()
        await host.wait()


async def _token(base_url: str, client_id: str, secret: str) -> str:
    async with httpx.AsyncClient(base_url=base_url) as http:
        reply = await http.post(
            "/api/v1/oauth/token",
            data={"grant_type": "client_credentials", "scope": "sso"},
            auth=(client_id, secret),
        )
    token: str = reply.json()["access_token"]
    return token
