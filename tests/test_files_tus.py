"""The tus 1.0 server at /files/ and downloads, spoken by hand against a real server:
core protocol, creation(-with-upload), termination, expiration, checksum; ranges and ETags;
bad input refused with a clear error, nothing stored outside the storage directory, and no
partial file ever served as complete."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.files import (
    OFFSET_TYPE,
    TUS,
    auth,
    create,
    error_code,
    metadata,
    sha1_header,
    stored_files,
    upload,
    uploaded,
)
from tests.support.server import ServerProcess
from tests.support.users import Person, register


@pytest.fixture
async def http(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
async def alice(base_url: str) -> AsyncIterator[Person]:
    """One uploader for the module: registering costs more than most of these tests."""
    user = await register(base_url, "alice")
    yield user
    await user.http.close()


async def test_discovery(http: httpx.AsyncClient) -> None:
    options = await http.options("/files/")
    assert options.status_code == 204
    assert options.headers["tus-version"] == "1.0.0"
    assert options.headers["tus-max-size"] == str(20 * 1024**3)
    extensions = set(options.headers["tus-extension"].split(","))
    assert {"creation", "creation-with-upload", "termination", "expiration", "checksum"} <= (
        extensions
    )
    assert "sha1" in options.headers["tus-checksum-algorithm"].split(",")


async def test_upload_in_chunks_then_download(http: httpx.AsyncClient, alice: Person) -> None:
    data = os.urandom(300_001)
    created = await create(http, alice.token, len(data), filename="report.pdf")
    assert created.status_code == 201
    url = created.headers["location"]
    assert url.startswith("/files/") and "upload-expires" in created.headers
    offset = 0
    for size in (100_000, 150_000, 50_001):
        chunk = data[offset : offset + size]
        patched = await http.patch(
            url,
            content=chunk,
            headers=auth(
                alice.token,
                **OFFSET_TYPE,
                **{"Upload-Offset": str(offset), "Upload-Checksum": sha1_header(chunk)},
            ),
        )
        assert patched.status_code == 204, patched.text
        offset += size
        assert patched.headers["upload-offset"] == str(offset)
        head = await http.head(url, headers=auth(alice.token))
        assert head.headers["upload-offset"] == str(offset)
        assert head.headers["upload-length"] == str(len(data))
        assert head.headers["cache-control"] == "no-store"
    got = await http.get(url, headers={"Authorization": f"Bearer {alice.token}"})
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith('attachment; filename="report.pdf"')
    assert "sandbox" in got.headers["content-security-policy"]
    info = await alice.http.call("GET", f"/api/v1/files/{url.rsplit('/', 1)[1]}")
    assert (info["size"], info["state"], info["kind"]) == (len(data), "complete", "file")


async def test_creation_with_upload_and_termination(http: httpx.AsyncClient, alice: Person) -> None:
    data = b"first bytes with the creation request"
    created = await http.post(
        "/files/",
        content=data[:10],
        headers=auth(
            alice.token,
            **OFFSET_TYPE,
            **{"Upload-Length": str(len(data)), "Upload-Metadata": metadata(filename="a.txt")},
        ),
    )
    assert created.status_code == 201 and created.headers["upload-offset"] == "10"
    url = created.headers["location"]
    deleted = await http.delete(url, headers=auth(alice.token))
    assert deleted.status_code == 204
    assert (await http.head(url, headers=auth(alice.token))).status_code == 404
    gone = await http.patch(
        url, content=data[10:], headers=auth(alice.token, **OFFSET_TYPE, **{"Upload-Offset": "10"})
    )
    assert gone.status_code == 404 and error_code(gone) == "not_found"


async def test_ranges_etags_and_conditional_requests(
    http: httpx.AsyncClient, alice: Person
) -> None:
    data = bytes(range(256)) * 40
    file_id = await uploaded(http, alice.token, data)
    bearer = {"Authorization": f"Bearer {alice.token}"}
    full = await http.get(f"/files/{file_id}", headers=bearer)
    etag = full.headers["etag"]
    assert full.headers["accept-ranges"] == "bytes"
    part = await http.get(f"/files/{file_id}", headers={**bearer, "Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    tail = await http.get(f"/files/{file_id}", headers={**bearer, "Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == data[-10:]
    rest = await http.get(f"/files/{file_id}", headers={**bearer, "Range": "bytes=10000-"})
    assert rest.content == data[10000:]
    outside = await http.get(f"/files/{file_id}", headers={**bearer, "Range": "bytes=99999-"})
    assert outside.status_code == 416 and error_code(outside) == "range_not_satisfiable"
    assert outside.headers["content-range"] == f"bytes */{len(data)}"
    same = await http.get(f"/files/{file_id}", headers={**bearer, "If-None-Match": etag})
    assert same.status_code == 304 and same.content == b""
    stale = await http.get(
        f"/files/{file_id}", headers={**bearer, "Range": "bytes=5-", "If-Range": '"other"'}
    )
    assert stale.status_code == 200 and stale.content == data
    head = await http.head(f"/files/{file_id}", headers=bearer)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(data))


async def test_wrong_offset_type_version_and_checksum(
    http: httpx.AsyncClient, alice: Person
) -> None:
    data = os.urandom(1000)
    created = await create(http, alice.token, len(data))
    url = created.headers["location"]
    base = auth(alice.token, **OFFSET_TYPE)

    wrong_offset = await http.patch(url, content=data, headers={**base, "Upload-Offset": "5"})
    assert wrong_offset.status_code == 409 and error_code(wrong_offset) == "upload_offset_mismatch"

    wrong_type = await http.patch(
        url,
        content=data,
        headers={**base, "Upload-Offset": "0", "Content-Type": "application/json"},
    )
    assert wrong_type.status_code == 415 and error_code(wrong_type) == "unsupported_media_type"

    no_version = {k: v for k, v in base.items() if k != "Tus-Resumable"}
    for response in (
        await http.patch(url, content=data, headers={**no_version, "Upload-Offset": "0"}),
        await http.post("/files/", headers={**no_version, "Upload-Length": "10"}),
        await http.delete(url, headers=no_version),
    ):
        assert response.status_code == 412 and error_code(response) == "tus_version_unsupported"
        assert response.headers["tus-resumable"] == "1.0.0"

    mismatch = await http.patch(
        url,
        content=data,
        headers={**base, "Upload-Offset": "0", "Upload-Checksum": sha1_header(b"other")},
    )
    assert mismatch.status_code == 460 and error_code(mismatch) == "checksum_mismatch"
    unknown = await http.patch(
        url,
        content=data,
        headers={**base, "Upload-Offset": "0", "Upload-Checksum": "crc32 AAAA"},
    )
    assert unknown.status_code == 400 and error_code(unknown) == "unsupported_checksum"
    too_long = await http.patch(url, content=data + b"x", headers={**base, "Upload-Offset": "0"})
    assert too_long.status_code == 413 and error_code(too_long) == "file_too_large"

    # Nothing of the refused bodies was kept; the upload goes on from 0.
    head = await http.head(url, headers=auth(alice.token))
    assert head.headers["upload-offset"] == "0"
    ok = await http.patch(
        url,
        content=data,
        headers={**base, "Upload-Offset": "0", "Upload-Checksum": sha1_header(data)},
    )
    assert ok.status_code == 204 and ok.headers["upload-offset"] == str(len(data))


async def test_over_the_max_size_and_malformed_headers(
    http: httpx.AsyncClient, alice: Person
) -> None:
    over = await create(http, alice.token, 20 * 1024**3 + 1)
    assert over.status_code == 413 and error_code(over) == "file_too_large"
    for headers in (
        {"Upload-Length": "-1"},
        {"Upload-Length": "ten"},
        {"Upload-Length": "10", "Upload-Metadata": "filename not-base64!"},
        {"Upload-Defer-Length": "1"},
        {"Upload-Length": "10", "Upload-Metadata": metadata(expiry_days="9")},
    ):
        refused = await http.post("/files/", headers=auth(alice.token, **headers))
        assert refused.status_code == 422, (headers, refused.text)
        assert error_code(refused) == "invalid_input"
    anonymous = await http.post("/files/", headers={**TUS, "Upload-Length": "10"})
    assert anonymous.status_code == 401 and error_code(anonymous) == "unauthenticated"


BAD_NAMES = [
    "../../etc/passwd",
    "..",
    "a/b.txt",
    "back\\slash.txt",
    "nul\x00byte.txt",
    "bell\x07.txt",
    "line\nbreak.txt",
    "gnp.\u202eexe",  # a right-to-left override: shows as "exe.png"
    "x" * 1000,
]


async def test_bad_filenames_are_refused_and_nothing_is_written(
    http: httpx.AsyncClient, alice: Person, server: ServerProcess
) -> None:
    before = stored_files(server)
    for name in BAD_NAMES:
        refused = await create(http, alice.token, 4, filename=name)
        assert refused.status_code == 422, name
        assert error_code(refused) == "invalid_input"
        assert "filename" in refused.json()["error"]["message"]
    assert stored_files(server) == before
    assert not (server.data_dir.parent / "etc").exists()


async def test_storage_keys_stay_inside_the_storage_directory(
    http: httpx.AsyncClient, alice: Person, server: ServerProcess
) -> None:
    before = stored_files(server)
    for upload_id in ("..%2F..%2Fescape", "%2e%2e", "a.b.c", "x" * 200):
        for method in ("HEAD", "PATCH", "DELETE", "GET"):
            response = await http.request(
                method,
                f"/files/{upload_id}",
                content=b"abc" if method == "PATCH" else None,
                headers=auth(alice.token, **OFFSET_TYPE, **{"Upload-Offset": "0"}),
            )
            assert response.status_code in (404, 405), (method, upload_id, response.status_code)
    assert stored_files(server) == before


async def test_a_claimed_image_that_is_not_one(
    http: httpx.AsyncClient, alice: Person, server: ServerProcess
) -> None:
    file_id, patched = await upload(
        http, alice.token, b"GIF89a but not really" * 10, filename="cat.gif", filetype="image/gif"
    )
    assert patched.status_code == 422 and error_code(patched) == "not_an_image"
    bearer = {"Authorization": f"Bearer {alice.token}"}
    assert (await http.get(f"/files/{file_id}", headers=bearer)).status_code == 404
    assert (await http.head(f"/files/{file_id}", headers=auth(alice.token))).status_code == 404
    assert not any(file_id in path for path in stored_files(server))


async def test_a_partial_upload_is_never_served(http: httpx.AsyncClient, alice: Person) -> None:
    created = await create(http, alice.token, 100)
    url = created.headers["location"]
    await http.patch(
        url, content=b"x" * 60, headers=auth(alice.token, **OFFSET_TYPE, **{"Upload-Offset": "0"})
    )
    bearer = {"Authorization": f"Bearer {alice.token}"}
    for method in ("GET", "HEAD"):
        response = await http.request(method, url, headers=bearer)
        assert response.status_code == 409
    got = await http.get(url, headers=bearer)
    assert error_code(got) == "upload_incomplete"
    info = await http.get(f"/api/v1/files/{url.rsplit('/', 1)[1]}", headers=bearer)
    assert info.status_code == 409


async def test_empty_file_is_complete_at_creation(http: httpx.AsyncClient, alice: Person) -> None:
    created = await create(http, alice.token, 0, filename="empty.txt")
    assert created.status_code == 201 and created.headers["upload-offset"] == "0"
    got = await http.get(
        created.headers["location"], headers={"Authorization": f"Bearer {alice.token}"}
    )
    assert got.status_code == 200 and got.content == b""


async def test_safe_content_disposition_and_type(http: httpx.AsyncClient, alice: Person) -> None:
    file_id = await uploaded(
        http,
        alice.token,
        b"<script>alert(1)</script>",
        filename='报告 "final";.html',
        filetype="text/html",
    )
    got = await http.get(f"/files/{file_id}", headers={"Authorization": f"Bearer {alice.token}"})
    assert got.headers["content-type"] == "application/octet-stream"
    disposition = got.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E6%8A%A5%E5%91%8A%20%22final%22%3B.html" in disposition
    assert disposition.count('"') == 2, "quotes in the name are replaced in the ASCII fallback"
