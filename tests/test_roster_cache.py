"""The roster cache does not keep a roster read while the conversation changed.

A roster load is a database read; a RosterChanged (or BusGap) can arrive while it runs. The
roster read before the change is still returned to whoever asked, but it must not be kept:
otherwise a removed member could post through this node until the next change. The store is
the real one on a real SQLite file; it is only held in the middle of its read.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import insert, update

from tidings.actions.rosters import RosterCache
from tidings.config import Settings
from tidings.domain.conversations import Roster
from tidings.store.conversations import ConversationStore
from tidings.store.database import Database
from tidings.store.schema import conversations, members, users


class HeldStore(ConversationStore):
    """The real store, whose roster reads can be held after reading until released."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self.read_done = asyncio.Event()
        self.release = asyncio.Event()
        self.holding = False

    async def roster(self, conversation_id: int) -> Roster | None:
        found = await super().roster(conversation_id)
        if self.holding:
            self.read_done.set()
            await self.release.wait()
        return found


async def test_a_roster_read_across_an_invalidation_is_not_kept(tmp_path: Path) -> None:
    database = Database(Settings(data_dir=tmp_path))
    await database.migrate()
    try:
        async with database.write("seed") as conn:
            for user_id in (1, 2):
                await conn.execute(
                    insert(users).values(
                        id=user_id,
                        account=f"u{user_id}",
                        password_hash="-",
                        nickname=f"U{user_id}",
                        created_at=0,
                    )
                )
            await conn.execute(
                insert(conversations).values(id=1, type="group", last_activity_at=0, created_at=0)
            )
            for user_id in (1, 2):
                await conn.execute(
                    insert(members).values(
                        conversation_id=1, user_id=user_id, role="member", joined_at=0
                    )
                )
        store = HeldStore(database)
        cache = RosterCache(store)

        store.holding = True
        loading = asyncio.create_task(cache.get(1))
        await store.read_done.wait()
        # Member 2 is removed and the node hears of it while the old roster is in flight.
        async with database.write("remove") as conn:
            await conn.execute(
                update(members)
                .where(members.c.conversation_id == 1, members.c.user_id == 2)
                .values(active=False)
            )
        cache.invalidate(1)
        store.release.set()
        stale = await loading
        assert stale is not None and set(stale.members) == {1, 2}  # what the read saw

        assert cache.cached(1) is None  # ...but not kept
        store.holding = False
        fresh = await cache.get(1)
        assert fresh is not None and set(fresh.members) == {1}
        assert cache.cached(1) is fresh
    finally:
        await database.dispose()
