"""The dashboard's statistics (PRODUCT.md K6): days of a calendar and what is counted per day.

Days are numbered: day 0 is 1970-01-01 in the statistics' time zone (``TIDINGS_STATS_TIME_ZONE``,
UTC by default), so a company in Shanghai sees its own days, midnight to midnight. Counters and
the record of who was active are kept per such day (decision 0061).

A user is *active* on a day when they signed in, used a session (any authenticated request or
a WebSocket connection) or held a live connection that day. A *message* is an entry of kind
``message`` that a user sent (system notices are not counted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

_EPOCH = dt.date(1970, 1, 1)
_DAY_MS = 86_400_000

# The dashboard shows 1 to 90 days (PRODUCT.md K6).
MAX_DAYS = 90


class Counter(StrEnum):
    """What ``daily_counts`` counts, per day."""

    MESSAGES = "messages"
    # Users active that day: bumped when a user's first activity of the day is recorded.
    ACTIVE_USERS = "active_users"


class Calendar:
    """Days of one time zone: a timestamp's day number, a day's first millisecond."""

    def __init__(self, zone: str) -> None:
        self.zone_name = zone
        self._zone = ZoneInfo(zone)
        # A timestamp before _next_midnight and not before _midnight is on _day: almost every
        # question asked is about today, answered without a date conversion.
        self._day = 0
        self._midnight = 0
        self._next_midnight = 0

    def day_of(self, ms: int) -> int:
        """The number of the day ``ms`` (milliseconds since the epoch) falls on."""
        if self._midnight <= ms < self._next_midnight:
            return self._day
        local = dt.datetime.fromtimestamp(ms / 1000, self._zone).date()
        day = (local - _EPOCH).days
        self._day, self._midnight, self._next_midnight = (
            day,
            self.start_of(day),
            self.start_of(day + 1),
        )
        return day

    def start_of(self, day: int) -> int:
        """The first millisecond of ``day`` (local midnight; DST days are 23 or 25 hours)."""
        date = _EPOCH + dt.timedelta(days=day)
        midnight = dt.datetime(date.year, date.month, date.day, tzinfo=self._zone)
        return int(midnight.timestamp() * 1000)

    def offset_spans(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The zone's UTC offset over [lo, hi) ms: ``(until, offset_ms)`` spans, in order, the
        last until ``hi``. Within a span a local day number is ``(t + offset) // 86_400_000``."""
        spans: list[tuple[int, int]] = []
        at, offset = lo, self._offset(lo)
        # Offsets change a few times a year: step a day at a time, bisect a change to the ms.
        while at < hi:
            step = min(at + _DAY_MS, hi)
            if self._offset(step) == offset:
                at = step
                continue
            before, after = at, step
            while after - before > 1:
                middle = (before + after) // 2
                if self._offset(middle) == offset:
                    before = middle
                else:
                    after = middle
            spans.append((after, offset))
            at, offset = after, self._offset(after)
        spans.append((hi, offset))
        return spans

    def _offset(self, ms: int) -> int:
        offset = dt.datetime.fromtimestamp(ms / 1000, self._zone).utcoffset()
        return 0 if offset is None else int(offset.total_seconds() * 1000)

    @staticmethod
    def date_of(day: int) -> str:
        """The ISO date of ``day``."""
        return (_EPOCH + dt.timedelta(days=day)).isoformat()


@dataclass(frozen=True, slots=True)
class DayCounts:
    """Per-day series over ``first_day`` .. ``first_day + len - 1``, oldest first."""

    first_day: int
    active_users: list[int]
    messages: list[int]
    new_users: list[int]
    new_groups: list[int]


@dataclass(frozen=True, slots=True)
class Storage:
    files: int
    file_bytes: int
    database_bytes: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "file_bytes": self.file_bytes,
            "database_bytes": self.database_bytes,
        }


@dataclass(frozen=True, slots=True)
class Dashboard:
    time_zone: str
    online_now: int
    weekly_active_users: int
    users: int
    groups: int
    counts: DayCounts
    storage: Storage

    def to_wire(self) -> dict[str, Any]:
        c = self.counts
        return {
            "time_zone": self.time_zone,
            "days": [Calendar.date_of(c.first_day + i) for i in range(len(c.messages))],
            "online_now": self.online_now,
            "weekly_active_users": self.weekly_active_users,
            "users": self.users,
            "groups": self.groups,
            "active_users": c.active_users,
            "messages": c.messages,
            "new_users": c.new_users,
            "new_groups": c.new_groups,
            "storage": self.storage.to_wire(),
        }
