"""Workbench apps over REST (J6, decision 0069; docs/protocol.md "Workbench apps"): the
console's registry, a user's own list and tickets, the app backend's ticket exchange, and the
bridge script that apps include."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from tidings.actions.context import Actor
from tidings.api.deps import C, Me, PathId, admin_power, app_scope
from tidings.client import client_file
from tidings.domain.admin import AdminPower
from tidings.domain.apps import AppCaller, AppScope
from tidings.domain.workbench import MAX_AUDIENCE, MAX_NAME, MAX_URL, Audience

admin = APIRouter(prefix="/api/v1/admin/workbench-apps", tags=["admin"])
user_api = APIRouter(prefix="/api/v1/workbench", tags=["workbench"])
app_api = APIRouter(prefix="/api/v1/app/workbench", tags=["app API"])
bridge = APIRouter(include_in_schema=False)

AppsAdmin = Annotated[Actor, admin_power(AdminPower.APPS)]
WorkbenchCaller = Annotated[AppCaller, app_scope(AppScope.WORKBENCH)]
BRIDGE = Path(__file__).parent.parent / "workbench" / "bridge.js"
Id = Annotated[int, Field(gt=0, lt=2**63)]


class AudienceInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    everyone: bool = False
    department_ids: list[Id] = Field(default_factory=list, max_length=MAX_AUDIENCE)
    user_ids: list[Id] = Field(default_factory=list, max_length=MAX_AUDIENCE)

    def audience(self) -> Audience:
        return Audience(self.everyone, frozenset(self.department_ids), frozenset(self.user_ids))


class WorkbenchAppInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=MAX_NAME)
    url: str = Field(min_length=1, max_length=MAX_URL)
    icon_url: str | None = Field(None, max_length=MAX_URL)
    description: str = Field("", max_length=500)
    app_id: Id | None = None
    audience: AudienceInput
    sort_order: int = Field(0, ge=-10_000, le=10_000)


class WorkbenchAppChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=MAX_NAME)
    url: str | None = Field(None, min_length=1, max_length=MAX_URL)
    icon_url: str | None = Field(None, max_length=MAX_URL)
    description: str | None = Field(None, max_length=500)
    app_id: Id | None = None
    audience: AudienceInput | None = None
    sort_order: int | None = Field(None, ge=-10_000, le=10_000)


class TicketInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ticket: str = Field(min_length=1, max_length=200)


@admin.get("", summary="The workbench apps")
async def list_workbench_apps(c: C, me: AppsAdmin) -> dict[str, Any]:
    return {"apps": await c.workbench.for_console(await c.workbench.list_all(me))}


@admin.post("", status_code=201, summary="Register a workbench app")
async def register_workbench_app(body: WorkbenchAppInput, c: C, me: AppsAdmin) -> dict[str, Any]:
    app = await c.workbench.register(
        me,
        name=body.name,
        url=body.url,
        icon_url=body.icon_url,
        description=body.description,
        app_id=body.app_id,
        audience=body.audience.audience(),
        sort_order=body.sort_order,
    )
    (wired,) = await c.workbench.for_console([app])
    return {"app": wired}


@admin.get("/{workbench_app_id}", summary="One workbench app")
async def get_workbench_app(workbench_app_id: PathId, c: C, me: AppsAdmin) -> dict[str, Any]:
    (wired,) = await c.workbench.for_console([await c.workbench.get(me, workbench_app_id)])
    return {"app": wired}


@admin.patch(
    "/{workbench_app_id}",
    summary="Change a workbench app; `icon_url` or `app_id` null clears it",
)
async def update_workbench_app(
    workbench_app_id: PathId, body: WorkbenchAppChanges, c: C, me: AppsAdmin
) -> dict[str, Any]:
    given = body.model_fields_set
    extra: dict[str, Any] = {}
    if "icon_url" in given:
        extra["icon_url"] = body.icon_url
    if "app_id" in given:
        extra["app_id"] = body.app_id
    app = await c.workbench.update(
        me,
        workbench_app_id,
        name=body.name,
        url=body.url,
        description=body.description,
        audience=body.audience.audience() if body.audience else None,
        sort_order=body.sort_order,
        **extra,
    )
    (wired,) = await c.workbench.for_console([app])
    return {"app": wired}


@admin.delete("/{workbench_app_id}", status_code=204, summary="Remove a workbench app")
async def remove_workbench_app(workbench_app_id: PathId, c: C, me: AppsAdmin) -> None:
    await c.workbench.remove(me, workbench_app_id)


@user_api.get("/apps", summary="The workbench apps I may open")
async def my_workbench_apps(c: C, me: Me) -> dict[str, Any]:
    return {"apps": [app.for_user() for app in await c.workbench.apps_for(me)]}


@user_api.post(
    "/apps/{workbench_app_id}/tickets",
    summary="A one-time ticket (60 s) for the app's backend to learn who I am",
)
async def workbench_ticket(workbench_app_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.workbench.ticket(me, workbench_app_id)


@app_api.post(
    "/tickets/exchange",
    summary="Who a workbench ticket was given to (once; scope `workbench`)",
)
async def exchange_ticket(body: TicketInput, c: C, app: WorkbenchCaller) -> dict[str, Any]:
    return await c.workbench.exchange(app, body.ticket)


@bridge.api_route("/workbench/bridge.js", methods=["GET", "HEAD"], response_model=None)
async def bridge_script(request: Request) -> Response:
    # Included by pages on other origins: no credentials travel, so any origin may load it.
    response = client_file(BRIDGE, request.headers)
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
