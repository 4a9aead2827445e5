"""Calls and who is in them (decision 0074).

A live call has a ``lost_deadline``, moved on by every report of its devices that they are
there (``keep_alive``): the caller's while it rings, both parties' that their media flows
once answered. A call whose devices went away (tabs closed, a node gone, the network lost)
ends by the sweep, whatever happened to them: cancelled if the caller vanished while it
rang, ended (media lost) once answered.

Every change of a call's state is one conditional UPDATE (``WHERE state = <the state it
was seen in>``): PostgreSQL's row lock and SQLite's single writer order racing
transactions, and the loser's update matches no row. Ending a call frees both users' lines
and appends the call's entry to the conversation's log in the same transaction, so a call
ends once, with one entry, however many devices, nodes and sweeps reach it.
"""

from __future__ import annotations

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain.calls import (
    GROUP_STARTED,
    Call,
    CallKind,
    CallMedia,
    CallState,
    EndReason,
    Hangup,
    Participant,
    record_body,
)
from tidings.domain.entries import Entry, EntryKind, NewEntry
from tidings.store import log
from tidings.store.database import Database
from tidings.store.schema import call_participants, calls, members

_LIVE = 1  # call_participants.line while the call is live


class InAnotherCall(Exception):
    """The caller already has a live call."""


class CallFull(Exception):
    """The group call has as many participants as it may."""


class CallOver(Exception):
    """The group call ended before the join."""


class CallStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, call_id: int) -> Call | None:
        async with self._db.read("call_get") as conn:
            return await _call(conn, call_id)

    async def current(self, user_id: int) -> Call | None:
        """The user's live call (ringing or active), if any."""
        async with self._db.read("call_current") as conn:
            call_id = (
                await conn.execute(
                    select(call_participants.c.call_id).where(
                        call_participants.c.user_id == user_id,
                        call_participants.c.line == _LIVE,
                    )
                )
            ).scalar()
            return None if call_id is None else await _call(conn, int(call_id))

    async def start(
        self,
        *,
        conversation_id: int,
        caller_id: int,
        callee_id: int,
        session_id: int,
        media: CallMedia,
        now: int,
        ring_deadline: int,
        lost_deadline: int,
    ) -> tuple[Call, Entry | None]:
        """A new ringing call, which ends at ``lost_deadline`` unless the caller's device
        reports that it is still there; or, if the callee is in another call, one that ended
        "busy" at once, with its entry. Raises InAnotherCall if the caller is."""
        video = media is CallMedia.VIDEO
        async with self._db.write("call_start") as conn:
            call_id = int(
                (
                    await conn.execute(
                        insert(calls)
                        .values(
                            conversation_id=conversation_id,
                            caller_id=caller_id,
                            callee_id=callee_id,
                            media=media.value,
                            state=CallState.RINGING.value,
                            created_at=now,
                            ring_deadline=ring_deadline,
                            lost_deadline=lost_deadline,
                        )
                        .returning(calls.c.id)
                    )
                ).scalar_one()
            )
            if not await self._take_line(conn, call_id, caller_id, session_id, video=video):
                raise InAnotherCall
            if await self._take_line(conn, call_id, callee_id, None, video=video):
                call = await _call(conn, call_id)
                assert call is not None
                return call, None
            # Busy: the callee's line is taken. The call ends at once, and says so.
            await conn.execute(
                insert(call_participants).values(
                    call_id=call_id,
                    user_id=callee_id,
                    session_id=None,
                    line=None,
                    audio=True,
                    video=video,
                    screen=False,
                )
            )
            ended = await _end(conn, call_id, CallState.RINGING, EndReason.BUSY, now, None)
            assert ended is not None
            return ended

    async def accept(
        self, call_id: int, *, user_id: int, session_id: int, now: int, lost_deadline: int
    ) -> bool:
        """The callee answered on this device: True if it won (the call rang until now).
        The call lives until ``lost_deadline`` unless its devices report that media flows."""
        async with self._db.write("call_accept") as conn:
            won = await conn.execute(
                update(calls)
                .where(
                    calls.c.id == call_id,
                    calls.c.state == CallState.RINGING.value,
                    calls.c.callee_id == user_id,
                )
                .values(state=CallState.ACTIVE.value, accepted_at=now, lost_deadline=lost_deadline)
            )
            if won.rowcount != 1:
                return False
            await conn.execute(
                update(call_participants)
                .where(
                    call_participants.c.call_id == call_id,
                    call_participants.c.user_id == user_id,
                )
                .values(session_id=session_id)
            )
            return True

    async def end(
        self,
        call_id: int,
        *,
        seen: CallState,
        reason: EndReason,
        now: int,
        hangup: Hangup | None = None,
    ) -> tuple[Call, Entry] | None:
        """End the call if it is still in state ``seen``; None if something else moved it
        first (the caller then reads it again)."""
        async with self._db.write("call_end") as conn:
            ended = await _end(conn, call_id, seen, reason, now, hangup)
            if ended is None:
                return None
            call, entry = ended
            assert entry is not None
            return call, entry

    async def set_media(
        self, call_id: int, user_id: int, *, audio: bool, video: bool, screen: bool
    ) -> bool:
        async with self._db.write("call_media") as conn:
            changed = await conn.execute(
                update(call_participants)
                .where(
                    call_participants.c.call_id == call_id,
                    call_participants.c.user_id == user_id,
                    call_participants.c.line == _LIVE,
                )
                # Unmuting oneself lifts a host's mute (decision 0078).
                .values(
                    audio=audio,
                    video=video,
                    screen=screen,
                    **({"host_muted": False} if audio else {}),
                )
            )
            return changed.rowcount == 1

    async def keep_alive(self, call_id: int, state: CallState, deadline: int) -> bool:
        """A device of the call says it is there (the caller's while it rings, or one whose
        media flows once answered): the call lives until ``deadline`` at least (the sweep
        ends it after that unless another report comes). Nothing if the state moved on."""
        async with self._db.write("call_alive") as conn:
            changed = await conn.execute(
                update(calls)
                .where(calls.c.id == call_id, calls.c.state == state.value)
                .values(lost_deadline=deadline)
            )
            return changed.rowcount == 1

    async def due(self, now: int, limit: int) -> list[tuple[int, CallState, EndReason]]:
        """Calls past a deadline, with the state they are in and how they end: a ringing call
        nobody answered is missed; one whose caller stopped reporting first is cancelled; an
        active call whose media stayed lost is ended."""
        async with self._db.read("calls_due") as conn:
            rows = await conn.execute(
                select(calls.c.id, calls.c.state, calls.c.ring_deadline, calls.c.lost_deadline)
                .where(
                    or_(
                        and_(
                            calls.c.state == CallState.RINGING.value,
                            calls.c.ring_deadline <= now,
                        ),
                        and_(
                            calls.c.state.in_((CallState.RINGING.value, CallState.ACTIVE.value)),
                            calls.c.lost_deadline <= now,
                        ),
                    )
                )
                .limit(limit)
            )
            return [
                (
                    int(r.id),
                    CallState(r.state),
                    _due_reason(r.state, r.ring_deadline, r.lost_deadline),
                )
                for r in rows
            ]

    # Group calls (decision 0078)

    async def start_group(
        self,
        *,
        conversation_id: int,
        starter_id: int,
        session_id: int,
        media: CallMedia,
        now: int,
        lost_deadline: int,
        max_participants: int,
    ) -> tuple[Call, Entry | None]:
        """Start the group's call with the starter in it, or, if one is live (another member
        started it, perhaps at the same moment), join that one. The entry is the "started"
        record of a call this made, None for a join. Raises InAnotherCall (the starter's
        line is taken), CallFull."""
        dialect_insert = (sqlite if self._db.is_sqlite else postgresql).insert
        async with self._db.write("call_start_group") as conn:
            made = (
                await conn.execute(
                    dialect_insert(calls)
                    .values(
                        conversation_id=conversation_id,
                        caller_id=starter_id,
                        callee_id=None,
                        media=media.value,
                        state=CallState.ACTIVE.value,
                        created_at=now,
                        ring_deadline=now,
                        accepted_at=now,
                        kind=CallKind.GROUP.value,
                        live=_LIVE,
                        live_count=0,
                    )
                    .on_conflict_do_nothing()
                    .returning(calls.c.id)
                )
            ).scalar()
            if made is None:
                live = (
                    await conn.execute(
                        select(calls.c.id).where(
                            calls.c.conversation_id == conversation_id, calls.c.live == _LIVE
                        )
                    )
                ).scalar()
                if live is None:  # it ended between the two statements: the caller retries
                    raise CallOver
                call_id = int(live)
            else:
                call_id = int(made)
            await self._join(
                conn, call_id, starter_id, session_id, media, now, lost_deadline, max_participants
            )
            call = await _call(conn, call_id)
            assert call is not None
            if made is None:
                return call, None
            (entry,) = await log.append_entries(
                conn,
                [
                    NewEntry(
                        conversation_id=conversation_id,
                        sender_id=starter_id,
                        kind=EntryKind.CALL,
                        type=GROUP_STARTED,
                        body={"call_id": call_id, "media": media.value, "group": True},
                        client_msg_id=None,
                        created_at=now,
                    )
                ],
            )
            return call, entry

    async def join_group(
        self,
        call_id: int,
        *,
        user_id: int,
        session_id: int,
        now: int,
        lost_deadline: int,
        max_participants: int,
    ) -> Call:
        """Join (or, from another device, take over one's place in) a live group call.
        Raises CallOver, CallFull, InAnotherCall."""
        async with self._db.write("call_join") as conn:
            row = (await conn.execute(select(calls.c.media).where(calls.c.id == call_id))).first()
            if row is None:
                raise CallOver
            await self._join(
                conn,
                call_id,
                user_id,
                session_id,
                CallMedia(row.media),
                now,
                lost_deadline,
                max_participants,
            )
            call = await _call(conn, call_id)
            assert call is not None
            return call

    async def _join(
        self,
        conn: AsyncConnection,
        call_id: int,
        user_id: int,
        session_id: int,
        media: CallMedia,
        now: int,
        lost_deadline: int,
        max_participants: int,
    ) -> None:
        moved = await conn.execute(
            update(call_participants)
            .where(
                call_participants.c.call_id == call_id,
                call_participants.c.user_id == user_id,
                call_participants.c.line == _LIVE,
            )
            .values(session_id=session_id, lost_deadline=lost_deadline)
        )
        if moved.rowcount == 1:
            return  # in it already: this device takes the place
        # The limit holds under concurrency: the row lock (SQLite's single writer) orders the
        # joins, and each re-checks the count the one before it left.
        counted = await conn.execute(
            update(calls)
            .where(
                calls.c.id == call_id,
                calls.c.state == CallState.ACTIVE.value,
                calls.c.live_count < max_participants,
            )
            .values(live_count=calls.c.live_count + 1)
        )
        if counted.rowcount != 1:
            state = (
                await conn.execute(select(calls.c.state).where(calls.c.id == call_id))
            ).scalar()
            if state != CallState.ACTIVE.value:
                raise CallOver
            raise CallFull
        await conn.execute(
            delete(call_participants).where(
                call_participants.c.call_id == call_id,
                call_participants.c.user_id == user_id,
                call_participants.c.line.is_(None),
            )
        )
        if not await self._take_line(
            conn,
            call_id,
            user_id,
            session_id,
            video=media is CallMedia.VIDEO,
            joined_at=now,
            lost_deadline=lost_deadline,
            host_muted=False,
        ):
            raise InAnotherCall  # rolls the count back with the transaction

    async def _take_line(
        self,
        conn: AsyncConnection,
        call_id: int,
        user_id: int,
        session_id: int | None,
        *,
        video: bool,
        **more: object,
    ) -> bool:
        """Put a user on a call's live line; False if they are on another call's already
        (one live line per user, a unique index)."""
        dialect_insert = (sqlite if self._db.is_sqlite else postgresql).insert
        taken = await conn.execute(
            dialect_insert(call_participants)
            .values(
                call_id=call_id,
                user_id=user_id,
                session_id=session_id,
                line=_LIVE,
                audio=True,
                video=video,
                screen=False,
                **more,
            )
            .on_conflict_do_nothing()
        )
        return bool(taken.rowcount == 1)

    async def leave_group(
        self,
        call_id: int,
        user_id: int,
        *,
        now: int,
        session_id: int | None = None,
        lost_before: int | None = None,
    ) -> tuple[Call, Entry | None] | None:
        """Take the member out of the live group call (only if ``session_id`` is the device
        in it, or, for the sweep, if their deadline passed before ``lost_before``); the last
        one out ends it, with its "ended" entry. None if they were not in it (any more)."""
        async with self._db.write("call_leave") as conn:
            conditions = [
                call_participants.c.call_id == call_id,
                call_participants.c.user_id == user_id,
                call_participants.c.line == _LIVE,
            ]
            if session_id is not None:
                conditions.append(call_participants.c.session_id == session_id)
            if lost_before is not None:
                conditions.append(call_participants.c.lost_deadline <= lost_before)
            left = await conn.execute(
                update(call_participants).where(*conditions).values(line=None, lost_deadline=None)
            )
            if left.rowcount != 1:
                return None
            remaining = (
                await conn.execute(
                    update(calls)
                    .where(calls.c.id == call_id)
                    .values(live_count=calls.c.live_count - 1)
                    .returning(calls.c.live_count)
                )
            ).scalar_one()
            if int(remaining) <= 0:
                ended = await _end(conn, call_id, CallState.ACTIVE, EndReason.ENDED, now, None)
                if ended is not None:
                    return ended
            call = await _call(conn, call_id)
            assert call is not None
            return call, None

    async def group_keep_alive(
        self, call_id: int, user_id: int, session_id: int, deadline: int
    ) -> bool:
        async with self._db.write("call_alive") as conn:
            changed = await conn.execute(
                update(call_participants)
                .where(
                    call_participants.c.call_id == call_id,
                    call_participants.c.user_id == user_id,
                    call_participants.c.session_id == session_id,
                    call_participants.c.line == _LIVE,
                )
                .values(lost_deadline=deadline)
            )
            return changed.rowcount == 1

    async def lost_members(self, now: int, limit: int) -> list[tuple[int, int]]:
        """(call, user) of group call members whose keep-alive deadline passed."""
        async with self._db.read("calls_lost_members") as conn:
            rows = await conn.execute(
                select(call_participants.c.call_id, call_participants.c.user_id)
                .where(
                    call_participants.c.lost_deadline <= now,
                    call_participants.c.line == _LIVE,
                )
                .limit(limit)
            )
            return [(int(r.call_id), int(r.user_id)) for r in rows]

    async def host_mute(self, call_id: int, user_id: int) -> str | bool | None:
        """Mark the live member muted by a host; their audio mid (what Janus mutes), None
        if unknown, False if they are not in the call."""
        async with self._db.write("call_host_mute") as conn:
            row = (
                await conn.execute(
                    update(call_participants)
                    .where(
                        call_participants.c.call_id == call_id,
                        call_participants.c.user_id == user_id,
                        call_participants.c.line == _LIVE,
                    )
                    .values(host_muted=True, audio=False)
                    .returning(call_participants.c.audio_mid)
                )
            ).first()
            if row is None:
                return False
            return None if row.audio_mid is None else str(row.audio_mid)

    async def audio_mid(self, call_id: int, user_id: int) -> str | None:
        async with self._db.read("call_audio_mid") as conn:
            mid = (
                await conn.execute(
                    select(call_participants.c.audio_mid).where(
                        call_participants.c.call_id == call_id,
                        call_participants.c.user_id == user_id,
                    )
                )
            ).scalar()
            return None if mid is None else str(mid)

    async def set_audio_mid(self, call_id: int, user_id: int, mid: str | None) -> None:
        async with self._db.write("call_audio_mid") as conn:
            await conn.execute(
                update(call_participants)
                .where(
                    call_participants.c.call_id == call_id,
                    call_participants.c.user_id == user_id,
                )
                .values(audio_mid=mid)
            )

    async def live_group_calls(self, user_id: int) -> list[Call]:
        """The live calls of the groups the user is a member of."""
        async with self._db.read("calls_live") as conn:
            ids = (
                await conn.execute(
                    select(calls.c.id)
                    .join(
                        members,
                        and_(
                            members.c.conversation_id == calls.c.conversation_id,
                            members.c.user_id == user_id,
                            members.c.active.is_(True),
                        ),
                    )
                    .where(calls.c.live == _LIVE)
                )
            ).scalars()
            found = [await _call(conn, int(i)) for i in ids]
            return [c for c in found if c is not None]


def _due_reason(state: str, ring_deadline: int, lost_deadline: int | None) -> EndReason:
    if state == CallState.ACTIVE.value:
        return EndReason.ENDED
    # Ringing: whichever deadline came first says what happened.
    if lost_deadline is not None and lost_deadline < ring_deadline:
        return EndReason.CANCELLED
    return EndReason.MISSED


async def _call(conn: AsyncConnection, call_id: int) -> Call | None:
    row = (await conn.execute(select(calls).where(calls.c.id == call_id))).first()
    if row is None:
        return None
    parts = await conn.execute(
        select(call_participants).where(call_participants.c.call_id == call_id)
    )
    kind = CallKind(row.kind)
    by_user = {
        int(p.user_id): Participant(
            user_id=int(p.user_id),
            session_id=None if p.session_id is None else int(p.session_id),
            audio=bool(p.audio),
            video=bool(p.video),
            screen=bool(p.screen),
            # A one-to-one call's parties are in it as long as it lives.
            live=p.line == _LIVE or (kind is CallKind.DIRECT and row.state != "ended"),
            joined_at=None if p.joined_at is None else int(p.joined_at),
            host_muted=bool(p.host_muted),
        )
        for p in parts
    }
    caller = int(row.caller_id)
    callee = None if row.callee_id is None else int(row.callee_id)
    if kind is CallKind.GROUP:
        order = sorted(by_user.values(), key=lambda p: (p.joined_at or 0, p.user_id))
    else:
        order = [by_user[u] for u in (caller, callee) if u is not None and u in by_user]
    return Call(
        id=int(row.id),
        conversation_id=int(row.conversation_id),
        caller_id=caller,
        callee_id=callee,
        media=CallMedia(row.media),
        state=CallState(row.state),
        created_at=int(row.created_at),
        ring_deadline=int(row.ring_deadline),
        accepted_at=None if row.accepted_at is None else int(row.accepted_at),
        ended_at=None if row.ended_at is None else int(row.ended_at),
        end_reason=None if row.end_reason is None else EndReason(row.end_reason),
        lost_deadline=None if row.lost_deadline is None else int(row.lost_deadline),
        participants=tuple(order),
        kind=kind,
        live_count=int(row.live_count),
    )


async def _end(
    conn: AsyncConnection,
    call_id: int,
    seen: CallState,
    reason: EndReason,
    now: int,
    hangup: Hangup | None,
) -> tuple[Call, Entry | None] | None:
    won = await conn.execute(
        update(calls)
        .where(calls.c.id == call_id, calls.c.state == seen.value)
        # Only live calls keep a lost-media deadline: the sweep's index holds nothing else.
        .values(
            state=CallState.ENDED.value,
            ended_at=now,
            end_reason=reason.value,
            lost_deadline=None,
            live=None,
            live_count=0,
        )
    )
    if won.rowcount != 1:
        return None
    await conn.execute(
        update(call_participants)
        .where(call_participants.c.call_id == call_id)
        .values(line=None, lost_deadline=None)
    )
    call = await _call(conn, call_id)
    assert call is not None
    (entry,) = await log.append_entries(
        conn,
        [
            NewEntry(
                conversation_id=call.conversation_id,
                sender_id=call.caller_id,
                kind=EntryKind.CALL,
                type=reason.value,
                body=record_body(call, hangup),
                client_msg_id=None,
                created_at=now,
            )
        ],
    )
    return call, entry
