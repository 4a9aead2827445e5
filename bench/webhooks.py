"""Webhook delivery benchmark (issue 14, "Measure"; decision 0068).

    .venv/bin/python bench/webhooks.py --messages 3000 --rate 100 --seconds 20

A real server on the embedded default (SQLite), an app subscribed to ``message.sent`` with
``events:all``, and a receiver on 127.0.0.1 in this process (a minimal HTTP/1.1 keep-alive
server that answers 204). Two runs:

- burst: ``--messages`` messages sent over REST as fast as 16 senders go; deliveries per
  second = deliveries / (last arrival - first arrival);
- paced: ``--rate`` messages a second for ``--seconds``; the delay from the event (the
  entry's created_at) to its arrival at the receiver, p50 and p99.

Each delivery's signature is not checked here (the tests do); each must arrive once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import time
from typing import Any

import httpx
from harness import TIDINGS, Server, percentile, register_users
from messaging import machine

ARRIVALS: dict[str, float] = {}
CREATED: dict[str, int] = {}


async def _serve_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            webhook_id = ""
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
                elif name.lower() == b"webhook-id":
                    webhook_id = value.strip().decode()
            body = await reader.readexactly(length)
            now = time.time()
            data = json.loads(body)["data"]
            ARRIVALS[webhook_id] = now
            CREATED[webhook_id] = int(data["created_at"])
            writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


def _create_app(server: Server) -> tuple[str, str]:
    env = {**os.environ, "TIDINGS_LOG_LEVEL": "warning"}
    out = subprocess.run(
        [
            *(str(TIDINGS), "app", "create", "Bench"),
            *("--scopes", "webhooks events:all", "--data-dir", str(server.data_dir)),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    return lines["client_id"], lines["client_secret"]


async def _send(http: httpx.AsyncClient, token: str, conversation: int, n: int) -> None:
    reply = await http.post(
        f"/api/v1/conversations/{conversation}/messages",
        json={"client_msg_id": secrets.token_hex(8), "type": "text", "body": {"text": f"{n}"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    reply.raise_for_status()


async def _wait_for(count: int, within: float) -> None:
    deadline = time.monotonic() + within
    while len(ARRIVALS) < count and time.monotonic() < deadline:  # noqa: ASYNC110 (polling)
        await asyncio.sleep(0.02)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    receiver = await asyncio.start_server(_serve_client, "127.0.0.1", 0)
    port = receiver.sockets[0].getsockname()[1]
    report: dict[str, Any] = {"machine": machine()}
    with Server(env={"TIDINGS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8"}) as server:
        client_id, secret = _create_app(server)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
            token = (
                await http.post(
                    "/api/v1/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=(client_id, secret),
                )
            ).json()["access_token"]
            hook = await http.post(
                "/api/v1/app/webhooks",
                json={"url": f"http://127.0.0.1:{port}/hook", "event_types": ["message.sent"]},
                headers={"Authorization": f"Bearer {token}"},
            )
            hook.raise_for_status()
            alice, bob = await register_users(server.base_url, 2)
            conversation = (
                await http.post(
                    "/api/v1/conversations",
                    json={"type": "group", "name": "Bench", "member_ids": [bob.id]},
                    headers={"Authorization": f"Bearer {alice.token}"},
                )
            ).json()["id"]

            # Burst: as fast as 16 senders go.
            queue = iter(range(args.messages))

            async def sender() -> None:
                for n in queue:
                    await _send(http, alice.token, conversation, n)

            started = time.monotonic()
            await asyncio.gather(*(sender() for _ in range(16)))
            sent_seconds = time.monotonic() - started
            await _wait_for(args.messages, 300)
            arrivals = sorted(ARRIVALS.values())
            delays = [ARRIVALS[k] - CREATED[k] / 1000 for k in ARRIVALS]
            report["burst"] = {
                "messages": args.messages,
                "delivered": len(ARRIVALS),
                "sent_per_second": round(args.messages / sent_seconds),
                "deliveries_per_second": round(len(arrivals) / (arrivals[-1] - arrivals[0])),
                "delay_p50_ms": round(percentile(delays, 50) * 1000),
                "delay_p99_ms": round(percentile(delays, 99) * 1000),
            }
            print(json.dumps(report["burst"]), flush=True)
            ARRIVALS.clear()
            CREATED.clear()

            # Paced: the delay from event to delivery at a steady rate.
            total = int(args.rate * args.seconds)
            started = time.monotonic()
            tasks = []
            for n in range(total):
                due = started + n / args.rate
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                tasks.append(asyncio.create_task(_send(http, alice.token, conversation, n)))
            await asyncio.gather(*tasks)
            await _wait_for(total, 120)
            delays = [ARRIVALS[k] - CREATED[k] / 1000 for k in ARRIVALS]
            report["paced"] = {
                "rate": args.rate,
                "messages": total,
                "delivered": len(ARRIVALS),
                "delay_p50_ms": round(percentile(delays, 50) * 1000),
                "delay_p99_ms": round(percentile(delays, 99) * 1000),
            }
            print(json.dumps(report["paced"]), flush=True)
    receiver.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args)), indent=2))


if __name__ == "__main__":
    main()
