"""Workbench apps (J6, decision 0069): registered by an administrator (power ``apps``),
listed to the users their audience includes, and the one-time tickets that tell an app's
backend who opened it."""

from __future__ import annotations

import time
from typing import Any

from tidings.actions.admin_gate import AdminGate
from tidings.actions.context import Actor
from tidings.actions.organization import OrgCache
from tidings.auth.tokens import new_token, token_hash
from tidings.domain.admin import AdminPower
from tidings.domain.apps import AppCaller, AppScope, AppStatus
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.workbench import (
    MAX_APPS,
    TICKET_PREFIX,
    TICKET_TTL_SECONDS,
    Audience,
    WorkbenchApp,
    check_name,
    check_url,
    origin_of,
)
from tidings.store.accounts import AccountStore
from tidings.store.apps import AppStore
from tidings.store.workbench import WorkbenchStore

# Another node may register an app: the origins the CSP allows are re-read this often.
ORIGINS_RECHECK_SECONDS = 5.0

_UNSET: Any = object()


class Workbench:
    def __init__(
        self,
        *,
        store: WorkbenchStore,
        apps: AppStore,
        accounts: AccountStore,
        org: OrgCache,
        gate: AdminGate,
    ) -> None:
        self._store = store
        self._apps = apps
        self._accounts = accounts
        self._org = org
        self._gate = gate
        self._origins: tuple[str, ...] = ()
        self._origins_read = float("-inf")

    # ---- the console -----------------------------------------------------------------------

    async def list_all(self, actor: Actor) -> list[WorkbenchApp]:
        await self._gate.require(actor, AdminPower.APPS)
        return await self._store.all()

    async def get(self, actor: Actor, workbench_app_id: int) -> WorkbenchApp:
        await self._gate.require(actor, AdminPower.APPS)
        return await self._found(workbench_app_id)

    async def for_console(self, apps: list[WorkbenchApp]) -> list[dict[str, Any]]:
        """Apps as the console shows them: with the names of the people in their audiences
        (``audience_people``; someone since removed is left out)."""
        named = await self._accounts.users(
            sorted({u for app in apps for u in app.audience.user_ids})
        )
        return [
            {
                **app.to_wire(),
                "audience_people": [
                    {"id": u, "account": named[u].account, "nickname": named[u].nickname}
                    for u in sorted(app.audience.user_ids)
                    if u in named
                ],
            }
            for app in apps
        ]

    async def register(
        self,
        actor: Actor,
        *,
        name: str,
        url: str,
        audience: Audience,
        icon_url: str | None = None,
        description: str = "",
        app_id: int | None = None,
        sort_order: int = 0,
    ) -> WorkbenchApp:
        await self._gate.require(actor, AdminPower.APPS)
        name, url = check_name(name), check_url(url)
        icon_url = _check_icon(icon_url, url)
        audience = audience.check()
        await self._check_app(app_id)
        if await self._store.count() >= MAX_APPS:
            raise TidingsError(ErrorCode.CONFLICT, f"at most {MAX_APPS} workbench apps")
        async with self._gate.act(
            actor,
            AdminPower.APPS,
            "workbench_app.register",
            target_type="workbench_app",
            target_id=name,
            details={"name": name, "url": url, "audience": audience.to_wire()},
        ):
            app = await self._store.create(
                name=name,
                url=url,
                icon_url=icon_url,
                description=description.strip(),
                app_id=app_id,
                audience=audience,
                sort_order=sort_order,
                created_by=actor.user_id,
                now=now_ms(),
            )
        self._origins_read = float("-inf")
        return app

    async def update(
        self,
        actor: Actor,
        workbench_app_id: int,
        *,
        name: str | None = None,
        url: str | None = None,
        icon_url: str | None = _UNSET,
        description: str | None = None,
        app_id: int | None = _UNSET,
        audience: Audience | None = None,
        sort_order: int | None = None,
    ) -> WorkbenchApp:
        await self._gate.require(actor, AdminPower.APPS)
        current = await self._found(workbench_app_id)
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = check_name(name)
        if url is not None:
            values["url"] = check_url(url)
        new_url = values.get("url", current.url)
        if icon_url is not _UNSET or url is not None:
            values["icon_url"] = _check_icon(
                current.icon_url if icon_url is _UNSET else icon_url, new_url
            )
        if description is not None:
            values["description"] = description.strip()
        if app_id is not _UNSET:
            await self._check_app(app_id)
            values["app_id"] = app_id
        if audience is not None:
            values["audience"] = audience.check()
        if sort_order is not None:
            values["sort_order"] = sort_order
        shown = {k: (v.to_wire() if isinstance(v, Audience) else v) for k, v in values.items()}
        async with self._gate.act(
            actor,
            AdminPower.APPS,
            "workbench_app.update",
            target_type="workbench_app",
            target_id=str(workbench_app_id),
            details={"changed": shown},
        ):
            updated = await self._store.update(workbench_app_id, {**values, "updated_at": now_ms()})
        if updated is None:
            raise _no_app()
        self._origins_read = float("-inf")
        return updated

    async def remove(self, actor: Actor, workbench_app_id: int) -> None:
        await self._gate.require(actor, AdminPower.APPS)
        app = await self._found(workbench_app_id)
        async with self._gate.act(
            actor,
            AdminPower.APPS,
            "workbench_app.remove",
            target_type="workbench_app",
            target_id=str(app.id),
            details={"name": app.name, "url": app.url},
        ):
            if not await self._store.remove(workbench_app_id):
                raise _no_app()
        self._origins_read = float("-inf")

    # ---- users -----------------------------------------------------------------------------

    async def apps_for(self, actor: Actor) -> list[WorkbenchApp]:
        """The apps whose audience includes the user, in the console's order."""
        reach = await self._reach(actor.user_id)
        return [
            app for app in await self._store.all() if app.audience.includes(actor.user_id, reach)
        ]

    async def ticket(self, actor: Actor, workbench_app_id: int) -> dict[str, Any]:
        """A one-time ticket for the app to hand to its backend. An app the user may not see
        is ``not_found``, as one that does not exist."""
        app = await self._store.get(workbench_app_id)
        if app is None or not app.audience.includes(
            actor.user_id, await self._reach(actor.user_id)
        ):
            raise _no_app()
        ticket = f"{TICKET_PREFIX}{new_token()}"
        now = now_ms()
        await self._store.add_ticket(
            ticket_hash=token_hash(ticket),
            workbench_app_id=app.id,
            user_id=actor.user_id,
            now=now,
            expires_at=now + TICKET_TTL_SECONDS * 1000,
        )
        return {"ticket": ticket, "expires_in": TICKET_TTL_SECONDS}

    # ---- the app's backend -----------------------------------------------------------------

    async def exchange(self, caller: AppCaller, ticket: str) -> dict[str, Any]:
        """Who a ticket was given to; a ticket works once, for the app it was made for."""
        caller.require(AppScope.WORKBENCH)
        taken = await self._store.take_ticket(token_hash(ticket), now_ms())
        app = await self._store.get(taken[0]) if taken else None
        if taken is None or app is None or app.app_id != caller.app_id:
            raise TidingsError(
                ErrorCode.INVALID_TICKET,
                "the ticket is unknown, used, expired or not for this app",
            )
        user = await self._accounts.user(taken[1])
        if user is None or user.disabled:
            raise TidingsError(ErrorCode.INVALID_TICKET, "the ticket's user is disabled")
        return {
            "workbench_app_id": app.id,
            "user": {
                "id": user.id,
                "external_id": user.external_id,
                "account": user.account,
                "nickname": user.nickname,
                "departments": await self._store.departments_of(user.id),
            },
        }

    # ---- the CSP ---------------------------------------------------------------------------

    async def frame_origins(self) -> tuple[str, ...]:
        """The origins of every registered app (its pages and icons), sorted; re-read at most
        every ORIGINS_RECHECK_SECONDS."""
        now = time.monotonic()
        if now - self._origins_read >= ORIGINS_RECHECK_SECONDS:
            self._origins = tuple(sorted({app.origin for app in await self._store.all()}))
            self._origins_read = now
        return self._origins

    # ---- internals -------------------------------------------------------------------------

    async def _reach(self, user_id: int) -> set[int]:
        """The user's departments and every department above them."""
        tree = await self._org.tree()
        reach: set[int] = set()
        for dept in tree.memberships.get(user_id, ()):
            reach.add(dept)
            reach.update(tree.ancestors(dept))
        return reach

    async def _check_app(self, app_id: int | None) -> None:
        if app_id is None:
            return
        app = await self._apps.get(app_id)
        if app is None or app.status is not AppStatus.ACTIVE:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such active app")

    async def _found(self, workbench_app_id: int) -> WorkbenchApp:
        app = await self._store.get(workbench_app_id)
        if app is None:
            raise _no_app()
        return app


def _check_icon(icon_url: str | None, url: str) -> str | None:
    """An icon comes from the app's own origin, which the CSP already allows."""
    if not icon_url:
        return None
    icon_url = check_url(icon_url, field="icon_url")
    if origin_of(icon_url) != origin_of(url):
        raise TidingsError(
            ErrorCode.INVALID_INPUT,
            "icon_url: must be on the app's own origin",
            details=[{"loc": ["icon_url"], "msg": "another origin"}],
        )
    return icon_url


def _no_app() -> TidingsError:
    return TidingsError(ErrorCode.NOT_FOUND, "no such workbench app")
