"""Issue 11, files: location metadata removed from every photo others download (whatever its
size, declared type or container), creation at ``/files`` with a big body, tus
concatenation, HEAD echoing the client's metadata, and what the quota counts. Everything is
checked over HTTP against a real server, by parsing what another user downloads."""

from __future__ import annotations

import asyncio
import io
import itertools
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.support.crafted_media import (
    XMP_WITH_GPS,
    has_gps,
    heic_like_with_location,
    huge_jpeg_with_gps,
    jpeg_exif_segments,
    jpeg_with_second_exif,
    jpeg_with_xmp_and_gps,
    jpeg_xmp,
    png_with_location,
    rational_bytes,
    webp_with_location,
    xmp_places,
)
from tests.support.files import (
    OFFSET_TYPE,
    auth,
    create,
    error_code,
    idle_upload,
    metadata,
    uploaded,
)
from tests.support.server import ServerProcess
from tests.support.users import Person, register
from tests.support.waiting import eventually

MiB = 1024 * 1024
QUOTA = 64 * MiB
# Every test user starts empty; the quota tests need one to hit.
SERVER_ENV = {
    "TIDINGS_USER_QUOTA_BYTES": str(QUOTA),
    "TIDINGS_FILE_CLEANUP_INTERVAL_SECONDS": "0.3",
}
_ids = itertools.count(1)


@dataclass
class Scene:
    http: httpx.AsyncClient
    alice: Person
    bob: Person
    direct: int

    async def share(self, data: bytes, **fields: str) -> str:
        """Alice uploads ``data`` and sends it to bob as a file."""
        file_id = await uploaded(self.http, self.alice.token, data, **fields)
        await self.alice.http.call(
            "POST",
            f"/api/v1/conversations/{self.direct}/messages",
            {
                "client_msg_id": f"h{next(_ids)}",
                "type": "file",
                "body": {"file_id": file_id, "name": "x", "size": len(data)},
            },
        )
        return file_id

    async def download(self, who: Person, file_id: str) -> bytes:
        got = await self.http.get(
            f"/files/{file_id}", headers={"Authorization": f"Bearer {who.token}"}
        )
        assert got.status_code == 200, got.text
        return got.content


@pytest.fixture(scope="module")
async def scene(base_url: str) -> AsyncIterator[Scene]:
    alice, bob = [await register(base_url, name) for name in ("alice", "bob")]
    direct = (
        await alice.http.call(
            "POST", "/api/v1/conversations", {"type": "direct", "peer_id": bob.id}
        )
    )["id"]
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        yield Scene(http, alice, bob, direct)
    for person in (alice, bob):
        await person.http.close()


@pytest.fixture
async def user(base_url: str) -> AsyncIterator[Person]:
    person = await register(base_url, "quota")
    yield person
    await person.http.close()


# Location metadata


def _jpeg_segments_clean(data: bytes) -> None:
    segments = jpeg_exif_segments(data)
    assert segments and not any(has_gps(exif) for exif in segments)


def _jpeg_xmp_clean(data: bytes) -> None:
    _jpeg_segments_clean(data)
    assert b"GPS" not in data
    assert xmp_places(jpeg_xmp(data)) == [], (
        "XMP location properties are gone, the XMP still parses"
    )


def _png_clean(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert not has_gps(image.getexif())
    text: dict[str, Any] = image.text  # type: ignore[attr-defined]
    assert "Raw profile type exif" not in text
    assert text["Comment"] == "kept"
    assert xmp_places(text["XML:com.adobe.xmp"]) == []
    image.load()  # every chunk CRC still checks out


def _webp_clean(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert not has_gps(image.getexif()) and image.getexif().get(0x0112) == 3
    assert xmp_places(image.info["xmp"]) == []
    image.load()


HEIC, HEIC_TIFF_START, HEIC_TIFF_END = heic_like_with_location()


def _heic_clean(data: bytes) -> None:
    exif = Image.Exif()
    exif.load(b"Exif\x00\x00" + data[HEIC_TIFF_START:HEIC_TIFF_END])
    assert not has_gps(exif) and exif.get(0x0112) == 6, "GPS gone, orientation kept"
    assert data[:HEIC_TIFF_START] == HEIC[:HEIC_TIFF_START], "boxes and offsets unchanged"
    assert data[HEIC_TIFF_END:] == HEIC[HEIC_TIFF_END:]


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    fields: dict[str, str]
    clean: Callable[[bytes], None]


CASES = [
    Case("second APP1", jpeg_with_second_exif(), {"filetype": "image/jpeg"}, _jpeg_segments_clean),
    Case("XMP", jpeg_with_xmp_and_gps(), {"filetype": "image/jpeg"}, _jpeg_xmp_clean),
    # 60 megapixels claimed: over the decoding limit, never decoded, still stripped.
    Case("over 50 MP", huge_jpeg_with_gps(), {"filetype": "image/jpeg"}, _jpeg_xmp_clean),
    Case(
        "octet-stream",
        jpeg_with_xmp_and_gps(),
        {"filetype": "application/octet-stream"},
        _jpeg_xmp_clean,
    ),
    Case("no type", jpeg_with_xmp_and_gps(), {}, _jpeg_xmp_clean),
    Case("PNG", png_with_location(), {"filetype": "image/png"}, _png_clean),
    Case("WebP", webp_with_location(), {"filetype": "image/webp"}, _webp_clean),
    Case("HEIC-like", HEIC, {"filetype": "image/heic"}, _heic_clean),
    Case("HEIC as a file", HEIC, {"filetype": "application/octet-stream"}, _heic_clean),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_others_download_no_location(scene: Scene, case: Case) -> None:
    assert any(r in case.data for r in rational_bytes()), "the sample holds a GPS position"
    file_id = await scene.share(case.data, filename="photo", **case.fields)
    assert await scene.download(scene.alice, file_id) == case.data, "the uploader's original"
    theirs = await scene.download(scene.bob, file_id)
    assert len(theirs) <= len(case.data)
    assert not any(r in theirs for r in rational_bytes()), "the coordinates' bytes are zeroed"
    case.clean(theirs)


async def test_kinds_of_the_stripped_files(scene: Scene) -> None:
    """Stripping decodes nothing: a 60 MP JPEG stays a plain file, a HEIC (which the server
    does not decode) is kept as a plain file rather than refused as not an image."""
    for data, mime in ((huge_jpeg_with_gps(), "image/jpeg"), (HEIC, "image/heic")):
        file_id = await uploaded(scene.http, scene.alice.token, data, filetype=mime)
        info = await scene.alice.http.call("GET", f"/api/v1/files/{file_id}")
        assert info["kind"] == "file" and info["thumbnail_url"] is None


async def test_a_file_without_location_is_served_as_it_is(scene: Scene) -> None:
    data = os.urandom(3000)
    file_id = await scene.share(data, filetype="application/octet-stream")
    assert await scene.download(scene.bob, file_id) == data
    assert XMP_WITH_GPS not in data


# Creation at /files (no slash), HEAD


async def test_creation_at_files_without_slash_takes_a_big_body(scene: Scene) -> None:
    data = os.urandom(3 * MiB)
    created = await scene.http.post(
        "/files",
        content=data,
        headers=auth(
            scene.alice.token,
            **OFFSET_TYPE,
            **{"Upload-Length": str(len(data)), "Upload-Metadata": metadata(filename="b.bin")},
        ),
    )
    assert created.status_code == 201, created.text
    assert created.headers["upload-offset"] == str(len(data))
    file_id = created.headers["location"].rsplit("/", 1)[1]
    assert await scene.download(scene.alice, file_id) == data


async def test_head_echoes_the_clients_metadata(scene: Scene) -> None:
    sent = metadata(filename="notes.txt", filetype="text/plain", relativePath="a/notes.txt")
    sent += ",is_confidential"  # a key without a value is valid tus metadata
    created = await scene.http.post(
        "/files",
        headers=auth(scene.alice.token, **{"Upload-Length": "10", "Upload-Metadata": sent}),
    )
    assert created.status_code == 201, created.text
    head = await scene.http.head(created.headers["location"], headers=auth(scene.alice.token))
    assert head.headers["upload-metadata"] == sent
    bare = await scene.http.post(
        "/files", headers=auth(scene.alice.token, **{"Upload-Length": "10"})
    )
    head = await scene.http.head(bare.headers["location"], headers=auth(scene.alice.token))
    assert "upload-metadata" not in head.headers, "no metadata sent, none made up"


# Concatenation (tus parallel uploads)


async def _partial(http: httpx.AsyncClient, token: str, data: bytes, *, body: bool) -> str:
    headers = auth(token, **{"Upload-Length": str(len(data)), "Upload-Concat": "partial"})
    if body:  # creation-with-upload, as tus-js-client sends small parts
        created = await http.post("/files", content=data, headers={**headers, **OFFSET_TYPE})
        assert created.status_code == 201 and created.headers["upload-offset"] == str(len(data))
        return str(created.headers["location"])
    created = await http.post("/files/", headers=headers)
    assert created.status_code == 201, created.text
    url = str(created.headers["location"])
    patched = await http.patch(
        url, content=data, headers=auth(token, **OFFSET_TYPE, **{"Upload-Offset": "0"})
    )
    assert patched.status_code == 204, patched.text
    return url


async def _final(http: httpx.AsyncClient, token: str, urls: list[str], **extra: str) -> Any:
    return await http.post(
        "/files/",
        headers=auth(
            token,
            **{
                "Upload-Concat": "final;" + " ".join(urls),
                "Upload-Metadata": metadata(filename="whole.bin"),
                **extra,
            },
        ),
    )


async def test_concatenation_assembles_and_cleans_up(scene: Scene, user: Person) -> None:
    http = scene.http
    options = await http.options("/files/")
    assert "concatenation" in options.headers["tus-extension"].split(",")
    # Three parts uploaded at once, as tus-js-client's parallelUploads does; 40 MiB of
    # parts in a 64 MiB quota: the final upload must not count them twice.
    pieces = [os.urandom(20 * MiB), os.urandom(20 * MiB - 7), os.urandom(1000)]
    urls = list(
        await asyncio.gather(
            *(
                _partial(http, user.token, piece, body=index == 2)
                for index, piece in enumerate(pieces)
            )
        )
    )
    head = await http.head(urls[0], headers=auth(user.token))
    assert head.headers["upload-concat"] == "partial"
    # The client may name parts by absolute URL.
    named = [urls[0], str(http.base_url.join(urls[1])), urls[2]]
    final = await _final(http, user.token, named)
    assert final.status_code == 201, final.text
    whole = b"".join(pieces)
    head = await http.head(final.headers["location"], headers=auth(user.token))
    assert head.headers["upload-offset"] == head.headers["upload-length"] == str(len(whole))
    assert head.headers["upload-concat"] == "final;" + " ".join(named)
    file_id = final.headers["location"].rsplit("/", 1)[1]
    assert await scene.download(user, file_id) == whole
    for url in urls:
        gone = await http.head(url, headers=auth(user.token))
        assert gone.status_code == 404, "the parts are removed once joined"
    usage = await user.http.call("GET", "/api/v1/storage")
    assert usage["used_bytes"] == len(whole), "counted once, parts gone"
    refused = await http.patch(
        final.headers["location"],
        content=b"x",
        headers=auth(user.token, **OFFSET_TYPE, **{"Upload-Offset": str(len(whole))}),
    )
    assert refused.status_code == 403 and error_code(refused) == "forbidden"


async def test_concatenation_refusals(scene: Scene, user: Person) -> None:
    http, bob = scene.http, scene.bob
    mine = await _partial(http, user.token, b"a" * 100, body=True)
    bobs = await _partial(http, bob.token, b"b" * 100, body=True)
    plain = (await create(http, user.token, 10)).headers["location"]
    unfinished = (
        await http.post(
            "/files/",
            headers=auth(user.token, **{"Upload-Length": "50", "Upload-Concat": "partial"}),
        )
    ).headers["location"]
    cases = [
        ([mine, bobs], {}, 404, "not_found"),  # someone else's part: as if it did not exist
        ([mine, plain], {}, 422, "invalid_input"),  # not a partial upload
        ([mine, unfinished], {}, 409, "upload_incomplete"),
        ([mine, mine], {}, 422, "invalid_input"),
        ([mine, "/api/v1/files/x"], {}, 422, "invalid_input"),
        ([mine], {"Upload-Length": "100"}, 422, "invalid_input"),
    ]
    for urls, extra, status, code in cases:
        response = await _final(http, user.token, urls, **extra)
        assert (response.status_code, error_code(response)) == (status, code), urls
    malformed = await http.post("/files/", headers=auth(user.token, **{"Upload-Concat": "final"}))
    assert malformed.status_code == 422 and error_code(malformed) == "invalid_input"
    # Nothing refused touched the parts: they still join, once. Eight final requests racing
    # for the same parts: one gets the file, the others find the parts gone.
    other = await _partial(http, user.token, b"c" * 100, body=False)
    racing = await asyncio.gather(*(_final(http, user.token, [mine, other]) for _ in range(8)))
    assert sorted(r.status_code for r in racing) == [201] + [404] * 7
    assert {error_code(r) for r in racing if r.status_code == 404} == {"not_found"}
    assert (await _final(http, bob.token, [bobs])).status_code == 201
    usage = await user.http.call("GET", "/api/v1/storage")
    # The final upload, the plain upload and the unfinished part (4 KiB each at the least);
    # the joined parts are gone.
    assert usage["used_bytes"] == 3 * 4096


async def test_parts_never_joined_are_cleaned_up(
    scene: Scene, user: Person, server: ServerProcess
) -> None:
    """tus-js-client's parallel upload that never sent its final request leaves finished
    parts: they lapse like abandoned uploads instead of filling the quota for ever."""
    url = await _partial(scene.http, user.token, b"p" * 5000, body=True)
    head = await scene.http.head(url, headers=auth(user.token))
    assert "upload-expires" in head.headers
    assert (await user.http.call("GET", "/api/v1/storage"))["used_bytes"] == 5000
    await idle_upload(server, url.rsplit("/", 1)[1])

    async def gone() -> bool:
        return (await user.http.call("GET", "/api/v1/storage"))["used_bytes"] == 0

    await eventually(gone, within=10)
    assert (await scene.http.head(url, headers=auth(user.token))).status_code == 404


# Quota


async def test_empty_uploads_and_derived_copies_count(scene: Scene, user: Person) -> None:
    http = scene.http
    empty = await create(http, user.token, 0)
    assert empty.status_code == 201
    usage = await user.http.call("GET", "/api/v1/storage")
    assert usage["used_bytes"] == 4096, "an empty file costs its record and a block"
    room = QUOTA - 4096
    over = await create(http, user.token, room + 1)
    assert over.status_code == 413 and error_code(over) == "quota_exceeded"

    photo = jpeg_with_xmp_and_gps(400, 300)
    await uploaded(http, user.token, photo, filetype="image/jpeg")
    usage = await user.http.call("GET", "/api/v1/storage")
    # The photo, its copy without the location (as big) and its thumbnail.
    assert usage["used_bytes"] > 4096 + 2 * len(photo)
    left = QUOTA - usage["used_bytes"]
    assert (await create(http, user.token, left + 1)).status_code == 413
    assert (await create(http, user.token, left)).status_code == 201
