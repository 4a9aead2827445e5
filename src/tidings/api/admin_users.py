"""The back office's users over REST (PRODUCT.md K1): ``/api/v1/admin/users``. Freezing,
roles and password resets are in api/admin.py; the batch import is in api/organization.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from tidings.actions.admin_users import NewUser
from tidings.actions.context import Actor
from tidings.admin_schemas import NewUserInput, UserChangesInput
from tidings.api.deps import C, PathId, admin_power
from tidings.domain.admin import AdminPower
from tidings.domain.admin_users import (
    DEFAULT_PAGE,
    MAX_PAGE,
    MAX_QUERY_CHARS,
    UserQuery,
    UserSort,
    UserStatus,
    decode_cursor,
)

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

# Refused (403 forbidden) without the power before the request is looked at.
UsersAdmin = Annotated[Actor, admin_power(AdminPower.USERS)]

Time = Annotated[int | None, Query(ge=0, lt=2**63)]

_LISTED_EXAMPLE = {
    "id": 42,
    "account": "li.lei",
    "nickname": "Li Lei",
    "avatar": "",
    "phone": "13800000000",
    "work_email": "li.lei@example.com",
    "status": "active",
    "admin_role": None,
    "created_at": 1764950000000,
    "last_sign_in": {"at": 1764953600000, "ip": "10.0.0.7", "device": "Chrome on Windows"},
    "password_change_required": False,
    "departments": [{"id": 3, "name": "Sales", "path": "Acme/Sales", "position": "Lead"}],
}


def _example(value: Any) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": value}}}}


@router.get(
    "/users",
    summary="List users: search, filters, keyset pages",
    responses=_example({"users": [_LISTED_EXAMPLE], "next_cursor": "WzQyLDQyXQ", "total": 1}),
)
async def list_users(
    c: C,
    me: UsersAdmin,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
    department_id: Annotated[int | None, Query(gt=0, lt=2**63)] = None,
    status: UserStatus | None = None,
    role: Annotated[str | None, Query(pattern="^(super_admin|org_admin|auditor|admin|none)$")] = (
        None
    ),
    signed_in_after: Time = None,
    signed_in_before: Time = None,
    never_signed_in: bool = False,
    sort: UserSort = UserSort.CREATED,
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
    cursor: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> dict[str, Any]:
    """``q`` matches an account, phone or e-mail by prefix and a nickname anywhere;
    ``department_id`` includes the departments below it; pass ``next_cursor`` back as
    ``cursor`` (with the same filters and sort) for the next page. The first page has
    ``total``."""
    after = (
        decode_cursor(cursor, text_key=sort in (UserSort.ACCOUNT, UserSort.NICKNAME))
        if cursor is not None
        else None
    )
    query = UserQuery(
        text=q.strip(),
        status=status,
        role=role,
        signed_in_after=signed_in_after,
        signed_in_before=signed_in_before,
        never_signed_in=never_signed_in,
        sort=sort,
        descending=order == "desc",
        after=after,
        limit=limit,
    )
    return await c.admin_users.list_users(me, query, department_id=department_id)


@router.post(
    "/users",
    status_code=201,
    summary="Create a user (with a one-time password unless one is given)",
    responses={
        201: {
            "content": {
                "application/json": {
                    "example": {"user": _LISTED_EXAMPLE, "one_time_password": "q3J9xT0b-Lm2ZpWc"}
                }
            }
        }
    },
)
async def create_user(body: NewUserInput, c: C, me: UsersAdmin) -> dict[str, Any]:
    return await c.admin_users.do_create(
        me,
        NewUser(
            account=body.account,
            nickname=body.nickname,
            password=body.password,
            phone=body.phone,
            work_email=body.work_email,
            departments=tuple((d.department_id, d.position) for d in body.departments),
        ),
    )


@router.get(
    "/users/{user_id}",
    summary="One user: profile, departments, last sign-in, live sessions, known devices",
    responses=_example(
        {
            **_LISTED_EXAMPLE,
            "signature": "",
            "office_phone": "",
            "desk": "",
            "sessions": [
                {
                    "id": 7,
                    "platform": "web",
                    "device_name": "Chrome on Windows",
                    "created_at": 1764953600000,
                    "last_seen_at": 1764953900000,
                    "ip": "10.0.0.7",
                    "current": False,
                }
            ],
            "known_devices": [],
        }
    ),
)
async def user_details(user_id: PathId, c: C, me: UsersAdmin) -> dict[str, Any]:
    return await c.admin_users.details(me, user_id)


@router.patch(
    "/users/{user_id}",
    summary="Edit a user's profile fields and departments",
    responses=_example(_LISTED_EXAMPLE),
)
async def update_user(
    user_id: PathId, body: UserChangesInput, c: C, me: UsersAdmin
) -> dict[str, Any]:
    return await c.admin_users.do_update(
        me, user_id, body.profile_changes(), body.department_positions()
    )


@router.delete(
    "/users/{user_id}/sessions/{session_id}",
    status_code=204,
    summary="Sign one of the user's sessions out",
)
async def sign_out_session(user_id: PathId, session_id: PathId, c: C, me: UsersAdmin) -> Response:
    await c.admin_users.do_sign_out_session(me, user_id, session_id)
    return Response(status_code=204)
