"""Shared fixtures: a real server process per test module, on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.server import (
    ServerProcess,
    create_pg_database,
    drop_pg_database,
    new_pg_database,
    remove_pg_database,
)
from tests.support.users import Person, register

# The shared server of the contacts, organization and group modules (tests/support/social.py).
pytest_plugins = ["tests.support.social"]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """A real server process; every test using it runs on both storage engines."""
    # A test module may set SERVER_ENV for settings of its own (e.g. a shorter minimum mute).
    env: dict[str, str] = dict(getattr(request.module, "SERVER_ENV", {}))
    database: str | None = None
    if request.param == "postgresql":
        database = new_pg_database()
        env["TIDINGS_DATABASE_URL"] = database
    process = ServerProcess(tmp_path_factory.mktemp("server"), env=env)
    process.start()
    yield process
    process.stop()
    if database is not None:
        remove_pg_database(database)


@pytest.fixture(scope="module")
def base_url(server: ServerProcess) -> str:
    return server.base_url


@pytest.fixture
async def alice(base_url: str) -> AsyncIterator[Person]:
    user = await register(base_url, "alice")
    yield user
    await user.http.close()


@pytest.fixture
async def bob(base_url: str) -> AsyncIterator[Person]:
    user = await register(base_url, "bob")
    yield user
    await user.http.close()


@pytest.fixture
async def carol(base_url: str) -> AsyncIterator[Person]:
    user = await register(base_url, "carol")
    yield user
    await user.http.close()


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    url = await create_pg_database()
    yield url
    await drop_pg_database(url)
