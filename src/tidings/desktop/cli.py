"""``tidings-desktop``: the desktop client.

    tidings-desktop                                   # sign in, remembered per device
    tidings-desktop --server URL --account A --password P
    tidings-desktop --server URL --account A --password P --open-conversation 12 \\
        --screenshot chat.png [--language zh|en] [--theme light|dark]

With ``--screenshot`` it signs in, opens the conversation, waits until it has loaded, writes a
picture of the main panel and the chat window, and exits (for docs and automated checks;
without a display it draws offscreen).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from tidings.desktop.i18n import set_language


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tidings-desktop", description=__doc__.split("\n")[0])
    parser.add_argument("--server", help="the server's address, e.g. http://127.0.0.1:8080")
    parser.add_argument("--account")
    parser.add_argument("--password")
    parser.add_argument("--open-conversation", type=int, metavar="ID")
    parser.add_argument("--screenshot", type=Path, metavar="FILE.png")
    parser.add_argument("--language", choices=["zh", "en"], help="default: the system's")
    parser.add_argument("--theme", choices=["system", "light", "dark"], default="system")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep settings and the local cache here (default: the user's config and data dirs)",
    )
    parser.add_argument(
        "--chat-mode", choices=["windows", "tabs"], help="override the chat window setting"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if args.screenshot is not None and headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import qasync
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication

    from tidings.desktop.app import DesktopApp
    from tidings.desktop.settings import DesktopSettings
    from tidings.desktop.views.theme import apply_theme

    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    qapp.setApplicationName("Tidings")
    set_language(args.language or QLocale.system().name())
    apply_theme(qapp, args.theme)
    settings = DesktopSettings.load(args.data_dir / "desktop.json" if args.data_dir else None)
    if args.chat_mode:
        settings.chat_mode = args.chat_mode
    if args.server:
        settings.server = args.server
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    app = DesktopApp(
        qapp, settings, cache_directory=args.data_dir / "cache" if args.data_dir else None
    )
    with loop:
        code: int = loop.run_until_complete(run(app, args))
    return code


async def run(app: object, args: argparse.Namespace) -> int:
    from tidings.desktop.app import DesktopApp

    assert isinstance(app, DesktopApp)
    if args.account and args.password:
        await app.sign_in(app.settings.server, args.account, args.password, app.settings.remember)
        if app.session is None:
            print("tidings-desktop: sign-in failed", file=sys.stderr)
            return 1
    else:
        await app.start()
    if args.open_conversation is not None and app.session is not None:
        await app.session.client.wait_ready(30)
        view = app.open_chat(args.open_conversation)
        if args.screenshot is not None:
            await loaded(view)
    if args.screenshot is not None:
        if app.session is None:
            return 1
        await app.session.client.wait_ready(30)
        await asyncio.sleep(0.3)  # names looked up, images painted
        image = app.picture()
        args.screenshot.parent.mkdir(parents=True, exist_ok=True)
        ok = image.save(str(args.screenshot))
        await app.quit()
        return 0 if ok else 1
    await app.quitting.wait()
    return 0


async def loaded(view: object, limit: float = 20.0) -> None:
    """Until the chat shows its messages and their pictures."""
    from tidings.desktop.views.chat_view import ChatView

    assert isinstance(view, ChatView)
    deadline = asyncio.get_running_loop().time() + limit
    while asyncio.get_running_loop().time() < deadline:
        images = [i for i in view.chat.items if i.type == "image" and not i.recalled]
        if not view.chat.session.looking_up and all(
            str(i.body.get("file_id") or i.key) in view.model.images for i in images
        ):
            return
        await asyncio.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main())
