"""Start at login (a setting): the usual place on each system, no Qt needed.

Linux (freedesktop): ``~/.config/autostart/tidings-desktop.desktop``; macOS: a LaunchAgent
plist; Windows: the ``Run`` key of the current user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path

NAME = "tidings-desktop"


def command() -> str:
    found = shutil.which(NAME)
    return found or f"{sys.executable} -m tidings.desktop"


def set_start_at_login(enabled: bool, home: Path | None = None) -> Path | None:
    """Turn starting at login on or off; returns the file written (None on Windows)."""
    home = home or Path.home()
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import winreg

        key = winreg.OpenKey(
            winreg.HKEY_CURRENT_USER,
            r"Software\Microsoft\Windows\CurrentVersion\Run",
            0,
            winreg.KEY_SET_VALUE,
        )
        with key:
            if enabled:
                winreg.SetValueEx(key, "Tidings", 0, winreg.REG_SZ, command())
            else:
                with contextlib.suppress(FileNotFoundError):
                    winreg.DeleteValue(key, "Tidings")
        return None
    if sys.platform == "darwin":
        path = home / "Library" / "LaunchAgents" / "org.tidings.desktop.plist"
        program = "".join(f"<string>{part}</string>" for part in command().split())
        content = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict>'
            "<key>Label</key><string>org.tidings.desktop</string>"
            f"<key>ProgramArguments</key><array>{program}</array>"
            "<key>RunAtLoad</key><true/></dict></plist>\n"
        )
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
        path = base / "autostart" / f"{NAME}.desktop"
        content = (
            "[Desktop Entry]\nType=Application\nName=Tidings\n"
            f"Exec={command()}\nX-GNOME-Autostart-enabled=true\n"
        )
    if enabled:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    else:
        path.unlink(missing_ok=True)
    return path
