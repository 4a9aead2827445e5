"""Helpers for contacts, organization and group tests: admins, groups, error codes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from tests.support.server import TIDINGS, ServerProcess
from tests.support.users import Person
from tidings.sdk import ServerError, TidingsClient


async def make_admin(server: ServerProcess, person: Person) -> None:
    """Make a server admin the way an operator does: `tidings user admin <account>`."""
    process = await asyncio.create_subprocess_exec(
        TIDINGS,
        "user",
        "admin",
        person.account,
        "--data-dir",
        str(server.data_dir),
        env=server.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, output.decode()


@asynccontextmanager
async def online(base_url: str, *people: Person) -> AsyncIterator[list[TidingsClient]]:
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(p.client(base_url)) for p in people]


async def refused(client: TidingsClient, op: str, data: dict[str, Any]) -> str:
    """The error code a request is refused with; fails if it succeeds."""
    try:
        result = await client.request(op, data)
    except ServerError as error:
        return error.code
    raise AssertionError(f"{op} {data} was accepted: {result}")


async def http_refused(person: Person, method: str, path: str, body: Any = None) -> str:
    try:
        result = await person.http.call(method, path, body)
    except ServerError as error:
        return error.code
    raise AssertionError(f"{method} {path} was accepted: {result}")


async def new_group(client: TidingsClient, *members: Person, name: str = "Team") -> int:
    group = await client.request(
        "conversation.create_group", {"name": name, "member_ids": [m.id for m in members]}
    )
    return int(group["id"])


async def befriend(a: TidingsClient, b: TidingsClient, b_person: Person) -> None:
    request = await a.request("friends.request", {"user_id": b_person.id, "message": "hi"})
    await b.request("friends.accept", {"request_id": request["request_id"]})
