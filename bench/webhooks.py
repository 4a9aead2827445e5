"""Webhook delivery benchmark (issue 14, "Measure"; decision 0068).

    .venv/bin/python bench/webhooks.py --messages 3000 --rate 100 --seconds 20

A real server on the embedded default (SQLite), an app subscribed to ``message.sent`` with
``events:all``, and a receiver on 127.0.0.1 in this process (a minimal HTTP/1.1 keep-alive
server that answers 204). Two runs:

- backlog: the receiver answers 500 once, which pauses the webhook (the pause threshold is
  set to one failure); ``--messages`` messages are sent over REST by 16 senders and wait as
  deliveries; then the receiver answers 204, the app resumes the webhook, and deliveries per
  second = deliveries / (last arrival - resume): what the sender drains, apart from how fast
  messages come;
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
FAILING = [False]


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
            if FAILING[0]:
                writer.write(b"HTTP/1.1 500 Nope\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
                continue
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


async def _until_paused(http: httpx.AsyncClient, hook_url: str, auth: dict[str, str]) -> None:
    while True:
        if (await http.get(hook_url, headers=auth)).json()["webhook"]["status"] == "paused":
            return
        await asyncio.sleep(0.05)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    receiver = await asyncio.start_server(_serve_client, "127.0.0.1", 0)
    port = receiver.sockets[0].getsockname()[1]
    report: dict[str, Any] = {"machine": machine()}
    env = {
        "TIDINGS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
        "TIDINGS_WEBHOOK_PAUSE_AFTER_SECONDS": "0",
        "TIDINGS_WEBHOOK_PAUSE_AFTER_FAILURES": "1",
    }
    with Server(env=env) as server:
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
            hook_url = f"/api/v1/app/webhooks/{hook.json()['webhook']['id']}"
            app_auth = {"Authorization": f"Bearer {token}"}
            alice, bob = await register_users(server.base_url, 2)
            conversation = (
                await http.post(
                    "/api/v1/conversations",
                    json={"type": "group", "name": "Bench", "member_ids": [bob.id]},
                    headers={"Authorization": f"Bearer {alice.token}"},
                )
            ).json()["id"]

            # Backlog: the webhook paused by one failure, messages queue up, then it resumes.
            FAILING[0] = True
            await _send(http, alice.token, conversation, -1)
            await _until_paused(http, hook_url, app_auth)
            queue = iter(range(args.messages))

            async def sender() -> None:
                for n in queue:
                    await _send(http, alice.token, conversation, n)

            started = time.monotonic()
            await asyncio.gather(*(sender() for _ in range(16)))
            sent_seconds = time.monotonic() - started
            await asyncio.sleep(3)  # the last events dispatched into deliveries
            FAILING[0] = False
            resumed = time.time()
            (await http.post(f"{hook_url}/resume", headers=app_auth)).raise_for_status()
            await _wait_for(args.messages + 1, 300)
            arrivals = sorted(ARRIVALS.values())
            report["backlog"] = {
                "messages": args.messages,
                "delivered": len(ARRIVALS),
                "sent_per_second": round(args.messages / sent_seconds),
                "deliveries_per_second": round(len(arrivals) / (arrivals[-1] - resumed)),
            }
            print(json.dumps(report["backlog"]), flush=True)
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
