"""One-to-one calls (PRODUCT.md G1, G2; decision 0074): ring, answer, decline, hang up,
relay the WebRTC signalling, and end what rang or lost its media for too long.

The store's conditional updates decide every race (two devices answering, an answer
against a hang-up, the sweeps of several nodes); this module checks who may do what and
tells both parties' devices, on whichever node they are, after each change is committed.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from tidings.actions.context import Actor
from tidings.actions.group_calls import GroupCalls
from tidings.actions.periodic import PeriodicFlush
from tidings.actions.publisher import Publisher
from tidings.actions.rosters import RosterCache
from tidings.actions.site_settings import SiteSettingsActions
from tidings.call_schemas import CallMediaOp, CallPublishOp, CallSignalOp
from tidings.config import Settings
from tidings.domain import events
from tidings.domain.calls import (
    Call,
    CallMedia,
    CallState,
    EndReason,
    Hangup,
    turn_credentials,
)
from tidings.domain.clock import now_ms
from tidings.domain.conversations import ConversationType
from tidings.domain.entries import Entry
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.limits import Limits
from tidings.store.calls import CallStore, InAnotherCall
from tidings.store.contacts import ContactStore

logger = logging.getLogger(__name__)
_SWEEP_BATCH = 100
# A state moved under us (another device, node or sweep) is read again this many times.
_RETRIES = 4


def _no_such_call() -> TidingsError:
    # One answer whether the call exists or is someone else's: ids are not probed.
    return TidingsError(ErrorCode.NOT_FOUND, "no such call")


def _ended() -> TidingsError:
    return TidingsError(ErrorCode.CALL_ENDED, "this call has ended")


class Calls:
    def __init__(
        self,
        *,
        settings: Settings,
        store: CallStore,
        contacts: ContactStore,
        rosters: RosterCache,
        publisher: Publisher,
        limits: Limits,
        site: SiteSettingsActions,
        group: GroupCalls,
    ) -> None:
        self._settings = settings
        self.group = group
        self._site = site
        self._store = store
        self._contacts = contacts
        self._rosters = rosters
        self._publisher = publisher
        self._limits = limits
        # Every node sweeps: the conditional updates let one of them end each call.
        self._sweeps = PeriodicFlush(
            self._sweep, every=settings.call_sweep_seconds, name="call sweep", last=False
        )

    @property
    def _lost_ms(self) -> int:
        return int(self._settings.call_lost_seconds * 1000)

    # Ringing

    async def do_start(
        self, actor: Actor, *, conversation_id: int, media: CallMedia
    ) -> dict[str, Any]:
        """Ring the other member of a direct chat on all their devices. A callee already in
        a call makes the call end at once as "busy" (returned ended, with its entry)."""
        # The site settings' switches (decision 0057): voice calls, video calls.
        self._site.require("video_calls" if media is CallMedia.VIDEO else "voice_calls")
        roster = await self._rosters.access(conversation_id, actor.user_id)
        if roster.type is ConversationType.GROUP:
            # Group calls go through the SFU (decision 0078); starts are rate limited alike.
            if not self.group.available:
                raise TidingsError(
                    ErrorCode.GROUP_CALLS_UNAVAILABLE,
                    "group calls need an SFU (Janus) — ask your administrator",
                )
            await self._limits.hit("call_start", actor.user_id)
            return await self.group.do_start(actor, roster, media)
        if roster.type is not ConversationType.DIRECT:
            raise TidingsError(ErrorCode.CALLS_DIRECT_ONLY, "calls are for direct chats and groups")
        others = [u for u in roster.members if u != actor.user_id]
        if not others:
            raise TidingsError(ErrorCode.NOT_FOUND, "nobody else is in this chat")
        callee = others[0]
        if await self._contacts.blockers_of(actor.user_id, [callee]):
            raise TidingsError(ErrorCode.BLOCKED, "the recipient does not accept your calls")
        await self._limits.hit("call_start", actor.user_id)
        now = now_ms()
        try:
            call, busy = await self._store.start(
                conversation_id=conversation_id,
                caller_id=actor.user_id,
                callee_id=callee,
                session_id=actor.session_id,
                media=media,
                now=now,
                ring_deadline=now + int(self._settings.call_ring_seconds * 1000),
                # The caller's device reports while it rings; if it vanishes (closed,
                # crashed, offline), the call is cancelled at this deadline, not left ringing.
                lost_deadline=now + self._lost_ms,
            )
        except InAnotherCall:
            raise TidingsError(
                ErrorCode.IN_ANOTHER_CALL, "you are already in a call: hang up first"
            ) from None
        if busy is not None:
            await self._ended(call, busy)
            return call.to_wire()
        wire = call.to_wire()
        await self._publisher.frame((callee,), events.frame(events.PushEvent.CALL_INCOMING, wire))
        # The caller's other devices show the call as going on elsewhere.
        await self._publisher.frame(
            (actor.user_id,),
            events.frame(events.PushEvent.CALL_UPDATED, wire),
            exclude_connection=actor.connection_id,
        )
        return wire

    async def do_accept(self, actor: Actor, *, call_id: int) -> dict[str, Any]:
        """Answer on this device. Of several devices answering at once, one wins; the
        others get ``call_answered_elsewhere`` and every device of both is told."""
        call = await self._party(actor, call_id)
        if call.is_group:
            return await self.group.do_join(actor, call)
        if call.callee_id != actor.user_id:
            raise TidingsError(ErrorCode.FORBIDDEN, "only the person called answers")
        now = now_ms()
        if call.state is CallState.RINGING and await self._store.accept(
            call_id,
            user_id=actor.user_id,
            session_id=actor.session_id,
            now=now,
            lost_deadline=now + self._lost_ms,
        ):
            answered = await self._get(call_id)
            wire = answered.to_wire()
            await self._publisher.frame(
                _parties(answered),
                events.frame(events.PushEvent.CALL_ACCEPTED, wire),
            )
            return wire
        call = await self._get(call_id)
        if call.state is CallState.ACTIVE:
            party = call.party(actor.user_id)
            if party is not None and party.session_id == actor.session_id:
                return call.to_wire()  # answered here already: the same answer again
            raise TidingsError(
                ErrorCode.CALL_ANSWERED_ELSEWHERE, "the call was answered on another device"
            )
        raise _ended()

    async def do_decline(self, actor: Actor, *, call_id: int) -> dict[str, Any]:
        call = await self._party(actor, call_id)
        if call.is_group:
            raise TidingsError(ErrorCode.CONFLICT, "a group call does not ring: just stay out")
        if call.callee_id != actor.user_id:
            raise TidingsError(ErrorCode.FORBIDDEN, "only the person called declines")
        ended = await self._store.end(
            call_id, seen=CallState.RINGING, reason=EndReason.DECLINED, now=now_ms()
        )
        if ended is None:
            call = await self._get(call_id)
            if call.state is CallState.ACTIVE:
                raise TidingsError(
                    ErrorCode.CALL_ANSWERED_ELSEWHERE, "the call was answered on another device"
                )
            raise _ended()
        await self._ended(*ended)
        return ended[0].to_wire()

    async def do_hangup(self, actor: Actor, *, call_id: int) -> dict[str, Any]:
        """End the call: cancelled by the caller while it rings, declined by the callee,
        or over (with its duration) once answered. An ended call is returned as it is."""
        call = await self._party(actor, call_id)
        if call.is_group:
            return await self.group.do_leave(actor, call)
        for _ in range(_RETRIES):
            if call.state is CallState.ENDED:
                return call.to_wire()
            if call.state is CallState.RINGING:
                reason = (
                    EndReason.CANCELLED if actor.user_id == call.caller_id else EndReason.DECLINED
                )
                ended = await self._store.end(
                    call_id, seen=CallState.RINGING, reason=reason, now=now_ms()
                )
            else:
                ended = await self._store.end(
                    call_id,
                    seen=CallState.ACTIVE,
                    reason=EndReason.ENDED,
                    now=now_ms(),
                    hangup=Hangup.HANGUP,
                )
            if ended is not None:
                await self._ended(*ended)
                return ended[0].to_wire()
            call = await self._get(call_id)
        raise TidingsError(ErrorCode.CONFLICT, "the call keeps changing: try again")

    # In the call

    async def do_signal(self, actor: Actor, a: CallSignalOp) -> None:
        """Relay an offer, answer or ICE candidate to the other party's device in the call."""
        if (a.description is None) == (a.candidate is None):
            raise TidingsError(
                ErrorCode.INVALID_INPUT, "a signal carries a description or a candidate"
            )
        if a.description is not None:
            size = len(a.description.sdp.encode())
            if size > self._settings.call_signal_max_bytes:
                raise TidingsError(
                    ErrorCode.PAYLOAD_TOO_LARGE,
                    f"an SDP is limited to {self._settings.call_signal_max_bytes} bytes",
                    details={"limit": self._settings.call_signal_max_bytes, "size": size},
                )
        call = await self._party(actor, a.call_id)
        if call.is_group:
            await self.group.do_signal(actor, call, a)
            return
        target = self._in_call(actor, call)
        data: dict[str, Any] = {"call_id": call.id, "from_user_id": actor.user_id}
        if a.description is not None:
            data["description"] = a.description.model_dump()
        if a.candidate is not None:
            data["candidate"] = a.candidate.model_dump()
        await self._publisher.to_sessions(
            (target,), events.frame(events.PushEvent.CALL_SIGNAL, data)
        )

    async def do_media(self, actor: Actor, a: CallMediaOp) -> dict[str, Any]:
        """This device's microphone, camera and screen, and whether its media flows."""
        call = await self._party(actor, a.call_id)
        if call.is_group:
            return await self.group.do_media(actor, call, a)
        if call.state is CallState.ENDED:
            raise _ended()
        party = call.party(actor.user_id)
        if call.state is CallState.RINGING and actor.user_id != call.caller_id:
            raise TidingsError(ErrorCode.CONFLICT, "the call has not been answered")
        if party is None or party.session_id != actor.session_id:
            raise TidingsError(ErrorCode.FORBIDDEN, "this device is not in the call")
        changed = (party.audio, party.video, party.screen) != (a.audio, a.video, a.screen)
        if changed:
            await self._store.set_media(
                call.id, actor.user_id, audio=a.audio, video=a.video, screen=a.screen
            )
        # "ok" keeps the call alive (the caller's device while it rings, any device in the
        # call once answered); "lost" does not, and the deadline runs out unless the media
        # comes back (decision 0074).
        if a.connection == "ok":
            await self._store.keep_alive(call.id, call.state, now_ms() + self._lost_ms)
        if not changed:
            # A keep-alive (every 5 s a device): the call as read, no second read.
            return call.to_wire()
        updated = await self._get(call.id)
        wire = updated.to_wire()
        await self._publisher.frame(
            _parties(updated),
            events.frame(events.PushEvent.CALL_UPDATED, wire),
        )
        return wire

    # Group calls (decision 0078)

    async def do_join(self, actor: Actor, *, call_id: int) -> dict[str, Any]:
        call = await self._party(actor, call_id)
        if not call.is_group:
            raise TidingsError(ErrorCode.CONFLICT, "only group calls are joined")
        return await self.group.do_join(actor, call)

    async def do_publish(self, actor: Actor, a: CallPublishOp) -> dict[str, Any]:
        if a.description.type != "offer":
            raise TidingsError(ErrorCode.INVALID_INPUT, "publish an offer")
        self._check_sdp(a.description.sdp)
        call = await self._party(actor, a.call_id)
        if not call.is_group:
            raise TidingsError(ErrorCode.CONFLICT, "only group calls publish to the SFU")
        return await self.group.do_publish(actor, call, a.description.sdp)

    async def do_mute_member(self, actor: Actor, *, call_id: int, user_id: int) -> dict[str, Any]:
        call = await self._party(actor, call_id)
        if not call.is_group:
            raise TidingsError(ErrorCode.CONFLICT, "only in group calls")
        return await self.group.do_mute_member(actor, call, user_id)

    async def live(self, actor: Actor) -> dict[str, Any]:
        return await self.group.live(actor)

    def _check_sdp(self, sdp: str) -> None:
        size = len(sdp.encode())
        if size > self._settings.call_signal_max_bytes:
            raise TidingsError(
                ErrorCode.PAYLOAD_TOO_LARGE,
                f"an SDP is limited to {self._settings.call_signal_max_bytes} bytes",
                details={"limit": self._settings.call_signal_max_bytes, "size": size},
            )

    # Reading

    async def get(self, actor: Actor, *, call_id: int) -> dict[str, Any]:
        return (await self._party(actor, call_id)).to_wire()

    async def current(self, actor: Actor) -> dict[str, Any]:
        """The user's live call, for a device that (re)connects."""
        call = await self._store.current(actor.user_id)
        return {"call": None if call is None else call.to_wire()}

    def ice_servers(self, actor: Actor) -> dict[str, Any]:
        """STUN and TURN servers for RTCPeerConnection, with TURN credentials of this user
        that expire (decision 0074)."""
        servers: list[dict[str, Any]] = []
        stun = _urls(self._settings.call_stun_urls)
        if stun:
            servers.append({"urls": stun})
        turn = _urls(self._settings.call_turn_urls)
        ttl = self._settings.call_turn_ttl_seconds
        if turn and self._settings.call_turn_secret:
            username, credential = turn_credentials(
                self._settings.call_turn_secret, actor.user_id, now=int(time.time()), ttl=ttl
            )
            servers.append({"urls": turn, "username": username, "credential": credential})
        return {"ice_servers": servers, "ttl": ttl}

    # The deadlines

    async def sweep_once(self) -> int:
        """End the calls nobody answered in time (missed), those whose caller vanished while
        they rang (cancelled) and those whose media stayed lost (ended); how many ended. Safe
        on every node at once: each end is conditional."""
        done = 0
        for call_id, state, reason in await self._store.due(now_ms(), _SWEEP_BATCH):
            hangup = Hangup.LOST if reason is EndReason.ENDED else None
            ended = await self._store.end(
                call_id, seen=state, reason=reason, now=now_ms(), hangup=hangup
            )
            if ended is not None:
                await self._ended(*ended)
                done += 1
        return done

    def start(self) -> None:
        self._sweeps.start()
        self.group.start()

    async def stop(self) -> None:
        await self._sweeps.stop()
        await self.group.stop()

    async def _sweep(self) -> None:
        await self.sweep_once()

    # Internals

    async def _ended(self, call: Call, entry: Entry) -> None:
        roster = await self._rosters.get(call.conversation_id)
        if roster is not None:
            await self._publisher.entry_to_members(entry, roster)
        else:
            await self._publisher.entry(entry, _parties(call))
        await self._publisher.frame(
            _parties(call),
            events.frame(events.PushEvent.CALL_ENDED, call.to_wire()),
        )

    async def _get(self, call_id: int) -> Call:
        call = await self._store.get(call_id)
        if call is None:
            raise _no_such_call()
        return call

    async def _party(self, actor: Actor, call_id: int) -> Call:
        """The call, if the actor is a party of it (of a group call: a member of the group
        now; a former member is told it does not exist)."""
        call = await self._store.get(call_id)
        if call is None:
            raise _no_such_call()
        if call.is_group:
            roster = await self._rosters.get(call.conversation_id)
            if roster is None or actor.user_id not in roster.members:
                raise _no_such_call()
            return call
        if actor.user_id not in _parties(call):
            raise _no_such_call()
        return call

    @staticmethod
    def _in_call(actor: Actor, call: Call) -> int:
        """The other party's session, if the actor's device is the one in the call."""
        if call.state is CallState.ENDED:
            raise _ended()
        if call.state is CallState.RINGING:
            raise TidingsError(ErrorCode.CONFLICT, "the call has not been answered")
        mine = call.party(actor.user_id)
        theirs = call.party(call.other(actor.user_id))
        if mine is None or mine.session_id != actor.session_id:
            raise TidingsError(ErrorCode.FORBIDDEN, "this device is not in the call")
        assert theirs is not None and theirs.session_id is not None
        return theirs.session_id


def _parties(call: Call) -> tuple[int, ...]:
    return tuple(u for u in (call.caller_id, call.callee_id) if u is not None)


def _urls(setting: str) -> list[str]:
    return [u.strip() for u in setting.split(",") if u.strip()]
