"""The back office's user list (PRODUCT.md K1): search, filters and keyset pages over every
user, fast at 100,000 (docs/benchmarks.md "The console's user list")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, true, tuple_, union
from sqlalchemy.engine import Row

from tidings.domain.admin_users import (
    ANY_ADMIN_ROLE,
    NO_ADMIN_ROLE,
    UserQuery,
    UserSort,
    UserStatus,
    like_pattern,
)
from tidings.store.database import Database
from tidings.store.schema import department_members, users

_SORT_COLUMNS = {
    UserSort.CREATED: users.c.id,
    UserSort.ACCOUNT: users.c.account,
    UserSort.NICKNAME: users.c.nickname,
    UserSort.LAST_SIGN_IN: users.c.last_sign_in_at,
}

LISTED_COLUMNS = (
    users.c.id,
    users.c.account,
    users.c.nickname,
    users.c.avatar,
    users.c.phone,
    users.c.work_email,
    users.c.disabled,
    users.c.admin_role,
    users.c.created_at,
    users.c.last_sign_in_at,
    users.c.last_sign_in_ip,
    users.c.last_sign_in_device,
    users.c.password_change_required,
)


@dataclass(frozen=True, slots=True)
class ListedUser:
    """A user as the console lists them: what an administrator sees, more than a profile."""

    id: int
    account: str
    nickname: str
    avatar: str
    phone: str
    work_email: str
    frozen: bool
    admin_role: str | None
    created_at: int
    last_sign_in_at: int
    last_sign_in_ip: str
    last_sign_in_device: str
    password_change_required: bool

    def sort_key(self, sort: UserSort) -> str | int:
        match sort:
            case UserSort.CREATED:
                return self.id
            case UserSort.ACCOUNT:
                return self.account
            case UserSort.NICKNAME:
                return self.nickname
            case UserSort.LAST_SIGN_IN:
                return self.last_sign_in_at

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account": self.account,
            "nickname": self.nickname,
            "avatar": self.avatar,
            "phone": self.phone,
            "work_email": self.work_email,
            "status": (UserStatus.FROZEN if self.frozen else UserStatus.ACTIVE).value,
            "admin_role": self.admin_role,
            "created_at": self.created_at,
            # null: never signed in.
            "last_sign_in": (
                {
                    "at": self.last_sign_in_at,
                    "ip": self.last_sign_in_ip,
                    "device": self.last_sign_in_device,
                }
                if self.last_sign_in_at
                else None
            ),
            "password_change_required": self.password_change_required,
        }


def listed_from_row(row: Row[Any, *tuple[Any, ...]]) -> ListedUser:
    return ListedUser(
        id=row.id,
        account=row.account,
        nickname=row.nickname,
        avatar=row.avatar,
        phone=row.phone,
        work_email=row.work_email,
        frozen=bool(row.disabled),
        admin_role=row.admin_role,
        created_at=row.created_at,
        last_sign_in_at=row.last_sign_in_at,
        last_sign_in_ip=row.last_sign_in_ip,
        last_sign_in_device=row.last_sign_in_device,
        password_change_required=bool(row.password_change_required),
    )


class AdminUserStore:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._dialect = database.engine.dialect.name

    async def page(self, query: UserQuery) -> tuple[list[ListedUser], bool]:
        """One page of users matching ``query`` in its order, and whether more follow."""
        column = _SORT_COLUMNS[query.sort]
        statement = _filtered(select(*LISTED_COLUMNS), query, self._dialect)
        if query.after is not None:
            key, row_id = query.after
            position = tuple_(column, users.c.id)
            after = (key, row_id)
            if query.sort is UserSort.CREATED:
                statement = statement.where(
                    users.c.id < row_id if query.descending else users.c.id > row_id
                )
            else:
                statement = statement.where(
                    position < tuple_(*after) if query.descending else position > tuple_(*after)
                )
        if query.sort is UserSort.CREATED:
            order = [users.c.id.desc() if query.descending else users.c.id.asc()]
        elif query.descending:
            order = [column.desc(), users.c.id.desc()]
        else:
            order = [column.asc(), users.c.id.asc()]
        statement = statement.order_by(*order).limit(query.limit + 1)
        async with self._db.read("admin_list_users") as conn:
            rows = [listed_from_row(r) for r in await conn.execute(statement)]
        return rows[: query.limit], len(rows) > query.limit

    async def count(self, query: UserQuery) -> int:
        """How many users match the filters of ``query`` (for the first page's total)."""
        statement = _filtered(select(func.count()).select_from(users), query, self._dialect)
        async with self._db.read("admin_count_users") as conn:
            return int((await conn.execute(statement)).scalar_one())

    async def listed(self, user_id: int) -> ListedUser | None:
        async with self._db.read("admin_get_user") as conn:
            row = (await conn.execute(select(*LISTED_COLUMNS).where(users.c.id == user_id))).first()
        return listed_from_row(row) if row else None


def _filtered(statement: Select[Any], query: UserQuery, dialect: str) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = []
    if query.text:
        conditions.append(_matches(query.text, dialect))
    if query.department_ids is not None:
        conditions.append(
            users.c.id.in_(
                select(department_members.c.user_id).where(
                    department_members.c.department_id.in_(sorted(query.department_ids))
                )
            )
        )
    if query.status is not None:
        conditions.append(users.c.disabled.is_(query.status is UserStatus.FROZEN))
    if query.role == ANY_ADMIN_ROLE:
        conditions.append(users.c.admin_role.is_not(None))
    elif query.role == NO_ADMIN_ROLE:
        conditions.append(users.c.admin_role.is_(None))
    elif query.role is not None:
        conditions.append(users.c.admin_role == query.role)
    if query.never_signed_in:
        conditions.append(users.c.last_sign_in_at == 0)
    if query.signed_in_after is not None:
        conditions.append(users.c.last_sign_in_at >= query.signed_in_after)
    if query.signed_in_before is not None:
        # Never signed in is not "before": it has no time to compare.
        conditions.append(
            and_(users.c.last_sign_in_at > 0, users.c.last_sign_in_at < query.signed_in_before)
        )
    return statement.where(and_(true(), *conditions))


def _matches(text: str, dialect: str) -> ColumnElement[bool]:
    """An account or phone that starts with ``text``, an e-mail that starts with it (when it
    holds an ``@``), or a nickname that holds it anywhere (unless it is all digits: a phone
    number); in any case (accounts are stored in lower case).

    Each way of matching is its own small query on its own index: account and phone are
    ranges of their indexes; e-mail and nickname are read from their indexes alone (the
    index holds the column and the id), never from the wide table rows. A substring still
    reads every nickname, but only the index's: docs/benchmarks.md has the times.
    """
    lowered = text.lower()

    def like(column: ColumnElement[str], pattern: str) -> ColumnElement[bool]:
        # SQLite's LIKE ignores ASCII case already (and lower() would keep the index out);
        # PostgreSQL's LIKE does not, its ILIKE does.
        if dialect == "sqlite":
            return column.like(pattern, escape="\\")
        return column.ilike(pattern, escape="\\")

    ways: list[Select[Any]] = [
        select(users.c.id).where(users.c.account >= lowered, users.c.account < lowered + _TOP),
        select(users.c.id).where(users.c.phone >= text, users.c.phone < text + _TOP),
    ]
    if "@" in text:
        ways.append(select(users.c.id).where(like(users.c.work_email, like_pattern(text) + "%")))
    if not text.isdigit():
        ways.append(
            select(users.c.id).where(like(users.c.nickname, "%" + like_pattern(text) + "%"))
        )
    return users.c.id.in_(union(*ways))


# Above every character: ``x <= s < x + _TOP`` is "s starts with x".
_TOP = "\U0010ffff"
