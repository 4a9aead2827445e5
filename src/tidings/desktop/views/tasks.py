"""Starting coroutines from Qt's signal handlers (on the loop both share, decision 0077)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

logger = logging.getLogger(__name__)
_running: set[asyncio.Future[Any]] = set()


def spawn(
    coro: Coroutine[Any, Any, Any], on_error: Callable[[Exception], None] | None = None
) -> asyncio.Future[Any]:
    """Run ``coro`` in the background; an exception goes to ``on_error`` (or the log)."""
    task = asyncio.ensure_future(coro)
    _running.add(task)

    def done(finished: asyncio.Future[Any]) -> None:
        _running.discard(finished)
        if finished.cancelled():
            return
        error = finished.exception()
        if isinstance(error, Exception):
            if on_error is not None:
                on_error(error)
            else:
                logger.error("background task failed", exc_info=error)

    task.add_done_callback(done)
    return task


async def cancel_all() -> None:
    """Cancel what ``spawn`` started and wait until it has stopped (closing its streams)."""
    current = asyncio.current_task()
    pending = [task for task in _running if not task.done() and task is not current]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
