"""Operations benchmarks for issue 13 (N3, N4): backups of a busy server, and JSON logs.

Run from the repository root:

    .venv/bin/python bench/operations.py                     # both scenarios
    .venv/bin/python bench/operations.py backup --messages 300000 --files 40
    .venv/bin/python bench/operations.py logs --duration 10

backup: a server on the embedded default (SQLite) is filled with messages and files, then
senders keep a steady load while `tidings backup` runs (plain tar, then gzip); printed are
the send rate before and during the backup, the backup's time and size, and the restore's
time. logs: the send throughput of a server writing text logs (no access log, the default)
against one writing JSON lines with the access log on (a line per op).
Numbers go to docs/benchmarks.md ("Operations"); nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import orjson
import uvloop
from harness import (
    FAST_HASH_ENV,
    TIDINGS,
    Server,
    User,
    frame,
    open_direct_chats,
    open_ws,
    register_users,
)
from websockets.asyncio.client import ClientConnection

SENDERS = 8
WINDOW = 16  # sends in flight per connection


async def load(
    base_url: str, ws_url: str, senders: list[tuple[User, int]], until: asyncio.Event
) -> list[float]:
    """Closed-loop sends on every connection until ``until``; the moment of each ack."""
    acks: list[float] = []
    connections = [await open_ws(ws_url, user.token) for user, _ in senders]

    async def one(ws: ClientConnection, conversation_id: int) -> None:
        ids = itertools.count(10)
        outstanding = 0
        while not until.is_set() or outstanding:
            while outstanding < WINDOW and not until.is_set():
                number = next(ids)
                await ws.send(
                    frame(
                        number,
                        "send",
                        {
                            "conversation_id": conversation_id,
                            "client_msg_id": f"{os.getpid()}-{conversation_id}-{number}",
                            "type": "text",
                            "body": {"text": f"message {number} " + "x" * 60},
                        },
                    )
                )
                outstanding += 1
            reply = orjson.loads(await ws.recv())
            if "id" in reply:
                if not reply.get("ok"):
                    raise RuntimeError(reply)
                outstanding -= 1
                acks.append(time.monotonic())

    try:
        await asyncio.gather(
            *(
                one(ws, conversation_id)
                for (ws, _), (_, conversation_id) in zip(connections, senders, strict=True)
            )
        )
    finally:
        for ws, _ in connections:
            await ws.close()
    return acks


def rate(acks: list[float], start: float, end: float) -> float:
    return sum(1 for moment in acks if start <= moment < end) / max(end - start, 1e-9)


async def fill(server: Server, messages: int, files: int) -> list[tuple[User, int]]:
    users = await register_users(server.base_url, SENDERS * 2)
    pairs = [(users[i], users[i + SENDERS]) for i in range(SENDERS)]
    conversations = await open_direct_chats(server.base_url, pairs)
    senders = [(user, cid) for (user, _), cid in zip(pairs, conversations, strict=True)]
    async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as http:
        headers = {"Authorization": f"Bearer {users[0].token}", "Tus-Resumable": "1.0.0"}
        for _ in range(files):
            data = os.urandom(1024 * 1024)
            created = await http.post(
                "/files/", headers={**headers, "Upload-Length": str(len(data))}
            )
            created.raise_for_status()
            patched = await http.patch(
                created.headers["location"],
                content=data,
                headers={
                    **headers,
                    "Upload-Offset": "0",
                    "Content-Type": "application/offset+octet-stream",
                },
            )
            patched.raise_for_status()
    stop = asyncio.Event()
    task = asyncio.create_task(load(server.base_url, server.ws_url, senders, stop))
    started = time.monotonic()
    while True:
        await asyncio.sleep(0.5)
        stored = server.metrics().get("tidings_messages_sent_total", 0.0)
        if stored >= messages or time.monotonic() - started > 600:
            break
    stop.set()
    acks = await task
    print(f"filled: {len(acks):,} messages in {time.monotonic() - started:.1f} s, {files} files")
    return senders


def run(*args: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(
        [str(TIDINGS), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **FAST_HASH_ENV, **(env or {})},
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return time.monotonic() - started, done.stdout


async def backup_scenario(messages: int, files: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="tidings-bench-backup-"))
    try:
        with Server() as server:
            senders = await fill(server, messages, files)
            database = server.data_dir / "tidings.db"
            print(f"database: {database.stat().st_size / 1e6:.1f} MB")
            for name in ("server.tar", "server.tar.gz"):
                stop = asyncio.Event()
                task = asyncio.create_task(load(server.base_url, server.ws_url, senders, stop))
                await asyncio.sleep(4)
                began = time.monotonic()
                seconds, _ = await asyncio.to_thread(
                    run, "backup", "--out", str(work / name), "--data-dir", str(server.data_dir)
                )
                ended = time.monotonic()
                await asyncio.sleep(2)
                stop.set()
                acks = await task
                before = rate(acks, began - 3.5, began)
                during = rate(acks, began, ended)
                size = (work / name).stat().st_size
                print(
                    f"{name}: {seconds:.1f} s, {size / 1e6:.1f} MB; sends "
                    f"{before:,.0f}/s before, {during:,.0f}/s during"
                )
        for name in ("server.tar", "server.tar.gz"):
            target = work / f"restored-{name}"
            seconds, _ = run("restore", str(work / name), "--data-dir", str(target))
            print(f"restore of {name}: {seconds:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


async def logs_scenario(duration: float, rounds: int) -> None:
    configs = (
        ("text, no access log", {}),
        ("json + access log", {"TIDINGS_LOG_FORMAT": "json", "TIDINGS_LOG_LEVEL": "info"}),
    )
    rates: dict[str, list[float]] = {label: [] for label, _ in configs}
    lines: dict[str, int] = {}
    # Interleaved, so that a shared machine's drift falls on both alike.
    for _ in range(rounds):
        for label, env in configs:
            with Server(env=env) as server:
                users = await register_users(server.base_url, SENDERS * 2)
                pairs = [(users[i], users[i + SENDERS]) for i in range(SENDERS)]
                conversations = await open_direct_chats(server.base_url, pairs)
                senders = [(u, c) for (u, _), c in zip(pairs, conversations, strict=True)]
                stop = asyncio.Event()
                task = asyncio.create_task(load(server.base_url, server.ws_url, senders, stop))
                await asyncio.sleep(1 + duration)
                stop.set()
                acks = await task
                end = max(acks)
                rates[label].append(rate(acks, end - duration, end))
                lines[label] = len(server.log().splitlines())
    for label, values in rates.items():
        values.sort()
        print(
            f"{label}: median {values[len(values) // 2]:,.0f} sends/s "
            f"(runs: {', '.join(f'{v:,.0f}' for v in values)}; {lines[label]:,} log lines)"
        )
    print(f"one JSON access line, formatted and written: {line_cost() * 1e6:.1f} µs")


def line_cost(count: int = 50_000) -> float:
    """CPU seconds to format and write one access line for an op (to /dev/null)."""
    import logging

    from tidings.config import Settings
    from tidings.logs import configure_logging, log_op

    configure_logging(Settings(log_format="json"))  # type: ignore[arg-type]
    with open(os.devnull, "w") as sink:
        handler = logging.getLogger().handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(sink)
        started = time.process_time()
        for _ in range(count):
            log_op("send", "ok", time.perf_counter(), 17)
        return (time.process_time() - started) / count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", nargs="?", choices=["backup", "logs"], default=None)
    parser.add_argument("--messages", type=int, default=300_000)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.scenario in (None, "backup"):
        uvloop.run(backup_scenario(args.messages, args.files))
    if args.scenario in (None, "logs"):
        uvloop.run(logs_scenario(args.duration, args.rounds))


if __name__ == "__main__":
    main()
