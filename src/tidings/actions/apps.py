"""Apps (issue 14, J1; decision 0065): registered by an administrator, trading their
credentials for bearer tokens (the OAuth 2.0 client-credentials grant), each call to
/api/v1/app/ checked for a live token, the scope it needs and the app's rate."""

from __future__ import annotations

import secrets

from tidings.actions.admin_gate import AdminGate
from tidings.actions.context import Actor
from tidings.auth.tokens import new_token, token_hash
from tidings.domain.accounts import UserKind
from tidings.domain.admin import AdminPower
from tidings.domain.apps import (
    CLIENT_ID_PREFIX,
    SECRET_PREFIX,
    TOKEN_TTL_SECONDS,
    App,
    AppCaller,
    AppScope,
    AppStatus,
    check_name,
    parse_scopes,
    scope_text,
)
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.limits import Limits
from tidings.store.accounts import AccountStore
from tidings.store.apps import AppStore

# A bot cannot sign in: this is no argon2 hash, so no password ever matches it.
NO_PASSWORD = "!"  # noqa: S105 (not a password: a hash no password matches)


class Grant:
    """A token handed to an app (RFC 6749 section 5.1)."""

    def __init__(self, access_token: str, scopes: frozenset[AppScope], expires_in: int) -> None:
        self.access_token = access_token
        self.scopes = scopes
        self.expires_in = expires_in

    def to_wire(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": scope_text(self.scopes),
        }


class GrantRefused(Exception):
    """An OAuth 2.0 error of the token endpoint (RFC 6749 section 5.2)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class Apps:
    def __init__(
        self,
        *,
        store: AppStore,
        accounts: AccountStore,
        gate: AdminGate,
        limits: Limits,
        token_ttl_seconds: int = TOKEN_TTL_SECONDS,
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._gate = gate
        self._limits = limits
        self._token_ttl = token_ttl_seconds

    # ---- the console and the command line (actor None) ------------------------------------

    async def register(
        self,
        actor: Actor | None,
        *,
        name: str,
        scopes: frozenset[AppScope],
        description: str = "",
    ) -> tuple[App, str]:
        """A new app, its bot account and its secret (shown this once)."""
        name = check_name(name)
        client_id = f"{CLIENT_ID_PREFIX}{secrets.token_hex(8)}"
        secret = f"{SECRET_PREFIX}{new_token()}"
        async with self._gate.act(
            actor,
            AdminPower.APPS,
            "app.register",
            target_type="app",
            target_id=client_id,
            details={"name": name, "scopes": scope_text(scopes)},
        ):
            now = now_ms()
            bot, _ = await self._accounts.create_user(
                account=f"app.{client_id}",
                password_hash=NO_PASSWORD,
                nickname=name,
                now=now,
                profile={"kind": UserKind.BOT.value},
            )
            app = await self._store.create(
                name=name,
                description=description.strip(),
                client_id=client_id,
                secret_hash=token_hash(secret),
                scopes=scopes,
                bot_user_id=bot.id,
                created_by=actor.user_id if actor else None,
                now=now,
            )
        return app, secret

    async def list_apps(self, actor: Actor) -> list[App]:
        await self._gate.require(actor, AdminPower.APPS)
        return await self._store.all()

    async def list_all(self) -> list[App]:
        """Every app, for the command line (which holds every power)."""
        return await self._store.all()

    async def get(self, actor: Actor, app_id: int) -> App:
        await self._gate.require(actor, AdminPower.APPS)
        return await self._found(app_id)

    async def update(
        self,
        actor: Actor | None,
        app_id: int,
        *,
        name: str | None = None,
        description: str | None = None,
        scopes: frozenset[AppScope] | None = None,
    ) -> App:
        if actor is not None:
            await self._gate.require(actor, AdminPower.APPS)
        app = await self._found(app_id)
        new_name = check_name(name) if name is not None else app.name
        new_scopes = scopes if scopes is not None else app.scopes
        async with self._gate.act(
            actor,
            AdminPower.APPS,
            "app.update",
            target_type="app",
            target_id=app.client_id,
            details={"name": new_name, "scopes": scope_text(new_scopes)},
        ):
            updated = await self._store.update(
                app_id,
                name=new_name,
                description=description.strip() if description is not None else app.description,
                scopes=new_scopes,
            )
            if new_name != app.name:
                await self._accounts.update_profile(
                    app.bot_user_id, {"nickname": new_name}, now_ms()
                )
        if updated is None:
            raise _no_app()
        return updated

    async def rotate_secret(self, actor: Actor | None, app_id: int) -> tuple[App, str]:
        """A new secret (shown this once); the old one and its tokens stop at once."""
        if actor is not None:
            await self._gate.require(actor, AdminPower.APPS)
        app = await self._found(app_id)
        secret = f"{SECRET_PREFIX}{new_token()}"
        async with self._gate.act(
            actor, AdminPower.APPS, "app.rotate_secret", target_type="app", target_id=app.client_id
        ):
            rotated = await self._store.rotate_secret(app_id, token_hash(secret), now_ms())
            if rotated is None:
                raise TidingsError(ErrorCode.CONFLICT, "a revoked app gets no new secret")
        return rotated, secret

    async def revoke(self, actor: Actor | None, app_id: int) -> App:
        if actor is not None:
            await self._gate.require(actor, AdminPower.APPS)
        app = await self._found(app_id)
        async with self._gate.act(
            actor, AdminPower.APPS, "app.revoke", target_type="app", target_id=app.client_id
        ):
            revoked = await self._store.revoke(app_id)
        if revoked is None:
            raise _no_app()
        return revoked

    async def _found(self, app_id: int) -> App:
        app = await self._store.get(app_id)
        if app is None:
            raise _no_app()
        return app

    # ---- the token endpoint and every app call -------------------------------------------

    async def _client(self, client_id: str, client_secret: str) -> App:
        """The active app these credentials are of (counted against the token endpoints'
        rate per client id), or ``GrantRefused``."""
        try:
            await self._limits.hit("app_token", client_id[:64])
        except TidingsError as error:
            raise GrantRefused("slow_down", error.message, status=429) from error
        found = await self._store.credentials(client_id)
        # Compared in constant time; an unknown client costs the same as a wrong secret.
        expected = found[1] if found else token_hash(SECRET_PREFIX)
        if not secrets.compare_digest(token_hash(client_secret), expected) or found is None:
            raise GrantRefused("invalid_client", "unknown client or wrong secret", status=401)
        app = found[0]
        if app.status is not AppStatus.ACTIVE:
            raise GrantRefused("invalid_client", "this app was revoked", status=401)
        return app

    async def grant(self, client_id: str, client_secret: str, scope: str | None) -> Grant:
        """The client-credentials grant: a token for the scopes asked (all the app's when
        none are), or ``GrantRefused`` with RFC 6749's error."""
        app = await self._client(client_id, client_secret)
        try:
            asked = parse_scopes(scope) if scope else app.scopes
        except TidingsError as error:
            raise GrantRefused("invalid_scope", error.message) from error
        if not asked <= app.scopes:
            extra = scope_text(asked - app.scopes)
            raise GrantRefused("invalid_scope", f"this app was not given: {extra}")
        token = new_token()
        now = now_ms()
        if not await self._store.add_token(
            app.id, token_hash(token), asked, now, now + self._token_ttl * 1000
        ):
            raise GrantRefused("invalid_client", "this app was revoked", status=401)
        return Grant(token, asked, self._token_ttl)

    async def revoke_token(self, client_id: str, client_secret: str, token: str) -> None:
        """Token revocation (RFC 7009): the app's own token stops at once (a token that
        leaked, or one a process is done with). An unknown or already dead token, or another
        app's, is no error (section 2.2) and is left as it is."""
        app = await self._client(client_id, client_secret)
        await self._store.revoke_token(app.id, token_hash(token))

    async def caller(self, token: str, *, ip: str = "", user_agent: str = "") -> AppCaller:
        """The app behind a bearer token, counted against its rate; ``invalid_token`` for an
        unknown, expired or revoked one."""
        found = await self._store.caller(token_hash(token), now_ms())
        if found is None:
            raise TidingsError(
                ErrorCode.INVALID_TOKEN, "the app token is unknown, expired or revoked"
            )
        await self._limits.hit("app_api", found.app_id)
        return AppCaller(
            app_id=found.app_id,
            name=found.name,
            client_id=found.client_id,
            scopes=found.scopes,
            bot_user_id=found.bot_user_id,
            token_id=found.token_id,
            ip=ip,
            user_agent=user_agent,
        )

    def actor_of(self, caller: AppCaller) -> Actor:
        """The app's bot as the actor of what the app does (audit entries name it)."""
        return Actor(caller.bot_user_id, session_id=0, ip=caller.ip, user_agent=caller.user_agent)


def _no_app() -> TidingsError:
    return TidingsError(ErrorCode.NOT_FOUND, "no such app")
