"""Verification codes (PRODUCT.md A2): sending them, checking them, and binding an e-mail
address or phone number to an account with one.

Rules, all here:
- a code is 6 digits, lives ``TIDINGS_CODE_TTL_SECONDS`` (10 minutes), is used at most once,
  and dies after ``TIDINGS_CODE_MAX_TRIES`` (5) wrong guesses; only the newest code sent to a
  destination for a purpose counts;
- sends are limited per destination and per address together (the rate rules
  ``TIDINGS_RATE_CODE_SEND_DESTINATION`` and ``..._ADDRESS``, shared by the nodes through
  Redis when scaled out);
- ``POST /auth/codes`` answers the same whether or not the destination belongs to anyone: the
  send is counted either way and the message goes out in the background, so neither the
  answer nor its timing tells;
- an address is bound once its code is typed back, and is unique among verified ones.
"""

from __future__ import annotations

import asyncio
import logging

from tidings.actions.context import Actor
from tidings.actions.reauth import check_password
from tidings.auth.codes import code_digest, code_matches, new_code, new_salt
from tidings.auth.delivery import CodeDelivery, DeliveryFailed
from tidings.auth.passwords import Passwords
from tidings.config import Settings
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.security import Channel, CodePurpose, normalize_destination
from tidings.limits import Limits
from tidings.store.accounts import AccountStore
from tidings.store.security import DestinationTaken, SecurityStore, SentCode

logger = logging.getLogger(__name__)


def invalid_code() -> TidingsError:
    return TidingsError(ErrorCode.INVALID_CODE, "the code is wrong, expired or used")


def too_many_tries() -> TidingsError:
    return TidingsError(
        ErrorCode.RATE_LIMITED,
        "too many wrong codes; ask for a new one",
        details={"retry_after": 0},
    )


class Codes:
    def __init__(
        self,
        *,
        settings: Settings,
        store: SecurityStore,
        accounts: AccountStore,
        passwords: Passwords,
        delivery: CodeDelivery,
        limits: Limits,
    ) -> None:
        self._settings = settings
        self._limits = limits
        self._store = store
        self._accounts = accounts
        self._passwords = passwords
        self._delivery = delivery
        self._background: set[asyncio.Task[None]] = set()

    def available(self, channel: Channel) -> bool:
        """Whether this server sends codes by ``channel`` (configured, not necessarily up)."""
        return self._delivery.available(channel)

    def destination(self, channel: Channel, raw: str) -> str:
        """The normalized destination, if the channel is on (``channel_unavailable``)."""
        if not self._delivery.available(channel):
            raise TidingsError(
                ErrorCode.CHANNEL_UNAVAILABLE, f"this server does not send codes by {channel}"
            )
        return normalize_destination(channel, raw)

    async def do_send_code(
        self, purpose: CodePurpose, channel: Channel, raw_destination: str, ip: str
    ) -> None:
        """Send a sign-in or password-reset code if the destination is bound; count the
        send either way (no enumeration)."""
        destination = self.destination(channel, raw_destination)
        owner = await self._store.owner(channel, destination)
        code, _ = await self._issue(purpose, channel, destination, owner, ip)
        if owner is not None:
            self._send_in_background(channel, destination, code, purpose)

    async def send_now(
        self, purpose: CodePurpose, channel: Channel, destination: str, user_id: int, ip: str
    ) -> int:
        """Send a code to a destination the caller vouches for; its id. Delivery failures
        are the caller's to see."""
        code, code_id = await self._issue(purpose, channel, destination, user_id, ip)
        await self._deliver(channel, destination, code, purpose)
        return code_id

    async def check(
        self, purpose: CodePurpose, channel: Channel, destination: str, guess: str
    ) -> SentCode:
        """Spend the newest code of this purpose for this destination if ``guess`` is it."""
        sent = await self._store.newest_code(purpose, channel, destination, now_ms())
        if sent is None:
            raise invalid_code()
        await self.check_sent(sent, guess)
        return sent

    async def check_by_id(self, code_id: int, guess: str) -> None:
        sent = await self._store.code(code_id)
        if sent is None or sent.expires_at <= now_ms():
            raise invalid_code()
        await self.check_sent(sent, guess)

    async def check_sent(self, sent: SentCode, guess: str) -> None:
        await self._judge(sent, guess)
        if not await self._store.spend_code(sent.id, now_ms(), self._settings.code_max_tries):
            raise invalid_code()

    async def _judge(self, sent: SentCode, guess: str) -> None:
        """Raise unless ``guess`` is this live code; a wrong guess uses up a try. The
        comparison takes the same time whatever the guess (``hmac.compare_digest``)."""
        max_tries = self._settings.code_max_tries
        if sent.tries >= max_tries:
            raise too_many_tries()
        if sent.used_at is not None:
            raise invalid_code()
        if not code_matches(sent.salt, sent.code_hash, guess):
            if not await self._store.count_wrong_try(sent.id, max_tries):
                raise too_many_tries()
            raise invalid_code()

    # Binding an e-mail address or a phone number

    async def do_bind_start(self, actor: Actor, channel: Channel, raw: str, ip: str) -> None:
        destination = self.destination(channel, raw)
        await self.send_now(CodePurpose.BIND, channel, destination, actor.user_id, ip)

    async def do_bind_verify(self, actor: Actor, channel: Channel, guess: str) -> None:
        sent = await self._store.newest_bind_code(actor.user_id, channel, now_ms())
        if sent is None:
            raise invalid_code()
        await self._judge(sent, guess)
        try:
            bound = await self._store.bind(
                actor.user_id,
                channel,
                sent.destination,
                sent.id,
                now_ms(),
                self._settings.code_max_tries,
            )
        except DestinationTaken:
            raise TidingsError(
                ErrorCode.DESTINATION_TAKEN, f"another account has verified this {channel}"
            ) from None
        if not bound:
            raise invalid_code()

    async def do_unbind(self, actor: Actor, channel: Channel, password: str) -> None:
        await check_password(self._accounts, self._passwords, actor.user_id, password)
        if not await self._store.unbind(actor.user_id, channel):
            raise TidingsError(ErrorCode.NOT_FOUND, f"no verified {channel} to remove")

    # Sending

    async def _issue(
        self,
        purpose: CodePurpose,
        channel: Channel,
        destination: str,
        user_id: int | None,
        ip: str,
    ) -> tuple[str, int]:
        # Both rules at once, all or none: a refused send counts against neither. A signed-in
        # user binding over the WebSocket (no address at hand) is counted as themselves.
        await self._limits.reserve(
            ("code_send_destination", f"{channel.value}:{destination}"),
            ("code_send_address", ip or f"user:{user_id}"),
        )
        code, salt, now = new_code(), new_salt(), now_ms()
        code_id = await self._store.record_send(
            purpose=purpose,
            channel=channel,
            destination=destination,
            user_id=user_id,
            salt=salt,
            code_hash=code_digest(salt, code),
            ip=ip,
            now=now,
            expires_at=now + self._settings.code_ttl_seconds * 1000,
        )
        return code, code_id

    async def _deliver(
        self, channel: Channel, destination: str, code: str, purpose: CodePurpose
    ) -> None:
        try:
            await self._delivery.send(channel, destination, code, purpose.value)
        except DeliveryFailed as error:
            logger.warning("could not send a code by %s: %s", channel, error)
            raise TidingsError(
                ErrorCode.CHANNEL_UNAVAILABLE, f"the code could not be sent by {channel}; try later"
            ) from None

    def _send_in_background(
        self, channel: Channel, destination: str, code: str, purpose: CodePurpose
    ) -> None:
        task = asyncio.create_task(self._deliver(channel, destination, code, purpose))
        self._background.add(task)
        task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._background.discard(task)
        # Retrieved so asyncio does not report it: _deliver logged the failure already, and
        # nobody waits for this answer (no enumeration).
        if not task.cancelled():
            task.exception()

    async def stop(self) -> None:
        """Let codes being delivered finish (a server stopping while one is sent)."""
        if self._background:
            await asyncio.wait(self._background, timeout=10)
