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
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import orjson
import uvloop
from harness import open_ws
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

# How long a worker waits, after sending stopped, for outstanding replies and pushes.
DRAIN_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class PairSpec:
    sender_token: str
    receiver_token: str
    conversation_id: int


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    index: int
    ws_url: str
    pairs: list[PairSpec]
    warmup: float
    duration: float
    # Closed loop: sends in flight per sender. Open loop: messages per second for the worker.
    window: int = 0
    rate: float = 0.0
    text_chars: int = 64
    # Where receivers connect (another node of a cluster); empty: ws_url.
    receiver_url: str = ""


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
    closed: Counter[str] = field(default_factory=Counter)


class _Pair:
    def __init__(
        self,
        run_id: str,
        index: int,
        spec: PairSpec,
        sender: ClientConnection,
        receiver: ClientConnection,
    ) -> None:
        self.spec = spec
        self.sender = sender
        self.receiver = receiver
        # Unique per run: a client_msg_id seen before is a retry, acknowledged without a push.
        self.prefix = f"{run_id}-{index}-"
        self.count = 0
        # client_msg_id -> send time, until the receiver gets the push.
        self.pending: dict[str, float] = {}
        # Acknowledged as durable, not pushed yet (the push may also come before the reply).
        self.acked_unpushed: set[str] = set()
        self.in_flight = 0


class Worker:
    def __init__(self, config: WorkerConfig, pairs: list[_Pair]) -> None:
        self.config = config
        self.pairs = pairs
        self.result = WorkerResult(config.index)
        self.sending = False
        self.window_start = 0.0
        self.window_end = 0.0
        self.filler = "x" * max(0, config.text_chars - 24)

    async def send(self, pair: _Pair, sent_at: float) -> None:
        pair.count += 1
        client_msg_id = f"{pair.prefix}{pair.count}"
        pair.pending[client_msg_id] = sent_at
        pair.in_flight += 1
        self.result.sent += 1
        data = orjson.dumps(
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
        await pair.sender.send(data, text=True)

    async def read_replies(self, pair: _Pair) -> None:
        result = self.result
        closed_loop = self.config.window > 0
        try:
            while True:
                message = orjson.loads(await pair.sender.recv(decode=False))
                if "id" not in message:
                    continue  # a push to the sender (none expected)
                pair.in_flight -= 1
                client_msg_id = f"{pair.prefix}{message['id']}"
                if message.get("ok"):
                    result.acked += 1
                    if client_msg_id in pair.pending:
                        pair.acked_unpushed.add(client_msg_id)
                else:
                    result.errors[str(message.get("error", {}).get("code"))] += 1
                    pair.pending.pop(client_msg_id, None)
                if closed_loop and self.sending:
                    await self.send(pair, time.monotonic())
        except ConnectionClosed as closed:
            result.closed[f"sender:{closed.rcvd.code if closed.rcvd else 'none'}"] += 1

    async def read_pushes(self, pair: _Pair) -> None:
        result = self.result
        try:
            while True:
                message = orjson.loads(await pair.receiver.recv(decode=False))
                if message.get("push") != "entry":
                    continue
                now = time.monotonic()
                client_msg_id = message["data"]["client_msg_id"]
                pair.acked_unpushed.discard(client_msg_id)
                sent_at = pair.pending.pop(client_msg_id, None)
                if sent_at is None:
                    result.duplicates += 1
                    continue
                result.received += 1
                if self.window_start <= now < self.window_end:
                    result.measured += 1
                    result.latencies.append(now - sent_at)
        except ConnectionClosed as closed:
            result.closed[f"receiver:{closed.rcvd.code if closed.rcvd else 'none'}"] += 1

    async def pace(self, start: float, stop: float) -> None:
        """Open loop: send at the configured rate, round-robin over the pairs."""
        interval = 1.0 / self.config.rate
        # Spread the workers' ticks so that they do not all send at the same instant.
        due = start + interval * self.config.index / 8
        turn = 0
        while due < stop:
            now = time.monotonic()
            while due <= now and due < stop:
                await self.send(self.pairs[turn % len(self.pairs)], due)
                turn += 1
                due += interval
            await asyncio.sleep(max(0.0, due - time.monotonic()))

    def outstanding(self) -> bool:
        return any(p.in_flight or p.pending for p in self.pairs)

    async def run(self, start: float) -> WorkerResult:
        config = self.config
        self.window_start = start + config.warmup
        self.window_end = self.window_start + config.duration
        readers = [asyncio.create_task(self.read_replies(p)) for p in self.pairs]
        readers += [asyncio.create_task(self.read_pushes(p)) for p in self.pairs]
        await asyncio.sleep(max(0.0, start - time.monotonic()))
        self.sending = True
        if config.window > 0:
            for pair in self.pairs:
                for _ in range(config.window):
                    await self.send(pair, time.monotonic())
            await asyncio.sleep(max(0.0, self.window_end - time.monotonic()))
        else:
            await self.pace(start, self.window_end)
        self.sending = False
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline and self.outstanding():  # noqa: ASYNC110 (polls state)
            await asyncio.sleep(0.05)
        for pair in self.pairs:
            self.result.unacked += pair.in_flight
            self.result.missing += len(pair.acked_unpushed)
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        return self.result


async def _main(config: WorkerConfig, parent: Connection) -> None:
    run_id = uuid.uuid4().hex[:8]

    async def open_pair(index: int, spec: PairSpec) -> _Pair:
        sender, _ = await open_ws(config.ws_url, spec.sender_token)
        receiver, _ = await open_ws(config.receiver_url or config.ws_url, spec.receiver_token)
        return _Pair(run_id, index, spec, sender, receiver)

    pairs = await asyncio.gather(
        *(open_pair(config.index * 100_000 + i, spec) for i, spec in enumerate(config.pairs))
    )
    worker = Worker(config, list(pairs))
    parent.send(("ready", len(pairs)))
    start = await asyncio.to_thread(parent.recv)
    result = await worker.run(float(start))
    for pair in pairs:
        for ws in (pair.sender, pair.receiver):
            with contextlib.suppress(Exception):
                await ws.close()
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
