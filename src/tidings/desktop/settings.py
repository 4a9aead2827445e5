"""The desktop client's own settings, kept on this computer in one JSON file
(``$XDG_CONFIG_HOME/tidings/desktop.json``): the last server and account, the device credential
(when "remember me" is on), how chats open, window positions, start at login.

What follows the user to other devices (notifications, do-not-disturb, per-chat alerts) is
the server's settings document (docs/protocol.md "Settings kept on the server"), not this.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


def config_directory() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.environ.get("APPDATA")
    return Path(base or Path.home() / ".config") / "tidings"


@dataclass
class DesktopSettings:
    server: str = "http://127.0.0.1:8080"
    account: str = ""
    # With "remember me": the device credential (docs/protocol.md "Sessions and devices"),
    # exchanged for a new session at the next start. The file is readable by its owner only.
    device_credential: str = ""
    # Also with "remember me": the last session and who it is, to open offline from the
    # local cache when the server cannot be reached at start (it connects when it can).
    token: str = ""
    user: dict[str, Any] = field(default_factory=dict)
    remember: bool = True
    # "windows": each chat in a window of its own; "tabs": one chat window with a tab each.
    chat_mode: str = "windows"
    start_at_login: bool = False
    # Window name → base64 of QWidget.saveGeometry().
    geometry: dict[str, str] = field(default_factory=dict)
    path: Path = field(default_factory=lambda: config_directory() / "desktop.json")

    @classmethod
    def load(cls, path: Path | None = None) -> DesktopSettings:
        target = path or config_directory() / "desktop.json"
        try:
            stored: dict[str, Any] = json.loads(target.read_text())
        except (OSError, ValueError):
            stored = {}
        known = {k: v for k, v in stored.items() if k in cls.__dataclass_fields__ and k != "path"}
        return cls(**known, path=target)

    def save(self) -> None:
        values = asdict(self)
        values.pop("path")
        if not self.remember:
            values["device_credential"] = ""
            values["token"] = ""
            values["user"] = {}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            json.dump(values, f, indent=1, sort_keys=True)
        partial.replace(self.path)
