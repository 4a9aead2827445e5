"""The bus interface. In-process by default; Redis pub/sub when scaled out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from tidings.bus.messages import BusMessage

Handler = Callable[[BusMessage], None]


class Bus(Protocol):
    def subscribe(self, handler: Handler) -> None:
        """Call ``handler`` for every message published on any node. Handlers must not block."""

    async def publish(self, message: BusMessage) -> None:
        """Deliver to every subscriber, best effort: correctness comes from sync."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...
