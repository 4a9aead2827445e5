"""Reading message search results (docs/protocol.md, "Message search")."""

from __future__ import annotations

from typing import Any


def highlighted(result: dict[str, Any]) -> list[str]:
    """The highlighted parts of a result's snippet. The server counts ``highlights`` in
    UTF-16 code units (as JavaScript does); Python counts code points."""
    units = str(result["snippet"]).encode("utf-16-le", "surrogatepass")
    return [
        units[start * 2 : end * 2].decode("utf-16-le", "surrogatepass")
        for start, end in result["highlights"]
    ]
