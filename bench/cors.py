"""What the cross-origin allowlist costs (decision 0063), and what the SDK bundle weighs.

One ``tidings serve`` on SQLite with one listed origin. ``--clients`` keep-alive HTTP clients
ask ``GET /api/v1/public/settings`` (a small answer with no database read: the edge's own
cost shows) for ``--seconds`` in each case — no Origin (the server's own pages, SDKs), a
listed Origin, an unlisted one — and send preflights of a listed origin; the cases take
turns for ``--rounds`` rounds and the medians are printed. Over HTTP the client and the
server share the machine's two cores, so the middleware's own cost is measured too, in this
process: ``tidings.cors.CrossOrigin`` around an ASGI app that only answers, µs per request
beyond the bare app. Then the sizes of ``/sdk/tidings-sdk.js`` as sent (raw, gzip, br),
from the build in src/tidings/static.

    .venv/bin/python -m bench.cors --clients 8 --seconds 5 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx
from bench.harness import Server, median
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings.cors import CrossOrigin
from tidings.domain.origins import allowed_set

LISTED = "https://shop.example.com"
PATH = "/api/v1/public/settings"
CASES: dict[str, tuple[str, dict[str, str]]] = {
    "no Origin": ("GET", {}),
    "listed Origin": ("GET", {"Origin": LISTED}),
    "unlisted Origin": ("GET", {"Origin": "https://evil.example"}),
    "preflight, listed": (
        "OPTIONS",
        {
            "Origin": LISTED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    ),
}


async def load(
    base_url: str, method: str, headers: dict[str, str], clients: int, seconds: float
) -> tuple[float, float]:
    """Requests per second and the median latency (ms) of ``clients`` clients in a loop."""
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                response = await http.request(method, PATH, headers=headers)
                latencies.append(time.perf_counter() - started)
                assert response.status_code in (200, 204), response.status_code

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return len(latencies) / (time.monotonic() - started), median(latencies) * 1000


async def middleware_cost(calls: int) -> dict[str, float]:
    """µs per request that CrossOrigin adds to an app that only answers, by case."""

    async def bare(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        pass

    listed = allowed_set([LISTED, *(f"https://site{i}.example.com" for i in range(99))])
    wrapped = CrossOrigin(bare, allowed=lambda: listed)

    async def per_call(app: ASGIApp, method: str, headers: dict[str, str]) -> float:
        scope = {
            "type": "http",
            "method": method,
            "path": PATH,
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        }
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(calls):
                await app(scope, receive, send)
            best = min(best, (time.perf_counter() - started) / calls)
        return best * 1e6

    base = await per_call(bare, "GET", {})
    return {
        case: await per_call(wrapped, method, headers) - base
        for case, (method, headers) in CASES.items()
    }


def bundle_sizes(base_url: str) -> dict[str, int]:
    sizes: dict[str, int] = {}
    with httpx.Client(base_url=base_url) as http:
        for coding in ("identity", "gzip", "br"):
            with http.stream(
                "GET", "/sdk/tidings-sdk.js", headers={"Accept-Encoding": coding}
            ) as response:
                response.raise_for_status()
                sizes[coding] = len(b"".join(response.iter_raw()))
    return sizes


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with Server(env={"TIDINGS_ALLOWED_ORIGINS": LISTED}) as server:
        results: dict[str, list[tuple[float, float]]] = {case: [] for case in CASES}
        await load(server.base_url, "GET", {}, args.clients, 1)  # warm up
        for _ in range(args.rounds):
            for case, (method, headers) in CASES.items():
                results[case].append(
                    await load(server.base_url, method, headers, args.clients, args.seconds)
                )
        print(f"{args.clients} clients, {args.seconds:g} s x {args.rounds} rounds, medians")
        print(f"{'case':<20} {'requests/s':>11} {'median ms':>10}")
        for case, runs in results.items():
            rate = median([r for r, _ in runs])
            latency = median([m for _, m in runs])
            print(f"{case:<20} {rate:>11.0f} {latency:>10.2f}")
        cost = await middleware_cost(20_000)
        print("CrossOrigin's own cost (100 listed origins; best of 5 x 20,000 calls):")
        for case, micros in cost.items():
            print(f"  {case:<20} +{micros:.1f} µs")
        sizes = bundle_sizes(server.base_url)
        print(
            "/sdk/tidings-sdk.js as sent: "
            + ", ".join(f"{coding} {size / 1024:.1f} KiB" for coding, size in sizes.items())
        )


if __name__ == "__main__":
    asyncio.run(main())
