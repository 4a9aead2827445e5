"""Server administration over REST (docs/protocol.md "Admin API"): the caller's role,
freezing accounts, roles, password resets, registration invites and the audit log."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from tidings.actions.context import Actor
from tidings.api.deps import C, Me, PathId, admin_power
from tidings.domain.admin import AdminPower, AdminRole, powers_of
from tidings.schemas import RegistrationInviteInput
from tidings.store.audit import AuditQuery

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

InviteCode = Annotated[str, Path(min_length=1, max_length=64)]
UsersAdmin = Annotated[Actor, admin_power(AdminPower.USERS)]
RolesAdmin = Annotated[Actor, admin_power(AdminPower.ROLES)]
Auditor = Annotated[Actor, admin_power(AdminPower.AUDIT)]


class FreezeInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field("", max_length=500)


class RoleInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # None takes the role away.
    role: AdminRole | None


@router.get("/me", summary="The caller's admin role and powers (any signed-in user)")
async def admin_me(c: C, me: Me) -> dict[str, Any]:
    role = await c.admin_gate.role(me.user_id)
    return {"role": role, "powers": sorted(powers_of(role))}


@router.post("/users/{user_id}/freeze", summary="Freeze an account: its sessions end now")
async def freeze(user_id: PathId, c: C, me: Me, body: FreezeInput | None = None) -> dict[str, Any]:
    ended = await c.accounts.do_freeze(me, user_id, body.reason if body else "")
    return {"sessions_ended": ended}


@router.post("/users/{user_id}/unfreeze", status_code=204, summary="Unfreeze an account")
async def unfreeze(user_id: PathId, c: C, me: UsersAdmin) -> Response:
    await c.accounts.do_unfreeze(me, user_id)
    return Response(status_code=204)


@router.put("/users/{user_id}/role", summary="Give or take a server admin role")
async def set_role(user_id: PathId, body: RoleInput, c: C, me: RolesAdmin) -> dict[str, Any]:
    former = await c.accounts.do_set_admin_role(me, user_id, body.role)
    return {"role": body.role, "former_role": former}


@router.post("/users/{user_id}/reset-password", summary="A one-time password for a user")
async def reset_password(user_id: PathId, c: C, me: UsersAdmin) -> dict[str, Any]:
    return {"one_time_password": await c.accounts.do_reset_password(me, user_id)}


@router.post("/registration-invites", status_code=201)
async def create_invite(body: RegistrationInviteInput, c: C, me: UsersAdmin) -> dict[str, Any]:
    invite = await c.registration_invites.do_create(
        me, max_uses=body.max_uses, expires_in_seconds=body.expires_in_seconds
    )
    return invite.to_wire()


@router.get("/registration-invites")
async def list_invites(c: C, me: UsersAdmin) -> dict[str, Any]:
    return {"invites": [i.to_wire() for i in await c.registration_invites.list(me)]}


@router.delete("/registration-invites/{code}", status_code=204)
async def delete_invite(code: InviteCode, c: C, me: UsersAdmin) -> Response:
    await c.registration_invites.do_delete(me, code)
    return Response(status_code=204)


# The audit log (PRODUCT.md K6)


class AuditFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: str | None = Field(None, max_length=64, description='exact, or a prefix "user."')
    actor_id: int | None = Field(None, gt=0, lt=2**63)
    target_type: str | None = Field(None, max_length=32)
    target_id: str | None = Field(None, max_length=128)
    since: int | None = Field(None, ge=0, lt=2**63, description="ms since the epoch")
    until: int | None = Field(None, ge=0, lt=2**63, description="ms since the epoch, exclusive")
    q: str | None = Field(None, max_length=100, description="text in actor, target, details, IP")

    def query(self, before_id: int | None = None) -> AuditQuery:
        return AuditQuery(
            action=self.action,
            actor_id=self.actor_id,
            target_type=self.target_type,
            target_id=self.target_id,
            since=self.since,
            until=self.until,
            text=self.q,
            before_id=before_id,
        )


class AuditPage(AuditFilters):
    cursor: int | None = Field(None, gt=0, lt=2**63, description="the previous page's next")
    limit: int = Field(50, ge=1, le=200)


class AuditExport(AuditFilters):
    format: Literal["csv"] = "csv"


@router.get("/audit", summary="The audit log, newest first, with a cursor")
async def audit(page: Annotated[AuditPage, Query()], c: C, me: Auditor) -> dict[str, Any]:
    limit = page.limit
    entries = await c.audit_store.entries(page.query(page.cursor), limit + 1)
    more = len(entries) > limit
    entries = entries[:limit]
    return {
        "entries": [e.to_wire() for e in entries],
        "next": entries[-1].id if more else None,
    }


EXPORT_MAX_ROWS = 100_000
_EXPORT_PAGE = 1000
_CSV_COLUMNS = (
    "id", "at", "action", "actor_id", "actor_account", "target_type", "target_id",
    "details", "ip", "user_agent",
)  # fmt: skip


@router.get("/audit/export", summary="The audit log as CSV (at most 100,000 rows)")
async def audit_export(filters: Annotated[AuditExport, Query()], c: C, me: Me) -> StreamingResponse:
    async with c.admin_gate.act(
        me,
        AdminPower.AUDIT,
        "audit.export",
        target_type="audit",
        details=filters.model_dump(exclude_none=True, exclude={"format"}),
    ):
        pass

    async def rows() -> AsyncIterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        out.write("\ufeff")  # a byte-order mark: Excel then reads UTF-8 (Chinese names)
        writer.writerow(_CSV_COLUMNS)
        before: int | None = None
        sent = 0
        while sent < EXPORT_MAX_ROWS:
            page = await c.audit_store.entries(filters.query(before), _EXPORT_PAGE)
            for entry in page:
                wire = entry.to_wire()
                wire["details"] = orjson.dumps(entry.details).decode()
                writer.writerow([_cell(wire[k]) for k in _CSV_COLUMNS])
            sent += len(page)
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            if len(page) < _EXPORT_PAGE:
                break
            before = page[-1].id

    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="tidings-audit.csv"'},
    )


def _cell(value: Any) -> str:
    """A spreadsheet must not run what a user typed (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
