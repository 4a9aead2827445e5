"""Reading a test server's database directly (SQLite file or PostgreSQL), to check what it
stored behind the API."""

from __future__ import annotations

import sqlite3
from typing import Any

import asyncpg

from tests.support.server import ServerProcess


class Stored:
    def __init__(self, server: ServerProcess) -> None:
        self._url = server.env.get("TIDINGS_DATABASE_URL", "")
        self._sqlite = server.data_dir / "tidings.db"

    async def value(self, query: str, *args: Any) -> Any:
        """The first column of the first row; parameters are $1, $2... on both engines."""
        if not self._url:
            for n in range(len(args), 0, -1):
                query = query.replace(f"${n}", "?")
            with sqlite3.connect(self._sqlite, timeout=30) as conn:
                row = conn.execute(query, args).fetchone()
            return None if row is None else row[0]
        conn = await asyncpg.connect(self._url)
        try:
            return await conn.fetchval(query, *args)
        finally:
            await conn.close()

    async def count(self, query: str, *args: Any) -> int:
        return int(await self.value(query, *args))
