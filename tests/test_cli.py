"""The `tidings` command: users, the demo, and the SDK-backed send and listen."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from tests.support.server import FAST_HASH_ENV, TIDINGS, ServerProcess
from tidings.sdk import TidingsHttp


async def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        TIDINGS,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, **FAST_HASH_ENV, **(env or {})},
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, output.decode()


async def test_user_create_demo_send_and_listen(tmp_path: Path) -> None:
    data = tmp_path / "data"
    code, output = await _run(
        "user",
        "create",
        "grace",
        "--nickname",
        "Grace",
        "--password",
        "a long password",
        "--data-dir",
        str(data),
    )
    assert code == 0 and "created user" in output, output
    code, output = await _run(
        "user", "create", "grace", "--password", "another long password", "--data-dir", str(data)
    )
    assert code == 1 and "account_taken" in output
    code, output = await _run("demo", "--data-dir", str(data))
    assert code == 0 and "alice" in output

    server = ServerProcess(data)
    server.start()
    try:
        async with TidingsHttp(server.base_url) as http:
            await http.login("alice", "tidings-demo")
            listing = await http.call("GET", "/api/v1/conversations")
        group = next(c for c in listing["conversations"] if c["type"] == "group")
        listener = await asyncio.create_subprocess_exec(
            TIDINGS,
            "listen",
            "--url",
            server.base_url,
            "--account",
            "bob",
            "--count",
            "1",
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "TIDINGS_PASSWORD": "tidings-demo"},
        )
        assert listener.stdout is not None
        ready = await asyncio.wait_for(listener.stdout.readline(), 30)
        assert ready.strip() == b"listening"
        code, output = await _run(
            "send",
            "--url",
            server.base_url,
            "--account",
            "alice",
            "--conversation",
            str(group["id"]),
            "from the command line",
            env={"TIDINGS_PASSWORD": "tidings-demo"},
        )
        assert code == 0 and "sent: conversation" in output, output
        heard = await asyncio.wait_for(listener.stdout.read(), 30)
        await listener.wait()
        assert "from the command line" in heard.decode()
    finally:
        server.stop()


async def test_a_bad_setting_is_named_and_nothing_starts(tmp_path: Path) -> None:
    code, output = await _run(
        "serve", "--data-dir", str(tmp_path), env={"TIDINGS_NODE_ID": "two words"}
    )
    assert code == 2
    assert output.startswith("tidings: TIDINGS_NODE_ID: String should match pattern")
    assert "Traceback" not in output
    assert not (tmp_path / "tidings.db").exists()
