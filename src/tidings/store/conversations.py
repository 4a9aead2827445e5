"""Conversations, their members and each member's own view of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain.calls import EndReason
from tidings.domain.conversations import (
    ConversationType,
    Member,
    Readable,
    Role,
    Roster,
    history_floor,
)
from tidings.domain.entries import Entry, EntryKind, NewEntry, PrivateEntry, PrivateKind
from tidings.domain.groups import Admission, AdmissionRule
from tidings.store import log
from tidings.store.database import Database
from tidings.store.groups import settings_of
from tidings.store.schema import (
    conversations,
    entries,
    friendships,
    group_settings,
    hidden_entries,
    members,
)


@dataclass(frozen=True, slots=True)
class ConversationInfo:
    id: int
    type: ConversationType
    name: str
    last_seq: int
    last_activity_at: int
    created_at: int


@dataclass(frozen=True, slots=True)
class MemberView:
    """One member's own state in a conversation: positions and settings."""

    conversation: ConversationInfo
    role: Role
    visible_from_seq: int
    read_seq: int
    delivered_seq: int
    cleared_seq: int
    pinned: bool
    muted: bool
    draft: str
    # Set for a former member (``member_view(..., former=True)``): the last seq they may read.
    left_seq: int | None = None

    @property
    def history_floor(self) -> int:
        """Entries above this seq are the member's to see (history, previews, search)."""
        return history_floor(self.visible_from_seq, self.cleared_seq)

    @property
    def readable(self) -> Readable:
        return Readable(self.history_floor, self.left_seq)


@dataclass(frozen=True, slots=True)
class Position:
    user_id: int
    read_seq: int
    delivered_seq: int


SETTINGS_FIELDS = ("pinned", "muted", "draft")


def _info(row: Any) -> ConversationInfo:
    return ConversationInfo(
        id=row.id,
        type=ConversationType(row.type),
        name=row.name,
        last_seq=row.last_seq,
        last_activity_at=row.last_activity_at,
        created_at=row.created_at,
    )


def _member_view(row: Any) -> MemberView:
    return MemberView(
        conversation=_info(row),
        role=Role(row.role),
        visible_from_seq=row.visible_from_seq,
        read_seq=row.read_seq,
        delivered_seq=row.delivered_seq,
        cleared_seq=row.cleared_seq,
        pinned=bool(row.pinned),
        muted=bool(row.muted),
        draft=row.draft,
        left_seq=None if row.active else row.left_seq,
    )


_VIEW_COLUMNS = (
    conversations.c.id,
    conversations.c.type,
    conversations.c.name,
    conversations.c.last_seq,
    conversations.c.last_activity_at,
    conversations.c.created_at,
    members.c.role,
    members.c.visible_from_seq,
    members.c.read_seq,
    members.c.delivered_seq,
    members.c.cleared_seq,
    members.c.pinned,
    members.c.muted,
    members.c.draft,
    members.c.active,
    members.c.left_seq,
)


# The conversations a user may read, with what their readable part is made of; built once.
_READABLE = (
    select(
        conversations.c.id,
        conversations.c.last_seq,
        members.c.visible_from_seq,
        members.c.cleared_seq,
        members.c.active,
        members.c.left_seq,
    )
    .join(members, members.c.conversation_id == conversations.c.id)
    .where(
        members.c.user_id == bindparam("user"),
        or_(members.c.active.is_(True), members.c.left_seq.is_not(None)),
    )
)


def _still_or_formerly(former: bool) -> Any:
    """Members only, or (``former``) also those who left with a readable history."""
    if not former:
        return members.c.active.is_(True)
    return or_(members.c.active.is_(True), members.c.left_seq.is_not(None))


class ConversationStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    # Reading

    async def roster(self, conversation_id: int) -> Roster | None:
        async with self._db.read("roster") as conn:
            # The version first: members read after it are at least as new, so a removal
            # that this read misses has moved the version past it (decision 12).
            conv = (
                await conn.execute(
                    select(conversations.c.type, conversations.c.roster_version).where(
                        conversations.c.id == conversation_id
                    )
                )
            ).first()
            if conv is None:
                return None
            rows = await conn.execute(
                select(members.c.user_id, members.c.role, members.c.visible_from_seq).where(
                    members.c.conversation_id == conversation_id, members.c.active.is_(True)
                )
            )
            return Roster(
                conversation_id=conversation_id,
                type=ConversationType(conv.type),
                members={
                    r.user_id: Member(r.user_id, Role(r.role), r.visible_from_seq) for r in rows
                },
                version=conv.roster_version,
            )

    async def member_view(
        self, conversation_id: int, user_id: int, *, former: bool = False
    ) -> MemberView | None:
        """The user's own state in the conversation, if a member — or, with ``former``,
        once a member with a readable history (``MemberView.left_seq`` set)."""
        async with self._db.read("member_view") as conn:
            row = (
                await conn.execute(
                    select(*_VIEW_COLUMNS)
                    .join(members, members.c.conversation_id == conversations.c.id)
                    .where(
                        conversations.c.id == conversation_id,
                        members.c.user_id == user_id,
                        _still_or_formerly(former),
                    )
                )
            ).first()
        return _member_view(row) if row else None

    async def member_views(self, user_id: int) -> list[MemberView]:
        """Every conversation the user is in, with their own state in it."""
        async with self._db.read("member_views") as conn:
            rows = await conn.execute(
                select(*_VIEW_COLUMNS)
                .join(members, members.c.conversation_id == conversations.c.id)
                .where(members.c.user_id == user_id, members.c.active.is_(True))
            )
            return [_member_view(row) for row in rows]

    async def last_entries(self, keys: list[tuple[int, int]]) -> dict[int, Entry]:
        """The entries at (conversation_id, seq), by conversation id."""
        found: dict[int, Entry] = {}
        async with self._db.read("last_entries") as conn:
            for start in range(0, len(keys), 400):
                rows = await conn.execute(
                    select(*log.ENTRY_COLUMNS).where(
                        log.pairs_in(
                            entries.c.conversation_id,
                            entries.c.seq,
                            keys[start : start + 400],
                            sqlite=self._db.is_sqlite,
                        )
                    )
                )
                for row in rows:
                    found[row.conversation_id] = log.entry_from_row(row)
        return found

    async def newest_visible(
        self, user_id: int, keys: list[tuple[int, int, int]]
    ) -> dict[int, Entry | None]:
        """For (conversation_id, last_seq, floor) whose last entry the user deleted for
        themselves: the newest entry above floor they still see (None if none). Others are
        left out, so the common case costs one query on the few hidden rows."""
        if not keys:
            return {}
        out: dict[int, Entry | None] = {}
        async with self._db.read("newest_visible") as conn:
            hidden: set[int] = set()
            for start in range(0, len(keys), 400):
                chunk = keys[start : start + 400]
                rows = await conn.execute(
                    select(hidden_entries.c.conversation_id).where(
                        hidden_entries.c.user_id == user_id,
                        log.pairs_in(
                            hidden_entries.c.conversation_id,
                            hidden_entries.c.seq,
                            [(cid, seq) for cid, seq, _ in chunk],
                            sqlite=self._db.is_sqlite,
                        ),
                    )
                )
                hidden.update(row.conversation_id for row in rows)
            for cid, last_seq, floor in keys:
                if cid not in hidden:
                    continue
                found = await log.read_range(
                    conn,
                    conversation_id=cid,
                    viewer_id=user_id,
                    after_seq=floor,
                    before_seq=last_seq + 1,
                    limit=1,
                    newest_first=True,
                )
                out[cid] = found[0] if found else None
        return out

    async def unread_counts(self, user_id: int, only: list[int] | None = None) -> dict[int, int]:
        """Messages from others after the user's read position, per conversation, in one
        query (a user with a thousand conversations must not cost a thousand)."""
        floor = case(
            (members.c.read_seq > members.c.cleared_seq, members.c.read_seq),
            else_=members.c.cleared_seq,
        )
        async with self._db.read("unread_counts") as conn:
            rows = await conn.execute(
                select(entries.c.conversation_id, func.count())
                .select_from(
                    members.join(
                        entries,
                        and_(
                            entries.c.conversation_id == members.c.conversation_id,
                            entries.c.seq > floor,
                        ),
                    )
                )
                .where(
                    members.c.user_id == user_id,
                    members.c.active.is_(True),
                    # A missed call counts as unread, as a message does (decision 0074).
                    or_(
                        entries.c.kind == EntryKind.MESSAGE.value,
                        and_(
                            entries.c.kind == EntryKind.CALL.value,
                            entries.c.type == EndReason.MISSED.value,
                        ),
                    ),
                    entries.c.recalled.is_(False),
                    or_(entries.c.sender_id.is_(None), entries.c.sender_id != user_id),
                    *([members.c.conversation_id.in_(only)] if only is not None else []),
                )
                .group_by(entries.c.conversation_id)
            )
            return {row[0]: int(row[1]) for row in rows}

    async def positions(self, conversation_id: int) -> list[Position]:
        async with self._db.read("member_positions") as conn:
            rows = await conn.execute(
                select(members.c.user_id, members.c.read_seq, members.c.delivered_seq).where(
                    members.c.conversation_id == conversation_id, members.c.active.is_(True)
                )
            )
            return [Position(r.user_id, r.read_seq, r.delivered_seq) for r in rows]

    async def positions_of(self, conversation_ids: list[int]) -> dict[int, list[Position]]:
        out: dict[int, list[Position]] = {cid: [] for cid in conversation_ids}
        if not conversation_ids:
            return out
        async with self._db.read("member_positions_many") as conn:
            for start in range(0, len(conversation_ids), 400):
                rows = await conn.execute(
                    select(
                        members.c.conversation_id,
                        members.c.user_id,
                        members.c.read_seq,
                        members.c.delivered_seq,
                    ).where(
                        members.c.conversation_id.in_(conversation_ids[start : start + 400]),
                        members.c.active.is_(True),
                    )
                )
                for r in rows:
                    out[r.conversation_id].append(Position(r.user_id, r.read_seq, r.delivered_seq))
        return out

    async def history(
        self,
        *,
        conversation_id: int,
        viewer_id: int,
        after_seq: int,
        before_seq: int | None,
        limit: int,
        newest_first: bool,
    ) -> list[Entry]:
        async with self._db.read("history") as conn:
            return await log.read_range(
                conn,
                conversation_id=conversation_id,
                viewer_id=viewer_id,
                after_seq=after_seq,
                before_seq=before_seq,
                limit=limit,
                newest_first=newest_first,
            )

    async def shown_messages(self, viewer_id: int, entry_ids: list[int]) -> dict[int, Entry]:
        """Of the messages with these entry ids, those still shown to the viewer: not
        recalled or burned, not deleted for them (search results, decision 0072)."""
        if not entry_ids:
            return {}
        async with self._db.read("shown_messages") as conn:
            return await log.read_shown_messages(conn, viewer_id, entry_ids)

    async def readable_parts(self, user_id: int) -> dict[int, Readable]:
        """The conversations the user is or was a member of that hold something they may
        read, each with the part they may read (``MemberView.readable``): search's scope."""
        async with self._db.read("readable_parts") as conn:
            rows = await conn.execute(_READABLE, {"user": user_id})
        found = {}
        for conversation_id, last_seq, visible_from_seq, cleared_seq, active, left_seq in rows:
            part = Readable(
                history_floor(visible_from_seq, cleared_seq), None if active else left_seq
            )
            if part.top(last_seq) > part.floor:
                found[conversation_id] = part
        return found

    async def entries_after_id(self, after_id: int, limit: int) -> list[Entry]:
        """The log of every conversation in the order it was written (the search indexer)."""
        async with self._db.read("entries_after_id") as conn:
            return await log.read_after_id(conn, after_id, limit)

    async def entries_by_ids(self, ids: list[int]) -> list[Entry]:
        async with self._db.read("entries_by_ids") as conn:
            return await log.read_ids(conn, ids)

    async def last_entry_id(self) -> int:
        async with self._db.read("last_entry_id") as conn:
            return await log.last_entry_id(conn)

    async def entry(self, conversation_id: int, seq: int) -> Entry | None:
        async with self._db.read("get_entry") as conn:
            return await log.read_entry(conn, conversation_id, seq)

    async def private_log(self, user_id: int, after_seq: int, limit: int) -> list[PrivateEntry]:
        async with self._db.read("private_log") as conn:
            return await log.read_private(conn, user_id, after_seq, limit)

    async def direct_between(self, key: str) -> int | None:
        async with self._db.read("find_direct") as conn:
            return (
                await conn.execute(
                    select(conversations.c.id).where(conversations.c.direct_key == key)
                )
            ).scalar()

    async def met_among(self, user_id: int, others: list[int]) -> set[int]:
        """Those of ``others`` who are or were in a conversation the user is in now: its
        member list or history shows them to the user anyway."""
        if not others:
            return set()
        mine = members.alias("mine")
        theirs = members.alias("theirs")
        found: set[int] = set()
        async with self._db.read("met_among") as conn:
            for start in range(0, len(others), 400):
                rows = await conn.execute(
                    select(theirs.c.user_id)
                    .distinct()
                    .select_from(
                        mine.join(theirs, theirs.c.conversation_id == mine.c.conversation_id)
                    )
                    .where(
                        mine.c.user_id == user_id,
                        mine.c.active.is_(True),
                        theirs.c.user_id.in_(others[start : start + 400]),
                    )
                )
                found.update(row.user_id for row in rows)
        return found

    async def met_people(self, user_id: int) -> set[int]:
        """Everyone who is or was in a conversation the user is in now (the user aside):
        the people whose names the user's chats show anyway."""
        mine = members.alias("mine")
        theirs = members.alias("theirs")
        async with self._db.read("met_people") as conn:
            rows = await conn.execute(
                select(theirs.c.user_id)
                .distinct()
                .select_from(mine.join(theirs, theirs.c.conversation_id == mine.c.conversation_id))
                .where(
                    mine.c.user_id == user_id,
                    mine.c.active.is_(True),
                    theirs.c.user_id != user_id,
                )
            )
            return {row.user_id for row in rows}

    async def are_friends(self, user_id: int, other_id: int) -> bool:
        async with self._db.read("are_friends") as conn:
            row = (
                await conn.execute(
                    select(func.count())
                    .select_from(friendships)
                    .where(friendships.c.user_id == user_id, friendships.c.friend_id == other_id)
                )
            ).scalar_one()
        return bool(row)

    # Creating and membership

    async def create_direct(
        self, *, key: str, user_ids: tuple[int, int], now: int
    ) -> tuple[int, dict[int, PrivateEntry]]:
        """Create the direct chat for ``key``; if a concurrent call won, return its id."""
        try:
            async with self._db.write("create_direct") as conn:
                conversation_id = await _insert_conversation(
                    conn, ConversationType.DIRECT, "", key, user_ids[0], now
                )
                await _insert_members(
                    conn, conversation_id, {u: Role.MEMBER for u in set(user_ids)}, 1, now
                )
                joined = await log.append_private_many(
                    conn,
                    {u: {"conversation_id": conversation_id} for u in set(user_ids)},
                    PrivateKind.CONVERSATION_JOINED,
                    now,
                )
            return conversation_id, joined
        except IntegrityError:
            existing = await self.direct_between(key)
            if existing is None:
                raise
            return existing, {}

    async def create_group(
        self, *, owner_id: int, name: str, member_ids: list[int], now: int
    ) -> tuple[int, Entry, dict[int, PrivateEntry]]:
        async with self._db.write("create_group") as conn:
            conversation_id = await _insert_conversation(
                conn, ConversationType.GROUP, name, None, owner_id, now
            )
            roles = {u: Role.MEMBER for u in member_ids}
            roles[owner_id] = Role.OWNER
            await _insert_members(conn, conversation_id, roles, 1, now)
            (entry,) = await log.append_entries(
                conn,
                [
                    NewEntry(
                        conversation_id=conversation_id,
                        sender_id=owner_id,
                        kind=EntryKind.GROUP_CREATED,
                        type=None,
                        body={"name": name, "member_ids": sorted(roles)},
                        client_msg_id=None,
                        created_at=now,
                    )
                ],
            )
            joined = await log.append_private_many(
                conn,
                {u: {"conversation_id": conversation_id} for u in roles},
                PrivateKind.CONVERSATION_JOINED,
                now,
            )
        return conversation_id, entry, joined

    async def add_members(
        self,
        *,
        conversation_id: int,
        inviter_id: int,
        user_ids: list[int],
        rule: AdmissionRule,
        now: int,
    ) -> tuple[Entry, list[int], dict[int, PrivateEntry]] | None:
        """Add (or re-add) those of ``user_ids`` whom ``rule`` admits, judged under the
        conversation's lock (decision 12); they see the log from their member_joined entry
        on. None when the rule admits nobody."""
        async with self._db.write("add_members") as conn:
            return await admit_members(
                conn,
                conversation_id=conversation_id,
                inviter_id=inviter_id,
                user_ids=user_ids,
                rule=rule,
                now=now,
            )

    async def remove_member(
        self, *, conversation_id: int, user_id: int, now: int
    ) -> tuple[Entry, PrivateEntry]:
        async with self._db.write("remove_member") as conn:
            await log.change_roster(conn, conversation_id)
            entry, left = await leave(conn, conversation_id, user_id, now)
        return entry, left

    # A member's own state

    async def update_settings(
        self, *, conversation_id: int, user_id: int, changes: dict[str, Any], now: int
    ) -> PrivateEntry:
        async with self._db.write("update_conversation_settings") as conn:
            row = (
                await conn.execute(
                    update(members)
                    .where(
                        members.c.conversation_id == conversation_id,
                        members.c.user_id == user_id,
                    )
                    .values(**changes)
                    .returning(members.c.pinned, members.c.muted, members.c.draft)
                )
            ).one()
            return await log.append_private(
                conn,
                user_id,
                PrivateKind.CONVERSATION_SETTINGS,
                {
                    "conversation_id": conversation_id,
                    "pinned": bool(row.pinned),
                    "muted": bool(row.muted),
                    "draft": row.draft,
                },
                now,
            )

    async def mark_read(
        self, *, conversation_id: int, user_id: int, seq: int, now: int
    ) -> PrivateEntry | None:
        """Move the read position forward (never back); None when it did not move."""
        async with self._db.write("mark_read") as conn:
            moved = (
                await conn.execute(
                    update(members)
                    .where(
                        members.c.conversation_id == conversation_id,
                        members.c.user_id == user_id,
                        members.c.read_seq < seq,
                    )
                    .values(
                        read_seq=seq,
                        delivered_seq=func.max(members.c.delivered_seq, seq)
                        if self._db.is_sqlite
                        else func.greatest(members.c.delivered_seq, seq),
                    )
                )
            ).rowcount
            if not moved:
                return None
            return await log.append_private(
                conn,
                user_id,
                PrivateKind.READ,
                {"conversation_id": conversation_id, "read_seq": seq},
                now,
            )

    async def mark_delivered(self, positions: dict[tuple[int, int], int]) -> None:
        """Move delivered positions forward: {(conversation_id, user_id): seq}."""
        if not positions:
            return
        async with self._db.write("mark_delivered") as conn:
            for (conversation_id, user_id), seq in positions.items():
                await conn.execute(
                    update(members)
                    .where(
                        members.c.conversation_id == conversation_id,
                        members.c.user_id == user_id,
                        members.c.delivered_seq < seq,
                    )
                    .values(delivered_seq=seq)
                )

    async def hide_entries(
        self, *, conversation_id: int, user_id: int, seqs: list[int], now: int
    ) -> PrivateEntry:
        async with self._db.write("delete_for_me") as conn:
            existing = set(
                (
                    await conn.execute(
                        select(hidden_entries.c.seq).where(
                            hidden_entries.c.user_id == user_id,
                            hidden_entries.c.conversation_id == conversation_id,
                            hidden_entries.c.seq.in_(seqs),
                        )
                    )
                ).scalars()
            )
            fresh = [s for s in seqs if s not in existing]
            if fresh:
                await conn.execute(
                    insert(hidden_entries),
                    [
                        {"user_id": user_id, "conversation_id": conversation_id, "seq": s}
                        for s in fresh
                    ],
                )
            return await log.append_private(
                conn,
                user_id,
                PrivateKind.MESSAGES_DELETED,
                {"conversation_id": conversation_id, "seqs": seqs},
                now,
            )

    async def clear_history(self, *, conversation_id: int, user_id: int, now: int) -> PrivateEntry:
        async with self._db.write("clear_history") as conn:
            last_seq = (
                await conn.execute(
                    select(conversations.c.last_seq).where(conversations.c.id == conversation_id)
                )
            ).scalar_one()
            await conn.execute(
                update(members)
                .where(
                    members.c.conversation_id == conversation_id,
                    members.c.user_id == user_id,
                )
                .values(cleared_seq=last_seq)
            )
            return await log.append_private(
                conn,
                user_id,
                PrivateKind.HISTORY_CLEARED,
                {"conversation_id": conversation_id, "cleared_seq": last_seq},
                now,
            )

    async def recall(
        self, *, conversation_id: int, target_seq: int, actor_id: int, now: int
    ) -> Entry | None:
        """Tombstone the target and append the recall entry; None if already recalled."""
        async with self._db.write("recall_message") as conn:
            return await recall_in(
                conn,
                conversation_id=conversation_id,
                target_seq=target_seq,
                actor_id=actor_id,
                now=now,
            )


async def recall_in(
    conn: AsyncConnection, *, conversation_id: int, target_seq: int, actor_id: int, now: int
) -> Entry | None:
    """Within a write transaction: tombstone the target and append the recall entry; None if
    it was already recalled. (A sender's recall, and a reviewer's in the console.)"""
    tombstoned = (
        await conn.execute(
            update(entries)
            .where(
                and_(
                    entries.c.conversation_id == conversation_id,
                    entries.c.seq == target_seq,
                    entries.c.recalled.is_(False),
                )
            )
            .values(recalled=True, body="{}")
        )
    ).rowcount
    if not tombstoned:
        return None
    (entry,) = await log.append_entries(
        conn,
        [
            NewEntry(
                conversation_id=conversation_id,
                sender_id=actor_id,
                kind=EntryKind.RECALL,
                type=None,
                body={"target_seq": target_seq},
                client_msg_id=None,
                created_at=now,
            )
        ],
    )
    return entry


async def admit_members(
    conn: AsyncConnection,
    *,
    conversation_id: int,
    inviter_id: int,
    user_ids: list[int],
    rule: AdmissionRule,
    now: int,
) -> tuple[Entry, list[int], dict[int, PrivateEntry]] | None:
    """Within a write transaction: lock the conversation, let ``rule`` decide on the group
    as it stands, and add whom it admits. Concurrent admissions wait for each other here,
    so the size limit and "already a member" hold whatever the concurrency."""
    await log.change_roster(conn, conversation_id)
    count = (
        await conn.execute(
            select(func.count())
            .select_from(members)
            .where(members.c.conversation_id == conversation_id, members.c.active.is_(True))
        )
    ).scalar_one()
    already_in = frozenset(
        (
            await conn.execute(
                select(members.c.user_id).where(
                    members.c.conversation_id == conversation_id,
                    members.c.active.is_(True),
                    members.c.user_id.in_(user_ids),
                )
            )
        ).scalars()
    )
    settings = (
        await conn.execute(
            select(group_settings).where(group_settings.c.conversation_id == conversation_id)
        )
    ).first()
    admitted = rule(Admission(int(count), already_in, settings_of(settings)))
    if not admitted:
        return None
    (entry,) = await log.append_entries(
        conn,
        [
            NewEntry(
                conversation_id=conversation_id,
                sender_id=inviter_id,
                kind=EntryKind.MEMBER_JOINED,
                type=None,
                body={"user_ids": admitted, "inviter_id": inviter_id},
                client_msg_id=None,
                created_at=now,
            )
        ],
    )
    returning = set(
        (
            await conn.execute(
                select(members.c.user_id).where(
                    members.c.conversation_id == conversation_id,
                    members.c.user_id.in_(admitted),
                )
            )
        ).scalars()
    )
    if returning:
        await conn.execute(
            update(members)
            .where(
                members.c.conversation_id == conversation_id,
                members.c.user_id.in_(returning),
            )
            .values(
                active=True,
                role=Role.MEMBER.value,
                visible_from_seq=entry.seq,
                read_seq=entry.seq - 1,
                delivered_seq=entry.seq - 1,
                cleared_seq=0,
                left_seq=None,
                joined_at=now,
            )
        )
    fresh = {u: Role.MEMBER for u in admitted if u not in returning}
    await _insert_members(conn, conversation_id, fresh, entry.seq, now)
    joined = await log.append_private_many(
        conn,
        {u: {"conversation_id": conversation_id} for u in admitted},
        PrivateKind.CONVERSATION_JOINED,
        now,
    )
    return entry, admitted, joined


async def _insert_conversation(
    conn: AsyncConnection,
    type_: ConversationType,
    name: str,
    direct_key: str | None,
    created_by: int,
    now: int,
) -> int:
    result = await conn.execute(
        insert(conversations)
        .values(
            type=type_.value,
            name=name,
            direct_key=direct_key,
            created_by=created_by,
            last_activity_at=now,
            created_at=now,
        )
        .returning(conversations.c.id)
    )
    return int(result.scalar_one())


async def _insert_members(
    conn: AsyncConnection,
    conversation_id: int,
    roles: dict[int, Role],
    visible_from_seq: int,
    now: int,
) -> None:
    if not roles:
        return
    await conn.execute(
        insert(members),
        [
            {
                "conversation_id": conversation_id,
                "user_id": user_id,
                "role": role.value,
                "visible_from_seq": visible_from_seq,
                "read_seq": visible_from_seq - 1,
                "delivered_seq": visible_from_seq - 1,
                "joined_at": now,
            }
            for user_id, role in roles.items()
        ],
    )


async def leave(
    conn: AsyncConnection,
    conversation_id: int,
    user_id: int,
    now: int,
    *,
    keeps_history: bool = True,
) -> tuple[Entry, PrivateEntry]:
    """A member leaves (or is taken out): the conversation's member_left entry, their
    membership ended, and conversation_left in their private log. The caller has moved the
    roster's version (``log.change_roster``) in the same transaction. ``keeps_history``: what
    came before stays theirs to read (decision 0075); not for a customer-service agent, whose
    access is the desk's (decision 0066)."""
    (entry,) = await log.append_entries(
        conn,
        [
            NewEntry(
                conversation_id=conversation_id,
                sender_id=user_id,
                kind=EntryKind.MEMBER_LEFT,
                type=None,
                body={"user_id": user_id},
                client_msg_id=None,
                created_at=now,
            )
        ],
    )
    await conn.execute(
        update(members)
        .where(members.c.conversation_id == conversation_id, members.c.user_id == user_id)
        .values(
            active=False,
            pinned=False,
            draft="",
            left_seq=entry.seq if keeps_history else None,
        )
    )
    left = await log.append_private(
        conn, user_id, PrivateKind.CONVERSATION_LEFT, {"conversation_id": conversation_id}, now
    )
    return entry, left
