"""Messaging benchmarks for issue 2 ("Measure"): throughput, latency, idle connections, sync;
and for issue 6, 1:1 throughput through a cluster of two nodes.

Run from the repository root:

    .venv/bin/python bench/messaging.py                  # every scenario, moderate size
    .venv/bin/python bench/messaging.py throughput --duration 20
    .venv/bin/python bench/messaging.py latency --rate 1000
    .venv/bin/python bench/messaging.py idle --connections 5000,10000
    .venv/bin/python bench/messaging.py sync --messages 10000
    .venv/bin/python bench/messaging.py throughput --profile /tmp/tidings-profile
    .venv/bin/python bench/messaging.py cluster            # needs PostgreSQL and Redis

Each scenario starts its own ``tidings serve`` on a fresh temporary data directory (SQLite,
the embedded default), prints its numbers, and writes them as JSON to bench/results/; the
cluster scenario starts two nodes on one PostgreSQL database and one Redis, with senders and
receivers spread over both nodes and every message crossing nodes. The 1:1 scenarios' load
generator is bench/loadgen.py: worker processes on bench/lean.py's client.
Numbers, machine and method are in docs/benchmarks.md. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson
import psutil  # type: ignore[import-untyped]
import uvloop
from harness import (
    BIN,
    ROOT,
    Server,
    User,
    busy_cpu_seconds,
    export_commit,
    fmt_ms,
    median,
    open_direct_chats,
    open_ws,
    percentile,
    process_cpu_seconds,
    raise_nofile_limit,
    register_users,
    request,
    settled_rss,
)
from loadgen import PairSpec, WorkerConfig, WorkerResult, merge, worker_main
from websockets.asyncio.client import ClientConnection

RESULTS_DIR = Path(__file__).resolve().parent / "results"

TARGET_THROUGHPUT = 5_000.0  # 1:1 messages persisted and delivered per second
TARGET_P99 = 0.050  # seconds, send -> receive, at 1,000 msg/s
TARGET_IDLE_BYTES = 20 * 1024  # server memory per idle authenticated connection
TARGET_SYNC = 0.500  # seconds to hold 10,000 offline messages

Report = dict[str, Any]
T = TypeVar("T")


def verdict(met: bool) -> str:
    return "MET" if met else "MISSED"


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


# Throughput and latency: sender/receiver pairs in worker processes


async def make_pairs(server: Server, count: int) -> list[PairSpec]:
    users = await register_users(server.base_url, 2 * count)
    senders, receivers = users[:count], users[count:]
    conversations = await open_direct_chats(
        server.base_url, list(zip(senders, receivers, strict=True))
    )
    return [
        PairSpec(number, s.token, r.token, c)
        for number, (s, r, c) in enumerate(zip(senders, receivers, conversations, strict=True))
    ]


def drive(
    server: Server,
    pairs: list[PairSpec],
    *,
    workers: int,
    warmup: float,
    duration: float,
    window: int = 0,
    rate: float = 0.0,
    profile: Path | None = None,
    node_urls: tuple[str, ...] = (),
) -> Report:
    """One run: spread the pairs over worker processes, measure one window, merge.

    ``node_urls``: the nodes of a cluster (pair i's sender on node i % n, its receiver on
    node (i + 1) % n); empty: ``server`` alone."""
    context = multiprocessing.get_context("spawn")
    workers = max(1, min(workers, len(pairs)))
    processes: list[tuple[Any, Any]] = []
    for index in range(workers):
        parent_end, child_end = context.Pipe()
        config = WorkerConfig(
            index=index,
            node_urls=node_urls or (server.ws_url,),
            pairs=pairs[index::workers],
            warmup=warmup,
            duration=duration,
            window=window,
            rate=rate / workers,
        )
        process = context.Process(target=worker_main, args=(config, child_end), daemon=True)
        process.start()
        processes.append((process, parent_end))
    try:
        for _, pipe in processes:
            kind, payload = pipe.recv()
            if kind != "ready":
                raise RuntimeError(f"worker failed to start: {payload}")
        start = time.monotonic() + 0.5
        for _, pipe in processes:
            pipe.send(start)
        worker_pids = [p.pid for p, _ in processes if p.pid is not None]
        time.sleep(max(0.0, start + warmup - time.monotonic()))
        metrics_before = server.metrics()
        server_cpu, client_cpu = server.cpu_seconds(), process_cpu_seconds(worker_pids)
        server_system = server.system_cpu_seconds()
        machine_cpu = busy_cpu_seconds()
        window_started = time.monotonic()
        spy = _start_profile(server.pid, duration, profile) if profile else None
        time.sleep(max(0.0, start + warmup + duration - time.monotonic()))
        elapsed = time.monotonic() - window_started
        server_cpu = server.cpu_seconds() - server_cpu
        server_system = server.system_cpu_seconds() - server_system
        client_cpu = process_cpu_seconds(worker_pids) - client_cpu
        other_cpu = busy_cpu_seconds() - machine_cpu - server_cpu - client_cpu
        metrics_after = server.metrics()
        results: list[WorkerResult] = []
        for _, pipe in processes:
            kind, payload = pipe.recv()
            if kind != "result":
                raise RuntimeError(f"worker failed: {payload}")
            results.append(payload)
        if spy is not None:
            spy.wait()
    finally:
        for process, _ in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
    merged = merge(results)
    latencies: list[float] = merged.pop("latencies")
    batches = _delta(metrics_after, metrics_before, "tidings_write_batch_entries_count")
    entries = _delta(metrics_after, metrics_before, "tidings_write_batch_entries_sum")
    sends = _delta(metrics_after, metrics_before, "tidings_send_latency_seconds_count")
    send_seconds = _delta(metrics_after, metrics_before, "tidings_send_latency_seconds_sum")
    return {
        **merged,
        "rate": merged["measured"] / duration,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": max(latencies, default=float("nan")),
        "server_cpu_pct": 100 * server_cpu / elapsed,
        "server_system_cpu_pct": 100 * server_system / elapsed,
        # Server CPU per delivered message: what the server could do on a core of its own.
        "server_cpu_us_per_msg": 1e6 * server_cpu / merged["measured"]
        if merged["measured"]
        else float("nan"),
        "client_cpu_pct": 100 * client_cpu / elapsed,
        # Everything else on the machine (other people's tests, py-spy...): noise to report.
        "other_cpu_pct": max(0.0, 100 * other_cpu / elapsed),
        "mean_batch": entries / batches if batches else float("nan"),
        "server_send_mean": send_seconds / sends if sends else float("nan"),
        # From the server's histogram: request arrival to durable reply, without the network
        # and the load generator (an upper bucket bound, so coarse).
        "server_send_p99_bound": _histogram_bound(metrics_before, metrics_after, 0.99),
    }


def _histogram_bound(before: dict[str, float], after: dict[str, float], q: float) -> float:
    """The smallest bucket bound of tidings_send_latency_seconds holding a share q of the
    sends made between two scrapes."""
    prefix = 'tidings_send_latency_seconds_bucket{le="'
    buckets = sorted(
        (float(key[len(prefix) : -2]), after[key] - before.get(key, 0.0))
        for key in after
        if key.startswith(prefix)
    )
    total = buckets[-1][1] if buckets else 0.0
    for bound, count in buckets:
        if total and count >= q * total:
            return bound
    return float("nan")


def _delta(after: dict[str, float], before: dict[str, float], name: str) -> float:
    return after.get(name, 0.0) - before.get(name, 0.0)


def _start_profile(pid: int, duration: float, path: Path) -> subprocess.Popen[bytes]:
    """py-spy on the server for the window. A path ending in ``-gil.txt`` samples only the
    thread holding the GIL (where Python spends CPU); otherwise every thread, idle included
    (where the wall-clock time goes)."""
    spy = BIN / "py-spy"
    if not spy.exists():
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    path.parent.mkdir(parents=True, exist_ok=True)
    command = [str(spy), "record", "--pid", str(pid), "--duration", str(int(duration))]
    command += ["--rate", "100", "--nonblocking", "--threads", "--format", "raw", "-o", str(path)]
    command += ["--gil"] if path.name.endswith("-gil.txt") else ["--idle"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def print_run(label: str, run: Report) -> None:
    problems = {
        k: run[k] for k in ("missing", "unacked", "duplicates", "errors", "closed") if run[k]
    }
    print(
        f"  {label}: {run['rate']:,.0f} msg/s delivered | send->receive p50 "
        f"{fmt_ms(run['p50'])} p99 {fmt_ms(run['p99'])} max {fmt_ms(run['max'])} | "
        f"server CPU {run['server_cpu_pct']:.0f}% (kernel {run['server_system_cpu_pct']:.0f}%) "
        f"= {run['server_cpu_us_per_msg']:.0f} us/msg | "
        "load generator CPU "
        f"{run['client_cpu_pct']:.0f}% | other processes {run['other_cpu_pct']:.0f}% (of 200%) | "
        f"mean commit batch {run['mean_batch']:.1f} | "
        f"server send->ack mean {fmt_ms(run['server_send_mean'])}, p99 <= "
        f"{fmt_ms(run['server_send_p99_bound'])}" + (f" | PROBLEMS {problems}" if problems else "")
    )


def summarize(runs: list[Report]) -> Report:
    keys = ["rate", "p50", "p99", "server_cpu_pct", "client_cpu_pct", "other_cpu_pct"]
    keys += ["mean_batch", "server_cpu_us_per_msg"]
    return {f"median_{k}": median([r[k] for r in runs]) for k in keys}


def repeated_runs(
    server: Server, pairs: list[PairSpec], repeat: int, **options: Any
) -> list[Report]:
    """``repeat`` measured runs on one server, each printed as it ends."""
    runs: list[Report] = []
    for number in range(1, repeat + 1):
        run = drive(server, pairs, **options)
        print_run(f"run {number}", run)
        runs.append(run)
    return runs


def scenario_throughput(args: argparse.Namespace) -> Report:
    print(
        f"\n== throughput: {args.pairs} sender/receiver pairs, {args.window} sends in flight "
        f"per sender, {args.workers} load-generator processes, {args.duration:g} s window "
        f"after {args.warmup:g} s warm-up, {args.repeat} runs"
    )
    with Server(source=args.source) as server:
        pairs = run_async(make_pairs(server, args.pairs))
        options: dict[str, Any] = {
            "workers": args.workers,
            "warmup": args.warmup,
            "duration": args.duration,
            "window": args.window,
        }
        runs = repeated_runs(server, pairs, args.repeat, **options)
        profile: Report = {}
        for mode in ("gil", "wall") if args.profile else ():
            raw = Path(f"{args.profile}-{mode}.txt")
            run = drive(server, pairs, **options, profile=raw)
            print_run(f"profiled run ({mode}; py-spy attached, not counted)", run)
            profile[mode] = print_profile(raw, main_thread_only=mode == "wall")
        problems = server.log_problems()
    summary = summarize(runs)
    met = summary["median_rate"] >= TARGET_THROUGHPUT
    print(
        f"  median: {summary['median_rate']:,.0f} msg/s (target >= {TARGET_THROUGHPUT:,.0f}: "
        f"{verdict(met)}), p50 {fmt_ms(summary['median_p50'])}, p99 "
        f"{fmt_ms(summary['median_p99'])}, server CPU {summary['median_server_cpu_pct']:.0f}%"
    )
    print_log_problems(problems)
    return {"runs": runs, **summary, "met": met, "profile": profile, "log": problems}


def scenario_latency(args: argparse.Namespace) -> Report:
    print(
        f"\n== latency: {args.rate:g} msg/s open loop over {args.latency_pairs} pairs, "
        f"{args.latency_workers} load-generator process(es), {args.duration:g} s window after "
        f"{args.warmup:g} s warm-up, {args.repeat} runs"
    )
    with Server(source=args.source) as server:
        pairs = run_async(make_pairs(server, args.latency_pairs))
        options: dict[str, Any] = {
            "workers": args.latency_workers,
            "warmup": args.warmup,
            "duration": args.duration,
            "rate": args.rate,
        }
        runs = repeated_runs(server, pairs, args.repeat, **options)
        profile: Report = {}
        if args.profile:
            raw = Path(f"{args.profile}-latency-gil.txt")
            run = drive(server, pairs, **options, profile=raw)
            print_run("profiled run (gil; py-spy attached, not counted)", run)
            profile = print_profile(raw)
        problems = server.log_problems()
    summary = summarize(runs)
    met = summary["median_p99"] <= TARGET_P99
    print(
        f"  median: p50 {fmt_ms(summary['median_p50'])}, p99 {fmt_ms(summary['median_p99'])} "
        f"(target <= {fmt_ms(TARGET_P99)}: {verdict(met)}) at "
        f"{summary['median_rate']:,.0f} msg/s delivered, server CPU "
        f"{summary['median_server_cpu_pct']:.0f}%"
    )
    print_log_problems(problems)
    return {"runs": runs, **summary, "met": met, "profile": profile, "log": problems}


# Profile summary (py-spy raw = collapsed stacks: "frame;frame;... count")


# Where a sample's time goes, judged by the first rule whose frame is on its stack.
PROFILE_PARTS = (
    ("group commit: LogWriter (SQL built and run through aiosqlite)", "LogWriter._run ("),
    ("frames out: written to the socket", "GatewayConnection.send_frame ("),
    ("send op before the writer: validate, roster, publish", "_send (tidings/gateway/ops.py"),
    ("other ops (auth, sync, history...)", "GatewayConnection._run ("),
    ("frames in: receive, parse, dispatch", "GatewayConnection.data_received ("),
    ("uvicorn/ASGI plumbing (REST)", "run_asgi ("),
)


def print_profile(path: Path, *, main_thread_only: bool = False, top: int = 25) -> Report:
    """Self and inclusive sample shares per function, from py-spy's collapsed stacks."""
    if not path.exists():
        print(f"  (no profile written to {path})")
        return {}
    self_samples: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    parts: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        # With --threads the first frame names the thread: "thread (0x7f..): MainThread".
        thread = frames[0].rpartition(": ")[2]
        threads[_thread_kind(thread)] += count
        if main_thread_only and thread != "MainThread":
            continue
        total += count
        calls = [_short_frame(f) for f in frames[1:]]
        if calls:
            self_samples[calls[-1]] += count
        for name in set(calls):
            inclusive[name] += count
        parts[_profile_part(thread, calls)] += count
    total = total or 1
    every = sum(threads.values()) or 1
    scope = "the main (event loop) thread's" if main_thread_only else "all"
    print(f"  profile {path}: {total} of {every} samples ({scope})")
    print("    by thread: " + ", ".join(f"{t} {100 * c / every:.0f}%" for t, c in threads.items()))
    print("    by part of the server:")
    for name, count in parts.most_common():
        print(f"      {100 * count / total:5.1f}%  {name}")
    print("    top functions by own samples (self %):")
    for name, count in self_samples.most_common(top):
        print(f"      {100 * count / total:5.1f}%  {name}")
    print("    tidings functions including callees (inclusive %):")
    ours = [(n, c) for n, c in inclusive.most_common() if "(tidings/" in n]
    for name, count in ours[:top]:
        print(f"      {100 * count / total:5.1f}%  {name}")
    return {
        "samples": total,
        "threads": {t: c / every for t, c in threads.items()},
        "parts": {n: c / total for n, c in parts.most_common()},
        "self": {n: c / total for n, c in self_samples.most_common(80)},
        "inclusive": {n: c / total for n, c in inclusive.most_common(150)},
    }


def _profile_part(thread: str, calls: list[str]) -> str:
    if thread != "MainThread":
        return f"thread {_thread_kind(thread)}"
    for name, marker in PROFILE_PARTS:
        if any(marker in call for call in calls):
            return name
    if calls and "(sqlalchemy/" in calls[0]:
        # SQLAlchemy's async layer runs statements in greenlets; py-spy shows a greenlet's
        # stack without its caller.
        return "SQLAlchemy in greenlets (statement compile/execute, caller not visible)"
    if calls and calls[-1].startswith("Runner.run ("):
        return "event loop itself (uvloop: polling, transports, callbacks)"
    return "other"


def _thread_kind(name: str) -> str:
    """Group threads by kind: "Thread-44 (_connection_worker_thread)" -> the target's name."""
    if "(" in name:
        return name.rsplit("(", 1)[1].rstrip(")")
    return name.rstrip("0123456789_") or name


def _short_frame(frame: str) -> str:
    """ "send (tidings/actions/messages.py:40)" without the line number and site-packages."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "lib/python3.11/", "src/"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{name} ({where})"


# Idle connections


async def _open_idle(
    server: Server, users: list[User], first: int, count: int, opened: list[ClientConnection]
) -> None:
    limit = asyncio.Semaphore(100)

    async def one(index: int) -> None:
        # Past ~25,000 connections one source address runs out of ephemeral ports.
        local_host = f"127.0.0.{1 + index // 25_000}"
        async with limit:
            ws, _ = await open_ws(
                server.ws_url, users[index % len(users)].token, local_host=local_host
            )
        opened.append(ws)

    await asyncio.gather(*(one(i) for i in range(first, first + count)))


async def _keepalive(connections: list[ClientConnection]) -> None:
    """Ping every connection every 20 s (the server closes one silent for 75 s)."""
    ping = orjson.dumps({"op": "ping"})
    while True:
        await asyncio.sleep(20)
        for ws in list(connections):
            with contextlib.suppress(Exception):
                await ws.send(ping, text=True)


async def _idle_run(server: Server, users: list[User], levels: list[int]) -> Report:
    # Warm up code paths (imports, caches) with a few connections, then take the baseline.
    warm: list[ClientConnection] = []
    await _open_idle(server, users, 0, min(50, len(users)), warm)
    await asyncio.gather(*(ws.close() for ws in warm))
    baseline = await settled_rss(server, 0)
    connections: list[ClientConnection] = []
    keepalive = asyncio.create_task(_keepalive(connections))
    points: list[Report] = []
    try:
        for level in levels:
            started = time.monotonic()
            await _open_idle(server, users, len(connections), level - len(connections), connections)
            open_seconds = time.monotonic() - started
            rss = await settled_rss(server, level)
            per_connection = (rss - baseline) / level
            marginal = None
            if points:
                previous = points[-1]
                marginal = (rss - previous["rss"]) / (level - previous["connections"])
            points.append(
                {
                    "connections": level,
                    "rss": rss,
                    "per_connection": per_connection,
                    "marginal": marginal,
                    "open_seconds": open_seconds,
                    "client_rss": psutil.Process().memory_info().rss,
                }
            )
            print(
                f"    {level:,} connections: server RSS {rss / 2**20:.1f} MiB (baseline "
                f"{baseline / 2**20:.1f} MiB) -> {per_connection / 1024:.1f} KiB per connection"
                + (f", {marginal / 1024:.1f} KiB per added connection" if marginal else "")
                + f" (opened in {open_seconds:.1f} s)"
            )
    finally:
        keepalive.cancel()
        await asyncio.gather(*(ws.close() for ws in connections), return_exceptions=True)
    return {"baseline": baseline, "points": points}


def scenario_idle(args: argparse.Namespace) -> Report:
    levels = sorted(args.connections)
    user_count = args.users or levels[-1]
    print(
        f"\n== idle connections: {', '.join(f'{n:,}' for n in levels)} authenticated idle "
        f"connections from {user_count:,} users; {args.idle_repeat} run(s), every run on a "
        "freshly started server process"
    )
    limit = raise_nofile_limit(levels[-1] + 1000)
    if limit < levels[-1] + 100:
        print(f"  warning: open-file limit {limit} is below {levels[-1]:,} connections")
    data_dir = Path(tempfile.mkdtemp(prefix="tidings-bench-idle-"))
    report: Report = {"users": user_count}
    try:
        # Register once; every run restarts the server on the same data (sessions persist), so
        # each run starts from a fresh process without paying for registration again.
        with Server(source=args.source, data_dir=data_dir) as server:
            started = time.monotonic()
            users = run_async(register_users(server.base_url, user_count))
            print(f"  registered {user_count:,} users in {time.monotonic() - started:.0f} s")
        runs = []
        for number in range(1, args.idle_repeat + 1):
            print(f"  run {number}:")
            with Server(source=args.source, data_dir=data_dir) as server:
                run = run_async(_idle_run(server, users, levels))
                run["log"] = server.log_problems()
            runs.append(run)
            print_log_problems(run["log"])
        medians = {
            level: median([r["points"][i]["per_connection"] for r in runs])
            for i, level in enumerate(levels)
        }
        report["runs"] = runs
        report["per_connection"] = medians
        for level, per in medians.items():
            print(
                f"  median at {level:,}: {per / 1024:.1f} KiB per connection (target <= "
                f"{TARGET_IDLE_BYTES // 1024} KiB: {verdict(per <= TARGET_IDLE_BYTES)})"
            )
        if args.idle_trace:
            # Attribution needs no big count, and tracing slows the server down a lot.
            level = min(levels[0], 2_000)
            try:
                report["allocations"] = _trace_idle(args, data_dir, users, level)
            except RuntimeError as error:
                print(f"  allocation tracing failed: {error}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    report["met"] = all(v <= TARGET_IDLE_BYTES for v in medians.values())
    return report


def _trace_idle(args: argparse.Namespace, data_dir: Path, users: list[User], level: int) -> Report:
    """Where idle connections' memory goes: tracemalloc in the server (an extra run whose
    RSS is not reported, tracing has its own cost), snapshots before and after ``level``
    connections, the allocation sites that grew, per connection."""
    print(f"  allocation sites per idle connection ({level:,} connections, tracemalloc):")
    with Server(source=args.source, data_dir=data_dir, trace_memory=True) as server:

        async def measure() -> tuple[Path, Path]:
            warm: list[ClientConnection] = []
            await _open_idle(server, users, 0, min(50, len(users)), warm)
            await asyncio.gather(*(ws.close() for ws in warm))
            await settled_rss(server, 0)
            before = await asyncio.to_thread(server.memory_snapshot)
            connections: list[ClientConnection] = []
            keepalive = asyncio.create_task(_keepalive(connections))
            try:
                await _open_idle(server, users, 0, level, connections)
                await settled_rss(server, level)
                after = await asyncio.to_thread(server.memory_snapshot)
            finally:
                keepalive.cancel()
                await asyncio.gather(*(c.close() for c in connections), return_exceptions=True)
            return before, after

        before_path, after_path = run_async(measure())
        before = tracemalloc.Snapshot.load(str(before_path))
        after = tracemalloc.Snapshot.load(str(after_path))
    growth = after.compare_to(before, "traceback")
    total = sum(stat.size_diff for stat in growth)
    # Charge each allocation to the innermost frame outside the standard library: the code
    # that asked for it (a Task, a Queue, a dict...), grouped by package and by line.
    by_package: Counter[str] = Counter()
    by_site: Counter[str] = Counter()
    for stat in growth:
        site = _owner(stat.traceback)
        by_package[site.split("/", 1)[0]] += stat.size_diff
        by_site[site] += stat.size_diff
    print(
        f"    traced Python allocations grew {total / level / 1024:.1f} KiB per connection; by "
        "package: "
        + ", ".join(f"{name} {size / level:.0f} B" for name, size in by_package.most_common(8))
    )
    for site, size in by_site.most_common(15):
        print(f"    {size / level:7.0f} B  {site}")
    return {
        "traced_per_connection": total / level,
        "by_package": {k: v / level for k, v in by_package.most_common()},
        "by_site": {k: v / level for k, v in by_site.most_common(40)},
    }


def _owner(traceback: tracemalloc.Traceback) -> str:
    """The innermost frame not in the standard library, as "package/module.py:line"."""
    frames = list(reversed(traceback))  # a Traceback runs from the oldest frame to the newest
    for frame in frames:
        path = frame.filename
        if "site-packages/" in path or "/tidings/" in path:
            return f"{_short_path(path)}:{frame.lineno}"
    frame = frames[0]
    return f"stdlib/{_short_path(frame.filename)}:{frame.lineno}"


def _short_path(path: str) -> str:
    for marker in ("site-packages/", "lib/python3.11/", "src/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


# Offline sync


async def _send_offline(
    server: Server, sender: User, conversation_id: int, count: int, connections: int = 8
) -> float:
    """Send ``count`` messages from several connections of the sender, all pipelined.

    (Each connection's requests run one at a time, so several connections fill group-commit
    batches. The sender's other connections get every message pushed; they ignore them.)"""
    started = time.monotonic()
    opened = [(await open_ws(server.ws_url, sender.token))[0] for _ in range(connections)]

    async def run(ws: ClientConnection, numbers: range) -> None:
        for number in numbers:
            data = {
                "conversation_id": conversation_id,
                "client_msg_id": f"offline-{number}",
                "type": "text",
                "body": {"text": f"offline message {number}"},
            }
            await ws.send(orjson.dumps({"id": number, "op": "send", "data": data}), text=True)
        replies = 0
        while replies < len(numbers):
            message = orjson.loads(await ws.recv(decode=False))
            if "id" not in message:
                continue  # an entry pushed from the sender's other connections
            if not message.get("ok"):
                raise RuntimeError(f"send failed: {message}")
            replies += 1

    share = -(-count // connections)
    await asyncio.gather(
        *(run(ws, range(i * share, min(count, (i + 1) * share))) for i, ws in enumerate(opened))
    )
    await asyncio.gather(*(ws.close() for ws in opened))
    return time.monotonic() - started


async def _sync_once(
    server: Server, receiver: User, chat_id: int, page: int, pipelined: bool
) -> Report:
    """Connect, auth, sync from private seq 0, pull every conversation's history.

    Every conversation the sync lists is pulled (the direct chat with the 10,000 messages and
    the system-notice conversation with its welcome notice), as a client would."""
    started = time.perf_counter()
    ws, _ = await open_ws(server.ws_url, receiver.token)
    connected = time.perf_counter()
    next_id = 10
    private_seq = 0
    conversations: dict[int, int] = {}
    while True:
        next_id += 1
        reply = await request(ws, next_id, "sync", {"private_seq": private_seq})
        for entry in reply["private_entries"]:
            private_seq = max(private_seq, entry["seq"])
        for summary in reply["conversations"]:
            conversations[summary["id"]] = summary["last_seq"]
        if not reply["has_more"]:
            break
    synced = time.perf_counter()
    held: dict[int, list[dict[str, Any]]] = {cid: [] for cid in conversations}
    pages = 0
    for conversation_id, last_seq in conversations.items():
        messages = held[conversation_id]
        if pipelined:
            # Ask for every page at once: replies come back in request order.
            first = next_id + 1
            for after in range(0, last_seq, page):
                next_id += 1
                data = {"conversation_id": conversation_id, "after_seq": after, "limit": page}
                await ws.send(
                    orjson.dumps({"id": next_id, "op": "history", "data": data}), text=True
                )
            while first <= next_id:
                message = orjson.loads(await ws.recv(decode=False))
                if message.get("id") == first:
                    messages.extend(message["data"]["messages"])
                    first += 1
                    pages += 1
        else:
            while not messages or messages[-1]["seq"] < last_seq:
                next_id += 1
                after = messages[-1]["seq"] if messages else 0
                data = {"conversation_id": conversation_id, "after_seq": after, "limit": page}
                reply = await request(ws, next_id, "history", data)
                pages += 1
                if not reply["messages"]:
                    break
                messages.extend(reply["messages"])
    done = time.perf_counter()
    await ws.close()
    return {
        "total": done - started,
        "connect_auth": connected - started,
        "sync": synced - connected,
        "history": done - synced,
        "pages": pages,
        "held": len(held.get(chat_id, [])),
        "held_elsewhere": sum(len(m) for c, m in held.items() if c != chat_id),
    }


def scenario_sync(args: argparse.Namespace) -> Report:
    runs_wanted = max(args.repeat, 3)
    print(
        f"\n== offline sync: {args.messages:,} messages received while offline, then connect, "
        f"auth, sync from private seq 0, history pages of {args.page}; {runs_wanted} runs "
        "each way"
    )
    with Server(source=args.source) as server:
        sender, receiver = run_async(register_users(server.base_url, 2))
        (conversation_id,) = run_async(open_direct_chats(server.base_url, [(sender, receiver)]))
        seconds = run_async(_send_offline(server, sender, conversation_id, args.messages))
        print(f"  sent {args.messages:,} messages in {seconds:.1f} s while the receiver was away")
        modes = {"sequential": False, "pipelined": True}
        runs: dict[str, list[Report]] = {mode: [] for mode in modes}
        # Alternate the two ways so that the machine's noise falls on both alike.
        for number in range(1, runs_wanted + 1):
            for mode, pipelined in modes.items():
                server_cpu, own_cpu = server.cpu_seconds(), time.process_time()
                machine_cpu = busy_cpu_seconds()
                run = run_async(_sync_once(server, receiver, conversation_id, args.page, pipelined))
                run["server_cpu"] = server.cpu_seconds() - server_cpu
                run["client_cpu"] = time.process_time() - own_cpu
                other = busy_cpu_seconds() - machine_cpu - run["server_cpu"] - run["client_cpu"]
                run["other_cpu_pct"] = max(0.0, 100 * other / run["total"])
                runs[mode].append(run)
                print(
                    f"  {mode} run {number}: holds {run['held']:,} messages "
                    f"(+{run['held_elsewhere']} in other conversations) after "
                    f"{fmt_ms(run['total'])} (connect+auth {fmt_ms(run['connect_auth'])}, "
                    f"sync {fmt_ms(run['sync'])}, {run['pages']} history pages "
                    f"{fmt_ms(run['history'])}) | server CPU {fmt_ms(run['server_cpu'])}, "
                    f"client CPU {fmt_ms(run['client_cpu'])}, other processes "
                    f"{run['other_cpu_pct']:.0f}% (of 200%)"
                )
                if run["held"] != args.messages:
                    print(f"  PROBLEM: expected {args.messages:,} messages in the chat")
        results: Report = {
            mode: {
                "runs": mode_runs,
                "median_total": median([r["total"] for r in mode_runs]),
                "median_history": median([r["history"] for r in mode_runs]),
                "median_server_cpu": median([r["server_cpu"] for r in mode_runs]),
            }
            for mode, mode_runs in runs.items()
        }
        if args.profile:
            # Back-to-back syncs (not counted) while py-spy samples the server.
            raw = Path(f"{args.profile}-sync-gil.txt")
            spy = _start_profile(server.pid, 10, raw)

            async def keep_syncing() -> int:
                count = 0
                while spy.poll() is None:
                    await _sync_once(server, receiver, conversation_id, args.page, False)
                    count += 1
                return count

            count = run_async(keep_syncing())
            print(f"  profiled {count} back-to-back syncs (not counted)")
            results["profile"] = print_profile(raw)
        problems = server.log_problems()
    headline = results["sequential"]["median_total"]
    met = headline <= TARGET_SYNC
    print(
        f"  median: {fmt_ms(headline)} page by page (target <= {fmt_ms(TARGET_SYNC)}: "
        f"{verdict(met)}); {fmt_ms(results['pipelined']['median_total'])} with all pages "
        "requested at once"
    )
    print_log_problems(problems)
    return {**results, "met": met, "log": problems}


def print_log_problems(lines: list[str]) -> None:
    if lines:
        print(f"  server log has {len(lines)} warning/error line(s); first ones:")
        for line in lines[:5]:
            print(f"    {line[:200]}")


# Command line


class _Cluster:
    """Several nodes seen as one server by ``drive``: metrics and CPU summed; ``node_urls``
    for drive's argument of that name (``pid``, for a profile, is the first node's)."""

    def __init__(self, nodes: list[Server]) -> None:
        self.nodes = nodes
        self.node_urls = tuple(node.ws_url for node in nodes)
        self.pid = nodes[0].pid

    def metrics(self) -> dict[str, float]:
        total: Counter[str] = Counter()
        for node in self.nodes:
            total.update(node.metrics())
        return dict(total)

    def cpu_seconds(self) -> float:
        return sum(node.cpu_seconds() for node in self.nodes)

    def system_cpu_seconds(self) -> float:
        return sum(node.system_cpu_seconds() for node in self.nodes)


def scenario_cluster(args: argparse.Namespace) -> Report:
    """Issue 6: 1:1 throughput through two nodes on PostgreSQL and Redis: pair i's sender on
    node i % 2 and its receiver on the other, so that every message crosses nodes and both
    nodes send and receive alike."""
    sys.path.insert(0, str(ROOT))
    from tests.support.server import RedisProcess, new_pg_database, remove_pg_database

    print(
        f"\n== cluster throughput: 2 nodes, PostgreSQL + Redis, {args.pairs} pairs (senders "
        "and receivers spread over both nodes, every message crossing nodes), "
        f"{args.window} in flight per sender, {args.workers} load-generator processes, "
        f"{args.duration:g} s window, {args.repeat} runs"
    )
    database = new_pg_database()
    redis = RedisProcess()
    redis.start()
    env = {"TIDINGS_DATABASE_URL": database, "TIDINGS_REDIS_URL": redis.url}
    nodes: list[Server] = []
    try:
        for _ in range(2):
            node = Server(source=args.source, env=env)
            node.start()
            nodes.append(node)
        pairs = run_async(make_pairs(nodes[0], args.pairs))
        cluster = _Cluster(nodes)
        runs = repeated_runs(
            cluster,  # type: ignore[arg-type]
            pairs,
            args.repeat,
            workers=args.workers,
            warmup=args.warmup,
            duration=args.duration,
            window=args.window,
            node_urls=cluster.node_urls,
        )
        problems = [line for node in nodes for line in node.log_problems()]
    finally:
        for node in nodes:
            node.stop()
        redis.stop()
        remove_pg_database(database)
    summary = summarize(runs)
    met = summary["median_rate"] >= 10_000 and summary["median_p99"] <= 0.1
    print(
        f"  median: {summary['median_rate']:,.0f} msg/s, p50 {fmt_ms(summary['median_p50'])}, "
        f"p99 {fmt_ms(summary['median_p99'])} (target >= 10,000/s with p99 <= 100 ms: "
        f"{verdict(met)})"
    )
    print_log_problems(problems)
    return {"runs": runs, **summary, "met": met, "log": problems}


SCENARIOS: dict[str, Callable[[argparse.Namespace], Report]] = {
    "throughput": scenario_throughput,
    "latency": scenario_latency,
    "idle": scenario_idle,
    "sync": scenario_sync,
    "cluster": scenario_cluster,
}


def _int_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", default="all", choices=["all", *SCENARIOS])
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (median)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds")
    parser.add_argument(
        "--commit", help="run the server from this commit's src (default: the working tree)"
    )
    parser.add_argument(
        "--limits",
        choices=["on", "off"],
        default="on",
        help="rate limits counted on every send (out of reach, harness.BENCH_LIMITS_ENV), or "
        "off altogether (TIDINGS_RATE_LIMITS=false): the A/B of their cost",
    )
    group = parser.add_argument_group("throughput")
    group.add_argument("--pairs", type=int, default=128, help="sender/receiver pairs")
    group.add_argument("--window", type=int, default=2, help="sends in flight per sender")
    group.add_argument("--workers", type=int, default=2, help="load-generator processes")
    group.add_argument(
        "--profile",
        help="py-spy the server in extra runs (not counted); output path prefix",
    )
    group = parser.add_argument_group("latency")
    group.add_argument("--rate", type=float, default=1000.0, help="messages per second")
    group.add_argument("--latency-pairs", type=int, default=100)
    group.add_argument("--latency-workers", type=int, default=1)
    group = parser.add_argument_group("idle connections")
    group.add_argument(
        "--connections", type=_int_list, default=[1000, 2000], help="e.g. 5000,10000"
    )
    group.add_argument(
        "--users", type=int, default=0, help="users to spread them over (0: one each)"
    )
    group.add_argument("--idle-repeat", type=int, default=1, help="runs, each on a fresh server")
    group.add_argument(
        "--idle-trace", action="store_true", help="also attribute the memory with tracemalloc"
    )
    group = parser.add_argument_group("offline sync")
    group.add_argument("--messages", type=int, default=10_000)
    group.add_argument("--page", type=int, default=500, help="history page size")
    return parser.parse_args(argv)


def machine() -> Report:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": psutil.cpu_count(),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def _stop_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def main(argv: list[str] | None = None) -> None:
    # Stopped from outside (SIGTERM, or SIGINT in a background job, where it starts out
    # ignored): unwind, so that every server this started is stopped and its data removed.
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    args = parse_args(argv)
    args.source = export_commit(args.commit) if args.commit else None
    # Every server this starts inherits it (harness.Server).
    os.environ["TIDINGS_RATE_LIMITS"] = "true" if args.limits == "on" else "false"
    # "all" is issue 2's embedded-default set; the cluster needs PostgreSQL and Redis.
    names = [n for n in SCENARIOS if n != "cluster"] if args.scenario == "all" else [args.scenario]
    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB, "
        f"Python {info['python']}, Linux {info['kernel']}"
    )
    tree = "the working tree"
    if args.commit:
        tree = f"commit {args.commit} (exported to {args.source})"
    print(f"server code: {tree}; rate limits {args.limits}")
    report: Report = {
        "machine": info,
        "argv": sys.argv[1:],
        "limits": args.limits,
        "at": datetime.now(UTC).isoformat(),
        "server_code": tree,
    }
    try:
        for name in names:
            report[name] = SCENARIOS[name](args)
    finally:
        if args.source is not None:
            shutil.rmtree(args.source.parent, ignore_errors=True)
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = RESULTS_DIR / f"{args.scenario}-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nresults written to {path}")


if __name__ == "__main__":
    main()
