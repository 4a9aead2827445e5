"""What the chat screen's first load transfers: index.html and the JavaScript, CSS and
manifest it names, fetched as Chromium asks for them (``Accept-Encoding: gzip, deflate, br,
zstd``, or ``--accept``), counting the bytes on the wire (the body as sent, before any decoding).

Runs two commits in one sitting (``--before``, default main before decision 0031, and
``--after``, default HEAD), each as a fresh ``tidings serve`` on SQLite, both serving the same
build (``src/tidings/static``, from ``scripts/build-web.sh``), so only the server differs.

    .venv/bin/python -m bench.web_transfer
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import httpx
from bench.harness import ROOT, Server, export_commit

BEFORE = "ded5d9b"  # main before precompressed client files (decision 0031)
CHROMIUM = "gzip, deflate, br, zstd"
KIB = 1024


def first_load(base_url: str, accept: str) -> dict[str, tuple[int, int, str]]:
    """Per file of the first load: bytes sent, bytes of the file, content coding."""
    sizes: dict[str, tuple[int, int, str]] = {}
    with httpx.Client(base_url=base_url, timeout=60) as http:

        def fetch(path: str) -> bytes:
            with http.stream("GET", path, headers={"Accept-Encoding": accept}) as response:
                response.raise_for_status()
                sent = b"".join(response.iter_raw())
                coding = response.headers.get("content-encoding", "identity")
            with http.stream("GET", path, headers={"Accept-Encoding": "identity"}) as plain:
                body = b"".join(plain.iter_raw())
            sizes[path] = (len(sent), len(body), coding)
            return body

        html = fetch("/").decode()
        for path in re.findall(r'<script[^>]+src="([^"]+)"', html) + re.findall(
            r'<link[^>]+rel="(?:stylesheet|modulepreload|manifest)"[^>]+href="([^"]+)"', html
        ):
            fetch(path)
        # The words of one language, fetched before the first render (decision 0043): count
        # the larger of the two as sent.
        dictionaries = [
            f"/assets/{p.name}"
            for p in (Path(ROOT) / "src" / "tidings" / "static" / "assets").glob("*.js")
            if re.fullmatch(r"(en|zh-CN)-[\w-]+\.js", p.name)
        ]
        if dictionaries:
            for path in dictionaries:
                fetch(path)
            for path in sorted(dictionaries, key=lambda p: sizes[p][0])[:-1]:
                del sizes[path]
    return sizes


def report(label: str, sizes: dict[str, tuple[int, int, str]]) -> None:
    print(f"\n{label}")
    for path, (sent, size, coding) in sizes.items():
        print(f"  {path:40} {sent / KIB:8.1f} KiB sent  ({size / KIB:.1f} KiB, {coding})")
    for kind in (".js", ".css"):
        sent = sum(s for p, (s, _, _) in sizes.items() if p.endswith(kind))
        size = sum(n for p, (_, n, _) in sizes.items() if p.endswith(kind))
        print(
            f"  initial {kind[1:]:3}: {sent / KIB:.1f} KiB sent ({sent / 1000:.2f} kB) "
            f"of {size / KIB:.1f} KiB"
        )
    print(f"  everything: {sum(s for s, _, _ in sizes.values()) / KIB:.1f} KiB sent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--accept", default=CHROMIUM, help="the Accept-Encoding to send")
    args = parser.parse_args()
    static = Path(ROOT) / "src" / "tidings" / "static"
    if not (static / "index.html").is_file():
        raise SystemExit("no build: run scripts/build-web.sh first")
    for label, revision in (("before", args.before), ("after", args.after)):
        with Server(
            source=export_commit(revision), env={"TIDINGS_STATIC_DIR": str(static)}
        ) as server:
            report(f"{label} ({revision})", first_load(server.base_url, args.accept))


if __name__ == "__main__":
    main()
