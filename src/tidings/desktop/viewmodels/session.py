"""One signed-in account on this computer: the SDK's client, its local cache, the outbox and
file transfers, and the names of the people met — what every window of the app reads.

Signing in remembers the device (``DeviceTokens``: no second step next time) and, with
"remember me", the session, so the next start opens from the cache before the network
answers. Everything runs on the one event loop the app shares with Qt (decision 0077).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tidings.sdk import (
    Connected,
    ConnectionLost,
    DeviceTokens,
    Disconnected,
    EntryReceived,
    Event,
    LocalCache,
    Outbox,
    OutgoingMessage,
    PresenceChanged,
    ServerError,
    SignedOut,
    TidingsClient,
    TidingsFiles,
    TidingsHttp,
    Typing,
    sign_in,
)
from tidings.sdk.client import Phase
from tidings.sdk.sign_in import AskCode

logger = logging.getLogger(__name__)
DEVICE_NAME = "Tidings desktop"
# Someone's typing shows this long after their last ``typing`` push; mine is sent at most
# this often while I type (as the web client does).
TYPING_SHOWN = 6.0
TYPING_THROTTLE = 3.0

# What session listeners hear: an SDK event, or ("outbox", message, what, entry), or
# ("people",) when names arrived.
SessionListener = Callable[[Any], None]


class Session:
    def __init__(
        self,
        server: str,
        token: str,
        user: dict[str, Any],
        *,
        cache_directory: Path | None = None,
        backoff_max: float = 30.0,
    ) -> None:
        self.server = server.rstrip("/")
        self.token = token
        self.user = user
        self.user_id = int(user["id"])
        self.cache = LocalCache.for_account(self.server, self.user_id, cache_directory)
        self.client = TidingsClient(
            self.server, token=token, state=self.cache.load(), backoff_max=backoff_max
        )
        self.state = self.client.state
        self.state.user_id = self.user_id
        self.files = TidingsFiles(self.server, token=token)
        self.outbox = Outbox(self.client, self.cache, self.files)
        self.downloads = Path(cache_directory or self.cache.path.parent) / "files"
        self.people: dict[int, dict[str, Any]] = {self.user_id: user}
        self.device_credential = ""
        self.connected = False
        self.signed_out_reason: str | None = None
        self._listeners: list[SessionListener] = []
        self._wanted: set[int] = set()
        self._acked: dict[int, int] = {}
        self._tasks: set[asyncio.Future[None]] = set()
        self._lookup: asyncio.Task[None] | None = None
        # Presence of the people shown (contacts, direct chats): watched on every connection.
        self.presence: dict[int, bool] = {}
        self._watched: set[int] = set()
        # Who is typing where: conversation -> user -> until (the loop's clock).
        self._typing: dict[int, dict[int, float]] = {}
        self._typing_sent: dict[int, float] = {}
        self.cache.attach(self.client)
        self.client.on(self._on_event)
        self.outbox.on(lambda m, what, entry: self._tell(("outbox", m, what, entry)))

    @classmethod
    async def sign_in(
        cls,
        server: str,
        account: str,
        password: str,
        *,
        tokens: DeviceTokens | None = None,
        ask_code: AskCode | None = None,
        remember: bool = True,
        cache_directory: Path | None = None,
    ) -> Session:
        """Sign in with a password as this device (a ``ServerError`` says why not). With
        ``remember``, ``device_credential`` signs in next time without the password."""
        async with TidingsHttp(server) as http:
            result = await sign_in(
                http,
                account,
                password,
                tokens=tokens if tokens is not None else DeviceTokens.default(),
                ask_code=ask_code,
                platform="desktop",
                device_name=DEVICE_NAME,
                remember=remember,
            )
        session = cls(server, result["token"], result["user"], cache_directory=cache_directory)
        session.device_credential = result.get("device_credential") or ""
        return session

    @classmethod
    async def resume(
        cls,
        server: str,
        account: str,
        device_credential: str,
        *,
        tokens: DeviceTokens | None = None,
        cache_directory: Path | None = None,
    ) -> Session:
        """Sign in again with a remembered device credential (spent: the session carries
        the next one); ``invalid_token`` if it expired or was revoked."""
        tokens = tokens if tokens is not None else DeviceTokens.default()
        body: dict[str, Any] = {"device_credential": device_credential}
        known = tokens.get(server.rstrip("/"), account.lower())
        if known:
            body["device_token"] = known
        async with TidingsHttp(server) as http:
            result = await http.call("POST", "/api/v1/auth/device-login", body)
        if isinstance(result.get("device_token"), str):
            tokens.put(server.rstrip("/"), account.lower(), result["device_token"])
        session = cls(server, result["token"], result["user"], cache_directory=cache_directory)
        session.device_credential = result.get("device_credential") or ""
        return session

    async def start(self) -> None:
        await self.client.start(wait=False)
        self.outbox.start()
        self.want_people(self._people_in_state())

    async def close(self) -> None:
        pending = [t for t in (self._lookup, *self._tasks) if t is not None and not t.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        await self.outbox.close()
        await self.client.close()
        await self.files.close()
        self.cache.close()

    async def sign_out(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.client.request("logout"), 3)
        await self.close()

    # Listening

    def on(self, listener: SessionListener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def touch(self) -> None:
        """Something changed in the state outside of the SDK's events (a forward's copies)."""
        self._tell(("changed",))

    def conversation_read(self, conversation_id: int) -> None:
        self._tell(("read", conversation_id))

    def _on_event(self, event: Event) -> None:
        if isinstance(event, EntryReceived) and event.entry.get("sender_id") != self.user_id:
            self._acknowledge(int(event.entry["conversation_id"]), int(event.entry["seq"]))
        if isinstance(event, Connected):
            self.connected = True
            # Subscriptions belong to a connection: a new one watches everyone again.
            self._subscribe(set(self._watched))
        elif isinstance(event, PresenceChanged):
            self.presence[event.user_id] = event.online
        elif isinstance(event, Typing) and event.user_id != self.user_id:
            until = asyncio.get_running_loop().time() + TYPING_SHOWN
            self._typing.setdefault(event.conversation_id, {})[event.user_id] = until
        elif isinstance(event, Disconnected):
            self.connected = False
        elif isinstance(event, SignedOut):
            self.signed_out_reason = event.reason
        self._tell(event)

    def _tell(self, what: Any) -> None:
        for listener in list(self._listeners):
            try:
                listener(what)
            except Exception:
                logger.exception("session listener failed")

    @property
    def status(self) -> str:
        """``online``, ``connecting`` or ``offline`` (signed out)."""
        if self.client.phase is Phase.STOPPED:
            return "offline"
        return "online" if self.connected else "connecting"

    def _acknowledge(self, conversation_id: int, seq: int) -> None:
        """Tell the server this device has the entry: the sender sees "delivered"."""
        known = self._acked.get(conversation_id, 0)
        if seq <= known:
            return
        self._acked[conversation_id] = seq

        async def ack() -> None:
            with contextlib.suppress(Exception):
                await self.client.request("ack", {"conversation_id": conversation_id, "seq": seq})

        task = asyncio.ensure_future(ack())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # Presence and typing

    def watch_presence(self, user_ids: list[int] | set[int]) -> None:
        """Show these people's presence (``presence``, then ``PresenceChanged`` events)."""
        new = {u for u in user_ids if u not in self._watched and u != self.user_id}
        if not new:
            return
        self._watched |= new
        if self.connected:
            self._subscribe(new)

    def _subscribe(self, user_ids: set[int]) -> None:
        if not user_ids:
            return

        async def subscribe() -> None:
            batch = sorted(user_ids)
            for start in range(0, len(batch), 1000):
                try:
                    reply = await self.client.request(
                        "presence.subscribe", {"user_ids": batch[start : start + 1000]}
                    )
                except (ServerError, ConnectionLost, TimeoutError):
                    return
                for user_id, online in reply["presence"].items():
                    self.presence[int(user_id)] = bool(online)
            self._tell(("presence",))

        self._run(subscribe())

    def online(self, user_id: int | None) -> bool | None:
        """Whether someone is online; None when not known (not watched yet)."""
        return None if user_id is None else self.presence.get(user_id)

    def typing_in(self, conversation_id: int) -> list[int]:
        """Who is typing in a conversation now (not me)."""
        now = asyncio.get_running_loop().time()
        typing = self._typing.get(conversation_id, {})
        return sorted(u for u, until in typing.items() if until > now)

    def typed(self, conversation_id: int) -> bool:
        """The user typed in a chat: tell its members, at most every few seconds."""
        now = asyncio.get_running_loop().time()
        if now - self._typing_sent.get(conversation_id, -TYPING_THROTTLE) < TYPING_THROTTLE:
            return False
        self._typing_sent[conversation_id] = now

        async def send() -> None:
            with contextlib.suppress(Exception):
                await self.client.request("typing", {"conversation_id": conversation_id})

        self._run(send())
        return True

    def _run(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # People

    def name_of(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        person = self.people.get(user_id)
        if person is None:
            self.want_people([user_id])
            return f"#{user_id}"
        return str(person.get("remark") or person.get("nickname") or person.get("account"))

    def want_people(self, user_ids: list[int] | set[int]) -> None:
        """Look these people up (in the background, in batches)."""
        missing = {u for u in user_ids if u not in self.people}
        if not missing:
            return
        self._wanted |= missing
        if self._lookup is None or self._lookup.done():
            self._lookup = asyncio.ensure_future(self._look_up())

    async def _look_up(self) -> None:
        try:
            await self.client.wait_ready(None)
        except (ServerError, ConnectionLost):
            return  # the client stopped: nobody to ask
        while self._wanted:
            batch = sorted(self._wanted)[:200]
            self._wanted -= set(batch)
            try:
                reply = await self.client.request("users.lookup", {"user_ids": batch})
            except ServerError:
                continue
            except ConnectionLost:
                # Asked again once the connection is back (or never, if the client stopped).
                self._wanted |= set(batch)
                try:
                    await self.client.wait_ready(None)
                except (ServerError, ConnectionLost):
                    return
                continue
            for user in reply["users"]:
                self.people[int(user["id"])] = user
            for gone in set(batch) - set(self.people):
                self.people[gone] = {"id": gone, "nickname": f"#{gone}"}
        self._tell(("people",))

    @property
    def looking_up(self) -> bool:
        return bool(self._wanted) or (self._lookup is not None and not self._lookup.done())

    def _people_in_state(self) -> set[int]:
        people: set[int] = set()
        for conv in self.state.conversations.values():
            if conv.peer is not None:
                people.add(conv.peer["user_id"])
            for entry in conv.entries.values():
                if entry.get("sender_id") is not None:
                    people.add(int(entry["sender_id"]))
        return people

    # Files

    def download_path(self, file_id: str, name: str) -> Path:
        safe = Path(name).name or file_id
        return self.downloads / file_id / safe

    def pending(self, conversation_id: int) -> list[OutgoingMessage]:
        return self.outbox.pending(conversation_id)
