"""The back office's group list (PRODUCT.md K2): every group, found by name, number or
owner, in keyset pages (newest first)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.engine import Row

from tidings.domain.admin_users import like_pattern
from tidings.domain.groups import JoinMode
from tidings.store.database import Database
from tidings.store.schema import conversations, group_settings, members, users


@dataclass(frozen=True, slots=True)
class GroupQuery:
    """``text`` matches a name anywhere in it, an owner's account by prefix, and (when
    given) ``conversation_id``, the group a typed number names."""

    text: str = ""
    conversation_id: int | None = None
    owner_id: int | None = None
    # None: both; True: only disbanded groups; False: only live ones.
    disbanded: bool | None = None
    after_id: int | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class ListedGroup:
    id: int
    name: str
    avatar: str
    created_at: int
    owner_id: int | None
    owner_account: str
    owner_nickname: str
    member_count: int
    # The group's own limit; None: the server's.
    size_limit: int | None
    join_mode: JoinMode
    disbanded_at: int | None

    def to_wire(self, *, number: int, server_limit: int) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": number,
            "name": self.name,
            "avatar": self.avatar,
            "created_at": self.created_at,
            "owner": (
                {
                    "id": self.owner_id,
                    "account": self.owner_account,
                    "nickname": self.owner_nickname,
                }
                if self.owner_id is not None
                else None
            ),
            "member_count": self.member_count,
            "size_limit": min(self.size_limit or server_limit, server_limit),
            "own_size_limit": self.size_limit,
            "join_mode": self.join_mode.value,
            "disbanded_at": self.disbanded_at,
        }


_owners = members.alias("owners")
_COLUMNS = (
    conversations.c.id,
    conversations.c.name,
    conversations.c.created_at,
    group_settings.c.avatar,
    group_settings.c.size_limit,
    group_settings.c.join_mode,
    group_settings.c.disbanded_at,
    _owners.c.user_id.label("owner_id"),
    users.c.account.label("owner_account"),
    users.c.nickname.label("owner_nickname"),
)


class AdminGroupStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def page(self, query: GroupQuery) -> tuple[list[ListedGroup], bool]:
        statement = (
            select(*_COLUMNS)
            .select_from(
                conversations.outerjoin(
                    group_settings, group_settings.c.conversation_id == conversations.c.id
                )
                .outerjoin(
                    _owners,
                    and_(
                        _owners.c.conversation_id == conversations.c.id,
                        _owners.c.role == "owner",
                        _owners.c.active.is_(True),
                    ),
                )
                .outerjoin(users, users.c.id == _owners.c.user_id)
            )
            .where(conversations.c.type == "group", *_conditions(query))
            .order_by(conversations.c.id.desc())
            .limit(query.limit + 1)
        )
        async with self._db.read("admin_list_groups") as conn:
            rows = list(await conn.execute(statement))
            counts = await _member_counts(conn, [r.id for r in rows])
        found = [_listed(r, counts.get(r.id, 0)) for r in rows]
        return found[: query.limit], len(found) > query.limit

    async def listed(self, conversation_id: int) -> ListedGroup | None:
        page, _ = await self.page(GroupQuery(conversation_id=conversation_id, limit=1))
        return page[0] if page and page[0].id == conversation_id else None


def _conditions(query: GroupQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [true()]
    if query.text:
        lowered = query.text.lower()
        matches: list[ColumnElement[bool]] = [
            func.lower(conversations.c.name).like("%" + like_pattern(lowered) + "%", escape="\\"),
            users.c.account.like(like_pattern(lowered) + "%", escape="\\"),
        ]
        if query.conversation_id is not None:
            matches.append(conversations.c.id == query.conversation_id)
        conditions.append(or_(*matches))
    elif query.conversation_id is not None:
        conditions.append(conversations.c.id == query.conversation_id)
    if query.owner_id is not None:
        conditions.append(_owners.c.user_id == query.owner_id)
    if query.disbanded is True:
        conditions.append(group_settings.c.disbanded_at.is_not(None))
    elif query.disbanded is False:
        conditions.append(group_settings.c.disbanded_at.is_(None))
    if query.after_id is not None:
        conditions.append(conversations.c.id < query.after_id)
    return conditions


async def _member_counts(conn: Any, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = await conn.execute(
        select(members.c.conversation_id, func.count())
        .where(members.c.conversation_id.in_(ids), members.c.active.is_(True))
        .group_by(members.c.conversation_id)
    )
    return {int(r[0]): int(r[1]) for r in rows}


def _listed(row: Row[Any, *tuple[Any, ...]], member_count: int) -> ListedGroup:
    return ListedGroup(
        id=row.id,
        name=row.name,
        avatar=row.avatar or "",
        created_at=row.created_at,
        owner_id=row.owner_id,
        owner_account=row.owner_account or "",
        owner_nickname=row.owner_nickname or "",
        member_count=member_count,
        size_limit=row.size_limit,
        join_mode=JoinMode(row.join_mode or JoinMode.INVITE_CODE.value),
        disbanded_at=row.disbanded_at,
    )
