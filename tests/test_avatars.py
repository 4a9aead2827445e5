"""Avatars (A7, issue 12), on SQLite and PostgreSQL: an uploaded square image named in the
profile as ``file:<id>``, checked by the server; anyone signed in may read it, only while it
is the avatar; chat lists carry a direct chat's peer avatar."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from tests.support.files import jpeg, uploaded
from tests.support.social import http_refused, online, refused
from tests.support.users import Person


def png(width: int = 128, height: int = 128) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


async def test_avatar_set_checked_and_readable_by_others(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=30) as http,
        online(base_url, alice, bob, carol) as (a, b, c),
    ):
        image = await uploaded(http, alice.token, png(), filename="me.png", filetype="image/png")
        # Before it is an avatar, Carol (no shared chat) may not read Alice's upload.
        assert await refused(c, "files.link", {"file_id": image}) == "not_found"
        user = await a.request("profile.update", {"avatar": f"file:{image}"})
        assert user["avatar"] == f"file:{image}"
        link = await c.request("files.link", {"file_id": image})
        got = await http.get(link["url"])
        assert got.status_code == 200 and got.content == png()
        card = await c.request("users.lookup", {"user_ids": [alice.id]})
        assert card["users"][0]["avatar"] == f"file:{image}"
        chat = await b.request("conversation.open_direct", {"peer_id": alice.id})
        listed = await b.request("conversations.list", {})
        summary = next(s for s in listed["conversations"] if s["id"] == chat["id"])
        assert summary["peer"]["avatar"] == f"file:{image}"

        # Replaced: the old image is Alice's own again.
        second = await uploaded(
            http, alice.token, png(64, 64), filename="2.png", filetype="image/png"
        )
        await a.request("profile.update", {"avatar": f"file:{second}"})
        assert await refused(c, "files.link", {"file_id": image}) == "not_found"
        await c.request("files.link", {"file_id": second})
        await a.request("profile.update", {"avatar": ""})
        assert await refused(c, "files.link", {"file_id": second}) == "not_found"


async def test_bad_avatars_are_refused(base_url: str, alice: Person, bob: Person) -> None:
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=30) as http,
        online(base_url, alice) as (a,),
    ):
        bobs = await uploaded(http, bob.token, png(), filename="bob.png", filetype="image/png")
        wide = await uploaded(
            http, alice.token, jpeg(200, 100), filename="wide.jpg", filetype="image/jpeg"
        )
        text = await uploaded(http, alice.token, b"not an image", filename="a.txt")
        expiring = await uploaded(
            http, alice.token, png(), filename="e.png", filetype="image/png", expiry_days="1"
        )
        tiny = await uploaded(http, alice.token, png(8, 8), filename="t.png", filetype="image/png")
        for avatar in (
            f"file:{bobs}",  # someone else's upload
            f"file:{wide}",  # not square
            f"file:{text}",  # not an image
            f"file:{expiring}",  # would disappear
            f"file:{tiny}",  # too small
            "file:nosuchfile",
            "https://example.com/a.png",  # anything but our own files
        ):
            assert await refused(a, "profile.update", {"avatar": avatar}) == "invalid_avatar", (
                avatar
            )
        assert (await a.request("profile.get", {}))["avatar"] == "", "nothing changed"
        # Over REST too (the same action).
        patch = await http_refused(alice, "PATCH", "/api/v1/me", {"avatar": f"file:{bobs}"})
        assert patch == "invalid_avatar"
