"""One-time sign-in tickets (A6, decision 0067): stored as a hash, spent by one update."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, update

from tidings.store.database import Database
from tidings.store.schema import sso_tickets


@dataclass(frozen=True, slots=True)
class SpentTicket:
    user_id: int
    app_id: int
    next_path: str


class SsoTicketStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, *, ticket_hash: str, app_id: int, user_id: int, next_path: str, now: int, ttl_ms: int
    ) -> None:
        async with self._db.write("add_sso_ticket") as conn:
            # Tickets a minute past their end are of no use to anyone: cleared as we go.
            await conn.execute(delete(sso_tickets).where(sso_tickets.c.expires_at < now - 60_000))
            await conn.execute(
                insert(sso_tickets).values(
                    ticket_hash=ticket_hash,
                    app_id=app_id,
                    user_id=user_id,
                    next_path=next_path,
                    created_at=now,
                    expires_at=now + ttl_ms,
                )
            )

    async def spend(self, ticket_hash: str, now: int) -> SpentTicket | None:
        """The ticket's user, once: a single conditional update marks it used, so of two
        requests racing with one ticket exactly one gets it. None for an unknown, expired
        or spent ticket."""
        async with self._db.write("spend_sso_ticket") as conn:
            row = (
                await conn.execute(
                    update(sso_tickets)
                    .where(
                        sso_tickets.c.ticket_hash == ticket_hash,
                        sso_tickets.c.used_at.is_(None),
                        sso_tickets.c.expires_at > now,
                    )
                    .values(used_at=now)
                    .returning(sso_tickets.c.user_id, sso_tickets.c.app_id, sso_tickets.c.next_path)
                )
            ).first()
        return SpentTicket(row.user_id, row.app_id, row.next_path) if row else None
