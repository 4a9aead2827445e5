"""Files in conversations, against a real server: who may read what (and the denials), what
sending checks and fills in, images (orientation, location, animation), voice and video,
signed links, favorites, group file lists, and expiry."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.files import (
    OFFSET_TYPE,
    age_file,
    animated_gif,
    auth,
    create,
    decoded,
    error_code,
    jpeg,
    png_with_gps,
    uploaded,
)
from tests.support.server import ServerProcess
from tests.support.users import PASSWORD, Person, register
from tests.support.waiting import eventually
from tidings.sdk import ServerError, TidingsHttp

_ids = itertools.count(1)
GPS = 0x8825


@dataclass
class Scene:
    base_url: str
    http: httpx.AsyncClient
    alice: Person
    bob: Person
    carol: Person  # in no conversation with alice, until a test invites her
    direct: int  # alice and bob
    group: int  # alice (owner) and bob

    async def upload(self, who: Person, data: bytes, **fields: str) -> str:
        return await uploaded(self.http, who.token, data, **fields)

    async def send(self, who: Person, conversation: int, type: str, body: dict[str, Any]) -> Any:
        return await who.http.call(
            "POST",
            f"/api/v1/conversations/{conversation}/messages",
            {"client_msg_id": f"f{next(_ids)}", "type": type, "body": body},
        )

    async def get(self, who: Person, file_id: str, suffix: str = "") -> httpx.Response:
        return await self.http.get(
            f"/files/{file_id}{suffix}", headers={"Authorization": f"Bearer {who.token}"}
        )


@pytest.fixture(scope="module")
async def scene(base_url: str) -> AsyncIterator[Scene]:
    alice, bob, carol = [await register(base_url, name) for name in ("alice", "bob", "carol")]
    direct = (
        await alice.http.call(
            "POST", "/api/v1/conversations", {"type": "direct", "peer_id": bob.id}
        )
    )["id"]
    group = (
        await alice.http.call(
            "POST",
            "/api/v1/conversations",
            {"type": "group", "name": "Files", "member_ids": [bob.id]},
        )
    )["id"]
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        yield Scene(base_url, http, alice, bob, carol, direct, group)
    for person in (alice, bob, carol):
        await person.http.close()


def file_body(file_id: str, **extra: Any) -> dict[str, Any]:
    return {"file_id": file_id, "name": "claimed.bin", "size": 1, **extra}


async def test_someone_elses_upload_is_not_there(scene: Scene) -> None:
    http, alice, bob = scene.http, scene.alice, scene.bob
    created = await create(http, alice.token, 100)
    url = created.headers["location"]
    await http.patch(
        url, content=b"a" * 40, headers=auth(alice.token, **OFFSET_TYPE, **{"Upload-Offset": "0"})
    )
    intruder = auth(bob.token, **OFFSET_TYPE, **{"Upload-Offset": "40"})
    assert (await http.head(url, headers=auth(bob.token))).status_code == 404
    for response in (
        await http.patch(url, content=b"b" * 60, headers=intruder),
        await http.delete(url, headers=auth(bob.token)),
        await http.get(url, headers={"Authorization": f"Bearer {bob.token}"}),
    ):
        assert response.status_code == 404 and error_code(response) == "not_found"
    head = await http.head(url, headers=auth(alice.token))
    assert head.headers["upload-offset"] == "40", "the denied requests changed nothing"
    done = await http.patch(
        url, content=b"a" * 60, headers=auth(alice.token, **OFFSET_TYPE, **{"Upload-Offset": "40"})
    )
    assert done.status_code == 204
    assert (await scene.get(alice, url.rsplit("/", 1)[1])).content == b"a" * 100


async def test_sending_shares_the_file_with_members_only(scene: Scene) -> None:
    alice, bob, carol = scene.alice, scene.bob, scene.carol
    data = os.urandom(5000)
    file_id = await scene.upload(alice, data, filename="plan.xlsx", filetype="application/x")
    assert (await scene.get(bob, file_id)).status_code == 404, "not sent yet"

    entry = await scene.send(alice, scene.group, "file", file_body(file_id))
    assert entry["body"] == {
        "file_id": file_id,
        "name": "plan.xlsx",
        "size": 5000,
        "mime": "application/x",
    }, "the server's facts replace the client's claims"
    got = await scene.get(bob, file_id)
    assert got.status_code == 200 and got.content == data

    denied = await scene.get(carol, file_id)
    assert denied.status_code == 404 and error_code(denied) == "not_found"
    with pytest.raises(ServerError) as refused:
        await carol.http.call("GET", f"/api/v1/files/{file_id}")
    assert refused.value.code == "not_found"

    # Bob passes it on to carol: now she may read it, and send it on herself.
    bob_carol = (
        await bob.http.call(
            "POST", "/api/v1/conversations", {"type": "direct", "peer_id": carol.id}
        )
    )["id"]
    await bob.http.call(
        "POST",
        f"/api/v1/conversations/{scene.group}/forward",
        {"seqs": [entry["seq"]], "target_ids": [bob_carol], "client_msg_id": f"fw{next(_ids)}"},
    )
    assert (await scene.get(carol, file_id)).content == data
    resent = await scene.send(carol, bob_carol, "file", file_body(file_id))
    assert resent["body"]["file_id"] == file_id


async def test_recall_and_late_joiners_lose_sight_of_a_file(scene: Scene) -> None:
    alice, bob = scene.alice, scene.bob
    newcomer = await register(scene.base_url, "dave")
    group = (
        await alice.http.call(
            "POST",
            "/api/v1/conversations",
            {"type": "group", "name": "Recall", "member_ids": [bob.id]},
        )
    )["id"]
    file_id = await scene.upload(alice, b"secret plans")
    entry = await scene.send(alice, group, "file", file_body(file_id))
    assert (await scene.get(bob, file_id)).status_code == 200
    await alice.http.call(
        "POST", f"/api/v1/conversations/{group}/members", {"user_ids": [newcomer.id]}
    )
    late = await scene.get(newcomer, file_id)
    assert late.status_code == 404, "history from before joining stays private"
    listing = await newcomer.http.call("GET", f"/api/v1/conversations/{group}/files")
    assert listing["files"] == []

    await alice.http.call("POST", f"/api/v1/conversations/{group}/messages/{entry['seq']}/recall")
    assert (await scene.get(bob, file_id)).status_code == 404, "recalled: no longer shared"
    assert (await scene.get(alice, file_id)).status_code == 200, "the uploader keeps it"
    await newcomer.http.close()


async def test_a_member_who_left_keeps_the_files_from_before_only(scene: Scene) -> None:
    """A former member reads a group up to their leaving (decision 0075), its files too:
    those sent before the leaving, not those after; removed alike; coming back starts anew."""
    alice, bob = scene.alice, scene.bob
    erin = await register(scene.base_url, "erin")
    group = (
        await alice.http.call(
            "POST",
            "/api/v1/conversations",
            {"type": "group", "name": "Leavers", "member_ids": [bob.id, erin.id]},
        )
    )["id"]
    before = await scene.upload(alice, b"minutes before")
    await scene.send(alice, group, "file", file_body(before))
    await bob.http.call("DELETE", f"/api/v1/conversations/{group}/members/me")
    await alice.http.call("POST", f"/api/v1/groups/{group}/members/{erin.id}/remove", {})
    after = await scene.upload(alice, b"minutes after")
    await scene.send(alice, group, "file", file_body(after))
    for former in (bob, erin):
        kept = await scene.get(former, before)
        assert kept.status_code == 200 and kept.content == b"minutes before"
        assert (await scene.get(former, after)).status_code == 404, "said after the leaving"
    assert (await scene.get(scene.carol, before)).status_code == 404, "never a member"
    # Back in the group: a new readable part from the new join, as history has it.
    await alice.http.call("POST", f"/api/v1/conversations/{group}/members", {"user_ids": [bob.id]})
    assert (await scene.get(bob, before)).status_code == 404
    await erin.http.close()


async def test_what_sending_checks(scene: Scene) -> None:
    alice, bob = scene.alice, scene.bob
    created = await create(scene.http, alice.token, 10)
    unfinished = created.headers["location"].rsplit("/", 1)[1]
    bobs = await scene.upload(bob, b"bob's own file")
    document = await scene.upload(alice, b"%PDF-1.7 not an image", filetype="application/pdf")
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("file", file_body(unfinished), "upload_incomplete"),
        ("file", file_body("NoSuchFile123"), "not_found"),
        ("file", file_body(bobs), "not_found"),
        ("image", {"file_id": document, "width": 10, "height": 10}, "wrong_file_kind"),
        ("voice", {"file_id": document, "duration_ms": 1000}, "wrong_file_kind"),
    ]
    for type_, body, code in cases:
        with pytest.raises(ServerError) as refused:
            await scene.send(alice, scene.direct, type_, body)
        assert refused.value.code == code, (type_, body)
    history = await bob.http.call(
        "GET", f"/api/v1/conversations/{scene.direct}/messages", after_seq=0
    )
    assert not any(m["type"] == "file" for m in history["messages"]), "nothing was sent"


async def test_images_orientation_location_and_thumbnails(scene: Scene) -> None:
    alice, bob = scene.alice, scene.bob
    photo = jpeg(64, 32, orientation=6, gps=True)  # stored landscape, shown portrait
    file_id = await scene.upload(alice, photo, filename="photo.jpg", filetype="image/jpeg")
    info = await alice.http.call("GET", f"/api/v1/files/{file_id}")
    assert (info["kind"], info["width"], info["height"]) == ("image", 32, 64)
    assert info["thumbnail_url"] == f"/files/{file_id}/thumbnail"
    entry = await scene.send(
        alice, scene.direct, "image", {"file_id": file_id, "width": 999, "height": 999}
    )
    assert (entry["body"]["width"], entry["body"]["height"]) == (32, 64)

    mine = await scene.get(alice, file_id)
    assert mine.content == photo, "the uploader downloads exactly what they uploaded"
    assert decoded(mine.content).getexif().get_ifd(GPS)
    theirs = await scene.get(bob, file_id)
    assert theirs.headers["content-type"] == "image/jpeg"
    assert theirs.headers["content-disposition"].startswith("inline;")
    shared = decoded(theirs.content)
    assert not shared.getexif().get_ifd(GPS) and GPS not in shared.getexif()
    assert shared.getexif().get(0x0112) == 6, "the orientation stays"
    assert shared.tobytes() == decoded(photo).tobytes(), "pixels untouched (lossless)"

    thumb = await scene.get(bob, file_id, "/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    assert decoded(thumb.content).size == (32, 64), "the thumbnail is upright"

    png = await scene.upload(alice, png_with_gps(), filename="map.png", filetype="image/png")
    await scene.send(alice, scene.direct, "image", {"file_id": png, "width": 1, "height": 1})
    assert GPS not in decoded((await scene.get(bob, png)).content).getexif()


async def test_gif_stays_animated(scene: Scene) -> None:
    gif = animated_gif(frames=4, size=600)
    file_id = await scene.upload(scene.alice, gif, filename="dance.gif", filetype="image/gif")
    info = await scene.alice.http.call("GET", f"/api/v1/files/{file_id}")
    assert info["animated"] is True and (info["width"], info["height"]) == (600, 300)
    await scene.send(
        scene.alice, scene.direct, "image", {"file_id": file_id, "width": 1, "height": 1}
    )
    assert (await scene.get(scene.bob, file_id)).content == gif
    thumb = decoded((await scene.get(scene.bob, file_id, "/thumbnail")).content)
    assert thumb.format == "GIF" and getattr(thumb, "n_frames", 1) == 4
    assert max(thumb.size) <= 400


async def test_voice_and_video(scene: Scene) -> None:
    alice, bob = scene.alice, scene.bob
    ogg = b"OggS\x00\x02" + os.urandom(2000)
    voice = await scene.upload(alice, ogg, filetype="audio/ogg", duration_ms="3000")
    entry = await scene.send(alice, scene.group, "voice", {"file_id": voice, "duration_ms": 9999})
    assert entry["body"] == {"file_id": voice, "duration_ms": 3000, "size": len(ogg)}

    fake = await scene.upload(alice, os.urandom(3000), filetype="video/mp4")
    assert (await alice.http.call("GET", f"/api/v1/files/{fake}"))["kind"] == "file"
    with pytest.raises(ServerError) as refused:
        await scene.send(
            alice,
            scene.group,
            "video",
            {"file_id": fake, "duration_ms": 1000, "width": 4, "height": 4},
        )
    assert refused.value.code == "wrong_file_kind"
    refused_meta = await create(
        scene.http, alice.token, 10, filetype="audio/ogg", duration_ms="700000"
    )
    assert refused_meta.status_code == 422, "voice messages last at most 10 minutes"

    mp4 = b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000)
    video = await scene.upload(
        alice, mp4, filetype="video/mp4", duration_ms="5000", width="640", height="360"
    )
    poster = await scene.upload(alice, jpeg(64, 36), filetype="image/jpeg")
    sent = await scene.send(
        alice,
        scene.group,
        "video",
        {"file_id": video, "duration_ms": 1, "width": 1, "height": 1, "poster_file_id": poster},
    )
    assert (sent["body"]["duration_ms"], sent["body"]["width"]) == (5000, 640)
    assert (await scene.get(bob, poster)).status_code == 200, "the poster rides along"
    listing = await bob.http.call("GET", f"/api/v1/conversations/{scene.group}/files")
    ids = [f["id"] for f in listing["files"]]
    assert video in ids and poster not in ids


async def test_signed_links(scene: Scene) -> None:
    alice, bob, carol = scene.alice, scene.bob, scene.carol
    file_id = await scene.upload(alice, jpeg(), filetype="image/jpeg")
    await scene.send(alice, scene.direct, "image", {"file_id": file_id, "width": 1, "height": 1})
    # A second session of bob's, so that signing it out leaves the others alone.
    async with TidingsHttp(scene.base_url) as desktop:
        token = (await desktop.login(bob.account, PASSWORD, platform="desktop"))["token"]
    made = await scene.http.post(
        f"/api/v1/files/{file_id}/links",
        json={"variant": "thumbnail"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert made.status_code == 200, made.text
    link = made.json()["url"]
    assert link.startswith(f"/files/{file_id}/thumbnail?")
    plain = httpx.AsyncClient(base_url=scene.base_url)  # no token at all
    try:
        ok = await plain.get(link)
        assert ok.status_code == 200 and ok.headers["content-type"] == "image/webp"
        forged = await plain.get(link.replace("/thumbnail?", "?"))  # another variant
        assert forged.status_code == 403 and error_code(forged) == "invalid_link"
        tampered = await plain.get(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"))
        assert tampered.status_code == 403

        short = await scene.http.post(
            f"/api/v1/files/{file_id}/links",
            json={"ttl_seconds": 1},
            headers={"Authorization": f"Bearer {token}"},
        )
        short_url = short.json()["url"]
        assert (await plain.get(short_url)).status_code == 200

        async def expired() -> bool:
            return (await plain.get(short_url)).status_code == 403

        await eventually(expired, within=5, every=0.2)

        await scene.http.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
        revoked = await plain.get(link)
        assert revoked.status_code == 403 and error_code(revoked) == "invalid_link"
    finally:
        await plain.aclose()
    with pytest.raises(ServerError) as refused:
        await carol.http.call("POST", f"/api/v1/files/{file_id}/links", {})
    assert refused.value.code == "not_found"


async def test_favorites_outlive_the_conversation(scene: Scene) -> None:
    alice, bob, carol = scene.alice, scene.bob, scene.carol
    group = (
        await alice.http.call(
            "POST",
            "/api/v1/conversations",
            {"type": "group", "name": "Fav", "member_ids": [bob.id]},
        )
    )["id"]
    file_id = await scene.upload(alice, b"keep me", filename="keep.txt")
    sent = await scene.send(alice, group, "file", file_body(file_id))
    saved = await bob.http.call("PUT", f"/api/v1/favorites/files/{file_id}")
    assert saved["id"] == file_id and saved["name"] == "keep.txt"
    await bob.http.call("DELETE", f"/api/v1/conversations/{group}/members/me")
    # What was said before the leaving stays readable (decision 0075), unless recalled.
    await alice.http.call("POST", f"/api/v1/conversations/{group}/messages/{sent['seq']}/recall")
    assert (await scene.get(bob, file_id)).content == b"keep me", "saved files stay readable"
    listed = await bob.http.call("GET", "/api/v1/favorites/files")
    assert [f["id"] for f in listed["files"]][:1] == [file_id]
    with pytest.raises(ServerError) as refused:
        await carol.http.call("PUT", f"/api/v1/favorites/files/{file_id}")
    assert refused.value.code == "not_found"
    await bob.http.call("DELETE", f"/api/v1/favorites/files/{file_id}")
    assert (await scene.get(bob, file_id)).status_code == 404, "unsaved, recalled, and left"


async def test_group_files_by_type_and_time(scene: Scene) -> None:
    alice, bob, carol = scene.alice, scene.bob, scene.carol
    group = (
        await alice.http.call(
            "POST",
            "/api/v1/conversations",
            {"type": "group", "name": "Lib", "member_ids": [bob.id]},
        )
    )["id"]
    picture = await scene.upload(alice, jpeg(), filetype="image/jpeg")
    document = await scene.upload(bob, b"minutes", filename="minutes.txt")
    first = await scene.send(alice, group, "image", {"file_id": picture, "width": 1, "height": 1})
    await asyncio.sleep(0.01)  # distinct millisecond timestamps
    second = await scene.send(bob, group, "file", file_body(document))
    everything = await alice.http.call("GET", f"/api/v1/conversations/{group}/files")
    assert [f["id"] for f in everything["files"]] == [document, picture], "newest first"
    assert everything["files"][0]["sender_id"] == bob.id
    images = await alice.http.call("GET", f"/api/v1/conversations/{group}/files", kind="image")
    assert [f["id"] for f in images["files"]] == [picture]
    later = await alice.http.call(
        "GET", f"/api/v1/conversations/{group}/files", since=second["created_at"]
    )
    assert [f["id"] for f in later["files"]] == [document]
    earlier = await alice.http.call(
        "GET", f"/api/v1/conversations/{group}/files", until=second["created_at"]
    )
    assert [f["id"] for f in earlier["files"]] == [picture]
    page = await alice.http.call(
        "GET", f"/api/v1/conversations/{group}/files", before_seq=second["seq"], limit=1
    )
    assert [f["seq"] for f in page["files"]] == [first["seq"]]
    with pytest.raises(ServerError) as refused:
        await carol.http.call("GET", f"/api/v1/conversations/{group}/files")
    assert refused.value.code == "not_member"


async def test_an_expired_file_is_gone(scene: Scene, server: ServerProcess) -> None:
    alice, bob = scene.alice, scene.bob
    file_id = await scene.upload(alice, b"for one day", filename="brief.txt", expiry_days="1")
    entry = await scene.send(alice, scene.direct, "file", file_body(file_id))
    day = 24 * 3600 * 1000
    assert abs(entry["body"]["expires_at"] - (time.time() * 1000 + day)) < 60_000
    assert (await scene.get(bob, file_id)).status_code == 200
    await age_file(server, file_id)
    for who in (alice, bob):
        gone = await scene.get(who, file_id)
        assert gone.status_code == 410 and error_code(gone) == "file_expired"
    info = await bob.http.call("GET", f"/api/v1/files/{file_id}")
    assert info["expired"] is True
    with pytest.raises(ServerError) as refused:
        await scene.send(alice, scene.group, "file", file_body(file_id))
    assert refused.value.code == "file_expired"
    with pytest.raises(ServerError) as no_link:
        await bob.http.call("POST", f"/api/v1/files/{file_id}/links", {})
    assert no_link.value.code == "file_expired"


def test_pillow_reads_what_the_helpers_write() -> None:
    """The sample media above are what they claim (else the tests would prove nothing)."""
    assert decoded(jpeg(orientation=6, gps=True)).getexif().get_ifd(GPS)
    assert getattr(decoded(animated_gif()), "n_frames", 1) == 4


async def test_the_same_actions_over_websocket(scene: Scene) -> None:
    alice, bob = scene.alice, scene.bob
    file_id = await scene.upload(alice, jpeg(), filename="ws.jpg", filetype="image/jpeg")
    async with bob.client(scene.base_url) as client:
        with pytest.raises(ServerError) as refused:
            await client.request("files.info", {"file_id": file_id})
        assert refused.value.code == "not_found"
        entry = await client.send(scene.direct, "text", {"text": "send me the photo"})
        assert entry["seq"] > 0
    async with alice.client(scene.base_url) as client:
        sent = await client.send(
            scene.direct, "image", {"file_id": file_id, "width": 1, "height": 1}
        )
        assert sent["body"]["width"] == 64
    async with bob.client(scene.base_url) as client:
        info = await client.request("files.info", {"file_id": file_id})
        assert (info["name"], info["kind"]) == ("ws.jpg", "image")
        link = await client.request("files.link", {"file_id": file_id, "variant": "thumbnail"})
        assert link["url"].startswith(f"/files/{file_id}/thumbnail?")
        listing = await client.request(
            "conversation.files", {"conversation_id": scene.direct, "kind": "image"}
        )
        assert file_id in [f["id"] for f in listing["files"]]
        await client.request("favorites.add", {"file_id": file_id})
        saved = await client.request("favorites.files", {})
        assert saved["files"][0]["id"] == file_id
        assert await client.request("favorites.remove", {"file_id": file_id}) is None
        usage = await client.request("storage.usage", {})
        assert usage["quota_bytes"] == 0
        with pytest.raises(ServerError) as bad:
            await client.request(
                "conversation.files", {"conversation_id": scene.direct, "kind": "pdf"}
            )
        assert bad.value.code == "invalid_input"


async def test_a_dead_signed_link_answers_invalid_link(scene: Scene) -> None:
    """Expired, forged, cut short, or its user may no longer read the file: one answer,
    403 `invalid_link` (docs/protocol.md), never a 401, 404 or 500."""
    alice, bob = scene.alice, scene.bob
    file_id = await scene.upload(alice, jpeg(), filetype="image/jpeg")
    entry = await scene.send(
        alice, scene.direct, "image", {"file_id": file_id, "width": 1, "height": 1}
    )
    link = (await bob.http.call("POST", f"/api/v1/files/{file_id}/links", {}))["url"]
    short = (await bob.http.call("POST", f"/api/v1/files/{file_id}/links", {"ttl_seconds": 1}))[
        "url"
    ]
    plain = httpx.AsyncClient(base_url=scene.base_url)  # no token at all
    try:
        assert (await plain.get(link)).status_code == 200
        base, _, signature = link.partition("&sig=")
        dead = [
            base,  # the signature cut off
            link.split("?", 1)[0] + "?sig=" + signature,  # only the signature
            f"{base}&sig=%C3%A9{signature[2:]}",  # not even ASCII
            link.replace("&exp=", "&exp=1"),  # another expiry than was signed
        ]
        for url in dead:
            response = await plain.get(url)
            assert (response.status_code, error_code(response)) == (403, "invalid_link"), url

        async def expired() -> bool:
            return (await plain.get(short)).status_code != 200

        await eventually(expired, within=5, every=0.2)
        response = await plain.get(short)
        assert (response.status_code, error_code(response)) == (403, "invalid_link")

        # Recalled: bob may no longer read the file, so his link is dead too.
        await alice.http.call(
            "POST", f"/api/v1/conversations/{scene.direct}/messages/{entry['seq']}/recall"
        )
        response = await plain.get(link)
        assert (response.status_code, error_code(response)) == (403, "invalid_link")
        # Over bearer auth it is simply not there for him.
        assert (await scene.get(bob, file_id)).status_code == 404
    finally:
        await plain.aclose()
