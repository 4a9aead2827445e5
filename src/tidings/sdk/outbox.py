"""Messages the user sent that the server has not acknowledged yet, kept in the local cache
so that they go out when the client is back online — also after the app was closed.

    outbox = Outbox(client, cache, files)
    outbox.start()
    message = outbox.queue(conversation_id, "text", {"text": "hello"})
    outbox.queue(conversation_id, "image", {"width": 640, "height": 480}, path="cat.png")

Each message keeps its ``client_msg_id`` from the moment it is queued, so sending it again
(after a reconnect, a crash, a restart) gives the one entry the server already has, never a
second one. A message with a ``path`` first uploads that file (resumably: the upload's URL is
kept, and an upload cut short goes on from the server's offset), then sends with its
``file_id``. Messages go out one at a time, in the order they were queued. One the server
refuses (``content_blocked``, ``not_member``...) is kept with its error code as ``failed``
until the user retries or discards it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tidings.sdk.cache import LocalCache
from tidings.sdk.client import TidingsClient
from tidings.sdk.errors import ConnectionLost, ServerError
from tidings.sdk.files import TidingsFiles

logger = logging.getLogger(__name__)


@dataclass
class OutgoingMessage:
    client_msg_id: str
    conversation_id: int
    type: str
    body: dict[str, Any]
    reply_to_seq: int | None = None
    # A file to upload before sending: its id goes into body["file_id"].
    path: str | None = None
    # The file's media type, sent with the upload (an image's body has no field for it).
    mime: str = ""
    upload_url: str | None = None
    queued_at: float = field(default_factory=time.time)
    # Set when the server refused it: the error code.
    failed: str | None = None
    # Held by the user (a file's upload paused): skipped until continued; kept over restarts.
    paused: bool = False
    # Upload progress in bytes, not saved.
    sent_bytes: int = 0
    total_bytes: int = 0


# What a listener hears: the message and what happened ("queued", "progress", "paused",
# "sent", "failed", "discarded"); with "sent", the entry the server stored.
OutboxListener = Callable[[OutgoingMessage, str, dict[str, Any] | None], None]


class Outbox:
    def __init__(
        self, client: TidingsClient, cache: LocalCache, files: TidingsFiles | None = None
    ) -> None:
        self.client = client
        self.cache = cache
        self.files = files
        self.messages: dict[str, OutgoingMessage] = {}
        for row in cache.outbox_rows():
            message = OutgoingMessage(**row)
            self.messages[message.client_msg_id] = message
        self._listeners: list[OutboxListener] = []
        self._wake = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._current: asyncio.Future[None] | None = None
        self._current_id = ""

    def on(self, listener: OutboxListener) -> None:
        self._listeners.append(listener)

    def start(self) -> None:
        if self._runner is None:
            self._runner = asyncio.create_task(self._run(), name="tidings-outbox")
            self._wake.set()

    async def close(self) -> None:
        if self._current is not None:
            self._current.cancel()
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None

    def pending(self, conversation_id: int) -> list[OutgoingMessage]:
        return [m for m in self.messages.values() if m.conversation_id == conversation_id]

    def queue(
        self,
        conversation_id: int,
        type: str,
        body: dict[str, Any],
        *,
        reply_to_seq: int | None = None,
        path: str | Path | None = None,
        mime: str = "",
    ) -> OutgoingMessage:
        message = OutgoingMessage(
            client_msg_id=uuid.uuid4().hex,
            conversation_id=conversation_id,
            type=type,
            body=dict(body),
            reply_to_seq=reply_to_seq,
            path=str(path) if path is not None else None,
            mime=mime or str(body.get("mime", "")),
        )
        self._save(message)
        self.messages[message.client_msg_id] = message
        self._tell(message, "queued")
        self._wake.set()
        return message

    def retry(self, client_msg_id: str) -> None:
        message = self.messages[client_msg_id]
        message.failed = None
        self._save(message)
        self._tell(message, "queued")
        self._wake.set()

    def pause(self, client_msg_id: str) -> None:
        """Hold a message (stop its upload where it is; the server keeps what it has)."""
        message = self.messages[client_msg_id]
        message.paused = True
        self._save(message)
        if self._current is not None and self._current_id == client_msg_id:
            self._current.cancel()
        self._tell(message, "paused")

    def resume(self, client_msg_id: str) -> None:
        """Continue a paused message: its upload goes on from the server's offset."""
        message = self.messages[client_msg_id]
        message.paused = False
        self._save(message)
        self._tell(message, "queued")
        self._wake.set()

    def discard(self, client_msg_id: str) -> None:
        message = self.messages.pop(client_msg_id)
        self.cache.outbox_remove(client_msg_id)
        self._tell(message, "discarded")

    # Sending

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while True:
                waiting = [m for m in self.messages.values() if m.failed is None and not m.paused]
                if not waiting:
                    break
                # A task of its own, so that pausing this message stops only it.
                self._current_id = waiting[0].client_msg_id
                self._current = asyncio.ensure_future(self._send(waiting[0]))
                with contextlib.suppress(asyncio.CancelledError):
                    await self._current
                if self._current.cancelled() and not waiting[0].paused:
                    raise asyncio.CancelledError  # the outbox itself is closing
                self._current = None

    async def _send(self, message: OutgoingMessage) -> None:
        try:
            if message.path is not None:
                await self._upload(message)
            entry = await self.client.send(
                message.conversation_id,
                message.type,
                message.body,
                client_msg_id=message.client_msg_id,
                reply_to_seq=message.reply_to_seq,
            )
        except ServerError as error:
            message.failed = error.code
            self._save(message)
            self._tell(message, "failed")
            return
        except (ConnectionLost, OSError) as error:
            # The client stopped (signed out) or a file went missing: keep it for later.
            logger.warning("outbox: %s not sent: %s", message.client_msg_id, error)
            message.failed = "not_sent"
            self._tell(message, "failed")
            return
        self.messages.pop(message.client_msg_id, None)
        self.cache.outbox_remove(message.client_msg_id)
        self._tell(message, "sent", entry)

    async def _upload(self, message: OutgoingMessage) -> None:
        assert message.path is not None
        if self.files is None:
            raise ServerError("not_sent", "no file transfer for this outbox")

        def created(url: str) -> None:
            message.upload_url = url
            self._save(message)

        def progress(done: int, total: int) -> None:
            message.sent_bytes, message.total_bytes = done, total
            self._tell(message, "progress")

        while True:
            try:
                info = await self.files.upload(
                    message.path,
                    name=message.body.get("name"),
                    mime=message.mime,
                    upload_url=message.upload_url,
                    on_created=created,
                    on_progress=progress,
                )
                break
            except ServerError as error:
                if error.status == 404 and message.upload_url is not None:
                    message.upload_url = None  # expired on the server: start over
                    continue
                raise
            except OSError:
                raise
            except Exception as error:  # httpx's transport errors after its own retries
                logger.warning("outbox: upload failed, trying again: %s", error)
                await asyncio.sleep(2)
        message.body["file_id"] = info["id"]
        message.path = None
        self._save(message)

    def _save(self, message: OutgoingMessage) -> None:
        row = asdict(message)
        row.pop("sent_bytes")
        row.pop("total_bytes")
        self.cache.outbox_put(message.client_msg_id, row)

    def _tell(
        self, message: OutgoingMessage, what: str, entry: dict[str, Any] | None = None
    ) -> None:
        for listener in self._listeners:
            try:
                listener(message, what, entry)
            except Exception:
                logger.exception("outbox listener failed")
