"""The dashboard (PRODUCT.md K6): counting as things happen, and reading the numbers.

Nothing here is on a send's path to its acknowledgement. The recorder only adds to counters
in memory: a stored message bumps an integer, a used session costs a dictionary lookup (and
a set insert the first time each user is seen each day). Every ``flush_interval`` the
gathered numbers are written in one transaction, added to what other nodes wrote; users
holding a connection on this node are marked active then, so someone connected since
yesterday counts today too. A crash loses at most one interval's counts (decision 0061).
"""

from __future__ import annotations

from collections import Counter as Tally

from tidings.actions.admin_gate import AdminGate
from tidings.actions.context import Actor
from tidings.actions.periodic import PeriodicFlush
from tidings.bus.presence import PresenceRegistry
from tidings.domain.admin import AdminPower
from tidings.domain.clock import now_ms
from tidings.domain.entries import EntryKind
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.statistics import MAX_DAYS, Calendar, Counter, Dashboard, DayCounts
from tidings.store.batch import Appended
from tidings.store.statistics import StatisticsStore


class StatisticsRecorder:
    def __init__(
        self,
        store: StatisticsStore,
        calendar: Calendar,
        presence: PresenceRegistry,
        *,
        flush_interval: float,
    ) -> None:
        self._store = store
        self._calendar = calendar
        self._presence = presence
        # The last day each user's activity was gathered on: once a day per user is enough.
        self._last_day: dict[int, int] = {}
        self._active: set[tuple[int, int]] = set()
        self._counts: Tally[tuple[Counter, int]] = Tally()
        self._writer = PeriodicFlush(self._flush, every=flush_interval, name="statistics")

    def seen(self, user_id: int, now: int) -> None:
        """The user did something (signed in, used a session) at ``now``."""
        day = self._calendar.day_of(now)
        if self._last_day.get(user_id) != day:
            self._last_day[user_id] = day
            self._active.add((day, user_id))

    def appended(self, results: list[Appended]) -> None:
        """A batch of the log was committed: count the messages users sent (not retries)."""
        for result in results:
            entry = result.entry
            if result.created and entry.kind is EntryKind.MESSAGE and entry.sender_id:
                self._counts[(Counter.MESSAGES, self._calendar.day_of(entry.created_at))] += 1

    def start(self) -> None:
        self._writer.start()

    async def stop(self) -> None:
        await self._writer.stop()

    async def flush(self) -> None:
        """Write what was gathered now (the CLI's statistics and tests need no wait)."""
        await self._flush()

    async def _flush(self) -> None:
        now = now_ms()
        for user_id in self._presence.local_users():
            self.seen(user_id, now)
        if not self._active and not self._counts:
            return
        active, self._active = self._active, set()
        counts, self._counts = self._counts, Tally()
        try:
            await self._store.record(active, dict(counts))
        except BaseException:
            # Kept for the next flush: counters are added, so nothing is counted twice.
            self._active |= active
            self._counts.update(counts)
            raise


class Statistics:
    def __init__(
        self,
        *,
        store: StatisticsStore,
        calendar: Calendar,
        presence: PresenceRegistry,
        gate: AdminGate,
    ) -> None:
        self._store = store
        self._calendar = calendar
        self._presence = presence
        self._gate = gate

    async def dashboard(self, actor: Actor, days: int) -> Dashboard:
        """The last ``days`` days up to today (1 to 90) in the statistics' time zone."""
        await self._gate.require(actor, AdminPower.DASHBOARD)
        if not 1 <= days <= MAX_DAYS:
            raise TidingsError(
                ErrorCode.INVALID_INPUT,
                f"days must be from 1 to {MAX_DAYS}",
                details={"field": "days", "max": MAX_DAYS},
            )
        return await self.numbers(days, now_ms())

    async def numbers(self, days: int, now: int) -> Dashboard:
        calendar = self._calendar
        last = calendar.day_of(now)
        first = last - days + 1
        lo, hi = calendar.start_of(first), calendar.start_of(last + 1)
        spans = calendar.offset_spans(lo, hi)
        store = self._store
        messages = await store.counts(Counter.MESSAGES, first, last)
        active = await store.counts(Counter.ACTIVE_USERS, first, last)
        new_users = await store.new_users(lo, hi, spans)
        new_groups = await store.new_groups(lo, hi, spans)
        people, groups = await store.totals()
        series = range(first, last + 1)
        return Dashboard(
            time_zone=calendar.zone_name,
            online_now=await self._presence.count_online(),
            weekly_active_users=await store.active_users(last - 6, last),
            users=people,
            groups=groups,
            counts=DayCounts(
                first_day=first,
                active_users=[active.get(d, 0) for d in series],
                messages=[messages.get(d, 0) for d in series],
                new_users=[new_users.get(d, 0) for d in series],
                new_groups=[new_groups.get(d, 0) for d in series],
            ),
            storage=await store.storage(),
        )
