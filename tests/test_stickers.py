"""A user's own stickers and the composer's map settings, against a real server on SQLite and
PostgreSQL: saving needs the right to read (denials), a saved sticker is then the right to
send it, the collection's maximum holds under concurrent adds, and voice waveforms are
validated."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.files import jpeg, uploaded
from tests.support.users import Person, register
from tidings.sdk import ServerError

# A small maximum, so the concurrency test needs few uploads; the default is 300.
MAX = 5
SERVER_ENV = {
    "TIDINGS_MAX_STICKERS": str(MAX),
    "TIDINGS_MAP_TILE_URL": "https://{s}.tiles.example.test/{z}/{x}/{y}.png",
    "TIDINGS_MAP_ATTRIBUTION": "© Example Tiles",
}
_ids = itertools.count(1)


@dataclass
class Scene:
    base_url: str
    http: httpx.AsyncClient
    alice: Person
    bob: Person
    carol: Person  # shares no conversation with alice
    direct: int  # alice and bob

    async def image(self, who: Person, width: int = 64, height: int = 32) -> str:
        return await uploaded(
            self.http, who.token, jpeg(width, height), filename="s.jpg", filetype="image/jpeg"
        )

    async def send(self, who: Person, type: str, body: dict[str, Any]) -> Any:
        return await who.http.call(
            "POST",
            f"/api/v1/conversations/{self.direct}/messages",
            {"client_msg_id": f"st{next(_ids)}", "type": type, "body": body},
        )


@pytest.fixture(scope="module")
async def scene(base_url: str) -> AsyncIterator[Scene]:
    alice, bob, carol = [await register(base_url, name) for name in ("alice", "bob", "carol")]
    direct = (
        await alice.http.call(
            "POST", "/api/v1/conversations", {"type": "direct", "peer_id": bob.id}
        )
    )["id"]
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        yield Scene(base_url, http, alice, bob, carol, direct)
    for person in (alice, bob, carol):
        await person.http.close()


async def _code(call: Any) -> str:
    with pytest.raises(ServerError) as refused:
        await call
    return refused.value.code


async def test_save_a_received_image_as_a_sticker_and_send_it(scene: Scene) -> None:
    alice, bob = scene.alice, scene.bob
    file_id = await scene.image(alice, 120, 90)
    await scene.send(alice, "image", {"file_id": file_id, "width": 1, "height": 1})
    async with bob.client(scene.base_url) as client:
        saved = await client.request("stickers.add", {"file_id": file_id, "emoji": "😀"})
        assert (saved["file_id"], saved["width"], saved["height"]) == (file_id, 120, 90)
        assert saved["emoji"] == "😀"
        again = await client.request("stickers.add", {"file_id": file_id})
        assert again["added_at"] == saved["added_at"], "saving twice changes nothing"
        listing = await client.request("stickers.list", {})
        assert [s["file_id"] for s in listing["stickers"]] == [file_id]
        assert listing["max"] == MAX
    # Alice recalls the image: bob's saved sticker still lets him send it.
    seq = (await alice.http.call("GET", f"/api/v1/conversations/{scene.direct}/messages"))[
        "messages"
    ][-1]["seq"]
    await alice.http.call("POST", f"/api/v1/conversations/{scene.direct}/messages/{seq}/recall")
    sent = await scene.send(bob, "sticker", {"file_id": file_id, "width": 1, "height": 1})
    assert (sent["type"], sent["body"]["width"]) == ("sticker", 120)
    async with bob.client(scene.base_url) as client:
        assert await client.request("stickers.remove", {"file_id": file_id}) is None
        assert (await client.request("stickers.list", {}))["stickers"] == []
        assert await _code(client.request("stickers.remove", {"file_id": file_id})) == ("not_found")


async def test_someone_elses_file_cannot_be_saved(scene: Scene) -> None:
    """Carol may not read alice's unsent upload, nor one sent where she is no member: saving
    it is refused exactly like reading it (not_found, nothing learnt), and nothing is saved."""
    alice, carol = scene.alice, scene.carol
    unsent = await scene.image(alice)
    sent = await scene.image(alice)
    await scene.send(alice, "image", {"file_id": sent, "width": 1, "height": 1})
    async with carol.client(scene.base_url) as client:
        for file_id in (unsent, sent, "no-such-file"):
            assert await _code(client.request("stickers.add", {"file_id": file_id})) == (
                "not_found"
            )
        assert (await client.request("stickers.list", {}))["stickers"] == []
        assert await _code(client.request("stickers.remove", {"file_id": sent})) == "not_found"
    # Nor may she send it as a sticker.
    carol_bob = (
        await carol.http.call(
            "POST", "/api/v1/conversations", {"type": "direct", "peer_id": scene.bob.id}
        )
    )["id"]
    with pytest.raises(ServerError) as refused:
        await carol.http.call(
            "POST",
            f"/api/v1/conversations/{carol_bob}/messages",
            {
                "client_msg_id": f"st{next(_ids)}",
                "type": "sticker",
                "body": {"file_id": sent, "width": 1, "height": 1},
            },
        )
    assert refused.value.code == "not_found"


async def test_only_images_of_sticker_size_that_do_not_expire(scene: Scene) -> None:
    alice = scene.alice
    document = await uploaded(scene.http, alice.token, b"%PDF-1.4 x", filename="a.pdf")
    huge = await scene.image(alice, 4200, 10)
    expiring = await uploaded(
        scene.http, alice.token, jpeg(), filename="e.jpg", filetype="image/jpeg", expiry_days="1"
    )
    async with alice.client(scene.base_url) as client:
        assert await _code(client.request("stickers.add", {"file_id": document})) == (
            "wrong_file_kind"
        )
        assert await _code(client.request("stickers.add", {"file_id": huge})) == "invalid_input"
        assert await _code(client.request("stickers.add", {"file_id": expiring})) == (
            "file_expired"
        )
        for bad in ({}, {"file_id": ""}, {"file_id": "x", "emoji": ""}, {"file_id": "x", "y": 1}):
            assert await _code(client.request("stickers.add", bad)) == "invalid_input"


async def test_the_maximum_holds_under_concurrent_adds(base_url: str, scene: Scene) -> None:
    """Ten devices of one user add ten different stickers at once: exactly MAX are saved,
    the rest are refused with too_many_stickers."""
    dave = await register(base_url, "dave")
    try:
        files = [await scene.image(dave, 10 + i, 10) for i in range(2 * MAX)]
        clients = [dave.client(base_url) for _ in files]
        for client in clients:
            await client.__aenter__()
        try:
            results = await asyncio.gather(
                *(
                    c.request("stickers.add", {"file_id": f})
                    for c, f in zip(clients, files, strict=True)
                ),
                return_exceptions=True,
            )
            refused = [r for r in results if isinstance(r, ServerError)]
            assert len(refused) == len(files) - MAX
            assert {r.code for r in refused} == {"too_many_stickers"}
            assert all(r.details == {"max": MAX} for r in refused)
            listing = await clients[0].request("stickers.list", {})
            assert len(listing["stickers"]) == MAX
            assert not [r for r in results if isinstance(r, BaseException) and r not in refused]
        finally:
            for client in clients:
                await client.__aexit__(None, None, None)
    finally:
        await dave.http.close()


async def test_map_settings_reach_the_client_and_the_csp(scene: Scene) -> None:
    async with scene.alice.client(scene.base_url) as client:
        config = await client.request("map.config", {})
    assert config == {
        "tile_url": "https://{s}.tiles.example.test/{z}/{x}/{y}.png",
        "attribution": "© Example Tiles",
        "max_zoom": 19,
    }
    page = await scene.http.get("/")
    assert (
        "img-src 'self' data: blob: https://*.tiles.example.test;"
        in (page.headers["content-security-policy"])
    )


async def test_voice_waveform_is_validated(scene: Scene) -> None:
    alice = scene.alice
    ogg = b"OggS" + bytes(60)
    voice = await uploaded(
        scene.http, alice.token, ogg, filename="v.ogg", filetype="audio/ogg", duration_ms="7000"
    )
    body = {"file_id": voice, "duration_ms": 7000, "waveform": [0, 50, 100, 7]}
    sent = await scene.send(alice, "voice", body)
    assert sent["body"]["waveform"] == [0, 50, 100, 7]
    assert sent["body"]["duration_ms"] == 7000
    for waveform in ([101], [-1], [1.5], list(range(65)), "loud"):
        with pytest.raises(ServerError) as refused:
            await scene.send(alice, "voice", {**body, "waveform": waveform})
        assert refused.value.code == "invalid_input"
