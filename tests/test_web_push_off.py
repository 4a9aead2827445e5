"""Web Push turned off (TIDINGS_PUSH_ENABLED=false): no key is offered, subscribing says so."""

from __future__ import annotations

from tests.support.push_service import Browser
from tests.support.social import refused
from tests.support.users import Person

SERVER_ENV = {"TIDINGS_PUSH_ENABLED": "false"}


async def test_push_off(base_url: str, alice: Person) -> None:
    async with alice.client(base_url) as a:
        assert await a.request("push.config") == {"vapid_public_key": None}
        data = {"endpoint": "https://push.example.com/x", "keys": Browser().keys()}
        assert await refused(a, "push.subscribe", data) == "push_unavailable"
