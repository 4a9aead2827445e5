"""Forgetting customer-service visitors gone for good (J4, decision 0066).

A visitor is anyone who opened a web page: without a limit the visitors, their sessions and
what the host said about them (a name, a customer id, the pages they were on) would be kept
for ever. Each serving node looks every ``service_cleanup_interval_seconds`` for visitors
with no activity for ``service_visitor_retention_seconds`` — no entry in their chat, which
is closed, and no session seen — and forgets them (store/service.py ``forget_visitor``).
Each forgetting re-checks and is conditional, so two nodes sweeping at once only repeat a
look.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from tidings.config import Settings
from tidings.domain.clock import now_ms
from tidings.store.service import ServiceStore

logger = logging.getLogger(__name__)
# Visitors looked at per query, and queries per sweep: a backlog (a retention just turned
# on) is worked off over a few sweeps rather than in one long burst of writes.
_BATCH = 200
_BATCHES_PER_SWEEP = 25


class VisitorRetention:
    def __init__(self, *, settings: Settings, store: ServiceStore) -> None:
        self._settings = settings
        self._store = store
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._settings.service_visitor_retention_seconds > 0:
            self._task = asyncio.create_task(self._run(), name="visitor-retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def run_once(self, now: int | None = None) -> int:
        """Forget the visitors idle past the retention; how many were."""
        retention = self._settings.service_visitor_retention_seconds
        if retention <= 0:
            return 0
        now = now_ms() if now is None else now
        cutoff = now - retention * 1000
        forgotten = 0
        for _ in range(_BATCHES_PER_SWEEP):
            idle = await self._store.idle_visitors(cutoff, _BATCH)
            for visitor_id in idle:
                if await self._store.forget_visitor(visitor_id, cutoff, now):
                    forgotten += 1
            if len(idle) < _BATCH:
                break
        return forgotten

    async def _run(self) -> None:
        while True:
            try:
                forgotten = await self.run_once()
                if forgotten:
                    logger.info("customer service: forgot %d idle visitors", forgotten)
            except Exception:
                logger.exception("forgetting idle visitors failed; trying again later")
            await asyncio.sleep(self._settings.service_cleanup_interval_seconds)
