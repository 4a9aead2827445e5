"""Sign in with OpenID Connect (PRODUCT.md A6, issue 14; decision 0064).

Three steps, each its own request, on any node:

1. ``do_start``: the browser is sent to the provider with the authorization code flow's
   request: a fresh ``state``, ``nonce`` and PKCE verifier, kept in the database (only the
   state's sha256) with a secret that a cookie binds to this browser.
2. ``do_call_back``: the provider sends the browser back with a code. The state is spent
   (once, by this browser, before it expires); the code is exchanged for tokens; the ID
   token's signature, issuer, audience, expiry and nonce are checked; the claim that names
   users finds (or, if allowed, creates) the Tidings user. The browser gets a one-time
   *handoff*, good for a minute, in the fragment of the web client's address.
3. ``do_finish``: the web client spends the handoff for a session, as a password sign-in
   gets one (``SignInSteps``: a user with TOTP still gives a code; known devices, the audit
   entry and the new-device notice as always). The provider stood in for the password and
   for the address a code would prove, so no device confirmation code is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidings.actions.accounts import Accounts, SignedIn
from tidings.actions.admin_gate import AdminGate
from tidings.actions.sign_in_steps import SignInSteps
from tidings.auth.openid import OpenIdProvider, id_token_invalid
from tidings.auth.tokens import new_token, token_hash
from tidings.config import Settings
from tidings.domain.accounts import User, UserKind
from tidings.domain.admin import AuditNote
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.oidc import (
    account_for,
    next_path,
    nickname_of,
    state_invalid,
    user_name,
)
from tidings.domain.security import Channel, SignInAttempt
from tidings.limits import Limits
from tidings.store.accounts import AccountStore
from tidings.store.oidc import OidcSignInStore
from tidings.store.security import SecurityStore

CALLBACK_PATH = "/api/v1/auth/oidc/callback"
# The handoff from the callback's redirect to the web client's request: the next page load.
HANDOFF_TTL_SECONDS = 60
# The answers of a sign-in that needs a second step (actions/sign_in_steps.py).
_SECOND_STEPS = frozenset(
    {ErrorCode.SECOND_FACTOR_REQUIRED, ErrorCode.DEVICE_CONFIRMATION_REQUIRED}
)


@dataclass(frozen=True, slots=True)
class Started:
    """Where to send the browser, and the secret its cookie keeps until the callback."""

    authorization_url: str
    browser_secret: str


def not_configured() -> TidingsError:
    return TidingsError(
        ErrorCode.OIDC_NOT_CONFIGURED, "single sign-on (OpenID Connect) is not set up here"
    )


class SingleSignOn:
    def __init__(
        self,
        *,
        settings: Settings,
        provider: OpenIdProvider,
        store: OidcSignInStore,
        accounts_store: AccountStore,
        security_store: SecurityStore,
        accounts: Accounts,
        sign_in_steps: SignInSteps,
        gate: AdminGate,
        limits: Limits,
    ) -> None:
        self._settings = settings
        self._provider = provider
        self._store = store
        self._accounts_store = accounts_store
        self._security_store = security_store
        self._accounts = accounts
        self._sign_in_steps = sign_in_steps
        self._gate = gate
        self._limits = limits

    def options(self) -> dict[str, Any] | None:
        """What the sign-in page shows (``GET /auth/options``): the button's label, or None."""
        if not self._provider.configured:
            return None
        return {"label": self._settings.oidc_label}

    async def do_start(
        self, *, next_to: str | None, remember: bool, origin: str, ip: str
    ) -> Started:
        if not self._provider.configured:
            raise not_configured()
        landing = next_path(next_to)
        if ip:
            await self._limits.hit("oidc_start", ip)
        metadata = await self._provider.metadata()
        state, nonce, verifier, browser = new_token(), new_token(), new_token(), new_token()
        redirect_uri = self._settings.oidc_redirect_uri or f"{origin}{CALLBACK_PATH}"
        now = now_ms()
        await self._store.start(
            state_hash=token_hash(state),
            browser_hash=token_hash(browser),
            nonce=nonce,
            code_verifier=verifier,
            redirect_uri=redirect_uri,
            next_path=landing,
            remember=remember,
            now=now,
            expires_at=now + self._settings.oidc_sign_in_ttl_seconds * 1000,
        )
        url = metadata.authorization_url(
            client_id=self._settings.oidc_client_id,
            redirect_uri=redirect_uri,
            scopes=self._settings.oidc_scopes,
            state=state,
            nonce=nonce,
            code_verifier=verifier,
        )
        return Started(url, browser)

    async def do_call_back(
        self,
        *,
        state: str | None,
        code: str | None,
        error: str | None,
        issuer: str | None,
        browser_secret: str | None,
        ip: str,
        user_agent: str,
    ) -> str:
        """The provider's redirect: a handoff for the web client, or the error that says why
        not."""
        if not self._provider.configured:
            raise not_configured()
        if not state or not browser_secret:
            raise state_invalid()
        pending = await self._store.call_back(
            token_hash(state), token_hash(browser_secret), now_ms()
        )
        if pending is None:
            raise state_invalid()
        metadata = await self._provider.metadata()
        # RFC 9207: a provider that names itself in redirects must name itself, not another.
        if (issuer is not None or metadata.iss_parameter) and issuer != metadata.issuer:
            raise id_token_invalid("issuer", "the redirect names another issuer")
        if error is not None:
            raise TidingsError(
                ErrorCode.OIDC_PROVIDER_REFUSED,
                "the provider did not sign you in",
                details={"error": error[:100]},
            )
        if not code:
            raise TidingsError(ErrorCode.INVALID_INPUT, "code: the provider sent none")
        tokens = await self._provider.exchange_code(
            metadata,
            code=code,
            redirect_uri=pending.redirect_uri,
            code_verifier=pending.code_verifier,
        )
        claims = await self._provider.id_token_claims(
            metadata, tokens["id_token"], nonce=pending.nonce
        )
        access_token = tokens.get("access_token")
        if isinstance(access_token, str) and access_token:
            claims = {
                **await self._provider.userinfo(metadata, access_token, claims["sub"]),
                **claims,
            }
        user = await self._user_for(claims, ip, user_agent)
        handoff = new_token()
        await self._store.vouch(
            pending.id,
            user_id=user.id,
            handoff_hash=token_hash(handoff),
            handoff_expires_at=now_ms() + HANDOFF_TTL_SECONDS * 1000,
        )
        return handoff

    async def do_finish(self, handoff: str, attempt: SignInAttempt) -> tuple[SignedIn, str]:
        """Spend the handoff for a session (or the second step it still needs); the session
        and the path the sign-in was started for."""
        vouched = await self._store.finish(token_hash(handoff), now_ms())
        if vouched is None:
            raise state_invalid()
        user = await self._accounts_store.user(vouched.user_id)
        if user is None or user.disabled:
            raise TidingsError(ErrorCode.ACCOUNT_DISABLED, "this account is disabled")
        attempt = SignInAttempt(
            platform=attempt.platform,
            device_name=attempt.device_name,
            ip=attempt.ip,
            remember=vouched.remember,
            device_token=attempt.device_token,
            user_agent=attempt.user_agent,
        )
        try:
            # by_code: the provider proved who this is, as a code proves an address.
            signed_in = await self._sign_in_steps.after_first_factor(user, attempt, by_code=True)
        except TidingsError as step:
            if step.code in _SECOND_STEPS and isinstance(step.details, dict):
                # The second step is answered at /auth/login/verify, which knows nothing of
                # this single sign-on: the client keeps where to land and "remember me" (the
                # challenge keeps the latter too) from here, as a first step would tell it.
                step.details.update(next=vouched.next_path, remember=vouched.remember)
            raise
        return signed_in, vouched.next_path

    async def _user_for(self, claims: dict[str, Any], ip: str, user_agent: str) -> User:
        claim = self._settings.oidc_user_claim
        name = user_name(claims, claim)
        user = await self._accounts_store.user_by_account(name)
        if user is None and claim == "email":
            owner = await self._security_store.owner(Channel.EMAIL, name)
            user = await self._accounts_store.user(owner) if owner is not None else None
        if user is not None and user.kind is not UserKind.PERSON:
            user = None  # bots and visitors never sign in
        if user is None:
            if not self._settings.oidc_create_users:
                await self._refused(name, "oidc_user_unknown", ip, user_agent)
                raise TidingsError(
                    ErrorCode.OIDC_USER_UNKNOWN,
                    "nobody here has this name; ask an administrator for an account",
                    details={"claim": claim},
                )
            account = account_for(name, claim)
            user = await self._accounts.do_create_signed_on_user(
                account=account, nickname=nickname_of(claims, account)
            )
        if user.disabled:
            await self._refused(name, "account_disabled", ip, user_agent)
            raise TidingsError(ErrorCode.ACCOUNT_DISABLED, "this account is disabled")
        return user

    async def _refused(self, name: str, reason: str, ip: str, user_agent: str) -> None:
        await self._gate.record(
            AuditNote(
                "auth.sign_in_failed",
                target_type="account",
                target_id=name[:128],
                details={"reason": reason, "method": "oidc"},
                ip=ip,
                user_agent=user_agent,
            )
        )
