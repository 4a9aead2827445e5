"""Group queues: join requests waiting for an approver and messages waiting for a
moderator (they get their seq only when approved)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update

from tidings.domain.entries import Entry, EntryKind, NewEntry, PrivateEntry, PrivateKind
from tidings.domain.groups import AdmissionRule
from tidings.store import codec, log
from tidings.store.batch import RosterMoved
from tidings.store.conversations import admit_members
from tidings.store.database import Database
from tidings.store.groups import append_one
from tidings.store.schema import join_requests, members, moderation_queue

# What an admission added: its member_joined entry, who joined, their private entries.
Admitted = tuple[Entry, list[int], dict[int, PrivateEntry]]


@dataclass(frozen=True, slots=True)
class JoinRequest:
    id: int
    conversation_id: int
    user_id: int
    message: str
    status: str
    created_at: int
    # The member whose invite this is (approval groups); None when the user asked.
    invited_by: int | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "user_id": self.user_id,
            "message": self.message,
            "status": self.status,
            "created_at": self.created_at,
            "invited_by": self.invited_by,
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


class GroupQueueStore:
    def __init__(self, database: Database) -> None:
        self._db = database

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
    ) -> tuple[JoinRequest, dict[int, PrivateEntry]] | None:
        """A pending request; None when one is waiting already or the user is a member
        (checked under the group's lock: concurrent requests make one)."""
        async with self._db.write("create_join_request") as conn:
            await log.lock_conversation(conn, conversation_id)
            waiting = (
                await conn.execute(
                    select(join_requests.c.id).where(
                        join_requests.c.conversation_id == conversation_id,
                        join_requests.c.user_id == user_id,
                        join_requests.c.status == "pending",
                    )
                )
            ).first()
            member = (
                await conn.execute(
                    select(members.c.user_id).where(
                        members.c.conversation_id == conversation_id,
                        members.c.user_id == user_id,
                        members.c.active.is_(True),
                    )
                )
            ).first()
            if waiting is not None or member is not None:
                return None
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

    async def pending_among(self, conversation_id: int, user_ids: list[int]) -> set[int]:
        """Those of ``user_ids`` with a request waiting in this group."""
        found: set[int] = set()
        async with self._db.read("pending_join_requests_among") as conn:
            for start in range(0, len(user_ids), 500):
                rows = await conn.execute(
                    select(join_requests.c.user_id).where(
                        join_requests.c.conversation_id == conversation_id,
                        join_requests.c.user_id.in_(user_ids[start : start + 500]),
                        join_requests.c.status == "pending",
                    )
                )
                found.update(r.user_id for r in rows)
        return found

    async def create_invited_requests(
        self,
        *,
        conversation_id: int,
        user_ids: list[int],
        invited_by: int,
        approvers: list[int],
        now: int,
    ) -> tuple[list[JoinRequest], list[PrivateEntry]]:
        """A member's invite into an approval group: one pending request per invitee, each
        told to every approver, in one transaction. Invitees with a request waiting, or who
        are members, by the time the group's lock is held are left out (concurrent invites
        of one person make one request)."""
        requests: list[JoinRequest] = []
        told: list[PrivateEntry] = []
        async with self._db.write("create_invited_join_requests") as conn:
            await log.lock_conversation(conn, conversation_id)
            taken = set(
                (
                    await conn.execute(
                        select(join_requests.c.user_id).where(
                            join_requests.c.conversation_id == conversation_id,
                            join_requests.c.user_id.in_(user_ids),
                            join_requests.c.status == "pending",
                        )
                    )
                ).scalars()
            ) | set(
                (
                    await conn.execute(
                        select(members.c.user_id).where(
                            members.c.conversation_id == conversation_id,
                            members.c.user_id.in_(user_ids),
                            members.c.active.is_(True),
                        )
                    )
                ).scalars()
            )
            for user_id in [u for u in user_ids if u not in taken]:
                request_id = (
                    await conn.execute(
                        insert(join_requests)
                        .values(
                            conversation_id=conversation_id,
                            user_id=user_id,
                            message="",
                            status="pending",
                            created_at=now,
                            invited_by=invited_by,
                        )
                        .returning(join_requests.c.id)
                    )
                ).scalar_one()
                request = JoinRequest(
                    request_id, conversation_id, user_id, "", "pending", now, invited_by
                )
                requests.append(request)
                told.extend(
                    (
                        await log.append_private_many(
                            conn,
                            {a: request.to_wire() for a in approvers},
                            PrivateKind.JOIN_REQUEST,
                            now,
                        )
                    ).values()
                )
        return requests, told

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
        admit: tuple[int, AdmissionRule] | None = None,
    ) -> tuple[dict[int, PrivateEntry], Admitted | None] | None:
        """Settle a pending request; None when someone else settled it first. ``admit``
        (inviter, rule): add the requester in the same transaction, as ``rule`` decides on
        the group as it stands — if it refuses, the request stays pending."""
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
            admitted = None
            if approved and admit is not None:
                admitted = await admit_members(
                    conn,
                    conversation_id=request.conversation_id,
                    inviter_id=admit[0],
                    user_ids=[request.user_id],
                    rule=admit[1],
                    now=now,
                )
            told = await log.append_private_many(
                conn,
                {
                    u: {
                        "request_id": request.id,
                        "conversation_id": request.conversation_id,
                        "user_id": request.user_id,
                        "approved": approved,
                        "invited_by": request.invited_by,
                    }
                    for u in {*tell, request.user_id, *_inviter(request)}
                },
                PrivateKind.JOIN_REQUEST_DECIDED,
                now,
            )
            return told, admitted

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
        roster_version: int,
    ) -> tuple[Entry | None, list[PrivateEntry]] | None:
        """Approve (append the message: it gets its seq now) or reject (the sender is
        told); None when another moderator decided first. An approval checked against
        ``roster_version`` raises ``RosterMoved`` if the group's members or rules changed
        since (the sender may have been removed): nothing is stored (decision 12)."""
        async with self._db.write("decide_queued_message") as conn:
            if approved:
                version = await log.locked_roster_version(conn, queued.conversation_id)
                if version != roster_version:
                    raise RosterMoved(queued.conversation_id)
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
                entry = await append_one(
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


def _join_request(row: Any) -> JoinRequest:
    return JoinRequest(
        row.id,
        row.conversation_id,
        row.user_id,
        row.message,
        row.status,
        row.created_at,
        row.invited_by,
    )


def _inviter(request: JoinRequest) -> tuple[int, ...]:
    return () if request.invited_by is None else (request.invited_by,)


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
