"""Broadcasts (PRODUCT.md K5, D1; decision 0058): the back office sends a notice to many
people's system-notices conversations, now or at a time.

``Broadcasts`` holds the rules (who may, what a notice may hold, whom it reaches).
``BroadcastSender`` runs on every node: it starts scheduled broadcasts whose time has come
(a conditional state change: one node wins) and fans out those being sent, in batches,
under a lease that a crashed node's broadcast passes on from (store/broadcasts.py). Each
batch is pushed to the recipients' online devices once stored; the rest see it at sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from tidings.actions.admin_gate import AdminGate
from tidings.actions.context import Actor
from tidings.actions.files import Files
from tidings.actions.publisher import Publisher
from tidings.config import Settings
from tidings.domain.admin import AdminPower
from tidings.domain.bodies import NoticeBody, body_to_wire
from tidings.domain.broadcasts import (
    MAX_SCHEDULE_AHEAD_MS,
    Audience,
    Broadcast,
    BroadcastState,
    Reach,
    reach_of,
)
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.files import FileKind
from tidings.store.broadcasts import BroadcastStore
from tidings.store.organization import OrgStore

logger = logging.getLogger(__name__)

# How many due broadcasts one look starts (the rest are started by the next look).
_DUE_PER_LOOK = 20


@dataclass(frozen=True, slots=True)
class Draft:
    """A broadcast as composed in the console (validated for shape by the API layer)."""

    title: str
    text: str
    url: str | None
    image_file_id: str | None
    audience: Audience
    # None: now. A time already past also means now.
    send_at: int | None


class Broadcasts:
    def __init__(
        self,
        *,
        store: BroadcastStore,
        org: OrgStore,
        files: Files,
        gate: AdminGate,
        sender: BroadcastSender,
    ) -> None:
        self._store = store
        self._org = org
        self._files = files
        self._gate = gate
        self._sender = sender

    async def check_audience(self, actor: Actor, audience: Audience) -> tuple[Reach, int]:
        """Whom the audience reaches (departments with their subtrees) and how many people
        that is now; ``not_found`` for an unknown department, group or user."""
        await self._gate.require(actor, AdminPower.BROADCASTS)
        if audience.empty:
            raise TidingsError(
                ErrorCode.EMPTY_AUDIENCE,
                "choose the audience: everyone, departments, groups or people",
            )
        tree = await self._org.tree()
        unknown_departments = [d for d in audience.department_ids if d not in tree.departments]
        unknown_groups, unknown_users = await self._store.missing(
            group_ids=audience.group_ids, user_ids=audience.user_ids
        )
        for what, ids in (
            ("department", unknown_departments),
            ("group", unknown_groups),
            ("user", unknown_users),
        ):
            if ids:
                raise TidingsError(
                    ErrorCode.NOT_FOUND,
                    f"no {what} {ids[0]}" + (f" (and {len(ids) - 1} more)" if len(ids) > 1 else ""),
                    {f"unknown_{what}_ids": ids[:100]},
                )
        reach = reach_of(audience, tree)
        count = await self._store.count_reach(reach)
        if count == 0:
            raise TidingsError(
                ErrorCode.EMPTY_AUDIENCE,
                "this audience reaches nobody: its departments and groups have no members "
                "and its people are disabled",
            )
        return reach, count

    async def do_create(self, actor: Actor, draft: Draft) -> Broadcast:
        await self._gate.require(actor, AdminPower.BROADCASTS)
        now = now_ms()
        if draft.send_at is not None and draft.send_at > now + MAX_SCHEDULE_AHEAD_MS:
            raise TidingsError(ErrorCode.INVALID_INPUT, "send_at: at most a year ahead")
        body = await self._notice(actor, draft)
        reach, count = await self.check_audience(actor, draft.audience)
        send_now = draft.send_at is None or draft.send_at <= now
        details: dict[str, Any] = {
            "title": draft.title,
            "everyone": draft.audience.everyone,
            "department_ids": list(draft.audience.department_ids[:100]),
            "group_ids": list(draft.audience.group_ids[:100]),
            "user_count": len(draft.audience.user_ids),
            "reach": count,
            "send_at": None if send_now else draft.send_at,
        }
        async with self._gate.act(
            actor,
            AdminPower.BROADCASTS,
            "broadcast.create",
            target_type="broadcast",
            details=details,
        ) as note:

            def named(broadcast_id: int) -> None:
                note.target_id = str(broadcast_id)

            broadcast = await self._store.create(
                created_by=actor.user_id,
                body=body,
                audience=draft.audience,
                send_at=now if send_now else (draft.send_at or now),
                image_file_id=draft.image_file_id,
                now=now,
                reach=reach if send_now else None,
                named=named,
            )
        self._sender.wake()
        return broadcast

    async def _notice(self, actor: Actor, draft: Draft) -> dict[str, Any]:
        """The notice body every recipient's entry carries."""
        if draft.url is not None and not draft.url.lower().startswith(("http://", "https://")):
            # Opened in every recipient's client: javascript: or data: links would run there.
            raise TidingsError(ErrorCode.INVALID_INPUT, "url: only http and https links")
        image: dict[str, Any] | None = None
        if draft.image_file_id is not None:
            file = await self._files.access_file(actor.user_id, draft.image_file_id)
            if file.kind is not FileKind.IMAGE or not file.width or not file.height:
                raise TidingsError(
                    ErrorCode.WRONG_FILE_KIND, "the notice's image must be an uploaded image"
                )
            image = {"file_id": file.id, "width": file.width, "height": file.height}
        try:
            body = NoticeBody.model_validate(
                {"title": draft.title, "text": draft.text, "url": draft.url, "image": image},
                strict=False,
            )
        except ValueError as error:
            message = f"the notice is not valid: {error}"
            raise TidingsError(ErrorCode.INVALID_INPUT, message) from None
        return body_to_wire(body)

    async def do_cancel(self, actor: Actor, broadcast_id: int) -> Broadcast:
        await self._gate.require(actor, AdminPower.BROADCASTS)
        found = await self._store.get(broadcast_id)
        if found is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such broadcast")
        if found.state is not BroadcastState.SCHEDULED:
            raise TidingsError(
                ErrorCode.CONFLICT,
                f"only a scheduled broadcast can be cancelled; this one is {found.state.value}",
            )
        async with self._gate.act(
            actor,
            AdminPower.BROADCASTS,
            "broadcast.cancel",
            target_type="broadcast",
            target_id=broadcast_id,
            details={"title": found.body.get("title", "")},
        ):
            cancelled = await self._store.cancel(broadcast_id, now_ms())
        if cancelled is None:
            # Sending started between the look and the change (the change rolled back).
            raise TidingsError(ErrorCode.CONFLICT, "this broadcast has started sending")
        return cancelled

    async def page(
        self,
        actor: Actor,
        *,
        before_id: int | None,
        limit: int,
        state: BroadcastState | None,
    ) -> dict[str, Any]:
        await self._gate.require(actor, AdminPower.BROADCASTS)
        found = await self._store.page(before_id=before_id, limit=limit + 1, state=state)
        page = found[:limit]
        reads = await self._store.read_counts([b.id for b in page])
        return {
            "broadcasts": [b.to_wire(read_count=reads[b.id]) for b in page],
            "next_before_id": page[-1].id if len(found) > limit else None,
        }

    async def get(self, actor: Actor, broadcast_id: int) -> dict[str, Any]:
        await self._gate.require(actor, AdminPower.BROADCASTS)
        found = await self._store.get(broadcast_id)
        if found is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such broadcast")
        reads = await self._store.read_counts([broadcast_id])
        return found.to_wire(read_count=reads[broadcast_id])

    async def preview(self, actor: Actor, audience: Audience) -> dict[str, int]:
        _, count = await self.check_audience(actor, audience)
        return {"recipient_count": count}


class BroadcastSender:
    """Starts due broadcasts and fans out the ones being sent (every node runs one)."""

    def __init__(
        self,
        *,
        settings: Settings,
        store: BroadcastStore,
        org: OrgStore,
        publisher: Publisher,
        node_id: str,
    ) -> None:
        self._settings = settings
        self._store = store
        self._org = org
        self._publisher = publisher
        self._node = node_id
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._current: int | None = None

    def start(self) -> None:
        # Made here, in the server's context: a task made inside an audited action would
        # carry its pending audit entry into every batch it writes.
        self._task = asyncio.create_task(self._run(), name="broadcast-sender")

    def wake(self) -> None:
        self._wakeup.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._current is not None:
            # Let another node (or this one restarted) go on at once, not after the lease.
            with contextlib.suppress(Exception):
                await self._store.release(self._current, self._node)
        await self._store.close()

    async def run_once(self) -> None:
        now = now_ms()
        for due in await self._store.due(now, _DUE_PER_LOOK):
            reach = await self._reach(due.audience)
            count = await self._store.start(due.id, reach, now)
            if count is not None:
                logger.info("broadcast %d: sending to %d people", due.id, count)
        lease_ms = int(self._settings.broadcast_lease_seconds * 1000)
        for broadcast_id in await self._store.sending(self._node, now_ms()):
            if await self._store.claim(broadcast_id, self._node, now_ms(), lease_ms):
                await self._fan_out(broadcast_id, lease_ms)

    async def _reach(self, audience: Audience) -> Reach:
        return reach_of(audience, await self._org.tree())

    async def _fan_out(self, broadcast_id: int, lease_ms: int) -> None:
        self._current = broadcast_id
        try:
            while True:
                batch = await self._store.fan_out(
                    broadcast_id,
                    self._node,
                    now_ms(),
                    lease_ms,
                    self._settings.broadcast_batch,
                )
                if batch is None:
                    logger.info("broadcast %d: another node has taken it over", broadcast_id)
                    return
                for user_id, entry in batch.delivered:
                    await self._publisher.entry(entry, (user_id,))
                if batch.finished:
                    logger.info("broadcast %d: sent", broadcast_id)
                    return
        finally:
            self._current = None

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                logger.exception("sending broadcasts failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._settings.broadcast_poll_seconds)
            self._wakeup.clear()
