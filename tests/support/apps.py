"""Apps in tests (issue 14): registered the way an operator does (`tidings app create`), and
their tokens from the OAuth 2.0 token endpoint."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.server import TIDINGS, ServerProcess


@dataclass(frozen=True)
class AppCredentials:
    app_id: int
    client_id: str
    client_secret: str


async def create_app(server: ServerProcess, name: str, scopes: str) -> AppCredentials:
    """`tidings app create NAME --scopes "..."` against the server's data directory."""
    process = await asyncio.create_subprocess_exec(
        TIDINGS,
        "app",
        "create",
        name,
        "--scopes",
        scopes,
        "--data-dir",
        str(server.data_dir),
        env=server.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    text = output.decode()
    assert process.returncode == 0, text
    lines = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
    return AppCredentials(
        app_id=int(lines["app"].split()[0]),
        client_id=lines["client_id"],
        client_secret=lines["client_secret"],
    )


async def app_token(base_url: str, app: AppCredentials, scope: str | None = None) -> dict[str, Any]:
    """A client-credentials grant with HTTP Basic, as RFC 6749 prefers."""
    form = {"grant_type": "client_credentials"}
    if scope is not None:
        form["scope"] = scope
    async with httpx.AsyncClient(base_url=base_url) as http:
        reply = await http.post(
            "/api/v1/oauth/token", data=form, auth=(app.client_id, app.client_secret)
        )
    assert reply.status_code == 200, reply.text
    grant: dict[str, Any] = reply.json()
    return grant


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
