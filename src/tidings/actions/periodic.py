"""Work done every so often in the background: writing what was gathered in memory
(delivered receipts, sessions' last-seen times; a last write when the server stops), and
chores such as deleting what is kept no longer (``last=False``: no run at the stop)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


class PeriodicFlush:
    def __init__(
        self,
        flush: Callable[[], Awaitable[None]],
        *,
        every: float,
        name: str,
        last: bool = True,
    ) -> None:
        self._flush = flush
        self._every = every
        self._name = name
        # Run once more when stopping (a flush must; a chore need not hold up the stop).
        self._last = last
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._last:
            await self._flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            try:
                await self._flush()
            except Exception:
                logger.exception("%s failed", self._name)
