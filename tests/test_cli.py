"""The `tidings` command: users, the demo, and the SDK-backed send and listen."""

from __future__ import annotations

import asyncio
import json
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
            # The demo ships a small organization: Alice sees her part of it (Engineering
            # and Platform below it, not Design) ...
            org = await http.call("GET", "/api/v1/org")
            assert org["company"] == "Tidings Demo Co."
            assert sorted(d["name"] for d in org["departments"]) == ["Engineering", "Platform"]
            # ... and Carol, whom the tree hides from her, by name: they share a group.
            found = await http.call("GET", "/api/v1/users", q="carol")
            assert [u["nickname"] for u in found["users"]] == ["Carol Wang"]
            carol = await http.call("GET", f"/api/v1/users/{found['users'][0]['id']}")
            assert carol["nickname"] == "Carol Wang" and carol["departments"] == []
            me = await http.call("GET", "/api/v1/me")
            mine = await http.call("GET", f"/api/v1/users/{me['id']}")
            assert mine["departments"][0]["position"] == "Head of Engineering"
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
        # The command line signs in as this machine's known device (docs/protocol.md "Known
        # devices"): the token the server gave is kept and sent back next time.
        cli_env = {"TIDINGS_PASSWORD": "tidings-demo", "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
        tokens_file = tmp_path / "cfg" / "tidings" / "device-tokens.json"
        code, output = await _run(
            "send",
            "--url",
            server.base_url,
            "--account",
            "alice",
            "--conversation",
            str(group["id"]),
            "from the command line",
            env=cli_env,
        )
        assert code == 0 and "sent: conversation" in output, output
        heard = await asyncio.wait_for(listener.stdout.read(), 30)
        await listener.wait()
        assert "from the command line" in heard.decode()
        first = json.loads(tokens_file.read_text())
        assert list(first) == [f"{server.base_url} alice"]
        assert oct(tokens_file.stat().st_mode & 0o777) == "0o600"
        code, output = await _run(
            "send",
            "--url",
            server.base_url,
            "--account",
            "Alice",
            "--conversation",
            str(group["id"]),
            "again",
            env=cli_env,
        )
        assert code == 0, output
        # The server echoes a token it knows for that user: the device stayed known.
        assert json.loads(tokens_file.read_text()) == first
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


async def test_a_bad_smtp_url_is_named_and_nothing_starts(tmp_path: Path) -> None:
    code, output = await _run(
        "serve", "--data-dir", str(tmp_path), env={"TIDINGS_SMTP_URL": "mail.example.com:25"}
    )
    assert code == 2
    assert output.startswith("tidings: TIDINGS_SMTP_URL: Value error, expected smtp://")
    assert not (tmp_path / "tidings.db").exists()
