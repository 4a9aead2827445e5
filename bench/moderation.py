"""Content moderation benchmark for issue 13 ("Measure"): 1:1 send throughput with a
10,000-word list on the server against none (target: at most 10 % lost), and how long a
node takes to compile a list of 10,000 and of 100,000 words.

Run from the repository root:

    .venv/bin/python bench/moderation.py                 # 3 rounds of none / 10,000 words
    .venv/bin/python bench/moderation.py --words 100000 --rounds 2 --duration 8

One ``tidings serve`` on a fresh temporary data directory (SQLite, the embedded default); the
same sender/receiver pairs and load generator as bench/messaging.py's throughput scenario.
Runs alternate: no list, the list, no list, ... so that a slow minute of the machine falls on
both sides. The list is half Chinese (2-4 characters), half Latin (3-10 letters), none
matching the load generator's text, so every message is scanned in full and let through.
Numbers go to docs/benchmarks.md. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from harness import TIDINGS, Server, fmt_ms, median, register_users
from messaging import RESULTS_DIR, drive, machine, make_pairs, print_run, run_async

from tidings.domain.moderation import WordAction, WordFilter

TARGET_LOSS = 0.10  # at most 10 % of the throughput without a list


def word_list(count: int, seed: int = 13) -> list[str]:
    rng = random.Random(seed)
    cjk = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    words: set[str] = set()
    while len(words) < count:
        if len(words) % 2:
            words.add("".join(rng.choices(cjk, k=rng.randint(2, 4))))
        else:
            # "qz...": never in the load generator's text (hex ids and x filler).
            words.add("qz" + "".join(rng.choices(string.ascii_lowercase, k=rng.randint(1, 8))))
    return sorted(words)


def screening_cost(words: int) -> dict[str, float]:
    """Microseconds the send path spends screening one text body, with no list and with
    ``words`` (ContentScreen.body, as Messages.do_send calls it), in this process."""
    from tidings.actions.moderation import ContentScreen
    from tidings.domain.bodies import parse_body

    class Lists:
        current: WordFilter

    out: dict[str, float] = {}
    bodies = {
        "ascii": "0a1b2c-3-4567 " + "x" * 40,
        "zh": "今天下午三点在会议室开会\uff0c请大家准时参加。Thanks, see you there!",
    }
    for label, matcher in (("none", WordFilter()), (str(words), _compiled(words))):
        lists = Lists()
        lists.current = matcher
        screen = ContentScreen(lists, None)  # type: ignore[arg-type]
        for kind, text in bodies.items():
            _, body = parse_body("text", {"text": text}, max_text_chars=10_000)
            rounds = 20_000
            started = time.perf_counter()
            for _ in range(rounds):
                screen.body(body)
            out[f"{label}_{kind}_us"] = (time.perf_counter() - started) / rounds * 1e6
        print(
            f"  screening a text body, list {label}: ASCII {out[f'{label}_ascii_us']:.1f} us, "
            f"Chinese {out[f'{label}_zh_us']:.1f} us"
        )
    return out


def _compiled(count: int) -> WordFilter:
    return WordFilter([(w, WordAction.BLOCK) for w in word_list(count)], version=1)


def compile_times(sizes: list[int]) -> dict[str, float]:
    """Seconds to build the matcher in this process (what each node does once per change)."""
    out: dict[str, float] = {}
    for size in sizes:
        words = [(w, WordAction.BLOCK) for w in word_list(size)]
        started = time.perf_counter()
        matcher = WordFilter(words, version=1)
        out[str(size)] = time.perf_counter() - started
        text = "a line of ordinary chat text, 普通的聊天内容, nothing to find " * 2
        started = time.perf_counter()
        for _ in range(10_000):
            matcher.screen(text)
        out[f"{size}_screen_us"] = (time.perf_counter() - started) / 10_000 * 1e6
        print(
            f"  {size:,} words: compiled in {out[str(size)]:.2f} s; screening a "
            f"{len(text)}-character text {out[f'{size}_screen_us']:.1f} us"
        )
    return out


def admin_token(server: Server) -> str:
    """A super admin's token, made the way an operator does (`tidings user admin`)."""
    (admin,) = run_async(register_users(server.base_url, 1))
    me = httpx.get(
        f"{server.base_url}/api/v1/me", headers={"Authorization": f"Bearer {admin.token}"}
    ).json()
    account = me.get("account") or me["user"]["account"]
    subprocess.run(
        [str(TIDINGS), "user", "admin", account, "--data-dir", str(server.data_dir)],
        check=True,
        env={**os.environ},
        capture_output=True,
    )
    return admin.token


async def set_words(server: Server, token: str, words: list[str], *, add: bool) -> float:
    """Add or remove the list; seconds until the server answered (compiled and swapped)."""
    path = "/api/v1/admin/moderation/words" + ("" if add else "/remove")
    body: dict[str, Any] = {"words": words}
    if add:
        body["action"] = "block"
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=server.base_url, timeout=300) as http:
        response = await http.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="pairs of runs: none, list")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--pairs", type=int, default=128)
    parser.add_argument("--window", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB, "
        f"Python {info['python']}, Linux {info['kernel']}"
    )
    print("\n== compiling the word list (one node, this process)")
    compiled = compile_times(sorted({10_000, 100_000, args.words}))
    compiled |= screening_cost(args.words)
    words = word_list(args.words)
    print(
        f"\n== send throughput: {args.pairs} pairs, {args.window} in flight per sender, "
        f"{args.duration:g} s windows, {args.rounds} rounds of (no list, {args.words:,} words)"
    )
    options = {
        "workers": args.workers,
        "warmup": args.warmup,
        "duration": args.duration,
        "window": args.window,
    }
    without: list[dict[str, Any]] = []
    with_list: list[dict[str, Any]] = []
    applied: list[float] = []
    with Server() as server:
        pairs = run_async(make_pairs(server, args.pairs))
        token = admin_token(server)
        for number in range(1, args.rounds + 1):
            run = drive(server, pairs, **options)
            print_run(f"round {number}, no list", run)
            without.append(run)
            applied.append(run_async(set_words(server, token, words, add=True)))
            run = drive(server, pairs, **options)
            print_run(f"round {number}, {args.words:,} words", run)
            with_list.append(run)
            run_async(set_words(server, token, words, add=False))
        problems = server.log_problems()
    base = median([r["rate"] for r in without])
    listed = median([r["rate"] for r in with_list])
    loss = 1 - listed / base if base else float("nan")
    met = loss <= TARGET_LOSS
    print(
        f"  median: {base:,.0f} msg/s without a list, {listed:,.0f} msg/s with "
        f"{args.words:,} words: {100 * loss:+.1f} % lost (target <= {100 * TARGET_LOSS:.0f} %: "
        f"{'met' if met else 'NOT MET'}); p99 {fmt_ms(median([r['p99'] for r in without]))} vs "
        f"{fmt_ms(median([r['p99'] for r in with_list]))}; adding the list answered in "
        f"{median(applied):.2f} s (stored, compiled, swapped)"
    )
    if problems:
        print("  server log problems:", *problems[:10], sep="\n    ")
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out = RESULTS_DIR / f"moderation-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "machine": info,
                "argv": sys.argv[1:],
                "compile": compiled,
                "without": without,
                "with_list": with_list,
                "median_without": base,
                "median_with": listed,
                "loss": loss,
                "met": met,
                "apply_seconds": applied,
            },
            indent=2,
            default=str,
        )
    )
    print(f"\nresults: {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")


if __name__ == "__main__":
    main()
