"""Users and their sessions."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tidings.domain import webhooks
from tidings.domain.accounts import Platform, RevokeReason, Session, User, UserKind
from tidings.domain.conversations import ConversationType, Role
from tidings.domain.entries import PrivateEntry, PrivateKind
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.store import log, outbox, registration_invites
from tidings.store.database import Database
from tidings.store.schema import conversations, members, sessions, users

USER_COLUMNS = (
    users.c.id,
    users.c.account,
    users.c.nickname,
    users.c.avatar,
    users.c.signature,
    users.c.work_email,
    users.c.office_phone,
    users.c.desk,
    users.c.disabled,
    users.c.created_at,
    users.c.password_change_required,
    users.c.kind,
    users.c.external_id,
)


def user_from_row(row: Row[Any, *tuple[Any, ...]]) -> User:
    return User(
        id=row.id,
        account=row.account,
        nickname=row.nickname,
        avatar=row.avatar,
        signature=row.signature,
        work_email=row.work_email,
        office_phone=row.office_phone,
        desk=row.desk,
        disabled=bool(row.disabled),
        created_at=row.created_at,
        password_change_required=bool(row.password_change_required),
        kind=UserKind(row.kind),
        external_id=row.external_id,
    )


def session_from_row(row: Row[Any, *tuple[Any, ...]]) -> Session:
    return Session(
        id=row.id,
        user_id=row.user_id,
        platform=Platform(row.platform),
        device_name=row.device_name,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        ip=row.ip,
    )


class AccountTaken(Exception):
    pass


@dataclass(frozen=True, slots=True)
class NewAccount:
    """A user to create: ``profile`` sets more columns (phone, work_email, external_id,
    kind)."""

    account: str
    password_hash: str
    nickname: str
    profile: Mapping[str, Any] = field(default_factory=dict)
    password_change_required: bool = False


async def insert_accounts(
    conn: AsyncConnection, new: Sequence[NewAccount], now: int
) -> list[tuple[User, int]]:
    """Create users, each with their system-notices conversation, in ``conn``'s
    transaction, in a few statements whatever their number (an app's sync creates 100,000);
    each with a ``user.created`` webhook event. The users and their system conversations'
    ids, in the order given; ``IntegrityError`` if an account or external id is taken."""
    if not new:
        return []
    system_ids = await _insert_in_order(
        conn,
        conversations,
        [
            {
                "type": ConversationType.SYSTEM.value,
                "name": "",
                "created_by": None,
                "last_activity_at": now,
                "created_at": now,
            }
            for _ in new
        ],
    )
    user_ids = [0] * len(new)
    # One INSERT per shape of profile: rows of one executemany name the same columns.
    shapes: dict[tuple[str, ...], list[int]] = {}
    for position, person in enumerate(new):
        shapes.setdefault(tuple(sorted(person.profile)), []).append(position)
    for positions in shapes.values():
        inserted = await _insert_in_order(
            conn,
            users,
            [
                {
                    "account": new[p].account,
                    "password_hash": new[p].password_hash,
                    "nickname": new[p].nickname,
                    "created_at": now,
                    "password_change_required": new[p].password_change_required,
                    "system_conversation_id": system_ids[p],
                    # Their private log starts with joining the system conversation (below).
                    "private_seq": 1,
                    **new[p].profile,
                }
                for p in positions
            ],
        )
        for p, user_id in zip(positions, inserted, strict=True):
            user_ids[p] = user_id
    await conn.execute(
        insert(members),
        [
            {
                "conversation_id": system_id,
                "user_id": user_id,
                "role": Role.MEMBER.value,
                "joined_at": now,
            }
            for user_id, system_id in zip(user_ids, system_ids, strict=True)
        ],
    )
    await log.insert_first_private(
        conn,
        {
            user_id: {"conversation_id": system_id}
            for user_id, system_id in zip(user_ids, system_ids, strict=True)
        },
        PrivateKind.CONVERSATION_JOINED,
        now,
    )
    found: dict[int, User] = {}
    for start in range(0, len(user_ids), 500):
        rows = await conn.execute(
            select(*USER_COLUMNS).where(users.c.id.in_(user_ids[start : start + 500]))
        )
        found.update((row.id, user_from_row(row)) for row in rows)
    created = [found[user_id] for user_id in user_ids]
    outbox.note(
        webhooks.user_created(u.id, u.account, u.nickname, u.kind.value, u.external_id, now)
        for u in created
    )
    return list(zip(created, system_ids, strict=True))


class InviteRefused(Exception):
    """The registration invite is unknown, expired or used up."""


async def _insert_in_order(
    conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]
) -> list[int]:
    """Insert ``rows`` into a table with an integer ``id``; their ids, in order. One
    statement per batch on both engines: PostgreSQL's ``INSERT ... RETURNING`` keeps the
    order asked; SQLite's does not promise one (SQLAlchemy would insert row by row), so
    there the ids are given: the successors of the largest, which no other writer can take
    meanwhile (the transaction began holding the write lock, BEGIN IMMEDIATE)."""
    if conn.dialect.name != "sqlite":
        inserted = await conn.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        )
        return list(inserted.scalars())
    first = int((await conn.execute(select(func.coalesce(func.max(table.c.id), 0)))).scalar_one())
    ids = list(range(first + 1, first + 1 + len(rows)))
    await conn.execute(insert(table), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
    return ids


class AccountStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create_user(
        self,
        *,
        account: str,
        password_hash: str,
        nickname: str,
        now: int,
        invite_code: str | None = None,
        profile: dict[str, str] | None = None,
        password_change_required: bool = False,
        on_created: Callable[[int], None] | None = None,
    ) -> tuple[User, int]:
        """Create a user with their system-notice conversation; return both.

        With an invite code, one of its uses is taken in the same transaction, only while
        uses remain (``InviteRefused`` otherwise): concurrent registrations never take more
        than ``max_uses``, and a registration that fails gives its use back. ``profile``
        sets more columns of the user (phone, work_email); ``on_created`` hears the new id
        before the transaction commits (an audit entry names it).
        """
        try:
            async with self._db.write("create_user") as conn:
                if invite_code is not None and not await registration_invites.take_use(
                    conn, invite_code, now
                ):
                    raise InviteRefused(invite_code)
                ((created, system_id),) = await insert_accounts(
                    conn,
                    [
                        NewAccount(
                            account=account,
                            password_hash=password_hash,
                            nickname=nickname,
                            profile=profile or {},
                            password_change_required=password_change_required,
                        )
                    ],
                    now,
                )
                if on_created is not None:
                    on_created(created.id)
        except IntegrityError:
            raise AccountTaken(account) from None
        return created, system_id

    async def credentials(self, account: str) -> tuple[User, str] | None:
        async with self._db.read("user_credentials") as conn:
            row = (
                await conn.execute(
                    select(*USER_COLUMNS, users.c.password_hash).where(
                        users.c.account == account,
                        # A visitor never signs in with a password (decision 0066).
                        users.c.kind != UserKind.VISITOR.value,
                    )
                )
            ).first()
        return (user_from_row(row), row.password_hash) if row else None

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        async with self._db.write("rehash_password") as conn:
            await conn.execute(
                update(users).where(users.c.id == user_id).values(password_hash=password_hash)
            )

    async def password_hash(self, user_id: int) -> tuple[User, str] | None:
        async with self._db.read("user_password_hash") as conn:
            row = (
                await conn.execute(
                    select(*USER_COLUMNS, users.c.password_hash).where(users.c.id == user_id)
                )
            ).first()
        return (user_from_row(row), row.password_hash) if row else None

    async def set_password(
        self,
        user_id: int,
        password_hash: str,
        *,
        change_required: bool,
        revoke: RevokeReason | None,
        keep_session_id: int | None,
        now: int,
    ) -> list[tuple[Session, RevokeReason, PrivateEntry]]:
        """Store a new password and, in the same transaction, end the user's sessions (all
        but ``keep_session_id``) when ``revoke`` names why; return the ended ones."""
        async with self._db.write("set_password") as conn:
            await conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(password_hash=password_hash, password_change_required=change_required)
            )
            if revoke is None:
                return []
            return await self._revoke_all(conn, user_id, revoke, now, keep_session_id)

    async def set_disabled(
        self, user_id: int, disabled: bool, now: int
    ) -> list[tuple[Session, RevokeReason, PrivateEntry]]:
        """Freeze (and end every session of) or unfreeze an account; ``not_found`` is
        raised inside the transaction (an audit entry waiting on it rolls back too)."""
        async with self._db.write("set_disabled") as conn:
            found = (
                await conn.execute(
                    update(users)
                    .where(users.c.id == user_id)
                    .values(disabled=disabled)
                    .returning(users.c.id)
                )
            ).first()
            if found is None:
                raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
            if not disabled:
                return []
            outbox.note([webhooks.user_disabled(user_id, now)])
            return await self._revoke_all(conn, user_id, RevokeReason.ACCOUNT_FROZEN, now, None)

    async def end_sessions(
        self, user_id: int, reason: RevokeReason, now: int
    ) -> list[tuple[Session, RevokeReason, PrivateEntry]]:
        """End every session of a user (one an import or a sync disabled); the ended ones."""
        async with self._db.write("end_sessions") as conn:
            return await self._revoke_all(conn, user_id, reason, now, None)

    async def _revoke_all(
        self,
        conn: AsyncConnection,
        user_id: int,
        reason: RevokeReason,
        now: int,
        keep_session_id: int | None,
    ) -> list[tuple[Session, RevokeReason, PrivateEntry]]:
        rows = await conn.execute(
            select(sessions.c.id).where(
                sessions.c.user_id == user_id,
                sessions.c.revoked_at.is_(None),
                sessions.c.expires_at > now,
            )
        )
        return [
            r
            for session_id in [row.id for row in rows]
            if session_id != keep_session_id
            and (r := await self._revoke(conn, user_id, session_id, reason, now)) is not None
        ]

    async def user_by_account(self, account: str) -> User | None:
        async with self._db.read("user_by_account") as conn:
            row = (
                await conn.execute(select(*USER_COLUMNS).where(users.c.account == account))
            ).first()
        return user_from_row(row) if row else None

    async def user(self, user_id: int) -> User | None:
        async with self._db.read("get_user") as conn:
            row = (await conn.execute(select(*USER_COLUMNS).where(users.c.id == user_id))).first()
        return user_from_row(row) if row else None

    async def system_conversation_id(self, user_id: int) -> int | None:
        """The user's system-notice conversation."""
        async with self._db.read("system_conversation") as conn:
            found: int | None = (
                await conn.execute(
                    select(users.c.system_conversation_id).where(users.c.id == user_id)
                )
            ).scalar()
        return found

    async def users(self, user_ids: list[int]) -> dict[int, User]:
        if not user_ids:
            return {}
        async with self._db.read("get_users") as conn:
            rows = await conn.execute(select(*USER_COLUMNS).where(users.c.id.in_(user_ids)))
            return {row.id: user_from_row(row) for row in rows}

    async def update_profile(
        self, user_id: int, changes: dict[str, Any], now: int
    ) -> tuple[User, PrivateEntry]:
        async with self._db.write("update_profile") as conn:
            await conn.execute(update(users).where(users.c.id == user_id).values(**changes))
            row = (await conn.execute(select(*USER_COLUMNS).where(users.c.id == user_id))).one()
            user = user_from_row(row)
            entry = await log.append_private(
                conn, user_id, PrivateKind.PROFILE_UPDATED, user.to_wire(), now
            )
        return user, entry

    # Sessions

    async def create_session(
        self,
        *,
        user_id: int,
        token_hash: str,
        device_credential_hash: str | None,
        device_credential_expires_at: int | None,
        platform: Platform,
        device_name: str,
        ip: str,
        now: int,
        expires_at: int,
        revoke_same_platform: bool,
        replaces_session_id: int | None = None,
    ) -> tuple[Session, list[tuple[Session, RevokeReason, PrivateEntry]]]:
        """Create a session and, in the same transaction, revoke the ones it displaces."""
        async with self._db.write("create_session") as conn:
            displaced: list[tuple[int, RevokeReason]] = []
            if replaces_session_id is not None:
                displaced.append((replaces_session_id, RevokeReason.CREDENTIAL_USED))
            if revoke_same_platform:
                rows = await conn.execute(
                    select(sessions.c.id).where(
                        sessions.c.user_id == user_id,
                        sessions.c.platform == platform.value,
                        sessions.c.revoked_at.is_(None),
                    )
                )
                displaced.extend(
                    (row.id, RevokeReason.SIGNED_IN_ELSEWHERE)
                    for row in rows
                    if row.id != replaces_session_id
                )
            revoked = [
                r
                for session_id, reason in displaced
                if (r := await self._revoke(conn, user_id, session_id, reason, now)) is not None
            ]
            row = (
                await conn.execute(
                    insert(sessions)
                    .values(
                        user_id=user_id,
                        token_hash=token_hash,
                        device_credential_hash=device_credential_hash,
                        device_credential_expires_at=device_credential_expires_at,
                        platform=platform.value,
                        device_name=device_name,
                        ip=ip,
                        created_at=now,
                        last_seen_at=now,
                        expires_at=expires_at,
                    )
                    .returning(*sessions.c)
                )
            ).one()
            await conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(last_sign_in_at=now, last_sign_in_ip=ip, last_sign_in_device=device_name)
            )
        return session_from_row(row), revoked

    async def session_by_token(self, token_hash: str) -> Session | None:
        async with self._db.read("session_by_token") as conn:
            row = (
                await conn.execute(select(sessions).where(sessions.c.token_hash == token_hash))
            ).first()
        return session_from_row(row) if row else None

    async def spend_device_credential(self, credential_hash: str, now: int) -> Session | None:
        """Spend a live device credential: the session it belongs to, or None if it is
        unknown, expired or spent. One statement clears it, so of any number of concurrent
        spends exactly one gets the session, on either engine and across nodes (PostgreSQL
        re-checks the condition on the row a concurrent update changed)."""
        async with self._db.write("spend_device_credential") as conn:
            row = (
                await conn.execute(
                    update(sessions)
                    .where(
                        sessions.c.device_credential_hash == credential_hash,
                        sessions.c.device_credential_expires_at > now,
                        sessions.c.revoked_at.is_(None),
                    )
                    .values(device_credential_hash=None)
                    .returning(*sessions.c)
                )
            ).first()
        return session_from_row(row) if row else None

    async def live_sessions(self, user_id: int, now: int) -> list[Session]:
        async with self._db.read("list_sessions") as conn:
            rows = await conn.execute(
                select(sessions)
                .where(
                    sessions.c.user_id == user_id,
                    sessions.c.revoked_at.is_(None),
                    sessions.c.expires_at > now,
                )
                .order_by(sessions.c.id)
            )
            return [session_from_row(row) for row in rows]

    async def live_sessions_of(self, user_ids: list[int], now: int) -> dict[int, list[Session]]:
        """Each user's sessions not ended nor expired (the devices signed in), oldest first."""
        found: dict[int, list[Session]] = {u: [] for u in user_ids}
        async with self._db.read("live_sessions_of") as conn:
            for start in range(0, len(user_ids), 500):
                rows = await conn.execute(
                    select(sessions)
                    .where(
                        sessions.c.user_id.in_(user_ids[start : start + 500]),
                        sessions.c.revoked_at.is_(None),
                        sessions.c.expires_at > now,
                    )
                    .order_by(sessions.c.id)
                )
                for row in rows:
                    found[row.user_id].append(session_from_row(row))
        return found

    async def revoke_session(
        self, user_id: int, session_id: int, reason: RevokeReason, now: int
    ) -> tuple[Session, RevokeReason, PrivateEntry] | None:
        async with self._db.write("revoke_session") as conn:
            return await self._revoke(conn, user_id, session_id, reason, now)

    async def touch_sessions(self, session_ids: list[int], now: int) -> None:
        """Set these sessions' last-seen time, in one transaction."""
        async with self._db.write("touch_sessions") as conn:
            for start in range(0, len(session_ids), 500):
                await conn.execute(
                    update(sessions)
                    .where(sessions.c.id.in_(session_ids[start : start + 500]))
                    .values(last_seen_at=now)
                )

    async def _revoke(
        self,
        conn: AsyncConnection,
        user_id: int,
        session_id: int,
        reason: RevokeReason,
        now: int,
    ) -> tuple[Session, RevokeReason, PrivateEntry] | None:
        row = (
            await conn.execute(
                update(sessions)
                .where(
                    sessions.c.id == session_id,
                    sessions.c.user_id == user_id,
                    sessions.c.revoked_at.is_(None),
                )
                .values(revoked_at=now, revoke_reason=reason.value, device_credential_hash=None)
                .returning(*sessions.c)
            )
        ).first()
        if row is None:
            return None
        entry = await log.append_private(
            conn,
            user_id,
            PrivateKind.SESSION_REVOKED,
            {"session_id": session_id, "reason": reason.value},
            now,
        )
        return session_from_row(row), reason, entry
