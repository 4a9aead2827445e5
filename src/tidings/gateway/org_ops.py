"""WebSocket ops for the organization (C1-C4); REST twins in api/organization.py."""

from __future__ import annotations

from typing import Any

from tidings import schemas as s
from tidings.domain.tables import TableFormat
from tidings.gateway.ops import OpContext, op


@op("org.tree", s.Empty)
async def _tree(ctx: OpContext, _: s.Empty) -> Any:
    return await ctx.c.directory.tree(ctx.actor)


@op("org.department", s.DepartmentPage)
async def _department(ctx: OpContext, a: s.DepartmentPage) -> Any:
    return await ctx.c.directory.department(
        ctx.actor, a.department_id, after_user_id=a.after_user_id, limit=a.limit
    )


@op("org.search", s.OrgSearchInput)
async def _search(ctx: OpContext, a: s.OrgSearchInput) -> Any:
    return await ctx.c.directory.search_tree(ctx.actor, a.query, limit=a.limit)


@op("org.department.create", s.DepartmentCreate)
async def _create(ctx: OpContext, a: s.DepartmentCreate) -> Any:
    return await ctx.c.directory.do_create_department(
        ctx.actor, name=a.name, parent_id=a.parent_id, hidden=a.hidden
    )


@op("org.department.update", s.DepartmentUpdate)
async def _update(ctx: OpContext, a: s.DepartmentUpdate) -> Any:
    return await ctx.c.directory.do_update_department(ctx.actor, a.department_id, a.changes())


@op("org.department.delete", s.DepartmentRef)
async def _delete(ctx: OpContext, a: s.DepartmentRef) -> Any:
    await ctx.c.directory.do_delete_department(ctx.actor, a.department_id)
    return None


@op("org.member.set", s.PlaceInput)
async def _place(ctx: OpContext, a: s.PlaceInput) -> Any:
    await ctx.c.directory.do_place(
        ctx.actor,
        department_id=a.department_id,
        user_id=a.user_id,
        position=a.position,
        remove=False,
    )
    return None


@op("org.member.remove", s.UnplaceInput)
async def _unplace(ctx: OpContext, a: s.UnplaceInput) -> Any:
    await ctx.c.directory.do_place(
        ctx.actor, department_id=a.department_id, user_id=a.user_id, position="", remove=True
    )
    return None


@op("org.collaborate", s.CollaborateInput)
async def _collaborate(ctx: OpContext, a: s.CollaborateInput) -> Any:
    await ctx.c.directory.do_collaborate(ctx.actor, a.department_id, a.partner_id, a.on)
    return None


@op("org.company", s.CompanyInput)
async def _company(ctx: OpContext, a: s.CompanyInput) -> Any:
    await ctx.c.directory.do_rename_company(ctx.actor, a.name)
    return None


@op("org.import", s.TableFileInput)
async def _import(ctx: OpContext, a: s.TableFileInput) -> Any:
    fmt = TableFormat(a.format) if a.format else None
    return await ctx.c.imports.do_import_org_file(ctx.actor, a.file_id, fmt)


@op("org.export", s.TableExportInput)
async def _export(ctx: OpContext, a: s.TableExportInput) -> Any:
    return await ctx.c.imports.do_export_org_file(ctx.actor, TableFormat(a.format))


@op("users.import", s.TableFileInput)
async def _import_users(ctx: OpContext, a: s.TableFileInput) -> Any:
    fmt = TableFormat(a.format) if a.format else None
    return await ctx.c.admin_users.do_import_file(ctx.actor, ctx.c.imports, a.file_id, fmt)
