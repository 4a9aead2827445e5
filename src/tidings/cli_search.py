"""``tidings search``: the message search index (decision 0072).

``tidings search reindex`` empties the index and builds it again from the log: after a
restore, or to be sure it matches the log. With no server running it builds it itself and
says how far it got; with a server running (which indexes), the server rebuilds it in the
background and searches find more as it goes. ``tidings search status`` says how far the
index is.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from tidings.config import Settings
from tidings.domain.search import INDEX_FORMAT


def add_command(commands: Any) -> None:
    """Add ``search`` and its subcommands to the ``tidings`` parser's subparsers."""
    search = commands.add_parser("search", help="the message search index")
    search_commands = search.add_subparsers(dest="search_command", required=True)
    for name, text in (
        ("reindex", "empty the index and build it again from the log"),
        ("status", "how many messages the index holds and how far it is"),
    ):
        command = search_commands.add_parser(name, help=text)
        command.add_argument("--data-dir", type=Path)


async def run(args: argparse.Namespace, settings: Settings) -> None:
    from tidings.container import Container

    container = Container(settings)
    await container.start()
    index = container.search_index
    try:
        await index.start()
        if args.search_command == "status":
            await _status(container)
            return
        await index.reset(INDEX_FORMAT)
        if not await index.claim_indexing():
            print("search index emptied; the running server is building it again")
            return
        last_report = 0.0

        def report(reached: int, last: int) -> None:
            nonlocal last_report
            now = time.monotonic()
            if now - last_report >= 2 or reached >= last:
                last_report = now
                print(f"indexed entries up to {reached} of {last}", file=sys.stderr)

        reached = await container.search_indexer.catch_up(report)
        stats = await index.stats()
        print(
            f"search index rebuilt: {stats['messages']} messages"
            f" (entries up to {reached}), {stats['bytes'] / 1e6:.1f} MB"
        )
    finally:
        await index.release_indexing()
        await index.close()
        await container.stop()


async def _status(container: Any) -> None:
    state = await container.search_index.state()
    stats = await container.search_index.stats()
    last = await container.conversation_store.last_entry_id()
    print(
        f"messages indexed: {stats['messages']}\n"
        f"entries read: up to {state.watermark} of {last}\n"
        f"size: {stats['bytes'] / 1e6:.1f} MB\n"
        f"format: {state.format or 'none'} (this server: {INDEX_FORMAT})"
    )
