"""What every benchmark scenario needs: a real server process, users, WebSocket clients, stats.

The server is the real ``tidings serve`` in its own process, on a fresh data directory, with
argon2 made cheap so that registering thousands of users takes seconds, not minutes. Clients
speak the wire protocol of docs/protocol.md over raw WebSockets (the ``websockets`` asyncio
client, compression off), not through the SDK, so that the load generator stays lean.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import psutil  # type: ignore[import-untyped]
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TIDINGS = BIN / "tidings"
PASSWORD = "bench password 1"

# Registration hashes a password; at full argon2 strength 10,000 users would take minutes.
FAST_HASH_ENV = {
    "TIDINGS_ARGON2_TIME_COST": "1",
    "TIDINGS_ARGON2_MEMORY_KIB": "8192",
    "TIDINGS_ARGON2_PARALLELISM": "1",
    # Bench users register over REST.
    "TIDINGS_REGISTRATION": "open",
}

# Benchmarks register thousands of users from one address and send, search and connect far
# faster than people do: the rules that would refuse them are set out of reach but still
# counted, so their cost is in every number. TIDINGS_RATE_LIMITS=false in the environment
# (messaging.py --limits off) turns every rule off instead, for the A/B of that cost.
BENCH_LIMITS_ENV = {
    f"TIDINGS_RATE_{rule}": "100000000/1s"
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

# The server can be started through a launcher that turns tracemalloc on and dumps a snapshot
# on SIGUSR2, to see which allocation sites hold the memory of idle connections.
_LAUNCHER = """
import os, signal, sys, tracemalloc
_dumps = os.environ.get("BENCH_TRACEMALLOC_DIR")
if _dumps:
    # Tracing starts at the first dump (the baseline): start-up stays fast, and what the
    # second dump holds beyond the first is what was allocated in between and is still alive.
    _count = [0]
    def _dump(*_):
        if not tracemalloc.is_tracing():
            tracemalloc.start(12)
        _count[0] += 1
        path = os.path.join(_dumps, f"snapshot-{_count[0]}.bin")
        tracemalloc.take_snapshot().dump(path + ".tmp")
        os.replace(path + ".tmp", path)
    signal.signal(signal.SIGUSR2, _dump)
from tidings.cli import main
main(sys.argv[1:])
"""


def raise_nofile_limit(wanted: int = 0) -> int:
    """Raise this process's open-file limit (children inherit it): to the hard limit, and
    past it up to the kernel's ceiling (fs.nr_open) when ``wanted`` needs it and we may
    (root, or CAP_SYS_RESOURCE)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if wanted > hard:
        try:
            ceiling = int(Path("/proc/sys/fs/nr_open").read_text())
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, ceiling),) * 2)
        except (OSError, ValueError):
            pass
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def export_commit(revision: str) -> Path:
    """The package source of one commit, exported to a temporary directory (its ``src``).

    The working tree may be mid-change; benchmarking a commit gives numbers that mean
    something, and lets two commits be compared on the same machine in one sitting.
    """
    target = Path(tempfile.mkdtemp(prefix="tidings-bench-src-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target / "src"


class Server:
    """``tidings serve`` on a temporary data directory, stopped (and removed) on exit.

    ``source``: a ``src`` directory to run instead of the installed (editable) package.
    ``data_dir``: reuse one (kept on stop) instead of a fresh temporary one (removed on stop),
    e.g. to restart on users registered by an earlier process.
    """

    def __init__(
        self,
        *,
        source: Path | None = None,
        data_dir: Path | None = None,
        trace_memory: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        self.extra_env = env or {}
        self.trace_memory = trace_memory
        self.source = source
        self.keep = data_dir is not None
        self.port = free_port()
        self.data_dir = data_dir or Path(tempfile.mkdtemp(prefix="tidings-bench-"))
        self.log_path = self.data_dir / f"server-{self.port}.log"
        self._popen: subprocess.Popen[bytes] | None = None
        self.process: psutil.Process | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def pid(self) -> int:
        assert self._popen is not None
        return self._popen.pid

    def start(self) -> None:
        raise_nofile_limit()
        serve = ["serve", "--port", str(self.port), "--data-dir", str(self.data_dir)]
        env = {
            **os.environ,
            **FAST_HASH_ENV,
            **BENCH_LIMITS_ENV,
            "TIDINGS_LOG_LEVEL": "warning",
            **self.extra_env,
        }
        if self.source is not None:
            env["PYTHONPATH"] = str(self.source)
        if not self.trace_memory:
            command = [str(TIDINGS), *serve]
        else:
            command = [sys.executable, "-c", _LAUNCHER, *serve]
            env["BENCH_TRACEMALLOC_DIR"] = str(self.data_dir)
        with open(self.log_path, "ab") as log:
            self._popen = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.data_dir
            )
        self.process = psutil.Process(self._popen.pid)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._popen.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server did not start:\n{self.log()}")

    def stop(self) -> None:
        if self._popen is not None and self._popen.poll() is None:
            self._popen.send_signal(signal.SIGTERM)
            try:
                self._popen.wait(15)
            except subprocess.TimeoutExpired:
                self._popen.kill()
                self._popen.wait()
        if not self.keep:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> Server:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_problems(self) -> list[str]:
        """Server log lines at WARNING or above (the log level is warning, so: all of them)."""
        return [line for line in self.log().splitlines() if line.strip()]

    def memory_snapshot(self) -> Path:
        """With ``trace_memory``: have the server dump a tracemalloc snapshot; its path."""
        assert self._popen is not None and self.trace_memory
        before = set(self.data_dir.glob("snapshot-*.bin"))
        self._popen.send_signal(signal.SIGUSR2)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            new = set(self.data_dir.glob("snapshot-*.bin")) - before
            if new:
                return new.pop()
            time.sleep(0.2)
        raise RuntimeError("the server wrote no tracemalloc snapshot")

    def rss(self) -> int:
        assert self.process is not None
        return int(self.process.memory_info().rss)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process, all threads."""
        assert self.process is not None
        times = self.process.cpu_times()
        return float(times.user + times.system)

    def system_cpu_seconds(self) -> float:
        """The kernel's share of cpu_seconds (syscalls: socket writes, fsync...)."""
        assert self.process is not None
        return float(self.process.cpu_times().system)

    def metrics(self) -> dict[str, float]:
        """The server's Prometheus metrics: "name" or 'name{label="v"}' -> value."""
        text = httpx.get(f"{self.base_url}/metrics", timeout=10).text
        out: dict[str, float] = {}
        for line in text.splitlines():
            match = _SAMPLE.match(line)
            if match:
                out[match.group(1)] = float(match.group(2))
        return out


_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) ([0-9.eE+-]+|NaN|[+-]Inf)$")


def busy_cpu_seconds() -> float:
    """CPU time spent by the whole machine (every process), not idle or waiting for I/O."""
    times = psutil.cpu_times()
    return float(times.user + times.nice + times.system + times.irq + times.softirq)


def process_cpu_seconds(pids: Iterable[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


async def settled_rss(server: Server, expected: int, *, within: float = 120) -> int:
    """Server RSS once it reports ``expected`` connections and RSS stopped moving."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        metrics = await asyncio.to_thread(server.metrics)
        if int(metrics.get("tidings_connections", -1)) == expected:
            break
        await asyncio.sleep(0.2)
    else:
        raise RuntimeError(f"server never reported {expected:,} connections")
    last = server.rss()
    for _ in range(30):
        await asyncio.sleep(1)
        now = server.rss()
        if abs(now - last) < 128 * 1024:
            return now
        last = now
    return last


# Users and conversations over REST


@dataclass(frozen=True, slots=True)
class User:
    id: int
    token: str


_accounts = itertools.count(1)


async def register_users(base_url: str, count: int, *, concurrency: int = 8) -> list[User]:
    """Register ``count`` users; returns them in order."""
    run = uuid.uuid4().hex[:6]
    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:

        async def one() -> User:
            account = f"bench{run}x{next(_accounts)}"
            async with limit:
                response = await http.post(
                    "/api/v1/auth/register",
                    json={"account": account, "password": PASSWORD, "nickname": account},
                )
            response.raise_for_status()
            body = response.json()
            return User(int(body["user"]["id"]), body["token"])

        return list(await asyncio.gather(*(one() for _ in range(count))))


async def open_direct_chats(
    base_url: str, pairs: Sequence[tuple[User, User]], *, concurrency: int = 8
) -> list[int]:
    """Open a direct chat for each (user, peer); returns the conversation ids in order."""
    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:

        async def one(user: User, peer: User) -> int:
            async with limit:
                response = await http.post(
                    "/api/v1/conversations",
                    json={"type": "direct", "peer_id": peer.id},
                    headers={"Authorization": f"Bearer {user.token}"},
                )
            response.raise_for_status()
            return int(response.json()["id"])

        return list(await asyncio.gather(*(one(user, peer) for user, peer in pairs)))


# WebSocket clients


def frame(request_id: int, op: str, data: dict[str, Any]) -> str:
    return orjson.dumps({"id": request_id, "op": op, "data": data}).decode()


async def open_ws(
    ws_url: str, token: str, *, local_host: str | None = None
) -> tuple[ClientConnection, dict[str, Any]]:
    """Connect and authenticate; returns the connection and the auth reply's data."""
    kwargs: dict[str, Any] = {}
    if local_host is not None:
        kwargs["local_addr"] = (local_host, 0)
    ws = await connect(
        ws_url,
        compression=None,
        max_size=None,
        ping_interval=None,
        close_timeout=2,
        open_timeout=60,
        **kwargs,
    )
    await ws.send(frame(1, "auth", {"token": token}))
    reply = orjson.loads(await ws.recv())
    if not reply.get("ok"):
        await ws.close()
        raise RuntimeError(f"auth failed: {reply}")
    return ws, reply["data"]


async def request(ws: ClientConnection, request_id: int, op: str, data: dict[str, Any]) -> Any:
    """One request on an otherwise quiet connection; skips pushes; returns the reply data."""
    await ws.send(frame(request_id, op, data))
    while True:
        message = orjson.loads(await ws.recv())
        if message.get("id") == request_id:
            if not message.get("ok"):
                raise RuntimeError(f"{op} failed: {message.get('error')}")
            return message["data"]


@contextlib.asynccontextmanager
async def closing_all(connections: list[ClientConnection]) -> AsyncIterator[None]:
    try:
        yield
    finally:
        await asyncio.gather(*(ws.close() for ws in connections), return_exceptions=True)


# Statistics


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"
