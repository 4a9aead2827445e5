"""App tokens expire (issue 14, J1; decision 0065): with a lifetime of two seconds
(``TIDINGS_APP_TOKEN_TTL_SECONDS``), a token stops working when it has lived it, and
TidingsApp keeps an app working across several lifetimes on new tokens."""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.support.apps import app_token, bearer, create_app
from tests.support.server import ServerProcess
from tests.support.waiting import eventually
from tidings.sdk import TidingsApp

SERVER_ENV = {"TIDINGS_APP_TOKEN_TTL_SECONDS": "2"}


async def status_of(base_url: str, token: str) -> int:
    async with httpx.AsyncClient(base_url=base_url) as http:
        return (await http.get("/api/v1/app/me", headers=bearer(token))).status_code


async def test_a_token_dies_after_its_lifetime_and_tidings_app_renews_it(
    server: ServerProcess, base_url: str
) -> None:
    credentials = await create_app(server, "Short lived", "presence:read")
    grant = await app_token(base_url, credentials)
    assert grant["expires_in"] == 2
    assert await status_of(base_url, grant["access_token"]) == 200

    async def dead() -> bool:
        return await status_of(base_url, grant["access_token"]) == 401

    await eventually(dead)
    async with TidingsApp(base_url, credentials.client_id, credentials.client_secret) as app:
        me = await app.me()
        seen = {await app.token()}
        deadline = time.monotonic() + 20
        # Calls across three lifetimes and more, every one answered.
        while len(seen) < 3:
            assert time.monotonic() < deadline, seen
            assert await app.me() == me
            seen.add(await app.token())
            await asyncio.sleep(0.2)
