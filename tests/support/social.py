"""Helpers for contacts, organization and group tests: admins, groups, error codes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import pytest

from tests.support.server import ServerProcess, new_pg_database, remove_pg_database
from tests.support.users import Person
from tidings.sdk import ServerError, TidingsClient

# One-second mutes, so a timed mute can be seen to expire (the product minimum is a minute).
SHARED_SERVER_ENV = {"TIDINGS_MIN_MUTE_SECONDS": "1"}


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def shared_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """One server per engine for the group, permission and organization modules: starting a
    server costs seconds, and these tests keep apart by registering their own users."""
    env = dict(SHARED_SERVER_ENV)
    database = None
    if request.param == "postgresql":
        database = new_pg_database()
        env["TIDINGS_DATABASE_URL"] = database
    process = ServerProcess(tmp_path_factory.mktemp("shared-server"), env=env)
    process.start()
    yield process
    process.stop()
    if database is not None:
        remove_pg_database(database)


async def make_admin(server: ServerProcess, person: Person, role: str = "super_admin") -> None:
    """Make a server admin the way an operator does: `tidings user admin <account>`."""
    await server.command("user", "admin", person.account, "--role", role)


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
