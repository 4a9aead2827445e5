"""Account security: codes sent, bound addresses, TOTP secrets, recovery codes, challenges.

Every "use once" here is one conditional UPDATE (``... WHERE used_at IS NULL``) whose row
count says who won: on SQLite writers take turns, on PostgreSQL the row lock makes the second
writer re-check the condition and find it false. So a code, a recovery code, a TOTP step or a
sign-in challenge is spent by exactly one of any number of concurrent requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from tidings.domain.accounts import Platform
from tidings.domain.security import ChallengeKind, Channel, CodePurpose
from tidings.store.database import Database
from tidings.store.schema import (
    account_bindings,
    recovery_codes,
    sessions,
    sign_in_challenges,
    totp_secrets,
    users,
    verification_codes,
)

# Spent and expired codes and challenges are kept a day (for an operator looking into abuse),
# then deleted by the next write of their kind.
PRUNE_AFTER_MS = 24 * 3600 * 1000


class DestinationTaken(Exception):
    """Another user has verified this e-mail address or phone number."""


@dataclass(frozen=True, slots=True)
class SentCode:
    id: int
    purpose: CodePurpose
    channel: Channel
    destination: str
    user_id: int | None
    salt: str
    code_hash: str
    tries: int
    expires_at: int
    used_at: int | None


@dataclass(frozen=True, slots=True)
class TotpState:
    secret: str
    enabled: bool
    last_step: int


@dataclass(frozen=True, slots=True)
class Challenge:
    id: int
    user_id: int
    kind: ChallengeKind
    code_id: int | None
    platform: Platform
    device_name: str
    remember: bool
    device_known: bool
    ip: str
    tries: int
    expires_at: int
    used_at: int | None


def _code(row: Row[Any, *tuple[Any, ...]]) -> SentCode:
    return SentCode(
        id=row.id,
        purpose=CodePurpose(row.purpose),
        channel=Channel(row.channel),
        destination=row.destination,
        user_id=row.user_id,
        salt=row.salt,
        code_hash=row.code_hash,
        tries=row.tries,
        expires_at=row.expires_at,
        used_at=row.used_at,
    )


def _challenge(row: Row[Any, *tuple[Any, ...]]) -> Challenge:
    return Challenge(
        id=row.id,
        user_id=row.user_id,
        kind=ChallengeKind(row.kind),
        code_id=row.code_id,
        platform=Platform(row.platform),
        device_name=row.device_name,
        remember=bool(row.remember),
        device_known=bool(row.device_known),
        ip=row.ip,
        tries=row.tries,
        expires_at=row.expires_at,
        used_at=row.used_at,
    )


class SecurityStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    # Codes

    async def record_send(
        self,
        *,
        purpose: CodePurpose,
        channel: Channel,
        destination: str,
        user_id: int | None,
        salt: str,
        code_hash: str,
        ip: str,
        now: int,
        expires_at: int,
    ) -> int:
        """Keep a code sent (its HMAC); its id. Codes a day past their expiry go."""
        async with self._db.write("record_code_send") as conn:
            await conn.execute(
                delete(verification_codes).where(
                    verification_codes.c.expires_at < now - PRUNE_AFTER_MS
                )
            )
            return int(
                (
                    await conn.execute(
                        insert(verification_codes)
                        .values(
                            purpose=purpose.value,
                            channel=channel.value,
                            destination=destination,
                            user_id=user_id,
                            salt=salt,
                            code_hash=code_hash,
                            ip=ip[:64],
                            created_at=now,
                            expires_at=expires_at,
                        )
                        .returning(verification_codes.c.id)
                    )
                ).scalar_one()
            )

    async def newest_code(
        self, purpose: CodePurpose, channel: Channel, destination: str, now: int
    ) -> SentCode | None:
        """The newest unexpired code of this purpose sent to this destination (only the
        newest counts: several live codes would multiply a guesser's chances)."""
        async with self._db.read("newest_code") as conn:
            row = (
                await conn.execute(
                    select(verification_codes)
                    .where(
                        verification_codes.c.purpose == purpose.value,
                        verification_codes.c.channel == channel.value,
                        verification_codes.c.destination == destination,
                        verification_codes.c.expires_at > now,
                    )
                    .order_by(verification_codes.c.id.desc())
                    .limit(1)
                )
            ).first()
        return _code(row) if row else None

    async def newest_bind_code(self, user_id: int, channel: Channel, now: int) -> SentCode | None:
        async with self._db.read("newest_bind_code") as conn:
            row = (
                await conn.execute(
                    select(verification_codes)
                    .where(
                        verification_codes.c.purpose == CodePurpose.BIND.value,
                        verification_codes.c.channel == channel.value,
                        verification_codes.c.user_id == user_id,
                        verification_codes.c.expires_at > now,
                    )
                    .order_by(verification_codes.c.id.desc())
                    .limit(1)
                )
            ).first()
        return _code(row) if row else None

    async def code(self, code_id: int) -> SentCode | None:
        async with self._db.read("get_code") as conn:
            row = (
                await conn.execute(
                    select(verification_codes).where(verification_codes.c.id == code_id)
                )
            ).first()
        return _code(row) if row else None

    async def count_wrong_try(self, code_id: int, max_tries: int) -> bool:
        """Count a wrong guess; False if the code had no tries left already."""
        async with self._db.write("count_code_try") as conn:
            return (
                await conn.execute(
                    update(verification_codes)
                    .where(
                        verification_codes.c.id == code_id, verification_codes.c.tries < max_tries
                    )
                    .values(tries=verification_codes.c.tries + 1)
                )
            ).rowcount == 1

    async def spend_code(self, code_id: int, now: int, max_tries: int) -> bool:
        """Mark the code used; True for the one request that did."""
        async with self._db.write("spend_code") as conn:
            return (
                await conn.execute(
                    update(verification_codes)
                    .where(
                        verification_codes.c.id == code_id,
                        verification_codes.c.used_at.is_(None),
                        verification_codes.c.tries < max_tries,
                        verification_codes.c.expires_at > now,
                    )
                    .values(used_at=now)
                )
            ).rowcount == 1

    # Bound e-mail addresses and phone numbers (verified ones only)

    async def owner(self, channel: Channel, destination: str) -> int | None:
        async with self._db.read("binding_owner") as conn:
            return (
                await conn.execute(
                    select(account_bindings.c.user_id).where(
                        account_bindings.c.channel == channel.value,
                        account_bindings.c.destination == destination,
                    )
                )
            ).scalar()

    async def bindings(self, user_id: int) -> dict[Channel, str]:
        async with self._db.read("user_bindings") as conn:
            rows = await conn.execute(
                select(account_bindings.c.channel, account_bindings.c.destination).where(
                    account_bindings.c.user_id == user_id
                )
            )
            return {Channel(row.channel): row.destination for row in rows}

    async def bind(
        self,
        user_id: int,
        channel: Channel,
        destination: str,
        code_id: int,
        now: int,
        max_tries: int,
    ) -> bool:
        """Spend the bind code and bind the destination (replacing the user's previous one)
        in one transaction: False if the code was spent meanwhile; ``DestinationTaken`` if
        another user holds the destination (then the code stays unspent)."""
        try:
            async with self._db.write("bind_destination") as conn:
                spent = (
                    await conn.execute(
                        update(verification_codes)
                        .where(
                            verification_codes.c.id == code_id,
                            verification_codes.c.used_at.is_(None),
                            verification_codes.c.tries < max_tries,
                            verification_codes.c.expires_at > now,
                        )
                        .values(used_at=now)
                    )
                ).rowcount
                if spent != 1:
                    return False
                await conn.execute(
                    delete(account_bindings).where(
                        account_bindings.c.user_id == user_id,
                        account_bindings.c.channel == channel.value,
                    )
                )
                await conn.execute(
                    insert(account_bindings).values(
                        user_id=user_id,
                        channel=channel.value,
                        destination=destination,
                        verified_at=now,
                    )
                )
        except IntegrityError:
            raise DestinationTaken(destination) from None
        return True

    async def unbind(self, user_id: int, channel: Channel) -> bool:
        async with self._db.write("unbind_destination") as conn:
            return (
                await conn.execute(
                    delete(account_bindings).where(
                        account_bindings.c.user_id == user_id,
                        account_bindings.c.channel == channel.value,
                    )
                )
            ).rowcount == 1

    # TOTP and recovery codes

    async def totp(self, user_id: int) -> TotpState | None:
        async with self._db.read("totp_state") as conn:
            row = (
                await conn.execute(select(totp_secrets).where(totp_secrets.c.user_id == user_id))
            ).first()
        return TotpState(row.secret, row.enabled_at is not None, row.last_step) if row else None

    async def start_totp(self, user_id: int, secret: str, now: int) -> bool:
        """Replace a pending enrolment with this secret; False if TOTP is on already."""
        try:
            async with self._db.write("start_totp") as conn:
                await conn.execute(
                    delete(totp_secrets).where(
                        totp_secrets.c.user_id == user_id, totp_secrets.c.enabled_at.is_(None)
                    )
                )
                await conn.execute(
                    insert(totp_secrets).values(user_id=user_id, secret=secret, created_at=now)
                )
        except IntegrityError:
            return False
        return True

    async def accept_totp_step(
        self, user_id: int, step: int, now: int, *, enable_with: list[str] | None = None
    ) -> bool:
        """Take this step as used (only if it is later than the last one used); with
        ``enable_with``, also turn TOTP on with these recovery code hashes, atomically."""
        async with self._db.write("accept_totp_step") as conn:
            where = [totp_secrets.c.user_id == user_id, totp_secrets.c.last_step < step]
            values: dict[str, Any] = {"last_step": step}
            if enable_with is not None:
                where.append(totp_secrets.c.enabled_at.is_(None))
                values["enabled_at"] = now
            else:
                where.append(totp_secrets.c.enabled_at.is_not(None))
            if (
                await conn.execute(update(totp_secrets).where(*where).values(**values))
            ).rowcount != 1:
                return False
            if enable_with is not None:
                await self._replace_recovery_codes(conn, user_id, enable_with)
            return True

    async def replace_recovery_codes(self, user_id: int, hashes: list[str]) -> None:
        async with self._db.write("replace_recovery_codes") as conn:
            await self._replace_recovery_codes(conn, user_id, hashes)

    async def _replace_recovery_codes(self, conn: Any, user_id: int, hashes: list[str]) -> None:
        await conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
        await conn.execute(
            insert(recovery_codes), [{"user_id": user_id, "code_hash": h} for h in hashes]
        )

    async def spend_recovery_code(self, user_id: int, code_hash: str, now: int) -> bool:
        async with self._db.write("spend_recovery_code") as conn:
            return (
                await conn.execute(
                    update(recovery_codes)
                    .where(
                        recovery_codes.c.user_id == user_id,
                        recovery_codes.c.code_hash == code_hash,
                        recovery_codes.c.used_at.is_(None),
                    )
                    .values(used_at=now)
                )
            ).rowcount == 1

    async def recovery_codes_left(self, user_id: int) -> int:
        async with self._db.read("recovery_codes_left") as conn:
            return int(
                (
                    await conn.execute(
                        select(func.count()).where(
                            recovery_codes.c.user_id == user_id, recovery_codes.c.used_at.is_(None)
                        )
                    )
                ).scalar_one()
            )

    async def disable_totp(self, user_id: int) -> bool:
        async with self._db.write("disable_totp") as conn:
            await conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
            return (
                await conn.execute(delete(totp_secrets).where(totp_secrets.c.user_id == user_id))
            ).rowcount == 1

    # Sign-in challenges

    async def create_challenge(
        self,
        *,
        token_hash: str,
        user_id: int,
        kind: ChallengeKind,
        code_id: int | None,
        platform: Platform,
        device_name: str,
        remember: bool,
        device_known: bool,
        ip: str,
        now: int,
        expires_at: int,
    ) -> None:
        async with self._db.write("create_sign_in_challenge") as conn:
            await conn.execute(
                delete(sign_in_challenges).where(
                    sign_in_challenges.c.expires_at < now - PRUNE_AFTER_MS
                )
            )
            await conn.execute(
                insert(sign_in_challenges).values(
                    token_hash=token_hash,
                    user_id=user_id,
                    kind=kind.value,
                    code_id=code_id,
                    platform=platform.value,
                    device_name=device_name[:100],
                    remember=remember,
                    device_known=device_known,
                    ip=ip[:64],
                    created_at=now,
                    expires_at=expires_at,
                )
            )

    async def challenge(self, token_hash: str) -> Challenge | None:
        async with self._db.read("get_sign_in_challenge") as conn:
            row = (
                await conn.execute(
                    select(sign_in_challenges).where(sign_in_challenges.c.token_hash == token_hash)
                )
            ).first()
        return _challenge(row) if row else None

    async def count_challenge_try(self, challenge_id: int, max_tries: int) -> bool:
        async with self._db.write("count_challenge_try") as conn:
            return (
                await conn.execute(
                    update(sign_in_challenges)
                    .where(
                        sign_in_challenges.c.id == challenge_id,
                        sign_in_challenges.c.tries < max_tries,
                    )
                    .values(tries=sign_in_challenges.c.tries + 1)
                )
            ).rowcount == 1

    async def spend_challenge(self, challenge_id: int, now: int) -> bool:
        async with self._db.write("spend_sign_in_challenge") as conn:
            return (
                await conn.execute(
                    update(sign_in_challenges)
                    .where(
                        sign_in_challenges.c.id == challenge_id,
                        sign_in_challenges.c.used_at.is_(None),
                        sign_in_challenges.c.expires_at > now,
                    )
                    .values(used_at=now)
                )
            ).rowcount == 1

    async def set_challenge_code(self, challenge_id: int, code_id: int) -> None:
        async with self._db.write("set_challenge_code") as conn:
            await conn.execute(
                update(sign_in_challenges)
                .where(sign_in_challenges.c.id == challenge_id)
                .values(code_id=code_id)
            )

    # What a security notice compares a sign-in with

    async def system_conversation_id(self, user_id: int) -> int | None:
        async with self._db.read("system_conversation_id") as conn:
            return (
                await conn.execute(
                    select(users.c.system_conversation_id).where(users.c.id == user_id)
                )
            ).scalar()

    async def session_addresses(self, user_id: int) -> set[str]:
        """The addresses of every session the user has had, live or ended."""
        async with self._db.read("session_addresses") as conn:
            rows = await conn.execute(
                select(sessions.c.ip).where(sessions.c.user_id == user_id).distinct()
            )
            return {row.ip for row in rows}
