"""Group calls (PRODUCT.md G3; decision 0078): start or join a group's call, leave it, and
carry each participant's media through the Janus SFU (its VideoRoom plugin).

Who is in a call is in the database (``calls``, ``call_participants``), as for one-to-one
calls: any node reads it, the size limit and the busy line hold under concurrency, and the
last one out ends the call with its record. The media goes browser → Janus → browsers; the
browsers never talk to Janus's API. Each participant's Janus session (a publisher handle for
what they send, one multistream subscriber handle for what they receive) lives on the node
holding their WebSocket, which relays the SDP and candidates between the two, keeps the
session alive and destroys it when they leave or disconnect. Janus's room of a call is
created on first join (idempotently: its id is the call's) and destroyed when the call ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from tidings.actions.context import Actor
from tidings.actions.periodic import PeriodicFlush
from tidings.actions.publisher import Publisher
from tidings.actions.rosters import RosterCache
from tidings.call_schemas import CallMediaOp, CallSignalOp
from tidings.config import Settings
from tidings.domain import events
from tidings.domain.calls import Call, CallMedia, CallState
from tidings.domain.clock import now_ms
from tidings.domain.conversations import Role, Roster
from tidings.domain.entries import Entry
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.janus import ID_EXISTS, NO_SUCH_FEED, ROOM_EXISTS, JanusClient, JanusError
from tidings.janus import plugin_data as _data
from tidings.store.calls import CallFull, CallOver, CallStore, InAnotherCall

logger = logging.getLogger(__name__)
_SWEEP_BATCH = 100
_AUDIO_MID = re.compile(r"^m=audio[^\r\n]*(?:\r?\n(?!m=)[^\r\n]*)*?\r?\na=mid:(\S+)", re.M)


def unavailable() -> TidingsError:
    return TidingsError(
        ErrorCode.GROUP_CALLS_UNAVAILABLE,
        "group calls need an SFU (Janus) — ask your administrator",
    )


def _no_such_call() -> TidingsError:
    return TidingsError(ErrorCode.NOT_FOUND, "no such call")


def _ended() -> TidingsError:
    return TidingsError(ErrorCode.CALL_ENDED, "this call has ended")


def _not_here() -> TidingsError:
    return TidingsError(ErrorCode.FORBIDDEN, "this device is not in the call")


@dataclass(eq=False)
class Peer:
    """A participant's Janus session, on the node holding their WebSocket."""

    call_id: int
    user_id: int
    session_id: int
    connection_id: str | None
    janus: int  # the Janus session
    publisher: int  # its VideoRoom publisher handle
    subscriber: int | None = None  # its multistream subscriber handle, once there are feeds
    published: bool = False
    # Feeds asked for (or received); feeds to ask for once the offer in flight is answered.
    subscribed: set[int] = field(default_factory=set)
    queued: set[int] = field(default_factory=set)
    negotiating: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    gone: bool = False


class GroupCalls:
    def __init__(
        self,
        *,
        settings: Settings,
        store: CallStore,
        rosters: RosterCache,
        publisher: Publisher,
    ) -> None:
        self._settings = settings
        self._store = store
        self._rosters = rosters
        self._publisher = publisher
        self._janus: JanusClient | None = None
        if settings.janus_url:
            self._janus = JanusClient(
                settings.janus_url,
                settings.janus_api_secret,
                timeout=settings.janus_timeout_seconds,
                keepalive_seconds=settings.janus_keepalive_seconds,
                on_event=self._on_event,
                on_lost=self._on_lost,
            )
        self._control: tuple[int, int] | None = None
        self._control_lock = asyncio.Lock()
        self._peers: dict[tuple[int, int], Peer] = {}
        self._by_janus: dict[int, Peer] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeps = PeriodicFlush(
            self._sweep, every=settings.call_sweep_seconds, name="group call sweep", last=False
        )
        self._sweeps_done = 0

    @property
    def available(self) -> bool:
        return self._janus is not None

    @property
    def _lost_ms(self) -> int:
        return int(self._settings.call_lost_seconds * 1000)

    def _limit(self, media: CallMedia) -> int:
        if media is CallMedia.VIDEO:
            return self._settings.call_group_max_video
        return self._settings.call_group_max_voice

    # Starting, joining, leaving

    async def do_start(self, actor: Actor, roster: Roster, media: CallMedia) -> dict[str, Any]:
        """Start the group's call, or join the one that is live (whatever its media)."""
        if self._janus is None:
            raise unavailable()
        await self._control_handle()  # Janus is there before anything is written
        now = now_ms()
        for _ in range(3):
            try:
                call, started = await self._store.start_group(
                    conversation_id=roster.conversation_id,
                    starter_id=actor.user_id,
                    session_id=actor.session_id,
                    media=media,
                    now=now,
                    lost_deadline=now + self._lost_ms,
                    max_participants=self._limit(media),
                )
                break
            except CallOver:
                continue  # the live call ended in between: start a new one
            except InAnotherCall:
                raise _in_another_call() from None
            except CallFull:
                raise _full() from None
        else:
            raise TidingsError(ErrorCode.CONFLICT, "the call keeps changing: try again")
        if started is not None:
            await self._publisher.entry_to_members(started, roster)
        return await self._enter(actor, call, roster)

    async def do_join(self, actor: Actor, call: Call) -> dict[str, Any]:
        if self._janus is None:
            raise unavailable()
        roster = await self._rosters.access(call.conversation_id, actor.user_id)
        if call.state is CallState.ENDED:
            raise _ended()
        await self._control_handle()
        now = now_ms()
        try:
            joined = await self._store.join_group(
                call.id,
                user_id=actor.user_id,
                session_id=actor.session_id,
                now=now,
                lost_deadline=now + self._lost_ms,
                max_participants=self._limit(call.media),
            )
        except CallOver:
            raise _ended() from None
        except InAnotherCall:
            raise _in_another_call() from None
        except CallFull:
            raise _full() from None
        return await self._enter(actor, joined, roster)

    async def _enter(self, actor: Actor, call: Call, roster: Roster) -> dict[str, Any]:
        """Give the member's device its Janus session in the call's room; tell the group."""
        try:
            await self._attach(actor, call)
        except JanusError as error:
            logger.warning("joining janus room %s failed: %s", call.id, error)
            await self._leave(call.id, actor.user_id, session_id=actor.session_id)
            raise unavailable() from None
        await self._tell(call, roster)
        return call.to_wire()

    async def do_leave(self, actor: Actor, call: Call) -> dict[str, Any]:
        """Leave the call (the last one out ends it). A call left already is returned."""
        await self._drop(call.id, actor.user_id)
        after = await self._leave(call.id, actor.user_id, session_id=actor.session_id)
        return (after or call).to_wire()

    async def _leave(
        self,
        call_id: int,
        user_id: int,
        *,
        session_id: int | None = None,
        lost_before: int | None = None,
    ) -> Call | None:
        left = await self._store.leave_group(
            call_id, user_id, now=now_ms(), session_id=session_id, lost_before=lost_before
        )
        if left is None:
            return None
        call, ended = left
        await self._after_change(call, ended)
        return call

    async def _after_change(self, call: Call, ended: Entry | None) -> None:
        roster = await self._rosters.get(call.conversation_id)
        if ended is not None:
            if roster is not None:
                await self._publisher.entry_to_members(ended, roster)
            else:
                await self._publisher.entry(ended, tuple(p.user_id for p in call.participants))
            await self._destroy_room(call.id)
            for peer in [p for p in self._peers.values() if p.call_id == call.id]:
                await self._drop(peer.call_id, peer.user_id)
        await self._tell(call, roster)

    async def _tell(self, call: Call, roster: Roster | None) -> None:
        """Every member of the group, on every device: the call started, who is in it now,
        or that it ended (the group shows "call in progress — join")."""
        users = tuple(roster.members) if roster is not None else tuple(call.live_user_ids)
        await self._publisher.frame(
            users, events.frame(events.PushEvent.CALL_GROUP, call.to_wire())
        )

    # Media

    async def do_publish(self, actor: Actor, call: Call, sdp: str) -> dict[str, Any]:
        """The device's offer of what it sends; Janus's answer."""
        janus = self._require()
        peer = self._peer_of(actor, call)
        async with peer.lock:
            try:
                answer = await janus.message(
                    peer.janus,
                    peer.publisher,
                    {"request": "configure", "audio": True, "video": True},
                    jsep={"type": "offer", "sdp": sdp},
                    wait_event=True,
                )
            except JanusError as error:
                raise _refused(error) from None
            jsep = answer.get("jsep")
            if not isinstance(jsep, dict):
                raise TidingsError(ErrorCode.INVALID_INPUT, "the SFU did not take this offer")
            peer.published = True
        found = _AUDIO_MID.search(sdp)
        await self._store.set_audio_mid(call.id, actor.user_id, found.group(1) if found else None)
        # What the others publish, now that this device is ready to receive it.
        feeds = await self._publishers(call.id)
        self._spawn(self._subscribe(peer, feeds))
        party = call.party(actor.user_id)
        if party is not None and party.host_muted:
            self._spawn(self._moderate(call.id, actor.user_id, True))
        return {"call_id": call.id, "description": {"type": jsep["type"], "sdp": jsep["sdp"]}}

    async def do_signal(self, actor: Actor, call: Call, a: CallSignalOp) -> None:
        """The device's answer to the SFU's offer (what it receives), or an ICE candidate of
        its publisher or subscriber connection."""
        janus = self._require()
        peer = self._peer_of(actor, call)
        if a.description is not None:
            if a.description.type != "answer":
                raise TidingsError(
                    ErrorCode.INVALID_INPUT, "in a group call, offers go by call.publish"
                )
            if peer.subscriber is None:
                raise TidingsError(ErrorCode.CONFLICT, "there is no offer to answer")
            async with peer.lock:
                try:
                    await janus.message(
                        peer.janus,
                        peer.subscriber,
                        {"request": "start"},
                        jsep=a.description.model_dump(),
                        wait_event=True,
                    )
                except JanusError as error:
                    raise _refused(error) from None
                finally:
                    peer.negotiating = False
                queued, peer.queued = peer.queued, set()
            if queued:
                self._spawn(self._subscribe(peer, queued))
            return
        assert a.candidate is not None
        handle = peer.subscriber if a.target == "subscriber" else peer.publisher
        if handle is None:
            raise TidingsError(ErrorCode.CONFLICT, "there is no such connection yet")
        candidate = a.candidate.model_dump(exclude_none=True)
        if not candidate.get("candidate"):
            candidate = {"completed": True}
        try:
            await janus.trickle(peer.janus, handle, candidate)
        except JanusError as error:
            raise _refused(error) from None

    async def do_media(self, actor: Actor, call: Call, a: CallMediaOp) -> dict[str, Any]:
        """What the member sends (mute, camera), and the keep-alive of their place."""
        if call.state is CallState.ENDED:
            raise _ended()
        party = call.live_party(actor.user_id)
        if party is None or party.session_id != actor.session_id:
            raise _not_here()
        if a.connection == "ok":
            await self._store.group_keep_alive(
                call.id, actor.user_id, actor.session_id, now_ms() + self._lost_ms
            )
        changed = (party.audio, party.video, party.screen) != (a.audio, a.video, a.screen)
        if not changed:
            return call.to_wire()
        await self._store.set_media(
            call.id, actor.user_id, audio=a.audio, video=a.video, screen=a.screen
        )
        if party.host_muted and a.audio:
            # Unmuting oneself lifts a host's mute (decision 0078).
            await self._moderate(call.id, actor.user_id, False)
        updated = await self._store.get(call.id)
        assert updated is not None
        await self._tell(updated, await self._rosters.get(call.conversation_id))
        return updated.to_wire()

    async def do_mute_member(self, actor: Actor, call: Call, user_id: int) -> dict[str, Any]:
        """A host (the group's owner or admins, or the call's starter) mutes a member: Janus
        stops forwarding their audio, and their device shows it."""
        roster = await self._rosters.access(call.conversation_id, actor.user_id)
        if call.state is CallState.ENDED:
            raise _ended()
        member = roster.member(actor.user_id)
        host = actor.user_id == call.caller_id or (
            member is not None and member.role in (Role.OWNER, Role.ADMIN)
        )
        if not host:
            raise TidingsError(
                ErrorCode.FORBIDDEN, "only the group's owner, its admins or the call's starter"
            )
        muted = await self._store.host_mute(call.id, user_id)
        if muted is False:
            raise TidingsError(ErrorCode.NOT_FOUND, "that member is not in the call")
        if self._janus is not None:
            await self._moderate(call.id, user_id, True)
        updated = await self._store.get(call.id)
        assert updated is not None
        await self._tell(updated, roster)
        return updated.to_wire()

    # The SFU

    def _require(self) -> JanusClient:
        if self._janus is None:
            raise unavailable()
        return self._janus

    def _peer_of(self, actor: Actor, call: Call) -> Peer:
        if call.state is CallState.ENDED:
            raise _ended()
        peer = self._peers.get((call.id, actor.user_id))
        if peer is None or peer.session_id != actor.session_id or peer.gone:
            raise _not_here()
        return peer

    async def _control_handle(self) -> tuple[int, int]:
        """This node's own Janus session and VideoRoom handle: rooms are made, muted and
        destroyed through it."""
        janus = self._require()
        control = self._control
        if control is not None:
            return control
        async with self._control_lock:
            if self._control is not None:
                return self._control
            try:
                session = await janus.create_session()
                handle = await janus.attach(session)
            except JanusError as error:
                logger.warning("janus is not reachable: %s", error)
                raise unavailable() from None
            self._control = (session, handle)
            return self._control

    async def _room(self, call: Call) -> None:
        janus = self._require()
        session, handle = await self._control_handle()
        try:
            await janus.message(
                session,
                handle,
                {
                    "request": "create",
                    "room": call.id,
                    "description": f"tidings call {call.id}",
                    "publishers": self._limit(call.media),
                    "audiolevel_event": True,
                    "audio_active_packets": self._settings.call_talking_packets,
                    "audio_level_average": self._settings.call_talking_level,
                    "notify_joining": True,
                    "bitrate": 512_000 if call.media is CallMedia.VIDEO else 64_000,
                    "fir_freq": 10,
                },
            )
        except JanusError as error:
            if error.code != ROOM_EXISTS:
                raise

    async def _destroy_room(self, call_id: int) -> None:
        if self._janus is None:
            return
        with contextlib.suppress(JanusError, TidingsError):
            session, handle = await self._control_handle()
            await self._janus.message(session, handle, {"request": "destroy", "room": call_id})

    async def _moderate(self, call_id: int, user_id: int, mute: bool) -> None:
        if self._janus is None:
            return
        mid = await self._store.audio_mid(call_id, user_id)
        if mid is None:
            return  # nothing published yet: muted when it is (do_publish)
        with contextlib.suppress(JanusError, TidingsError):
            session, handle = await self._control_handle()
            await self._janus.message(
                session,
                handle,
                {"request": "moderate", "room": call_id, "id": user_id, "mid": mid, "mute": mute},
            )

    async def _publishers(self, call_id: int) -> set[int]:
        janus = self._require()
        session, handle = await self._control_handle()
        try:
            listed = await janus.message(
                session, handle, {"request": "listparticipants", "room": call_id}
            )
        except JanusError:
            return set()
        data = _data(listed) or {}
        return {int(p["id"]) for p in data.get("participants", []) if p.get("publisher") is True}

    async def _attach(self, actor: Actor, call: Call) -> None:
        janus = self._require()
        await self._drop(call.id, actor.user_id)  # this node's older device of theirs
        await self._room(call)
        session = await janus.create_session()
        try:
            handle = await janus.attach(session)
            join = {
                "request": "join",
                "ptype": "publisher",
                "room": call.id,
                "id": actor.user_id,
                "display": str(actor.user_id),
            }
            try:
                await janus.message(session, handle, join, wait_event=True)
            except JanusError as error:
                if error.code != ID_EXISTS:
                    raise
                # Their earlier device's feed (on another node, or a session not yet gone):
                # out it goes.
                control, control_handle = await self._control_handle()
                with contextlib.suppress(JanusError):
                    await janus.message(
                        control,
                        control_handle,
                        {"request": "kick", "room": call.id, "id": actor.user_id},
                    )
                await janus.message(session, handle, join, wait_event=True)
        except BaseException:
            await janus.destroy_session(session)
            raise
        peer = Peer(
            call_id=call.id,
            user_id=actor.user_id,
            session_id=actor.session_id,
            connection_id=actor.connection_id,
            janus=session,
            publisher=handle,
        )
        self._peers[(call.id, actor.user_id)] = peer
        self._by_janus[session] = peer

    async def _subscribe(self, peer: Peer, feeds: set[int]) -> None:
        """Ask Janus for these feeds on the peer's subscriber handle; its offer goes to the
        device. One negotiation at a time: feeds asked for meanwhile wait their turn."""
        janus = self._janus
        if janus is None:
            return
        async with peer.lock:
            wanted = feeds - peer.subscribed - {peer.user_id}
            if peer.gone or not wanted:
                return
            if peer.negotiating:
                peer.queued |= wanted
                return
            try:
                answer = await self._ask(janus, peer, wanted)
            except JanusError as error:
                if error.code != NO_SUCH_FEED or len(wanted) == 1:
                    logger.info("subscribing to %s failed: %s", wanted, error)
                    return
                # One of them left meanwhile: the others one by one.
                for feed in wanted:
                    with contextlib.suppress(JanusError):
                        answer = await self._ask(janus, peer, {feed})
                        if answer.get("jsep") is not None:
                            peer.queued |= wanted - peer.subscribed
                            break
                else:
                    return
            await self._offer(peer, answer)

    async def _ask(self, janus: JanusClient, peer: Peer, feeds: set[int]) -> dict[str, Any]:
        streams = [{"feed": feed} for feed in sorted(feeds)]
        if peer.subscriber is None:
            handle = await janus.attach(peer.janus)
            try:
                answer = await janus.message(
                    peer.janus,
                    handle,
                    {
                        "request": "join",
                        "ptype": "subscriber",
                        "room": peer.call_id,
                        "streams": streams,
                        "use_msid": True,
                    },
                    wait_event=True,
                )
            except JanusError:
                with contextlib.suppress(JanusError):
                    await janus.request({"janus": "detach"}, session=peer.janus, handle=handle)
                raise
            peer.subscriber = handle
        else:
            answer = await janus.message(
                peer.janus,
                peer.subscriber,
                {"request": "update", "subscribe": streams},
                wait_event=True,
            )
        peer.subscribed |= feeds
        return answer

    async def _offer(self, peer: Peer, message: dict[str, Any]) -> None:
        jsep = message.get("jsep")
        if not isinstance(jsep, dict) or jsep.get("type") != "offer":
            return
        peer.negotiating = True
        data = _data(message) or {}
        streams = [
            {
                "mid": s.get("mid"),
                "type": s.get("type"),
                "user_id": s.get("feed_id"),
                "active": s.get("active", True),
            }
            for s in data.get("streams", [])
            if isinstance(s, dict)
        ]
        await self._publisher.to_sessions(
            (peer.session_id,),
            events.frame(
                events.PushEvent.CALL_GROUP_SIGNAL,
                {
                    "call_id": peer.call_id,
                    "description": {"type": "offer", "sdp": jsep["sdp"]},
                    "streams": streams,
                },
            ),
        )

    def _on_event(self, session: int, handle: int | None, message: dict[str, Any]) -> None:
        peer = self._by_janus.get(session)
        if peer is None or peer.gone:
            return
        kind = message.get("janus")
        data = _data(message) or {}
        if kind == "event" and handle == peer.publisher:
            room_event = data.get("videoroom")
            if room_event in ("talking", "stopped-talking"):
                self._spawn(
                    self._publisher.to_sessions(
                        (peer.session_id,),
                        events.frame(
                            events.PushEvent.CALL_TALKING,
                            {
                                "call_id": peer.call_id,
                                "user_id": data.get("id"),
                                "talking": room_event == "talking",
                            },
                        ),
                    )
                )
            elif room_event == "destroyed":
                self._spawn(self._destroy(peer))
            publishers = data.get("publishers")
            if isinstance(publishers, list) and peer.published:
                feeds = {int(p["id"]) for p in publishers if isinstance(p, dict) and "id" in p}
                self._spawn(self._subscribe(peer, feeds))
            for key in ("unpublished", "leaving"):
                gone = data.get(key)
                if isinstance(gone, int):
                    peer.subscribed.discard(gone)
                    peer.queued.discard(gone)
        elif kind == "event" and handle is not None and handle == peer.subscriber:
            # Janus renegotiates by itself when a feed one receives goes away.
            if message.get("jsep") is not None:
                self._spawn(self._offer(peer, message))
        elif kind in ("timeout", "detached") and handle is None:
            self._forget(peer)

    def _on_lost(self) -> None:
        """Janus destroyed every session of this node with the connection: the devices
        find their media gone and join again."""
        self._control = None
        for peer in list(self._peers.values()):
            self._forget(peer)

    def _forget(self, peer: Peer) -> None:
        peer.gone = True
        if self._peers.get((peer.call_id, peer.user_id)) is peer:
            del self._peers[(peer.call_id, peer.user_id)]
        self._by_janus.pop(peer.janus, None)
        if self._janus is not None:
            self._janus.forget(peer.janus)

    async def _drop(self, call_id: int, user_id: int) -> None:
        """Destroy the member's Janus session on this node, if it has one: Janus takes
        their feed out of the room and tells the others."""
        peer = self._peers.get((call_id, user_id))
        if peer is not None:
            await self._destroy(peer)

    async def _destroy(self, peer: Peer) -> None:
        """This session, not whichever is the member's by the time this runs (a device that
        reconnected may have made a new one meanwhile)."""
        if peer.gone:
            return
        self._forget(peer)
        if self._janus is not None:
            await self._janus.destroy_session(peer.janus)

    def disconnected(self, connection_id: str) -> None:
        """A WebSocket closed: its devices' Janus sessions go (their place in the call stays
        until the keep-alive deadline: a device that reconnects joins again)."""
        for peer in [p for p in self._peers.values() if p.connection_id == connection_id]:
            self._forget(peer)  # at once: nothing reaches it from now on
            if self._janus is not None:
                self._spawn(self._janus.destroy_session(peer.janus))

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # Reading

    async def live(self, actor: Actor) -> dict[str, Any]:
        calls = await self._store.live_group_calls(actor.user_id)
        return {"calls": [c.to_wire() for c in calls], "available": self.available}

    # The sweep

    async def sweep_once(self) -> int:
        """Take out the members whose media stopped being reported; the last one out ends
        the call. Also drops this node's Janus sessions of members no longer in a call."""
        done = 0
        now = now_ms()
        for call_id, user_id in await self._store.lost_members(now, _SWEEP_BATCH):
            await self._drop(call_id, user_id)
            if await self._leave(call_id, user_id, lost_before=now) is not None:
                done += 1
        self._sweeps_done += 1
        if self._peers and self._sweeps_done % 5 == 0:
            for peer in list(self._peers.values()):
                call = await self._store.get(peer.call_id)
                party = None if call is None else call.live_party(peer.user_id)
                if party is None or party.session_id != peer.session_id:
                    await self._destroy(peer)
        return done

    async def _sweep(self) -> None:
        await self.sweep_once()

    def start(self) -> None:
        self._sweeps.start()

    async def stop(self) -> None:
        await self._sweeps.stop()
        for task in list(self._tasks):
            task.cancel()
        if self._janus is not None:
            for peer in list(self._peers.values()):
                await self._drop(peer.call_id, peer.user_id)
            if self._control is not None:
                await self._janus.destroy_session(self._control[0])
            await self._janus.close()


def _in_another_call() -> TidingsError:
    return TidingsError(ErrorCode.IN_ANOTHER_CALL, "you are already in a call: hang up first")


def _full() -> TidingsError:
    return TidingsError(ErrorCode.CALL_FULL, "the call has as many people as it may")


def _refused(error: JanusError) -> TidingsError:
    if error.code == -1:
        return unavailable()
    return TidingsError(ErrorCode.INVALID_INPUT, f"the SFU refused: {error.reason}")
