"""The second step of a sign-in (PRODUCT.md A2, A5), and sign-in by a code.

After the first factor (a password, or a code sent to a bound address) is right:
- TOTP on: the sign-in waits for a TOTP or recovery code (``second_factor_required``);
  TOTP also confirms a new device;
- else, from a device the user has not used before, with a verified e-mail or phone and
  ``TIDINGS_NEW_DEVICE_CONFIRMATION`` on (and not a code sign-in, which proved the address
  already): a code goes to that address and the sign-in waits for it
  (``device_confirmation_required``);
- else the session opens.
Waiting is a *challenge*: an opaque token (sha256 stored) that lives
``TIDINGS_SIGN_IN_CHALLENGE_TTL_SECONDS``, allows five wrong codes and is spent by exactly one
``/auth/login/verify``, however many arrive at once.

A sign-in that completes from a new device or a new place (a /24 or /48 the user has not
signed in from) posts a security notice into the user's system notices.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, NoReturn, Protocol

from tidings.actions.codes import Codes, invalid_code
from tidings.actions.notices import Notices
from tidings.actions.two_factor import TwoFactor
from tidings.auth.tokens import new_token, token_hash
from tidings.config import Settings
from tidings.domain.accounts import User
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.security import (
    ChallengeKind,
    Channel,
    CodePurpose,
    SecondStepMethod,
    SignInAttempt,
    mask_destination,
    place_of,
)
from tidings.limits import Limits
from tidings.store.accounts import AccountStore
from tidings.store.security import Challenge, SecurityStore

if TYPE_CHECKING:
    from tidings.actions.accounts import SignedIn

OpenSession = Callable[[User, SignInAttempt], Awaitable["SignedIn"]]

# Wrong codes one challenge allows before it answers only ``rate_limited``.
CHALLENGE_MAX_TRIES = 5

_METHODS: dict[ChallengeKind, tuple[SecondStepMethod, ...]] = {
    ChallengeKind.SECOND_FACTOR: (SecondStepMethod.TOTP, SecondStepMethod.RECOVERY_CODE),
}


class KnownDevicesView(Protocol):
    """What the second step needs of known devices (owned by the known-devices action)."""

    async def is_known(self, user_id: int, device_token: str | None) -> bool: ...


def challenge_expired() -> TidingsError:
    return TidingsError(
        ErrorCode.CHALLENGE_EXPIRED, "this sign-in waited too long or was finished; start again"
    )


class SignInSteps:
    def __init__(
        self,
        *,
        settings: Settings,
        store: SecurityStore,
        accounts: AccountStore,
        codes: Codes,
        two_factor: TwoFactor,
        known_devices: KnownDevicesView,
        notices: Notices,
        limits: Limits,
        open_session: OpenSession,
    ) -> None:
        self._limits = limits
        self._settings = settings
        self._store = store
        self._accounts = accounts
        self._codes = codes
        self._two_factor = two_factor
        self._known_devices = known_devices
        self._notices = notices
        self._open_session = open_session

    async def after_first_factor(
        self, user: User, attempt: SignInAttempt, *, by_code: bool = False
    ) -> SignedIn:
        """Open the session, or raise the second step the sign-in needs."""
        known = await self._known_devices.is_known(user.id, attempt.device_token)
        if await self._two_factor.enabled(user.id):
            await self._challenge(user, attempt, ChallengeKind.SECOND_FACTOR, known)
        if not by_code and not known and self._settings.new_device_confirmation:
            bindings = await self._store.bindings(user.id)
            failed: TidingsError | None = None
            # A channel turned off since the address was verified cannot confirm anything; one
            # that fails just now gives way to the other, and if both fail nobody gets in.
            for channel in (Channel.EMAIL, Channel.SMS):
                if channel in bindings and self._codes.available(channel):
                    try:
                        await self._confirm_device(user, attempt, channel, bindings[channel])
                    except TidingsError as error:
                        if error.code is not ErrorCode.CHANNEL_UNAVAILABLE:
                            raise
                        failed = error
            if failed is not None:
                raise failed
        return await self._complete(user, attempt, device_known=known)

    async def do_login_by_code(
        self, channel: Channel, raw_destination: str, code: str, attempt: SignInAttempt
    ) -> SignedIn:
        destination = self._codes.destination(channel, raw_destination)
        await self._codes.check(CodePurpose.LOGIN, channel, destination, code)
        owner = await self._store.owner(channel, destination)
        user = await self._accounts.user(owner) if owner is not None else None
        if user is None:
            raise invalid_code()
        if user.disabled:
            raise TidingsError(ErrorCode.ACCOUNT_DISABLED, "this account is disabled")
        return await self.after_first_factor(user, attempt, by_code=True)

    async def do_verify(
        self, challenge_token: str, code: str, method: str | None, remember: bool | None
    ) -> SignedIn:
        challenge = await self._live_challenge(challenge_token)
        if challenge.tries >= CHALLENGE_MAX_TRIES:
            raise TidingsError(
                ErrorCode.RATE_LIMITED,
                "too many wrong codes; start the sign-in again",
                details={"retry_after": 0},
            )
        allowed = await self._methods(challenge)
        chosen = allowed[0] if method is None else SecondStepMethod(method)
        if chosen not in allowed:
            raise TidingsError(
                ErrorCode.INVALID_INPUT, f"method: one of {', '.join(m.value for m in allowed)}"
            )
        # Reserved before the code is looked at (so a guess past the limit learns nothing),
        # given back when it is right: per user, since whoever has the password can start new
        # challenges at will.
        reservation = await self._limits.reserve(("sign_in_second_step", challenge.user_id))
        if await self._right(challenge, chosen, code):
            await self._limits.refund(reservation)
        else:
            if not await self._store.count_challenge_try(challenge.id, CHALLENGE_MAX_TRIES):
                raise TidingsError(
                    ErrorCode.RATE_LIMITED,
                    "too many wrong codes; start the sign-in again",
                    details={"retry_after": 0},
                )
            raise invalid_code()
        if not await self._store.spend_challenge(challenge.id, now_ms()):
            raise challenge_expired()
        user = await self._accounts.user(challenge.user_id)
        if user is None or user.disabled:
            raise TidingsError(ErrorCode.ACCOUNT_DISABLED, "this account is disabled")
        attempt = SignInAttempt(
            platform=challenge.platform,
            device_name=challenge.device_name,
            ip=challenge.ip,
            remember=challenge.remember if remember is None else remember,
        )
        return await self._complete(user, attempt, device_known=challenge.device_known)

    async def do_resend(self, challenge_token: str) -> None:
        """A new device confirmation code (the old one is void: only the newest counts)."""
        challenge = await self._live_challenge(challenge_token)
        sent = await self._store.code(challenge.code_id) if challenge.code_id else None
        if challenge.kind is not ChallengeKind.DEVICE_CONFIRMATION or sent is None:
            raise TidingsError(ErrorCode.CONFLICT, "only device confirmation codes are resent")
        code_id = await self._codes.send_now(
            CodePurpose.DEVICE, sent.channel, sent.destination, challenge.user_id, challenge.ip
        )
        await self._store.set_challenge_code(challenge.id, code_id)

    # The steps

    async def _confirm_device(
        self, user: User, attempt: SignInAttempt, channel: Channel, destination: str
    ) -> NoReturn:
        code_id = await self._codes.send_now(
            CodePurpose.DEVICE, channel, destination, user.id, attempt.ip
        )
        await self._challenge(
            user,
            attempt,
            ChallengeKind.DEVICE_CONFIRMATION,
            False,
            code_id=code_id,
            method=SecondStepMethod(channel.value),
            destination=mask_destination(channel, destination),
        )

    async def _challenge(
        self,
        user: User,
        attempt: SignInAttempt,
        kind: ChallengeKind,
        device_known: bool,
        *,
        code_id: int | None = None,
        method: SecondStepMethod | None = None,
        destination: str | None = None,
    ) -> NoReturn:
        """Store a challenge and raise the error that hands it to the client."""
        token, now = new_token(), now_ms()
        ttl = self._settings.sign_in_challenge_ttl_seconds
        await self._store.create_challenge(
            token_hash=token_hash(token),
            user_id=user.id,
            kind=kind,
            code_id=code_id,
            platform=attempt.platform,
            device_name=attempt.device_name,
            remember=attempt.remember,
            device_known=device_known,
            ip=attempt.ip,
            now=now,
            expires_at=now + ttl * 1000,
        )
        methods = _METHODS.get(kind) or ((method,) if method else ())
        details: dict[str, object] = {
            "challenge": token,
            "methods": [m.value for m in methods],
            "expires_in": ttl,
        }
        if destination is not None:
            details["destination"] = destination
        message = (
            "enter a code from your authenticator app or a recovery code"
            if kind is ChallengeKind.SECOND_FACTOR
            else "a new device: enter the code just sent to you"
        )
        raise TidingsError(ErrorCode(kind.value), message, details=details)

    async def _live_challenge(self, token: str) -> Challenge:
        challenge = await self._store.challenge(token_hash(token))
        if challenge is None or challenge.used_at is not None or challenge.expires_at <= now_ms():
            raise challenge_expired()
        return challenge

    async def _methods(self, challenge: Challenge) -> tuple[SecondStepMethod, ...]:
        if challenge.kind is ChallengeKind.SECOND_FACTOR:
            return _METHODS[challenge.kind]
        sent = await self._store.code(challenge.code_id) if challenge.code_id else None
        if sent is None:
            raise challenge_expired()
        return (SecondStepMethod(sent.channel.value),)

    async def _right(self, challenge: Challenge, method: SecondStepMethod, code: str) -> bool:
        if method is SecondStepMethod.TOTP:
            return await self._two_factor.check_totp(challenge.user_id, code)
        if method is SecondStepMethod.RECOVERY_CODE:
            return await self._two_factor.check_recovery_code(challenge.user_id, code)
        assert challenge.code_id is not None
        try:
            await self._codes.check_by_id(challenge.code_id, code)
        except TidingsError as error:
            if error.code is ErrorCode.INVALID_CODE:
                return False
            raise
        return True

    async def _complete(
        self, user: User, attempt: SignInAttempt, *, device_known: bool
    ) -> SignedIn:
        addresses = await self._store.session_addresses(user.id)
        signed_in = await self._open_session(user, attempt)
        # Nothing to compare the first sign-in ever with (an imported account's first one).
        new_place = bool(addresses) and place_of(attempt.ip) not in {
            place_of(address) for address in addresses
        }
        new_device = not device_known and bool(addresses)
        if new_device or new_place:
            system_id = await self._store.system_conversation_id(user.id)
            if system_id is not None:
                await self._notices.do_post_sign_in_notice(
                    system_id,
                    user.id,
                    device=f"{attempt.device_name or attempt.platform.value} "
                    f"({attempt.platform.value})",
                    ip=attempt.ip,
                    new_device=new_device,
                    new_place=new_place,
                )
        return signed_in
