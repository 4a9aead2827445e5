"""``tidings-desktop --screenshot``: sign in, open a conversation, wait until it has
loaded, write a picture of the main panel and the chat window, exit (docs and checks)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from tests.desktop.conftest import qrun
from tests.support.users import PASSWORD, Person

DESKTOP = str(Path(sys.executable).with_name("tidings-desktop"))


def test_the_screenshot_mode_writes_the_main_panel_and_the_chat(
    loop: asyncio.AbstractEventLoop,
    base_url: str,
    alice: Person,
    bob: Person,
    tmp_path: Path,
) -> None:
    async def conversation() -> int:
        async with alice.client(base_url) as client:
            chat = await client.request("conversation.open_direct", {"peer_id": bob.id})
            for n in range(3):
                await client.send(int(chat["id"]), "text", {"text": f"line {n}"})
            return int(chat["id"])

    conv_id = qrun(loop, conversation())
    picture = tmp_path / "desktop.png"
    done = subprocess.run(
        [
            DESKTOP,
            "--server",
            base_url,
            "--account",
            bob.account,
            "--password",
            PASSWORD,
            "--open-conversation",
            str(conv_id),
            "--screenshot",
            str(picture),
            "--language",
            "zh",
            "--theme",
            "dark",
            "--data-dir",
            str(tmp_path / "home"),
        ],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    with Image.open(picture) as image:
        width, height = image.size
        # Two windows side by side: the main panel (300 wide) and the chat (560).
        assert width > 300 + 560 and height > 600
        # Dark: the background is dark.
        assert sum(image.convert("RGB").getpixel((5, 5))) < 3 * 80

    wrong = subprocess.run(
        [
            DESKTOP,
            "--server",
            base_url,
            "--account",
            bob.account,
            "--password",
            "nope",
            "--screenshot",
            str(tmp_path / "no.png"),
            "--data-dir",
            str(tmp_path / "home2"),
        ],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        timeout=120,
    )
    assert wrong.returncode == 1
    assert b"sign-in failed" in wrong.stderr
    assert not (tmp_path / "no.png").exists()
