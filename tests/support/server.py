"""A real server process for tests: started, stopped, killed with SIGKILL, restarted."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx

from tests.support import launcher
from tests.support.launcher import Launched

ROOT = Path(__file__).resolve().parents[2]
TIDINGS = str(Path(sys.executable).with_name("tidings"))
T = TypeVar("T")
PG_ADMIN_DSN = os.environ.get("TIDINGS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

# Password hashing at full strength costs ~50 ms per sign-in; tests sign in hundreds of times.
FAST_HASH_ENV = {
    "TIDINGS_ARGON2_TIME_COST": "1",
    "TIDINGS_ARGON2_MEMORY_KIB": "8192",
    "TIDINGS_ARGON2_PARALLELISM": "1",
}
# Three test workers, each with servers and cluster nodes on PostgreSQL, share its 100
# connections: each server keeps 5 (10 in bursts) rather than 10 (20).
SMALL_POOL_ENV = {"TIDINGS_DATABASE_POOL_SIZE": "5"}
# Tests register their users over REST; the default (invite_only) and closed registration are
# tested on servers of their own (tests/test_registration.py).
OPEN_REGISTRATION_ENV = {"TIDINGS_REGISTRATION": "open"}
# SMS codes go to <data_dir>/dev-sms.log, where the tests read them (the default is off).
DEV_SMS_ENV = {"TIDINGS_SMS_PROVIDER": "log"}

# The suite registers hundreds of users from 127.0.0.1, sends, searches and reconnects as fast
# as it can: these rules are off for it. The sign-in and code rules stay at their defaults; a
# module that tests a rule sets it in its SERVER_ENV (tests/test_rate_limits.py).
RELAXED_LIMITS_ENV = {
    f"TIDINGS_RATE_{rule}": "off"
    for rule in (
        "REGISTER_ADDRESS",
        "MESSAGE_SEND",
        "MENTION_ALL",
        "GROUP_CREATE",
        "MEMBERS_ADD",
        "WS_CONNECT_SESSION",
        "SEARCH",
        "MESSAGE_SEARCH",
        "MEMBER_LIST",
    )
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    def __init__(
        self,
        data_dir: Path,
        *,
        env: dict[str, str] | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.data_dir = data_dir
        # Set when the server serves TLS (TIDINGS_TLS_* in env): clients trust it through this.
        self.tls = tls
        self.port = free_port()
        self.env = {
            **os.environ,
            **FAST_HASH_ENV,
            **SMALL_POOL_ENV,
            **OPEN_REGISTRATION_ENV,
            **RELAXED_LIMITS_ENV,
            **(env or {}),
        }
        self.process: Launched | None = None
        self.log_path = data_dir / "server.log"

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the process without waiting for it to serve (to start several at once)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = launcher.launch(
            ["serve", "--port", str(self.port), "--data-dir", str(self.data_dir)],
            self.env,
            ROOT,
            self.log_path,
        )

    def wait_ready(self) -> None:
        assert self.process is not None
        # Generous: on a machine at load 13 a server was seen taking over 30 s to answer its
        # first request; one slow start errors every test of its module (and, pytest caching
        # the error, of the next modules asking for the same fixture).
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                verify: ssl.SSLContext | bool = self.tls or True
                if (
                    httpx.get(f"{self.base_url}/healthz", timeout=1, verify=verify).status_code
                    == 200
                ):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        # Not left running behind the failed test (it would hold its database connections).
        self.stop()
        raise RuntimeError(f"server did not start:\n{self.log()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush — what a crash or power cut leaves."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    async def command(self, *args: str) -> str:
        """`tidings ARGS --data-dir DIR` on this server's data, as its operator would run it:
        its output; fails the test if it fails."""
        code, output = await launcher.run([*args, "--data-dir", str(self.data_dir)], self.env, ROOT)
        assert code == 0, output
        return output


def run_blocking(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous code, even inside a running event loop
    (a sync fixture may be set up while an async one is): on a thread with its own loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def new_pg_database() -> str:
    return run_blocking(create_pg_database())


def remove_pg_database(url: str) -> None:
    run_blocking(drop_pg_database(url))


async def create_pg_database() -> str:
    """A fresh PostgreSQL database; returns its URL."""
    name = f"tidings_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + name


async def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


class RedisProcess:
    """A private Redis server for one test: it can be killed and restarted at will."""

    def __init__(self, password: str | None = None) -> None:
        self.port = free_port()
        self.password = password
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        secret = f":{self.password}@" if self.password else ""
        return f"redis://{secret}127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                *(["--requirepass", self.password] if self.password else []),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    # Asked for a password, Redis is up too.
                    if sock.recv(16).startswith((b"+PONG", b"-NOAUTH")):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def freeze(self) -> None:
        """Stop answering without closing a socket (a host that vanished)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@dataclass
class Cluster:
    """Nodes sharing one fresh PostgreSQL database and one Redis (scale-out, decision 0016)."""

    nodes: list[ServerProcess]
    database: str


@contextmanager
def pg_cluster(
    directories: Any, env: dict[str, str] | None = None, count: int = 2
) -> Iterator[Cluster]:
    """`count` nodes started at once on a new database and Redis (`directories` is pytest's
    `tmp_path_factory`); all of it stopped and removed afterwards, even if a node fails to start."""
    redis = RedisProcess()
    redis.start()
    database = new_pg_database()
    shared = {**(env or {}), "TIDINGS_DATABASE_URL": database, "TIDINGS_REDIS_URL": redis.url}
    nodes = [
        ServerProcess(directories.mktemp(f"node{i}"), env={**shared, "TIDINGS_NODE_ID": f"n{i}"})
        for i in range(count)
    ]
    try:
        for node in nodes:
            node.launch()
        for node in nodes:
            node.wait_ready()
        yield Cluster(nodes, database)
    finally:
        for node in nodes:
            node.stop()
        remove_pg_database(database)
        redis.stop()
