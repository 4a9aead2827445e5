"""What an app does through /api/v1/app/ (issue 14, decision 0067): its users (by the host's
external ids), its sync of people and departments, messages as a user, as its bot or as the
system, direct chats and groups for users, and presence. Each method takes the AppCaller
whose token allowed it (the API checked the scope); what it does goes through the same
actions people's requests go through (sending, moderation, groups, the org import's plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidings.actions.accounts import Accounts
from tidings.actions.admin_gate import AdminGate, note_of
from tidings.actions.apps import NO_PASSWORD, Apps
from tidings.actions.context import Actor
from tidings.actions.conversations import Conversations
from tidings.actions.groups import Groups
from tidings.actions.messages import Messages
from tidings.actions.notices import Notices
from tidings.actions.org_import import OrgImports
from tidings.actions.organization import Directory, OrgCache
from tidings.actions.publisher import Publisher
from tidings.auth.password_policy import PasswordPolicy
from tidings.auth.passwords import Passwords
from tidings.bus.presence import PresenceRegistry
from tidings.domain.accounts import Session, User, UserKind
from tidings.domain.app_sync import (
    APPLY_BATCH,
    OwnedUser,
    SyncDepartment,
    SyncUser,
    sync_rows,
)
from tidings.domain.apps import AppCaller
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.org_import import ImportMode, KnownPerson, PersonChange, plan_import
from tidings.store import audit_context
from tidings.store.accounts import AccountStore, AccountTaken, NewAccount
from tidings.store.app_notices import AppNoticeStore
from tidings.store.external_ids import ExternalIdStore
from tidings.store.organization import OrgStore

# Users per presence query (a host's page of people, a department).
MAX_PRESENCE = 1000
# The fields of a user an app sets besides the nickname.
PROFILE_FIELDS = ("work_email", "office_phone", "desk", "phone", "signature")


@dataclass(frozen=True, slots=True)
class UserRef:
    """A user as an app names one: a Tidings id or the host's external id."""

    id: int | None = None
    external_id: str | None = None

    def __str__(self) -> str:
        return f"ext:{self.external_id}" if self.external_id is not None else str(self.id)


def app_user_wire(user: User) -> dict[str, Any]:
    return {**user.to_wire(), "external_id": user.external_id, "disabled": user.disabled}


class AppApi:
    def __init__(
        self,
        *,
        apps: Apps,
        gate: AdminGate,
        accounts: AccountStore,
        account_actions: Accounts,
        external_ids: ExternalIdStore,
        passwords: Passwords,
        policy: PasswordPolicy,
        org: OrgStore,
        org_cache: OrgCache,
        org_imports: OrgImports,
        directory: Directory,
        conversations: Conversations,
        groups: Groups,
        messages: Messages,
        notices: Notices,
        app_notices: AppNoticeStore,
        presence: PresenceRegistry,
        publisher: Publisher,
    ) -> None:
        self._publisher = publisher
        self._apps = apps
        self._gate = gate
        self._accounts = accounts
        self._account_actions = account_actions
        self._external_ids = external_ids
        self._passwords = passwords
        self._policy = policy
        self._org = org
        self._org_cache = org_cache
        self._org_imports = org_imports
        self._directory = directory
        self._conversations = conversations
        self._groups = groups
        self._messages = messages
        self._notices = notices
        self._app_notices = app_notices
        self._presence = presence

    # ---- users ------------------------------------------------------------------------------

    async def user(self, ref: UserRef) -> User:
        """The user a reference names; ``not_found`` (saying which) otherwise."""
        return (await self.users([ref]))[0]

    async def users(self, refs: list[UserRef]) -> list[User]:
        by_id = await self._accounts.users(sorted({r.id for r in refs if r.id is not None}))
        by_ext = await self._external_ids.users(
            [r.external_id for r in refs if r.external_id is not None]
        )
        out: list[User] = []
        missing: list[str] = []
        for ref in refs:
            found = by_id.get(ref.id) if ref.id is not None else by_ext.get(ref.external_id or "")
            if found is None:
                missing.append(str(ref))
            else:
                out.append(found)
        if missing:
            raise TidingsError(
                ErrorCode.NOT_FOUND,
                f"no such user: {', '.join(missing[:5])}",
                details={"users": missing[:20]},
            )
        return out

    async def do_create_user(
        self,
        app: AppCaller,
        *,
        external_id: str,
        account: str,
        nickname: str,
        password: str | None,
        profile: dict[str, str],
    ) -> User:
        """A user the host knows as ``external_id``; with no password, one nobody knows
        (they sign in by the app's one-time tickets)."""
        account = account.lower()
        if (await self._external_ids.users([external_id])).get(external_id) is not None:
            raise _external_id_taken()
        if password is not None:
            await self._policy.enforce(password, account=account, other_inputs=(nickname,))
            password_hash = await self._passwords.hash(password)
        else:
            password_hash = NO_PASSWORD
        note = note_of(
            self._apps.actor_of(app),
            "app.user.create",
            target_type="user",
            details={"app": app.client_id, "account": account, "external_id": external_id},
        )
        try:
            with audit_context.pending(note):
                user, system_id = await self._accounts.create_user(
                    account=account,
                    password_hash=password_hash,
                    nickname=nickname,
                    now=now_ms(),
                    profile={**profile, "external_id": external_id},
                )
        except AccountTaken:
            # The account, or (a concurrent request) the external id.
            taken = await self._external_ids.users([external_id])
            if taken.get(external_id) is not None:
                raise _external_id_taken() from None
            raise TidingsError(ErrorCode.ACCOUNT_TAKEN, "this account is taken") from None
        await self._notices.do_post_notice(
            system_id,
            user.id,
            title="Welcome to Tidings",
            text="Your messages sync to every device you sign in on.",
        )
        self._directory.users_changed()
        return user

    async def do_update_user(self, app: AppCaller, ref: UserRef, changes: dict[str, Any]) -> User:
        """Change a user's nickname and profile, or give a user the host's external id."""
        user = await self.user(ref)
        if user.kind is UserKind.BOT:
            raise TidingsError(ErrorCode.FORBIDDEN, "an app's bot is changed with its app")
        if not changes:
            raise TidingsError(ErrorCode.INVALID_INPUT, "nothing to change")
        external_id = changes.get("external_id")
        if (
            external_id is not None
            and external_id != user.external_id
            and (await self._external_ids.users([external_id])).get(external_id) is not None
        ):
            raise _external_id_taken()
        note = note_of(
            self._apps.actor_of(app),
            "app.user.update",
            target_type="user",
            target_id=user.id,
            details={"app": app.client_id, "fields": sorted(changes)},
        )
        # (Two apps giving one external id at once: the unique index refuses the second.)
        with audit_context.pending(note):
            updated, entry = await self._accounts.update_profile(user.id, changes, now_ms())
        await self._publisher.private([entry])
        self._directory.users_changed()
        return updated

    async def do_set_disabled(self, app: AppCaller, ref: UserRef, disabled: bool) -> User:
        """Disable (every session ends at once, as a freeze) or enable a user the app owns
        (one with an external id, no server admin: a sync leaves them alone too). The audit
        entry (``app.user.disable`` / ``.enable``) commits with the change."""
        user = await self.user(ref)
        if user.external_id is None or user.kind is not UserKind.PERSON:
            raise TidingsError(
                ErrorCode.FORBIDDEN, "an app disables only users with an external id"
            )
        if await self._org.admin_role(user.id) is not None:
            raise TidingsError(ErrorCode.FORBIDDEN, "an app does not disable server admins")
        entry = note_of(
            self._apps.actor_of(app),
            "app.user.disable" if disabled else "app.user.enable",
            target_type="user",
            target_id=user.id,
            details={"app": app.client_id, "external_id": user.external_id},
        )
        if disabled:
            await self._account_actions.do_freeze(None, user.id, app=entry)
        else:
            await self._account_actions.do_unfreeze(None, user.id, app=entry)
        self._directory.users_changed()
        return await self.user(UserRef(id=user.id))

    # ---- sync ---------------------------------------------------------------------------

    async def do_sync(
        self,
        app: AppCaller,
        departments: list[SyncDepartment],
        people: list[SyncUser],
        *,
        mode: ImportMode,
        dry_run: bool,
    ) -> dict[str, Any]:
        """Bring the app's departments and people to what the host states (module
        domain/app_sync.py); the plan and a report per department and user."""
        self._org_cache.invalidate()
        tree = await self._org_cache.tree()
        owned = await self._external_ids.departments()
        # Each user read once: the people named (by external id) and those in the tree.
        named_users = await self._external_ids.users([p.external_id for p in people])
        known = {ext: OwnedUser(u.id, u.account, u.external_id) for ext, u in named_users.items()}
        wanted_accounts = sorted(
            {(p.account or p.external_id).lower() for p in people if p.external_id not in known}
        )
        taken = {
            a: OwnedUser(u.id, u.account, u.external_id)
            for a, u in (await self._org.users_by_account(wanted_accounts)).items()
        }
        stated = sync_rows(
            departments,
            people,
            tree=tree,
            owned_departments=owned,
            known_people=known,
            accounts_taken=taken,
            keep_unowned=mode is ImportMode.SYNC,
        )
        named = {
            u.account.lower(): KnownPerson(u.id, u.account, u.nickname, u.disabled)
            for u in named_users.values()
        }
        by_id = {u.id: u for u in named_users.values()}
        in_tree = await self._accounts.users(
            [u for u in sorted(tree.memberships) if u not in by_id]
        )
        in_tree.update((u, by_id[u]) for u in tree.memberships if u in by_id)
        members = {
            u: KnownPerson(user.id, user.account, user.nickname, user.disabled)
            for u, user in in_tree.items()
        }
        # Sync mode disables only the app's people: everyone else in the tree is protected.
        protected = {
            u
            for u, user in in_tree.items()
            if user.external_id is None or user.kind is not UserKind.PERSON
        }
        protected.update(await self._org.role_holders())
        plan = plan_import(
            tree, stated.rows, mode=mode, people=named, members=members, protected=protected
        )
        report = _report(stated, plan)
        wire = plan.to_wire()
        result: dict[str, Any] = {
            "dry_run": dry_run,
            "applied": False,
            "report": report,
            "plan": wire,
        }
        if dry_run or not plan.changes:
            result["applied"] = not dry_run
            return result
        keys = {
            d.key: stated.new_department_ids[d.path]
            for d in plan.create_departments
            if d.path in stated.new_department_ids
        }

        def new_person(change: PersonChange) -> NewAccount:
            # No password (no argon2 cost either): they sign in by tickets.
            return NewAccount(
                account=change.account,
                password_hash=NO_PASSWORD,
                nickname=change.nickname,
                profile={"external_id": stated.accounts[change.account]},
            )

        entry = note_of(
            self._apps.actor_of(app),
            "app.sync",
            target_type="organization",
            details={
                "app": app.client_id,
                "mode": mode.value,
                "plan_id": wire["plan_id"],
                "changes": plan.changes,
                "rejected": len(report["rejected"]),
            },
        )
        # The entry commits with the sync's first part: a sync that changed anything has
        # it, even one cut short (by org_changed, or a crash) after that part.
        with audit_context.pending(entry):
            await self._org_imports.apply_in_batches(
                plan, new_person=new_person, department_external_ids=keys, batch=APPLY_BATCH
            )
        result["applied"] = True
        return result

    # ---- messages -------------------------------------------------------------------------

    async def do_send(
        self,
        app: AppCaller,
        *,
        sender: UserRef | None,
        conversation_id: int | None,
        to: UserRef | None,
        client_msg_id: str,
        type: str,
        body: object,
    ) -> dict[str, Any]:
        """Send as a user (``sender``) or as the app's bot (None) into a conversation the
        sender is in, or into the direct chat with ``to``. The app's client_msg_id keys the
        send: a retry returns the first message."""
        if (conversation_id is None) == (to is None):
            raise TidingsError(ErrorCode.INVALID_INPUT, "give conversation_id or to, not both")
        if sender is None:
            actor = self._apps.actor_of(app)
        else:
            user = await self.user(sender)
            if user.disabled:
                raise TidingsError(ErrorCode.ACCOUNT_DISABLED, "this user is disabled")
            actor = Actor(user.id, session_id=0, ip=app.ip, user_agent=app.user_agent)
        if to is not None:
            peer = await self.user(to)
            if peer.disabled:
                raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
            conversation_id = await self._conversations.do_open_direct_for_app(
                actor.user_id, peer.id
            )
        assert conversation_id is not None
        entry = await self._messages.do_send(
            actor,
            conversation_id=conversation_id,
            # A user's own devices pick their own ids: the app's are kept apart from them.
            client_msg_id=f"app{app.app_id}:{client_msg_id}"[:64],
            type=type,
            body=body,
        )
        return entry.to_wire()

    async def do_send_notice(
        self,
        app: AppCaller,
        *,
        user: UserRef,
        client_msg_id: str,
        title: str,
        text: str,
        url: str | None,
    ) -> dict[str, Any]:
        """A system notice into the user's system conversation, with a click-through link."""
        target = await self.user(user)
        if target.disabled:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
        system_id = await self._accounts.system_conversation_id(target.id)
        if system_id is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
        sent = await self._app_notices.reserve(app.app_id, client_msg_id, target.id, now_ms())
        if sent is not None:
            if sent.user_id != target.id:
                raise TidingsError(
                    ErrorCode.CONFLICT, "this client_msg_id was used for another user"
                )
            if sent.seq is None:
                raise TidingsError(ErrorCode.CONFLICT, "this notice is being sent: retry soon")
            return {"conversation_id": sent.conversation_id, "seq": sent.seq, "created": False}
        try:
            entry = await self._notices.do_post_notice(
                system_id, target.id, title=title, text=text, url=url
            )
        except BaseException:
            await self._app_notices.release(app.app_id, client_msg_id)
            raise
        await self._app_notices.posted(app.app_id, client_msg_id, entry.conversation_id, entry.seq)
        return {"conversation_id": entry.conversation_id, "seq": entry.seq, "created": True}

    # ---- conversations --------------------------------------------------------------------

    async def do_open_direct(self, user: UserRef, peer: UserRef) -> dict[str, Any]:
        a, b = await self.users([user, peer])
        if a.disabled or b.disabled:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
        return {"conversation_id": await self._conversations.do_open_direct_for_app(a.id, b.id)}

    async def do_open_bot_direct(self, app: AppCaller, user: UserRef) -> dict[str, Any]:
        peer = await self.user(user)
        if peer.disabled:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
        conversation_id = await self._conversations.do_open_direct_for_app(app.bot_user_id, peer.id)
        return {"conversation_id": conversation_id}

    async def do_create_group(
        self, owner: UserRef, name: str, members: list[UserRef]
    ) -> dict[str, Any]:
        found = await self.users([owner, *members])
        if any(u.disabled for u in found):
            raise TidingsError(ErrorCode.NOT_FOUND, "some of these users are disabled")
        conversation_id = await self._conversations.do_create_group_for_app(
            Actor(found[0].id, session_id=0), name, [u.id for u in found[1:]]
        )
        return {"conversation_id": conversation_id}

    async def do_add_members(
        self, app: AppCaller, conversation_id: int, members: list[UserRef], *, bot: bool
    ) -> dict[str, Any]:
        ids = [u.id for u in await self.users(members) if not u.disabled]
        if bot:
            ids.append(app.bot_user_id)
        if not ids:
            raise TidingsError(ErrorCode.INVALID_INPUT, "name someone to add")
        return await self._conversations.do_add_for_app(conversation_id, ids)

    async def do_remove_member(
        self, app: AppCaller, conversation_id: int, member: UserRef | None
    ) -> dict[str, Any]:
        """Take a user (or, with None, the app's bot) out of a group, as its owner."""
        owner = await self._conversations.group_owner(conversation_id)
        user_id = app.bot_user_id if member is None else (await self.user(member)).id
        if user_id == owner.user_id:
            raise TidingsError(ErrorCode.INVALID_INPUT, "the owner cannot be removed")
        return await self._groups.do_remove(owner, conversation_id, user_id, blacklist=False)

    # ---- presence -------------------------------------------------------------------------

    async def presence(self, refs: list[UserRef]) -> list[dict[str, Any]]:
        if len(refs) > MAX_PRESENCE:
            raise TidingsError(
                ErrorCode.TOO_MANY_USERS,
                f"ask about at most {MAX_PRESENCE} users at a time",
                details={"max": MAX_PRESENCE},
            )
        found = await self.users(refs)
        ids = sorted({u.id for u in found})
        online = await self._presence.online(ids)
        connected = await self._presence.online_sessions(ids)
        signed_in = await self._accounts.live_sessions_of(ids, now_ms())
        return [
            {
                "user_id": u.id,
                "external_id": u.external_id,
                "status": "online" if online.get(u.id) else "offline",
                "devices": [
                    device_wire(s, online=s.id in connected.get(u.id, ()))
                    for s in signed_in.get(u.id, [])
                ],
            }
            for u in found
        ]


def device_wire(session: Session, *, online: bool) -> dict[str, Any]:
    """A device a user is signed in on, as presence shows it to an app."""
    return {
        "platform": session.platform.value,
        "device_name": session.device_name,
        "online": online,
        "last_seen_at": session.last_seen_at,
    }


def _external_id_taken() -> TidingsError:
    return TidingsError(ErrorCode.EXTERNAL_ID_TAKEN, "another user has this external id")


def _report(stated: Any, plan: Any) -> dict[str, Any]:
    """Per department and user: what the sync did to it (or why it did nothing)."""
    by_account: dict[str, str] = stated.accounts
    rejected = list(stated.rejected)
    for row in plan.rejected:
        kind, external_id = stated.origin.get(row["row"], ("", ""))
        if kind in ("department", "user"):
            rejected.append({"kind": kind, "external_id": external_id, "reason": row["reason"]})
    created = [by_account.get(c.account, "") for c in plan.create_people]
    updated = [by_account.get(c.account, "") for c in [*plan.update_people, *plan.move_people]]
    return {
        "users": {
            "created": created,
            "updated": [u for u in updated if u],
            "disabled": [p.account for p in plan.disable_people],
        },
        "departments": {
            "created": [
                stated.new_department_ids.get(d.path, d.path) for d in plan.create_departments
            ],
            "changed": [e.new_path for e in plan.edit_departments],
            "removed": [p for _, p in plan.remove_departments],
            "kept": [{"path": p, "reason": r} for _, p, r in plan.kept_departments],
        },
        "rejected": rejected,
    }
