"""Account security in plain types: channels, code purposes, destinations and their masks."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum

from tidings.domain.accounts import Platform
from tidings.domain.errors import ErrorCode, TidingsError


class Channel(StrEnum):
    """How a code travels: an e-mail or an SMS."""

    EMAIL = "email"
    SMS = "sms"


class CodePurpose(StrEnum):
    LOGIN = "login"
    RESET_PASSWORD = "reset_password"  # noqa: S105 (a purpose, not a password)
    # Proving one owns an e-mail address or phone number being bound to the account.
    BIND = "bind"
    # Confirming a sign-in from a new device (the second step).
    DEVICE = "device"


class ChallengeKind(StrEnum):
    """Why a sign-in waits for a second step; the value is the error code the client gets."""

    SECOND_FACTOR = "second_factor_required"
    DEVICE_CONFIRMATION = "device_confirmation_required"


class SecondStepMethod(StrEnum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery_code"
    EMAIL = "email"
    SMS = "sms"


# Deliberately loose: one @, no spaces, a dot in the domain. The code sent proves the rest.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
# E.164: an optional +, then 6 to 15 digits once spaces, dashes, dots and brackets are gone.
_PHONE = re.compile(r"^\+?[0-9]{6,15}$")


def normalize_destination(channel: Channel, raw: str) -> str:
    """The form a destination is stored, compared and sent to in; ``invalid_input`` if it
    cannot be one."""
    if channel is Channel.EMAIL:
        value = raw.strip().lower()
        if len(value) > 254 or not _EMAIL.match(value):
            raise TidingsError(ErrorCode.INVALID_INPUT, "destination: not an e-mail address")
        return value
    value = re.sub(r"[\s().-]", "", raw)
    if not _PHONE.match(value):
        raise TidingsError(ErrorCode.INVALID_INPUT, "destination: not a phone number")
    return value


def mask_destination(channel: Channel, destination: str) -> str:
    """What a sign-in screen may show of where the code went: a***@example.com, ******1234."""
    if channel is Channel.EMAIL:
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain}"
    return "*" * max(len(destination) - 4, 0) + destination[-4:]


def place_of(ip: str) -> str:
    """The network a sign-in came from: its /24 (IPv4) or /48 (IPv6); the address itself if
    it is not one (a Unix socket, a test client)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


@dataclass(frozen=True, slots=True)
class SignInAttempt:
    """Where a sign-in comes from, kept while it waits for its second step."""

    platform: Platform
    device_name: str
    ip: str
    remember: bool
    # The known-device token the client sent, if any (docs/protocol.md "Known devices").
    device_token: str | None = None
    # For the audit log's sign-in entry (decision 0052).
    user_agent: str = ""
