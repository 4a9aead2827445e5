"""Uploads and downloads that survive what networks and servers do to them, against a real
server: tuspy (a third-party tus client) through connections cut at random points, the SDK
and the CLI resuming, a server killed with SIGKILL between and inside chunks; plus the limits
(per-file size, quota) and the cleanup job.

The tuspy upload is the issue's 1 GiB (about 30 s per storage engine here);
``TIDINGS_TEST_TUS_BYTES`` makes it smaller for a quick local run.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import BinaryIO

import asyncpg
import httpx
import pytest
from tusclient.client import TusClient

from tests.support.cutter import CuttingProxy
from tests.support.files import (
    OFFSET_TYPE,
    age_file,
    auth,
    create,
    download_sha256,
    error_code,
    idle_upload,
    random_file,
    stored_files,
    uploaded,
)
from tests.support.server import TIDINGS, ServerProcess, new_pg_database, remove_pg_database
from tests.support.users import PASSWORD, Person, register
from tests.support.waiting import eventually
from tidings.sdk import TidingsFiles

MiB = 1024 * 1024
GiB = 1024 * MiB
TUS_BYTES = int(os.environ.get("TIDINGS_TEST_TUS_BYTES", str(GiB)))
CHECKPOINT = 4 * MiB
LIMITS = {
    "TIDINGS_MAX_FILE_BYTES": str(2 * GiB),
    "TIDINGS_USER_QUOTA_BYTES": str(3 * GiB),
    "TIDINGS_UPLOAD_CHECKPOINT_BYTES": str(CHECKPOINT),
    "TIDINGS_FILE_CLEANUP_INTERVAL_SECONDS": "0.3",
    "TIDINGS_UPLOAD_IDLE_SECONDS": "1",
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """This module's own server: small limits, a busy cleanup job, and killable."""
    env = dict(LIMITS)
    database: str | None = None
    if request.param == "postgresql":
        database = new_pg_database()
        env["TIDINGS_DATABASE_URL"] = database
    process = ServerProcess(tmp_path_factory.mktemp("files"), env=env)
    process.start()
    yield process
    process.stop()
    if database is not None:
        remove_pg_database(database)


@pytest.fixture(scope="module")
async def alice(base_url: str) -> AsyncIterator[Person]:
    user = await register(base_url, "alice")
    yield user
    await user.http.close()


@pytest.fixture
async def http(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    # No kept-alive connections: the server is killed and restarted under this client.
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        yield client


async def test_tuspy_upload_survives_cut_connections(
    server: ServerProcess, alice: Person, tmp_path: Path
) -> None:
    source = tmp_path / "source.bin"
    digest = random_file(source, TUS_BYTES)
    chunk = 8 * MiB
    proxy = await CuttingProxy(server.port, cuts=4, low=64 * 1024, high=chunk - MiB).start()
    try:
        client = TusClient(
            proxy.url + "/files/", headers={"Authorization": f"Bearer {alice.token}"}
        )

        def upload() -> str:
            # A stream we own: given a path, tuspy leaves a file handle open per request.
            with open(source, "rb") as stream:
                return run_tuspy(stream)

        def run_tuspy(stream: BinaryIO) -> str:
            uploader = client.uploader(
                file_stream=stream,
                chunk_size=chunk,
                metadata={"filename": "big.bin", "filetype": "application/octet-stream"},
                retries=10,
                retry_delay=0,
            )
            uploader.upload()
            return str(uploader.url)

        url = await asyncio.to_thread(upload)
    finally:
        await proxy.stop()
    assert len(proxy.cut_at) == 4, "every planned cut happened"
    resumed_mid_chunk = [o for o in proxy.patch_offsets if o % chunk]
    assert resumed_mid_chunk, f"resumed only at chunk boundaries: {proxy.patch_offsets}"
    source.unlink()  # a GiB less left behind in pytest's kept temporary directories
    path = "/files/" + url.rsplit("/", 1)[1]
    _, downloaded = await download_sha256(server.base_url, path, alice.token)
    assert downloaded == digest


async def test_sdk_resumes_uploads_and_downloads(
    server: ServerProcess, alice: Person, tmp_path: Path
) -> None:
    source = tmp_path / "report.bin"
    digest = random_file(source, 20 * MiB + 3)
    proxy = await CuttingProxy(server.port, cuts=3, low=256 * 1024, high=3 * MiB).start()
    try:
        async with TidingsFiles(
            proxy.url, token=alice.token, chunk_bytes=4 * MiB, backoff=0.01
        ) as files:
            created: list[str] = []
            info = await files.upload(source, on_created=created.append)
            assert info["size"] == 20 * MiB + 3 and created == [f"/files/{info['id']}"]
        assert len(proxy.cut_at) == 3
        assert [o % (4 * MiB) for o in proxy.patch_offsets] == [0] * len(proxy.patch_offsets), (
            "with checksums a cut chunk is dropped whole and sent again"
        )
    finally:
        await proxy.stop()
    proxy = await CuttingProxy(server.port, cuts=2, low=MiB, high=8 * MiB).start()
    try:
        async with TidingsFiles(proxy.url, token=alice.token, backoff=0.01) as files:
            copy = await files.download(info["id"], tmp_path / "copy.bin")
    finally:
        await proxy.stop()
    assert len(proxy.cut_at) == 2
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == digest
    assert not (tmp_path / "copy.bin.part").exists()


async def _cli(*args: str, cache: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        TIDINGS,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "TIDINGS_PASSWORD": PASSWORD, "XDG_CACHE_HOME": str(cache)},
    )
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, output.decode()


async def test_cli_upload_and_download_resume_in_a_new_process(
    server: ServerProcess, alice: Person, tmp_path: Path
) -> None:
    source = tmp_path / "slides.pdf"
    digest = random_file(source, 6 * MiB + 1)
    bob = await register(server.base_url, "bob")
    direct = (
        await alice.http.call(
            "POST", "/api/v1/conversations", {"type": "direct", "peer_id": bob.id}
        )
    )["id"]
    cache = tmp_path / "cache"
    proxy = await CuttingProxy(server.port, cuts=1, low=2 * MiB + 1000, high=3 * MiB).start()
    try:
        common = ["--url", proxy.url, "--retries", "0"]
        code, output = await _cli(
            "upload",
            *common,
            "--account",
            alice.account,
            "--chunk-mib",
            "1",
            str(source),
            "--conversation",
            str(direct),
            cache=cache,
        )
        assert code == 2 and "run the same command again" in output, output
        code, output = await _cli(
            "upload",
            *common,
            "--account",
            alice.account,
            "--chunk-mib",
            "1",
            str(source),
            "--conversation",
            str(direct),
            cache=cache,
        )
        assert code == 0, output
        resumed = int(output.split("resuming at byte ")[1].split()[0])
        assert resumed >= 2 * MiB and resumed % MiB == 0, output
        assert "sent: conversation" in output
        file_id = output.split("uploaded: file ")[1].split()[0]

        proxy.cuts_left = 1
        target = tmp_path / "received.pdf"
        download = ["download", *common, "--account", bob.account, file_id, "-o", str(target)]
        code, output = await _cli(*download, cache=cache)
        assert code == 2 and (tmp_path / "received.pdf.part").stat().st_size > 0, output
        code, output = await _cli(*download, cache=cache)
        assert code == 0 and "downloaded:" in output, output
    finally:
        await proxy.stop()
        await bob.http.close()
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest


async def test_size_limit_and_quota(base_url: str, http: httpx.AsyncClient) -> None:
    user = await register(base_url, "quota")
    try:
        options = await http.options("/files/")
        assert options.headers["tus-max-size"] == str(2 * GiB)
        over = await create(http, user.token, 2 * GiB + 1)
        assert over.status_code == 413 and error_code(over) == "file_too_large"
        first = await create(http, user.token, 2 * GiB)
        assert first.status_code == 201, "in progress, it counts at its full length"
        second = await create(http, user.token, GiB + GiB // 2)
        assert second.status_code == 413 and error_code(second) == "quota_exceeded"
        usage = await user.http.call("GET", "/api/v1/storage")
        assert usage == {"used_bytes": 2 * GiB, "quota_bytes": 3 * GiB, "max_file_bytes": 2 * GiB}
        await http.delete(first.headers["location"], headers=auth(user.token))
        assert (await create(http, user.token, GiB + GiB // 2)).status_code == 201
    finally:
        await user.http.close()


async def test_cleanup_removes_expired_files_and_abandoned_uploads(
    server: ServerProcess, alice: Person, http: httpx.AsyncClient
) -> None:
    expiring = await uploaded(http, alice.token, b"short-lived", expiry_days="3")
    created = await create(http, alice.token, 1000)
    abandoned = created.headers["location"].rsplit("/", 1)[1]
    await http.patch(
        created.headers["location"],
        content=b"x" * 100,
        headers=auth(alice.token, **OFFSET_TYPE, **{"Upload-Offset": "0"}),
    )
    assert any(expiring in p for p in stored_files(server))
    assert any(abandoned in p for p in stored_files(server))
    await age_file(server, expiring)
    await idle_upload(server, abandoned)

    def swept() -> bool:
        return not any(f in p for p in stored_files(server) for f in (expiring, abandoned))

    await eventually(swept, within=10)
    bearer = {"Authorization": f"Bearer {alice.token}"}
    gone = await http.get(f"/files/{expiring}", headers=bearer)
    assert gone.status_code == 410 and error_code(gone) == "file_expired"
    info = await alice.http.call("GET", f"/api/v1/files/{expiring}")
    assert (info["state"], info["expired"]) == ("purged", True)
    assert (await http.head(f"/files/{abandoned}", headers=auth(alice.token))).status_code == 404


async def test_a_crash_between_the_last_byte_and_completion_is_finished_by_head(
    server: ServerProcess, alice: Person, http: httpx.AsyncClient
) -> None:
    file_id = await uploaded(http, alice.token, b"all bytes are in", filename="late.txt")
    # What a crash right after the last offset was recorded, before completion, leaves.
    reset = "UPDATE files SET state = 'uploading', completed_at = NULL WHERE id = "
    url = server.env.get("TIDINGS_DATABASE_URL")
    if url:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(reset + "$1", file_id)
        finally:
            await conn.close()
    else:
        with sqlite3.connect(server.data_dir / "tidings.db", timeout=30) as db:
            db.execute(reset + "?", (file_id,))
    bearer = {"Authorization": f"Bearer {alice.token}"}
    assert (await http.get(f"/files/{file_id}", headers=bearer)).status_code == 409
    head = await http.head(f"/files/{file_id}", headers=auth(alice.token))
    assert head.headers["upload-offset"] == head.headers["upload-length"] == "16"
    got = await http.get(f"/files/{file_id}", headers=bearer)
    assert got.status_code == 200 and got.content == b"all bytes are in"


async def test_a_stalled_patch_lets_go_of_the_upload(
    alice: Person, http: httpx.AsyncClient, server: ServerProcess
) -> None:
    """A client that vanished without closing its connection (a dead phone) must not hold
    the upload forever: after TIDINGS_UPLOAD_IDLE_SECONDS without a byte, what arrived is
    kept and the retry goes on from there."""
    data = os.urandom(3 * MiB)
    created = await create(http, alice.token, len(data))
    url = created.headers["location"]
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        headers = {
            **auth(alice.token, **OFFSET_TYPE),
            "Upload-Offset": "0",
            "Content-Length": str(len(data)),
            "Host": "127.0.0.1",
        }
        sock.sendall(
            f"PATCH {url} HTTP/1.1\r\n".encode()
            + "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode()
            + b"\r\n"
            + data[:MiB]
        )

        async def kept() -> bool:
            head = await http.head(url, headers=auth(alice.token))
            return head.headers.get("upload-offset") == str(MiB)

        await eventually(kept, within=15, every=0.3)
        rest = await http.patch(
            url,
            content=data[MiB:],
            headers=auth(alice.token, **OFFSET_TYPE, **{"Upload-Offset": str(MiB)}),
        )
        assert rest.status_code == 204, rest.text
    _, downloaded = await download_sha256(server.base_url, url, alice.token)
    assert downloaded == hashlib.sha256(data).hexdigest()


async def _stored_offset(server: ServerProcess, file_id: str) -> int:
    url = server.env.get("TIDINGS_DATABASE_URL")
    if url:
        conn = await asyncpg.connect(url)
        try:
            return int(await conn.fetchval("SELECT received FROM files WHERE id = $1", file_id))
        finally:
            await conn.close()
    with sqlite3.connect(server.data_dir / "tidings.db", timeout=30) as conn:
        return int(
            conn.execute("SELECT received FROM files WHERE id = ?", (file_id,)).fetchone()[0]
        )


async def test_resume_after_sigkill_between_and_inside_chunks(
    server: ServerProcess, alice: Person, http: httpx.AsyncClient
) -> None:
    """Runs last in this module: it kills the module's server (and starts it again)."""
    data = os.urandom(16 * MiB + 5)
    created = await create(http, alice.token, len(data))
    url = created.headers["location"]
    file_id = url.rsplit("/", 1)[1]
    first = await http.patch(
        url,
        content=data[: 3 * MiB],
        headers=auth(alice.token, **OFFSET_TYPE, **{"Upload-Offset": "0"}),
    )
    assert first.status_code == 204

    server.kill()  # between chunks: the acknowledged 3 MiB must survive
    server.start()
    head = await http.head(url, headers=auth(alice.token))
    assert head.headers["upload-offset"] == str(3 * MiB)

    # Inside a chunk: a PATCH of 13 MiB, of which 11 MiB are sent before the kill. Progress
    # becomes durable every 4 MiB (TIDINGS_UPLOAD_CHECKPOINT_BYTES), so some of it survives.
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        headers = {
            **auth(alice.token, **OFFSET_TYPE),
            "Upload-Offset": str(3 * MiB),
            "Content-Length": str(len(data) - 3 * MiB),
            "Host": "127.0.0.1",
        }
        sock.sendall(
            f"PATCH {url} HTTP/1.1\r\n".encode()
            + "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode()
            + b"\r\n"
        )
        sock.sendall(data[3 * MiB : 14 * MiB])

        async def checkpointed() -> bool:
            return await _stored_offset(server, file_id) >= 3 * MiB + CHECKPOINT

        await eventually(checkpointed, within=30)
        server.kill()
    server.start()
    head = await http.head(url, headers=auth(alice.token))
    offset = int(head.headers["upload-offset"])
    assert 3 * MiB + CHECKPOINT <= offset <= 14 * MiB, "checkpointed bytes survived"
    bearer = {"Authorization": f"Bearer {alice.token}"}
    assert (await http.get(url, headers=bearer)).status_code == 409, "not served while partial"

    rest = await http.patch(
        url,
        content=data[offset:],
        headers=auth(alice.token, **OFFSET_TYPE, **{"Upload-Offset": str(offset)}),
    )
    assert rest.status_code == 204 and rest.headers["upload-offset"] == str(len(data))
    _, downloaded = await download_sha256(server.base_url, url, alice.token)
    assert downloaded == hashlib.sha256(data).hexdigest()
