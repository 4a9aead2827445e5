"""Message search bench (issue 15, decision 0072).

Run from the repository root, one heavy scenario at a time:

    .venv/bin/python bench/search.py corpus --engine sqlite            # 1,000,000 messages
    .venv/bin/python bench/search.py corpus --engine postgresql
    .venv/bin/python bench/search.py lag --engine sqlite               # index lag at 1,000 msg/s
    .venv/bin/python bench/search.py throughput --engine sqlite        # sends, indexer on/off
    .venv/bin/python bench/search.py tokenizers --messages 200000      # the alternatives

``corpus`` seeds a database directly through SQL (bench/search_corpus.py: half Chinese, half
English, 10,000 conversations, a searcher in 200 of them), lets the indexer build the index
(timed: its catch-up rate), measures the index against the log, then starts ``tidings
serve`` on it and times every query of ``search_corpus.QUERIES`` over the WebSocket, several
times. ``lag`` sends 1,000 msg/s through ``tidings serve`` (bench/loadgen.py) while a probe
sends a marked message every 0.2 s and searches until it is found. ``throughput`` is
bench/messaging.py's throughput run on servers with the indexer on and off, alternately.
``tokenizers`` builds each candidate index (SQLite FTS5: CJK bigrams, trigram, unigram
phrases, jieba if installed; PostgreSQL: our tsvector, pg_trgm) from one corpus and times the
same queries in-process. Numbers go to docs/benchmarks.md; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
from harness import ROOT, Server, fmt_ms, open_ws, percentile, request
from messaging import RESULTS_DIR, drive, machine, make_pairs, run_async
from search_corpus import QUERIES, messages

sys.path.insert(0, str(ROOT / "src"))

from tidings.auth.passwords import Passwords
from tidings.config import Settings
from tidings.container import Container
from tidings.domain.clock import now_ms
from tidings.domain.search import (
    _segments,
    document_of,
    fold,
    index_terms,
    parse_query,
)
from tidings.store.search_pg import tsquery_literal
from tidings.store.search_sqlite import fts5_match

PG_ADMIN = os.environ.get("TIDINGS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "bench-password-1"
TARGET_P50 = 0.030
TARGET_P99 = 0.150
TARGET_LAG_P99 = 2.0
Report = dict[str, Any]


# ---- Databases -----------------------------------------------------------------------------


def new_pg_database() -> str:
    name = f"bench_search_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]

    async def drop() -> None:
        conn = await asyncpg.connect(PG_ADMIN)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


def engine_env(engine: str) -> tuple[dict[str, str], str | None]:
    if engine == "postgresql":
        url = new_pg_database()
        return {"TIDINGS_DATABASE_URL": url}, url
    return {}, None


# ---- Seeding the corpus --------------------------------------------------------------------


def corpus_rows(
    count: int, conversations: int, users: list[int], seed: int
) -> Iterator[tuple[int, int, int, str, str, int]]:
    """(conversation_id offset, seq, sender, type, body, created_at) for ``count`` messages
    over a year, in time order."""
    rng = random.Random(seed)
    seqs = [0] * conversations
    start = now_ms() - 365 * 86_400_000
    step = 365 * 86_400_000 // count
    for i, message in enumerate(messages(seed, count)):
        c = rng.randrange(conversations)
        seqs[c] += 1
        body = orjson.dumps(message.body).decode()
        yield c, seqs[c], rng.choice(users), message.type, body, start + i * step


async def seed(settings: Settings, args: argparse.Namespace) -> Report:
    """Users, conversations, memberships and messages, straight into the tables."""
    container = Container(settings)
    db = container.database
    await db.migrate()
    passwords = Passwords(time_cost=1, memory_kib=8192, parallelism=1, threads=1)
    searcher, _ = await container.account_store.create_user(
        account="searcher",
        password_hash=await passwords.hash(PASSWORD),
        nickname="Searcher",
        now=now_ms(),
    )
    passwords.close()
    rng = random.Random(args.seed)
    started = time.monotonic()
    sqlite_path = db.sqlite_path
    await container.stop()
    if sqlite_path is not None:
        report = seed_sqlite(sqlite_path, searcher.id, args, rng)
    else:
        report = await seed_pg(settings.database_url, searcher.id, args, rng)
    report["seed_seconds"] = time.monotonic() - started
    report["searcher_id"] = searcher.id
    return report


def _plan(
    searcher: int, args: argparse.Namespace, rng: random.Random, first_conv: int, first_user: int
) -> tuple[list[int], list[tuple[int, int, str]]]:
    others = list(range(first_user, first_user + args.users))
    mine = set(rng.sample(range(args.conversations), args.member_of))
    members: list[tuple[int, int, str]] = []
    for c in range(args.conversations):
        people = rng.sample(others, 3) + ([searcher] if c in mine else [])
        members.extend((first_conv + c, u, "member") for u in people)
    return others, members


def seed_sqlite(path: str, searcher: int, args: argparse.Namespace, rng: random.Random) -> Report:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    now = now_ms()
    first_user = db.execute("SELECT max(id) + 1 FROM users").fetchone()[0]
    db.executemany(
        "INSERT INTO users (id, account, password_hash, nickname, created_at)"
        " VALUES (?, ?, '!', ?, ?)",
        [(first_user + i, f"user{i}", f"User {i}", now) for i in range(args.users)],
    )
    first_conv = db.execute("SELECT max(id) + 1 FROM conversations").fetchone()[0]
    others, members = _plan(searcher, args, rng, first_conv, first_user)
    db.executemany(
        "INSERT INTO conversations (id, type, name, created_by, last_activity_at, created_at)"
        " VALUES (?, 'group', ?, ?, ?, ?)",
        [(first_conv + c, f"Group {c}", others[0], now, now) for c in range(args.conversations)],
    )
    db.executemany(
        "INSERT INTO members (conversation_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)",
        [(c, u, r, now) for c, u, r in members],
    )
    last: dict[int, int] = {}
    batch: list[tuple[Any, ...]] = []
    for c, seq, sender, type_, body, at in corpus_rows(
        args.messages, args.conversations, others, args.seed
    ):
        last[c] = seq
        batch.append((first_conv + c, seq, sender, type_, body, at))
        if len(batch) == 50_000:
            _insert_sqlite(db, batch)
            batch = []
    _insert_sqlite(db, batch)
    db.executemany(
        "UPDATE conversations SET last_seq = ? WHERE id = ?",
        [(seq, first_conv + c) for c, seq in last.items()],
    )
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    log_bytes = _sqlite_table_bytes(db, "entries")
    db.close()
    return {"log_bytes": log_bytes}


def _insert_sqlite(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    db.executemany(
        "INSERT INTO entries (conversation_id, seq, sender_id, kind, type, body, created_at)"
        " VALUES (?, ?, ?, 'message', ?, ?, ?)",
        rows,
    )


def _sqlite_table_bytes(db: sqlite3.Connection, table: str) -> int:
    """The pages of a table and its indexes (dbstat), or the whole file without dbstat."""
    try:
        names = [table] + [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)
            )
        ]
        marks = ",".join("?" * len(names))
        (size,) = db.execute(
            f"SELECT sum(pgsize) FROM dbstat WHERE name IN ({marks})",
            names,
        ).fetchone()
        return int(size)
    except sqlite3.Error:
        (pages,) = db.execute("PRAGMA page_count").fetchone()
        (page,) = db.execute("PRAGMA page_size").fetchone()
        return int(pages * page)


async def seed_pg(url: str, searcher: int, args: argparse.Namespace, rng: random.Random) -> Report:
    conn = await asyncpg.connect(url)
    try:
        now = now_ms()
        first_user = await conn.fetchval("SELECT max(id) + 1 FROM users")
        await conn.copy_records_to_table(
            "users",
            records=[
                (first_user + i, f"user{i}", "!", f"User {i}", now) for i in range(args.users)
            ],
            columns=["id", "account", "password_hash", "nickname", "created_at"],
        )
        first_conv = await conn.fetchval("SELECT max(id) + 1 FROM conversations")
        others, members = _plan(searcher, args, rng, first_conv, first_user)
        await conn.copy_records_to_table(
            "conversations",
            records=[
                (first_conv + c, "group", f"Group {c}", others[0], now, now)
                for c in range(args.conversations)
            ],
            columns=["id", "type", "name", "created_by", "last_activity_at", "created_at"],
        )
        await conn.copy_records_to_table(
            "members",
            records=[(c, u, r, now) for c, u, r in members],
            columns=["conversation_id", "user_id", "role", "joined_at"],
        )
        last: dict[int, int] = {}
        batch: list[tuple[Any, ...]] = []
        columns = ["conversation_id", "seq", "sender_id", "kind", "type", "body", "created_at"]
        for c, seq, sender, type_, body, at in corpus_rows(
            args.messages, args.conversations, others, args.seed
        ):
            last[c] = seq
            batch.append((first_conv + c, seq, sender, "message", type_, body, at))
            if len(batch) == 50_000:
                await conn.copy_records_to_table("entries", records=batch, columns=columns)
                batch = []
        await conn.copy_records_to_table("entries", records=batch, columns=columns)
        await conn.executemany(
            "UPDATE conversations SET last_seq = $1 WHERE id = $2",
            [(seq, first_conv + c) for c, seq in last.items()],
        )
        for table in ("users", "conversations"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: E501
            )
        await conn.execute("VACUUM ANALYZE")
        log_bytes = await conn.fetchval("SELECT pg_total_relation_size('entries')")
    finally:
        await conn.close()
    return {"log_bytes": int(log_bytes)}


async def build_index(settings: Settings) -> Report:
    container = Container(settings)
    try:
        index = container.search_index
        await index.start()
        assert await index.claim_indexing()
        last = await container.conversation_store.last_entry_id()
        started = time.monotonic()
        shown = [0.0]

        def report(reached: int, total: int) -> None:
            if time.monotonic() - shown[0] > 10:
                shown[0] = time.monotonic()
                print(f"  indexed up to entry {reached:,} of {total:,}", flush=True)

        await container.search_indexer.catch_up(report)
        seconds = time.monotonic() - started
        stats = await index.stats()
        if settings.is_sqlite:
            # What the file holds once the write-ahead log is folded in.
            path = Path(container.database.sqlite_path or "").with_name("tidings-search.db")
            db = sqlite3.connect(path)
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.close()
            stats = await index.stats()
        await index.release_indexing()
        await index.close()
    finally:
        await container.database.dispose()
    return {
        "index_seconds": seconds,
        "index_rate": last / seconds if seconds else 0.0,
        "indexed_messages": stats["messages"],
        "index_bytes": stats["bytes"],
    }


# ---- Scenario: the corpus ------------------------------------------------------------------


async def time_queries(server: Server, repeat: int) -> Report:
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        response = await http.post(
            "/api/v1/auth/login", json={"account": "searcher", "password": PASSWORD}
        )
        response.raise_for_status()
        token = response.json()["token"]
    ws, _ = await open_ws(server.ws_url, token)
    samples: dict[str, list[float]] = {q: [] for q in QUERIES}
    hits: dict[str, int] = {}
    ids = iter(range(10, 10**9))
    try:
        for q in QUERIES:  # warm-up: one pass not counted
            await request(ws, next(ids), "messages.search", {"q": q})
        for _ in range(repeat):
            for q in QUERIES:
                started = time.perf_counter()
                reply = await request(ws, next(ids), "messages.search", {"q": q, "limit": 20})
                samples[q].append(time.perf_counter() - started)
                hits[q] = len(reply["results"])
    finally:
        await ws.close()
    every = [s for values in samples.values() for s in values]
    return {
        "p50": percentile(every, 50),
        "p99": percentile(every, 99),
        "max": max(every),
        "samples": len(every),
        "per_query": {
            q: {"median": statistics.median(v), "max": max(v), "results": hits[q]}
            for q, v in samples.items()
        },
    }


def scenario_corpus(args: argparse.Namespace) -> Report:
    print(
        f"\n== corpus on {args.engine}: {args.messages:,} messages in {args.conversations:,}"
        f" conversations, a searcher in {args.member_of}"
    )
    if args.reuse:  # a corpus kept by an earlier run (--keep): straight to the queries
        data_dir = Path(args.reuse)
        env = {"TIDINGS_DATABASE_URL": args.pg_url} if args.pg_url else {}
        with Server(data_dir=data_dir, env=env) as server:
            timed = run_async(time_queries(server, args.repeat))
        _print_queries(timed, args)
        return timed
    env, pg_url = engine_env(args.engine)
    data_dir = Path(tempfile.mkdtemp(prefix="tidings-search-bench-"))
    settings = Settings(
        data_dir=data_dir, **({"database_url": env["TIDINGS_DATABASE_URL"]} if env else {})
    )
    try:
        seeded = run_async(seed(settings, args))
        print(f"  seeded in {seeded['seed_seconds']:.0f} s; log {seeded['log_bytes'] / 1e6:.0f} MB")
        built = run_async(build_index(settings))
        ratio = built["index_bytes"] / seeded["log_bytes"]
        print(
            f"  index built in {built['index_seconds']:.0f} s"
            f" ({built['index_rate']:,.0f} entries/s);"
            f" {built['indexed_messages']:,} messages, {built['index_bytes'] / 1e6:.0f} MB"
            f" = {ratio:.2f} x the log"
        )
        with Server(data_dir=data_dir, env=env) as server:
            timed = run_async(time_queries(server, args.repeat))
            problems = server.log_problems()
        met = _print_queries(timed, args)
        for line in problems[:10]:
            print(f"  server log: {line}")
        return {**seeded, **built, "index_ratio": ratio, **timed, "met": met}
    finally:
        if not args.keep:
            import shutil

            shutil.rmtree(data_dir, ignore_errors=True)
            if pg_url:
                drop_pg_database(pg_url)
        else:
            print(f"  kept: {data_dir} {pg_url or ''}")


def _print_queries(timed: Report, args: argparse.Namespace) -> bool:
    met = bool(timed["p50"] <= TARGET_P50 and timed["p99"] <= TARGET_P99)
    print(
        f"  queries ({timed['samples']} = {len(QUERIES)} x {args.repeat},"
        " WebSocket round trip):"
        f" p50 {fmt_ms(timed['p50'])}, p99 {fmt_ms(timed['p99'])}, max {fmt_ms(timed['max'])}"
        f" (targets {fmt_ms(TARGET_P50)} / {fmt_ms(TARGET_P99)}: {'MET' if met else 'MISSED'})"
    )
    for q, row in sorted(timed["per_query"].items(), key=lambda kv: -kv[1]["median"]):
        print(
            f"    {q!r:22} median {fmt_ms(row['median'])}  max {fmt_ms(row['max'])}"
            f"  {row['results']} results"
        )
    return met


# ---- Scenario: index lag under load --------------------------------------------------------


async def probe_lag(
    server: Server, duration: float, every: float, timeline: list[tuple[float, float]]
) -> list[float]:
    """Send a marked message every ``every`` s; search until found. Lags in seconds."""
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        account = f"probe{uuid.uuid4().hex[:6]}"
        response = await http.post(
            "/api/v1/auth/register",
            json={"account": account, "password": PASSWORD, "nickname": "Probe"},
        )
        response.raise_for_status()
        token = response.json()["token"]
    sender, _ = await open_ws(server.ws_url, token)
    searcher, _ = await open_ws(server.ws_url, token)
    ids = iter(range(10, 10**9))
    lags: list[float] = []
    try:
        conv = (
            await request(
                sender, next(ids), "conversation.create_group", {"name": "Probe", "member_ids": []}
            )
        )["id"]
        deadline = time.monotonic() + duration
        begun = time.monotonic()

        async def one(mark: str) -> None:
            sent = time.monotonic()
            await request(
                sender,
                next(ids),
                "send",
                {
                    "conversation_id": conv,
                    "client_msg_id": mark,
                    "type": "text",
                    "body": {"text": f"探针 {mark}"},
                },
            )
            while time.monotonic() - sent < 30:
                reply = await request(searcher, next(ids), "messages.search", {"q": mark})
                if reply["results"]:
                    lags.append(time.monotonic() - sent)
                    timeline.append((round(sent - begun, 1), round(lags[-1], 3)))
                    return
                await asyncio.sleep(0.02)
            lags.append(float("inf"))

        while time.monotonic() < deadline:
            await one(f"probe{uuid.uuid4().hex[:10]}")
            await asyncio.sleep(every)
    finally:
        await sender.close()
        await searcher.close()
    return lags


def scenario_lag(args: argparse.Namespace) -> Report:
    print(
        f"\n== index lag on {args.engine}: {args.rate:g} msg/s over 100 pairs for"
        f" {args.duration:g} s, a probe searching for its own messages"
    )
    env, pg_url = engine_env(args.engine)
    try:
        indexing = "true" if args.indexing == "on" else "false"
        with Server(
            env={**env, "TIDINGS_SEARCH_POLL_SECONDS": "0.5", "TIDINGS_SEARCH_INDEXING": indexing}
        ) as server:
            pairs = run_async(make_pairs(server, 100))
            lags: list[float] = []
            timeline: list[tuple[float, float]] = []

            def probe() -> None:
                lags.extend(asyncio.run(probe_lag(server, args.duration + 2, 0.2, timeline)))

            thread = threading.Thread(target=probe)
            before = server.metrics()
            if args.indexing == "on":  # off: the send path alone, for comparison
                thread.start()
            run = drive(
                server, pairs, workers=1, warmup=2.0, duration=args.duration, rate=args.rate
            )
            if args.indexing == "on":
                thread.join()
            after = server.metrics()
            problems = server.log_problems()
    finally:
        if pg_url:
            drop_pg_database(pg_url)
    bound = _histogram_bound(before, after, "tidings_search_index_lag_seconds", 0.99)
    report = {
        "rate": run["rate"],
        "send_p99": run["p99"],
        "probe_lags": len(lags),
        "lag_p50": percentile(lags, 50),
        "lag_p99": percentile(lags, 99),
        "lag_max": max(lags, default=float("nan")),
        "server_lag_p99_bound": bound,
        "histogram": {
            k: after[k] - before.get(k, 0.0)
            for k in after
            if k.startswith("tidings_search_index_lag_seconds_bucket")
        },
        "probe_timeline": timeline,
    }
    met = report["lag_p99"] <= TARGET_LAG_P99
    print(
        f"  {run['rate']:,.0f} msg/s delivered (send p99 {fmt_ms(run['p99'])});"
        f" probe ({len(lags)} messages): lag p50 {fmt_ms(report['lag_p50'])},"
        f" p99 {fmt_ms(report['lag_p99'])}, max {fmt_ms(report['lag_max'])}"
        f" (target p99 <= 2 s: {'MET' if met else 'MISSED'});"
        f" server's histogram: p99 <= {bound:g} s"
    )
    for line in problems[:10]:
        print(f"  server log: {line}")
    return {**report, "met": met}


def _histogram_bound(
    before: dict[str, float], after: dict[str, float], name: str, q: float
) -> float:
    buckets = sorted(
        (float(key.split('le="')[1].rstrip('"}')), after[key] - before.get(key, 0.0))
        for key in after
        if key.startswith(f"{name}_bucket{{")
    )
    total = buckets[-1][1] if buckets else 0.0
    for bound, count in buckets:
        if total and count >= q * total:
            return bound
    return float("nan")


# ---- Scenario: send throughput with the indexer on and off ---------------------------------


def scenario_throughput(args: argparse.Namespace) -> Report:
    print(
        f"\n== send throughput on {args.engine}, indexer on and off alternately:"
        f" 128 pairs, 2 in flight each, {args.duration:g} s windows, {args.repeat} servers each"
    )
    rates: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(args.repeat):
        for mode in ("on", "off"):
            env, pg_url = engine_env(args.engine)
            try:
                flag = "true" if mode == "on" else "false"
                with Server(env={**env, "TIDINGS_SEARCH_INDEXING": flag}) as server:
                    pairs = run_async(make_pairs(server, 128))
                    run = drive(
                        server, pairs, workers=2, warmup=2.0, duration=args.duration, window=2
                    )
            finally:
                if pg_url:
                    drop_pg_database(pg_url)
            rates[mode].append(run["rate"])
            print(f"  indexer {mode}: {run['rate']:,.0f} msg/s, p99 {fmt_ms(run['p99'])}")
    on, off = statistics.median(rates["on"]), statistics.median(rates["off"])
    print(f"  median: on {on:,.0f} msg/s, off {off:,.0f} msg/s: {100 * (on / off - 1):+.1f} %")
    return {"on": rates["on"], "off": rates["off"], "ratio": on / off, "met": on >= 0.9 * off}


# ---- Scenario: the tokenizers --------------------------------------------------------------


def _bigram_row(text: str) -> tuple[str, str]:
    terms = index_terms(text)
    return terms.words, terms.chars


def _unigram_words(text: str) -> str:
    out: list[str] = []
    for segment in _segments(fold(text)):
        out.extend(segment.text if segment.kind == "cjk" else [segment.text])
    return " ".join(out)


def _jieba_words(text: str) -> str:
    import jieba  # type: ignore[import-not-found]

    return " ".join(t for t in jieba.cut_for_search(fold(text)) if t.strip())


def _unigram_match(q: str) -> str:
    parts = []
    for chunk in fold(q).split():
        for segment in _segments(chunk):
            tokens = list(segment.text) if segment.kind == "cjk" else [segment.text]
            prefix = " *" if segment.kind == "word" and len(segment.text) > 1 else ""
            parts.append('"' + " ".join(tokens) + '"' + prefix)
    return " AND ".join(parts)


def _jieba_match(q: str) -> str:
    import jieba

    tokens = [t for t in jieba.cut_for_search(fold(q)) if t.strip() and any(c.isalnum() for c in t)]
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in tokens) or '""'


def scenario_tokenizers(args: argparse.Namespace) -> Report:
    conversations = max(1, args.messages // 100)
    member_of = max(1, conversations // 50)
    print(
        f"\n== tokenizers: {args.messages:,} messages in {conversations:,} conversations,"
        f" a searcher in {member_of}; SQLite FTS5 and PostgreSQL, in-process"
    )
    rng = random.Random(args.seed)
    mine = sorted(rng.sample(range(1, conversations + 1), member_of))
    rows = []
    for i, message in enumerate(messages(args.seed, args.messages), 1):
        doc = document_of(message.type, message.body)
        if doc is not None:
            rows.append((i, rng.randrange(1, conversations + 1), doc.text))
    text_bytes = sum(len(t.encode()) for _, _, t in rows)
    print(f"  {len(rows):,} documents, {text_bytes / 1e6:.0f} MB of text")
    variants: dict[str, Any] = {
        "bigram (chosen)": (
            "words, chars",
            lambda t: _bigram_row(t),
            lambda q: fts5_match(parse_query(q)),
        ),  # type: ignore[arg-type]
        "unigram phrases": ("words", lambda t: (_unigram_words(t),), _unigram_match),
        "trigram": ("body", lambda t: (t,), None),
    }
    try:
        import jieba  # noqa: F401

        variants["jieba (search mode)"] = ("words", lambda t: (_jieba_words(t),), _jieba_match)
    except ImportError:
        print("  (jieba is not installed: pip install jieba to measure it)")
    report: Report = {"documents": len(rows), "text_bytes": text_bytes}
    work = Path(tempfile.mkdtemp(prefix="tidings-tokenizers-"))
    for name, (columns, row_of, match_of) in variants.items():
        if args.only and args.only not in name:
            continue
        report[name] = _sqlite_variant(work / "v.db", name, columns, row_of, match_of, rows, mine)
    url = new_pg_database()
    try:
        report["postgresql"] = asyncio.run(_pg_variants(url, rows, mine))
    finally:
        drop_pg_database(url)
    return report


def _sqlite_variant(
    path: Path,
    name: str,
    columns: str,
    row_of: Any,
    match_of: Any,
    rows: list[tuple[int, int, str]],
    mine: list[int],
) -> Report:
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    tokenizer = "trigram" if name == "trigram" else "ascii tokenchars '_'"
    db.execute(
        f"CREATE VIRTUAL TABLE fts USING fts5({columns}, content='', tokenize=\"{tokenizer}\")"
    )
    db.execute("CREATE TABLE docs (key INTEGER PRIMARY KEY, conversation_id INTEGER, text TEXT)")
    started = time.monotonic()
    marks = ",".join("?" * (len(columns.split(",")) + 1))
    db.execute("BEGIN")
    for start in range(0, len(rows), 20_000):
        chunk = rows[start : start + 20_000]
        db.executemany(
            f"INSERT INTO fts (rowid, {columns}) VALUES ({marks})",
            [((i << 16) | (c & 0xFFFF), *row_of(t)) for i, c, t in chunk],
        )
        db.executemany(
            "INSERT INTO docs VALUES (?, ?, ?)",
            [((i << 16) | (c & 0xFFFF), c, t) for i, c, t in chunk],
        )
    db.execute("COMMIT")
    build = time.monotonic() - started
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (fts_pages,) = db.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'fts%'").fetchone()
    buckets = json.dumps(sorted({c & 0xFFFF for c in mine}))
    convs = json.dumps(mine)
    times: list[float] = []
    misses: list[str] = []
    recalls: list[float] = []
    precisions: list[float] = []
    for q in QUERIES:
        if match_of is None:  # trigram: three characters or more, else a scan of my chats
            terms = q.split()
            if all(len(t) >= 3 for t in terms):
                sql = (
                    "SELECT t.rowid FROM fts t JOIN docs d ON d.key = t.rowid WHERE fts MATCH ?"
                    " AND (t.rowid & 65535) IN (SELECT value FROM json_each(?))"
                    " AND d.conversation_id IN (SELECT value FROM json_each(?))"
                    " ORDER BY t.rowid DESC LIMIT 200"
                )
                params: tuple[Any, ...] = (
                    " AND ".join('"' + t.replace('"', '""') + '"' for t in terms),
                    buckets,
                    convs,
                )
            else:
                likes = " AND ".join("d.text LIKE ?" for _ in terms)
                sql = (
                    "SELECT d.key FROM docs d"
                    " WHERE d.conversation_id IN (SELECT value FROM json_each(?))"
                    f" AND {likes} ORDER BY d.key DESC LIMIT 200"
                )
                params = (convs, *[f"%{t}%" for t in terms])
        else:
            sql = (
                "SELECT t.rowid FROM fts t JOIN docs d ON d.key = t.rowid WHERE fts MATCH ?"
                " AND (t.rowid & 65535) IN (SELECT value FROM json_each(?))"
                " AND d.conversation_id IN (SELECT value FROM json_each(?))"
                " ORDER BY t.rowid DESC LIMIT 200"
            )
            params = (match_of(q), buckets, convs)
        for _ in range(3):
            started = time.perf_counter()
            db.execute(sql, params).fetchall()
            times.append(time.perf_counter() - started)
        found = {r[0] for r in db.execute(sql.replace("LIMIT 200", "LIMIT 1000000"), params)}
        expected = _expected(q, rows, set(mine))
        hit = len(found & expected)
        recalls.append(hit / len(expected) if expected else 1.0)
        precisions.append(hit / len(found) if found else 1.0)
        if expected and not found:
            misses.append(q)
    db.close()
    path.unlink(missing_ok=True)
    result = {
        "build_seconds": build,
        "index_bytes": int(fts_pages),
        "p50": percentile(times, 50),
        "p99": percentile(times, 99),
        "queries_missing_everything": misses,
        "recall": statistics.mean(recalls),
        "recall_min": min(recalls),
        "precision": statistics.mean(precisions),
    }
    print(
        f"  {name:22} build {build:5.0f} s, index {fts_pages / 1e6:6.0f} MB,"
        f" query p50 {fmt_ms(result['p50'])} p99 {fmt_ms(result['p99'])};"
        f" recall {result['recall']:.3f} (worst {result['recall_min']:.2f}),"
        f" precision {result['precision']:.3f}; finding nothing that should: {misses or 'none'}"
    )
    return result


def _expected(q: str, rows: list[tuple[int, int, str]], mine: set[int]) -> set[int]:
    """The searcher's documents that hold the query as the product defines it: every CJK
    string as a substring, every word as a word prefix, words joined by punctuation in a row."""
    query = parse_query(q)
    assert query is not None
    found = set()
    for i, c, t in rows:
        if c not in mine:
            continue
        folded = fold(t)
        if not all(s in folded for s in query.strings):
            continue
        words = [s.text for s in _segments(folded) if s.kind == "word"]
        if all(_phrase_in(words, phrase) for phrase in query.words):
            found.add((i << 16) | (c & 0xFFFF))
    return found


def _phrase_in(words: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    for i in range(len(words) - n + 1):
        last = words[i + n - 1]
        if words[i : i + n - 1] == list(phrase[:-1]) and (
            last.startswith(phrase[-1]) if len(phrase[-1]) > 1 else last == phrase[-1]
        ):
            return True
    return False


async def _pg_variants(url: str, rows: list[tuple[int, int, str]], mine: list[int]) -> Report:
    conn = await asyncpg.connect(url)
    out: Report = {}
    try:
        await conn.execute(
            "CREATE TABLE docs"
            " (id bigint PRIMARY KEY, conversation_id bigint, text text, terms tsvector)"
        )
        started = time.monotonic()
        from tidings.store.search_index import IndexedMessage
        from tidings.store.search_pg import tsvector_literal

        records = [
            (i, c, t, tsvector_literal(IndexedMessage(i, c, 0, None, 0, t, frozenset())))
            for i, c, t in rows
        ]
        await conn.execute(
            "CREATE TEMP TABLE staging (id bigint, conversation_id bigint, text text, terms text)"
        )
        await conn.copy_records_to_table("staging", records=records)
        await conn.execute(
            "INSERT INTO docs"
            " SELECT id, conversation_id, text, CAST(terms AS tsvector) FROM staging"
        )
        await conn.execute("CREATE INDEX ON docs USING gin (terms)")
        await conn.execute("CREATE INDEX ON docs (conversation_id)")
        tsv_build = time.monotonic() - started
        started = time.monotonic()
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        await conn.execute("CREATE INDEX docs_trgm ON docs USING gin (text gin_trgm_ops)")
        trgm_build = time.monotonic() - started
        await conn.execute("VACUUM ANALYZE docs")
        tsv_size = await conn.fetchval("SELECT pg_relation_size('docs_terms_idx')")
        trgm_size = await conn.fetchval("SELECT pg_relation_size('docs_trgm')")
        for name, make in (
            (
                "tsvector bigrams (chosen)",
                lambda q: ("terms @@ CAST($1 AS tsquery)", [tsquery_literal(parse_query(q))]),
            ),  # type: ignore[union-attr]
            (
                "pg_trgm ILIKE",
                lambda q: (
                    " AND ".join(f"text ILIKE ${i + 1}" for i in range(len(q.split()))),
                    [f"%{w}%" for w in q.split()],
                ),
            ),
        ):
            times = []
            for q in QUERIES:
                condition, values = make(q)
                n = len(values)
                sql = (
                    f"SELECT id FROM docs WHERE {condition}"
                    f" AND conversation_id = ANY(${n + 1}::bigint[])"
                    " ORDER BY id DESC LIMIT 200"
                )
                for _ in range(3):
                    async with conn.transaction():
                        await conn.execute("SET LOCAL enable_indexscan = off")
                        await conn.execute("SET LOCAL enable_seqscan = off")
                        started = time.perf_counter()
                        await conn.fetch(sql, *values, mine)
                        times.append(time.perf_counter() - started)
            out[name] = {"p50": percentile(times, 50), "p99": percentile(times, 99)}
        out["tsvector bigrams (chosen)"].update(build_seconds=tsv_build, index_bytes=tsv_size)
        out["pg_trgm ILIKE"].update(build_seconds=trgm_build, index_bytes=trgm_size)
        for name, row in out.items():
            print(
                f"  PostgreSQL {name:26} build {row['build_seconds']:5.0f} s, index"
                f" {row['index_bytes'] / 1e6:6.0f} MB,"
                f" query p50 {fmt_ms(row['p50'])} p99 {fmt_ms(row['p99'])}"
            )
    finally:
        await conn.close()
    return out


# ---- Main ----------------------------------------------------------------------------------

SCENARIOS = {
    "corpus": scenario_corpus,
    "lag": scenario_lag,
    "throughput": scenario_throughput,
    "tokenizers": scenario_tokenizers,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=list(SCENARIOS))
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--member-of", type=int, default=200)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5, help="passes over the queries; runs")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds (lag, throughput)")
    parser.add_argument("--rate", type=float, default=1000.0, help="msg/s (lag)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--indexing", choices=["on", "off"], default="on", help="(lag)")
    parser.add_argument("--only", help="(tokenizers) only the variants whose name has this")
    parser.add_argument("--keep", action="store_true", help="keep the corpus's data directory")
    parser.add_argument("--reuse", help="time the queries on a kept corpus's data directory")
    parser.add_argument("--pg-url", help="with --reuse: the kept corpus's PostgreSQL database")
    args = parser.parse_args(argv)
    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB, "
        f"Python {info['python']}, Linux {info['kernel']}, SQLite {sqlite3.sqlite_version}"
    )
    report = SCENARIOS[args.scenario](args)
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out = RESULTS_DIR / f"search-{args.scenario}-{args.engine}-{stamp}.json"
    out.write_text(
        json.dumps({"machine": info, "argv": sys.argv[1:], **report}, indent=1, default=str)
    )
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
