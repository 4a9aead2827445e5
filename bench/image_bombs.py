"""Image-bomb benchmark: the server's memory, and how long another user's sign-in and download
take, while one user uploads six 2 KB animated GIFs whose decoding would cost seconds and
hundreds of MB each (docs/benchmarks.md "Image bombs"; issue 11).

    .venv/bin/python bench/image_bombs.py                       # this tree's server
    git archive <commit> src | tar -x -C /tmp/before
    .venv/bin/python bench/image_bombs.py --src /tmp/before/src  # an older server, same sitting

The server is the real ``tidings serve`` (``python -m tidings`` with ``--src`` first on its
path) with the default argon2 cost, so sign-ins cost what they cost in production. While the
bombs are processed, a bystander signs in over and over, and downloads a 4 MiB file over and
over; a sampler reads the server's VmRSS every 50 ms and its VmHWM (peak) at the end. Not part
of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.crafted_media import gif_bomb  # noqa: E402

MiB = 1024 * 1024
PASSWORD = "bench password 1"
TUS = {"Tus-Resumable": "1.0.0"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


async def _register(http: httpx.AsyncClient, name: str) -> tuple[str, str]:
    account = f"{name}{uuid.uuid4().hex[:8]}"
    response = await http.post(
        "/api/v1/auth/register",
        json={"account": account, "password": PASSWORD, "nickname": name},
    )
    response.raise_for_status()
    return account, str(response.json()["token"])


async def _upload(http: httpx.AsyncClient, token: str, data: bytes, mime: str) -> str:
    meta = "filename Yi5iaW4=,filetype " + base64.b64encode(mime.encode()).decode()
    headers = {"Authorization": f"Bearer {token}", **TUS}
    created = await http.post(
        "/files/", headers={**headers, "Upload-Length": str(len(data)), "Upload-Metadata": meta}
    )
    created.raise_for_status()
    url = created.headers["location"]
    patched = await http.patch(
        url,
        content=data,
        headers={
            **headers,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    )
    patched.raise_for_status()
    return str(url)


def _summary(name: str, samples: list[float]) -> str:
    if not samples:
        return f"{name}: none finished"
    ms = sorted(s * 1000 for s in samples)
    return f"{name}: n={len(ms)} median={statistics.median(ms):.0f} ms max={ms[-1]:.0f} ms"


def start_server(src: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-bombs-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(src).resolve()),
        # Every sign-in a new session; the bystander's download token stays valid.
        "TIDINGS_SESSION_POLICY": "allow_all",
    }
    command = [sys.executable, "-m", "tidings", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return server, port


async def run(args: argparse.Namespace, server: subprocess.Popen[bytes], port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=900) as http:
        for _ in range(300):
            try:
                if (await http.get("/healthz")).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
        _, attacker = await _register(http, "mallory")
        bystander, bystander_token = await _register(http, "bob")
        own = os.urandom(4 * MiB)
        own_url = await _upload(http, bystander_token, own, "application/octet-stream")

        async def sign_in() -> float:
            started = time.perf_counter()
            response = await http.post(
                "/api/v1/auth/login", json={"account": bystander, "password": PASSWORD}
            )
            response.raise_for_status()
            return time.perf_counter() - started

        async def download() -> float:
            started = time.perf_counter()
            response = await http.get(
                own_url, headers={"Authorization": f"Bearer {bystander_token}"}
            )
            assert response.status_code == 200 and len(response.content) == len(own)
            return time.perf_counter() - started

        idle_sign_ins = [await sign_in() for _ in range(5)]
        idle_downloads = [await download() for _ in range(5)]
        idle_rss = _status(server.pid, "VmRSS")

        bomb = gif_bomb(args.width, args.width, args.frames)
        done = asyncio.Event()
        sign_ins: list[float] = []
        downloads: list[float] = []
        rss: list[int] = []

        async def keep(measure: Callable[[], Awaitable[float]], into: list[float]) -> None:
            while not done.is_set():
                into.append(await measure())

        async def sample() -> None:
            while not done.is_set():
                rss.append(_status(server.pid, "VmRSS"))
                await asyncio.sleep(0.05)

        async def attack() -> float:
            started = time.perf_counter()
            await asyncio.gather(
                *(_upload(http, attacker, bomb, "image/gif") for _ in range(args.bombs))
            )
            done.set()
            return time.perf_counter() - started

        watchers = [
            asyncio.create_task(keep(sign_in, sign_ins)),
            asyncio.create_task(keep(download, downloads)),
            asyncio.create_task(sample()),
        ]
        attack_seconds = await attack()
        await asyncio.gather(*watchers)
        peak = _status(server.pid, "VmHWM")

    cpu = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    print(f"server: {args.src} ({cpu})")
    print(
        f"attack: {args.bombs} GIFs of {len(bomb)} bytes ({args.width}x{args.width}, "
        f"{args.frames} frames), all uploaded and processed in {attack_seconds:.1f} s"
    )
    print(
        f"memory: idle RSS {idle_rss / MiB:.0f} MB, peak (VmHWM) {peak / MiB:.0f} MB, "
        f"highest sampled RSS during the attack {max(rss, default=0) / MiB:.0f} MB"
    )
    print(_summary("sign-in idle", idle_sign_ins))
    print(_summary("sign-in during the attack", sign_ins))
    print(_summary("4 MiB download idle", idle_downloads))
    print(_summary("4 MiB download during the attack", downloads))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default=str(ROOT / "src"), help="the server's source tree")
    parser.add_argument("--bombs", type=int, default=6)
    parser.add_argument("--width", type=int, default=7000)
    parser.add_argument("--frames", type=int, default=100)
    args = parser.parse_args()
    server, port = start_server(args.src)
    try:
        asyncio.run(run(args, server, port))
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
