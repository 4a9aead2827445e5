"""The search index is derived from the log (decision 0072): it catches up after a crash, on
a database whose index is gone or was built by another tokenizer, and `tidings search
reindex` builds it again, with the server stopped or running. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.support.raw import RawConnection, raw_connection
from tests.support.server import TIDINGS, ServerProcess, new_pg_database, remove_pg_database
from tests.support.users import Person, register
from tests.support.waiting import eventually

ENV = {"TIDINGS_SEARCH_POLL_SECONDS": "0.1"}


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    env = dict(ENV)
    database = None
    if request.param == "postgresql":
        database = new_pg_database()
        env["TIDINGS_DATABASE_URL"] = database
    process = ServerProcess(tmp_path / "server", env=env)
    process.start()
    yield process
    process.stop()
    if database is not None:
        remove_pg_database(database)


@pytest.fixture
async def alice(server: ServerProcess) -> AsyncIterator[Person]:
    person = await register(server.base_url, "alice")
    yield person
    await person.http.close()


async def found(conn: RawConnection, q: str) -> set[int]:
    seqs: set[int] = set()
    cursor = None
    while True:
        reply = await conn.ok(
            "messages.search", {"q": q, "limit": 50, **({"cursor": cursor} if cursor else {})}
        )
        seqs.update(r["seq"] for r in reply["results"])
        cursor = reply["next"]
        if cursor is None:
            return seqs


async def write_chat(server: ServerProcess, alice: Person, word: str, count: int) -> set[int]:
    async with raw_connection(server.base_url, alice.token) as a:
        conv = (await a.ok("conversation.create_group", {"name": "Log", "member_ids": []}))["id"]
        seqs = set()
        for i in range(count):
            entry = await a.ok(
                "send",
                {
                    "conversation_id": conv,
                    "client_msg_id": uuid.uuid4().hex,
                    "type": "text",
                    "body": {"text": f"{word} 第{i}条消息"},
                },
            )
            seqs.add(entry["seq"])
    return seqs


async def all_found(server: ServerProcess, alice: Person, word: str, seqs: set[int]) -> None:
    async with raw_connection(server.base_url, alice.token) as a:

        async def complete() -> bool:
            return await found(a, word) == seqs

        await eventually(complete, within=30, every=0.1)


async def index_state(server: ServerProcess) -> dict[str, str]:
    url = server.env.get("TIDINGS_DATABASE_URL")
    if url:
        conn = await asyncpg.connect(url)
        try:
            return dict(await conn.fetch("SELECT key, value FROM search_state"))  # type: ignore[arg-type]
        finally:
            await conn.close()
    with sqlite3.connect(server.data_dir / "tidings-search.db", timeout=30) as db:
        return dict(db.execute("SELECT key, value FROM search_state").fetchall())


async def damage_index(server: ServerProcess, *, how: str) -> None:
    """With the server stopped: lose the index (``gone``) or make it look built by another
    tokenizer (``stale``)."""
    url = server.env.get("TIDINGS_DATABASE_URL")
    if url:
        conn = await asyncpg.connect(url)
        try:
            if how == "gone":
                await conn.execute("TRUNCATE search_docs")
                await conn.execute("UPDATE search_state SET value = '0' WHERE key = 'watermark'")
            else:
                await conn.execute("UPDATE search_state SET value = '0:old' WHERE key = 'format'")
        finally:
            await conn.close()
        return
    path = server.data_dir / "tidings-search.db"
    if how == "gone":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240 (a test)
    else:
        with sqlite3.connect(path, timeout=30) as db:
            db.execute("UPDATE search_state SET value = '0:old' WHERE key = 'format'")


async def search_command(server: ServerProcess, command: str) -> str:
    """What ``tidings search COMMAND`` prints for the server's data directory."""
    process = await asyncio.create_subprocess_exec(
        TIDINGS,
        "search",
        command,
        "--data-dir",
        str(server.data_dir),
        env={**os.environ, **server.env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    return output.decode()


async def search_status(server: ServerProcess) -> dict[str, str]:
    """``tidings search status``'s lines, by label."""
    lines = (await search_command(server, "status")).splitlines()
    return dict(line.split(": ", 1) for line in lines)


async def test_the_index_catches_up_after_a_crash_and_when_lost_or_stale(
    server: ServerProcess, alice: Person
) -> None:
    seqs = await write_chat(server, alice, "crashtest", 60)
    # Killed right after the sends: the index may well be behind the log.
    server.kill()
    server.start()
    await all_found(server, alice, "crashtest", seqs)
    for how in ("gone", "stale"):
        server.stop()
        await damage_index(server, how=how)
        server.start()
        await all_found(server, alice, "crashtest", seqs)
    state = await index_state(server)
    assert state["format"] != "0:old"
    more = await write_chat(server, alice, "crashtest", 3)
    await all_found(server, alice, "crashtest", seqs | more)


async def test_reindex_builds_it_again_with_the_server_stopped_or_running(
    server: ServerProcess, alice: Person
) -> None:
    seqs = await write_chat(server, alice, "rebuild", 20)
    await all_found(server, alice, "rebuild", seqs)
    generation = int((await index_state(server))["generation"])
    server.stop()
    # `status` says what the index holds: every message (the chat's and the welcome
    # notice), the whole log read, in this server's format...
    held = await search_status(server)
    assert int(held["messages indexed"]) >= len(seqs), held
    await damage_index(server, how="gone")
    # ...and nothing once the index is gone...
    gone = await search_status(server)
    assert gone["messages indexed"] == "0", gone
    assert gone["entries read"].startswith("up to 0 of "), gone
    output = await search_command(server, "reindex")
    assert "search index rebuilt: " in output, output
    assert "messages (entries up to" in output
    # ...and all of it again once rebuilt.
    rebuilt = await search_status(server)
    assert rebuilt["messages indexed"] == held["messages indexed"], rebuilt
    reached, last = rebuilt["entries read"].removeprefix("up to ").split(" of ")
    assert int(reached) == int(last) > 0, rebuilt
    built, this_server = rebuilt["format"].rstrip(")").split(" (this server: ")
    assert built == this_server, rebuilt
    server.start()
    # Built by the command: found at once, nothing left for the server to do.
    async with raw_connection(server.base_url, alice.token) as a:
        assert await found(a, "rebuild") == seqs
    # With the server running, the server does the work.
    output = await search_command(server, "reindex")
    assert "the running server is building it again" in output, output
    assert int((await index_state(server))["generation"]) > generation
    await all_found(server, alice, "rebuild", seqs)
