"""The back office's groups over REST (PRODUCT.md K2): ``/api/v1/admin/groups``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from tidings.actions.context import Actor
from tidings.admin_schemas import ChangeOwnerInput, GroupLimitsInput
from tidings.api.deps import C, PathId, admin_power
from tidings.domain.admin import AdminPower
from tidings.domain.admin_users import DEFAULT_PAGE, MAX_PAGE, MAX_QUERY_CHARS
from tidings.schemas import InviteInput
from tidings.store.admin_groups import GroupQuery

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

# Refused (403 forbidden) without the power before the request is looked at.
GroupsAdmin = Annotated[Actor, admin_power(AdminPower.GROUPS)]

GROUP = "/groups/{conversation_id}"

_GROUP_EXAMPLE = {
    "id": 12,
    "number": 100012,
    "name": "Sales East",
    "avatar": "",
    "created_at": 1764950000000,
    "owner": {"id": 42, "account": "li.lei", "nickname": "Li Lei"},
    "member_count": 18,
    "size_limit": 500,
    "own_size_limit": None,
    "join_mode": "invite_code",
    "disbanded_at": None,
}
_ENTRY: dict[int | str, dict[str, Any]] = {
    200: {"description": "The log entry the change appended to the group"}
}


def _example(value: Any) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": value}}}}


@router.get(
    "/groups",
    summary="List groups: by name, number or owner, newest first",
    responses=_example({"groups": [_GROUP_EXAMPLE], "next_after_id": None}),
)
async def list_groups(
    c: C,
    me: GroupsAdmin,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
    owner_id: Annotated[int | None, Query(gt=0, lt=2**63)] = None,
    status: Annotated[str | None, Query(pattern="^(live|disbanded)$")] = None,
    after_id: Annotated[int | None, Query(gt=0, lt=2**63)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> dict[str, Any]:
    """``q`` matches a name anywhere, an owner's account by prefix, or a group number;
    pass ``next_after_id`` back as ``after_id`` for the next page."""
    query = GroupQuery(
        text=q.strip(),
        owner_id=owner_id,
        disbanded=None if status is None else status == "disbanded",
        after_id=after_id,
        limit=limit,
    )
    return await c.admin_groups.list_groups(me, query)


@router.get(
    GROUP,
    summary="One group with a page of its members",
    responses=_example(
        {
            **_GROUP_EXAMPLE,
            "intro": "",
            "server_size_limit": 2000,
            "members": [
                {
                    "user_id": 42,
                    "role": "owner",
                    "powers": [],
                    "muted_until": None,
                    "nickname": "Li Lei",
                    "avatar": "",
                }
            ],
            "next_after_user_id": None,
        }
    ),
)
async def group_details(
    conversation_id: PathId,
    c: C,
    me: GroupsAdmin,
    after_user_id: Annotated[int, Query(ge=0, lt=2**63)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    return await c.admin_groups.details(
        me, conversation_id, after_user_id=after_user_id, limit=limit
    )


@router.post(GROUP + "/owner", summary="Make a member the group's owner", responses=_ENTRY)
async def change_owner(
    conversation_id: PathId, body: ChangeOwnerInput, c: C, me: GroupsAdmin
) -> dict[str, Any]:
    return await c.admin_groups.do_change_owner(me, conversation_id, body.user_id)


@router.post(GROUP + "/disband", summary="Disband the group", responses=_ENTRY)
async def disband(conversation_id: PathId, c: C, me: GroupsAdmin) -> dict[str, Any]:
    return await c.admin_groups.do_disband(me, conversation_id)


@router.post(
    GROUP + "/assign",
    summary="Put people in the group, whatever its join mode",
    responses=_ENTRY,
)
async def assign(
    conversation_id: PathId, body: InviteInput, c: C, me: GroupsAdmin
) -> dict[str, Any]:
    return await c.admin_groups.do_assign(me, conversation_id, body.user_ids)


@router.patch(
    GROUP,
    summary="Set the group's size limit (null: the server's) and join mode",
    responses=_example(_GROUP_EXAMPLE),
)
async def update_group(
    conversation_id: PathId, body: GroupLimitsInput, c: C, me: GroupsAdmin
) -> dict[str, Any]:
    return await c.admin_groups.do_update(
        me,
        conversation_id,
        size_limit=body.size_limit,
        clear_size_limit="size_limit" in body.model_fields_set and body.size_limit is None,
        join_mode=body.join_mode,
    )
