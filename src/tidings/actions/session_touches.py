"""When each session was last used ("list my sessions"), written in batches.

Every sign-in of a session not seen for a minute used to be a write transaction of its own,
awaited before the connection was served: a reconnect storm of 10,000 clients queued 10,000
of them behind SQLite's single writer (4.7 s each on average, docs/benchmarks.md). The times
are informational, not security (expiry and revocation have columns of their own), so they
are gathered in memory and written in one transaction every ``flush_interval``, like
delivered receipts, all with the latest of their times (they are a second apart at most); a
crash loses at most that much of them.
"""

from __future__ import annotations

from tidings.actions.periodic import PeriodicFlush
from tidings.store.accounts import AccountStore


class SessionTouches:
    def __init__(self, store: AccountStore, *, flush_interval: float = 1.0) -> None:
        self._store = store
        self._seen: set[int] = set()
        self._latest = 0
        self._writer = PeriodicFlush(self._flush, every=flush_interval, name="session-touches")

    def touch(self, session_id: int, now: int) -> None:
        self._seen.add(session_id)
        self._latest = max(self._latest, now)

    def start(self) -> None:
        self._writer.start()

    async def stop(self) -> None:
        await self._writer.stop()

    async def _flush(self) -> None:
        if not self._seen:
            return
        batch, self._seen = self._seen, set()
        await self._store.touch_sessions(sorted(batch), self._latest)
