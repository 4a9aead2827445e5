"""One writer per upload at a time, within this process.

A client that lost its connection mid-PATCH may retry before the server noticed the loss; the
retry waits for the first request to finish (and commit what it received) instead of racing
it. Across nodes the offset update is conditional, so a second writer elsewhere fails with
409 rather than corrupting the upload.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class UploadLocks:
    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, upload_id: str, *, wait: float) -> AsyncIterator[bool]:
        """Yield True once the upload is ours, False if another request kept it too long."""
        lock, users = self._locks.get(upload_id, (asyncio.Lock(), 0))
        self._locks[upload_id] = (lock, users + 1)
        acquired = False
        try:
            try:
                async with asyncio.timeout(wait):
                    await lock.acquire()
                acquired = True
            except TimeoutError:
                pass
            yield acquired
        finally:
            if acquired:
                lock.release()
            lock, users = self._locks[upload_id]
            if users == 1:
                del self._locks[upload_id]
            else:
                self._locks[upload_id] = (lock, users - 1)
