"""Webhooks in tests (issue 14, J2): a receiver in its own process, what it got, and the
Standard Webhooks signature checked by a few lines of our own (not the server's code)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.server import ROOT, free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def event(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.body)
        return found


class Receiver:
    """tests/support/webhook_receiver.py, started and stopped at will on one port."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.log = directory / f"received-{self.port}.jsonl"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.webhook_receiver", str(self.port), str(self.log)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == b"ready"
        self.process.stdout.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def answer(self, mode: str) -> None:
        """ok (204), fail (500) or hang."""
        self.log.with_name(self.log.name + ".mode").write_text(mode)

    def received(self) -> list[Received]:
        if not self.log.exists():
            return []
        out: list[Received] = []
        for line in self.log.read_text().split("\n")[:-1]:  # a line still being written waits
            if not line.strip():
                continue
            r = json.loads(line)
            out.append(
                Received(r["path"], r["headers"], base64.b64decode(r["body"]), r["status"], r["at"])
            )
        return out

    async def wait_for(
        self, done: Callable[[list[Received]], bool], within: float = 30
    ) -> list[Received]:
        deadline = time.monotonic() + within
        while True:
            found = self.received()
            if done(found):
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"the receiver got {len(found)} posts, not what was awaited")
            await asyncio.sleep(0.05)


def delivered(found: list[Received]) -> list[Received]:
    """The posts answered 2xx."""
    return [r for r in found if 200 <= r.status < 300]


def verify(secret: str, received: Received, *, tolerance: float = 300) -> bool:
    """Standard Webhooks: HMAC-SHA256 over "{id}.{timestamp}.{body}" keyed with the base64
    after "whsec_", compared with each "v1,<base64>" of the space-separated header; and a
    timestamp within ``tolerance`` seconds of now."""
    key = base64.b64decode(secret.split("_", 1)[1])
    msg_id = received.headers["webhook-id"]
    timestamp = received.headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    signed = f"{msg_id}.{timestamp}.".encode() + received.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    given = [
        part.split(",", 1)[1]
        for part in received.headers["webhook-signature"].split(" ")
        if part.startswith("v1,")
    ]
    return any(hmac.compare_digest(expected, g) for g in given)
