"""The network edge under attack: server memory during a ping flood and under slowloris.

Each scenario runs against two commits in one sitting (``--before``, default the commit
before the fixes of issue 11, and ``--after``, default HEAD), each as a fresh ``tidings serve``
on SQLite. The server's resident memory (VmRSS) is sampled every 100 ms; sign-ins of another
user run during the attack and their times are printed.

- ping flood: ``--flooders`` WebSocket connections (signed in, and anonymous) send 125-byte
  pings as fast as the server reads them and never read the pongs, for ``--seconds``;
- slowloris: ``--slowloris`` connections each send an HTTP request head a byte every
  ``--every`` seconds, for ``--seconds``; how many the server closed is printed.

    .venv/bin/python -m bench.edge --flooders 4 --seconds 10 --slowloris 1000
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid

import httpx
from bench.harness import PASSWORD, Server, export_commit, median, raise_nofile_limit
from tests.support.attackers import RssWatch, ping_flood, slowloris

BEFORE = "165e5a6"  # main before issue 11's network-edge fixes
MIB = 1024 * 1024
HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\nAccept: */*\r\n\r\n"


async def sign_ins(base_url: str, seconds: float) -> list[float]:
    """Sign in again and again (a new connection each time) for ``seconds``; the times."""
    account = f"edge{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
        registered = await http.post(
            "/api/v1/auth/register",
            json={"account": account, "password": PASSWORD, "nickname": account},
        )
        registered.raise_for_status()
    times: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
            answer = await http.post(
                "/api/v1/auth/login", json={"account": account, "password": PASSWORD}
            )
        answer.raise_for_status()
        times.append(time.monotonic() - started)
        await asyncio.sleep(0.5)
    return times


async def register_tokens(base_url: str, count: int) -> list[str]:
    tokens = []
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
        for _ in range(count):
            account = f"flood{uuid.uuid4().hex[:8]}"
            answer = await http.post(
                "/api/v1/auth/register",
                json={"account": account, "password": PASSWORD, "nickname": account},
            )
            answer.raise_for_status()
            tokens.append(answer.json()["token"])
    return tokens


async def flood(server: Server, flooders: int, seconds: float, signed_in: bool) -> str:
    tokens: list[str | None] = [None] * flooders
    if signed_in:
        tokens = list(await register_tokens(server.base_url, flooders))
    await sign_ins(server.base_url, 1)  # warm up
    async with RssWatch(server.pid) as watch:
        attacks = asyncio.gather(
            *(ping_flood(server.port, seconds, token=token, linger=0.5) for token in tokens)
        )
        served = await sign_ins(server.base_url, seconds)
        results = await attacks
    await asyncio.sleep(3)
    after = server.rss()
    sent = sum(result.sent_bytes for result in results) / MIB
    closed = sum(result.closed_by_server for result in results)
    return (
        f"RSS {watch.start_bytes / MIB:.0f} -> peak {watch.peak_bytes / MIB:.0f} MiB "
        f"(+{(watch.peak_bytes - watch.start_bytes) / MIB:.1f}), 3 s after "
        f"{after / MIB:.0f} MiB; {sent:.0f} MiB of pings sent; {closed}/{flooders} "
        f"closed by the server; sign-in median {median(served) * 1000:.0f} ms, "
        f"max {max(served) * 1000:.0f} ms ({len(served)})"
    )


async def loris(server: Server, count: int, every: float, seconds: float) -> str:
    await sign_ins(server.base_url, 1)
    async with RssWatch(server.pid) as watch:
        limit = asyncio.Semaphore(200)  # open them quickly, not all in one instant

        async def one() -> bool:
            async with limit:
                await asyncio.sleep(0)
            return await slowloris(server.port, HEAD, every=every, limit=seconds)

        attacks = asyncio.gather(*(one() for _ in range(count)))
        served = await sign_ins(server.base_url, seconds)
        closed = await attacks
    return (
        f"RSS {watch.start_bytes / MIB:.0f} -> peak {watch.peak_bytes / MIB:.0f} MiB "
        f"(+{(watch.peak_bytes - watch.start_bytes) / MIB:.1f}); {sum(closed)}/{count} "
        f"closed by the server within {seconds:.0f} s; sign-in median "
        f"{median(served) * 1000:.0f} ms, max {max(served) * 1000:.0f} ms ({len(served)})"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--flooders", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--slowloris", type=int, default=1000)
    parser.add_argument("--every", type=float, default=2.0)
    args = parser.parse_args()
    raise_nofile_limit(args.slowloris * 2 + 1000)
    for label, revision in (("before", args.before), ("after", args.after)):
        source = export_commit(revision)
        for signed_in in (False, True):
            with Server(source=source) as server:
                who = "signed-in" if signed_in else "anonymous"
                line = await flood(server, args.flooders, args.seconds, signed_in)
                print(f"{label} {revision} ping flood, {args.flooders} {who}: {line}", flush=True)
        with Server(source=source) as server:
            line = await loris(server, args.slowloris, args.every, args.seconds * 2)
            print(f"{label} {revision} slowloris x{args.slowloris}: {line}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
