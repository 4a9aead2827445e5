"""The cleanup job: expired files lose their bytes, abandoned uploads are removed.

It runs on every node; each step is idempotent, so two nodes doing the same work only repeat
a delete.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from tidings.actions.files import Files
from tidings.config import Settings
from tidings.domain.clock import now_ms
from tidings.store.files import FileStore

logger = logging.getLogger(__name__)
_BATCH = 500


class FileCleanup:
    def __init__(self, *, settings: Settings, store: FileStore, files: Files) -> None:
        self._settings = settings
        self._store = store
        self._files = files
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="file-cleanup")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def run_once(self) -> tuple[int, int]:
        """Purge expired files and remove abandoned uploads; (purged, removed)."""
        now = now_ms()
        expired = await self._store.expired(now, _BATCH)
        for file in expired:
            await self._files.purge(file)
        idle_since = now - self._settings.upload_abandon_after_seconds * 1000
        abandoned = await self._store.abandoned(idle_since, _BATCH)
        for upload in abandoned:
            await self._files.do_discard_if_abandoned(upload)
        return len(expired), len(abandoned)

    async def _run(self) -> None:
        while True:
            try:
                purged, removed = await self.run_once()
                if purged or removed:
                    logger.info("file cleanup: %d expired, %d abandoned", purged, removed)
            except Exception:
                logger.exception("file cleanup failed; trying again later")
            await asyncio.sleep(self._settings.file_cleanup_interval_seconds)
