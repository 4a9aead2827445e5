"""Presence in Redis: which node holds which user's connections.

- ``presence:<user>`` is a hash node -> the JSON list of the user's sessions (devices) that
  node holds connections of, for every node holding one.
- ``node:<id>:users`` is the set of users a node holds; ``node:<id>:alive`` expires unless
  the node refreshes it, and ``nodes`` lists the nodes.
- A node that dies stops refreshing; within ``ttl`` and one heartbeat (``ttl / 3``) another
  node notices, removes the dead node from its users' hashes and publishes them offline.
- Redis keeps nothing on disk here: after it restarts, each node writes its users again.

Each node also counts its own connections per user and session; that count is
authoritative for the node.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

from tidings.bus.base import Bus
from tidings.bus.messages import PresenceChanged

logger = logging.getLogger(__name__)


class RedisPresence:
    def __init__(self, redis: Redis, node_id: str, bus: Bus, *, ttl_seconds: int = 15) -> None:
        self._redis = redis
        self._node = node_id
        self._bus = bus
        self._ttl = ttl_seconds
        self._heartbeat_seconds = ttl_seconds / 3
        # user -> session -> live connections on this node
        self._local: dict[int, dict[int, int]] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        with contextlib.suppress(RedisError, OSError):
            await self._announce_node()
        self._task = asyncio.create_task(self._heartbeat(), name="presence-heartbeat")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        # A clean shutdown hands its users over at once instead of after the TTL.
        with contextlib.suppress(RedisError, OSError):
            await self._forget_node(self._node)

    async def connected(self, user_id: int, session_id: int) -> bool:
        sessions = self._local.setdefault(user_id, {})
        first_here = not sessions
        count = sessions.get(session_id, 0)
        sessions[session_id] = count + 1
        if count:
            return False
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(f"presence:{user_id}", self._node, _sessions_value(sessions))
                pipe.sadd(f"node:{self._node}:users", user_id)
                pipe.hlen(f"presence:{user_id}")
                results = await pipe.execute()
            return first_here and int(results[2]) == 1
        except (RedisError, OSError):
            return False

    async def disconnected(self, user_id: int, session_id: int) -> bool:
        sessions = self._local.get(user_id, {})
        count = sessions.get(session_id, 0) - 1
        if count > 0:
            sessions[session_id] = count
            return False
        sessions.pop(session_id, None)
        try:
            if sessions:
                # Still here from another device: only which devices changed.
                await self._redis.hset(f"presence:{user_id}", self._node, _sessions_value(sessions))
                return False
            self._local.pop(user_id, None)
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hdel(f"presence:{user_id}", self._node)
                pipe.srem(f"node:{self._node}:users", user_id)
                pipe.hlen(f"presence:{user_id}")
                results = await pipe.execute()
            return int(results[2]) == 0
        except (RedisError, OSError):
            return False

    async def online(self, user_ids: list[int]) -> dict[int, bool]:
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for user_id in user_ids:
                    pipe.hlen(f"presence:{user_id}")
                counts = await pipe.execute()
            return {u: int(c) > 0 for u, c in zip(user_ids, counts, strict=True)}
        except (RedisError, OSError):
            # Without Redis, report what this node knows.
            return {u: u in self._local for u in user_ids}

    async def online_sessions(self, user_ids: list[int]) -> dict[int, set[int]]:
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for user_id in user_ids:
                    pipe.hvals(f"presence:{user_id}")
                values = await pipe.execute()
        except (RedisError, OSError):
            return {u: set(self._local.get(u, ())) for u in user_ids}
        found: dict[int, set[int]] = {}
        for user_id, per_node in zip(user_ids, values, strict=True):
            sessions: set[int] = set()
            for value in per_node:
                sessions.update(_parse_sessions(value))
            found[user_id] = sessions
        return found

    async def count_online(self) -> int:
        """Users in the union of the live nodes' sets (a user on two nodes counts once)."""
        try:
            nodes = [
                n.decode() if isinstance(n, bytes) else str(n)
                for n in await self._redis.smembers("nodes")
            ]
            if not nodes:
                return 0
            key = f"node:{self._node}:online-count"
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.sunionstore(key, [f"node:{n}:users" for n in nodes])
                pipe.delete(key)
                results = await pipe.execute()
            return int(results[0])
        except (RedisError, OSError):
            return len(self._local)

    def local_users(self) -> list[int]:
        return list(self._local)

    async def rewrite(self) -> None:
        """Write this node's users again (Redis restarted empty)."""
        await self._announce_node()
        users = list(self._local)
        async with self._redis.pipeline(transaction=False) as pipe:
            for user_id in users:
                pipe.hset(f"presence:{user_id}", self._node, _sessions_value(self._local[user_id]))
            if users:
                pipe.sadd(f"node:{self._node}:users", *users)
            await pipe.execute()

    async def _announce_node(self) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.set(f"node:{self._node}:alive", 1, ex=self._ttl)
            pipe.sadd("nodes", self._node)
            await pipe.execute()

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_seconds)
            try:
                alive = await self._redis.exists(f"node:{self._node}:alive")
                if not alive:
                    # Redis lost our keys (restart, or we were thought dead): write them again.
                    await self.rewrite()
                else:
                    await self._announce_node()
                await self._reap_dead_nodes()
            except (RedisError, OSError) as error:
                logger.debug("presence heartbeat failed: %s", error)

    async def _reap_dead_nodes(self) -> None:
        for raw in await self._redis.smembers("nodes"):
            node = raw.decode() if isinstance(raw, bytes) else str(raw)
            if node == self._node or await self._redis.exists(f"node:{node}:alive"):
                continue
            # One node cleans up after the dead one.
            if await self._redis.set(f"reap:{node}", self._node, nx=True, ex=30):
                await self._forget_node(node)

    async def _forget_node(self, node: str) -> None:
        users = [int(u) for u in await self._redis.smembers(f"node:{node}:users")]
        gone: list[int] = []
        for user_id in users:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hdel(f"presence:{user_id}", node)
                pipe.hlen(f"presence:{user_id}")
                _, remaining = await pipe.execute()
            if int(remaining) == 0 and user_id not in self._local:
                gone.append(user_id)
        await self._redis.delete(f"node:{node}:users", f"node:{node}:alive")
        await self._redis.srem("nodes", node)
        for user_id in gone:
            await self._bus.publish(PresenceChanged(user_id, online=False))


def _sessions_value(sessions: dict[int, int]) -> bytes:
    return orjson.dumps(sorted(sessions))


def _parse_sessions(value: bytes | str) -> list[int]:
    """A node's sessions of a user; nothing from a value of another form (a node of an
    older version wrote ``1``: the user is online, from devices unknown)."""
    try:
        found = orjson.loads(value)
    except orjson.JSONDecodeError:
        return []
    if not isinstance(found, list):
        return []
    return [s for s in found if isinstance(s, int)]
