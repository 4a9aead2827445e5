"""Errors the SDK raises."""

from __future__ import annotations

from typing import Any


class ServerError(Exception):
    """The server refused a request; ``code`` is the stable error code."""

    def __init__(
        self, code: str, message: str, status: int | None = None, details: Any = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        # E.g. ``{"retry_after": seconds}`` with ``rate_limited``.
        self.details = details


class ConnectionLost(Exception):
    """The connection dropped before the reply came; retrying is safe for sends."""
