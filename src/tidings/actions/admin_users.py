"""The back office's users (PRODUCT.md K1): the list, one user's details, creating and
editing accounts, ending a session. Freezing, roles and password resets are
actions/accounts.py's; every change here is one audited admin action (decision 0059).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from tidings.actions.accounts import Accounts
from tidings.actions.admin_gate import AdminGate
from tidings.actions.context import Actor
from tidings.actions.imports import Imports
from tidings.actions.known_devices import KnownDevices
from tidings.actions.notices import Notices
from tidings.actions.organization import Directory, OrgCache
from tidings.actions.publisher import Publisher
from tidings.auth.password_policy import PasswordPolicy
from tidings.auth.passwords import Passwords
from tidings.auth.tokens import new_token
from tidings.domain.accounts import RevokeReason
from tidings.domain.admin import AdminPower, AdminRole
from tidings.domain.admin_users import UserQuery, encode_cursor
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.organization import OrgTree
from tidings.domain.tables import TableFormat
from tidings.store.accounts import AccountStore, AccountTaken
from tidings.store.admin_users import AdminUserStore, ListedUser
from tidings.store.organization import OrgStore, Placement

# The fields of a user's profile the back office edits (the avatar is the user's own).
EDITABLE_FIELDS = ("nickname", "signature", "work_email", "office_phone", "desk", "phone")


@dataclass(frozen=True, slots=True)
class NewUser:
    account: str
    nickname: str
    # None: a one-time password is made, shown once, to be changed at the first sign-in.
    password: str | None
    phone: str = ""
    work_email: str = ""
    # (department id, position)
    departments: tuple[tuple[int, str], ...] = ()


class AdminUsers:
    def __init__(
        self,
        *,
        gate: AdminGate,
        store: AdminUserStore,
        accounts: AccountStore,
        account_actions: Accounts,
        org: OrgStore,
        org_cache: OrgCache,
        directory: Directory,
        known_devices: KnownDevices,
        passwords: Passwords,
        policy: PasswordPolicy,
        notices: Notices,
        publisher: Publisher,
    ) -> None:
        self._gate = gate
        self._store = store
        self._accounts = accounts
        self._account_actions = account_actions
        self._org = org
        self._cache = org_cache
        self._directory = directory
        self._known_devices = known_devices
        self._passwords = passwords
        self._policy = policy
        self._notices = notices
        self._publisher = publisher

    # Reading

    async def list_users(
        self, actor: Actor, query: UserQuery, *, department_id: int | None = None
    ) -> dict[str, Any]:
        """A page of users; ``department_id`` narrows to it and every department below."""
        await self._gate.require(actor, AdminPower.USERS)
        tree = await self._cache.tree()
        if department_id is not None:
            if department_id not in tree.departments:
                raise TidingsError(ErrorCode.NOT_FOUND, "no such department")
            query = _with_departments(query, tree.subtree(department_id, skip_hidden=False))
        found, more = await self._store.page(query)
        out: dict[str, Any] = {
            "users": [self._listed_wire(u, tree) for u in found],
            "next_cursor": (
                encode_cursor(found[-1].sort_key(query.sort), found[-1].id)
                if more and found
                else None
            ),
        }
        if query.after is None:
            # The first page says how many match; later pages need not count again.
            out["total"] = await self._store.count(query)
        return out

    async def details(self, actor: Actor, user_id: int) -> dict[str, Any]:
        """Everything the console shows of one user: the listed fields, profile, departments,
        live sessions and the devices that signed in before."""
        await self._gate.require(actor, AdminPower.USERS)
        listed = await self._store.listed(user_id)
        user = await self._accounts.user(user_id)
        if listed is None or user is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
        tree = await self._cache.tree()
        return {
            **self._listed_wire(listed, tree),
            "signature": user.signature,
            "office_phone": user.office_phone,
            "desk": user.desk,
            "sessions": [
                s.to_wire() for s in await self._accounts.live_sessions(user_id, now_ms())
            ],
            "known_devices": [d.to_wire() for d in await self._known_devices.list(user_id)],
        }

    # Changing

    async def do_create(self, actor: Actor, new: NewUser) -> dict[str, Any]:
        """Create an account as an administrator, whatever the registration setting; with
        no password, a one-time password is returned (once) that must be changed."""
        account = new.account.lower()
        async with self._gate.act(
            actor, AdminPower.USERS, "user.create", target_type="user", details={"account": account}
        ) as note:
            tree = await self._cache.tree()
            _check_departments(tree, [d for d, _ in new.departments])
            one_time = None
            if new.password is None:
                # 16 characters from 64, as a reset's: about 96 bits, never weak.
                one_time = new_token()[:16]
            else:
                await self._policy.enforce(
                    new.password, account=account, other_inputs=(new.nickname,)
                )
            password_hash = await self._passwords.hash(new.password or one_time or "")

            def created(user_id: int) -> None:
                note.target_id = str(user_id)

            try:
                user, system_id = await self._accounts.create_user(
                    account=account,
                    password_hash=password_hash,
                    nickname=new.nickname,
                    now=now_ms(),
                    profile={"phone": new.phone, "work_email": new.work_email},
                    password_change_required=one_time is not None,
                    on_created=created,
                )
            except AccountTaken:
                raise TidingsError(ErrorCode.ACCOUNT_TAKEN, "this account is taken") from None
        await self._notices.do_post_notice(
            system_id,
            user.id,
            title="Welcome to Tidings",
            text="Your messages sync to every device you sign in on.",
        )
        if new.departments:
            await self._place(tree, user.id, dict(new.departments))
        self._directory.users_changed()
        out: dict[str, Any] = {"user": await self.details(actor, user.id)}
        if one_time is not None:
            out["one_time_password"] = one_time
        return out

    async def do_update(
        self,
        actor: Actor,
        user_id: int,
        changes: dict[str, Any],
        departments: dict[int, str] | None,
    ) -> dict[str, Any]:
        """Change profile fields and (when given) the departments the user is in, each
        with a position: departments left out are left."""
        if not changes and departments is None:
            raise TidingsError(ErrorCode.INVALID_INPUT, "nothing to change")
        fields = sorted(changes) + (["departments"] if departments is not None else [])
        async with self._gate.act(
            actor,
            AdminPower.USERS,
            "user.update",
            target_type="user",
            target_id=user_id,
            details={"fields": fields},
        ):
            await self._may_manage(actor, user_id)
            if await self._accounts.user(user_id) is None:
                raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
            tree = await self._cache.tree()
            if departments is not None:
                _check_departments(tree, list(departments))
            if changes:
                _, entry = await self._accounts.update_profile(user_id, changes, now_ms())
                await self._publisher.private([entry])
            if departments is not None:
                await self._place(tree, user_id, departments)
        if "nickname" in changes or "phone" in changes:
            self._directory.users_changed()
        return await self.details(actor, user_id)

    async def do_sign_out_session(self, actor: Actor, user_id: int, session_id: int) -> None:
        """End one of the user's sessions: its connections close on every node."""
        async with self._gate.act(
            actor,
            AdminPower.USERS,
            "user.sign_out_session",
            target_type="user",
            target_id=user_id,
            details={"session_id": session_id},
        ):
            await self._may_manage(actor, user_id)
            # Checked before the write: a write that changes nothing would still carry the
            # audit entry of a sign-out that did not happen.
            live = await self._accounts.live_sessions(user_id, now_ms())
            if session_id not in {
                s.id for s in live
            } or not await self._account_actions.end_session(
                user_id, session_id, RevokeReason.SIGNED_OUT
            ):
                raise TidingsError(ErrorCode.NOT_FOUND, "no such live session of this user")

    async def do_import(
        self, actor: Actor, imports: Imports, data: bytes, fmt: TableFormat
    ) -> dict[str, Any]:
        """Batch create from CSV/XLSX (actions/imports.py): one audit entry for the file,
        written with the first account it creates (or alone when none is)."""
        async with self._gate.act(
            actor, AdminPower.USERS, "user.import", target_type="users", details={"format": fmt}
        ):
            return await imports.do_import_users(actor, data, fmt)

    async def do_import_file(
        self, actor: Actor, imports: Imports, file_id: str, fmt: TableFormat | None
    ) -> dict[str, Any]:
        """The same from a file uploaded first (the WebSocket's ``org.import_users``)."""
        async with self._gate.act(
            actor,
            AdminPower.USERS,
            "user.import",
            target_type="users",
            details={"file_id": file_id},
        ):
            return await imports.do_import_users_file(actor, file_id, fmt)

    # Helpers

    async def _place(self, tree: OrgTree, user_id: int, positions: dict[int, str]) -> None:
        """Make the user's departments exactly ``positions`` (department -> position)."""
        before = {d: tree.members[d][user_id] for d in tree.memberships.get(user_id, ())}
        place = [Placement(d, user_id, p) for d, p in positions.items() if before.get(d) != p]
        unplace = [(d, user_id) for d in before if d not in positions]
        if not place and not unplace:
            return
        _, _, told = await self._org.change(
            place=place,
            unplace=unplace,
            departments_of={user_id: Directory.departments_entry(tree, positions)},
            now=now_ms(),
        )
        await self._publisher.private(told.values())
        await self._directory.changed(tree, {user_id})

    async def _may_manage(self, actor: Actor, user_id: int) -> None:
        """Admin accounts are managed by super admins only, as freezing them is."""
        target = await self._org.admin_role(user_id)
        if target is not None and await self._gate.role(actor.user_id) is not (
            AdminRole.SUPER_ADMIN
        ):
            raise TidingsError(ErrorCode.FORBIDDEN, "only super admins manage admin accounts")

    @staticmethod
    def _listed_wire(user: ListedUser, tree: OrgTree) -> dict[str, Any]:
        return {
            **user.to_wire(),
            "departments": [
                {
                    "id": d,
                    "name": tree.departments[d].name,
                    "path": tree.path(d),
                    "position": tree.members[d][user.id],
                }
                for d in sorted(tree.memberships.get(user.id, ()))
                if d in tree.departments
            ],
        }


def _with_departments(query: UserQuery, department_ids: list[int]) -> UserQuery:
    return replace(query, department_ids=frozenset(department_ids))


def _check_departments(tree: OrgTree, department_ids: list[int]) -> None:
    missing = sorted(d for d in department_ids if d not in tree.departments)
    if missing:
        raise TidingsError(ErrorCode.NOT_FOUND, "no such department", details=missing[:20])
