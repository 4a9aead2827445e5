"""``tidings backup`` and ``tidings restore``: a running server's database and files in one
archive, and that archive onto a new data directory (PRODUCT.md N4, decision 0054).

The database is snapshotted first (store/backup.py), then the files store is copied: every
file the snapshot refers to was complete before it and is there; files that arrive while
the copy runs may be included too, and are simply unreferenced in the restored server (the
cleanup job's business). The archive is written as ``<out>.partial`` and renamed when whole;
a restore builds the data directory as a hidden sibling and renames it into place once every
checksum matched, so a failure at any point leaves nothing half-written behind.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Literal

from tidings import __version__
from tidings.config import Settings
from tidings.domain.backup import (
    FILES_DIR,
    MANIFEST,
    MANIFEST_MAX_BYTES,
    POSTGRESQL_MEMBER,
    SQLITE_MEMBER,
    BackupError,
    BackupProblem,
    DatabaseKind,
    Manifest,
    Member,
    check_member_name,
    file_member,
)
from tidings.store import backup as database_backup

log = logging.getLogger(__name__)

_CHUNK = 1024 * 1024
# Files the storage is still writing (files/storage.py publishes a new object by renaming
# its ".partial"): never referenced by the database, so never needed.
_UNFINISHED_SUFFIX = ".partial"


@dataclass(frozen=True, slots=True)
class Done:
    """What a backup or restore did, for the command to print."""

    manifest: Manifest
    path: Path
    seconds: float


def create_backup(settings: Settings, out: Path) -> Done:
    """Write a backup of the server configured by ``settings`` (running or not) to ``out``."""
    started = time.monotonic()
    out = out.absolute()
    if out.exists():
        raise BackupError(BackupProblem.OUT_EXISTS, f"{out} exists; name a new file")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + _UNFINISHED_SUFFIX)
    kind = DatabaseKind.SQLITE if settings.is_sqlite else DatabaseKind.POSTGRESQL
    try:
        with tempfile.TemporaryDirectory(prefix=".tidings-backup-", dir=out.parent) as staging:
            # The snapshot first: the files copied after it hold every file it names.
            snapshot = Path(staging) / "database"
            if kind is DatabaseKind.SQLITE:
                revision = database_backup.snapshot_sqlite(
                    settings.data_dir / "tidings.db", snapshot
                )
            else:
                revision = database_backup.dump_postgresql(settings.database_url, snapshot)
            manifest = Manifest(
                tidings_version=__version__,
                database=kind,
                schema_revision=revision,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            with _open_for_writing(partial) as archive:
                with open(snapshot, "rb") as source:
                    name = SQLITE_MEMBER if kind is DatabaseKind.SQLITE else POSTGRESQL_MEMBER
                    manifest.members[name] = _add(archive, name, source)
                snapshot.unlink()  # staging space back before the files are copied
                for key, path in _stored_files(settings.data_dir / FILES_DIR):
                    try:
                        source = open(path, "rb")  # noqa: SIM115 (closed below)
                    except FileNotFoundError:
                        continue  # deleted since it was listed: after the snapshot too
                    with source:
                        manifest.members[file_member(key)] = _add(archive, file_member(key), source)
                data = json.dumps(manifest.to_json(), indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(data), int(time.time())
                archive.addfile(info, io.BytesIO(data))
            _fsync(partial)
            os.replace(partial, out)
            _fsync(out.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Done(manifest, out, time.monotonic() - started)


def restore_backup(archive_path: Path, data_dir: Path, database_url: str = "") -> Done:
    """Restore a backup onto ``data_dir``, which must not exist or be empty; a PostgreSQL
    backup's database goes into ``database_url``, which must be empty."""
    started = time.monotonic()
    data_dir = data_dir.absolute()
    if not archive_path.is_file():
        raise BackupError(BackupProblem.NOT_FOUND, f"no backup at {archive_path}")
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise BackupError(
            BackupProblem.TARGET_NOT_EMPTY, f"{data_dir} is not empty; name a new directory"
        )
    if database_url and not database_url.startswith(("postgresql", "postgres:")):
        raise BackupError(
            BackupProblem.DATABASE_KIND_MISMATCH, "--database-url must be a PostgreSQL URL"
        )
    if database_url:
        # Refused before minutes of unpacking, and checked again right before loading.
        database_backup.check_postgresql_empty(database_url)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}.restoring-", dir=data_dir.parent))
    try:
        manifest = _unpack(archive_path, staging)
        if manifest.database is DatabaseKind.POSTGRESQL and not database_url:
            raise BackupError(
                BackupProblem.DATABASE_URL_REQUIRED,
                "this is a PostgreSQL backup: name an empty database with --database-url",
            )
        if manifest.database is DatabaseKind.SQLITE and database_url:
            raise BackupError(
                BackupProblem.DATABASE_KIND_MISMATCH,
                "this is a SQLite backup: it restores into the data directory, without "
                "--database-url",
            )
        if not database_backup.known_revision(manifest.schema_revision):
            raise BackupError(
                BackupProblem.UNSUPPORTED_VERSION,
                f"the database is at schema {manifest.schema_revision!r}, which this Tidings "
                f"({__version__}) does not know: restore with the version that made it",
            )
        if manifest.database is DatabaseKind.SQLITE:
            database_backup.check_sqlite(staging / SQLITE_MEMBER)
        else:
            dump = staging / POSTGRESQL_MEMBER
            database_backup.restore_postgresql(dump, database_url)
            dump.unlink()
        (staging / FILES_DIR).mkdir(exist_ok=True)
        _fsync_tree(staging)
        if data_dir.exists():
            data_dir.rmdir()  # empty, as checked
        os.replace(staging, data_dir)
        _fsync(data_dir.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Done(manifest, data_dir, time.monotonic() - started)


# Writing


def _open_for_writing(path: Path) -> tarfile.TarFile:
    mode: Literal["w:gz", "w:xz", "w:"]
    name = path.name.removesuffix(_UNFINISHED_SUFFIX)
    if name.endswith((".tar.gz", ".tgz")):
        # Level 6, as gzip's own default: 9 costs twice the time for a few percent.
        return tarfile.open(path, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT)
    mode = "w:xz" if name.endswith((".tar.xz", ".txz")) else "w:"
    return tarfile.open(path, mode, format=tarfile.PAX_FORMAT)


def _add(archive: tarfile.TarFile, name: str, source: IO[bytes]) -> Member:
    stat = os.fstat(source.fileno())
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
    reader = _HashingReader(source, stat.st_size)
    archive.addfile(info, reader)
    return Member(stat.st_size, reader.hash.hexdigest())


class _HashingReader(io.RawIOBase):
    """Reads exactly ``size`` bytes of a file, hashing them. A file cut shorter meanwhile
    (an unfinished upload rolled back to its last checkpoint) reads as zeros past its end:
    those bytes lie past the offset the database snapshot recorded, and a resumed upload
    cuts them off (files/storage.py ``_open_for_append``)."""

    def __init__(self, source: IO[bytes], size: int) -> None:
        self.source = source
        self.left = size
        self.hash = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        wanted = self.left if size < 0 else min(size, self.left)
        data = self.source.read(wanted)
        if len(data) < wanted:
            data += bytes(wanted - len(data))
        self.left -= len(data)
        self.hash.update(data)
        return data


def _stored_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Every object of the local files store, as (key, path), in a stable order."""
    if not root.is_dir():
        return
    for directory in sorted(root.iterdir()):
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            key = path.name
            if key.endswith(_UNFINISHED_SUFFIX) or not path.is_file():
                continue
            try:
                check_member_name(file_member(key))
            except BackupError:
                log.warning("not a stored file, left out of the backup: %s", path)
                continue
            yield key, path


# Reading


def _unpack(archive_path: Path, staging: Path) -> Manifest:
    """Unpack every member into ``staging``, hashing; check them against the manifest."""
    seen: dict[str, Member] = {}
    manifest: Manifest | None = None
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            for info in archive:
                check_member_name(info.name)
                if not info.isfile():
                    raise BackupError(BackupProblem.CORRUPT, f"{info.name} is not a file")
                if info.name in seen or (info.name == MANIFEST and manifest is not None):
                    raise BackupError(BackupProblem.CORRUPT, f"{info.name} appears twice")
                source = archive.extractfile(info)
                assert source is not None  # a regular file, as checked
                if info.name == MANIFEST:
                    if info.size > MANIFEST_MAX_BYTES:
                        raise BackupError(BackupProblem.CORRUPT, "the manifest is too large")
                    manifest = Manifest.from_json(json.loads(source.read()))
                    continue
                seen[info.name] = _extract(source, staging / info.name)
    except (tarfile.TarError, EOFError, OSError, ValueError) as error:
        reason = " ".join(str(error).split())  # tarfile's are several lines
        raise BackupError(
            BackupProblem.CORRUPT, f"{archive_path} cannot be read whole: {reason}"
        ) from None
    if manifest is None:
        raise BackupError(BackupProblem.CORRUPT, "no manifest: not a whole Tidings backup")
    for name, expected in manifest.members.items():
        if seen.get(name) != expected:
            found = "missing" if name not in seen else "different bytes"
            raise BackupError(BackupProblem.CORRUPT, f"{name}: {found} (its checksum fails)")
    extra = set(seen) - set(manifest.members)
    if extra:
        raise BackupError(BackupProblem.CORRUPT, f"members the manifest does not list: {extra}")
    return manifest


def _extract(source: IO[bytes], target: Path) -> Member:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with open(target, "xb") as out:
        os.fchmod(out.fileno(), 0o600)
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            try:
                out.write(chunk)
            except OSError as error:  # a full disk, say: not the archive's fault
                raise BackupError(
                    BackupProblem.RESTORE_FAILED, f"writing {target}: {error}"
                ) from None
            size += len(chunk)
    return Member(size, digest.hexdigest())


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    """Make a restored directory durable before it is renamed into place."""
    for directory, _, names in os.walk(root):
        for name in names:
            _fsync(Path(directory) / name)
        _fsync(Path(directory))
