"""The load generator's worker process: sender/receiver pairs driving 1:1 messages.

Each pair is two users with one WebSocket connection each and the direct chat between them.
The sender sends text messages; a message counts when the receiver got its ``entry`` push.
Two ways to pace the senders:

- closed loop (``window`` > 0): every sender keeps ``window`` sends in flight, sending the
  next one as each reply (the durable acknowledgement) arrives. This finds saturation.
- open loop (``rate`` > 0): the worker sends at a fixed rate, round-robin over its pairs,
  whatever the replies do. Latency is measured from the *intended* send time, so a stalled
  server cannot hide its stalls by slowing the load down (no coordinated omission).

A worker connects, reports ready, waits for the parent's start time (CLOCK_MONOTONIC is
system-wide, so one number serves every process), runs warm-up + measured window, stops
sending, waits until every acknowledged message has been pushed, and reports.

The connections are bench/lean.py's ``LeanSocket``s: no task per connection, frames cut out
of the stream by hand, replies and pushes handled by callbacks as they arrive, and arrival
times read from ``time.monotonic`` like every other time here. The websockets library's
asyncio client cost ~150 µs of load-generator CPU per message, taken from the server on a
2-core machine.

With several nodes (a cluster), pair ``i``'s sender connects to node ``i % n`` and its
receiver to node ``(i + 1) % n``: with two, every message crosses nodes and each node sends
and receives as much as the other; with one, both are the single server.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

import lean
import orjson
import uvloop
from lean import LeanSocket

# How long a worker waits, after sending stopped, for outstanding replies and pushes.
DRAIN_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class PairSpec:
    # The pair's number among all the workers' pairs: it picks the nodes (see nodes()).
    number: int
    sender_token: str
    receiver_token: str
    conversation_id: int

    def nodes(self, count: int) -> tuple[int, int]:
        """The nodes (indexes among ``count``) its sender and its receiver connect to."""
        return self.number % count, (self.number + 1) % count


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    index: int
    # The WebSocket URLs of the nodes (one: a single server); see PairSpec.nodes.
    node_urls: tuple[str, ...]
    pairs: list[PairSpec]
    warmup: float
    duration: float
    # Closed loop: sends in flight per sender. Open loop: messages per second for the worker.
    window: int = 0
    rate: float = 0.0
    text_chars: int = 64


@dataclass(slots=True)
class WorkerResult:
    index: int
    # Pushes received inside the measured window, and their send->receive latencies (s).
    measured: int = 0
    latencies: list[float] = field(default_factory=list)
    sent: int = 0
    acked: int = 0
    received: int = 0
    # Acknowledged (durable) but never pushed to the receiver, after the drain.
    missing: int = 0
    unacked: int = 0
    duplicates: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    # Connections that closed before the end, by role ("sender:closed", "receiver:closed").
    closed: Counter[str] = field(default_factory=Counter)


class _Pair:
    # Set by Worker.connect.
    sender: LeanSocket
    receiver: LeanSocket

    def __init__(self, run_id: str, index: int, spec: PairSpec) -> None:
        self.spec = spec
        # Unique per run: a client_msg_id seen before is a retry, acknowledged without a push.
        self.prefix = f"{run_id}-{index}-"
        self.count = 0
        # client_msg_id -> send time, until the receiver gets the push.
        self.pending: dict[str, float] = {}
        # Acknowledged as durable, not pushed yet (the push may also come before the reply).
        self.acked_unpushed: set[str] = set()
        self.in_flight = 0


class Worker:
    def __init__(self, config: WorkerConfig, run_id: str) -> None:
        self.config = config
        self.pairs = [
            _Pair(run_id, config.index * 100_000 + i, spec) for i, spec in enumerate(config.pairs)
        ]
        self.result = WorkerResult(config.index)
        self.sending = False
        self.window_start = 0.0
        self.window_end = 0.0
        self.filler = "x" * max(0, config.text_chars - 24)

    async def connect(self) -> None:
        """Open and authenticate every pair's two connections (all from 127.0.0.1)."""
        urls = self.config.node_urls

        async def open_pair(pair: _Pair) -> None:
            sender_node, receiver_node = pair.spec.nodes(len(urls))
            pair.sender = await lean.connect(
                urls[sender_node],
                token=pair.spec.sender_token,
                on_push=partial(self.on_reply, pair),
                clock=time.monotonic,
            )
            pair.receiver = await lean.connect(
                urls[receiver_node],
                token=pair.spec.receiver_token,
                on_push=partial(self.on_push, pair),
                clock=time.monotonic,
            )

        await asyncio.gather(*(open_pair(pair) for pair in self.pairs))

    async def close(self) -> None:
        sockets = [s for pair in self.pairs for s in (pair.sender, pair.receiver)]
        for socket in sockets:
            socket.close()
        if sockets:
            await asyncio.wait([s.closed for s in sockets], timeout=5)

    def send(self, pair: _Pair, sent_at: float) -> None:
        pair.count += 1
        client_msg_id = f"{pair.prefix}{pair.count}"
        pair.pending[client_msg_id] = sent_at
        pair.in_flight += 1
        self.result.sent += 1
        pair.sender.send_raw(
            orjson.dumps(
                {
                    "id": pair.count,
                    "op": "send",
                    "data": {
                        "conversation_id": pair.spec.conversation_id,
                        "client_msg_id": client_msg_id,
                        "type": "text",
                        "body": {"text": f"{client_msg_id} {self.filler}"},
                    },
                }
            )
        )

    def on_reply(self, pair: _Pair, _socket: LeanSocket, payload: bytes, _now: float) -> None:
        """A frame on the sender's connection: the reply to a send (its id is the pair's
        count at the time), or a push to the sender (none expected)."""
        message = orjson.loads(payload)
        if "id" not in message:
            return
        result = self.result
        pair.in_flight -= 1
        client_msg_id = f"{pair.prefix}{message['id']}"
        if message.get("ok"):
            result.acked += 1
            if client_msg_id in pair.pending:
                pair.acked_unpushed.add(client_msg_id)
        else:
            result.errors[str(message.get("error", {}).get("code"))] += 1
            pair.pending.pop(client_msg_id, None)
        if self.sending and self.config.window > 0:
            self.send(pair, time.monotonic())

    def on_push(self, pair: _Pair, _socket: LeanSocket, payload: bytes, now: float) -> None:
        """A frame on the receiver's connection; ``now`` is when it arrived (monotonic)."""
        message = orjson.loads(payload)
        if message.get("push") != "entry":
            return
        result = self.result
        client_msg_id = message["data"]["client_msg_id"]
        pair.acked_unpushed.discard(client_msg_id)
        sent_at = pair.pending.pop(client_msg_id, None)
        if sent_at is None:
            result.duplicates += 1
            return
        result.received += 1
        if self.window_start <= now < self.window_end:
            result.measured += 1
            result.latencies.append(now - sent_at)

    async def pace(self, start: float, stop: float) -> None:
        """Open loop: send at the configured rate, round-robin over the pairs."""
        interval = 1.0 / self.config.rate
        # Spread the workers' ticks so that they do not all send at the same instant.
        due = start + interval * self.config.index / 8
        turn = 0
        while due < stop:
            now = time.monotonic()
            while due <= now and due < stop:
                self.send(self.pairs[turn % len(self.pairs)], due)
                turn += 1
                due += interval
            await asyncio.sleep(max(0.0, due - time.monotonic()))

    def outstanding(self) -> bool:
        return any(p.in_flight or p.pending for p in self.pairs)

    async def run(self, start: float) -> WorkerResult:
        config = self.config
        self.window_start = start + config.warmup
        self.window_end = self.window_start + config.duration
        await asyncio.sleep(max(0.0, start - time.monotonic()))
        self.sending = True
        if config.window > 0:
            for pair in self.pairs:
                for _ in range(config.window):
                    self.send(pair, time.monotonic())
            await asyncio.sleep(max(0.0, self.window_end - time.monotonic()))
        else:
            await self.pace(start, self.window_end)
        self.sending = False
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline and self.outstanding():  # noqa: ASYNC110 (polls state)
            await asyncio.sleep(0.05)
        result = self.result
        for pair in self.pairs:
            result.unacked += pair.in_flight
            result.missing += len(pair.acked_unpushed)
            for role, socket in (("sender", pair.sender), ("receiver", pair.receiver)):
                if socket.closed.done():
                    result.closed[f"{role}:closed"] += 1
        return result


async def _main(config: WorkerConfig, parent: Connection) -> None:
    worker = Worker(config, uuid.uuid4().hex[:8])
    await worker.connect()
    parent.send(("ready", len(worker.pairs)))
    start = await asyncio.to_thread(parent.recv)
    result = await worker.run(float(start))
    await worker.close()
    parent.send(("result", result))


def worker_main(config: WorkerConfig, parent: Connection) -> None:
    """Entry point of a worker process (uvloop: the client must stay cheaper than the server)."""
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(_main(config, parent))
    except BaseException as error:
        parent.send(("error", repr(error)))
        raise


def merge(results: list[WorkerResult]) -> dict[str, Any]:
    errors: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    latencies: list[float] = []
    for result in results:
        errors.update(result.errors)
        closed.update(result.closed)
        latencies.extend(result.latencies)
    return {
        "measured": sum(r.measured for r in results),
        "latencies": latencies,
        "sent": sum(r.sent for r in results),
        "acked": sum(r.acked for r in results),
        "received": sum(r.received for r in results),
        "missing": sum(r.missing for r in results),
        "unacked": sum(r.unacked for r in results),
        "duplicates": sum(r.duplicates for r in results),
        "errors": dict(errors),
        "closed": dict(closed),
    }
