"""Web Push (issue 12): what it costs a send, and how fast a group's pushes go out.

    .venv/bin/python bench/web_push.py [--members 200] [--sends 200]

A group of N members, every one of them with a push subscription and no device connected;
the push service is an HTTP server in this process on 127.0.0.1 (allowed by
TIDINGS_PUSH_ALLOWED_NETWORKS) that takes each POST and answers 201. Measured:

- send latency (request to acknowledgement, one send at a time) with push on and with push
  off (TIDINGS_PUSH_ENABLED=false): the push work must stay off the send path;
- fan-out: one message, until all N encrypted pushes have arrived at the push service.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.push_service import Browser, PushService  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402
from tests.support.users import Person, register  # noqa: E402


async def subscribe_all(base: str, people: list[Person], service: PushService) -> None:
    async def one(person: Person) -> None:
        async with person.client(base) as client:
            await client.request(
                "push.subscribe",
                {"endpoint": service.endpoint(str(person.id)), "keys": Browser().keys()},
            )

    for start in range(0, len(people), 20):
        await asyncio.gather(*(one(p) for p in people[start : start + 20]))


async def run(push: bool, members: int, sends: int) -> tuple[list[float], float | None]:
    service = PushService()
    await service.start()
    env = {"TIDINGS_PUSH_ALLOWED_NETWORKS": "127.0.0.0/8", "TIDINGS_PUSH_ENABLED": str(push)}
    with tempfile.TemporaryDirectory() as data:
        server = ServerProcess(Path(data), env=env)
        server.start()
        try:
            base = server.base_url
            sender = await register(base, "sender")
            people = [await register(base, f"m{i}") for i in range(members)]
            if push:
                await subscribe_all(base, people, service)
            async with sender.client(base) as client:
                group = await client.request(
                    "conversation.create_group",
                    {"name": "Bench", "member_ids": [p.id for p in people]},
                )
                # Fan-out: one message, until every push has arrived.
                fan_out = None
                if push:
                    started = time.perf_counter()
                    await client.send(group["id"], "text", {"text": "fan-out"})
                    for _ in range(members):
                        await service.next(within=60)
                    fan_out = time.perf_counter() - started
                latencies = []
                for i in range(sends):
                    started = time.perf_counter()
                    await client.send(group["id"], "text", {"text": f"message {i}"})
                    latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(2)  # let the coalesced pushes of the sends go out
            return latencies, fan_out
        finally:
            server.stop()
            for person in [sender, *people]:
                await person.http.close()
            await service.stop()


def quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q * 100) - 1]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--sends", type=int, default=200)
    args = parser.parse_args()
    for push in (False, True):
        latencies, fan_out = await run(push, args.members, args.sends)
        print(
            f"push {'on ' if push else 'off'}: {args.sends} sends into a group of "
            f"{args.members} (all subscribed and closed): p50 {quantile(latencies, 0.5):.1f} ms, "
            f"p99 {quantile(latencies, 0.99):.1f} ms"
        )
        if fan_out is not None:
            print(
                f"  fan-out: {args.members} encrypted pushes delivered in {fan_out * 1000:.0f} ms "
                f"({args.members / fan_out:.0f}/s, with the 0.5 s coalescing window)"
            )


if __name__ == "__main__":
    asyncio.run(main())
