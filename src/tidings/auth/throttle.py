"""Sign-in throttling: at most N failed attempts per key within a sliding window."""

from __future__ import annotations

import time
from collections import deque


class Throttle:
    def __init__(self, *, attempts: int, window_seconds: float, max_keys: int = 100_000) -> None:
        self._attempts = attempts
        self._window = window_seconds
        self._max_keys = max_keys
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, key: str) -> bool:
        failures = self._failures.get(key)
        if not failures:
            return False
        self._expire(failures, time.monotonic())
        return len(failures) >= self._attempts

    def failed(self, key: str) -> None:
        if len(self._failures) >= self._max_keys:
            # Forget the oldest keys rather than grow without bound under a spray attack.
            for stale in list(self._failures)[: self._max_keys // 10]:
                del self._failures[stale]
        now = time.monotonic()
        failures = self._failures.setdefault(key, deque())
        self._expire(failures, now)
        failures.append(now)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)

    def _expire(self, failures: deque[float], now: float) -> None:
        while failures and now - failures[0] > self._window:
            failures.popleft()
