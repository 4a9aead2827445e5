"""Browser tests: the built web client in real Chromium against a real server process.

All browser tests share one server (`web_server`) on a free port with a fresh data directory,
and one Chromium; each test registers its own users (unique accounts) through the REST API.
Playwright's sync API runs in plain test functions (no asyncio loop is running there).
Chromium comes from apt (scripts/ensure-chromium.sh); Playwright never downloads a browser.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src" / "tidings" / "static"
CHROMIUM = "/usr/bin/chromium"
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

sync_api = pytest.importorskip("playwright.sync_api")
sync_api.expect.set_options(timeout=10_000)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ensure_web_build() -> None:
    if not (STATIC / "index.html").is_file():
        subprocess.run([str(ROOT / "scripts" / "build-web.sh")], check=True)


@dataclass
class WebServer:
    base_url: str
    http: httpx.Client
    data_dir: Path

    def make_admin(self, account: str) -> None:
        """A server administrator (organization, imports), through the CLI on the same data."""
        tidings = Path(sys.executable).parent / "tidings"
        subprocess.run(
            [str(tidings), "user", "admin", account, "--data-dir", str(self.data_dir)],
            check=True,
            capture_output=True,
        )

    def connections(self) -> int:
        """Open WebSocket connections, from the server's metrics."""
        text = self.http.get(f"{self.base_url}/metrics").text
        for line in text.splitlines():
            if line.startswith("tidings_connections "):
                return int(float(line.split()[1]))
        return 0

    def register(self, account: str, nickname: str) -> dict[str, Any]:
        """A new user (account made unique per run); returns {token, user, ...}."""
        response = self.http.post(
            f"{self.base_url}/api/v1/auth/register",
            # An API session: the browser's own sign-ins on "web" do not displace it.
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


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    _ensure_web_build()
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("web-server")
    tidings = Path(sys.executable).parent / "tidings"
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [str(tidings), "serve", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=log,
        stderr=subprocess.STDOUT,
        # Durability is not what these tests check; NORMAL spares an fsync per message.
        env={**os.environ, "PYTHONWARNINGS": "ignore", "TIDINGS_SQLITE_SYNCHRONOUS": "NORMAL"},
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.close()
            raise RuntimeError((data_dir / "server.log").read_text())
        time.sleep(0.1)
    with httpx.Client(timeout=30) as http:
        yield WebServer(base_url, http, data_dir)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (scripts/ensure-chromium.sh)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_context(browser: Any) -> Iterator[Any]:
    """Make browser contexts (each one a separate device); all closed after the test."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 800})
        options.setdefault("locale", "en-US")
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"
