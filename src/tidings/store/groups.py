"""Group governance: settings, roles and powers, mutes, removals, the blacklist, join
requests, the moderation queue, announcements and the board.

Every change members can see appends its entry in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
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
    blocks,
    conversations,
    group_blacklist,
    group_settings,
    members,
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


def settings_of(row: Any) -> GroupSettings:
    """A group's settings from its group_settings row (None: the defaults)."""
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


def new_entry(
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


async def append_one(conn: AsyncConnection, new: NewEntry) -> Entry:
    (entry,) = await log.append_entries(conn, [new])
    return entry


async def mute_in(
    conn: AsyncConnection,
    *,
    conversation_id: int,
    actor_id: int,
    user_id: int,
    until: int | None,
    now: int,
) -> Entry:
    """Within a write transaction: mute (``until``) or unmute (None) a member, with its entry."""
    await log.change_roster(conn, conversation_id)
    await conn.execute(
        update(members)
        .where(members.c.conversation_id == conversation_id, members.c.user_id == user_id)
        .values(muted_until=until)
    )
    kind = EntryKind.MEMBER_MUTED if until is not None else EntryKind.MEMBER_UNMUTED
    body: dict[str, Any] = {"user_id": user_id}
    if until is not None:
        body["until"] = until
    return await append_one(conn, new_entry(conversation_id, actor_id, kind, body, now))


class GroupStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    # What the send path caches

    async def policy_rows(
        self, conversation_id: int
    ) -> tuple[int, GroupSettings | None, dict[int, frozenset[Power]], dict[int, int]]:
        """The roster version, then settings (None when not a group), admins' powers and
        live mutes: read after the version, they are at least as new (decision 12)."""
        async with self._db.read("group_policy") as conn:
            conv = (
                await conn.execute(
                    select(conversations.c.type, conversations.c.roster_version).where(
                        conversations.c.id == conversation_id
                    )
                )
            ).first()
            if conv is None:
                return 0, None, {}, {}
            if conv.type != "group":
                return conv.roster_version, None, {}, {}
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
        return conv.roster_version, settings_of(row), powers, mutes

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
        return GroupRecord(row.id, row.name, row.created_at, int(count), settings_of(settings_row))

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

    async def avatars(self, conversation_ids: list[int]) -> dict[int, str]:
        """The avatars the groups among these have set (those without one are left out)."""
        found: dict[int, str] = {}
        async with self._db.read("group_avatars") as conn:
            for start in range(0, len(conversation_ids), 500):
                rows = await conn.execute(
                    select(group_settings.c.conversation_id, group_settings.c.avatar).where(
                        group_settings.c.conversation_id.in_(conversation_ids[start : start + 500]),
                        group_settings.c.avatar != "",
                    )
                )
                found.update((r.conversation_id, r.avatar) for r in rows)
        return found

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
        actor_id: int | None,
        name: str | None,
        changes: dict[str, Any],
        visible: dict[str, Any],
        now: int,
    ) -> Entry | None:
        """Store changed settings; append ``group_updated`` when members can see a change."""
        async with self._db.write("update_group_settings") as conn:
            await log.change_roster(conn, conversation_id)
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
            return await append_one(
                conn, new_entry(conversation_id, actor_id, EntryKind.GROUP_UPDATED, visible, now)
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
            await log.change_roster(conn, conversation_id)
            await conn.execute(
                update(members)
                .where(members.c.conversation_id == conversation_id, members.c.user_id == user_id)
                .values(role=role.value, powers=store_powers(powers))
            )
            return await append_one(
                conn,
                new_entry(
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
            await log.change_roster(conn, conversation_id)
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
            return await append_one(
                conn,
                new_entry(
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
            return await mute_in(
                conn,
                conversation_id=conversation_id,
                actor_id=actor_id,
                user_id=user_id,
                until=until,
                now=now,
            )

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
            await log.change_roster(conn, conversation_id)
            entry = await append_one(
                conn,
                new_entry(
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
                .values(
                    active=False,
                    pinned=False,
                    draft="",
                    role=Role.MEMBER.value,
                    powers="",
                    left_seq=entry.seq,
                )
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

    async def disband(self, *, conversation_id: int, actor_id: int | None, now: int) -> Entry:
        async with self._db.write("disband_group") as conn:
            await log.change_roster(conn, conversation_id)
            await _upsert_settings(conn, conversation_id, {"disbanded_at": now})
            return await append_one(
                conn, new_entry(conversation_id, actor_id, EntryKind.GROUP_DISBANDED, {}, now)
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
