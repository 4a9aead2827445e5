"""Who is acting."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    session_id: int
    # The WebSocket connection the request came on, if any: it gets the reply, so pushes of
    # the same change skip it.
    connection_id: str | None = None
    # Where the request came from, for the audit log (decision 0052).
    ip: str = ""
    user_agent: str = ""
