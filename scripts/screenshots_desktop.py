#!/usr/bin/env python3
"""Screenshots of the desktop client (issue 17) for docs/screenshots/ (PNG): the main panel
and a chat window, light and dark, Chinese and English.

Starts the demo server and seeds it as scripts/screenshots.py does, then runs
``tidings-desktop --screenshot`` once per language and theme (offscreen without a display).

    .venv/bin/python scripts/screenshots_desktop.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import OUT, PASSWORD, Api, demo_server, landscape

COMBOS = (("en", "light"), ("zh", "dark"), ("zh", "light"), ("en", "dark"))


def seed(api: Api) -> dict[str, int]:
    """A chat between Alice and Bob with text, emoji, a reply, an image and a file, and a
    few more chats with unread messages; the conversation ids by name, as Bob sees them."""
    alice, bob, carol = api.login("alice"), api.login("bob"), api.login("carol")
    ids = {
        c["name"] or "system": c["id"]
        for c in api.call(bob, "GET", "/conversations")["conversations"]
    }
    direct, group = ids["Alice Zhang"], ids["Tidings team"]
    api.text(alice, direct, "Morning Bob! Are we still on for the release review at 3? ☕")
    api.text(bob, direct, "Yes — I'll bring the numbers 📊")
    picture = api.upload(alice, landscape(1200, 800), "offsite.jpg", "image/jpeg")
    api.say(
        alice,
        direct,
        "image",
        {"file_id": picture, "width": 1200, "height": 800, "name": "offsite.jpg"},
    )
    api.text(alice, direct, "Photos from the offsite, by the way 🏔️")
    notes = b"%PDF-1.4\n% Tidings release notes\n" + b"0" * 180_000
    pdf = api.upload(bob, notes, "Release notes v1.2.pdf", "application/pdf")
    api.say(
        bob,
        direct,
        "file",
        {
            "file_id": pdf,
            "name": "Release notes v1.2.pdf",
            "size": len(notes),
            "mime": "application/pdf",
        },
    )
    question = api.text(alice, direct, "Did the Windows build pass?")
    api.call(
        bob,
        "POST",
        f"/conversations/{direct}/messages",
        json={
            "client_msg_id": "reply-1",
            "type": "text",
            "body": {"text": "All green 🎉"},
            "reply_to_seq": question,
        },
    )
    api.text(carol, group, "Standup moved to 10:15 today")
    api.text(alice, group, "👍 see you there")
    return ids


def editor(path: Path) -> None:
    """The screenshot editor over a picture of a window, annotated with every tool (in a
    process of its own: one Qt application each)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QLabel

    from tidings.desktop.i18n import set_language
    from tidings.desktop.views.screenshot import AnnotationEditor
    from tidings.desktop.views.theme import apply_theme

    app = QApplication([])
    set_language("en")
    apply_theme(app, "light")
    window = QLabel(
        "Release review\n\nWindows build  ✅ green\nmacOS build  ⏳ running\nCrash rate  0.02 %"
    )
    window.setStyleSheet("font-size: 26px; padding: 36px; background: #ffffff; color: #1f2329;")
    window.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    window.resize(760, 460)
    # Offscreen there is no screen to grab: a window's picture stands in for the capture.
    edit = AnnotationEditor(window.grab())
    model = edit.model
    model.set_crop(10, 10, 700, 420)
    model.add("rectangle", [(26, 98), (372, 142)])
    model.add("ellipse", [(16, 140), (392, 178)])
    model.add("arrow", [(560, 158), (396, 158)])
    model.add("text", [(568, 146)], text="ship it?")
    model.add("mosaic", [(30, 176), (340, 210)])
    model.add("pen", [(40, 250), (80, 272), (120, 242), (160, 278), (200, 250)])
    edit.canvas.choosing_region = False
    edit.resize(820, 600)
    edit.show()
    app.processEvents()
    edit.grab().save(str(path))


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--editor":
        editor(Path(sys.argv[2]))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    desktop = Path(sys.executable).with_name("tidings-desktop")
    with demo_server() as (base, _data_dir), httpx.Client(timeout=30) as http:
        api = Api(base, http)
        ids = seed(api)
        for language, theme in COMBOS:
            path = OUT / f"qt-desktop-{theme}-{language}.png"
            with tempfile.TemporaryDirectory() as home:
                subprocess.run(
                    [
                        str(desktop),
                        "--server",
                        base,
                        "--account",
                        "bob",
                        "--password",
                        PASSWORD,
                        "--open-conversation",
                        str(ids["Alice Zhang"]),
                        "--screenshot",
                        str(path),
                        "--language",
                        language,
                        "--theme",
                        theme,
                        "--data-dir",
                        home,
                    ],
                    check=True,
                    env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": home},
                )
            print(path.relative_to(OUT.parents[1]))
    path = OUT / "qt-desktop-screenshot-editor-light-en.png"
    subprocess.run([sys.executable, __file__, "--editor", str(path)], check=True)
    print(path.relative_to(OUT.parents[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
