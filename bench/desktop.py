"""The desktop client's speed and weight (issue 17), on Qt's offscreen platform:

- **cold start**: a new process (Python, Qt, the app's modules) until the main panel has
  painted its conversation list from a cache of 1,000 conversations (no network);
- **open a chat** of 10,000 cached messages: view model, window, first paint;
- **scrolling** that chat from the newest to the oldest message, a window per
  frame, each frame painted (pages of older history are added on the way up);
- **memory** (RSS) with the 1,000 conversations and five open chats (10,000 and four of 1,000);
- **idle CPU**: signed in to a real server, connected, nothing happening, for 20 s.

    .venv/bin/python bench/desktop.py [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONVERSATIONS = 1_000
BIG_CHAT = 10_000
SMALL_CHATS = 4
SMALL_CHAT = 1_000
USER_ID = 1
SERVER = "http://127.0.0.1:9"  # never contacted: the cache alone


def entry(conv_id: int, seq: int, sender: int, text: str) -> dict[str, object]:
    return {
        "id": conv_id * 100_000 + seq,
        "conversation_id": conv_id,
        "seq": seq,
        "sender_id": sender,
        "kind": "message",
        "type": "text",
        "body": {"text": text},
        "client_msg_id": f"c{conv_id}-{seq}",
        "created_at": 1_796_000_000_000 + conv_id * 1000 + seq,
        "reply_to_seq": None,
        "recalled": False,
    }


def build_cache(directory: Path) -> None:
    """1,000 direct chats with five messages each, one of 10,000 and four of 1,000."""
    from tidings.sdk import ClientState, LocalCache

    cache = LocalCache.for_account(SERVER, USER_ID, directory)
    state = ClientState(user_id=USER_ID, private_seq=1)
    words = [
        "the",
        "release",
        "notes",
        "are",
        "ready",
        "for",
        "review,",
        "see",
        "you",
        "at",
        "the",
        "standup",
        "tomorrow",
    ]
    for conv_id in range(1, CONVERSATIONS + 1):
        conv = state.conversation(conv_id)
        conv.type, conv.name = "direct", f"Colleague {conv_id}"
        conv.peer = {"user_id": 1000 + conv_id, "read_seq": 0, "delivered_seq": 0}
        count = BIG_CHAT if conv_id == 1 else SMALL_CHAT if conv_id <= 1 + SMALL_CHATS else 5
        for seq in range(1, count + 1):
            sender = USER_ID if seq % 3 == 0 else 1000 + conv_id
            length = 3 + (seq * 7) % 25
            text = " ".join(words[(seq + i) % len(words)] for i in range(length))
            conv.add_entry(entry(conv_id, seq, sender, text))
        conv.read_seq = count - 1
    cache.save(state)
    cache.close()


def child_cold_start(directory: Path) -> None:
    """Run in a new process: print the wall-clock time when the list has painted."""
    from PySide6.QtWidgets import QApplication

    from tidings.desktop.i18n import set_language
    from tidings.desktop.viewmodels.contacts import ContactsViewModel
    from tidings.desktop.viewmodels.conversations import ConversationListViewModel
    from tidings.desktop.viewmodels.session import Session
    from tidings.desktop.views.main_panel import MainPanel
    from tidings.desktop.views.theme import apply_theme

    app = QApplication([])
    set_language("en")
    apply_theme(app, "light")
    session = Session(SERVER, "token", {"id": USER_ID, "nickname": "Me"}, cache_directory=directory)
    conversations = ConversationListViewModel(session)
    panel = MainPanel(conversations, ContactsViewModel(session))
    panel.show()
    panel.grab()  # painted, list included
    assert len(conversations.rows) == CONVERSATIONS
    print(time.time(), flush=True)
    session.cache.close()


def cold_start(directory: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.time()
        out = subprocess.run(
            [sys.executable, __file__, "--child-cold-start", str(directory)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        times.append(float(out.strip().splitlines()[-1]) - started)
    return times


def in_process(directory: Path, runs: int) -> dict[str, object]:
    import psutil
    from PySide6.QtWidgets import QApplication

    from tidings.desktop.i18n import set_language
    from tidings.desktop.viewmodels.chat import ChatViewModel
    from tidings.desktop.viewmodels.contacts import ContactsViewModel
    from tidings.desktop.viewmodels.conversations import ConversationListViewModel
    from tidings.desktop.viewmodels.session import Session
    from tidings.desktop.views.chat_view import ChatView
    from tidings.desktop.views.main_panel import MainPanel
    from tidings.desktop.views.theme import apply_theme

    app = QApplication.instance() or QApplication([])
    set_language("en")
    apply_theme(app, "light")  # type: ignore[arg-type]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    session = Session(SERVER, "token", {"id": USER_ID, "nickname": "Me"}, cache_directory=directory)
    conversations = ConversationListViewModel(session)
    panel = MainPanel(conversations, ContactsViewModel(session))
    panel.show()
    panel.grab()

    opens = []
    views: list[ChatView] = []
    for _ in range(runs):
        session.state.conversations[1].entries.clear()  # as if never opened
        started = time.perf_counter()
        chat = ChatViewModel(session, 1)
        view = ChatView(chat, conversations)
        view.resize(560, 620)
        view.show()
        view.list.scrollToBottom()
        view.grab()
        opens.append(time.perf_counter() - started)
        assert chat.items[-1].seq == BIG_CHAT
        views.append(view)
    big = views[-1]
    for extra in views[:-1]:
        extra.close()
        extra.chat.dispose()
    app.processEvents()

    # Scrolling up through all of it, a window a frame, each frame painted;
    # reaching the top adds the next older page (its rows measured) on the way.
    bar = big.list.verticalScrollBar()
    bar.setValue(bar.maximum())
    app.processEvents()
    frames = []
    for _ in range(100_000):
        if bar.value() == 0 and not big.chat.has_older:
            break
        started = time.perf_counter()
        if bar.value() == 0:
            big.show_older()  # the wheel turned at the top
        else:
            bar.setValue(max(0, bar.value() - bar.pageStep()))
        app.processEvents()
        big.list.viewport().repaint()
        frames.append(time.perf_counter() - started)
    assert big.chat.items[0].seq == 1  # the oldest reached

    for conv_id in range(2, 2 + SMALL_CHATS):
        view = ChatView(ChatViewModel(session, conv_id), conversations)
        view.resize(560, 620)
        view.show()
        view.grab()
        views.append(view)
    app.processEvents()
    rss = psutil.Process().memory_info().rss
    for task in asyncio.all_tasks(loop):
        task.cancel()
    loop.run_until_complete(asyncio.sleep(0))
    loop.close()
    return {"opens": opens, "frames": frames, "rss": rss}


async def idle_cpu(seconds: float) -> tuple[float, float]:
    """CPU seconds the app used, connected to a real server, over ``seconds`` of nothing."""
    import psutil
    import qasync  # noqa: F401  (the loop the app runs on)
    from tests.support.server import ServerProcess
    from tests.support.users import PASSWORD, register

    from tidings.desktop.app import DesktopApp
    from tidings.desktop.settings import DesktopSettings
    from tidings.sdk import DeviceTokens

    with tempfile.TemporaryDirectory() as home:
        server = ServerProcess(Path(home) / "server")
        await asyncio.to_thread(server.start)
        try:
            me = await register(server.base_url, "idle")
            await me.http.close()
            from PySide6.QtWidgets import QApplication

            qapp = QApplication.instance()
            assert isinstance(qapp, QApplication)
            settings = DesktopSettings.load(Path(home) / "desktop.json")
            app = DesktopApp(
                qapp,
                settings,
                cache_directory=Path(home) / "cache",
                tokens=DeviceTokens(Path(home) / "tokens.json"),
            )
            await app.sign_in(server.base_url, me.account, PASSWORD, True)
            assert app.session is not None
            await app.session.client.wait_ready(20)
            await asyncio.sleep(2)  # settle: names, receipts
            process = psutil.Process()
            before = process.cpu_times()
            started = time.perf_counter()
            await asyncio.sleep(seconds)
            after = process.cpu_times()
            elapsed = time.perf_counter() - started
            used = (after.user - before.user) + (after.system - before.system)
            await app.quit()
            return used, elapsed
        finally:
            await asyncio.to_thread(server.stop)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle-seconds", type=float, default=20)
    parser.add_argument("--child-cold-start", type=Path)
    args = parser.parse_args()
    if args.child_cold_start:
        child_cold_start(args.child_cold_start)
        return 0
    with tempfile.TemporaryDirectory() as directory:
        cache_dir = Path(directory)
        build = time.perf_counter()
        build_cache(cache_dir)
        size = sum(f.stat().st_size for f in cache_dir.glob("*.sqlite3*"))
        print(
            f"cache: {CONVERSATIONS} conversations, {size / 2**20:.1f} MiB, "
            f"built in {time.perf_counter() - build:.1f} s"
        )
        starts = cold_start(cache_dir, args.runs)
        print(
            "cold start to the conversation list: "
            + ", ".join(f"{t * 1000:.0f} ms" for t in starts)
            + f" (median {statistics.median(starts) * 1000:.0f} ms)"
        )
        measured = in_process(cache_dir, args.runs)
    opens = measured["opens"]
    frames = measured["frames"]
    assert isinstance(opens, list) and isinstance(frames, list)
    print(
        "open a chat of 10,000 cached messages: "
        + ", ".join(f"{t * 1000:.0f} ms" for t in opens)
        + f" (median {statistics.median(opens) * 1000:.0f} ms)"
    )
    frames_ms = sorted(f * 1000 for f in frames)
    print(
        f"scroll up through 10,000 messages: {len(frames)} frames, "
        f"median {statistics.median(frames_ms):.1f} ms, "
        f"p99 {frames_ms[int(len(frames_ms) * 0.99) - 1]:.1f} ms, max {frames_ms[-1]:.1f} ms"
    )
    rss = measured["rss"]
    assert isinstance(rss, int)
    print(f"memory, 1,000 conversations and five open chats: RSS {rss / 2**20:.0f} MiB")

    import qasync
    from PySide6.QtWidgets import QApplication

    qapp = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    with loop:
        used, elapsed = loop.run_until_complete(idle_cpu(args.idle_seconds))
    print(f"idle CPU, connected: {used:.3f} s over {elapsed:.0f} s ({100 * used / elapsed:.2f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
