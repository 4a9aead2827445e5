"""The ``tidings`` command: serve, manage users, back up and restore, seed a demo."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tidings import cli_apps, cli_files, cli_search
from tidings.cli_sign_in import sign_in_from_terminal
from tidings.config import LogFormat, Settings
from tidings.domain.admin import AdminRole
from tidings.logs import configure_logging


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="tidings", description="Tidings IM server")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8080)")
    serve.add_argument("--data-dir", type=Path, help="where data lives (default ./data)")
    serve.add_argument("--demo", action="store_true", help="create demo accounts on start")

    migrate = commands.add_parser("migrate", help="apply database migrations and exit")
    migrate.add_argument("--data-dir", type=Path)

    user = commands.add_parser("user", help="manage users")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    create = user_commands.add_parser("create", help="create a user")
    create.add_argument("account")
    create.add_argument("--nickname")
    create.add_argument("--password", help="read from the terminal when omitted")
    create.add_argument("--data-dir", type=Path)
    create.add_argument("--admin", action="store_true", help="a super admin of the server")
    admin = user_commands.add_parser("admin", help="make a user a server administrator")
    admin.add_argument("account")
    admin.add_argument(
        "--role",
        choices=[r.value for r in AdminRole],
        default=AdminRole.SUPER_ADMIN.value,
        help="super_admin (everything, the default), org_admin (users, the tree, groups) "
        "or auditor (read-only: the audit log, the dashboard, reports)",
    )
    admin.add_argument("--revoke", action="store_true", help="make them a plain user again")
    admin.add_argument("--data-dir", type=Path)
    reset = user_commands.add_parser(
        "reset-password",
        help="give a user a one-time password (printed); their sessions end",
    )
    reset.add_argument("account")
    reset.add_argument("--data-dir", type=Path)

    invite = commands.add_parser("invite", help="registration invites")
    invite_commands = invite.add_subparsers(dest="invite_command", required=True)
    invite_create = invite_commands.add_parser(
        "create", help="make a registration invite code (printed)"
    )
    invite_create.add_argument("--max-uses", type=int, default=1, help="default 1")
    invite_create.add_argument(
        "--expires-in",
        type=int,
        default=7 * 24 * 3600,
        metavar="SECONDS",
        help="default a week; 0 for never",
    )
    invite_create.add_argument("--data-dir", type=Path)

    backup = commands.add_parser(
        "backup",
        help="back up the database and files of a server, running or not, into one archive",
    )
    backup.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="the archive to write (.tar, or .tar.gz / .tar.xz to compress); never overwritten",
    )
    backup.add_argument("--data-dir", type=Path, help="the server's data directory")
    restore = commands.add_parser(
        "restore", help="restore a backup onto a new data directory (and database)"
    )
    restore.add_argument("archive", type=Path, metavar="FILE")
    restore.add_argument(
        "--data-dir", type=Path, required=True, help="a new or empty directory to restore into"
    )
    restore.add_argument(
        "--database-url",
        default="",
        help="for a PostgreSQL backup: an empty database to restore into",
    )

    demo = commands.add_parser("demo", help="create the demo accounts and conversations")
    demo.add_argument("--data-dir", type=Path)

    for name, text in (
        ("send", "send a text message to a conversation (through the Python SDK)"),
        ("listen", "print what arrives for an account (through the Python SDK)"),
    ):
        client = commands.add_parser(name, help=text)
        client.add_argument("--url", default="http://127.0.0.1:8080", help="the server")
        client.add_argument("--account", required=True)
        client.add_argument(
            "--password", help="default: $TIDINGS_PASSWORD, else read from the terminal"
        )
        if name == "send":
            client.add_argument("--conversation", type=int, required=True)
            client.add_argument("text")
        else:
            client.add_argument("--count", type=int, help="stop after this many entries")

    cli_files.add_commands(commands)
    cli_apps.add_command(commands)
    cli_search.add_command(commands)

    args = parser.parse_args(argv)
    if args.command in cli_files.COMMANDS:
        password = args.password or os.environ.get("TIDINGS_PASSWORD") or getpass.getpass()
        asyncio.run(cli_files.run(args, password))
        return
    if args.command in ("send", "listen"):
        password = args.password or os.environ.get("TIDINGS_PASSWORD") or getpass.getpass()
        asyncio.run(_client_command(args, password))
        return
    overrides: dict[str, object] = {}
    for name in ("host", "port", "data_dir"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    if getattr(args, "demo", False):
        overrides["demo"] = True
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        for problem in error.errors():
            name = "TIDINGS_" + "_".join(str(part) for part in problem["loc"]).upper()
            print(f"tidings: {name}: {problem['msg']}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(settings)

    if args.command == "serve":
        _serve(settings)
    elif args.command == "migrate":
        asyncio.run(_migrate(settings))
    elif args.command == "user" and args.user_command == "admin":
        asyncio.run(
            _set_admin(settings, args.account, None if args.revoke else AdminRole(args.role))
        )
    elif args.command == "user" and args.user_command == "reset-password":
        asyncio.run(_reset_password(settings, args.account))
    elif args.command == "invite":
        if not 1 <= args.max_uses <= 100_000 or args.expires_in < 0:
            print("error: --max-uses must be 1 to 100000, --expires-in 0 or more", file=sys.stderr)
            raise SystemExit(2)
        asyncio.run(_create_invite(settings, args.max_uses, args.expires_in))
    elif args.command == "user":
        password = args.password or getpass.getpass("password: ")
        asyncio.run(
            _create_user(
                settings, args.account, args.nickname or args.account, password, args.admin
            )
        )
    elif args.command == "app":
        asyncio.run(cli_apps.run(args, settings))
    elif args.command == "search":
        asyncio.run(cli_search.run(args, settings))
    elif args.command == "demo":
        asyncio.run(_demo(settings))
    elif args.command == "backup":
        _backup(settings, args.out)
    elif args.command == "restore":
        _restore(args.archive, args.data_dir, args.database_url)


def _serve(settings: Settings) -> None:
    import resource

    import uvicorn

    # Every connection is a file descriptor: use all the process may have.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    from tidings.app import create_app
    from tidings.gateway.websocket import GatewayConnection
    from tidings.http_deadlines import DeadlineHttpProtocol

    options: dict[str, Any] = {}
    if settings.tls_certfile and settings.tls_keyfile:
        options["ssl_certfile"] = str(settings.tls_certfile)
        options["ssl_keyfile"] = str(settings.tls_keyfile)
    if settings.log_format is LogFormat.JSON:
        # uvicorn's own lines go through our handler too, as JSON (tidings.logs).
        options["log_config"] = None
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        # httptools with header and body deadlines against slow clients (decision 0028).
        http=DeadlineHttpProtocol,
        # Upgraded sockets go straight to the gateway (no ASGI for /ws, decision 0018).
        ws=GatewayConnection,
        timeout_keep_alive=settings.keep_alive_seconds,
        log_level=settings.log_level,
        access_log=False,
        **options,
    )


async def _migrate(settings: Settings) -> None:
    from tidings.store.database import Database

    database = Database(settings)
    await database.migrate()
    await database.dispose()
    print("database is up to date")


async def _set_admin(settings: Settings, account: str, role: AdminRole | None) -> None:
    from tidings.container import Container

    container = Container(settings)
    await container.start()
    try:
        user = await container.account_store.user_by_account(account.lower())
        if user is not None:
            await container.accounts.do_set_admin_role(None, user.id, role)
    finally:
        await container.stop()
    if user is None:
        print(f"error: not_found: no user {account!r}", file=sys.stderr)
        raise SystemExit(1)
    print(f"user {user.id} ({account}) is {role.value if role else 'no longer an admin'}")


async def _create_user(
    settings: Settings, account: str, nickname: str, password: str, is_admin: bool = False
) -> None:
    from tidings.container import Container
    from tidings.domain.errors import TidingsError

    container = Container(settings)
    await container.start()
    try:
        user = await container.accounts.do_create_user(
            account=account, password=password, nickname=nickname
        )
        if is_admin:
            await container.accounts.do_set_admin_role(None, user.id, AdminRole.SUPER_ADMIN)
        print(f"created {'admin' if is_admin else 'user'} {user.id} ({user.account})")
    except TidingsError as error:
        print(f"error: {error.code.value}: {error.message}", file=sys.stderr)
        if error.code.value == "weak_password" and isinstance(error.details, dict):
            for hint in [error.details.get("warning"), *error.details.get("suggestions", [])]:
                if hint:
                    print(f"  {hint}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        await container.stop()


async def _reset_password(settings: Settings, account: str) -> None:
    from tidings.container import Container
    from tidings.domain.errors import TidingsError

    container = Container(settings)
    await container.start()
    try:
        user = await container.accounts.user_by_account(account)
        one_time = await container.accounts.do_reset_password(None, user.id)
    except TidingsError as error:
        print(f"error: {error.code.value}: {error.message}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        await container.stop()
    print(f"one-time password for {user.account}: {one_time}")
    print("it signs in only to choose a new password; every session of theirs has ended")


async def _create_invite(settings: Settings, max_uses: int, expires_in: int) -> None:
    from tidings.container import Container

    container = Container(settings)
    await container.start()
    try:
        invite = await container.registration_invites.do_create(
            None, max_uses=max_uses, expires_in_seconds=expires_in or None
        )
    finally:
        await container.stop()
    print(f"invite code: {invite.code}")
    print(f"max uses: {invite.max_uses}")
    expires = (
        datetime.fromtimestamp(invite.expires_at / 1000, UTC).isoformat(timespec="seconds")
        if invite.expires_at
        else "never"
    )
    print(f"expires: {expires}")


def _backup(settings: Settings, out: Path) -> None:
    from tidings.backup import create_backup
    from tidings.domain.backup import BackupError

    # A backup is background work: the server it copies keeps the CPU first.
    os.nice(10)
    try:
        done = create_backup(settings, out)
    except BackupError as error:
        print(f"error: {error.problem.value}: {error.message}", file=sys.stderr)
        raise SystemExit(1) from None
    manifest = done.manifest
    print(f"backup written to {done.path} ({done.path.stat().st_size:,} bytes)")
    print(
        f"  {manifest.database.value} database at schema {manifest.schema_revision}, "
        f"{manifest.file_count} files ({manifest.file_bytes:,} bytes), "
        f"in {done.seconds:.1f} s"
    )


def _restore(archive: Path, data_dir: Path, database_url: str) -> None:
    from tidings.backup import restore_backup
    from tidings.domain.backup import BackupError, DatabaseKind

    try:
        done = restore_backup(archive, data_dir, database_url)
    except BackupError as error:
        print(f"error: {error.problem.value}: {error.message}", file=sys.stderr)
        raise SystemExit(1) from None
    manifest = done.manifest
    print(
        f"restored the backup of {manifest.created_at} into {done.path}: "
        f"{manifest.file_count} files, in {done.seconds:.1f} s"
    )
    if manifest.database is DatabaseKind.POSTGRESQL:
        print(f"start it with: TIDINGS_DATABASE_URL=... tidings serve --data-dir {done.path}")
    else:
        print(f"start it with: tidings serve --data-dir {done.path}")


async def _demo(settings: Settings) -> None:
    from tidings.container import Container
    from tidings.demo import seed_demo

    container = Container(settings)
    await container.start()
    try:
        for line in await seed_demo(container):
            print(line)
    finally:
        await container.stop()


async def _client_command(args: argparse.Namespace, password: str) -> None:
    from tidings.sdk import EntryReceived, ServerError, TidingsClient, TidingsHttp

    try:
        async with TidingsHttp(args.url) as http:
            signed_in = await sign_in_from_terminal(http, args.account, password)
        async with TidingsClient(args.url, token=signed_in["token"]) as client:
            if args.command == "send":
                entry = await client.send(args.conversation, "text", {"text": args.text})
                print(f"sent: conversation {entry['conversation_id']} seq {entry['seq']}")
                return
            received = 0
            print("listening", flush=True)
            async for event in client.events():
                if isinstance(event, EntryReceived):
                    entry = event.entry
                    print(
                        f"[{entry['conversation_id']}#{entry['seq']}] {entry['sender_id']}: "
                        f"{entry['type'] or entry['kind']} {entry['body']}",
                        flush=True,
                    )
                    received += 1
                    if args.count and received >= args.count:
                        return
    except ServerError as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
