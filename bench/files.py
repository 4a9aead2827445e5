"""Files benchmark: tus upload and ranged download throughput on loopback, server CPU per GB,
and the server's peak RSS while a large upload streams (docs/benchmarks.md "Files").

    .venv/bin/python bench/files.py                      # 1 GiB transfers, 5 GiB RSS run
    .venv/bin/python bench/files.py --size-gib 1 --rss-gib 5 --runs 3 --data-dir /dev/shm/x

The server is the real ``tidings serve`` in its own process. The client is deliberately lean
so that it measures the server, not itself: one PATCH per upload sent with ``sendfile`` from a
file (zero-copy), and downloads read into one reused buffer. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

TIDINGS = Path(sys.executable).with_name("tidings")
GiB = 1024**3
MiB = 1024**2
FAST_HASH_ENV = {
    "TIDINGS_ARGON2_TIME_COST": "1",
    "TIDINGS_ARGON2_MEMORY_KIB": "8192",
    "TIDINGS_ARGON2_PARALLELISM": "1",
    # Bench users register over REST.
    "TIDINGS_REGISTRATION": "open",
}


@dataclass
class Transfer:
    bytes: int
    seconds: float
    server_cpu_seconds: float
    rss_before: int
    rss_peak: int

    @property
    def mb_per_s(self) -> float:
        return self.bytes / self.seconds / 1e6

    @property
    def cpu_per_gb(self) -> float:
        return self.server_cpu_seconds / (self.bytes / 1e9)


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            [TIDINGS, "serve", "--port", str(self.port), "--data-dir", str(self.data_dir)],
            env={**os.environ, **FAST_HASH_ENV},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz").status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def __exit__(self, *_: object) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(10)

    @property
    def ps(self) -> psutil.Process:
        assert self.process is not None
        return psutil.Process(self.process.pid)


class RssSampler:
    """The server's resident set, sampled every 20 ms while a transfer runs."""

    def __init__(self, process: psutil.Process) -> None:
        self.process = process
        self.peak = 0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RssSampler:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        self.peak = max(self.peak, self.process.memory_info().rss)

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, self.process.memory_info().rss)
            await asyncio.sleep(0.02)


def make_source(path: Path, size: int) -> None:
    """A file of ``size`` bytes: a random 16 MiB block, repeated (nothing compresses)."""
    block = os.urandom(16 * MiB)
    with open(path, "wb") as out:
        left = size
        while left:
            out.write(block[: min(left, len(block))])
            left -= min(left, len(block))


async def _response_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    return status, headers


async def upload(server: Server, token: str, source: Path) -> tuple[str, Transfer]:
    size = source.stat().st_size  # noqa: ASYNC240 - the client's own setup, not measured
    base = f"http://127.0.0.1:{server.port}"
    async with httpx.AsyncClient(base_url=base) as http:
        created = await http.post(
            "/files/",
            headers={
                "Authorization": f"Bearer {token}",
                "Tus-Resumable": "1.0.0",
                "Upload-Length": str(size),
            },
        )
    location = created.headers["location"]
    loop = asyncio.get_running_loop()
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.setblocking(False)
    reader, writer = await asyncio.open_connection(sock=sock)
    request = (
        f"PATCH {location} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
        f"Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
        f"Content-Type: application/offset+octet-stream\r\nContent-Length: {size}\r\n\r\n"
    )
    ps = server.ps
    rss_before = ps.memory_info().rss
    cpu_before = sum(ps.cpu_times()[:2])
    async with RssSampler(ps) as rss:
        started = time.perf_counter()
        writer.write(request.encode())
        await writer.drain()
        with open(source, "rb") as handle:  # noqa: ASYNC230 - sendfile needs a file object
            await loop.sendfile(writer.transport, handle)
        status, _ = await _response_head(reader)
        seconds = time.perf_counter() - started
    cpu = sum(ps.cpu_times()[:2]) - cpu_before
    writer.close()
    if status != 204:
        raise RuntimeError(f"upload answered {status}")
    return location, Transfer(size, seconds, cpu, rss_before, rss.peak)


async def download(server: Server, token: str, location: str) -> Transfer:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port, limit=4 * MiB)
    ps = server.ps
    rss_before = ps.memory_info().rss
    cpu_before = sum(ps.cpu_times()[:2])
    async with RssSampler(ps) as rss:
        started = time.perf_counter()
        request = f"GET {location} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n\r\n"
        writer.write(request.encode())
        status, headers = await _response_head(reader)
        left = int(headers["content-length"])
        size = left
        while left:
            data = await reader.read(min(left, 4 * MiB))
            if not data:
                raise RuntimeError("the download ended early")
            left -= len(data)
        seconds = time.perf_counter() - started
    cpu = sum(ps.cpu_times()[:2]) - cpu_before
    writer.close()
    if status != 200:
        raise RuntimeError(f"download answered {status}")
    return Transfer(size, seconds, cpu, rss_before, rss.peak)


async def register(server: Server) -> str:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as http:
        response = await http.post(
            "/api/v1/auth/register",
            json={"account": f"bench{os.getpid()}", "password": "bench password", "nickname": "B"},
        )
    return str(response.json()["token"])


def show(label: str, runs: list[Transfer]) -> None:
    speeds = [r.mb_per_s for r in runs]
    cpus = [r.cpu_per_gb for r in runs]
    growth = max(r.rss_peak - r.rss_before for r in runs)
    print(
        f"{label:9} {runs[0].bytes / GiB:5.1f} GiB x{len(runs)}: "
        f"median {statistics.median(speeds):7.1f} MB/s (min {min(speeds):.1f}, "
        f"max {max(speeds):.1f}); server CPU {statistics.median(cpus):.2f} s/GB; "
        f"RSS {runs[0].rss_before / MiB:.0f} MiB before, peak growth {growth / MiB:.1f} MiB",
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-gib", type=float, default=1.0, help="throughput transfers")
    parser.add_argument("--rss-gib", type=float, default=5.0, help="the large upload; 0 skips")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, help="server data (default: a temp dir)")
    args = parser.parse_args()
    root = args.data_dir or Path(tempfile.mkdtemp(prefix="tidings-bench-files-"))
    root.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {platform.node()} {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / GiB:.0f} GiB RAM, Python {platform.python_version()}; "
        f"data on {root}",
        flush=True,
    )
    source = root / "source.bin"
    try:
        with Server(root / "server") as server:
            token = await register(server)
            make_source(source, int(args.size_gib * GiB))
            uploads, downloads = [], []
            for _ in range(args.runs):
                location, sent = await upload(server, token, source)
                uploads.append(sent)
                downloads.append(await download(server, token, location))
            show("upload", uploads)
            show("download", downloads)
            if args.rss_gib:
                make_source(source, int(args.rss_gib * GiB))
                _, big = await upload(server, token, source)
                show("upload", [big])
    finally:
        if args.data_dir is None:
            shutil.rmtree(root, ignore_errors=True)
        else:
            source.unlink(missing_ok=True)


if __name__ == "__main__":
    asyncio.run(main())
