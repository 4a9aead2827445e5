"""Group governance: settings, roles and powers, mutes, removals, the blacklist, join
requests, the moderation queue, announcements and the board.

Every change members can see appends its entry in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain.conversations import Role
from tidings.domain.entries import Entry, EntryKind, NewEntry, PrivateEntry, PrivateKind
from tidings.domain.groups import (
    GroupSettings,
    JoinMode,
    Power,
    ViewMode,
    parse_powers,
    store_powers,
)
from tidings.store import codec, log
from tidings.store.database import Database
from tidings.store.schema import (
    announcement_reads,
    announcements,
    blocks,
    board_marks,
    conversations,
    entries,
    group_blacklist,
    group_settings,
    join_requests,
    members,
    moderation_queue,
    users,
)


@dataclass(frozen=True, slots=True)
class GroupRecord:
    id: int
    name: str
    created_at: int
    member_count: int
    settings: GroupSettings


@dataclass(frozen=True, slots=True)
class JoinRequest:
    id: int
    conversation_id: int
    user_id: int
    message: str
    status: str
    created_at: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "user_id": self.user_id,
            "message": self.message,
            "status": self.status,
            "created_at": self.created_at,
        }


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    id: int
    conversation_id: int
    sender_id: int
    client_msg_id: str
    type: str
    body: dict[str, Any]
    reply_to_seq: int | None
    status: str
    reason: str
    created_at: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "sender_id": self.sender_id,
            "client_msg_id": self.client_msg_id,
            "type": self.type,
            "body": self.body,
            "reply_to_seq": self.reply_to_seq,
            "status": self.status,
            "reason": self.reason,
            "created_at": self.created_at,
        }


@dataclass(frozen=True, slots=True)
class Announcement:
    id: int
    conversation_id: int
    author_id: int
    text: str
    pinned: bool
    created_at: int
    edited_at: int | None

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "author_id": self.author_id,
            "text": self.text,
            "pinned": self.pinned,
            "created_at": self.created_at,
            "edited_at": self.edited_at,
        }


@dataclass(frozen=True, slots=True)
class MemberRow:
    user_id: int
    role: Role
    powers: frozenset[Power]
    muted_until: int | None
    nickname: str
    avatar: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "role": self.role.value,
            "powers": sorted(p.value for p in self.powers),
            "muted_until": self.muted_until,
            "nickname": self.nickname,
            "avatar": self.avatar,
        }


SETTINGS_COLUMNS = (
    "avatar",
    "intro",
    "size_limit",
    "join_mode",
    "mute_all",
    "moderation",
    "forbid_private_chat",
    "keywords",
    "rate_count",
    "rate_seconds",
)


def _settings(row: Any) -> GroupSettings:
    if row is None:
        return GroupSettings()
    return GroupSettings(
        avatar=row.avatar,
        intro=row.intro,
        size_limit=row.size_limit,
        join_mode=JoinMode(row.join_mode),
        mute_all=bool(row.mute_all),
        moderation=bool(row.moderation),
        forbid_private_chat=bool(row.forbid_private_chat),
        keywords=tuple(codec.loads(row.keywords)),
        rate_count=row.rate_count,
        rate_seconds=row.rate_seconds,
        disbanded_at=row.disbanded_at,
    )


def _new(
    conversation_id: int, actor_id: int | None, kind: EntryKind, body: dict[str, Any], now: int
) -> NewEntry:
    return NewEntry(
        conversation_id=conversation_id,
        sender_id=actor_id,
        kind=kind,
        type=None,
        body=body,
        client_msg_id=None,
        created_at=now,
    )


async def _append(conn: AsyncConnection, new: NewEntry) -> Entry:
    (entry,) = await log.append_entries(conn, [new])
    return entry


class GroupStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    # What the send path caches

    async def policy_rows(
        self, conversation_id: int
    ) -> tuple[GroupSettings | None, dict[int, frozenset[Power]], dict[int, int]]:
        """Settings (None when not a group), admins' powers and live mutes."""
        async with self._db.read("group_policy") as conn:
            conv = (
                await conn.execute(
                    select(conversations.c.type).where(conversations.c.id == conversation_id)
                )
            ).first()
            if conv is None or conv.type != "group":
                return None, {}, {}
            row = (
                await conn.execute(
                    select(group_settings).where(
                        group_settings.c.conversation_id == conversation_id
                    )
                )
            ).first()
            rows = await conn.execute(
                select(members.c.user_id, members.c.powers, members.c.muted_until).where(
                    members.c.conversation_id == conversation_id,
                    members.c.active.is_(True),
                    (members.c.powers != "") | members.c.muted_until.is_not(None),
                )
            )
            powers: dict[int, frozenset[Power]] = {}
            mutes: dict[int, int] = {}
            for r in rows:
                if r.powers:
                    powers[r.user_id] = parse_powers(r.powers)
                if r.muted_until is not None:
                    mutes[r.user_id] = r.muted_until
        return _settings(row), powers, mutes

    async def blocked_pairs(self, user_ids: list[int]) -> frozenset[tuple[int, int]]:
        async with self._db.read("blocked_pairs") as conn:
            rows = await conn.execute(
                select(blocks.c.user_id, blocks.c.blocked_id).where(
                    blocks.c.user_id.in_(user_ids), blocks.c.blocked_id.in_(user_ids)
                )
            )
            return frozenset((r.user_id, r.blocked_id) for r in rows)

    # Reading

    async def group(self, conversation_id: int) -> GroupRecord | None:
        async with self._db.read("get_group") as conn:
            row = (
                await conn.execute(
                    select(
                        conversations.c.id, conversations.c.name, conversations.c.created_at
                    ).where(conversations.c.id == conversation_id, conversations.c.type == "group")
                )
            ).first()
            if row is None:
                return None
            settings_row = (
                await conn.execute(
                    select(group_settings).where(
                        group_settings.c.conversation_id == conversation_id
                    )
                )
            ).first()
            count = (
                await conn.execute(
                    select(func.count())
                    .select_from(members)
                    .where(members.c.conversation_id == conversation_id, members.c.active.is_(True))
                )
            ).scalar_one()
        return GroupRecord(row.id, row.name, row.created_at, int(count), _settings(settings_row))

    async def members_page(
        self, conversation_id: int, *, after_user_id: int, limit: int
    ) -> list[MemberRow]:
        async with self._db.read("group_members_page") as conn:
            rows = await conn.execute(
                select(
                    members.c.user_id,
                    members.c.role,
                    members.c.powers,
                    members.c.muted_until,
                    users.c.nickname,
                    users.c.avatar,
                )
                .join(users, users.c.id == members.c.user_id)
                .where(
                    members.c.conversation_id == conversation_id,
                    members.c.active.is_(True),
                    members.c.user_id > after_user_id,
                )
                .order_by(members.c.user_id)
                .limit(limit)
            )
            return [
                MemberRow(
                    r.user_id,
                    Role(r.role),
                    parse_powers(r.powers),
                    r.muted_until,
                    r.nickname,
                    r.avatar,
                )
                for r in rows
            ]

    async def view_mode(self, conversation_id: int, user_id: int) -> ViewMode:
        async with self._db.read("group_view_mode") as conn:
            found = (
                await conn.execute(
                    select(members.c.view_mode).where(
                        members.c.conversation_id == conversation_id, members.c.user_id == user_id
                    )
                )
            ).scalar()
        return ViewMode(found or ViewMode.ALL.value)

    async def blacklisted(self, conversation_id: int, user_ids: list[int]) -> set[int]:
        async with self._db.read("group_blacklisted") as conn:
            rows = await conn.execute(
                select(group_blacklist.c.user_id).where(
                    group_blacklist.c.conversation_id == conversation_id,
                    group_blacklist.c.user_id.in_(user_ids),
                )
            )
            return set(rows.scalars())

    async def blacklist(self, conversation_id: int) -> list[dict[str, Any]]:
        async with self._db.read("group_blacklist") as conn:
            rows = await conn.execute(
                select(group_blacklist)
                .where(group_blacklist.c.conversation_id == conversation_id)
                .order_by(group_blacklist.c.created_at)
            )
            return [
                {"user_id": r.user_id, "added_by": r.added_by, "created_at": r.created_at}
                for r in rows
            ]

    # Settings, roles, mutes

    async def update_settings(
        self,
        *,
        conversation_id: int,
        actor_id: int,
        name: str | None,
        changes: dict[str, Any],
        visible: dict[str, Any],
        now: int,
    ) -> Entry | None:
        """Store changed settings; append ``group_updated`` when members can see a change."""
        async with self._db.write("update_group_settings") as conn:
            if name is not None:
                await conn.execute(
                    update(conversations)
                    .where(conversations.c.id == conversation_id)
                    .values(name=name)
                )
            if changes:
                stored = {
                    k: codec.dumps(list(v)) if k == "keywords" else v for k, v in changes.items()
                }
                await _upsert_settings(conn, conversation_id, stored)
            if not visible:
                return None
            return await _append(
                conn, _new(conversation_id, actor_id, EntryKind.GROUP_UPDATED, visible, now)
            )

    async def set_role(
        self,
        *,
        conversation_id: int,
        actor_id: int,
        user_id: int,
        role: Role,
        powers: frozenset[Power],
        now: int,
    ) -> Entry:
        async with self._db.write("set_group_role") as conn:
            await conn.execute(
                update(members)
                .where(members.c.conversation_id == conversation_id, members.c.user_id == user_id)
                .values(role=role.value, powers=store_powers(powers))
            )
            return await _append(
                conn,
                _new(
                    conversation_id,
                    actor_id,
                    EntryKind.ROLE_CHANGED,
                    {
                        "user_id": user_id,
                        "role": role.value,
                        "powers": sorted(p.value for p in powers),
                    },
                    now,
                ),
            )

    async def transfer(
        self, *, conversation_id: int, owner_id: int, new_owner_id: int, now: int
    ) -> Entry:
        async with self._db.write("transfer_group") as conn:
            await conn.execute(
                update(members)
                .where(members.c.conversation_id == conversation_id, members.c.user_id == owner_id)
                .values(role=Role.MEMBER.value, powers="")
            )
            await conn.execute(
                update(members)
                .where(
                    members.c.conversation_id == conversation_id,
                    members.c.user_id == new_owner_id,
                )
                .values(role=Role.OWNER.value, powers="", muted_until=None)
            )
            return await _append(
                conn,
                _new(
                    conversation_id,
                    owner_id,
                    EntryKind.OWNER_CHANGED,
                    {"previous_owner_id": owner_id, "owner_id": new_owner_id},
                    now,
                ),
            )

    async def mute(
        self, *, conversation_id: int, actor_id: int, user_id: int, until: int | None, now: int
    ) -> Entry:
        async with self._db.write("mute_member") as conn:
            await conn.execute(
                update(members)
                .where(members.c.conversation_id == conversation_id, members.c.user_id == user_id)
                .values(muted_until=until)
            )
            kind = EntryKind.MEMBER_MUTED if until is not None else EntryKind.MEMBER_UNMUTED
            body: dict[str, Any] = {"user_id": user_id}
            if until is not None:
                body["until"] = until
            return await _append(conn, _new(conversation_id, actor_id, kind, body, now))

    async def remove(
        self,
        *,
        conversation_id: int,
        actor_id: int,
        user_id: int,
        blacklist: bool,
        now: int,
    ) -> tuple[Entry, PrivateEntry]:
        async with self._db.write("remove_member") as conn:
            entry = await _append(
                conn,
                _new(
                    conversation_id,
                    actor_id,
                    EntryKind.MEMBER_REMOVED,
                    {"user_id": user_id, "remover_id": actor_id},
                    now,
                ),
            )
            await conn.execute(
                update(members)
                .where(members.c.conversation_id == conversation_id, members.c.user_id == user_id)
                .values(active=False, pinned=False, draft="", role=Role.MEMBER.value, powers="")
            )
            if blacklist:
                await _blacklist_add(conn, conversation_id, [user_id], actor_id, now)
            left = await log.append_private(
                conn,
                user_id,
                PrivateKind.CONVERSATION_LEFT,
                {"conversation_id": conversation_id},
                now,
            )
        return entry, left

    async def blacklist_add(
        self, conversation_id: int, user_ids: list[int], actor_id: int, now: int
    ) -> None:
        async with self._db.write("group_blacklist_add") as conn:
            await _blacklist_add(conn, conversation_id, user_ids, actor_id, now)

    async def blacklist_remove(self, conversation_id: int, user_ids: list[int]) -> None:
        async with self._db.write("group_blacklist_remove") as conn:
            await conn.execute(
                delete(group_blacklist).where(
                    group_blacklist.c.conversation_id == conversation_id,
                    group_blacklist.c.user_id.in_(user_ids),
                )
            )

    async def disband(self, *, conversation_id: int, actor_id: int, now: int) -> Entry:
        async with self._db.write("disband_group") as conn:
            await _upsert_settings(conn, conversation_id, {"disbanded_at": now})
            return await _append(
                conn, _new(conversation_id, actor_id, EntryKind.GROUP_DISBANDED, {}, now)
            )

    async def set_view_mode(
        self, *, conversation_id: int, user_id: int, mode: ViewMode, now: int
    ) -> PrivateEntry:
        async with self._db.write("set_group_view_mode") as conn:
            await conn.execute(
                update(members)
                .where(members.c.conversation_id == conversation_id, members.c.user_id == user_id)
                .values(view_mode=mode.value)
            )
            return await log.append_private(
                conn,
                user_id,
                PrivateKind.GROUP_VIEW_MODE,
                {"conversation_id": conversation_id, "view_mode": mode.value},
                now,
            )

    # Join requests

    async def pending_request(self, conversation_id: int, user_id: int) -> JoinRequest | None:
        async with self._db.read("pending_join_request") as conn:
            row = (
                await conn.execute(
                    select(join_requests).where(
                        join_requests.c.conversation_id == conversation_id,
                        join_requests.c.user_id == user_id,
                        join_requests.c.status == "pending",
                    )
                )
            ).first()
        return _join_request(row) if row else None

    async def create_join_request(
        self,
        *,
        conversation_id: int,
        user_id: int,
        message: str,
        approvers: list[int],
        now: int,
    ) -> tuple[JoinRequest, dict[int, PrivateEntry]]:
        async with self._db.write("create_join_request") as conn:
            request_id = (
                await conn.execute(
                    insert(join_requests)
                    .values(
                        conversation_id=conversation_id,
                        user_id=user_id,
                        message=message,
                        status="pending",
                        created_at=now,
                    )
                    .returning(join_requests.c.id)
                )
            ).scalar_one()
            request = JoinRequest(request_id, conversation_id, user_id, message, "pending", now)
            told = await log.append_private_many(
                conn, {a: request.to_wire() for a in approvers}, PrivateKind.JOIN_REQUEST, now
            )
        return request, told

    async def join_requests(self, conversation_id: int) -> list[JoinRequest]:
        async with self._db.read("list_join_requests") as conn:
            rows = await conn.execute(
                select(join_requests)
                .where(
                    join_requests.c.conversation_id == conversation_id,
                    join_requests.c.status == "pending",
                )
                .order_by(join_requests.c.id)
            )
            return [_join_request(r) for r in rows]

    async def join_request(self, request_id: int) -> JoinRequest | None:
        async with self._db.read("get_join_request") as conn:
            row = (
                await conn.execute(select(join_requests).where(join_requests.c.id == request_id))
            ).first()
        return _join_request(row) if row else None

    async def decide_join_request(
        self,
        *,
        request: JoinRequest,
        approved: bool,
        actor_id: int,
        tell: list[int],
        now: int,
    ) -> dict[int, PrivateEntry] | None:
        """Settle a pending request; None when someone else settled it first."""
        async with self._db.write("decide_join_request") as conn:
            moved = (
                await conn.execute(
                    update(join_requests)
                    .where(join_requests.c.id == request.id, join_requests.c.status == "pending")
                    .values(
                        status="approved" if approved else "rejected",
                        decided_at=now,
                        decided_by=actor_id,
                    )
                )
            ).rowcount
            if not moved:
                return None
            return await log.append_private_many(
                conn,
                {
                    u: {
                        "request_id": request.id,
                        "conversation_id": request.conversation_id,
                        "user_id": request.user_id,
                        "approved": approved,
                    }
                    for u in {*tell, request.user_id}
                },
                PrivateKind.JOIN_REQUEST_DECIDED,
                now,
            )

    # The moderation queue

    async def queued(self, sender_id: int, client_msg_id: str) -> QueuedMessage | None:
        async with self._db.read("find_queued_message") as conn:
            row = (
                await conn.execute(
                    select(moderation_queue).where(
                        moderation_queue.c.sender_id == sender_id,
                        moderation_queue.c.client_msg_id == client_msg_id,
                    )
                )
            ).first()
        return _queued(row) if row else None

    async def queue_message(
        self,
        *,
        conversation_id: int,
        sender_id: int,
        client_msg_id: str,
        type: str,
        body: dict[str, Any],
        reply_to_seq: int | None,
        moderators: list[int],
        now: int,
    ) -> tuple[QueuedMessage, dict[int, PrivateEntry]]:
        async with self._db.write("queue_message") as conn:
            queued_id = (
                await conn.execute(
                    insert(moderation_queue)
                    .values(
                        conversation_id=conversation_id,
                        sender_id=sender_id,
                        client_msg_id=client_msg_id,
                        type=type,
                        body=codec.dumps(body),
                        reply_to_seq=reply_to_seq,
                        status="pending",
                        created_at=now,
                    )
                    .returning(moderation_queue.c.id)
                )
            ).scalar_one()
            queued = QueuedMessage(
                queued_id,
                conversation_id,
                sender_id,
                client_msg_id,
                type,
                body,
                reply_to_seq,
                "pending",
                "",
                now,
            )
            told = await log.append_private_many(
                conn,
                {
                    m: {
                        "pending_id": queued_id,
                        "conversation_id": conversation_id,
                        "sender_id": sender_id,
                    }
                    for m in moderators
                },
                PrivateKind.MODERATION_PENDING,
                now,
            )
        return queued, told

    async def moderation_queue(self, conversation_id: int) -> list[QueuedMessage]:
        async with self._db.read("moderation_queue") as conn:
            rows = await conn.execute(
                select(moderation_queue)
                .where(
                    moderation_queue.c.conversation_id == conversation_id,
                    moderation_queue.c.status == "pending",
                )
                .order_by(moderation_queue.c.id)
            )
            return [_queued(r) for r in rows]

    async def queued_by_id(self, queued_id: int) -> QueuedMessage | None:
        async with self._db.read("get_queued_message") as conn:
            row = (
                await conn.execute(
                    select(moderation_queue).where(moderation_queue.c.id == queued_id)
                )
            ).first()
        return _queued(row) if row else None

    async def decide_queued(
        self,
        *,
        queued: QueuedMessage,
        approved: bool,
        reason: str,
        actor_id: int,
        moderators: list[int],
        now: int,
    ) -> tuple[Entry | None, list[PrivateEntry]] | None:
        """Approve (append the message: it gets its seq now) or reject (the sender is
        told); None when another moderator decided first."""
        async with self._db.write("decide_queued_message") as conn:
            moved = (
                await conn.execute(
                    update(moderation_queue)
                    .where(
                        moderation_queue.c.id == queued.id,
                        moderation_queue.c.status == "pending",
                    )
                    .values(
                        status="approved" if approved else "rejected",
                        reason=reason,
                        decided_at=now,
                        decided_by=actor_id,
                    )
                )
            ).rowcount
            if not moved:
                return None
            entry = None
            if approved:
                entry = await _append(
                    conn,
                    NewEntry(
                        conversation_id=queued.conversation_id,
                        sender_id=queued.sender_id,
                        kind=EntryKind.MESSAGE,
                        type=queued.type,
                        body=queued.body,
                        client_msg_id=queued.client_msg_id,
                        created_at=now,
                        reply_to_seq=queued.reply_to_seq,
                    ),
                )
                await conn.execute(
                    update(moderation_queue)
                    .where(moderation_queue.c.id == queued.id)
                    .values(seq=entry.seq)
                )
            decided = {
                "pending_id": queued.id,
                "conversation_id": queued.conversation_id,
                "approved": approved,
                "seq": entry.seq if entry else None,
            }
            told = list(
                (
                    await log.append_private_many(
                        conn, {m: decided for m in moderators}, PrivateKind.MODERATION_DECIDED, now
                    )
                ).values()
            )
            if not approved:
                told.append(
                    await log.append_private(
                        conn,
                        queued.sender_id,
                        PrivateKind.MESSAGE_REJECTED,
                        {
                            "pending_id": queued.id,
                            "conversation_id": queued.conversation_id,
                            "client_msg_id": queued.client_msg_id,
                            "reason": reason,
                        },
                        now,
                    )
                )
        return entry, told

    # Announcements and the board

    async def post_announcement(
        self, *, conversation_id: int, author_id: int, text: str, pinned: bool, now: int
    ) -> tuple[Announcement, Entry]:
        async with self._db.write("post_announcement") as conn:
            announcement_id = (
                await conn.execute(
                    insert(announcements)
                    .values(
                        conversation_id=conversation_id,
                        author_id=author_id,
                        text=text,
                        pinned=pinned,
                        created_at=now,
                    )
                    .returning(announcements.c.id)
                )
            ).scalar_one()
            announcement = Announcement(
                announcement_id, conversation_id, author_id, text, pinned, now, None
            )
            entry = await _append(
                conn,
                _new(
                    conversation_id,
                    author_id,
                    EntryKind.ANNOUNCEMENT_POSTED,
                    {"announcement_id": announcement_id, "text": text, "pinned": pinned},
                    now,
                ),
            )
        return announcement, entry

    async def announcement(self, announcement_id: int) -> Announcement | None:
        async with self._db.read("get_announcement") as conn:
            row = (
                await conn.execute(
                    select(announcements).where(announcements.c.id == announcement_id)
                )
            ).first()
        return _announcement(row) if row else None

    async def edit_announcement(
        self,
        *,
        announcement: Announcement,
        actor_id: int,
        text: str | None,
        pinned: bool | None,
        now: int,
    ) -> tuple[Announcement, Entry]:
        changes: dict[str, Any] = {"edited_at": now}
        if text is not None:
            changes["text"] = text
        if pinned is not None:
            changes["pinned"] = pinned
        async with self._db.write("edit_announcement") as conn:
            await conn.execute(
                update(announcements).where(announcements.c.id == announcement.id).values(**changes)
            )
            row = (
                await conn.execute(
                    select(announcements).where(announcements.c.id == announcement.id)
                )
            ).one()
            edited = _announcement(row)
            entry = await _append(
                conn,
                _new(
                    announcement.conversation_id,
                    actor_id,
                    EntryKind.ANNOUNCEMENT_EDITED,
                    {"announcement_id": edited.id, "text": edited.text, "pinned": edited.pinned},
                    now,
                ),
            )
        return edited, entry

    async def announcements(self, conversation_id: int, reader_id: int) -> list[dict[str, Any]]:
        async with self._db.read("list_announcements") as conn:
            rows = await conn.execute(
                select(announcements, announcement_reads.c.read_at)
                .outerjoin(
                    announcement_reads,
                    and_(
                        announcement_reads.c.announcement_id == announcements.c.id,
                        announcement_reads.c.user_id == reader_id,
                    ),
                )
                .where(announcements.c.conversation_id == conversation_id)
                .order_by(announcements.c.pinned.desc(), announcements.c.id.desc())
            )
            return [{**_announcement(r).to_wire(), "read": r.read_at is not None} for r in rows]

    async def mark_announcement_read(
        self, *, announcement: Announcement, user_id: int, now: int
    ) -> PrivateEntry | None:
        async with self._db.write("read_announcement") as conn:
            seen = (
                await conn.execute(
                    select(announcement_reads.c.user_id).where(
                        announcement_reads.c.announcement_id == announcement.id,
                        announcement_reads.c.user_id == user_id,
                    )
                )
            ).first()
            if seen is not None:
                return None
            await conn.execute(
                insert(announcement_reads).values(
                    announcement_id=announcement.id, user_id=user_id, read_at=now
                )
            )
            return await log.append_private(
                conn,
                user_id,
                PrivateKind.ANNOUNCEMENT_READ,
                {
                    "conversation_id": announcement.conversation_id,
                    "announcement_id": announcement.id,
                },
                now,
            )

    async def announcement_readers(self, announcement_id: int) -> set[int]:
        async with self._db.read("announcement_readers") as conn:
            rows = await conn.execute(
                select(announcement_reads.c.user_id).where(
                    announcement_reads.c.announcement_id == announcement_id
                )
            )
            return set(rows.scalars())

    async def mark_message(
        self, *, conversation_id: int, seq: int, actor_id: int, important: bool, now: int
    ) -> Entry | None:
        """Put a message on the board or take it off; None when nothing changed."""
        async with self._db.write("mark_message") as conn:
            if important:
                exists = (
                    await conn.execute(
                        select(board_marks.c.seq).where(
                            board_marks.c.conversation_id == conversation_id,
                            board_marks.c.seq == seq,
                        )
                    )
                ).first()
                if exists is not None:
                    return None
                await conn.execute(
                    insert(board_marks).values(
                        conversation_id=conversation_id,
                        seq=seq,
                        marked_by=actor_id,
                        created_at=now,
                    )
                )
            else:
                gone = (
                    await conn.execute(
                        delete(board_marks).where(
                            board_marks.c.conversation_id == conversation_id,
                            board_marks.c.seq == seq,
                        )
                    )
                ).rowcount
                if not gone:
                    return None
            return await _append(
                conn,
                _new(
                    conversation_id,
                    actor_id,
                    EntryKind.MESSAGE_MARKED,
                    {"target_seq": seq, "important": important},
                    now,
                ),
            )

    async def board(
        self, conversation_id: int, *, from_seq: int, limit: int
    ) -> list[tuple[Entry, str]]:
        """Marked-important messages and @all messages, newest first."""
        async with self._db.read("group_board") as conn:
            marked = await conn.execute(
                select(*log.ENTRY_COLUMNS)
                .join(
                    board_marks,
                    and_(
                        board_marks.c.conversation_id == entries.c.conversation_id,
                        board_marks.c.seq == entries.c.seq,
                    ),
                )
                .where(entries.c.conversation_id == conversation_id, entries.c.seq >= from_seq)
                .order_by(entries.c.seq.desc())
                .limit(limit)
            )
            found = {row.seq: (log.entry_from_row(row), "important") for row in marked}
            # @all is rare and the board is read rarely: found in the log, not indexed on
            # the send path.
            mention_all = await conn.execute(
                select(*log.ENTRY_COLUMNS)
                .where(
                    entries.c.conversation_id == conversation_id,
                    entries.c.seq >= from_seq,
                    entries.c.kind == EntryKind.MESSAGE.value,
                    entries.c.recalled.is_(False),
                    entries.c.body.like('%"mention_all":true%'),
                )
                .order_by(entries.c.seq.desc())
                .limit(limit)
            )
            for row in mention_all:
                found.setdefault(row.seq, (log.entry_from_row(row), "mention_all"))
        return [found[seq] for seq in sorted(found, reverse=True)[:limit]]


async def _upsert_settings(
    conn: AsyncConnection, conversation_id: int, values: dict[str, Any]
) -> None:
    changed = (
        await conn.execute(
            update(group_settings)
            .where(group_settings.c.conversation_id == conversation_id)
            .values(**values)
        )
    ).rowcount
    if not changed:
        await conn.execute(insert(group_settings).values(conversation_id=conversation_id, **values))


async def _blacklist_add(
    conn: AsyncConnection, conversation_id: int, user_ids: list[int], actor_id: int, now: int
) -> None:
    present = set(
        (
            await conn.execute(
                select(group_blacklist.c.user_id).where(
                    group_blacklist.c.conversation_id == conversation_id,
                    group_blacklist.c.user_id.in_(user_ids),
                )
            )
        ).scalars()
    )
    fresh = [u for u in dict.fromkeys(user_ids) if u not in present]
    if fresh:
        await conn.execute(
            insert(group_blacklist),
            [
                {
                    "conversation_id": conversation_id,
                    "user_id": u,
                    "added_by": actor_id,
                    "created_at": now,
                }
                for u in fresh
            ],
        )


def _join_request(row: Any) -> JoinRequest:
    return JoinRequest(
        row.id, row.conversation_id, row.user_id, row.message, row.status, row.created_at
    )


def _queued(row: Any) -> QueuedMessage:
    return QueuedMessage(
        row.id,
        row.conversation_id,
        row.sender_id,
        row.client_msg_id,
        row.type,
        codec.loads(row.body),
        row.reply_to_seq,
        row.status,
        row.reason,
        row.created_at,
    )


def _announcement(row: Any) -> Announcement:
    return Announcement(
        row.id,
        row.conversation_id,
        row.author_id,
        row.text,
        bool(row.pinned),
        row.created_at,
        row.edited_at,
    )
