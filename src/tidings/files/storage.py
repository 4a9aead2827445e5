"""Where file bytes live, behind a small interface: a local directory by default.

The interface is shaped for S3-compatible storage too: uploads append at a known offset and
make their progress durable at checkpoints (a multipart upload's parts), reads are byte
ranges, and Pillow gets a local path (a temporary download on S3). Keys are made by the
server (``<file id>`` and ``<file id>.<variant>``), never from user input, and are checked
again here so that no key can name a path outside the storage directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}(\.[a-z]{1,16})?$")
# Bytes gathered before one write to disk: one thread hop per MiB, not per network read.
_WRITE_BYTES = 1024 * 1024
_READ_BYTES = 1024 * 1024
# pwritev takes at most IOV_MAX buffers (1024 on Linux).
_IOV_MAX = 1024


class StorageError(Exception):
    """The storage lost or cannot reach bytes it acknowledged: an operator's problem."""


class UploadSink(Protocol):
    """An upload being appended to, from the offset it was opened at."""

    @property
    def durable(self) -> int:
        """The offset up to which bytes are durable (after the last checkpoint)."""
        ...

    @property
    def position(self) -> int:
        """The offset after the last byte accepted by ``write``."""
        ...

    async def write(self, data: bytes) -> None: ...

    async def flush(self) -> None:
        """Hand every byte written so far to the storage (and the hasher), not yet durable."""

    async def checkpoint(self) -> None:
        """Make every byte written so far durable."""

    async def rollback(self) -> None:
        """Drop every byte written after the last checkpoint."""

    async def close(self) -> None: ...


class Storage(Protocol):
    async def append(
        self, key: str, offset: int, hasher: hashlib._Hash | None = None
    ) -> UploadSink:
        """Open ``key`` for appending at ``offset``; bytes stored past it are dropped (the
        remains of a request that was cut off). ``hasher`` sees every byte written."""
        ...

    def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes ``start`` to ``end`` (exclusive)."""
        ...

    async def size(self, key: str) -> int | None: ...

    async def put(self, key: str, data: bytes) -> None:
        """Store a small object (a thumbnail) whole and durably."""

    def new_object(self, key: str) -> contextlib.AbstractAsyncContextManager[Path]:
        """A local path to write an object into; stored when the block exits cleanly."""
        ...

    def local_path(self, key: str) -> contextlib.AbstractAsyncContextManager[Path]:
        """A local file with the object's bytes, for libraries that want a file."""
        ...

    async def delete(self, key: str) -> None:
        """Remove an object; a missing one is not an error."""


class LocalStorage:
    """Objects as files under one directory, fanned out by the first two characters."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key

    async def append(
        self, key: str, offset: int, hasher: hashlib._Hash | None = None
    ) -> UploadSink:
        path = self.path(key)
        fd = await asyncio.to_thread(_open_for_append, path, offset)
        return _LocalSink(fd, offset, hasher)

    async def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        try:
            handle = await asyncio.to_thread(open, self.path(key), "rb", buffering=0)
        except FileNotFoundError:
            raise StorageError(f"{key} is missing") from None
        with handle:
            position = start
            while position < end:
                chunk = await asyncio.to_thread(
                    os.pread, handle.fileno(), min(_READ_BYTES, end - position), position
                )
                if not chunk:
                    raise StorageError(f"{key} is shorter than recorded")
                position += len(chunk)
                yield chunk

    async def size(self, key: str) -> int | None:
        try:
            return (await asyncio.to_thread(self.path(key).stat)).st_size
        except FileNotFoundError:
            return None

    async def put(self, key: str, data: bytes) -> None:
        async with self.new_object(key) as path:
            await asyncio.to_thread(path.write_bytes, data)

    @contextlib.asynccontextmanager
    async def new_object(self, key: str) -> AsyncIterator[Path]:
        final = self.path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        partial = final.with_name(final.name + ".partial")
        try:
            yield partial
            await asyncio.to_thread(_publish, partial, final)
        finally:
            partial.unlink(missing_ok=True)

    @contextlib.asynccontextmanager
    async def local_path(self, key: str) -> AsyncIterator[Path]:
        yield self.path(key)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path(key).unlink, missing_ok=True)


class _LocalSink:
    """Appends through a 1 MiB buffer written by a worker thread, so a slow disk (writeback
    throttling) never stalls the event loop, and receiving overlaps writing."""

    def __init__(self, fd: int, offset: int, hasher: hashlib._Hash | None) -> None:
        self._fd = fd
        self._hasher = hasher
        self._durable = offset
        self._written = offset  # handed to the writer thread
        # Received chunks are kept as they are and written with one pwritev: no copying.
        self._chunks: list[bytes] = []
        self._buffered = 0
        self._pending: asyncio.Future[None] | None = None

    @property
    def durable(self) -> int:
        return self._durable

    @property
    def position(self) -> int:
        return self._written + self._buffered

    async def write(self, data: bytes) -> None:
        self._chunks.append(data)
        self._buffered += len(data)
        if self._buffered >= _WRITE_BYTES:
            await self._flush()

    async def flush(self) -> None:
        await self._flush()
        await self._settle()

    async def checkpoint(self) -> None:
        await self.flush()
        await asyncio.to_thread(os.fsync, self._fd)
        self._durable = self._written

    async def rollback(self) -> None:
        self._chunks, self._buffered = [], 0
        await self._settle(ignore_errors=True)
        await asyncio.to_thread(os.ftruncate, self._fd, self._durable)
        self._written = self._durable

    async def close(self) -> None:
        await self._settle(ignore_errors=True)
        os.close(self._fd)

    async def _flush(self) -> None:
        await self._settle()
        if not self._chunks:
            return
        chunks, self._chunks = self._chunks, []
        position = self._written
        self._written += self._buffered
        self._buffered = 0
        self._pending = asyncio.get_running_loop().run_in_executor(
            None, _write_at, self._fd, chunks, position, self._hasher
        )

    async def _settle(self, *, ignore_errors: bool = False) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            await pending
        except OSError:
            if not ignore_errors:
                raise


def _open_for_append(path: Path, offset: int) -> int:
    created = not path.exists()
    if created:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        size = os.fstat(fd).st_size
        if size < offset:
            raise StorageError(f"{path.name} holds {size} bytes, {offset} were acknowledged")
        if size > offset:
            os.ftruncate(fd, offset)
        if created:
            _fsync_directory(path.parent)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _write_at(fd: int, chunks: list[bytes], position: int, hasher: hashlib._Hash | None) -> None:
    if hasher is not None:
        for chunk in chunks:
            hasher.update(chunk)
    views = [memoryview(chunk) for chunk in chunks]
    while views:
        written = os.pwritev(fd, views[:_IOV_MAX], position)
        position += written
        while views and written >= len(views[0]):
            written -= len(views[0])
            views.pop(0)
        if views and written:
            views[0] = views[0][written:]


def _publish(partial: Path, final: Path) -> None:
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, final)
    _fsync_directory(final.parent)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
