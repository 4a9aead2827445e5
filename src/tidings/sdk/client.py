"""The async WebSocket client: one state machine that connects, authenticates, syncs,
reconnects and retries sends."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from enum import Enum, auto
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from tidings.sdk.errors import ConnectionLost, ServerError
from tidings.sdk.events import (
    CallPushed,
    Connected,
    Disconnected,
    EntryReceived,
    Event,
    HistoryFilled,
    PresenceChanged,
    PrivateReceived,
    ReceiptChanged,
    SignedOut,
    SiteSettingsChanged,
    Typing,
)
from tidings.sdk.state import ClientState

logger = logging.getLogger(__name__)

# Close codes after which reconnecting cannot help: the session is over.
_FINAL_CLOSE_CODES = {4001, 4002, 4004}
HISTORY_PAGE = 500


class Phase(Enum):
    IDLE = auto()
    CONNECTING = auto()
    SYNCING = auto()
    READY = auto()
    STOPPED = auto()


class TidingsClient:
    def __init__(
        self,
        base_url: str | Sequence[str],
        *,
        token: str,
        request_timeout: float = 15.0,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        ping_interval: float = 25.0,
        keep_state: bool = True,
        state: ClientState | None = None,
    ) -> None:
        # Several URLs are several entry points (nodes); after a failure the next is tried.
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        self.ws_urls = [
            url.rstrip("/").replace("http://", "ws://", 1).replace("https://", "wss://", 1) + "/ws"
            for url in urls
        ]
        self._url_index = 0
        self.token = token
        self.request_timeout = request_timeout
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.ping_interval = ping_interval
        self.keep_state = keep_state
        # A state loaded from a local cache (tidings.sdk.cache): sync goes on from its cursors.
        self.state = state if state is not None else ClientState()
        self.phase = Phase.IDLE
        self.session_id: int | None = None
        self.signed_out_reason: str | None = None
        self._ws: ClientConnection | None = None
        self._ids = itertools.count(1)
        self._replies: dict[int, asyncio.Future[Any]] = {}
        self._ready = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._listeners: list[Callable[[Event], None]] = []
        self._queues: list[asyncio.Queue[Event]] = []
        self._backfills: dict[int, asyncio.Task[None]] = {}
        self._background: set[asyncio.Task[Any]] = set()

    @property
    def ws_url(self) -> str:
        return self.ws_urls[self._url_index]

    # Life cycle

    async def __aenter__(self) -> TidingsClient:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def start(self, *, wait: bool = True) -> None:
        """Connect in the background; with ``wait``, return once connected and synced."""
        if self._runner is None:
            self._runner = asyncio.create_task(self._run(), name="tidings-client")
        if wait:
            await self.wait_ready()

    async def wait_ready(self, limit: float | None = None) -> None:
        ready = asyncio.ensure_future(self._ready.wait())
        runner = self._runner
        waiters: set[asyncio.Future[Any]] = {ready}
        if runner is not None:
            waiters.add(runner)
        done, _ = await asyncio.wait(waiters, timeout=limit, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            if self.signed_out_reason:
                raise ServerError(self.signed_out_reason, "the session ended")
            raise ConnectionLost("not connected")

    async def close(self) -> None:
        self.phase = Phase.STOPPED
        if self._ws is not None:
            await self._ws.close()
        for task in [self._runner, *self._backfills.values(), *self._background]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def drop_connection(self) -> None:
        """Cut the current connection (as a network failure would); the client reconnects."""
        if self._ws is not None:
            self._ws.transport.abort()

    # Events

    def on(self, listener: Callable[[Event], None]) -> None:
        self._listeners.append(listener)

    async def events(self) -> AsyncIterator[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._queues.append(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues.remove(queue)

    # Requests

    async def request(self, op: str, data: dict[str, Any] | None = None) -> Any:
        """One request on the live connection; ConnectionLost if it drops first."""
        await self._ready.wait()
        return await self._request(op, data)

    async def send(
        self,
        conversation_id: int,
        type: str,
        body: dict[str, Any],
        *,
        client_msg_id: str | None = None,
        reply_to_seq: int | None = None,
        max_attempts: int | None = None,
    ) -> dict[str, Any]:
        """Send a message; retried under the same client_msg_id until acknowledged."""
        data: dict[str, Any] = {
            "conversation_id": conversation_id,
            "client_msg_id": client_msg_id or uuid.uuid4().hex,
            "type": type,
            "body": body,
        }
        if reply_to_seq is not None:
            data["reply_to_seq"] = reply_to_seq
        for attempt in itertools.count(1):
            try:
                entry: dict[str, Any] = await self.request("send", data)
            except (ConnectionLost, TimeoutError):
                if self.phase is Phase.STOPPED or (max_attempts and attempt >= max_attempts):
                    raise
                # Yield to the run loop (it is reconnecting) instead of spinning.
                await asyncio.sleep(min(0.01 * attempt, 0.5))
                continue
            if self.keep_state:
                self.state.conversation(conversation_id).add_entry(entry)
            return entry
        raise AssertionError("unreachable")

    async def history(
        self, conversation_id: int, *, after_seq: int = 0, limit: int = HISTORY_PAGE
    ) -> list[dict[str, Any]]:
        reply = await self.request(
            "history", {"conversation_id": conversation_id, "after_seq": after_seq, "limit": limit}
        )
        messages: list[dict[str, Any]] = reply["messages"]
        return messages

    async def search_messages(
        self,
        q: str,
        *,
        conversation_id: int | None = None,
        sender_id: int | None = None,
        since: int | None = None,
        until: int | None = None,
        types: list[str] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        order: str | None = None,
    ) -> dict[str, Any]:
        """Search the messages this user may read (docs/protocol.md, "Message search"):
        ``{"results": [...], "next": cursor or None}``. Each result's ``highlights`` are
        ``[start, end)`` in UTF-16 code units of its ``snippet``; ``tidings.sdk.highlighted``
        gives the highlighted text. ``order``: ``"relevance"`` (the default) or
        ``"newest"``."""
        data: dict[str, Any] = {"q": q}
        for key, value in (
            ("conversation_id", conversation_id),
            ("sender_id", sender_id),
            ("since", since),
            ("until", until),
            ("types", types),
            ("limit", limit),
            ("cursor", cursor),
            ("order", order),
        ):
            if value is not None:
                data[key] = value
        reply: dict[str, Any] = await self.request("messages.search", data)
        return reply

    async def history_around(
        self, conversation_id: int, seq: int, *, limit: int = HISTORY_PAGE
    ) -> list[dict[str, Any]]:
        """The entries around ``seq`` (it, and about as many before as after)."""
        reply = await self.request(
            "history", {"conversation_id": conversation_id, "around_seq": seq, "limit": limit}
        )
        messages: list[dict[str, Any]] = reply["messages"]
        return messages

    async def _request(self, op: str, data: dict[str, Any] | None) -> Any:
        ws = self._ws
        if ws is None:
            raise ConnectionLost("not connected")
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._replies[request_id] = future
        try:
            await ws.send(orjson.dumps({"id": request_id, "op": op, "data": data or {}}).decode())
            async with asyncio.timeout(self.request_timeout):
                return await future
        except ConnectionClosed:
            # Stop handing out this connection at once; the run loop is reconnecting.
            if self._ws is ws:
                self._ready.clear()
            raise ConnectionLost("connection closed") from None
        finally:
            self._replies.pop(request_id, None)

    # The state machine

    async def _run(self) -> None:
        delay = self.backoff_initial
        while self.phase is not Phase.STOPPED:
            self.phase = Phase.CONNECTING
            code: int | None = None
            reason = ""
            try:
                async with connect(
                    self.ws_url, compression=None, max_size=16 * 1024 * 1024, ping_interval=None
                ) as ws:
                    self._ws = ws
                    reader = asyncio.create_task(self._read(ws))
                    try:
                        await self._open_session()
                        delay = self.backoff_initial
                        await self._keepalive(reader)
                    finally:
                        reader.cancel()
                        with contextlib.suppress(asyncio.CancelledError, Exception):
                            await reader
                    code, reason = ws.close_code, ws.close_reason or ""
            except ServerError as error:
                if error.code == "invalid_token":
                    self.signed_out_reason = "invalid_token"
                    self.phase = Phase.STOPPED
                reason = error.code
            except (
                OSError,
                ConnectionClosed,
                ConnectionLost,
                TimeoutError,
                InvalidHandshake,
                InvalidURI,
            ) as error:
                reason = type(error).__name__
            finally:
                self._ws = None
                self._ready.clear()
                self._fail_pending()
            if self._ws is None and code in _FINAL_CLOSE_CODES:
                self.phase = Phase.STOPPED
            self._emit(Disconnected(code, reason))
            if self.phase is Phase.STOPPED:
                return
            self._url_index = (self._url_index + 1) % len(self.ws_urls)
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, self.backoff_max)

    async def _open_session(self) -> None:
        reply = await self._request("auth", {"token": self.token})
        self.session_id = int(reply["session_id"])
        self.state.user_id = int(reply["user"]["id"])
        self.phase = Phase.SYNCING
        await self._sync()
        self.phase = Phase.READY
        self._ready.set()
        self._emit(Connected(self.session_id))

    async def _keepalive(self, reader: asyncio.Task[None]) -> None:
        while not reader.done():
            done, _ = await asyncio.wait({reader}, timeout=self.ping_interval)
            if not done:
                await self._request("ping", None)

    async def _sync(self) -> None:
        while True:
            reply = await self._request("sync", {"private_seq": self.state.private_seq})
            for entry in reply["private_entries"]:
                self.state.apply_private(entry)
            if not reply["has_more"]:
                break
        if not self.keep_state:
            return
        present = set()
        for summary in reply["conversations"]:
            conv = self.state.conversation(int(summary["id"]))
            conv.apply_summary(summary)
            present.add(conv.id)
        for gone in set(self.state.conversations) - present:
            del self.state.conversations[gone]
        for conv_id in present:
            await self._backfill(conv_id)

    async def _backfill(self, conversation_id: int) -> None:
        """Pull history until the conversation is covered up to its last known seq."""
        conv = self.state.conversations.get(conversation_id)
        filled = 0
        while conv is not None and conv.covered_seq < conv.last_seq:
            # Every seq up to the target was committed before we heard of the target, so a
            # short page proves the range complete (missing seqs are deleted-for-me). Seqs
            # heard of while the request is in flight are not covered by this page.
            target = conv.last_seq
            page = await self._request(
                "history",
                {
                    "conversation_id": conversation_id,
                    "after_seq": conv.covered_seq,
                    "limit": HISTORY_PAGE,
                },
            )
            entries = page["messages"]
            for entry in entries:
                filled += conv.add_entry(entry)
            if len(entries) < HISTORY_PAGE:
                conv.covered_seq = max(conv.covered_seq, target)
            else:
                conv.covered_seq = max(conv.covered_seq, int(entries[-1]["seq"]))
            conv = self.state.conversations.get(conversation_id)
        if filled:
            self._emit(HistoryFilled(conversation_id, filled))

    def _schedule_backfill(self, conversation_id: int) -> None:
        if conversation_id in self._backfills or self.phase is not Phase.READY:
            return

        async def run() -> None:
            try:
                await self._backfill(conversation_id)
            except (ConnectionLost, TimeoutError, ServerError):
                pass  # the next sync covers it
            finally:
                self._backfills.pop(conversation_id, None)

        self._backfills[conversation_id] = asyncio.create_task(run())

    async def _read(self, ws: ClientConnection) -> None:
        async for raw in ws:
            frame = orjson.loads(raw)
            if "push" in frame:
                self._on_push(frame["push"], frame["data"])
                continue
            future = self._replies.get(frame.get("id"))
            if future is None or future.done():
                continue
            if frame["ok"]:
                future.set_result(frame["data"])
            else:
                error = frame["error"]
                future.set_exception(
                    ServerError(error["code"], error["message"], details=error.get("details"))
                )

    def _on_push(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "entry":
            if self.keep_state:
                self._fold_entry(data)
            self._emit(EntryReceived(data))
        elif kind == "private":
            if self.keep_state:
                self._fold_private(data)
            self._emit(PrivateReceived(data))
        elif kind == "receipt":
            self.state.apply_receipt(data)
            self._emit(
                ReceiptChanged(
                    data["conversation_id"],
                    data["user_id"],
                    data.get("read_seq"),
                    data.get("delivered_seq"),
                )
            )
        elif kind == "typing":
            self._emit(Typing(data["conversation_id"], data["user_id"]))
        elif kind == "presence":
            self._emit(PresenceChanged(data["user_id"], data["online"]))
        elif kind == "site_settings_changed":
            self._emit(SiteSettingsChanged(data["version"], data["settings"]))
        elif kind.startswith("call_"):
            self._emit(CallPushed(kind, data))
        elif kind == "signed_out":
            self.signed_out_reason = data["reason"]
            self.phase = Phase.STOPPED
            self._emit(SignedOut(data["reason"]))

    def _fold_entry(self, entry: dict[str, Any]) -> None:
        conv_id = int(entry["conversation_id"])
        conv = self.state.conversations.get(conv_id)
        if conv is None:
            # A conversation we have not heard of yet: the private log will announce it.
            self._spawn(self._refresh_conversation(conv_id))
            return
        conv.add_entry(entry)
        if conv.covered_seq < int(entry["seq"]) - 1:
            self._schedule_backfill(conv_id)

    def _fold_private(self, entry: dict[str, Any]) -> None:
        if int(entry["seq"]) <= self.state.private_seq:
            return
        if not self.state.apply_private(entry):
            # A gap in the private log: sync fills it.
            self._spawn(self._resync())
            return
        if entry["kind"] == "conversation_joined":
            self._spawn(self._refresh_conversation(int(entry["data"]["conversation_id"])))

    async def _refresh_conversation(self, conversation_id: int) -> None:
        with contextlib.suppress(ConnectionLost, TimeoutError, ServerError):
            summary = await self._request("conversation.get", {"conversation_id": conversation_id})
            self.state.conversation(conversation_id).apply_summary(summary)
            await self._backfill(conversation_id)

    async def _resync(self) -> None:
        with contextlib.suppress(ConnectionLost, TimeoutError, ServerError):
            await self._sync()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _fail_pending(self) -> None:
        for future in self._replies.values():
            if not future.done():
                future.set_exception(ConnectionLost("connection closed"))
        self._replies.clear()

    def _emit(self, event: Event) -> None:
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                logger.exception("event listener failed")
        for queue in self._queues:
            queue.put_nowait(event)
