"""Apps in tests (issue 14): registered the way an operator does (`tidings app create`), and
their tokens from the OAuth 2.0 token endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.server import ServerProcess


@dataclass(frozen=True)
class AppCredentials:
    app_id: int
    client_id: str
    client_secret: str


async def create_app(server: ServerProcess, name: str, scopes: str) -> AppCredentials:
    """`tidings app create NAME --scopes "..."` against the server's data directory."""
    text = await server.command("app", "create", name, "--scopes", scopes)
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
