"""A client of Janus's WebSocket API (decision 0078): the SFU that carries group calls.

One WebSocket per node, opened on first use and again after it drops. Every request carries
the ``api_secret`` and a transaction id; Janus acknowledges asynchronous plugin requests
(``ack``) and answers them later with an ``event`` of the same transaction, which is what
``request`` waits for. Everything else Janus sends (events of the rooms, ``webrtcup``,
``hangup``, ``media``, ``detached``, ``timeout``) goes to ``on_event`` with the session and
handle it concerns.

Janus forgets a session after 60 s without a request (``session_timeout``): ``keep`` adds a
session to those this client keeps alive, ``forget`` takes it out. When the WebSocket drops,
Janus destroys the sessions made over it: the client reports that with ``on_lost``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

logger = logging.getLogger(__name__)

VIDEOROOM = "janus.plugin.videoroom"


class JanusError(Exception):
    """Janus (or its plugin) refused a request, or could not be reached."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"janus error {code}: {reason}")
        self.code = code
        self.reason = reason


# Codes of the VideoRoom plugin this client's users act on.
ROOM_EXISTS = 427
NO_SUCH_ROOM = 426
ID_EXISTS = 436
NO_SUCH_FEED = 428
UNREACHABLE = -1


EventHandler = Callable[[int, int | None, dict[str, Any]], None]


class JanusClient:
    def __init__(
        self,
        url: str,
        api_secret: str,
        *,
        timeout: float,
        keepalive_seconds: float,
        on_event: EventHandler,
        on_lost: Callable[[], None],
    ) -> None:
        self._url = url
        self._secret = api_secret
        self._timeout = timeout
        self._keepalive_seconds = keepalive_seconds
        self._on_event = on_event
        self._on_lost = on_lost
        self._ws: ClientConnection | None = None
        self._opening: asyncio.Lock = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None
        self._keeper: asyncio.Task[None] | None = None
        # transaction → (future of the answer, whether to wait past an "ack")
        self._pending: dict[str, tuple[asyncio.Future[dict[str, Any]], bool]] = {}
        self._kept: set[int] = set()

    async def close(self) -> None:
        ws, self._ws = self._ws, None
        for task in (self._keeper, self._reader):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._keeper = self._reader = None
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        self._fail_pending()

    # Requests

    async def request(
        self,
        body: dict[str, Any],
        *,
        session: int | None = None,
        handle: int | None = None,
        wait_event: bool = False,
    ) -> dict[str, Any]:
        """Send a request and return Janus's answer: the ``success`` (or, with
        ``wait_event``, the plugin's ``event`` that follows the ``ack``). Raises JanusError."""
        ws = await self._connection()
        transaction = secrets.token_hex(8)
        message = {**body, "transaction": transaction, "apisecret": self._secret}
        if session is not None:
            message["session_id"] = session
        if handle is not None:
            message["handle_id"] = handle
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[transaction] = (future, wait_event)
        try:
            await ws.send(orjson.dumps(message).decode())
            async with asyncio.timeout(self._timeout):
                answer = await future
        except (ConnectionClosed, OSError) as error:
            raise JanusError(UNREACHABLE, f"janus unreachable: {error}") from None
        except TimeoutError:
            raise JanusError(UNREACHABLE, "janus did not answer in time") from None
        finally:
            self._pending.pop(transaction, None)
        if answer.get("janus") == "error":
            refused = answer.get("error") or {}
            raise JanusError(int(refused.get("code", 0)), str(refused.get("reason", "")))
        data = plugin_data(answer)
        if data is not None and "error_code" in data:
            raise JanusError(int(data["error_code"]), str(data.get("error", "")))
        return answer

    async def create_session(self) -> int:
        answer = await self.request({"janus": "create"})
        session = int(answer["data"]["id"])
        self._kept.add(session)
        return session

    async def attach(self, session: int, plugin: str = VIDEOROOM) -> int:
        answer = await self.request({"janus": "attach", "plugin": plugin}, session=session)
        return int(answer["data"]["id"])

    async def message(
        self,
        session: int,
        handle: int,
        body: dict[str, Any],
        *,
        jsep: dict[str, Any] | None = None,
        wait_event: bool = False,
    ) -> dict[str, Any]:
        request: dict[str, Any] = {"janus": "message", "body": body}
        if jsep is not None:
            request["jsep"] = jsep
        return await self.request(request, session=session, handle=handle, wait_event=wait_event)

    async def trickle(self, session: int, handle: int, candidate: dict[str, Any]) -> None:
        await self.request(
            {"janus": "trickle", "candidate": candidate}, session=session, handle=handle
        )

    async def destroy_session(self, session: int) -> None:
        self._kept.discard(session)
        with contextlib.suppress(JanusError):
            await self.request({"janus": "destroy"}, session=session)

    def forget(self, session: int) -> None:
        self._kept.discard(session)

    # The connection

    async def _connection(self) -> ClientConnection:
        ws = self._ws
        if ws is not None:
            return ws
        async with self._opening:
            if self._ws is not None:
                return self._ws
            try:
                async with asyncio.timeout(self._timeout):
                    ws = await connect(
                        self._url,
                        subprotocols=["janus-protocol"],  # type: ignore[list-item]
                        max_size=8 * 1024 * 1024,
                        ping_interval=20,
                    )
            except (OSError, TimeoutError, ConnectionClosed, Exception) as error:
                raise JanusError(UNREACHABLE, f"janus unreachable: {error}") from None
            self._ws = ws
            self._reader = asyncio.get_running_loop().create_task(self._read(ws))
            if self._keeper is None:
                self._keeper = asyncio.get_running_loop().create_task(self._keep_alive())
            return ws

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                try:
                    message = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    continue
                self._dispatch(message)
        except ConnectionClosed:
            pass
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("reading from janus failed")
        finally:
            if self._ws is ws:
                self._ws = None
                logger.warning("the connection to janus was lost")
                self._kept.clear()
                self._fail_pending()
                self._on_lost()

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("janus")
        transaction = message.get("transaction")
        waiting = self._pending.get(transaction) if isinstance(transaction, str) else None
        if waiting is not None:
            future, wait_event = waiting
            if kind == "ack" and wait_event:
                return
            if not future.done():
                future.set_result(message)
            return
        session = message.get("session_id")
        if not isinstance(session, int):
            return
        sender = message.get("sender")
        try:
            self._on_event(session, sender if isinstance(sender, int) else None, message)
        except Exception:
            logger.exception("a janus event could not be handled")

    def _fail_pending(self) -> None:
        for future, _ in list(self._pending.values()):
            if not future.done():
                future.set_exception(ConnectionResetError("janus connection lost"))
        self._pending.clear()

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self._keepalive_seconds)
            for session in list(self._kept):
                try:
                    await self.request({"janus": "keepalive"}, session=session)
                except JanusError as error:
                    if error.code != UNREACHABLE:
                        self._kept.discard(session)  # Janus no longer knows it


def plugin_data(message: dict[str, Any]) -> dict[str, Any] | None:
    plugin = message.get("plugindata")
    if isinstance(plugin, dict):
        data = plugin.get("data")
        if isinstance(data, dict):
            return data
    return None
