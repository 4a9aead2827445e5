"""workers.WorkerPool: a fixed number of threads, callers beyond it queue in order."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from tidings.workers import WorkerPool


async def test_at_most_threads_run_and_the_rest_wait_their_turn() -> None:
    pool = WorkerPool("test", 2)
    running = 0
    most = 0
    order: list[int] = []
    lock = threading.Lock()

    def job(index: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            order.append(index)
        time.sleep(0.02)
        with lock:
            running -= 1
        return index * 10

    try:
        results = await asyncio.gather(*(pool.run(job, index) for index in range(8)))
    finally:
        pool.close()
    assert results == [index * 10 for index in range(8)]
    assert most == 2, "never more than the pool's threads at once"
    assert order[2:] == sorted(order[2:]), "waiting callers are served first come, first served"


async def test_a_failing_job_frees_its_thread() -> None:
    pool = WorkerPool("test", 1)

    def fail() -> None:
        raise ValueError("boom")

    try:
        for _ in range(3):
            with pytest.raises(ValueError):
                await pool.run(fail)
        assert await pool.run(lambda: "still serving") == "still serving"
    finally:
        pool.close()
