"""The window behind a group's rate rule (E8: at most ``count`` messages per ``seconds`` per
member): in process on one node, in Redis when several nodes share the load.

Both keep a sliding window of send times, so a member gets the same answer whichever node
their messages go through. Redis runs the whole check as one Lua script (atomic, one round
trip) on a sorted set per (group, member) that expires with its window, timed by Redis's own
clock so nodes' clocks need not agree. If Redis cannot be reached, the node falls back to its
own window: the rule is a brake on floods, and a send must not fail because Redis is away.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import deque
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# A window of at most this many keys per node: beyond it, the oldest are forgotten.
LOCAL_KEYS_MAX = 100_000

# KEYS[1]: the window; ARGV: count, seconds, a unique member. Returns 1 if the send fits.
_SLIDING_WINDOW = """
local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
local window_us = tonumber(ARGV[2]) * 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_us - window_us)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now_us, ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 1000)
return 1
"""


class RateWindow(Protocol):
    async def allow(self, conversation_id: int, user_id: int, count: int, seconds: int) -> bool:
        """Record a send and return True, or return False if ``count`` were sent in the
        last ``seconds`` already (a refused send is not recorded)."""


class LocalRateWindow:
    def __init__(self) -> None:
        self._recent: dict[tuple[int, int], deque[float]] = {}

    async def allow(self, conversation_id: int, user_id: int, count: int, seconds: int) -> bool:
        return self.allow_now(conversation_id, user_id, count, seconds, time.monotonic())

    def allow_now(
        self, conversation_id: int, user_id: int, count: int, seconds: int, now: float
    ) -> bool:
        recent = self._recent.get((conversation_id, user_id))
        if recent is None:
            if len(self._recent) >= LOCAL_KEYS_MAX:
                self._recent.clear()
            recent = self._recent[(conversation_id, user_id)] = deque()
        while recent and recent[0] <= now - seconds:
            recent.popleft()
        if len(recent) >= count:
            return False
        recent.append(now)
        return True


class RedisRateWindow:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._script = redis.register_script(_SLIDING_WINDOW)
        self._fallback = LocalRateWindow()
        self._last_error_log = 0.0

    async def allow(self, conversation_id: int, user_id: int, count: int, seconds: int) -> bool:
        key = f"rate:{conversation_id}:{user_id}"
        try:
            fits = await self._script(keys=[key], args=[count, seconds, secrets.token_hex(8)])
        except (RedisError, OSError) as error:
            now = time.monotonic()
            if now - self._last_error_log > 5:
                self._last_error_log = now
                logger.warning("Redis unavailable, the rate rule counts on this node: %s", error)
            return await self._fallback.allow(conversation_id, user_id, count, seconds)
        return bool(fits)
