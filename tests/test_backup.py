"""`tidings backup` and `tidings restore` (issue 13, N4; decision 0054).

A backup taken while clients send through the real server restores onto a fresh data
directory (and a fresh PostgreSQL database) where a server starts with every message
acknowledged before the backup began, each conversation's log a prefix of the live one with
no hole, and every file's bytes. Bad archives and targets are refused with a stable code,
a non-zero exit and nothing left behind.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import tarfile
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.files import OFFSET_TYPE, auth, create, jpeg, uploaded
from tests.support.server import (
    FAST_HASH_ENV,
    TIDINGS,
    ServerProcess,
    create_pg_database,
    drop_pg_database,
)
from tests.support.users import Person, register
from tests.support.waiting import eventually
from tidings.sdk import TidingsClient

SENDERS = 4


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run the `tidings` command; returns its exit code, output and errors."""
    done = subprocess.run(
        [TIDINGS, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **FAST_HASH_ENV, **(env or {})},
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


async def tidings(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    return await asyncio.to_thread(run, *args, env=env)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
async def test_backup_under_load_restores_every_acknowledged_message_and_file(
    tmp_path: Path, engine: str
) -> None:
    async with AsyncExitStack() as stack:
        env: dict[str, str] = {}
        if engine == "postgresql":
            env["TIDINGS_DATABASE_URL"] = await create_pg_database()
            stack.push_async_callback(drop_pg_database, env["TIDINGS_DATABASE_URL"])
        live = ServerProcess(tmp_path / "live", env=env)
        live.start()
        stack.callback(live.stop)

        people = [await register(live.base_url, f"backup{i}") for i in range(SENDERS)]
        for person in people:
            stack.push_async_callback(person.http.close)
        conversations = await _conversations(people)
        files = await _files(live.base_url, people[0])
        # An upload half done when the backup is taken resumes on the restored server.
        unfinished = os.urandom(200_000)
        async with httpx.AsyncClient(base_url=live.base_url, timeout=60) as http:
            created = await create(http, people[0].token, len(unfinished))
            upload_url = created.headers["location"]
            half = await http.patch(
                upload_url,
                content=unfinished[:100_000],
                headers=auth(people[0].token, **OFFSET_TYPE, **{"Upload-Offset": "0"}),
            )
            assert half.status_code == 204, half.text
        clients = [
            await stack.enter_async_context(TidingsClient(live.base_url, token=p.token))
            for p in people
        ]
        for file_id in files:
            body = {"file_id": file_id, "name": "a file", "size": 1}  # the server corrects them
            await clients[0].send(next(iter(conversations)), "file", body)

        # Every sender sends one message after another into its conversations until told
        # to stop; each acknowledgement is noted with the moment it arrived.
        acked: list[tuple[float, dict[str, Any]]] = []
        stop = asyncio.Event()

        async def send(client: TidingsClient, person: Person) -> None:
            rng = random.Random(person.id)
            mine = [cid for cid, members in conversations.items() if person.id in members]
            number = 0
            while not stop.is_set():
                number += 1
                entry = await client.send(
                    rng.choice(mine), "text", {"text": f"{person.account} {number}"}
                )
                acked.append((time.monotonic(), entry))

        senders = [asyncio.create_task(send(c, p)) for c, p in zip(clients, people, strict=True)]
        await eventually(lambda: len(acked) >= 200, within=60)
        began = time.monotonic()
        before = [entry for _, entry in acked]
        archive = tmp_path / "server.tar.gz"
        code, out, err = await tidings(
            "backup", "--out", str(archive), "--data-dir", str(live.data_dir), env=env
        )
        ended = time.monotonic()
        assert code == 0, err
        assert "backup written" in out
        await asyncio.sleep(0.2)
        stop.set()
        await asyncio.gather(*senders)
        # The load was steady: messages were acknowledged while the backup ran.
        assert any(began < moment < ended for moment, _ in acked)

        restored_env: dict[str, str] = {}
        restore_args = ["restore", str(archive), "--data-dir", str(tmp_path / "restored")]
        if engine == "postgresql":
            # The live database is not empty: refused, nothing written anywhere.
            code, _, err = await tidings(
                *restore_args, "--database-url", env["TIDINGS_DATABASE_URL"]
            )
            assert code == 1 and "target_not_empty" in err, err
            assert not (tmp_path / "restored").exists()
            # A PostgreSQL backup needs a database to go into.
            code, _, err = await tidings(*restore_args)
            assert code == 1 and "database_url_required" in err, err
            assert not (tmp_path / "restored").exists()
            restored_env["TIDINGS_DATABASE_URL"] = await create_pg_database()
            stack.push_async_callback(drop_pg_database, restored_env["TIDINGS_DATABASE_URL"])
            restore_args += ["--database-url", restored_env["TIDINGS_DATABASE_URL"]]
            # A dump cut short (its checksum made to match) fails inside pg_restore: the
            # target database stays empty, and the restore below goes into it.
            spoiled = tmp_path / "spoiled.tar"
            await asyncio.to_thread(_spoil_dump, archive, spoiled)
            code, _, err = await tidings("restore", str(spoiled), *restore_args[2:])
            assert code == 1 and "restore_failed" in err, err
            assert not (tmp_path / "restored").exists()
            assert await _relations(restored_env["TIDINGS_DATABASE_URL"]) == 0
        code, out, err = await tidings(*restore_args)
        assert code == 0, err
        assert _leftovers(tmp_path) == []

        restored = ServerProcess(tmp_path / "restored", env=restored_env)
        restored.start()
        stack.callback(restored.stop)
        # The same accounts and sessions: the tokens of the live server work there.
        live_by_user = {p.id: c for p, c in zip(people, clients, strict=True)}
        restored_by_user = {
            p.id: await stack.enter_async_context(TidingsClient(restored.base_url, token=p.token))
            for p in people
        }
        kept_ids: set[int] = set()
        for conversation_id, members in conversations.items():
            kept = await _whole_log(restored_by_user[members[0]], conversation_id)
            assert [e["seq"] for e in kept] == list(range(1, len(kept) + 1)), "a hole"
            # The snapshot is the live log as of one moment: a prefix of it, entry for entry.
            now = await _whole_log(live_by_user[members[0]], conversation_id)
            assert [_same(e) for e in kept] == [_same(e) for e in now[: len(kept)]]
            kept_ids.update(e["id"] for e in kept)
        missing = [e for e in before if e["id"] not in kept_ids]
        assert not missing, f"{len(missing)} acknowledged messages are missing"

        async with (
            httpx.AsyncClient(base_url=live.base_url, timeout=60) as old,
            httpx.AsyncClient(base_url=restored.base_url, timeout=60) as new,
        ):
            headers = {"Authorization": f"Bearer {people[0].token}"}
            for file_id, digest in files.items():
                got = await new.get(f"/files/{file_id}", headers=headers)
                assert got.status_code == 200, got.text
                assert hashlib.sha256(got.content).hexdigest() == digest
            # The server's own copies (the thumbnail) came along too.
            image = next(iter(files))
            thumbnails = [
                await http.get(f"/files/{image}/thumbnail", headers=headers) for http in (old, new)
            ]
            assert thumbnails[1].status_code == 200
            assert thumbnails[0].content == thumbnails[1].content
            token = people[0].token
            head = await new.head(upload_url, headers=auth(token))
            assert head.headers["upload-offset"] == "100000"
            rest = await new.patch(
                upload_url,
                content=unfinished[100_000:],
                headers=auth(token, **OFFSET_TYPE, **{"Upload-Offset": "100000"}),
            )
            assert rest.status_code == 204, rest.text
            whole = await new.get(upload_url, headers=headers)
            assert whole.content == unfinished


async def _conversations(people: list[Person]) -> dict[int, list[int]]:
    """A group of everyone and two direct chats; returns each one's members."""
    owner, *others = people
    group = await owner.http.call(
        "POST",
        "/api/v1/conversations",
        {"type": "group", "name": "backed up", "member_ids": [p.id for p in others]},
    )
    conversations = {int(group["id"]): [p.id for p in people]}
    for one, other in ((people[0], people[1]), (people[2], people[3])):
        direct = await one.http.call(
            "POST", "/api/v1/conversations", {"type": "direct", "peer_id": other.id}
        )
        conversations[int(direct["id"])] = [one.id, other.id]
    return conversations


async def _files(base_url: str, person: Person) -> dict[str, str]:
    """Upload an image (the server keeps a thumbnail of it), a larger and a tiny file;
    returns their ids and sha256."""
    contents = [
        (jpeg(640, 480), {"filename": "photo.jpg", "filetype": "image/jpeg"}),
        (os.urandom(1_500_000), {"filename": "big.bin"}),
        (b"x", {"filename": "tiny.txt"}),
    ]
    files: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        for data, fields in contents:
            file_id = await uploaded(http, person.token, data, **fields)
            files[file_id] = hashlib.sha256(data).hexdigest()
    return files


async def _whole_log(client: TidingsClient, conversation_id: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    while True:
        page = await client.history(conversation_id, after_seq=len(entries), limit=500)
        entries.extend(page)
        if len(page) < 500:
            return entries


def _same(entry: dict[str, Any]) -> tuple[Any, ...]:
    return (entry["id"], entry["seq"], entry["sender_id"], entry["client_msg_id"], entry["body"])


def _spoil_dump(archive: Path, spoiled: Path) -> None:
    shutil.copy(archive, spoiled)
    cut: dict[str, bytes] = {}

    def spoil(name: str, data: bytes) -> bytes:
        if name == "tidings.pgdump":
            cut[name] = data[: len(data) * 2 // 3]
            return cut[name]
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["members"]["tidings.pgdump"] = {
                "size": len(cut["tidings.pgdump"]),
                "sha256": hashlib.sha256(cut["tidings.pgdump"]).hexdigest(),
            }
            return json.dumps(manifest).encode()
        return data

    _rewrite(spoiled, spoil)


async def _relations(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        count = await conn.fetchval(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public'"
        )
    finally:
        await conn.close()
    return int(count)


def _leftovers(directory: Path) -> list[str]:
    """Staging directories and partial archives a backup or restore left behind."""
    return sorted(
        path.name
        for path in directory.iterdir()
        if path.name.startswith(".") or path.name.endswith(".partial")
    )


# Bad input: one small backup, spoiled in several ways.


@pytest.fixture
def small_backup(tmp_path: Path) -> Iterator[Path]:
    data = tmp_path / "data"
    code, _, err = run(
        "user", "create", "ann", "--password", "a long password x", "--data-dir", str(data)
    )
    assert code == 0, err
    (data / "files" / "ab").mkdir(parents=True)
    (data / "files" / "ab" / "abcdef").write_bytes(os.urandom(50_000))
    (data / "files" / "ab" / "abcdef.thumb").write_bytes(b"thumbnail")
    # The storage's unfinished objects are not stored files: left out.
    (data / "files" / "ab" / "abc.partial").write_bytes(b"half")
    archive = tmp_path / "small.tar"
    code, _, err = run("backup", "--out", str(archive), "--data-dir", str(data))
    assert code == 0, err
    yield archive


def _refused(archive: Path, code_name: str, target: Path | None = None) -> None:
    target = target or archive.parent / "target"
    existed = target.exists()
    code, out, err = run("restore", str(archive), "--data-dir", str(target))
    assert code == 1, out
    assert err.startswith(f"error: {code_name}:"), err
    assert target.exists() == existed
    assert _leftovers(archive.parent) == []


def test_a_backup_restores_and_never_overwrites(small_backup: Path, tmp_path: Path) -> None:
    with tarfile.open(small_backup) as archive:
        names = archive.getnames()
        manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert names == ["tidings.db", "files/ab/abcdef", "files/ab/abcdef.thumb", "manifest.json"]
    assert manifest["format"] == "tidings-backup" and manifest["version"] == 1
    assert manifest["database"] == "sqlite" and manifest["files"]["count"] == 2
    code, _, err = run("backup", "--out", str(small_backup), "--data-dir", str(tmp_path / "data"))
    assert code == 1 and err.startswith("error: backup_exists:"), err
    # An empty directory is a fine target.
    (tmp_path / "empty").mkdir()
    code, _, err = run("restore", str(small_backup), "--data-dir", str(tmp_path / "empty"))
    assert code == 0, err
    assert (tmp_path / "empty" / "files" / "ab" / "abcdef").read_bytes() == (
        tmp_path / "data" / "files" / "ab" / "abcdef"
    ).read_bytes()
    assert not (tmp_path / "empty" / "files" / "ab" / "abc.partial").exists()
    # Compressed by its name (.tar.xz here; .tar.gz in the test under load).
    code, _, err = run(
        "backup", "--out", str(tmp_path / "b.tar.xz"), "--data-dir", str(tmp_path / "data")
    )
    assert code == 0, err
    with open(tmp_path / "b.tar.xz", "rb") as archive:
        assert archive.read(6) == b"\xfd7zXZ\x00"
    code, _, err = run("restore", str(tmp_path / "b.tar.xz"), "--data-dir", str(tmp_path / "xz"))
    assert code == 0, err
    assert (tmp_path / "xz" / "files" / "ab" / "abcdef.thumb").read_bytes() == b"thumbnail"


def test_a_target_that_is_not_empty_is_refused(small_backup: Path, tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    _refused(small_backup, "target_not_empty", target)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_a_truncated_archive_is_refused(small_backup: Path) -> None:
    data = small_backup.read_bytes()
    small_backup.write_bytes(data[: len(data) // 2])
    _refused(small_backup, "backup_corrupt")


def test_changed_bytes_fail_their_checksum(small_backup: Path) -> None:
    data = bytearray(small_backup.read_bytes())
    with tarfile.open(small_backup) as archive:
        member = archive.getmember("files/ab/abcdef")
    data[member.offset_data + 100] ^= 0xFF
    small_backup.write_bytes(bytes(data))
    _refused(small_backup, "backup_corrupt")


def test_garbage_and_a_tar_without_manifest_are_refused(small_backup: Path) -> None:
    original = small_backup.read_bytes()
    small_backup.write_bytes(os.urandom(20_000))
    _refused(small_backup, "backup_corrupt")
    small_backup.write_bytes(original)
    _rewrite(small_backup, lambda name, data: None if name == "manifest.json" else data)
    _refused(small_backup, "backup_corrupt")


def test_an_unknown_version_or_schema_is_refused(small_backup: Path, tmp_path: Path) -> None:
    original = small_backup.read_bytes()

    def manifest_with(**changes: Any) -> None:
        small_backup.write_bytes(original)

        def change(name: str, data: bytes) -> bytes:
            if name != "manifest.json":
                return data
            return json.dumps({**json.loads(data), **changes}).encode()

        _rewrite(small_backup, change)

    manifest_with(version=2)
    _refused(small_backup, "backup_unsupported_version")
    manifest_with(schema_revision="9999")
    _refused(small_backup, "backup_unsupported_version")
    manifest_with(format="something else")
    _refused(small_backup, "backup_corrupt")


def test_a_member_outside_the_layout_is_refused(small_backup: Path) -> None:
    _rewrite(small_backup, lambda name, data: data, extra=("../escape.txt", b"outside"))
    _refused(small_backup, "backup_corrupt")
    assert not (small_backup.parent.parent / "escape.txt").exists()


def test_missing_database_and_missing_archive(tmp_path: Path) -> None:
    code, _, err = run(
        "backup", "--out", str(tmp_path / "b.tar"), "--data-dir", str(tmp_path / "nothing")
    )
    assert code == 1 and err.startswith("error: no_database:"), err
    assert list(tmp_path.iterdir()) == []
    code, _, err = run("restore", str(tmp_path / "b.tar"), "--data-dir", str(tmp_path / "target"))
    assert code == 1 and err.startswith("error: backup_not_found:"), err


def _rewrite(
    path: Path,
    change: Any,
    extra: tuple[str, bytes] | None = None,
) -> None:
    """Rewrite a tar member by member through ``change(name, bytes) -> bytes | None``."""
    members: list[tuple[str, bytes]] = []
    with tarfile.open(path) as archive:
        for info in archive:
            data = archive.extractfile(info).read()  # type: ignore[union-attr]
            changed = change(info.name, data)
            if changed is not None:
                members.append((info.name, changed))
    if extra is not None:
        members.insert(0, extra)
    with tarfile.open(path, "w") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
