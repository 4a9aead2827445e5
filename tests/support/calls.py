"""Helpers of the call tests: waiting for a call's pushes, and the call entries of a chat."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.support.users import PASSWORD, Person, register
from tests.support.waiting import eventually
from tidings.sdk import CallPushed, ServerError, TidingsClient, TidingsHttp


class CallPushes:
    """Every call push one client receives, in order."""

    def __init__(self, client: TidingsClient) -> None:
        self.seen: list[CallPushed] = []
        client.on(self._on)

    def _on(self, event: object) -> None:
        if isinstance(event, CallPushed):
            self.seen.append(event)

    def of(self, kind: str, call_id: int | None = None) -> list[dict[str, Any]]:
        return [
            p.data
            for p in self.seen
            if p.kind == kind
            and (call_id is None or p.data.get("call_id", p.data.get("id")) == call_id)
        ]

    async def wait(self, kind: str, call_id: int | None = None) -> dict[str, Any]:
        found = await eventually(lambda: self.of(kind, call_id), within=15)
        return found[-1]


async def code_of(call: Any) -> str:
    with pytest.raises(ServerError) as failure:
        await call
    return failure.value.code


async def call_entries(client: TidingsClient, conversation_id: int) -> list[dict[str, Any]]:
    history = await client.request(
        "history", {"conversation_id": conversation_id, "after_seq": 0, "limit": 500}
    )
    return [e for e in history["messages"] if e["kind"] == "call"]


async def recorded(client: TidingsClient, conversation_id: int, call_id: int) -> dict[str, Any]:
    """The call's entry in the chat, once it is there."""

    async def check() -> dict[str, Any] | None:
        entries = await call_entries(client, conversation_id)
        found = [e for e in entries if e["body"]["call_id"] == call_id]
        assert len(found) <= 1, found
        return found[0] if found else None

    return await eventually(check, within=15)


@asynccontextmanager
async def connected(*clients: TidingsClient) -> AsyncIterator[None]:
    await asyncio.gather(*(c.start() for c in clients))
    try:
        yield
    finally:
        await asyncio.gather(*(c.close() for c in clients))


async def second_device(base_url: str, person: Person) -> TidingsClient:
    """A client of another session of the person's (signed in on the desktop)."""
    http = TidingsHttp(base_url)
    try:
        signed_in = await http.login(person.account, PASSWORD, platform="desktop")
    finally:
        await http.close()
    return TidingsClient(base_url, token=signed_in["token"])


@asynccontextmanager
async def people(*base_urls: str) -> AsyncIterator[list[Person]]:
    """A new user registered at each URL (a node), their HTTP clients closed afterwards."""
    made = [await register(url, f"caller{i}") for i, url in enumerate(base_urls)]
    try:
        yield made
    finally:
        for person in made:
            await person.http.close()
