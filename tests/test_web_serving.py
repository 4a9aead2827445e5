"""What the web client needs of the server beyond the protocol: the app served at its
links (`/invite/<code>`, the link inside invite QR codes) under the same security headers as
`/`, and the group avatar in conversation summaries (the conversation list shows it)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx

from tests.support.social import new_group, online
from tests.support.users import Person

_STATIC = Path(tempfile.mkdtemp(prefix="tidings-static-"))
(_STATIC / "index.html").write_text(
    "<!doctype html><title>Tidings</title><div id=root></div>", encoding="utf-8"
)
# The conftest's server fixture starts the server with these (on both storage engines).
SERVER_ENV = {"TIDINGS_STATIC_DIR": str(_STATIC)}


async def test_invite_links_open_the_app_with_the_security_headers(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        root = await http.get("/")
        invite = await http.get("/invite/Abc-def_12345678")
        assert root.status_code == invite.status_code == 200
        assert invite.text == root.text and "id=root" in invite.text
        assert invite.headers["content-type"].startswith("text/html")
        assert invite.headers["cache-control"] == "no-cache"
        for name in ("content-security-policy", "x-content-type-options", "referrer-policy"):
            assert invite.headers[name] == root.headers[name]
        assert "script-src 'self'" in invite.headers["content-security-policy"]
        # Only the shape of a code: anything else stays unknown.
        for bad in (
            "/invite/",
            "/invite/short",
            "/invite/a%3Cb%3Eccccccc",
            "/invite/x/y",
            "/invitex",
        ):
            assert (await http.get(bad)).status_code == 404, bad


async def test_group_summaries_carry_the_group_avatar(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with online(base_url, alice, bob) as (a, b):
        group = await new_group(a, bob, name="Rockets")
        summary = await a.request("conversation.get", {"conversation_id": group})
        assert summary["avatar"] == ""
        await a.request("group.update", {"conversation_id": group, "avatar": "emoji:🚀"})
        for client in (a, b):
            summary = await client.request("conversation.get", {"conversation_id": group})
            assert summary["avatar"] == "emoji:🚀"
        listed = await b.request("conversations.list", {})
        by_id = {c["id"]: c for c in listed["conversations"]}
        assert by_id[group]["avatar"] == "emoji:🚀"
        direct = await a.request("conversation.open_direct", {"peer_id": bob.id})
        assert "avatar" not in direct
        # The invite's preview shows it too (the app's invite page).
        invite = await a.request("invites.create", {"kind": "group", "conversation_id": group})
        preview = await b.request("invites.get", {"code": invite["code"]})
        assert preview["group"]["avatar"] == "emoji:🚀"
