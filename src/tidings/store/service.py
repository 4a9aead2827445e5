"""Customer service (J4, decision 0066): visitors, their service chats and cases, the agents.

Taking, transferring and closing a chat are each one conditional UPDATE of its
``service_chats`` row followed, in the same transaction, by the membership change and its
log entry: of agents taking a chat at once exactly one changes the row (PostgreSQL re-checks
the condition on the row a concurrent update changed; SQLite has one writer), and the others
change nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain.accounts import Platform, Session, User, UserKind
from tidings.domain.conversations import ConversationType, Role
from tidings.domain.entries import Entry, EntryKind, NewEntry, PrivateEntry, PrivateKind
from tidings.domain.service import (
    ServiceCase,
    ServiceChat,
    ServiceState,
    VisitorPage,
    anonymous_name,
)
from tidings.store import log
from tidings.store.accounts import USER_COLUMNS, session_from_row, user_from_row
from tidings.store.conversations import leave
from tidings.store.database import Database
from tidings.store.schema import (
    conversations,
    members,
    private_entries,
    push_subscriptions,
    service_agents,
    service_cases,
    service_chats,
    service_identity_tokens,
    sessions,
    users,
)

# A visitor has no password: this is no argon2 hash, so no password ever matches it.
NO_PASSWORD = "!visitor"  # noqa: S105


@dataclass(frozen=True, slots=True)
class VisitorOpened:
    """A visitor's new session (and the chat, created or found)."""

    visitor: User
    chat: ServiceChat
    session: Session
    joined: PrivateEntry | None


@dataclass(frozen=True, slots=True)
class Identity:
    app_id: int
    external_id: str
    nickname: str
    avatar: str


@dataclass(frozen=True, slots=True)
class Moved:
    """What a take, transfer or close changed: the chat after, the log entries and the
    private entries (joined, left) of the agents concerned."""

    chat: ServiceChat
    entries: list[Entry]
    private: list[PrivateEntry]


def _chat(row: Row[Any, *tuple[Any, ...]]) -> ServiceChat:
    return ServiceChat(
        conversation_id=row.conversation_id,
        visitor_id=row.visitor_id,
        state=ServiceState(row.state),
        agent_id=row.agent_id,
        case_id=row.case_id,
        waiting_since=row.waiting_since,
        page_url=row.page_url,
        page_title=row.page_title,
        page_at=row.page_at,
        app_id=row.app_id,
        external_id=row.external_id,
        created_at=row.created_at,
    )


def _case(row: Row[Any, *tuple[Any, ...]]) -> ServiceCase:
    return ServiceCase(
        id=row.id,
        conversation_id=row.conversation_id,
        opened_at=row.opened_at,
        first_seq=row.first_seq,
        agent_id=row.agent_id,
        taken_at=row.taken_at,
        closed_at=row.closed_at,
        page_url=row.page_url,
        page_title=row.page_title,
    )


class ServiceStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    # Visitors

    async def open_visitor(
        self,
        *,
        nickname: str | None,
        page: VisitorPage | None,
        identity: Identity | None,
        token_hash: str,
        ip: str,
        device_name: str,
        now: int,
        expires_at: int,
    ) -> VisitorOpened:
        """A session for a new anonymous visitor, or for an identified one (their chat is
        found again by the app's external id, or created)."""
        async with self._db.write("open_visitor") as conn:
            found = None
            if identity is not None:
                found = (
                    await conn.execute(
                        select(service_chats).where(
                            service_chats.c.app_id == identity.app_id,
                            service_chats.c.external_id == identity.external_id,
                        )
                    )
                ).first()
            joined = None
            if found is None:
                visitor_id, chat, joined = await _create_visitor(
                    conn, nickname=nickname, page=page, identity=identity, now=now
                )
            else:
                chat = _chat(found)
                visitor_id = chat.visitor_id
                assert identity is not None
                await conn.execute(
                    update(users)
                    .where(users.c.id == visitor_id)
                    .values(nickname=identity.nickname, avatar=identity.avatar)
                )
                await conn.execute(
                    update(conversations)
                    .where(conversations.c.id == chat.conversation_id)
                    .values(name=identity.nickname)
                )
                if page is not None:
                    chat = await _note_page(conn, visitor_id, page, now) or chat
            session_row = (
                await conn.execute(
                    insert(sessions)
                    .values(
                        user_id=visitor_id,
                        token_hash=token_hash,
                        platform=Platform.WEB.value,
                        device_name=device_name,
                        ip=ip,
                        created_at=now,
                        last_seen_at=now,
                        expires_at=expires_at,
                    )
                    .returning(*sessions.c)
                )
            ).one()
            visitor = user_from_row(
                (await conn.execute(select(*USER_COLUMNS).where(users.c.id == visitor_id))).one()
            )
        return VisitorOpened(visitor, chat, session_from_row(session_row), joined)

    async def save_identity_token(
        self, *, token_hash: str, identity: Identity, now: int, expires_at: int
    ) -> None:
        async with self._db.write("save_identity_token") as conn:
            await conn.execute(
                delete(service_identity_tokens).where(service_identity_tokens.c.expires_at < now)
            )
            await conn.execute(
                insert(service_identity_tokens).values(
                    token_hash=token_hash,
                    app_id=identity.app_id,
                    external_id=identity.external_id,
                    nickname=identity.nickname,
                    avatar=identity.avatar,
                    created_at=now,
                    expires_at=expires_at,
                )
            )

    async def spend_identity_token(self, token_hash: str, now: int) -> Identity | None:
        """The identity behind a live, unused token, which is used up by this call: of any
        number of concurrent exchanges exactly one gets it."""
        async with self._db.write("spend_identity_token") as conn:
            row = (
                await conn.execute(
                    update(service_identity_tokens)
                    .where(
                        service_identity_tokens.c.token_hash == token_hash,
                        service_identity_tokens.c.used_at.is_(None),
                        service_identity_tokens.c.expires_at > now,
                    )
                    .values(used_at=now)
                    .returning(*service_identity_tokens.c)
                )
            ).first()
        if row is None:
            return None
        return Identity(row.app_id, row.external_id, row.nickname, row.avatar)

    async def note_page(self, visitor_id: int, page: VisitorPage, now: int) -> ServiceChat | None:
        async with self._db.write("note_visitor_page") as conn:
            return await _note_page(conn, visitor_id, page, now)

    # Reading

    async def chat(self, conversation_id: int) -> ServiceChat | None:
        async with self._db.read("service_chat") as conn:
            row = (
                await conn.execute(
                    select(service_chats).where(service_chats.c.conversation_id == conversation_id)
                )
            ).first()
        return _chat(row) if row else None

    async def chat_of_visitor(self, visitor_id: int) -> ServiceChat | None:
        async with self._db.read("service_chat_of_visitor") as conn:
            row = (
                await conn.execute(
                    select(service_chats).where(service_chats.c.visitor_id == visitor_id)
                )
            ).first()
        return _chat(row) if row else None

    async def chats(
        self, *, state: ServiceState, agent_id: int | None = None, limit: int = 200
    ) -> list[ServiceChat]:
        """Chats in ``state`` (of ``agent_id``), the longest waiting first."""
        statement = select(service_chats).where(service_chats.c.state == state.value)
        if agent_id is not None:
            statement = statement.where(service_chats.c.agent_id == agent_id)
        statement = statement.order_by(
            service_chats.c.waiting_since, service_chats.c.conversation_id
        ).limit(limit)
        async with self._db.read("service_chats") as conn:
            return [_chat(row) for row in await conn.execute(statement)]

    async def cases(self, conversation_id: int, limit: int = 50) -> list[ServiceCase]:
        async with self._db.read("service_cases") as conn:
            rows = await conn.execute(
                select(service_cases)
                .where(service_cases.c.conversation_id == conversation_id)
                .order_by(service_cases.c.id.desc())
                .limit(limit)
            )
            return [_case(row) for row in rows]

    # The queue

    async def open_case(self, conversation_id: int, seq: int, now: int) -> ServiceChat | None:
        """Put a chat with no open case in the queue, opening a case at ``seq``; None if it
        has one already (concurrent first messages open one case)."""
        async with self._db.write("open_service_case") as conn:
            row = (
                await conn.execute(
                    update(service_chats)
                    .where(
                        service_chats.c.conversation_id == conversation_id,
                        service_chats.c.state == ServiceState.CLOSED.value,
                        # A message that slipped in as the retention forgot the visitor
                        # stays in the log; the chat does not queue for a visitor gone.
                        service_chats.c.forgotten_at.is_(None),
                    )
                    .values(state=ServiceState.WAITING.value, agent_id=None, waiting_since=now)
                    .returning(*service_chats.c)
                )
            ).first()
            if row is None:
                return None
            case_id = (
                await conn.execute(
                    insert(service_cases)
                    .values(
                        conversation_id=conversation_id,
                        opened_at=now,
                        first_seq=seq,
                        page_url=row.page_url,
                        page_title=row.page_title,
                    )
                    .returning(service_cases.c.id)
                )
            ).scalar_one()
            row = (
                await conn.execute(
                    update(service_chats)
                    .where(service_chats.c.conversation_id == conversation_id)
                    .values(case_id=case_id)
                    .returning(*service_chats.c)
                )
            ).one()
        return _chat(row)

    async def take(self, conversation_id: int, agent_id: int, now: int) -> Moved | None:
        """The agent takes a waiting chat and joins its conversation; None: it is not
        waiting (another agent took it first, or it is closed)."""
        async with self._db.write("take_service_chat") as conn:
            row = (
                await conn.execute(
                    update(service_chats)
                    .where(
                        service_chats.c.conversation_id == conversation_id,
                        service_chats.c.state == ServiceState.WAITING.value,
                    )
                    .values(state=ServiceState.TAKEN.value, agent_id=agent_id)
                    .returning(*service_chats.c)
                )
            ).first()
            if row is None:
                return None
            await conn.execute(
                update(service_cases)
                .where(service_cases.c.id == row.case_id)
                .values(agent_id=agent_id, taken_at=now)
            )
            await log.change_roster(conn, conversation_id)
            entry, joined = await _join(conn, conversation_id, agent_id, agent_id, now)
        return Moved(_chat(row), [entry], [joined])

    async def transfer(
        self, conversation_id: int, from_agent: int, to_agent: int, now: int
    ) -> Moved | None:
        """Hand a chat the agent holds to another agent; None: they do not hold it."""
        async with self._db.write("transfer_service_chat") as conn:
            row = (
                await conn.execute(
                    update(service_chats)
                    .where(
                        service_chats.c.conversation_id == conversation_id,
                        service_chats.c.state == ServiceState.TAKEN.value,
                        service_chats.c.agent_id == from_agent,
                    )
                    .values(agent_id=to_agent)
                    .returning(*service_chats.c)
                )
            ).first()
            if row is None:
                return None
            await conn.execute(
                update(service_cases)
                .where(service_cases.c.id == row.case_id)
                .values(agent_id=to_agent)
            )
            await log.change_roster(conn, conversation_id)
            left_entry, left = await leave(
                conn, conversation_id, from_agent, now, keeps_history=False
            )
            joined_entry, joined = await _join(conn, conversation_id, to_agent, from_agent, now)
        return Moved(_chat(row), [left_entry, joined_entry], [left, joined])

    async def close(self, conversation_id: int, agent_id: int, now: int) -> Moved | None:
        """Close a chat the agent holds (the agent leaves its conversation); None: they do
        not hold it."""
        async with self._db.write("close_service_chat") as conn:
            row = (
                await conn.execute(
                    update(service_chats)
                    .where(
                        service_chats.c.conversation_id == conversation_id,
                        service_chats.c.state == ServiceState.TAKEN.value,
                        service_chats.c.agent_id == agent_id,
                    )
                    .values(
                        state=ServiceState.CLOSED.value,
                        agent_id=None,
                        case_id=None,
                        waiting_since=None,
                    )
                    .returning(*service_chats.c)
                )
            ).first()
            if row is None:
                return None
            await conn.execute(
                update(service_cases)
                .where(
                    service_cases.c.conversation_id == conversation_id,
                    service_cases.c.closed_at.is_(None),
                )
                .values(closed_at=now)
            )
            await log.change_roster(conn, conversation_id)
            entry, left = await leave(conn, conversation_id, agent_id, now, keeps_history=False)
        return Moved(_chat(row), [entry], [left])

    # Agents

    async def agents(self) -> list[int]:
        async with self._db.read("service_agents") as conn:
            return list(
                (await conn.execute(select(service_agents.c.user_id).order_by("user_id"))).scalars()
            )

    async def is_agent(self, user_id: int) -> bool:
        async with self._db.read("is_service_agent") as conn:
            found = (
                await conn.execute(
                    select(service_agents.c.user_id).where(service_agents.c.user_id == user_id)
                )
            ).first()
        return found is not None

    async def set_agents(self, user_ids: list[int], now: int) -> tuple[list[int], list[int]]:
        """Make ``user_ids`` the agents: (added, removed). Chats an agent who is removed
        holds stay with them until closed or transferred."""
        async with self._db.write("set_service_agents") as conn:
            current = set((await conn.execute(select(service_agents.c.user_id))).scalars())
            wanted = set(user_ids)
            added = sorted(wanted - current)
            removed = sorted(current - wanted)
            if removed:
                await conn.execute(
                    delete(service_agents).where(service_agents.c.user_id.in_(removed))
                )
            if added:
                await conn.execute(
                    insert(service_agents), [{"user_id": u, "added_at": now} for u in added]
                )
        return added, removed

    async def last_seqs(self, conversation_ids: list[int]) -> dict[int, int]:
        if not conversation_ids:
            return {}
        async with self._db.read("service_last_seqs") as conn:
            rows = await conn.execute(
                select(conversations.c.id, conversations.c.last_seq).where(
                    conversations.c.id.in_(conversation_ids)
                )
            )
            return {row.id: row.last_seq for row in rows}

    # The retention (decision 0066)

    async def idle_visitors(self, cutoff: int, limit: int) -> list[int]:
        """Visitors not forgotten yet whose chat is closed and has had no entry since
        ``cutoff``, and none of whose sessions was seen since: the oldest chats first."""
        seen = (
            select(sessions.c.id)
            .where(
                sessions.c.user_id == service_chats.c.visitor_id,
                sessions.c.last_seen_at >= cutoff,
            )
            .exists()
        )
        statement = (
            select(service_chats.c.visitor_id)
            .select_from(
                service_chats.join(
                    conversations, conversations.c.id == service_chats.c.conversation_id
                )
            )
            .where(
                service_chats.c.state == ServiceState.CLOSED.value,
                service_chats.c.forgotten_at.is_(None),
                conversations.c.last_activity_at < cutoff,
                ~seen,
            )
            .order_by(service_chats.c.conversation_id)
            .limit(limit)
        )
        async with self._db.read("idle_service_visitors") as conn:
            return list((await conn.execute(statement)).scalars())

    async def forget_visitor(self, visitor_id: int, cutoff: int, now: int) -> bool:
        """Forget a visitor still idle since ``cutoff`` (checked again here, holding their
        conversation's row, which every append takes first: a message at this moment either
        came before and keeps them, or lands in the log after): their sessions and private
        log are deleted, their name, avatar, pages and the host's id wiped, the account
        disabled. The conversation's log stays. False: not idle (any longer)."""
        async with self._db.write("forget_service_visitor") as conn:
            found = (
                await conn.execute(
                    select(service_chats.c.conversation_id).where(
                        service_chats.c.visitor_id == visitor_id
                    )
                )
            ).first()
            if found is None:
                return False
            conversation_id = found.conversation_id
            activity = (
                await conn.execute(
                    select(conversations.c.last_activity_at)
                    .where(conversations.c.id == conversation_id)
                    .with_for_update()
                )
            ).scalar_one()
            seen = (
                await conn.execute(
                    select(func.max(sessions.c.last_seen_at)).where(
                        sessions.c.user_id == visitor_id
                    )
                )
            ).scalar()
            if activity >= cutoff or (seen is not None and seen >= cutoff):
                return False
            forgotten = await conn.execute(
                update(service_chats)
                .where(
                    service_chats.c.conversation_id == conversation_id,
                    service_chats.c.state == ServiceState.CLOSED.value,
                    service_chats.c.forgotten_at.is_(None),
                )
                .values(
                    forgotten_at=now,
                    page_url="",
                    page_title="",
                    page_at=0,
                    app_id=None,
                    external_id=None,
                )
            )
            if forgotten.rowcount == 0:
                return False
            name = anonymous_name(visitor_id)
            await conn.execute(
                update(service_cases)
                .where(service_cases.c.conversation_id == conversation_id)
                .values(page_url="", page_title="")
            )
            await conn.execute(
                update(conversations).where(conversations.c.id == conversation_id).values(name=name)
            )
            await conn.execute(
                update(users)
                .where(users.c.id == visitor_id)
                .values(nickname=name, avatar="", disabled=True)
            )
            await conn.execute(
                delete(push_subscriptions).where(push_subscriptions.c.user_id == visitor_id)
            )
            await conn.execute(delete(sessions).where(sessions.c.user_id == visitor_id))
            await conn.execute(
                delete(private_entries).where(private_entries.c.user_id == visitor_id)
            )
        return True

    async def held_counts(self) -> dict[int, int]:
        """How many chats each agent holds now (agents holding none are left out)."""
        async with self._db.read("service_held_counts") as conn:
            rows = await conn.execute(
                select(service_chats.c.agent_id, func.count())
                .where(service_chats.c.state == ServiceState.TAKEN.value)
                .group_by(service_chats.c.agent_id)
            )
            return {row[0]: int(row[1]) for row in rows if row[0] is not None}

    async def waiting_count(self) -> int:
        async with self._db.read("service_waiting_count") as conn:
            return int(
                (
                    await conn.execute(
                        select(func.count())
                        .select_from(service_chats)
                        .where(service_chats.c.state == ServiceState.WAITING.value)
                    )
                ).scalar_one()
            )


async def _create_visitor(
    conn: AsyncConnection,
    *,
    nickname: str | None,
    page: VisitorPage | None,
    identity: Identity | None,
    now: int,
) -> tuple[int, ServiceChat, PrivateEntry]:
    visitor_id = (
        await conn.execute(
            insert(users)
            .values(
                # Never shown; unique and no one's account name (accounts start with a
                # letter or digit and are picked by people, this one by the server).
                account=f"visitor.{secrets.token_hex(8)}",
                password_hash=NO_PASSWORD,
                nickname=(identity.nickname if identity else nickname) or "Visitor",
                avatar=identity.avatar if identity else "",
                kind=UserKind.VISITOR.value,
                created_at=now,
            )
            .returning(users.c.id)
        )
    ).scalar_one()
    if identity is None and not nickname:
        nickname = anonymous_name(visitor_id)
        await conn.execute(update(users).where(users.c.id == visitor_id).values(nickname=nickname))
    name = identity.nickname if identity else nickname or ""
    conversation_id = (
        await conn.execute(
            insert(conversations)
            .values(
                type=ConversationType.SERVICE.value,
                name=name,
                created_by=visitor_id,
                last_activity_at=now,
                created_at=now,
            )
            .returning(conversations.c.id)
        )
    ).scalar_one()
    await conn.execute(
        insert(members).values(
            conversation_id=conversation_id,
            user_id=visitor_id,
            role=Role.MEMBER.value,
            joined_at=now,
        )
    )
    row = (
        await conn.execute(
            insert(service_chats)
            .values(
                conversation_id=conversation_id,
                visitor_id=visitor_id,
                state=ServiceState.CLOSED.value,
                page_url=str(page.url) if page else "",
                page_title=page.title if page else "",
                page_at=now if page else 0,
                app_id=identity.app_id if identity else None,
                external_id=identity.external_id if identity else None,
                created_at=now,
            )
            .returning(*service_chats.c)
        )
    ).one()
    joined = await log.append_private(
        conn,
        visitor_id,
        PrivateKind.CONVERSATION_JOINED,
        {"conversation_id": conversation_id},
        now,
    )
    return visitor_id, _chat(row), joined


async def _note_page(
    conn: AsyncConnection, visitor_id: int, page: VisitorPage, now: int
) -> ServiceChat | None:
    row = (
        await conn.execute(
            update(service_chats)
            .where(service_chats.c.visitor_id == visitor_id)
            .values(page_url=str(page.url), page_title=page.title, page_at=now)
            .returning(*service_chats.c)
        )
    ).first()
    return _chat(row) if row else None


async def _join(
    conn: AsyncConnection, conversation_id: int, agent_id: int, inviter_id: int, now: int
) -> tuple[Entry, PrivateEntry]:
    """The agent joins (again); they see the whole log: the visitor's earlier visits too."""
    (entry,) = await log.append_entries(
        conn,
        [
            NewEntry(
                conversation_id=conversation_id,
                sender_id=inviter_id,
                kind=EntryKind.MEMBER_JOINED,
                type=None,
                body={"user_ids": [agent_id], "inviter_id": inviter_id},
                client_msg_id=None,
                created_at=now,
            )
        ],
    )
    state = {
        "active": True,
        "role": Role.MEMBER.value,
        "visible_from_seq": 1,
        "read_seq": entry.seq - 1,
        "delivered_seq": entry.seq - 1,
        "cleared_seq": 0,
        "joined_at": now,
    }
    changed = await conn.execute(
        update(members)
        .where(members.c.conversation_id == conversation_id, members.c.user_id == agent_id)
        .values(**state)
    )
    if changed.rowcount == 0:
        await conn.execute(
            insert(members).values(conversation_id=conversation_id, user_id=agent_id, **state)
        )
    joined = await log.append_private(
        conn, agent_id, PrivateKind.CONVERSATION_JOINED, {"conversation_id": conversation_id}, now
    )
    return entry, joined
