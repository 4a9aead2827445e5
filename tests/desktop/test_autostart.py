"""Start at login (a setting of the desktop client): the freedesktop autostart entry."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tidings.desktop.autostart import set_start_at_login


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the freedesktop entry")
def test_start_at_login_writes_and_removes_the_autostart_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = set_start_at_login(True)
    assert path == tmp_path / "autostart" / "tidings-desktop.desktop"
    text = path.read_text()
    assert "[Desktop Entry]" in text
    assert "Exec=" in text and "tidings" in text
    set_start_at_login(False)
    assert not path.exists()
    set_start_at_login(False)  # off twice is still off
