"""The in-process bus: one node, handlers called directly."""

from __future__ import annotations

import logging

from tidings.bus.base import Handler
from tidings.bus.messages import BusMessage

logger = logging.getLogger(__name__)


class InProcessBus:
    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    def subscribe(self, handler: Handler) -> None:
        self._handlers.append(handler)

    async def publish(self, message: BusMessage) -> None:
        for handler in self._handlers:
            try:
                handler(message)
            except Exception:
                logger.exception("bus handler failed on %s", type(message).__name__)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
