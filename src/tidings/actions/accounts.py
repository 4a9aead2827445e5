"""Registering, signing in and out, passwords, sessions and profiles (PRODUCT.md A1, A3, A4,
A7, A9)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tidings.actions.admin_gate import AdminGate
from tidings.actions.avatars import check_avatar
from tidings.actions.context import Actor
from tidings.actions.known_devices import KnownDevices
from tidings.actions.moderation import ContentScreen
from tidings.actions.notices import Notices
from tidings.actions.publisher import Publisher
from tidings.actions.session_touches import SessionTouches
from tidings.auth.password_policy import PasswordPolicy
from tidings.auth.passwords import Passwords
from tidings.auth.throttle import SignInThrottle
from tidings.auth.tokens import new_token, token_hash
from tidings.config import Registration, SessionPolicy, Settings
from tidings.domain.accounts import Platform, ProfileUpdate, RevokeReason, Session, User, UserKind
from tidings.domain.admin import AdminPower, AdminRole, AuditNote
from tidings.domain.clock import now_ms
from tidings.domain.entries import PrivateEntry
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.moderation import ReportTarget
from tidings.domain.security import SignInAttempt
from tidings.domain.service import visitor_not_allowed
from tidings.limits import Limits
from tidings.store import audit_context
from tidings.store.accounts import AccountStore, AccountTaken, InviteRefused
from tidings.store.files import FileStore
from tidings.store.organization import OrgStore

if TYPE_CHECKING:
    from tidings.actions.sign_in_steps import SignInSteps


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    session: Session
    token: str
    device_credential: str | None
    # Marks this device as known for this user (actions/known_devices.py).
    device_token: str

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "token": self.token,
            "user": self.user.to_wire(),
            "session_id": self.session.id,
            "device_token": self.device_token,
        }
        if self.device_credential is not None:
            out["device_credential"] = self.device_credential
        out["password_change_required"] = self.user.password_change_required
        return out


class Accounts:
    def __init__(
        self,
        *,
        settings: Settings,
        store: AccountStore,
        passwords: Passwords,
        publisher: Publisher,
        notices: Notices,
        touches: SessionTouches,
        policy: PasswordPolicy,
        org: OrgStore,
        known_devices: KnownDevices,
        limits: Limits,
        sign_in_steps: SignInSteps,
        files: FileStore,
        gate: AdminGate,
        screen: ContentScreen,
    ) -> None:
        self._gate = gate
        self._screen = screen
        self._settings = settings
        self._files = files
        self._policy = policy
        self._org = org
        self._known_devices = known_devices
        self._sign_in_steps = sign_in_steps
        self._touches = touches
        self._store = store
        self._passwords = passwords
        self._publisher = publisher
        self._notices = notices
        self._throttle = SignInThrottle(limits)
        self._limits = limits
        # Told (user id, now) of each sign-in and each use of a session: the dashboard's
        # active users (actions/statistics.py). A listener must not block.
        self.activity_listeners: list[Callable[[int, int], None]] = []

    async def do_register(
        self,
        *,
        account: str,
        password: str,
        nickname: str,
        platform: Platform = Platform.WEB,
        device_name: str = "",
        ip: str = "",
        remember: bool = False,
        invite_code: str | None = None,
    ) -> SignedIn:
        """Someone registers themselves, as ``TIDINGS_REGISTRATION`` allows, and is signed in."""
        if ip:  # the CLI and the demo register from no address
            await self._limits.hit("register_address", ip)
        registration = self._settings.registration
        if registration is Registration.CLOSED:
            raise TidingsError(
                ErrorCode.REGISTRATION_CLOSED, "registration is closed; ask an administrator"
            )
        if registration is Registration.INVITE_ONLY and not invite_code:
            raise invalid_registration_invite("registration needs an invite code")
        nickname, flagged = self._screen.text("nickname", nickname)
        user = await self._create(
            account=account,
            password=password,
            nickname=nickname,
            # Codes are shown in capitals; typed by hand, any case does.
            invite_code=(
                invite_code.strip().upper()
                if invite_code and registration is Registration.INVITE_ONLY
                else None
            ),
        )
        await self._screen.flag(
            ReportTarget.USER, words=flagged, text=nickname, user_id=user.id, where="nickname"
        )
        return await self._open_session(
            user, platform=platform, device_name=device_name, ip=ip, remember=remember
        )

    async def do_create_user(self, *, account: str, password: str, nickname: str) -> User:
        """An account made by an administrator (CLI), whatever the registration setting."""
        return await self._create(account=account, password=password, nickname=nickname)

    async def _create(
        self, *, account: str, password: str, nickname: str, invite_code: str | None = None
    ) -> User:
        account = account.lower()
        await self._policy.enforce(password, account=account, other_inputs=(nickname,))
        return await self._insert_user(
            account=account,
            password_hash=await self._passwords.hash(password),
            nickname=nickname,
            invite_code=invite_code,
        )

    async def do_create_signed_on_user(self, *, account: str, nickname: str) -> User:
        """A user whom a single sign-on provider vouched for and Tidings did not know
        (``TIDINGS_OIDC_CREATE_USERS``). They have no password (none signs in until they
        set one by a reset code). Two first sign-ins at once make one user."""
        try:
            nickname, flagged = self._screen.text("nickname", nickname)
        except TidingsError as error:  # a name the word list blocks: not a reason to refuse
            if error.code is not ErrorCode.CONTENT_BLOCKED:
                raise
            nickname, flagged = account, ()
        try:
            user = await self._insert_user(account=account, password_hash="", nickname=nickname)
        except TidingsError as error:
            existing = await self._store.user_by_account(account)
            if error.code is not ErrorCode.ACCOUNT_TAKEN or existing is None:
                raise
            return existing
        await self._screen.flag(
            ReportTarget.USER, words=flagged, text=nickname, user_id=user.id, where="nickname"
        )
        return user

    async def _insert_user(
        self, *, account: str, password_hash: str, nickname: str, invite_code: str | None = None
    ) -> User:
        try:
            user, system_conversation_id = await self._store.create_user(
                account=account,
                password_hash=password_hash,
                nickname=nickname,
                now=now_ms(),
                invite_code=invite_code,
            )
        except AccountTaken:
            raise TidingsError(ErrorCode.ACCOUNT_TAKEN, "this account is taken") from None
        except InviteRefused:
            raise invalid_registration_invite(
                "this invite code is unknown, expired or used up"
            ) from None
        await self._notices.do_post_notice(
            system_conversation_id,
            user.id,
            title="Welcome to Tidings",
            text="Your messages sync to every device you sign in on.",
        )
        return user

    async def do_login(
        self,
        *,
        account: str,
        password: str,
        platform: Platform = Platform.WEB,
        device_name: str = "",
        ip: str = "",
        remember: bool = False,
        device_token: str | None = None,
        user_agent: str = "",
    ) -> SignedIn:
        account = account.lower()
        # Only a sign-in that names a device needs the account first; a refusal of any other
        # costs no query (an attacker's flood stays cheap).
        found = await self._store.credentials(account) if device_token else None
        known = await self._known_devices.access(found[0].id, device_token) if found else None
        # Reserved before the hash is checked, so concurrent guesses cannot outrun the count.
        attempt = await self._throttle.attempt(
            account=account, ip=ip, known_device_id=known.id if known else None
        )
        if not device_token:
            found = await self._store.credentials(account)
        ok = await self._passwords.verify(found[1] if found else None, password)
        if found is None or not ok:
            await self._sign_in_failed(account, "invalid_credentials", ip, user_agent)
            raise TidingsError(ErrorCode.INVALID_CREDENTIALS, "wrong account or password")
        await self._throttle.succeeded(attempt)
        user, stored_hash = found
        if user.disabled:
            await self._sign_in_failed(account, "account_disabled", ip, user_agent)
            raise TidingsError(ErrorCode.ACCOUNT_DISABLED, "this account is disabled")
        if self._passwords.needs_rehash(stored_hash):
            await self._store.set_password_hash(user.id, await self._passwords.hash(password))
        return await self._sign_in_steps.after_first_factor(
            user, SignInAttempt(platform, device_name, ip, remember, device_token, user_agent)
        )

    async def _sign_in_failed(self, account: str, reason: str, ip: str, user_agent: str) -> None:
        await self._gate.record(
            AuditNote(
                "auth.sign_in_failed",
                target_type="account",
                target_id=account[:128],
                details={"reason": reason},
                ip=ip,
                user_agent=user_agent,
            )
        )

    async def do_device_login(
        self,
        *,
        device_credential: str,
        ip: str = "",
        device_token: str | None = None,
        user_agent: str = "",
    ) -> SignedIn:
        """Auto-login on a trusted device: the credential is spent and a new one issued."""
        # Spent before anything else: eight concurrent uses of one credential sign in once.
        old = await self._store.spend_device_credential(token_hash(device_credential), now_ms())
        if old is None:
            raise TidingsError(ErrorCode.INVALID_TOKEN, "device credential is not valid")
        user = await self._store.user(old.user_id)
        if user is None or user.disabled:
            raise TidingsError(ErrorCode.INVALID_TOKEN, "device credential is not valid")
        return await self._open_session(
            user,
            platform=old.platform,
            device_name=old.device_name,
            ip=ip,
            remember=True,
            replaces_session_id=old.id,
            device_token=device_token,
            user_agent=user_agent,
        )

    async def open_session(self, user: User, attempt: SignInAttempt) -> SignedIn:
        """The session of a sign-in that passed every step (actions/sign_in_steps.py)."""
        return await self._open_session(
            user,
            platform=attempt.platform,
            device_name=attempt.device_name,
            ip=attempt.ip,
            remember=attempt.remember,
            device_token=attempt.device_token,
            user_agent=attempt.user_agent,
        )

    # Passwords

    async def do_change_password(
        self,
        actor: Actor,
        *,
        current_password: str,
        new_password: str,
        sign_out_others: bool = True,
        ip: str = "",
    ) -> int:
        """Change the password, knowing the current one; return how many other sessions
        ended. A wrong current password counts as a failed sign-in of the account."""
        found = await self._store.password_hash(actor.user_id)
        if found is None:
            raise TidingsError(ErrorCode.INVALID_TOKEN, "the session token is not valid")
        user, stored_hash = found
        attempt = await self._throttle.attempt(account=user.account, ip=ip, known_device_id=None)
        if not await self._passwords.verify(stored_hash, current_password):
            raise TidingsError(ErrorCode.INVALID_CREDENTIALS, "the current password is wrong")
        await self._throttle.succeeded(attempt)
        if new_password == current_password:
            await self._policy.enforce(
                new_password, account=user.account, other_inputs=(user.nickname,)
            )
            raise TidingsError(
                ErrorCode.WEAK_PASSWORD,
                "the new password must differ from the current one",
                details={"reasons": ["unchanged"]},
            )
        return await self._set_password(
            user,
            new_password,
            revoke=RevokeReason.PASSWORD_CHANGED if sign_out_others else None,
            keep_session_id=actor.session_id,
        )

    async def check_password_policy(self, password: str, user: User | None) -> None:
        """``weak_password`` unless the policy accepts ``password`` (for ``user`` if known)."""
        if user is None:
            await self._policy.enforce(password, account="", other_inputs=())
        else:
            await self._policy.enforce(
                password, account=user.account, other_inputs=(user.nickname,)
            )

    async def do_set_forgotten_password(self, user_id: int, new_password: str) -> int:
        """A new password for someone who proved who they are another way (a reset by
        code): the policy applies and every session of theirs ends."""
        user = await self._store.user(user_id)
        if user is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
        return await self._set_password(
            user, new_password, revoke=RevokeReason.PASSWORD_RESET, keep_session_id=None
        )

    async def _set_password(
        self,
        user: User,
        new_password: str,
        *,
        revoke: RevokeReason | None,
        keep_session_id: int | None,
    ) -> int:
        await self._policy.enforce(
            new_password, account=user.account, other_inputs=(user.nickname,)
        )
        ended = await self._store.set_password(
            user.id,
            await self._passwords.hash(new_password),
            change_required=False,
            revoke=revoke,
            keep_session_id=keep_session_id,
            now=now_ms(),
        )
        await self._announce_revoked(ended)
        return len(ended)

    async def do_reset_password(self, actor: Actor | None, user_id: int) -> str:
        """An admin (or the CLI, ``actor`` None) gives a user a one-time password: every
        session of theirs ends, and signing in with it allows only changing it."""
        # 16 characters from 64: about 96 bits, never weak, nothing to check.
        one_time = new_token()[:16]
        async with self._gate.act(
            actor, AdminPower.USERS, "user.reset_password", target_type="user", target_id=user_id
        ):
            await self._may_manage(actor, user_id)
            ended = await self._store.set_password(
                user_id,
                await self._passwords.hash(one_time),
                change_required=True,
                revoke=RevokeReason.PASSWORD_RESET,
                keep_session_id=None,
                now=now_ms(),
            )
        await self._announce_revoked(ended)
        return one_time

    # Server administration (PRODUCT.md A9, K1)

    async def do_freeze(
        self, actor: Actor | None, user_id: int, reason: str = "", *, app: AuditNote | None = None
    ) -> int:
        """Freeze an account: every session of it ends at once on every node, signing in is
        refused with ``account_disabled``; its messages stay. The sessions ended. ``app``:
        an app does it (actor None), and this is its audit entry, written with the change."""
        if actor is not None and actor.user_id == user_id:
            raise TidingsError(ErrorCode.FORBIDDEN, "you cannot freeze your own account")
        async with self._gate.act(
            actor,
            AdminPower.USERS,
            "user.freeze",
            target_type="user",
            target_id=user_id,
            details={"reason": reason} if reason else None,
            entry=app,
        ):
            await self._may_manage(actor, user_id)
            ended = await self._store.set_disabled(user_id, True, now_ms())
        await self._announce_revoked(ended)
        return len(ended)

    async def do_unfreeze(
        self, actor: Actor | None, user_id: int, *, app: AuditNote | None = None
    ) -> None:
        async with self._gate.act(
            actor,
            AdminPower.USERS,
            "user.unfreeze",
            target_type="user",
            target_id=user_id,
            entry=app,
        ):
            await self._may_manage(actor, user_id)
            await self._store.set_disabled(user_id, False, now_ms())

    async def do_set_admin_role(
        self, actor: Actor | None, user_id: int, role: AdminRole | None
    ) -> AdminRole | None:
        """Give or take a server admin role; the former role."""
        if actor is not None and actor.user_id == user_id:
            raise TidingsError(ErrorCode.FORBIDDEN, "you cannot change your own admin role")
        if await self._store.user(user_id) is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
        former = await self._org.admin_role(user_id)
        async with self._gate.act(
            actor,
            AdminPower.ROLES,
            "user.role",
            target_type="user",
            target_id=user_id,
            details={"from": former, "to": role},
        ):
            await self._org.set_admin_role(role, user_id=user_id)
        return former

    async def _may_manage(self, actor: Actor | None, user_id: int) -> None:
        """The user exists (users are never deleted: this holds through the change), and an
        admin account is managed by super admins only (an org admin cannot freeze or reset
        the password of the admin above them)."""
        if await self._store.user(user_id) is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
        if actor is None:
            return
        target_role = await self._org.admin_role(user_id)
        if target_role is not None and await self._gate.role(actor.user_id) is not (
            AdminRole.SUPER_ADMIN
        ):
            raise TidingsError(ErrorCode.FORBIDDEN, "only super admins manage admin accounts")

    async def user_by_account(self, account: str) -> User:
        user = await self._store.user_by_account(account.lower())
        if user is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
        return user

    async def access_session(
        self,
        token: str,
        *,
        password_change_required_allowed: bool = False,
        visitor_allowed: bool = False,
    ) -> tuple[User, Session]:
        """The live session behind a bearer token, or ``invalid_token``; a user who must
        change their password gets ``password_change_required`` unless allowed; a
        customer-service visitor ``visitor_not_allowed`` unless allowed (only the gateway
        allows one, and then only its few ops: decision 0066)."""
        session = await self._store.session_by_token(token_hash(token))
        now = now_ms()
        if session is None or session.revoked_at is not None or session.expires_at <= now:
            raise TidingsError(ErrorCode.INVALID_TOKEN, "the session token is not valid")
        user = await self._store.user(session.user_id)
        if user is None or user.disabled:
            raise TidingsError(ErrorCode.INVALID_TOKEN, "the session token is not valid")
        if user.password_change_required and not password_change_required_allowed:
            raise password_change_required()
        if user.kind is UserKind.VISITOR and not visitor_allowed:
            raise visitor_not_allowed()
        if user.kind is not UserKind.VISITOR:  # visitors are not staff (0066)
            for listener in self.activity_listeners:
                listener(user.id, now)
        # For "list my sessions", not security; written in batches (SessionTouches).
        if now - session.last_seen_at > self._settings.session_touch_seconds * 1000:
            self._touches.touch(session.id, now)
        return user, session

    async def do_logout(self, actor: Actor) -> None:
        """End this session; its other connections close (the calling one closes itself)."""
        await self._revoke(
            actor.user_id, actor.session_id, RevokeReason.LOGGED_OUT, spare=actor.connection_id
        )

    async def do_sign_out_session(self, actor: Actor, session_id: int) -> None:
        """Sign out another of the user's own sessions; its live connections close."""
        if not await self._revoke(actor.user_id, session_id, RevokeReason.SIGNED_OUT):
            raise TidingsError(ErrorCode.NOT_FOUND, "no such live session")

    async def end_session(self, user_id: int, session_id: int, reason: RevokeReason) -> bool:
        """End a live session of ``user_id`` (an admin's sign-out): False if there is none."""
        return await self._revoke(user_id, session_id, reason)

    async def sessions(self, actor: Actor) -> list[dict[str, Any]]:
        return [
            s.to_wire(current_session_id=actor.session_id)
            for s in await self._store.live_sessions(actor.user_id, now_ms())
        ]

    async def profile(self, user_id: int) -> User:
        user = await self._store.user(user_id)
        if user is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
        return user

    async def do_update_profile(self, actor: Actor, update: ProfileUpdate) -> User:
        changes = update.model_dump(exclude_none=True)
        if not changes:
            return await self.profile(actor.user_id)
        if "avatar" in changes:
            await check_avatar(self._files, actor, changes["avatar"])
        flagged: tuple[str, ...] = ()
        if "nickname" in changes:
            changes["nickname"], flagged = self._screen.text("nickname", changes["nickname"])
        user, entry = await self._store.update_profile(actor.user_id, changes, now_ms())
        await self._publisher.private([entry])
        await self._screen.flag(
            ReportTarget.USER, words=flagged, text=user.nickname, user_id=user.id, where="nickname"
        )
        return user

    async def _open_session(
        self,
        user: User,
        *,
        platform: Platform,
        device_name: str,
        ip: str,
        remember: bool,
        replaces_session_id: int | None = None,
        device_token: str | None = None,
        user_agent: str = "",
    ) -> SignedIn:
        """Open a session for a user who proved who they are; the device becomes (or
        stays, if ``device_token`` is this user's) one of their known devices."""
        now = now_ms()
        token = new_token()
        credential = new_token() if remember else None
        signed_in = AuditNote(
            "auth.sign_in",
            actor_id=user.id,
            target_type="user",
            target_id=str(user.id),
            details={"platform": platform.value, "device_name": device_name[:100]},
            ip=ip,
            user_agent=user_agent,
        )
        with audit_context.pending(signed_in):
            session, displaced = await self._store.create_session(
                user_id=user.id,
                token_hash=token_hash(token),
                device_credential_hash=token_hash(credential) if credential else None,
                device_credential_expires_at=(
                    now + self._settings.device_credential_ttl_seconds * 1000
                    if credential
                    else None
                ),
                platform=platform,
                device_name=device_name[:100],
                ip=ip[:64],
                now=now,
                expires_at=now + self._settings.session_ttl_seconds * 1000,
                revoke_same_platform=(
                    self._settings.session_policy is SessionPolicy.ONE_PER_PLATFORM
                    and platform is not Platform.API
                ),
                replaces_session_id=replaces_session_id,
            )
        await self._announce_revoked(displaced)
        if user.kind is not UserKind.VISITOR:  # visitors are not staff (0066)
            for listener in self.activity_listeners:
                listener(user.id, now)
        known = await self._known_devices.remember(
            user.id, device_token=device_token, platform=platform, device_name=device_name, ip=ip
        )
        return SignedIn(user, session, token, credential, known)

    async def _revoke(
        self, user_id: int, session_id: int, reason: RevokeReason, spare: str | None = None
    ) -> bool:
        revoked = await self._store.revoke_session(user_id, session_id, reason, now_ms())
        if revoked is None:
            return False
        await self._announce_revoked([revoked], spare=spare)
        return True

    async def _announce_revoked(
        self,
        revoked: list[tuple[Session, RevokeReason, PrivateEntry]],
        spare: str | None = None,
    ) -> None:
        for session, reason, entry in revoked:
            await self._publisher.end_session(session.id, reason, spare=spare)
            await self._publisher.private([entry])


def password_change_required() -> TidingsError:
    return TidingsError(
        ErrorCode.PASSWORD_CHANGE_REQUIRED,
        "an administrator reset this password: change it first (POST /me/password)",
    )


def invalid_registration_invite(message: str) -> TidingsError:
    # 403 as registration_closed (a group's invalid_invite is 404: that link names a thing).
    return TidingsError(ErrorCode.INVALID_INVITE, message, status=403)
