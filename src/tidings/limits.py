"""Rate limits (issue 11): ``await limits.hit(rule, key)`` counts a hit against a rule's rate
for one key (a user id, an address, an account) or raises ``rate_limited`` with
``details.retry_after``, the whole seconds until the hit would fit.

Each rule is a setting, ``TIDINGS_RATE_<RULE>`` (config.py lists them with their reasons),
spelled ``"<count>/<period>"`` or ``"off"`` (tidings.domain.rates). A rule allows a burst of
``count``, then one more hit every ``period / count``: the generic cell rate algorithm
(GCRA), which keeps one number per key, the "theoretical arrival time" (TAT) of the next
hit. A hit costing ``n`` moves the TAT ``n`` intervals on; it fits while the TAT stays within
``period`` of now. One number per key makes a hit a dict lookup in process and one small
Lua script in Redis, so it can sit on the send path (decision 0025).

On one node the windows live in process; with ``TIDINGS_REDIS_URL`` they live in Redis,
shared by every node and timed by Redis's clock. If Redis cannot be reached, a node counts
on its own (a brake must not turn into an outage), as the group rate rule does
(tidings.bus.rate).

``reserve`` takes hits on several rules at once, all or none, and ``refund`` gives them
back: the sign-in throttle reserves an attempt on each of its keys before the password is
checked, so however many guesses arrive at once, at most the rules' counts are checked; a
right password returns its attempt.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import hiredis

from tidings.bus.resp import RespConnection, RespError, command, connect
from tidings.config import Settings
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.rates import Rate, parse_rate

logger = logging.getLogger(__name__)

# Keys one node keeps in process; past this, spent ones are dropped (and, under a flood of
# distinct keys, all of them: forgetting is safer than growing without bound).
LOCAL_KEYS_MAX = 200_000
# What each rule limits, for the error message.
_WHAT = {
    "sign_in_account_address": "failed sign-ins",
    "sign_in_address": "failed sign-ins",
    "sign_in_account": "failed sign-ins",
    "register_address": "registrations",
    "message_send": "messages",
    "mention_all": "@all mentions",
    "group_create": "groups created",
    "members_add": "members added",
    "ws_connect_session": "connections",
    "search": "searches",
    "message_search": "message searches",
    "call_start": "calls started",
    "member_list": "member lists",
    "code_send_destination": "codes sent",
    "code_send_address": "codes sent",
    "sign_in_second_step": "wrong codes",
    "lock_verify": "wrong lock codes",
    "service_visitor_address": "visitors",
    "service_visitor_send": "messages",
    "oidc_start": "single sign-ons started",
    "app_api": "app API calls",
    "app_token": "token requests",
}


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule's hit on one key: ``key`` is ``"<rule>:<key>"``."""

    key: str
    rate: Rate
    cost: int = 1


@dataclass(frozen=True, slots=True)
class Reservation:
    hits: tuple[Hit, ...]


class Window(Protocol):
    async def take(self, hits: Sequence[Hit]) -> float:
        """Count every hit and return 0, or, if any does not fit, count none and return the
        seconds until all would."""

    async def give_back(self, hits: Sequence[Hit]) -> None:
        """Undo hits taken before (their intervals are freed)."""

    async def start(self) -> None:
        """Connect, where there is anything to connect to."""

    async def close(self) -> None:
        """Let go of connections (the server is stopping)."""


class LocalWindow:
    """The windows of one process: a TAT per key, in ``time.monotonic()`` seconds."""

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}

    async def take(self, hits: Sequence[Hit]) -> float:
        return self.take_now(hits, time.monotonic())

    async def give_back(self, hits: Sequence[Hit]) -> None:
        self.give_back_now(hits, time.monotonic())

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    def take_one(self, key: str, rate: Rate, cost: int) -> float:
        """``take`` for one hit, without a coroutine: the hot path of a node on its own."""
        now = time.monotonic()
        tats = self._tat
        tat = tats.get(key, now)
        moved_tat = (tat if tat > now else now) + rate.seconds * cost / rate.count
        over = moved_tat - now - rate.seconds
        if over > 1e-6:
            return over
        if len(tats) >= LOCAL_KEYS_MAX:
            self._forget_spent(now)
        self._tat[key] = moved_tat
        return 0.0

    def take_now(self, hits: Sequence[Hit], now: float) -> float:
        tats = self._tat
        wait = 0.0
        moved: list[float] = []
        for hit in hits:
            rate = hit.rate
            tat = tats.get(hit.key, now)
            moved_tat = (tat if tat > now else now) + rate.seconds * hit.cost / rate.count
            over = moved_tat - now - rate.seconds
            if over > 1e-6 and over > wait:
                wait = over
            moved.append(moved_tat)
        if wait:
            return wait
        if len(tats) >= LOCAL_KEYS_MAX:
            self._forget_spent(now)
        for hit, moved_tat in zip(hits, moved, strict=True):
            tats[hit.key] = moved_tat
        return 0.0

    def give_back_now(self, hits: Sequence[Hit], now: float) -> None:
        for hit in hits:
            tat = self._tat.get(hit.key)
            if tat is None:
                continue
            tat -= hit.rate.seconds * hit.cost / hit.rate.count
            if tat <= now:
                del self._tat[hit.key]
            else:
                self._tat[hit.key] = tat

    def _forget_spent(self, now: float) -> None:
        self._tat = {key: tat for key, tat in self._tat.items() if tat > now}
        if len(self._tat) >= LOCAL_KEYS_MAX * 9 // 10:
            self._tat.clear()


# KEYS: the windows; ARGV: per key, period in microseconds, count, cost. Redis's clock
# times every node alike. Returns 0 (all taken) or the microseconds to wait (none taken).
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait = 0
local moved = {}
for i = 1, #KEYS do
  local period = tonumber(ARGV[3 * i - 2])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  local new = tat + period * tonumber(ARGV[3 * i]) / tonumber(ARGV[3 * i - 1])
  local over = new - now - period
  if over > 1 and over > wait then wait = over end
  moved[i] = new
end
if wait > 0 then return math.ceil(wait) end
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], string.format('%.3f', moved[i]),
    'PX', math.ceil((moved[i] - now) / 1000) + 1)
end
return 0
"""

# The same ARGV; moves each TAT back by its hits.
_GIVE_BACK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for i = 1, #KEYS do
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  local back = tat - tonumber(ARGV[3 * i - 2]) * tonumber(ARGV[3 * i]) / tonumber(ARGV[3 * i - 1])
  if back <= now then
    redis.call('DEL', KEYS[i])
  else
    redis.call('SET', KEYS[i], string.format('%.3f', back),
      'PX', math.ceil((back - now) / 1000) + 1)
  end
end
return 0
"""


class RedisWindow:
    """The windows every node shares, in Redis under ``limit:<rule>:<key>``.

    A hit is on every send, so it does not go through redis-py (70-100 µs of Python per
    call here): the scripts are loaded once per connection and called with EVALSHA over a
    lean connection (tidings.bus.resp, hiredis parsing), every hit of one event-loop turn
    written in one batch. A batch unanswered within ``timeout`` seconds, a broken
    connection or a refused script: the node counts on its own for a second, then connects
    again in the background, counting on its own until it is back (no hit ever waits for a
    connection). ``start`` connects before the node serves.
    """

    def __init__(self, url: str, *, timeout: float = 1.0) -> None:
        self._url = url
        self._timeout = timeout
        self._connection: RespConnection | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._shas: tuple[bytes, bytes] = (b"", b"")
        self._pending: list[tuple[bytes, asyncio.Future[int]]] = []
        self._fallback = LocalWindow()
        self._local_until = 0.0
        self._last_error_log = 0.0

    async def start(self) -> None:
        self._usable()
        if self._connecting is not None:
            await self._connecting

    async def take(self, hits: Sequence[Hit]) -> float:
        connection = self._usable()
        if connection is None:
            return await self._fallback.take(hits)
        try:
            wait_us = await self._call(connection, 0, hits)
        except (RespError, OSError, TimeoutError) as error:
            self._failed(error)
            return await self._fallback.take(hits)
        return wait_us / 1_000_000

    async def give_back(self, hits: Sequence[Hit]) -> None:
        connection = self._usable()
        if connection is None:
            await self._fallback.give_back(hits)
            return
        try:
            await self._call(connection, 1, hits)
        except (RespError, OSError, TimeoutError) as error:
            self._failed(error)
            await self._fallback.give_back(hits)

    async def close(self) -> None:
        if self._connecting is not None:
            self._connecting.cancel()
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _usable(self) -> RespConnection | None:
        """The live connection, or None (and a reconnection under way, once the second of
        counting locally after a failure is over)."""
        connection = self._connection
        if (
            connection is None
            and self._connecting is None
            and time.monotonic() >= self._local_until
        ):
            self._connecting = asyncio.get_running_loop().create_task(self._reconnect())
        return connection

    async def _reconnect(self) -> None:
        try:
            await self._open()
        except (RespError, OSError, TimeoutError) as error:
            self._failed(error)
        finally:
            self._connecting = None

    async def _call(self, connection: RespConnection, script: int, hits: Sequence[Hit]) -> int:
        args = [b"EVALSHA", self._shas[script], b"%d" % len(hits)]
        args += [b"limit:" + hit.key.encode() for hit in hits]
        for hit in hits:
            args += (
                b"%d" % (hit.rate.seconds * 1_000_000),
                b"%d" % hit.rate.count,
                b"%d" % hit.cost,
            )
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._flush, connection)
        self._pending.append((command(*args), future))
        return await future

    def _flush(self, connection: RespConnection) -> None:
        pending, self._pending = self._pending, []
        try:
            replies = connection.submit([c for c, _ in pending], len(pending))
        except RespError as error:
            _fail_all(pending, error)
            return
        loop = asyncio.get_running_loop()
        timer = loop.call_later(self._timeout, self._timed_out, connection, replies)

        def answered(done: asyncio.Future[list[Any]]) -> None:
            timer.cancel()
            error = done.exception() if not done.cancelled() else RespError("timed out")
            if error is not None:
                _fail_all(pending, error)
                return
            for (_, future), reply in zip(pending, done.result(), strict=True):
                if future.done():
                    continue
                if isinstance(reply, hiredis.ReplyError):
                    future.set_exception(RespError(f"Redis refused a script: {reply}"))
                else:
                    future.set_result(int(reply))

        replies.add_done_callback(answered)

    def _timed_out(self, connection: RespConnection, replies: asyncio.Future[list[Any]]) -> None:
        if not replies.done():
            replies.cancel()
            connection.close()

    async def _open(self) -> None:
        connection = await connect(self._url)
        try:
            shas = await asyncio.wait_for(
                connection.execute(
                    [
                        command(b"SCRIPT", b"LOAD", _TAKE.encode()),
                        command(b"SCRIPT", b"LOAD", _GIVE_BACK.encode()),
                    ],
                    2,
                ),
                self._timeout * 5,
            )
        except BaseException:
            connection.close()
            raise
        self._shas = (bytes(shas[0]), bytes(shas[1]))
        self._connection = connection
        connection.lost.add_done_callback(lambda _: self._lost(connection))

    def _lost(self, connection: RespConnection) -> None:
        if self._connection is connection:
            self._connection = None

    def _failed(self, error: BaseException) -> None:
        now = time.monotonic()
        self._local_until = now + 1.0
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if now - self._last_error_log > 5:
            self._last_error_log = now
            logger.warning("Redis unavailable, rate limits count on this node: %s", error)


def _fail_all(pending: list[tuple[bytes, asyncio.Future[int]]], error: BaseException) -> None:
    for _, future in pending:
        if not future.done():
            future.set_exception(error if isinstance(error, RespError) else RespError(str(error)))


class Limits:
    """The rules, read from the settings once, over a window (local or Redis)."""

    def __init__(self, settings: Settings, window: Window) -> None:
        self._window = window
        self._local = window if isinstance(window, LocalWindow) else None
        self.rates: dict[str, Rate | None] = {
            name.removeprefix("rate_"): (
                parse_rate(getattr(settings, name)) if settings.rate_limits else None
            )
            for name in type(settings).model_fields
            if name.startswith("rate_") and name != "rate_limits"
        }

    async def hit(self, rule: str, key: str | int, cost: int = 1) -> None:
        """Count a hit of ``rule`` on ``key`` (``cost`` hits at once), or raise
        ``rate_limited`` (nothing counted). ``rule`` is a ``TIDINGS_RATE_<RULE>`` name in
        lower case; an unknown one is a KeyError."""
        rate = self.rates[rule]
        if rate is None or cost <= 0:
            return
        if cost > rate.count:
            # Never fits, however long one waits: say so rather than name a time.
            raise TidingsError(
                ErrorCode.RATE_LIMITED,
                f"at most {rate.count} {_WHAT.get(rule, 'requests')} per {rate.seconds} s",
                details={"retry_after": rate.seconds, "max": rate.count},
            )
        local = self._local
        if local is not None:
            wait = local.take_one(f"{rule}:{key}", rate, cost)
        else:
            wait = await self._window.take((Hit(f"{rule}:{key}", rate, cost),))
        if wait:
            raise limited(rule, wait)

    async def reserve(self, *hits: tuple[str, str | int]) -> Reservation:
        """Take one hit on each ``(rule, key)`` together: all of them, or none and raise
        ``rate_limited`` with the longest wait."""
        taken = tuple(
            Hit(f"{rule}:{key}", rate)
            for rule, key in hits
            if (rate := self.rates[rule]) is not None
        )
        if taken:
            wait = await self._window.take(taken)
            if wait:
                rule = next(r for r, _ in hits if self.rates[r] is not None)
                raise limited(rule, wait)
        return Reservation(taken)

    async def refund(self, reservation: Reservation) -> None:
        if reservation.hits:
            await self._window.give_back(reservation.hits)

    async def start(self) -> None:
        await self._window.start()

    async def close(self) -> None:
        await self._window.close()


def limited(rule: str, wait: float) -> TidingsError:
    retry_after = max(1, math.ceil(wait))
    return TidingsError(
        ErrorCode.RATE_LIMITED,
        f"too many {_WHAT.get(rule, 'requests')}; try again in {retry_after} s",
        details={"retry_after": retry_after},
    )
