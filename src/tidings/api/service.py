"""Customer service over REST (J4, decision 0066): the widget opens a visitor's session;
agents see the queue and take, transfer and close chats; admins choose the agents.

A visitor's own chat runs over the WebSocket (``send``, ``history``, ``service.*``); the
visitor's token reaches nothing here (``visitor_not_allowed``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request

from tidings.actions.context import Actor
from tidings.api.deps import C, Me, PathId, admin_power, app_scope, client_ip, user_agent
from tidings.domain.admin import AdminPower
from tidings.domain.apps import AppCaller, AppScope
from tidings.domain.service import (
    AgentList,
    IdentityExchange,
    NewVisitor,
    Transfer,
    VisitorIdentity,
)

router = APIRouter(prefix="/api/v1", tags=["customer service"])


@router.post(
    "/app/service/visitor-tokens",
    status_code=201,
    summary="A short-lived token naming one of the host's users, for the widget to exchange",
)
async def visitor_token(
    body: VisitorIdentity, c: C, app: Annotated[AppCaller, app_scope(AppScope.SERVICE)]
) -> dict[str, Any]:
    return await c.service_desk.do_issue_identity_token(app.app_id, body)


@router.post(
    "/service/visitors",
    status_code=201,
    summary="Open an anonymous visitor's session (the widget, before the first message)",
)
async def open_visitor(body: NewVisitor, c: C, request: Request) -> dict[str, Any]:
    return await c.service_desk.do_open_visitor(
        body, ip=client_ip(request), user_agent=user_agent(request)
    )


@router.post(
    "/service/visitors/identified",
    status_code=201,
    summary="Exchange an identity token from the host's backend for a visitor's session",
)
async def exchange_identity(body: IdentityExchange, c: C, request: Request) -> dict[str, Any]:
    return await c.service_desk.do_exchange_identity(
        body, ip=client_ip(request), user_agent=user_agent(request)
    )


@router.get("/service/queue", summary="Waiting visitors and the agent's own chats")
async def queue(c: C, me: Me) -> dict[str, Any]:
    return await c.service_desk.queue(me)


@router.get("/service/agents", summary="The agents (to transfer a chat to)")
async def agents(c: C, me: Me) -> dict[str, Any]:
    return {"agents": await c.service_desk.agents(me)}


@router.get(
    "/service/chats/{conversation_id}",
    summary="A chat: the visitor, their page, earlier visits",
)
async def chat(conversation_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.service_desk.details(me, conversation_id)


@router.post("/service/chats/{conversation_id}/take", summary="Take a waiting chat")
async def take(conversation_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.service_desk.do_take(me, conversation_id)


@router.post("/service/chats/{conversation_id}/transfer", summary="Hand a chat to another agent")
async def transfer(conversation_id: PathId, body: Transfer, c: C, me: Me) -> dict[str, Any]:
    return await c.service_desk.do_transfer(me, conversation_id, body.agent_id)


@router.post("/service/chats/{conversation_id}/close", summary="Close a chat one holds")
async def close(conversation_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.service_desk.do_close(me, conversation_id)


@router.get(
    "/admin/service/agents",
    summary="The customer-service agents: on duty, chats held; and visitors waiting",
)
async def admin_agents(
    c: C, me: Annotated[Actor, admin_power(AdminPower.SERVICE)]
) -> dict[str, Any]:
    return await c.service_desk.admin_agents(me)


@router.put("/admin/service/agents", summary="Choose the customer-service agents")
async def set_agents(
    body: AgentList, c: C, me: Annotated[Actor, admin_power(AdminPower.SERVICE)]
) -> dict[str, Any]:
    return await c.service_desk.do_set_agents(me, body.user_ids)
