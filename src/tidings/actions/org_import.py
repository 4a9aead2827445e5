"""Importing the organization with a preview, and exporting it (K3, C3; decision 0060).

``do_import`` reads a CSV/XLSX file, plans what it would change (domain/org_import.py) and,
unless it is a dry run, applies exactly that plan in one transaction. The preview's
``plan_id`` names the plan; given back on apply, the import is refused with ``org_changed``
when the plan is no longer the same (the tree, or the people, changed in between), and the
store refuses it as well if the tree moves between planning and writing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from tidings.actions.admin_gate import AdminGate
from tidings.actions.context import Actor
from tidings.actions.notices import Notices
from tidings.actions.organization import Directory, OrgCache
from tidings.actions.publisher import Publisher
from tidings.auth.password_policy import PasswordPolicy
from tidings.auth.passwords import Passwords
from tidings.domain.accounts import RevokeReason
from tidings.domain.admin import AdminPower
from tidings.domain.clock import now_ms
from tidings.domain.entries import PrivateEntry
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.org_import import (
    EXPORT_COLUMNS,
    IMPORT_OPTIONAL,
    IMPORT_REQUIRED,
    ImportMode,
    KnownPerson,
    OrgPlan,
    PersonChange,
    export_rows,
    plan_import,
)
from tidings.domain.organization import OrgTree
from tidings.domain.tables import TableFormat, read_table, write_table
from tidings.store.accounts import AccountStore, AccountTaken, NewAccount
from tidings.store.organization import OrgStore, TreeChanged

STALE_PLAN = "the organization changed since the preview: preview the file again"


def _known(user: Any) -> KnownPerson:
    return KnownPerson(user.id, user.account, user.nickname, bool(user.disabled))


class OrgImports:
    def __init__(
        self,
        *,
        gate: AdminGate,
        accounts: AccountStore,
        passwords: Passwords,
        policy: PasswordPolicy,
        notices: Notices,
        org: OrgStore,
        org_cache: OrgCache,
        directory: Directory,
        publisher: Publisher,
    ) -> None:
        self._gate = gate
        self._accounts = accounts
        self._passwords = passwords
        self._policy = policy
        self._notices = notices
        self._org = org
        self._org_cache = org_cache
        self._directory = directory
        self._publisher = publisher

    async def plan(self, actor: Actor, data: bytes, fmt: TableFormat, mode: ImportMode) -> OrgPlan:
        """What importing this file would change, on the tree as it is now."""
        rows = read_table(data, fmt, required=IMPORT_REQUIRED, optional=IMPORT_OPTIONAL)
        # Read fresh, not from the cache another node's change may not have reached yet.
        self._org_cache.invalidate()
        tree = await self._org_cache.tree()
        named = sorted({r.cells["account"].lower() for r in rows if r.cells.get("account")})
        people = {a: _known(u) for a, u in (await self._org.users_by_account(named)).items()}
        members = {
            u: _known(user)
            for u, user in (await self._accounts.users(sorted(tree.memberships))).items()
        }
        protected = {actor.user_id, *await self._org.role_holders()}
        return plan_import(
            tree, rows, mode=mode, people=people, members=members, protected=protected
        )

    async def do_import(
        self,
        actor: Actor,
        data: bytes,
        fmt: TableFormat,
        *,
        mode: ImportMode,
        dry_run: bool,
        plan_id: str | None,
    ) -> dict[str, Any]:
        if dry_run:
            await self._gate.require(actor, AdminPower.ORG)
            return {
                "dry_run": True,
                "applied": False,
                **(await self.plan(actor, data, fmt, mode)).to_wire(),
            }
        async with self._gate.act(
            actor, AdminPower.ORG, "org.import", target_type="organization"
        ) as note:
            plan = await self.plan(actor, data, fmt, mode)
            wire = plan.to_wire()
            if plan_id is not None and wire["plan_id"] != plan_id:
                raise TidingsError(ErrorCode.ORG_CHANGED, STALE_PLAN)
            note.details.update(
                {
                    "mode": mode.value,
                    "format": fmt.value,
                    "plan_id": wire["plan_id"],
                    "rows": plan.rows,
                    "rejected": len(plan.rejected),
                    "departments": {k: len(v) for k, v in wire["departments"].items()},
                    "people": {k: len(v) for k, v in wire["people"].items()},
                }
            )
            result: dict[str, Any] = {"dry_run": False, "applied": True, **wire, "passwords": []}
            if not plan.changes:
                return result
            before = await self._org_cache.tree()
            created, passwords = await self._create_people(plan)
            try:
                _, told = await self._org.apply_import(plan, created_people=created, now=now_ms())
            except TreeChanged:
                raise TidingsError(ErrorCode.ORG_CHANGED, STALE_PLAN) from None
            result["passwords"] = passwords
        await self._applied(plan, before, created, told)
        return result

    async def _applied(
        self,
        plan: OrgPlan,
        before: OrgTree,
        created: Mapping[str, int],
        told: Mapping[int, PrivateEntry],
    ) -> None:
        """Tell everyone what a plan changed."""
        touched = await self._tell_people(plan, created, told)
        await self._directory.changed(before, touched)
        self._directory.users_changed()

    async def _tell_people(
        self, plan: OrgPlan, created: Mapping[str, int], told: Mapping[int, PrivateEntry]
    ) -> set[int]:
        """Tell the people (a part of) a plan placed or disabled; who they are."""
        for person in plan.disable_people:
            # Disabled with the tree's change; their sessions end now, on every node, as
            # a freeze ends them (the account is already disabled: no entry of its own).
            for session, reason, entry in await self._accounts.end_sessions(
                person.id, RevokeReason.ACCOUNT_FROZEN, now_ms()
            ):
                await self._publisher.end_session(session.id, reason)
                await self._publisher.private([entry])
        await self._publisher.private(told.values())
        touched = {c.user_id for c in [*plan.update_people, *plan.move_people] if c.user_id}
        touched.update(created.values())
        touched.update(p.id for p in plan.disable_people)
        return touched

    async def apply_in_batches(
        self,
        plan: OrgPlan,
        *,
        new_person: Callable[[PersonChange], NewAccount],
        department_external_ids: Mapping[int, str],
        batch: int,
    ) -> None:
        """Apply a plan in parts, each its own transaction (an app's sync of 100,000
        people): the departments first, then the people ``batch`` at a time (those new
        created in the part's transaction as ``new_person`` says), then those disabled and
        the departments removed. Each part is refused with ``org_changed`` if anyone else
        changed the tree (or took an account it creates) meanwhile; what the parts before it
        did stays, and running the same sync again finishes it."""
        created_departments: dict[int, int] = {}
        version = plan.version
        before = await self._org_cache.tree()
        touched: set[int] = set()
        applied = False

        async def apply(part: OrgPlan, new_people: Mapping[str, NewAccount]) -> None:
            nonlocal version, applied
            created: dict[str, int] = {}
            try:
                version, told = await self._org.apply_import(
                    part,
                    created_people=created,
                    now=now_ms(),
                    department_external_ids=department_external_ids,
                    created_departments=created_departments,
                    new_people=new_people,
                )
            except TreeChanged:
                raise TidingsError(ErrorCode.ORG_CHANGED, STALE_PLAN) from None
            except AccountTaken:
                raise TidingsError(
                    ErrorCode.ORG_CHANGED,
                    "an account or external id of this sync was taken meanwhile: run it again",
                ) from None
            applied = True
            self._org_cache.invalidate()
            touched.update(await self._tell_people(part, created, told))

        def part(**changes: Any) -> OrgPlan:
            return OrgPlan(mode=plan.mode, version=version, paths=plan.paths, **changes)

        try:
            if plan.create_departments or plan.edit_departments:
                await apply(
                    part(
                        create_departments=plan.create_departments,
                        edit_departments=plan.edit_departments,
                    ),
                    {},
                )
            people = [*plan.create_people, *plan.update_people, *plan.move_people]
            for start in range(0, len(people), batch):
                chunk = people[start : start + batch]
                await apply(
                    part(
                        create_people=[c for c in chunk if c.user_id is None],
                        update_people=[c for c in chunk if c.user_id is not None],
                    ),
                    {c.account: new_person(c) for c in chunk if c.user_id is None},
                )
            for start in range(0, len(plan.disable_people), batch):
                await apply(part(disable_people=plan.disable_people[start : start + batch]), {})
            if plan.remove_departments:
                await apply(part(remove_departments=plan.remove_departments), {})
        finally:
            # Everyone is told once, after the last part (or the part refused): the tree is
            # read again once, not once per part.
            if applied:
                await self._directory.changed(before, touched)
                self._directory.users_changed()

    async def _create_people(self, plan: OrgPlan) -> tuple[dict[str, int], list[dict[str, Any]]]:
        """The people the plan creates, each with a one-time password reported once."""
        created: dict[str, int] = {}
        passwords: list[dict[str, Any]] = []
        for change in plan.create_people:
            # At least 12 characters of 64 (72 bits), longer if the policy asks.
            password = secrets.token_urlsafe(max(9, self._policy.min_length))
            password_hash = await self._passwords.hash(password)
            try:
                user, system_id = await self._accounts.create_user(
                    account=change.account,
                    password_hash=password_hash,
                    nickname=change.nickname,
                    now=now_ms(),
                )
            except AccountTaken:
                raise TidingsError(ErrorCode.ORG_CHANGED, STALE_PLAN) from None
            # A one-time password, as a reset gives: changed at the first sign-in.
            await self._accounts.set_password(
                user.id,
                password_hash,
                change_required=True,
                revoke=None,
                keep_session_id=None,
                now=now_ms(),
            )
            created[change.account] = user.id
            passwords.append({"account": change.account, "user_id": user.id, "password": password})
            await self._notices.do_post_notice(
                system_id,
                user.id,
                title="Welcome to Tidings",
                text="Your messages sync to every device you sign in on.",
            )
        return created, passwords

    async def export(self, actor: Actor, fmt: TableFormat) -> bytes:
        """The tree with its people; importing it back changes nothing. Audited: it holds
        everyone's place in the company."""
        async with self._gate.act(
            actor,
            AdminPower.ORG,
            "org.export",
            target_type="organization",
            details={"format": fmt.value},
        ) as note:
            self._org_cache.invalidate()
            tree = await self._org_cache.tree()
            people = {
                u: _known(user)
                for u, user in (await self._accounts.users(sorted(tree.memberships))).items()
            }
            rows = export_rows(tree, people)
            note.details["rows"] = len(rows)
        return write_table(EXPORT_COLUMNS, rows, fmt)
