"""``tidings upload`` and ``tidings download``: files through the Python SDK, with resume.

An upload in progress is remembered in ``$XDG_CACHE_HOME/tidings/uploads.json`` (by server,
account, path, size and modification time), so running the same command again after a crash
or a lost connection continues where the server's offset says. A download continues from its
``<file>.part``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import mimetypes
import os
import sys
from pathlib import Path
from typing import Any

import httpx

from tidings.cli_sign_in import sign_in_from_terminal
from tidings.sdk import ServerError, TidingsFiles, TidingsHttp

COMMANDS = ("upload", "download")


def add_commands(commands: Any) -> None:
    """Add the subcommands to the ``tidings`` parser's subparsers."""
    for name, text in (
        ("upload", "upload a file (resumable); optionally send it to a conversation"),
        ("download", "download a file by id (resumable)"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--url", default="http://127.0.0.1:8080", help="the server")
        command.add_argument("--account", required=True)
        command.add_argument(
            "--password", help="default: $TIDINGS_PASSWORD, else read from the terminal"
        )
        command.add_argument(
            "--retries", type=int, default=5, help="attempts after a failure (default 5)"
        )
        if name == "upload":
            command.add_argument("path", type=Path)
            command.add_argument("--conversation", type=int, help="send it here when done")
            command.add_argument("--mime", default="", help="default: guessed from the name")
            command.add_argument("--expiry-days", type=int, help="the file expires (1 to 7)")
            command.add_argument("--chunk-mib", type=int, default=16)
        else:
            command.add_argument("file_id")
            command.add_argument("-o", "--output", type=Path, help="default: the file's name")


async def run(args: argparse.Namespace, password: str) -> None:
    try:
        async with TidingsHttp(args.url) as http:
            signed_in = await sign_in_from_terminal(http, args.account, password)
            async with TidingsFiles(
                args.url,
                token=signed_in["token"],
                retries=args.retries,
                chunk_bytes=getattr(args, "chunk_mib", 16) * 1024 * 1024,
            ) as files:
                if args.command == "upload":
                    await _upload(args, http, files)
                else:
                    await _download(args, files)
    except ServerError as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        raise SystemExit(1) from None
    except (OSError, httpx.TransportError) as error:
        print(f"error: {error!r}; run the same command again to resume", file=sys.stderr)
        raise SystemExit(2) from None


async def _upload(args: argparse.Namespace, http: TidingsHttp, files: TidingsFiles) -> None:
    source: Path = args.path.resolve()
    stat = await asyncio.to_thread(source.stat)
    key = f"{files.base_url}|{args.account}|{source}|{stat.st_size}|{stat.st_mtime_ns}"
    pending = _load_pending()
    upload_url = pending.get(key)
    if upload_url is not None:
        try:
            print(f"resuming at byte {await files.offset(upload_url)}", flush=True)
        except ServerError:
            upload_url = None  # expired or removed on the server: start again

    def remember(url: str) -> None:
        _save_pending({**_load_pending(), key: url})

    def progress(done: int, total: int) -> None:
        print(f"uploaded {done}/{total}", flush=True)

    info = await files.upload(
        source,
        mime=args.mime or mimetypes.guess_type(source.name)[0] or "",
        expiry_days=args.expiry_days,
        upload_url=upload_url,
        on_created=remember,
        on_progress=progress,
    )
    _save_pending({k: v for k, v in _load_pending().items() if k != key})
    print(f"uploaded: file {info['id']} ({info['size']} bytes, {info['kind']})", flush=True)
    if args.conversation is not None:
        message_type, body = _message_for(info)
        entry = await http.call(
            "POST",
            f"/api/v1/conversations/{args.conversation}/messages",
            {"client_msg_id": f"upload-{info['id']}", "type": message_type, "body": body},
        )
        print(f"sent: conversation {entry['conversation_id']} seq {entry['seq']}")


async def _download(args: argparse.Namespace, files: TidingsFiles) -> None:
    info = await files.info(args.file_id)
    target: Path = args.output or Path(info["name"])
    saved = await files.download(args.file_id, target)
    size = (await asyncio.to_thread(saved.stat)).st_size
    print(f"downloaded: {saved} ({size} bytes)")


def _message_for(info: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if info["kind"] == "image":
        return "image", {
            "file_id": info["id"],
            "width": info["width"],
            "height": info["height"],
            "name": info["name"][:200],
        }
    return "file", {"file_id": info["id"], "name": info["name"], "size": info["size"]}


def _pending_path() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "tidings" / "uploads.json"


def _load_pending() -> dict[str, str]:
    try:
        loaded = json.loads(_pending_path().read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def _save_pending(pending: dict[str, str]) -> None:
    path = _pending_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(pending, indent=1))
    os.replace(partial, path)
