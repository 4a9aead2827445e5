"""The organization's import with a preview (issue 13, K3/C3; decision 0060): how long the
export, the preview (a dry run) and the apply of a company-sized file take through the real
server, on the embedded default (SQLite) or PostgreSQL.

    .venv/bin/python bench/org_import.py                       # 15,000 people, 1,500 departments
    .venv/bin/python bench/org_import.py --people 5000 --departments 500
    .venv/bin/python bench/org_import.py --postgres postgresql://postgres@127.0.0.1:5432/tidings_bench_org

The people, departments and memberships are written straight into the database first (bench/
groups.py's seeding); everything timed goes through ``tidings serve`` over REST. Steps: export
the tree as CSV; preview that export in sync mode (no changes expected); edit the file as HR
would — 1,000 people moved, 50 departments renamed by id, 100 new departments, 500 people
left out (disabled by sync) — preview it, apply it with the preview's plan id, and preview it
again (no changes expected). The file stays under the 1 MiB and 20,000-row limits. Nothing here
asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import platform
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from groups import Server, create_admin, login, prepare, seed_org, seed_users

ORG = "/api/v1/admin/org"


async def _timed(
    http: httpx.AsyncClient, method: str, path: str, **kwargs: Any
) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = await http.request(method, path, **kwargs)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response


def _edited(exported: bytes, rng: random.Random) -> bytes:
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    people = sorted({r["account"] for r in rows if r["account"]})
    departments = sorted({(r["department_id"], r["department"]) for r in rows})
    left_out = set(rng.sample(people, 500))
    movers = set(rng.sample([p for p in people if p not in left_out], 1000))
    # Leaves only: a renamed department's sub-departments would need their paths renamed too.
    parents = {path.rsplit("/", 1)[0] for _, path in departments if "/" in path}
    renamed = dict(rng.sample([d for d in departments if d[1] not in parents], 50))
    targets = [d for d in departments if d[0] not in renamed]
    out: list[dict[str, str]] = []
    for row in rows:
        if row["account"] in left_out:
            continue
        if row["department_id"] in renamed and renamed[row["department_id"]] == row["department"]:
            row = {**row, "department": row["department"] + " (renamed)"}
        if row["account"] in movers:
            target_id, target = rng.choice(targets)
            row = {**row, "department_id": target_id, "department": target}
        out.append(row)
    for i in range(100):
        out.append(
            {
                "department": f"New unit {i}/Team",
                "department_id": "",
                "account": "",
                "nickname": "",
                "position": "",
            }
        )
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=["department", "department_id", "account", "nickname", "position"]
    )
    writer.writeheader()
    writer.writerows(out)
    return buffer.getvalue().encode()


async def bench(people: int, departments: int, postgres: str | None) -> dict[str, Any]:
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        database = await prepare(data_dir, postgres)
        ids = await seed_users(database, people)
        await seed_org(database, ids, departments)
        await database.dispose()
        env = {"TIDINGS_DATABASE_URL": postgres} if postgres else {}
        create_admin(data_dir, env)
        with Server(data_dir=data_dir) as server:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=600) as http:
                headers = await login(http, "benchadmin")
                t_export, exported = await _timed(
                    http, "GET", f"{ORG}/export", params={"format": "csv"}, headers=headers
                )
                upload = {**headers, "Content-Type": "text/csv"}
                t_same, same = await _timed(
                    http,
                    "POST",
                    f"{ORG}/import",
                    params={"mode": "sync"},
                    content=exported.content,
                    headers=upload,
                )
                edited = _edited(exported.content, rng)
                t_preview, preview = await _timed(
                    http,
                    "POST",
                    f"{ORG}/import",
                    params={"mode": "sync"},
                    content=edited,
                    headers=upload,
                )
                plan = preview.json()
                t_apply, applied = await _timed(
                    http,
                    "POST",
                    f"{ORG}/import",
                    params={"mode": "sync", "dry_run": "false", "plan_id": plan["plan_id"]},
                    content=edited,
                    headers=upload,
                )
                t_again, again = await _timed(
                    http,
                    "POST",
                    f"{ORG}/import",
                    params={"mode": "sync"},
                    content=edited,
                    headers=upload,
                )
    rows_exported = exported.content.count(b"\n") - 1
    result = {
        "engine": "postgresql" if postgres else "sqlite",
        "people": people,
        "departments": departments,
        "rows_exported": rows_exported,
        "export_bytes": len(exported.content),
        "export_s": round(t_export, 3),
        "preview_of_export_s": round(t_same, 3),
        "preview_of_export_changes": same.json()["changes"],
        "edited_rows": edited.count(b"\n") - 1,
        "preview_s": round(t_preview, 3),
        "plan": {
            "departments": {k: len(v) for k, v in plan["departments"].items()},
            "people": {k: len(v) for k, v in plan["people"].items()},
            "rejected": len(plan["rejected"]),
            "changes": plan["changes"],
        },
        "apply_s": round(t_apply, 3),
        "applied_changes": applied.json()["changes"],
        "preview_after_apply_s": round(t_again, 3),
        "changes_after_apply": again.json()["changes"],
        "machine": f"{platform.machine()} {platform.node()}",
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=15_000)
    parser.add_argument("--departments", type=int, default=1_500)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    if args.postgres:
        # The server (bench/groups.py's Server) takes its database from the environment.
        os.environ["TIDINGS_DATABASE_URL"] = args.postgres
    result = asyncio.run(bench(args.people, args.departments, args.postgres))
    print(json.dumps(result, indent=2))
    out = Path(__file__).with_name("results")
    out.mkdir(exist_ok=True)
    (out / f"org_import_{result['engine']}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
