"""Writing what was gathered in memory, every so often (delivered receipts, sessions'
last-seen times): one task per kind, a last write when the server stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


class PeriodicFlush:
    def __init__(self, flush: Callable[[], Awaitable[None]], *, every: float, name: str) -> None:
        self._flush = flush
        self._every = every
        self._name = name
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            try:
                await self._flush()
            except Exception:
                logger.exception("%s failed", self._name)
