"""The system notices apps sent, by the client_msg_id each app gave (decision 0067)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from tidings.store.database import Database
from tidings.store.schema import app_notices


@dataclass(frozen=True, slots=True)
class SentNotice:
    user_id: int
    # None while the first request is still posting it.
    conversation_id: int | None
    seq: int | None


class AppNoticeStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def reserve(
        self, app_id: int, client_msg_id: str, user_id: int, now: int
    ) -> SentNotice | None:
        """Claim the key for a new notice (None), or the notice sent under it before."""
        try:
            async with self._db.write("reserve_app_notice") as conn:
                await conn.execute(
                    insert(app_notices).values(
                        app_id=app_id, client_msg_id=client_msg_id, user_id=user_id, created_at=now
                    )
                )
            return None
        except IntegrityError:
            pass
        async with self._db.read("app_notice") as conn:
            row = (
                await conn.execute(
                    select(app_notices).where(
                        app_notices.c.app_id == app_id,
                        app_notices.c.client_msg_id == client_msg_id,
                    )
                )
            ).one()
        return SentNotice(row.user_id, row.conversation_id, row.seq)

    async def posted(self, app_id: int, client_msg_id: str, conversation_id: int, seq: int) -> None:
        async with self._db.write("app_notice_posted") as conn:
            await conn.execute(
                update(app_notices)
                .where(app_notices.c.app_id == app_id, app_notices.c.client_msg_id == client_msg_id)
                .values(conversation_id=conversation_id, seq=seq)
            )

    async def release(self, app_id: int, client_msg_id: str) -> None:
        """Give the key back when posting failed, so a retry posts it."""
        async with self._db.write("release_app_notice") as conn:
            await conn.execute(
                delete(app_notices).where(
                    app_notices.c.app_id == app_id, app_notices.c.client_msg_id == client_msg_id
                )
            )
