"""The organization in the admin console (K3, C3): the tree, its people, imports with a
preview and exports. Power ``org``; every change is audited (actions/organization.py,
actions/org_import.py). The older routes under ``/api/v1/org`` reach the same actions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from tidings.actions.context import Actor
from tidings.admin_org_schemas import AdminDepartment, AdminOrgTree, OrgImportPlan
from tidings.api.deps import C, PathId, admin_power
from tidings.api.tables import download, table_format
from tidings.domain.admin import AdminPower
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.org_import import MAX_IMPORT_BYTES, ImportMode
from tidings.domain.tables import XLSX_MIME
from tidings.schemas import (
    CollaborateInput,
    CompanyInput,
    DepartmentChanges,
    DepartmentCreate,
    PositionInput,
)

router = APIRouter(prefix="/api/v1/admin/org", tags=["admin"])

# A spreadsheet as a body or a download.
TABLE_CONTENT: dict[str, Any] = {
    "text/csv": {"schema": {"type": "string"}},
    XLSX_MIME: {"schema": {"type": "string", "format": "binary"}},
}
# The caller, refused (403 forbidden) without the org power before the body is read.
Me = Annotated[Actor, admin_power(AdminPower.ORG)]
Format = Annotated[Literal["csv", "xlsx"] | None, Query()]


@router.get("", summary="The whole tree, hidden departments and collaborations included")
async def tree(c: C, me: Me) -> AdminOrgTree:
    return AdminOrgTree.model_validate(await c.directory.admin_tree(me))


DEPARTMENT_EXAMPLE = {
    "department": {"id": 3, "parent_id": 1, "name": "Sales"},
    "path": "Acme/Sales",
    "path_items": [{"id": 1, "name": "Acme"}, {"id": 3, "name": "Sales"}],
    "children": [{"id": 7, "name": "East"}],
    "members": [
        {
            "id": 42,
            "account": "wang",
            "nickname": "Wang Fang",
            "avatar": "",
            "position": "Account manager",
            "departments": [
                {"id": 3, "name": "Sales", "position": "Account manager"},
                {"id": 9, "name": "Marketing", "position": ""},
            ],
        }
    ],
    "next_after_user_id": None,
}
PEOPLE_EXAMPLE = {
    "users": [{"id": 42, "account": "wang", "nickname": "Wang Fang", "departments": []}],
    "has_more": False,
}


def _example(example: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": example}}}}


@router.get(
    "/departments/{department_id}",
    summary="A department and a page of its people",
    responses=_example(DEPARTMENT_EXAMPLE),
)
async def department(
    department_id: PathId,
    c: C,
    me: Me,
    after_user_id: Annotated[int, Query(ge=0, lt=2**63)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    return await c.directory.admin_department(
        me, department_id, after_user_id=after_user_id, limit=limit
    )


@router.get(
    "/people", summary="Find people to put in a department", responses=_example(PEOPLE_EXAMPLE)
)
async def people(
    c: C,
    me: Me,
    q: Annotated[str, Query(min_length=1, max_length=64)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    return await c.directory.admin_people(me, q, limit=limit)


@router.post("/departments", status_code=201, summary="Create a department")
async def create_department(body: DepartmentCreate, c: C, me: Me) -> AdminDepartment:
    return AdminDepartment.model_validate(
        await c.directory.do_create_department(
            me, name=body.name, parent_id=body.parent_id, hidden=body.hidden
        )
    )


@router.patch(
    "/departments/{department_id}",
    summary="Rename, move (parent_id; null: the top level), hide or reorder a department",
    description="A move below the department itself or one of its sub-departments is "
    "refused with `cycle`, also when another admin's move commits first.",
)
async def update_department(
    department_id: PathId, body: DepartmentChanges, c: C, me: Me
) -> AdminDepartment:
    return AdminDepartment.model_validate(
        await c.directory.do_update_department(me, department_id, body.changes())
    )


@router.delete(
    "/departments/{department_id}",
    status_code=204,
    summary="Delete an empty department",
    description="`department_not_empty` while it has people or sub-departments.",
)
async def delete_department(department_id: PathId, c: C, me: Me) -> Response:
    await c.directory.do_delete_department(me, department_id)
    return Response(status_code=204)


@router.put(
    "/departments/{department_id}/members/{user_id}",
    status_code=204,
    summary="Put someone in a department (people may be in several), or change their position",
)
async def place(
    department_id: PathId, user_id: PathId, body: PositionInput, c: C, me: Me
) -> Response:
    await c.directory.do_place(
        me, department_id=department_id, user_id=user_id, position=body.position, remove=False
    )
    return Response(status_code=204)


@router.delete(
    "/departments/{department_id}/members/{user_id}",
    status_code=204,
    summary="Take someone out of a department",
)
async def unplace(department_id: PathId, user_id: PathId, c: C, me: Me) -> Response:
    await c.directory.do_place(
        me, department_id=department_id, user_id=user_id, position="", remove=True
    )
    return Response(status_code=204)


@router.put(
    "/collaborations",
    status_code=204,
    summary="Mark two departments as collaborating (they see each other), or not",
)
async def collaborate(body: CollaborateInput, c: C, me: Me) -> Response:
    await c.directory.do_collaborate(me, body.department_id, body.partner_id, body.on)
    return Response(status_code=204)


@router.put("/company", status_code=204, summary="Rename the company")
async def company(body: CompanyInput, c: C, me: Me) -> Response:
    await c.directory.do_rename_company(me, body.name)
    return Response(status_code=204)


@router.post(
    "/import",
    summary="Import the tree from CSV/XLSX: preview (dry_run) or apply",
    description="The body is the file itself (`?format=` or its Content-Type). Columns: "
    "`department` (a path, Company/Sales/East), optional `department_id` (renames and moves), "
    "`account`, `nickname` (creates an unknown account), `position`. `mode=sync` also "
    "disables people and removes departments the file leaves out. A dry run changes nothing "
    "and returns the plan with its `plan_id`; apply with that `plan_id` to get exactly that "
    "plan, or `org_changed` if the organization changed in between.",
    openapi_extra={"requestBody": {"required": True, "content": TABLE_CONTENT}},
)
async def import_org(
    request: Request,
    c: C,
    me: Me,
    mode: Annotated[ImportMode, Query()] = ImportMode.MERGE,
    dry_run: Annotated[bool, Query()] = True,
    plan_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    format: Format = None,
) -> OrgImportPlan:
    data = await request.body()
    if len(data) > MAX_IMPORT_BYTES:
        raise TidingsError(ErrorCode.PAYLOAD_TOO_LARGE, "the file is over 8 MiB")
    return OrgImportPlan.model_validate(
        await c.org_imports.do_import(
            me,
            data,
            table_format(request, format),
            mode=mode,
            dry_run=dry_run,
            plan_id=plan_id,
        )
    )


@router.get(
    "/export",
    summary="The tree with its people as CSV/XLSX (audited); importing it changes nothing",
    response_class=Response,
    responses={200: {"content": TABLE_CONTENT}},
)
async def export_org(c: C, me: Me, request: Request, format: Format = None) -> Response:
    fmt = table_format(request, format or "csv")
    return download(await c.org_imports.export(me, fmt), fmt, "organization")
