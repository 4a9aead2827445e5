"""Small thread pools of their own for CPU-heavy work that must not starve the rest.

asyncio's default executor is shared by everything that calls ``asyncio.to_thread``: file
I/O, SQLite readers' set-up, and (before these pools) image decoding and password hashing.
Six slow image decodes used to take every one of its threads, so downloads, uploads and
sign-ins waited minutes behind them. Each kind of heavy work now has a pool with a fixed
number of threads; callers beyond that wait in a first-come, first-served queue (an
``asyncio.Semaphore``), holding no thread and no memory but their own coroutine.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class WorkerPool:
    """``threads`` workers; ``await pool.run(fn, *args)`` queues when they are all busy."""

    def __init__(self, name: str, threads: int) -> None:
        if threads < 1:
            raise ValueError("a worker pool needs at least one thread")
        self.name = name
        self.threads = threads
        self._executor: ThreadPoolExecutor | None = None
        self._slots: asyncio.Semaphore | None = None
        self.waiting = 0

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        if self._slots is None:
            # Made on first use, inside the server's event loop.
            self._slots = asyncio.Semaphore(self.threads)
            self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix=self.name)
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        try:
            call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
            return await asyncio.get_running_loop().run_in_executor(self._executor, call)
        finally:
            self._slots.release()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
