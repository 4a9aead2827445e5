"""Single sign-on by one-time tickets (PRODUCT.md A6 part 1, issue 14, decision 0067).

The host system's backend, which knows who its user is, asks for a ticket for them
(``POST /api/v1/app/sso-tickets``, scope ``sso``); the user's browser opens
``/sso?ticket=...&next=...``; the web client posts the ticket to ``POST /api/v1/auth/sso``
and gets a session exactly as a sign-in gives one (kept where sign-ins keep it). The
ticket is good once, for at most a minute; the long-lived session token never travels in
a URL (where proxies and access logs would keep it).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from tidings.actions.accounts import Accounts, SignedIn
from tidings.actions.app_api import AppApi, UserRef
from tidings.auth.tokens import new_token, token_hash
from tidings.domain.accounts import UserKind
from tidings.domain.apps import AppCaller
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.security import SignInAttempt
from tidings.store.sso_tickets import SsoTicketStore

# A ticket travels from the host's backend through its page to the browser at once: a
# minute is plenty, and short enough that one found in a log is already dead.
TICKET_TTL_SECONDS = 60
MAX_NEXT = 512
# A path of this site: "/", "/x?y#z" — never "//host" (protocol-relative) nor "/\\host".
_SAME_ORIGIN_PATH = re.compile(r"^/(?![/\\])[^\s\\]*$")


def check_next(next_path: str | None) -> str:
    """Where the browser goes once signed in: a path on this server only (an open
    redirect would let anyone's link sign a user in and send them elsewhere)."""
    if not next_path:
        return "/"
    if len(next_path) > MAX_NEXT or not _SAME_ORIGIN_PATH.match(next_path):
        raise TidingsError(
            ErrorCode.INVALID_INPUT, "next must be a path on this server, like /?conversation=12"
        )
    return next_path


class SsoTickets:
    def __init__(self, *, store: SsoTicketStore, app_api: AppApi, accounts: Accounts) -> None:
        self._store = store
        self._app_api = app_api
        self._accounts = accounts

    async def do_issue(
        self, app: AppCaller, user: UserRef, next_path: str | None
    ) -> dict[str, Any]:
        target = await self._app_api.user(user)
        if target.kind is not UserKind.PERSON:
            raise TidingsError(ErrorCode.FORBIDDEN, "only people sign in")
        if target.disabled:
            raise TidingsError(ErrorCode.ACCOUNT_DISABLED, "this account is frozen")
        path = check_next(next_path)
        ticket = new_token()
        await self._store.add(
            ticket_hash=token_hash(ticket),
            app_id=app.app_id,
            user_id=target.id,
            next_path=path,
            now=now_ms(),
            ttl_ms=TICKET_TTL_SECONDS * 1000,
        )
        return {
            "ticket": ticket,
            "expires_in": TICKET_TTL_SECONDS,
            "user_id": target.id,
            "url": f"/sso?ticket={ticket}&next={_quote(path)}",
        }

    async def do_sign_in(self, ticket: str, attempt: SignInAttempt) -> tuple[SignedIn, str]:
        """Spend a ticket: the session and where to go. ``sso_ticket_invalid`` for an
        unknown, expired or spent ticket; ``account_disabled`` for a user frozen since."""
        spent = await self._store.spend(token_hash(ticket), now_ms())
        if spent is None:
            raise TidingsError(
                ErrorCode.SSO_TICKET_INVALID,
                "this sign-in link was used already or has expired: open it again from "
                "where you came from",
            )
        user = await self._accounts.profile(spent.user_id)
        if user.disabled:
            raise TidingsError(ErrorCode.ACCOUNT_DISABLED, "this account is frozen")
        return await self._accounts.open_session(user, attempt), spent.next_path


def _quote(path: str) -> str:
    return quote(path, safe="")
