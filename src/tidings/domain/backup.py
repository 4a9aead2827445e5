"""Backups of a whole server (PRODUCT.md N4, decision 0054): the archive's layout and rules.

A backup is one tar file (optionally gzip- or xz-compressed) whose members mirror a data
directory, with the manifest last (its checksums are known only once the rest is written)::

    tidings.db            the SQLite database (an online-backup copy), or
    tidings.pgdump        a PostgreSQL dump (pg_dump --format=custom)
    files/<xx>/<key>      the files store, as files/storage.py lays it out
    manifest.json         what the archive holds, with a sha256 per member

Not to be confused with a user's history backup (decision 0051), which a client makes of
its own conversations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

FORMAT = "tidings-backup"
# The archive's layout; a reader refuses versions it does not know.
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "tidings.db"
POSTGRESQL_MEMBER = "tidings.pgdump"
FILES_DIR = "files"
# Storage keys as files/storage.py makes them, under their two-character fan-out directory.
_FILE_MEMBER = re.compile(r"^files/([A-Za-z0-9_-]{1,2})/([A-Za-z0-9_-]{1,64}(\.[a-z]{1,16})?)$")
# A manifest lists every member: a few hundred bytes each, so this allows millions of files.
MANIFEST_MAX_BYTES = 512 * 1024 * 1024


class DatabaseKind(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


class BackupProblem(StrEnum):
    """Why a backup or a restore stopped: stable codes, printed as ``error: <code>: ...``."""

    # backup
    OUT_EXISTS = "backup_exists"  # --out names a file that exists: never overwritten
    NO_DATABASE = "no_database"  # no tidings.db in the data directory
    DATABASE_UNREACHABLE = "database_unreachable"
    DUMP_FAILED = "dump_failed"  # pg_dump (or the SQLite copy) failed
    TOOL_MISSING = "tool_missing"  # pg_dump / pg_restore not installed
    # restore
    NOT_FOUND = "backup_not_found"
    CORRUPT = "backup_corrupt"  # not a tar, cut short, a checksum that does not match
    UNSUPPORTED_VERSION = "backup_unsupported_version"  # a format or schema this code lacks
    TARGET_NOT_EMPTY = "target_not_empty"  # the data directory or the database
    DATABASE_URL_REQUIRED = "database_url_required"  # a PostgreSQL backup needs a target
    DATABASE_KIND_MISMATCH = "database_kind_mismatch"  # e.g. a SQLite backup into PostgreSQL
    RESTORE_FAILED = "restore_failed"  # pg_restore refused the dump


class BackupError(Exception):
    def __init__(self, problem: BackupProblem, message: str) -> None:
        super().__init__(f"{problem.value}: {message}")
        self.problem = problem
        self.message = message


@dataclass(frozen=True, slots=True)
class Member:
    size: int
    sha256: str


@dataclass(slots=True)
class Manifest:
    """manifest.json. ``members`` maps every other member's name to its size and sha256."""

    tidings_version: str
    database: DatabaseKind
    # The Alembic revision of the database at the snapshot ("0014"); a newer server
    # migrates a restored database forward when it starts.
    schema_revision: str
    created_at: str  # ISO 8601, UTC
    members: dict[str, Member] = field(default_factory=dict)
    format: str = FORMAT
    version: int = VERSION

    @property
    def file_count(self) -> int:
        return sum(1 for name in self.members if name.startswith(FILES_DIR + "/"))

    @property
    def file_bytes(self) -> int:
        return sum(m.size for n, m in self.members.items() if n.startswith(FILES_DIR + "/"))

    @property
    def database_member(self) -> str:
        return SQLITE_MEMBER if self.database is DatabaseKind.SQLITE else POSTGRESQL_MEMBER

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "version": self.version,
            "tidings_version": self.tidings_version,
            "database": self.database.value,
            "schema_revision": self.schema_revision,
            "created_at": self.created_at,
            "files": {"count": self.file_count, "bytes": self.file_bytes},
            "members": {
                name: {"size": m.size, "sha256": m.sha256} for name, m in self.members.items()
            },
        }

    @classmethod
    def from_json(cls, data: object) -> Manifest:
        """Read a manifest, refusing any other format or version and any malformed field."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError(BackupProblem.CORRUPT, "the manifest is not a Tidings backup's")
        if data.get("version") != VERSION:
            raise BackupError(
                BackupProblem.UNSUPPORTED_VERSION,
                f"backup format version {data.get('version')!r}; this Tidings reads {VERSION}",
            )
        try:
            members = {
                str(name): Member(int(m["size"]), str(m["sha256"]))
                for name, m in data["members"].items()
            }
            manifest = cls(
                tidings_version=str(data["tidings_version"]),
                database=DatabaseKind(data["database"]),
                schema_revision=str(data["schema_revision"]),
                created_at=str(data["created_at"]),
                members=members,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise BackupError(BackupProblem.CORRUPT, f"malformed manifest: {error!r}") from None
        if manifest.database_member not in members:
            raise BackupError(BackupProblem.CORRUPT, "the manifest lists no database")
        for name in members:
            check_member_name(name)
        return manifest


def check_member_name(name: str) -> None:
    """Only the members a backup writes may be read: nothing can name a path elsewhere."""
    if name in (MANIFEST, SQLITE_MEMBER, POSTGRESQL_MEMBER):
        return
    match = _FILE_MEMBER.match(name)
    if match is None or match.group(2)[:2] != match.group(1):
        raise BackupError(BackupProblem.CORRUPT, f"unexpected member {name[:200]!r}")


def file_member(key: str) -> str:
    """The member name of a storage key (files/storage.py's fan-out by its first two chars)."""
    return f"{FILES_DIR}/{key[:2]}/{key}"
