"""``tidings app``: register the company's own systems as apps (issue 14, decision 0065).

``tidings app create NAME --scopes "users:write messages:send"`` prints ``client_id: ...`` and
``client_secret: ...`` (the secret is shown this once); ``list``, ``rotate-secret`` and
``revoke`` do the rest. They act on the server's database directly, as the command line
does for users; each change is in the audit log with no actor (the command line).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tidings.config import Settings
from tidings.domain.apps import AppScope, parse_scopes, scope_text
from tidings.domain.errors import TidingsError


def add_command(commands: Any) -> None:
    """Add ``app`` and its subcommands to the ``tidings`` parser's subparsers."""
    app = commands.add_parser("app", help="apps of the company's own systems (the app API)")
    app_commands = app.add_subparsers(dest="app_command", required=True)
    create = app_commands.add_parser(
        "create", help="register an app; prints its client id and secret (shown once)"
    )
    create.add_argument("name")
    create.add_argument(
        "--scopes",
        default="",
        help=f"space-separated, of: {scope_text(AppScope)}",
    )
    create.add_argument("--description", default="")
    create.add_argument("--data-dir", type=Path)
    listing = app_commands.add_parser("list", help="the registered apps")
    listing.add_argument("--data-dir", type=Path)
    for name, text in (
        ("rotate-secret", "a new secret (printed); the old one and its tokens stop"),
        ("revoke", "revoke an app for good; its tokens stop at once"),
    ):
        command = app_commands.add_parser(name, help=text)
        command.add_argument("client_id")
        command.add_argument("--data-dir", type=Path)


async def run(args: argparse.Namespace, settings: Settings) -> None:
    from tidings.container import Container

    container = Container(settings)
    await container.start()
    try:
        await _run(container, args)
    except TidingsError as error:
        print(f"error: {error.code.value}: {error.message}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        await container.stop()


async def _run(container: Any, args: argparse.Namespace) -> None:
    apps = container.apps
    if args.app_command == "create":
        app, secret = await apps.register(
            None,
            name=args.name,
            scopes=parse_scopes(args.scopes),
            description=args.description,
        )
        print(f"app: {app.id} ({app.name})")
        print(f"client_id: {app.client_id}")
        print(f"client_secret: {secret}")
        print(f"scopes: {scope_text(app.scopes)}")
        print("the secret is shown this once; keep it in the app's own secret store")
        return
    found = {app.client_id: app for app in await apps.list_all()}
    if args.app_command == "list":
        for app in found.values():
            print(
                f"{app.id}\t{app.client_id}\t{app.status.value}\t{app.name}\t{scope_text(app.scopes)}"
            )
        return
    app = found.get(args.client_id)
    if app is None:
        print(f"error: not_found: no app {args.client_id!r}", file=sys.stderr)
        raise SystemExit(1)
    if args.app_command == "rotate-secret":
        _, secret = await apps.rotate_secret(None, app.id)
        print(f"client_id: {app.client_id}")
        print(f"client_secret: {secret}")
    elif args.app_command == "revoke":
        await apps.revoke(None, app.id)
        print(f"app {app.client_id} is revoked")
