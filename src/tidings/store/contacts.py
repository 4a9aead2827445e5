"""Contacts: friend requests, friendships with the user's own notes, contact groups, the
blacklist and invite links."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain import webhooks
from tidings.domain.contacts import (
    Contact,
    ContactGroup,
    FriendRequest,
    InviteKind,
    RequestStatus,
)
from tidings.domain.entries import PrivateEntry, PrivateKind
from tidings.store import codec, log, outbox
from tidings.store.database import Database
from tidings.store.schema import blocks, contact_groups, friend_requests, friendships, invites


class Invite:
    __slots__ = (
        "code",
        "conversation_id",
        "created_at",
        "expires_at",
        "kind",
        "revoked_at",
        "user_id",
    )

    def __init__(self, row: Any) -> None:
        self.code: str = row.code
        self.kind = InviteKind(row.kind)
        self.user_id: int = row.user_id
        self.conversation_id: int | None = row.conversation_id
        self.created_at: int = row.created_at
        self.expires_at: int | None = row.expires_at
        self.revoked_at: int | None = row.revoked_at

    def live(self, now: int) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def to_wire(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind.value,
            "user_id": self.user_id,
            "conversation_id": self.conversation_id,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "revoked": self.revoked_at is not None,
        }


def _request(row: Any) -> FriendRequest:
    return FriendRequest(
        id=row.id,
        from_user_id=row.from_user_id,
        to_user_id=row.to_user_id,
        message=row.message,
        status=RequestStatus(row.status),
        suppressed=bool(row.suppressed),
        created_at=row.created_at,
    )


def _contact(row: Any) -> Contact:
    return Contact(row.friend_id, row.remark, tuple(codec.loads(row.tags)), row.contact_group_id)


class ContactStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    # Friend requests

    async def pending_between(self, from_id: int, to_id: int) -> FriendRequest | None:
        async with self._db.read("pending_friend_request") as conn:
            row = (
                await conn.execute(
                    select(friend_requests).where(
                        friend_requests.c.from_user_id == from_id,
                        friend_requests.c.to_user_id == to_id,
                        friend_requests.c.status == RequestStatus.PENDING.value,
                    )
                )
            ).first()
        return _request(row) if row else None

    async def request(self, request_id: int) -> FriendRequest | None:
        async with self._db.read("get_friend_request") as conn:
            row = (
                await conn.execute(
                    select(friend_requests).where(friend_requests.c.id == request_id)
                )
            ).first()
        return _request(row) if row else None

    async def create_request(
        self,
        *,
        from_id: int,
        to_id: int,
        message: str,
        suppressed: bool,
        sender_card: dict[str, Any],
        now: int,
    ) -> tuple[FriendRequest, list[PrivateEntry]]:
        async with self._db.write("create_friend_request") as conn:
            request_id = (
                await conn.execute(
                    insert(friend_requests)
                    .values(
                        from_user_id=from_id,
                        to_user_id=to_id,
                        message=message,
                        status=RequestStatus.PENDING.value,
                        suppressed=suppressed,
                        created_at=now,
                    )
                    .returning(friend_requests.c.id)
                )
            ).scalar_one()
            told = [
                await log.append_private(
                    conn,
                    from_id,
                    PrivateKind.FRIEND_REQUEST_SENT,
                    {"request_id": request_id, "to_user_id": to_id, "message": message},
                    now,
                )
            ]
            if not suppressed:
                told.append(
                    await log.append_private(
                        conn,
                        to_id,
                        PrivateKind.FRIEND_REQUEST,
                        {"request_id": request_id, "from_user": sender_card, "message": message},
                        now,
                    )
                )
        request = FriendRequest(
            request_id, from_id, to_id, message, RequestStatus.PENDING, suppressed, now
        )
        return request, told

    async def incoming(self, user_id: int) -> list[FriendRequest]:
        async with self._db.read("incoming_friend_requests") as conn:
            rows = await conn.execute(
                select(friend_requests)
                .where(
                    friend_requests.c.to_user_id == user_id,
                    friend_requests.c.status == RequestStatus.PENDING.value,
                    friend_requests.c.suppressed.is_(False),
                )
                .order_by(friend_requests.c.id.desc())
            )
            return [_request(r) for r in rows]

    async def outgoing(self, user_id: int) -> list[FriendRequest]:
        async with self._db.read("outgoing_friend_requests") as conn:
            rows = await conn.execute(
                select(friend_requests)
                .where(
                    friend_requests.c.from_user_id == user_id,
                    friend_requests.c.status == RequestStatus.PENDING.value,
                )
                .order_by(friend_requests.c.id.desc())
            )
            return [_request(r) for r in rows]

    async def decide(
        self,
        *,
        request: FriendRequest,
        status: RequestStatus,
        cards: dict[int, dict[str, Any]],
        now: int,
    ) -> list[PrivateEntry] | None:
        """Settle a pending request; on acceptance the two become friends. None when it was
        settled already."""
        async with self._db.write("decide_friend_request") as conn:
            moved = (
                await conn.execute(
                    update(friend_requests)
                    .where(
                        friend_requests.c.id == request.id,
                        friend_requests.c.status == RequestStatus.PENDING.value,
                    )
                    .values(status=status.value, decided_at=now)
                )
            ).rowcount
            if not moved:
                return None
            decided = {
                "request_id": request.id,
                "from_user_id": request.from_user_id,
                "to_user_id": request.to_user_id,
                "decision": status.value,
            }
            # Ignoring is silent: only the recipient's devices learn it.
            told_users = (
                [request.to_user_id]
                if status is RequestStatus.IGNORED
                else [request.to_user_id, request.from_user_id]
            )
            told = list(
                (
                    await log.append_private_many(
                        conn,
                        {u: decided for u in told_users},
                        PrivateKind.FRIEND_REQUEST_DECIDED,
                        now,
                    )
                ).values()
            )
            if status is RequestStatus.ACCEPTED:
                told += await _befriend(conn, request.from_user_id, request.to_user_id, cards, now)
        return told

    async def befriend(
        self, user_id: int, other_id: int, cards: dict[int, dict[str, Any]], now: int
    ) -> list[PrivateEntry]:
        async with self._db.write("befriend") as conn:
            return await _befriend(conn, user_id, other_id, cards, now)

    # Friends and the user's notes about them

    async def contacts(self, user_id: int) -> list[Contact]:
        async with self._db.read("list_contacts") as conn:
            rows = await conn.execute(
                select(friendships)
                .where(friendships.c.user_id == user_id)
                .order_by(friendships.c.friend_id)
            )
            return [_contact(r) for r in rows]

    async def contacts_among(self, user_id: int, friend_ids: list[int]) -> dict[int, Contact]:
        """The user's notes about those of ``friend_ids`` who are friends."""
        if not friend_ids:
            return {}
        async with self._db.read("contacts_among") as conn:
            rows = await conn.execute(
                select(friendships).where(
                    friendships.c.user_id == user_id, friendships.c.friend_id.in_(friend_ids)
                )
            )
            return {r.friend_id: _contact(r) for r in rows}

    async def contact(self, user_id: int, friend_id: int) -> Contact | None:
        async with self._db.read("get_contact") as conn:
            row = (
                await conn.execute(
                    select(friendships).where(
                        friendships.c.user_id == user_id, friendships.c.friend_id == friend_id
                    )
                )
            ).first()
        return _contact(row) if row else None

    async def friend_ids(self, user_id: int) -> set[int]:
        async with self._db.read("friend_ids") as conn:
            rows = await conn.execute(
                select(friendships.c.friend_id).where(friendships.c.user_id == user_id)
            )
            return set(rows.scalars())

    async def update_contact(
        self, user_id: int, friend_id: int, values: dict[str, Any], now: int
    ) -> tuple[Contact, PrivateEntry]:
        stored = {k: codec.dumps(list(v)) if k == "tags" else v for k, v in values.items()}
        async with self._db.write("update_contact") as conn:
            await conn.execute(
                update(friendships)
                .where(friendships.c.user_id == user_id, friendships.c.friend_id == friend_id)
                .values(**stored)
            )
            row = (
                await conn.execute(
                    select(friendships).where(
                        friendships.c.user_id == user_id, friendships.c.friend_id == friend_id
                    )
                )
            ).one()
            contact = _contact(row)
            entry = await log.append_private(
                conn, user_id, PrivateKind.CONTACT_UPDATED, contact.to_wire(), now
            )
        return contact, entry

    async def unfriend(self, user_id: int, other_id: int, now: int) -> list[PrivateEntry]:
        async with self._db.write("unfriend") as conn:
            await conn.execute(
                delete(friendships).where(
                    or_(
                        (friendships.c.user_id == user_id) & (friendships.c.friend_id == other_id),
                        (friendships.c.user_id == other_id) & (friendships.c.friend_id == user_id),
                    )
                )
            )
            return list(
                (
                    await log.append_private_many(
                        conn,
                        {user_id: {"user_id": other_id}, other_id: {"user_id": user_id}},
                        PrivateKind.FRIEND_REMOVED,
                        now,
                    )
                ).values()
            )

    # Contact groups

    async def contact_groups(self, user_id: int) -> list[ContactGroup]:
        async with self._db.read("contact_groups") as conn:
            rows = await conn.execute(
                select(contact_groups)
                .where(contact_groups.c.user_id == user_id)
                .order_by(contact_groups.c.id)
            )
            return [ContactGroup(r.id, r.parent_id, r.name) for r in rows]

    async def change_contact_groups(
        self,
        user_id: int,
        *,
        create: tuple[str, int | None] | None = None,
        rename: tuple[int, str] | None = None,
        move: tuple[int, int | None] | None = None,
        delete_group: tuple[int, int | None] | None = None,
        now: int,
    ) -> tuple[int | None, PrivateEntry]:
        """One change to the user's contact groups; the private entry carries the whole
        list (it is small) so a device folds it without replaying history."""
        async with self._db.write("change_contact_groups") as conn:
            created = None
            extra: dict[str, Any] = {}
            mine = contact_groups.c.user_id == user_id
            if create is not None:
                created = (
                    await conn.execute(
                        insert(contact_groups)
                        .values(
                            user_id=user_id, name=create[0], parent_id=create[1], created_at=now
                        )
                        .returning(contact_groups.c.id)
                    )
                ).scalar_one()
            if rename is not None:
                await conn.execute(
                    update(contact_groups)
                    .where(mine, contact_groups.c.id == rename[0])
                    .values(name=rename[1])
                )
            if move is not None:
                await conn.execute(
                    update(contact_groups)
                    .where(mine, contact_groups.c.id == move[0])
                    .values(parent_id=move[1])
                )
            if delete_group is not None:
                gone, parent = delete_group
                # Contacts and subgroups are kept: they move up to the deleted group's parent.
                await conn.execute(
                    update(contact_groups)
                    .where(mine, contact_groups.c.parent_id == gone)
                    .values(parent_id=parent)
                )
                await conn.execute(
                    update(friendships)
                    .where(friendships.c.user_id == user_id, friendships.c.contact_group_id == gone)
                    .values(contact_group_id=parent)
                )
                await conn.execute(delete(contact_groups).where(mine, contact_groups.c.id == gone))
                extra["moved"] = {"from": gone, "to": parent}
            rows = await conn.execute(
                select(contact_groups).where(mine).order_by(contact_groups.c.id)
            )
            groups = [ContactGroup(r.id, r.parent_id, r.name).to_wire() for r in rows]
            entry = await log.append_private(
                conn, user_id, PrivateKind.CONTACT_GROUPS, {"groups": groups, **extra}, now
            )
        return created, entry

    # The blacklist

    async def blocked_ids(self, user_id: int) -> list[int]:
        async with self._db.read("blocked_ids") as conn:
            rows = await conn.execute(
                select(blocks.c.blocked_id)
                .where(blocks.c.user_id == user_id)
                .order_by(blocks.c.created_at)
            )
            return list(rows.scalars())

    async def blockers_of(self, user_id: int, among: list[int]) -> set[int]:
        """Which of ``among`` blocked ``user_id``."""
        if not among:
            return set()
        async with self._db.read("blockers_of") as conn:
            rows = await conn.execute(
                select(blocks.c.user_id).where(
                    blocks.c.blocked_id == user_id, blocks.c.user_id.in_(among)
                )
            )
            return set(rows.scalars())

    async def set_block(
        self, user_id: int, other_id: int, blocked: bool, now: int
    ) -> PrivateEntry | None:
        async with self._db.write("set_block") as conn:
            if blocked:
                present = (
                    await conn.execute(
                        select(blocks.c.user_id).where(
                            blocks.c.user_id == user_id, blocks.c.blocked_id == other_id
                        )
                    )
                ).first()
                if present is not None:
                    return None
                await conn.execute(
                    insert(blocks).values(user_id=user_id, blocked_id=other_id, created_at=now)
                )
            else:
                gone = (
                    await conn.execute(
                        delete(blocks).where(
                            blocks.c.user_id == user_id, blocks.c.blocked_id == other_id
                        )
                    )
                ).rowcount
                if not gone:
                    return None
            kind = PrivateKind.USER_BLOCKED if blocked else PrivateKind.USER_UNBLOCKED
            return await log.append_private(conn, user_id, kind, {"user_id": other_id}, now)

    # Invites

    async def create_invite(
        self,
        *,
        code: str,
        kind: InviteKind,
        user_id: int,
        conversation_id: int | None,
        expires_at: int | None,
        now: int,
    ) -> Invite:
        async with self._db.write("create_invite") as conn:
            row = (
                await conn.execute(
                    insert(invites)
                    .values(
                        code=code,
                        kind=kind.value,
                        user_id=user_id,
                        conversation_id=conversation_id,
                        created_at=now,
                        expires_at=expires_at,
                    )
                    .returning(*invites.c)
                )
            ).one()
        return Invite(row)

    async def invite(self, code: str) -> Invite | None:
        async with self._db.read("get_invite") as conn:
            row = (await conn.execute(select(invites).where(invites.c.code == code))).first()
        return Invite(row) if row else None

    async def invites_of(self, user_id: int) -> list[Invite]:
        async with self._db.read("list_invites") as conn:
            rows = await conn.execute(
                select(invites).where(invites.c.user_id == user_id).order_by(invites.c.id.desc())
            )
            return [Invite(r) for r in rows]

    async def revoke_invite(self, code: str, now: int) -> bool:
        async with self._db.write("revoke_invite") as conn:
            return bool(
                (
                    await conn.execute(
                        update(invites)
                        .where(invites.c.code == code, invites.c.revoked_at.is_(None))
                        .values(revoked_at=now)
                    )
                ).rowcount
            )

    async def pending_count(self, user_id: int) -> int:
        async with self._db.read("pending_friend_requests") as conn:
            return int(
                (
                    await conn.execute(
                        select(func.count())
                        .select_from(friend_requests)
                        .where(
                            friend_requests.c.to_user_id == user_id,
                            friend_requests.c.status == RequestStatus.PENDING.value,
                            friend_requests.c.suppressed.is_(False),
                        )
                    )
                ).scalar_one()
            )


async def _befriend(
    conn: AsyncConnection,
    user_id: int,
    other_id: int,
    cards: dict[int, dict[str, Any]],
    now: int,
) -> list[PrivateEntry]:
    existing = set(
        (
            await conn.execute(
                select(friendships.c.user_id).where(
                    or_(
                        (friendships.c.user_id == user_id) & (friendships.c.friend_id == other_id),
                        (friendships.c.user_id == other_id) & (friendships.c.friend_id == user_id),
                    )
                )
            )
        ).scalars()
    )
    rows = [
        {"user_id": a, "friend_id": b, "created_at": now}
        for a, b in ((user_id, other_id), (other_id, user_id))
        if a not in existing
    ]
    if not rows:
        return []
    await conn.execute(insert(friendships), rows)
    outbox.note([webhooks.friend_added(user_id, other_id, now)])
    added: dict[int, dict[str, Any]] = {
        row["user_id"]: {
            "user": cards[row["friend_id"]],
            "remark": "",
            "tags": [],
            "contact_group_id": None,
        }
        for row in rows
    }
    return list(
        (await log.append_private_many(conn, added, PrivateKind.FRIEND_ADDED, now)).values()
    )
