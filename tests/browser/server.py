"""A real `tidings serve` for the browser tests and the web client's measurements."""

from __future__ import annotations

import base64
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support.server import RELAXED_LIMITS_ENV

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src" / "tidings" / "static"
CHROMIUM = "/usr/bin/chromium"
# The same Chromium without the browser's own UI (Debian's chromium-headless-shell): what
# Playwright runs headless by default, a fifth less CPU. It shows no system notifications:
# tests of those, and of calls, run the whole browser (decision 0079).
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def ensure_web_build() -> None:
    if not (STATIC / "index.html").is_file():
        subprocess.run([str(ROOT / "scripts" / "build-web.sh")], check=True)


@dataclass
class WebServer:
    base_url: str
    http: httpx.Client
    data_dir: Path

    def register(self, account: str, nickname: str) -> dict[str, Any]:
        """A new user; returns {token, user, ...}. The token is an API session, which the
        browser's own sign-ins on "web" do not displace."""
        response = self.http.post(
            f"{self.base_url}/api/v1/auth/register",
            json={
                "account": account,
                "password": PASSWORD,
                "nickname": nickname,
                "platform": "api",
            },
        )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def api(self, token: str, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(
            method,
            f"{self.base_url}/api/v1{path}",
            headers={"Authorization": f"Bearer {token}"},
            **kwargs,
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def upload(
        self, token: str, data: bytes, name: str, mime: str, expiry_days: int | None = None
    ) -> str:
        """A whole file in one tus creation-with-upload request; returns its file id."""
        fields = [("filename", name), ("filetype", mime)]
        if expiry_days is not None:
            fields.append(("expiry_days", str(expiry_days)))
        meta = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in fields)
        response = self.http.post(
            f"{self.base_url}/files/",
            content=data,
            headers={
                "Authorization": f"Bearer {token}",
                "Tus-Resumable": "1.0.0",
                "Upload-Length": str(len(data)),
                "Upload-Metadata": meta,
                "Content-Type": "application/offset+octet-stream",
            },
        )
        response.raise_for_status()
        location: str = response.headers["Location"]
        return location.rsplit("/", 1)[-1]

    def connections(self) -> int:
        """Open WebSocket connections, from the server's metrics."""
        text = self.http.get(f"{self.base_url}/metrics").text
        for line in text.splitlines():
            if line.startswith("tidings_connections "):
                return int(float(line.split()[1]))
        return 0

    def make_admin(self, account: str, role: str = "super_admin") -> None:
        """A server administrator, through the CLI on the same data."""
        tidings = Path(sys.executable).parent / "tidings"
        subprocess.run(
            [str(tidings), "user", "admin", account, "--role", role, "--data-dir",
             str(self.data_dir)],
            check=True,
            capture_output=True,
        )  # fmt: skip


@contextlib.contextmanager
def running_server(
    data_dir: Path, env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[WebServer]:
    """`tidings serve` on a free port (or this one: a server started again at the same
    origin) with this data directory (and these extra settings), until the block ends."""
    ensure_web_build()
    port = port or free_port()
    tidings = Path(sys.executable).parent / "tidings"
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [str(tidings), "serve", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=log,
        stderr=subprocess.STDOUT,
        # Durability is not what these check; NORMAL spares an fsync per message.
        # The tests register their users over REST.
        env={
            **os.environ,
            **RELAXED_LIMITS_ENV,
            "PYTHONWARNINGS": "ignore",
            "TIDINGS_SQLITE_SYNCHRONOUS": "NORMAL",
            "TIDINGS_REGISTRATION": "open",
            # The dashboard's counters reach the database within half a second.
            "TIDINGS_STATS_FLUSH_SECONDS": "0.5",
            **(env or {}),
        },
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((data_dir / "server.log").read_text())
            time.sleep(0.1)
        with httpx.Client(timeout=30) as http:
            yield WebServer(base_url, http, data_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
