"""Webhooks over REST (issue 14, J2; docs/protocol.md "Webhooks"): an app's subscriptions,
their deliveries and replays, under /api/v1/app/webhooks (scope ``webhooks``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from tidings.api.deps import C, PathId, app_scope
from tidings.domain.apps import AppCaller, AppScope
from tidings.domain.webhooks import MAX_DESCRIPTION, MAX_URL, DeliveryStatus, EventType

router = APIRouter(prefix="/api/v1/app/webhooks", tags=["app API"])

WebhooksApp = Annotated[AppCaller, app_scope(AppScope.WEBHOOKS)]


class WebhookInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=MAX_URL)
    event_types: list[str] = Field(min_length=1, max_length=len(EventType))
    description: str = Field("", max_length=MAX_DESCRIPTION)


class WebhookChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(None, min_length=1, max_length=MAX_URL)
    event_types: list[str] | None = Field(None, min_length=1, max_length=len(EventType))
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)


class ReplayFailed(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Milliseconds since the epoch: deliveries made at this time or later.
    since: int = Field(ge=0, lt=2**63)


@router.post(
    "", status_code=201, summary="Subscribe a URL to event types: its signing secret (whsec_…)"
)
async def create_webhook(body: WebhookInput, c: C, app: WebhooksApp) -> dict[str, Any]:
    created, secret = await c.webhooks.do_create(
        app, url=body.url, event_types=body.event_types, description=body.description
    )
    return {"webhook": created.to_wire(), "secret": secret}


@router.get("", summary="The app's webhooks")
async def list_webhooks(c: C, app: WebhooksApp) -> dict[str, Any]:
    return {"webhooks": [w.to_wire() for w in await c.webhooks.list(app)]}


@router.get("/{webhook_id}", summary="One webhook")
async def get_webhook(webhook_id: PathId, c: C, app: WebhooksApp) -> dict[str, Any]:
    return {"webhook": (await c.webhooks.get(app, webhook_id)).to_wire()}


@router.patch("/{webhook_id}", summary="Change a webhook's URL, event types or description")
async def update_webhook(
    webhook_id: PathId, body: WebhookChanges, c: C, app: WebhooksApp
) -> dict[str, Any]:
    updated = await c.webhooks.do_update(
        app,
        webhook_id,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
    )
    return {"webhook": updated.to_wire()}


@router.delete("/{webhook_id}", status_code=204, summary="Delete a webhook and its deliveries")
async def delete_webhook(webhook_id: PathId, c: C, app: WebhooksApp) -> Response:
    await c.webhooks.do_delete(app, webhook_id)
    return Response(status_code=204)


@router.post("/{webhook_id}/rotate-secret", summary="A new signing secret, used from now on")
async def rotate_webhook_secret(webhook_id: PathId, c: C, app: WebhooksApp) -> dict[str, Any]:
    updated, secret = await c.webhooks.do_rotate_secret(app, webhook_id)
    return {"webhook": updated.to_wire(), "secret": secret}


@router.post("/{webhook_id}/resume", summary="Resume a paused webhook: what waits is sent")
async def resume_webhook(webhook_id: PathId, c: C, app: WebhooksApp) -> dict[str, Any]:
    return {"webhook": (await c.webhooks.do_resume(app, webhook_id)).to_wire()}


@router.get("/{webhook_id}/deliveries", summary="A webhook's deliveries, newest first")
async def list_deliveries(
    webhook_id: PathId,
    c: C,
    app: WebhooksApp,
    before_id: Annotated[int | None, Query(gt=0, lt=2**63)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    status: DeliveryStatus | None = None,
) -> dict[str, Any]:
    return await c.webhooks.deliveries(
        app, webhook_id, before_id=before_id, limit=limit, status=status
    )


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/replay",
    summary="Send a delivery again (the same webhook-id, its retries afresh)",
)
async def replay_delivery(
    webhook_id: PathId, delivery_id: PathId, c: C, app: WebhooksApp
) -> dict[str, Any]:
    return {"delivery": await c.webhooks.do_replay(app, webhook_id, delivery_id)}


@router.post(
    "/{webhook_id}/deliveries/replay-failed",
    summary="Send again every delivery that failed since a time",
)
async def replay_failed(
    webhook_id: PathId, body: ReplayFailed, c: C, app: WebhooksApp
) -> dict[str, Any]:
    return {"replayed": await c.webhooks.do_replay_failed(app, webhook_id, body.since)}
