"""The password lock (seed: 聊天记录加密): a code of the user's own, separate from the
account password, kept only as an argon2id hash; the chats it covers and the idle minutes
after which the whole app locks, synced to every device of the user (``lock_changed``).

Checking a code is throttled like a sign-in (``TIDINGS_RATE_LOCK_VERIFY``, a right answer
given back), whether it comes to unlock or to prove a change. The account password unlocks
too (a forgotten code) and proves a change, so the owner can always set a new code.
"""

from __future__ import annotations

from typing import Any

from tidings.actions.context import Actor
from tidings.actions.publisher import Publisher
from tidings.auth.passwords import Passwords
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.privacy import LOCKED_CONVERSATIONS_MAX, ChatLock, LockSet, LockVerify
from tidings.limits import Limits
from tidings.store.accounts import AccountStore
from tidings.store.privacy import PrivacyStore


class ChatLocks:
    def __init__(
        self,
        *,
        store: PrivacyStore,
        accounts: AccountStore,
        passwords: Passwords,
        limits: Limits,
        publisher: Publisher,
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._passwords = passwords
        self._limits = limits
        self._publisher = publisher

    async def get(self, actor: Actor) -> dict[str, Any]:
        return (await self._store.lock(actor.user_id)).to_wire()

    async def do_verify(self, actor: Actor, a: LockVerify) -> dict[str, Any]:
        lock = await self._store.lock(actor.user_id)
        if lock.code_hash is None and a.password is None:
            raise TidingsError(ErrorCode.LOCK_NOT_SET, "no lock code is set")
        await self._check_proof(actor, lock, code=a.code, password=a.password)
        return {"ok": True}

    async def do_set(self, actor: Actor, a: LockSet) -> dict[str, Any]:
        lock = await self._store.lock(actor.user_id)
        if a.version is not None and a.version != lock.version:
            raise TidingsError(ErrorCode.CONFLICT, "the lock changed meanwhile; try again")
        if a.remove and a.code is not None:
            raise TidingsError(ErrorCode.INVALID_INPUT, "code: not with remove")
        weakens = (
            a.remove
            or (a.code is not None and lock.code_hash is not None)
            or not lock.only_adds(a.idle_minutes, a.conversation_ids)
        )
        if lock.code_hash is not None and weakens:
            await self._check_proof(actor, lock, code=a.current_code, password=a.password)
        if a.remove:
            code_hash, idle, chats = None, 0, []
        else:
            code_hash = await self._passwords.hash(a.code) if a.code is not None else lock.code_hash
            idle = a.idle_minutes if a.idle_minutes is not None else lock.idle_minutes
            chats = (
                list(dict.fromkeys(a.conversation_ids))
                if a.conversation_ids is not None
                else list(lock.conversation_ids)
            )
            if code_hash is None and (idle or chats):
                raise TidingsError(ErrorCode.LOCK_NOT_SET, "set a lock code first")
            if len(chats) > LOCKED_CONVERSATIONS_MAX:
                raise TidingsError(
                    ErrorCode.INVALID_INPUT, f"at most {LOCKED_CONVERSATIONS_MAX} locked chats"
                )
            new = [c for c in chats if c not in lock.conversation_ids]
            if new and set(new) - await self._store.member_of(actor.user_id, new):
                raise TidingsError(ErrorCode.NOT_MEMBER, "you are not a member of a chat named")
        written = await self._store.update_lock(
            actor.user_id,
            expected_version=lock.version,
            code_hash=code_hash,
            idle_minutes=idle,
            conversation_ids=chats,
            now=now_ms(),
        )
        if written is None:
            raise TidingsError(ErrorCode.CONFLICT, "the lock changed meanwhile; try again")
        new_lock, entry = written
        await self._publisher.private([entry])
        return new_lock.to_wire()

    async def _check_proof(
        self, actor: Actor, lock: ChatLock, *, code: str | None, password: str | None
    ) -> None:
        """The lock code or the account password, counted by the throttle (a right one is
        given back); ``wrong_lock_code`` / ``invalid_credentials`` otherwise."""
        if (code is None) == (password is None):
            raise TidingsError(
                ErrorCode.LOCK_CODE_REQUIRED, "give the lock code or the account password"
            )
        attempt = await self._limits.reserve(("lock_verify", actor.user_id))
        if code is not None:
            if not await self._passwords.verify(lock.code_hash, code):
                raise TidingsError(ErrorCode.WRONG_LOCK_CODE, "wrong lock code")
        else:
            assert password is not None
            user = await self._accounts.user(actor.user_id)
            found = await self._accounts.credentials(user.account) if user else None
            if not await self._passwords.verify(found[1] if found else None, password):
                raise TidingsError(ErrorCode.INVALID_CREDENTIALS, "wrong password")
        await self._limits.refund(attempt)
