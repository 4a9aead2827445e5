"""Sign-ins with OpenID Connect in flight (decision 0064), in the database so that the node
the provider sends the browser back to need not be the one that sent it there.

Each "use once" (the state at the callback, the handoff at the finish) is one conditional
UPDATE whose row count says who won, as in store/security.py: of any number of concurrent
requests with one state or one handoff, exactly one goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update

from tidings.store.database import Database
from tidings.store.schema import oidc_sign_ins

# Spent and expired sign-ins stay this long (nothing reads them; they are not evidence).
PRUNE_AFTER_MS = 3600 * 1000


@dataclass(frozen=True, slots=True)
class CalledBack:
    """A started sign-in whose state the provider's redirect just spent."""

    id: int
    nonce: str
    code_verifier: str
    redirect_uri: str


@dataclass(frozen=True, slots=True)
class Vouched:
    """A sign-in the provider vouched for, whose handoff the web client just spent."""

    user_id: int
    remember: bool
    next_path: str


class OidcSignInStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def start(
        self,
        *,
        state_hash: str,
        browser_hash: str,
        nonce: str,
        code_verifier: str,
        redirect_uri: str,
        next_path: str,
        remember: bool,
        now: int,
        expires_at: int,
    ) -> None:
        async with self._db.write("start_oidc_sign_in") as conn:
            await conn.execute(
                delete(oidc_sign_ins).where(oidc_sign_ins.c.expires_at < now - PRUNE_AFTER_MS)
            )
            await conn.execute(
                insert(oidc_sign_ins).values(
                    state_hash=state_hash,
                    browser_hash=browser_hash,
                    nonce=nonce,
                    code_verifier=code_verifier,
                    redirect_uri=redirect_uri,
                    next_path=next_path,
                    remember=remember,
                    created_at=now,
                    expires_at=expires_at,
                )
            )

    async def call_back(self, state_hash: str, browser_hash: str, now: int) -> CalledBack | None:
        """Spend the state, in the browser that started the sign-in; None if it is unknown,
        expired, spent or was started elsewhere (then it stays unspent for its browser)."""
        table = oidc_sign_ins.c
        async with self._db.write("call_back_oidc_sign_in") as conn:
            spent = (
                await conn.execute(
                    update(oidc_sign_ins)
                    .where(
                        table.state_hash == state_hash,
                        table.browser_hash == browser_hash,
                        table.called_back_at.is_(None),
                        table.expires_at > now,
                    )
                    .values(called_back_at=now)
                )
            ).rowcount == 1
            if not spent:
                return None
            row = (
                await conn.execute(
                    select(table.id, table.nonce, table.code_verifier, table.redirect_uri).where(
                        table.state_hash == state_hash
                    )
                )
            ).one()
        return CalledBack(row.id, row.nonce, row.code_verifier, row.redirect_uri)

    async def vouch(
        self, sign_in_id: int, *, user_id: int, handoff_hash: str, handoff_expires_at: int
    ) -> None:
        async with self._db.write("vouch_oidc_sign_in") as conn:
            await conn.execute(
                update(oidc_sign_ins)
                .where(oidc_sign_ins.c.id == sign_in_id)
                .values(
                    user_id=user_id,
                    handoff_hash=handoff_hash,
                    handoff_expires_at=handoff_expires_at,
                )
            )

    async def finish(self, handoff_hash: str, now: int) -> Vouched | None:
        """Spend the handoff; None if it is unknown, expired or spent."""
        table = oidc_sign_ins.c
        async with self._db.write("finish_oidc_sign_in") as conn:
            spent = (
                await conn.execute(
                    update(oidc_sign_ins)
                    .where(
                        table.handoff_hash == handoff_hash,
                        table.finished_at.is_(None),
                        table.handoff_expires_at > now,
                    )
                    .values(finished_at=now)
                )
            ).rowcount == 1
            if not spent:
                return None
            row = (
                await conn.execute(
                    select(table.user_id, table.remember, table.next_path).where(
                        table.handoff_hash == handoff_hash
                    )
                )
            ).one()
        return Vouched(row.user_id, bool(row.remember), row.next_path)
