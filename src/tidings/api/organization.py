"""The organization over REST (C1-C4, K1, K3); the same actions as gateway/org_ops.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from tidings.actions.context import Actor
from tidings.api.deps import C, Me, PathId, admin_power
from tidings.api.tables import download, table_format
from tidings.domain.admin import AdminPower
from tidings.schemas import (
    CollaborateInput,
    CompanyInput,
    DepartmentChanges,
    DepartmentCreate,
    PositionInput,
)

router = APIRouter(prefix="/api/v1", tags=["organization"])

Format = Annotated[str | None, Query(pattern="^(csv|xlsx)$")]


@router.get("/org")
async def tree(c: C, me: Me) -> dict[str, Any]:
    return await c.directory.tree(me)


@router.get("/org/search")
async def search(
    c: C,
    me: Me,
    q: Annotated[str, Query(min_length=1, max_length=64)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    return await c.directory.search_tree(me, q, limit=limit)


@router.get("/org/departments/{department_id}")
async def department(
    department_id: PathId,
    c: C,
    me: Me,
    after_user_id: Annotated[int, Query(ge=0, lt=2**63)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    return await c.directory.department(me, department_id, after_user_id=after_user_id, limit=limit)


@router.post("/org/departments")
async def create_department(body: DepartmentCreate, c: C, me: Me) -> dict[str, Any]:
    return await c.directory.do_create_department(
        me, name=body.name, parent_id=body.parent_id, hidden=body.hidden
    )


@router.patch("/org/departments/{department_id}")
async def update_department(
    department_id: PathId, body: DepartmentChanges, c: C, me: Me
) -> dict[str, Any]:
    return await c.directory.do_update_department(me, department_id, body.changes())


@router.delete("/org/departments/{department_id}", status_code=204)
async def delete_department(department_id: PathId, c: C, me: Me) -> Response:
    await c.directory.do_delete_department(me, department_id)
    return Response(status_code=204)


@router.put("/org/departments/{department_id}/members/{user_id}", status_code=204)
async def place(
    department_id: PathId, user_id: PathId, body: PositionInput, c: C, me: Me
) -> Response:
    """Put the user in the department, or change their position."""
    await c.directory.do_place(
        me, department_id=department_id, user_id=user_id, position=body.position, remove=False
    )
    return Response(status_code=204)


@router.delete("/org/departments/{department_id}/members/{user_id}", status_code=204)
async def unplace(department_id: PathId, user_id: PathId, c: C, me: Me) -> Response:
    await c.directory.do_place(
        me, department_id=department_id, user_id=user_id, position="", remove=True
    )
    return Response(status_code=204)


@router.post("/org/collaborations", status_code=204)
async def collaborate(body: CollaborateInput, c: C, me: Me) -> Response:
    await c.directory.do_collaborate(me, body.department_id, body.partner_id, body.on)
    return Response(status_code=204)


@router.put("/org/company", status_code=204)
async def company(body: CompanyInput, c: C, me: Me) -> Response:
    await c.directory.do_rename_company(me, body.name)
    return Response(status_code=204)


@router.post("/org/import")
async def import_org(request: Request, c: C, me: Me, format: Format = None) -> dict[str, Any]:
    return await c.imports.do_import_org(me, await request.body(), table_format(request, format))


@router.get("/org/export")
async def export_org(c: C, me: Me, request: Request, format: Format = None) -> Response:
    fmt = table_format(request, format or "csv")
    return download(await c.imports.export_org(me, fmt), fmt, "organization")


@router.post("/admin/users/import")
async def import_users(
    request: Request,
    c: C,
    me: Annotated[Actor, admin_power(AdminPower.USERS)],
    format: Format = None,
) -> dict[str, Any]:
    return await c.imports.do_import_users(me, await request.body(), table_format(request, format))
