"""Sign-in benchmark for issue 11: throughput and latency of POST /auth/login with the
throttle, at production argon2 strength, alone and while an attacker floods one account with
wrong guesses.

    .venv/bin/python bench/sign_in.py                        # both scenarios, throttle on
    .venv/bin/python bench/sign_in.py --limits off           # the same with every limit off
    .venv/bin/python bench/sign_in.py --duration 20 --clients 16

Each run starts its own ``tidings serve`` (SQLite, argon2 at the defaults: RFC 9106's second
recommended option), registers ``--users`` people, then ``--clients`` loops sign in as random
people with the right password and the device token of their last sign-in (as the web client
does) for ``--duration`` seconds. "under attack" adds ``--attackers`` loops sending wrong
guesses for one account from one address: with the throttle they are refused before the hash
(429); without it each costs a full argon2 hash. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvloop
from harness import Server, fmt_ms, percentile
from messaging import machine

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PASSWORD = "bench password 1"
# Production hashing (config.py defaults), not the harness's fast test setting.
FULL_HASH_ENV = {
    "TIDINGS_ARGON2_TIME_COST": "3",
    "TIDINGS_ARGON2_MEMORY_KIB": str(64 * 1024),
    "TIDINGS_ARGON2_PARALLELISM": "4",
}


async def register(http: httpx.AsyncClient, count: int) -> list[dict[str, str]]:
    run = uuid.uuid4().hex[:6]
    limit = asyncio.Semaphore(4)

    async def one(i: int) -> dict[str, str]:
        account = f"signin{run}x{i}"
        async with limit:
            response = await http.post(
                "/api/v1/auth/register",
                json={"account": account, "password": PASSWORD, "nickname": account},
                headers={"X-Forwarded-For": f"10.200.{i // 250}.{i % 250 + 1}"},
            )
        response.raise_for_status()
        return {"account": account, "device_token": response.json()["device_token"]}

    return list(await asyncio.gather(*(one(i) for i in range(count))))


async def run(args: argparse.Namespace, *, attack: bool) -> dict[str, Any]:
    env = {**FULL_HASH_ENV, "TIDINGS_RATE_LIMITS": "true" if args.limits == "on" else "false"}
    with Server(env=env) as server:
        limits = httpx.Limits(max_connections=args.clients + args.attackers + 8)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=120, limits=limits) as http:
            people = await register(http, args.users)
            victim = people[0]["account"]
            latencies: list[float] = []
            outcomes: Counter[str] = Counter()
            attacker_answers: Counter[int] = Counter()
            measuring = False
            stop = False

            async def user_loop(n: int) -> None:
                while not stop:
                    person = random.choice(people[1:])
                    started = time.perf_counter()
                    response = await http.post(
                        "/api/v1/auth/login",
                        json={
                            "account": person["account"],
                            "password": PASSWORD,
                            "device_token": person["device_token"],
                        },
                        headers={"X-Forwarded-For": f"10.100.0.{n + 1}"},
                    )
                    elapsed = time.perf_counter() - started
                    if measuring:
                        latencies.append(elapsed)
                        outcomes[str(response.status_code)] += 1

            async def attacker_loop(n: int) -> None:
                while not stop:
                    response = await http.post(
                        "/api/v1/auth/login",
                        json={"account": victim, "password": f"guess {random.random()}"},
                        headers={"X-Forwarded-For": "10.66.0.1"},
                    )
                    if measuring:
                        attacker_answers[response.status_code] += 1

            tasks = [asyncio.create_task(user_loop(n)) for n in range(args.clients)]
            if attack:
                tasks += [asyncio.create_task(attacker_loop(n)) for n in range(args.attackers)]
            await asyncio.sleep(args.warmup)
            measuring = True
            started = time.perf_counter()
            await asyncio.sleep(args.duration)
            measuring = False
            elapsed = time.perf_counter() - started
            stop = True
            await asyncio.gather(*tasks)
    ok = outcomes["200"]
    return {
        "sign_ins_per_second": ok / elapsed,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "answers": dict(outcomes),
        "attacker_answers_per_second": {
            str(code): count / elapsed for code, count in attacker_answers.items()
        },
    }


def show(name: str, result: dict[str, Any]) -> None:
    attacker = result["attacker_answers_per_second"]
    print(
        f"{name}: {result['sign_ins_per_second']:.1f} sign-ins/s, "
        f"p50 {fmt_ms(result['p50'])}, p99 {fmt_ms(result['p99'])}, answers {result['answers']}"
        + (f"; attacker answers/s {attacker}" if attacker else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limits", choices=["on", "off"], default="on")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--clients", type=int, default=8, help="concurrent sign-in loops")
    parser.add_argument("--attackers", type=int, default=32, help="concurrent guessing loops")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=15.0)
    args = parser.parse_args()
    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB; "
        f"rate limits {args.limits}"
    )
    report: dict[str, Any] = {"machine": info, "argv": vars(args)}
    for name, attack in (("sign-in", False), ("sign-in under attack", True)):
        report[name] = uvloop.run(run(args, attack=attack))
        show(name, report[name])
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = RESULTS_DIR / f"sign-in-{args.limits}-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(f"results written to {path}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()
