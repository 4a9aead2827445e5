"""argon2id password hashing, off the event loop (a hash takes tens of milliseconds).

Hashes run in a small pool of their own: neither media work nor file I/O can take the
threads sign-ins need, and a burst of sign-ins cannot take theirs.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tidings.workers import WorkerPool


class Passwords:
    def __init__(
        self, *, time_cost: int, memory_kib: int, parallelism: int, threads: int = 2
    ) -> None:
        self._pool = WorkerPool("passwords", threads)
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        # Verified against when the account does not exist, so both cases take as long.
        self._decoy = self._hasher.hash("decoy password, never matches")

    async def hash(self, password: str) -> str:
        return await self._pool.run(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        return await self._pool.run(self._verify, stored_hash or self._decoy, password)

    def close(self) -> None:
        self._pool.close()

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)

    def _verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
