"""Account security's plain parts, without a server: destinations, masks, places, code and
TOTP helpers, the SMTP URL."""

from __future__ import annotations

import time

import pyotp
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.security import Inbox
from tests.support.server import free_port
from tidings.auth import totp
from tidings.auth.codes import code_digest, code_matches, new_code, recovery_code_hash
from tidings.auth.delivery import Mailer, SmtpServer
from tidings.domain.errors import TidingsError
from tidings.domain.security import Channel, mask_destination, normalize_destination, place_of


def test_destinations_are_normalized_or_refused() -> None:
    assert normalize_destination(Channel.EMAIL, " Ann.Lee@Example.COM ") == "ann.lee@example.com"
    assert normalize_destination(Channel.SMS, "+86 139-1234 (5678)") == "+8613912345678"
    for channel, bad in (
        (Channel.EMAIL, "no-at-sign"),
        (Channel.EMAIL, "a@b"),
        (Channel.EMAIL, "two@@example.com"),
        (Channel.SMS, "12345"),
        (Channel.SMS, "+86 139 abc"),
        (Channel.SMS, "1" * 16),
    ):
        with pytest.raises(TidingsError):
            normalize_destination(channel, bad)


def test_masks_show_little() -> None:
    assert mask_destination(Channel.EMAIL, "ann@example.com") == "a***@example.com"
    assert mask_destination(Channel.SMS, "+8613912345678") == "**********5678"


def test_places_are_slash_24_and_slash_48() -> None:
    assert place_of("203.0.113.7") == place_of("203.0.113.200") == "203.0.113.0/24"
    assert place_of("203.0.114.7") != place_of("203.0.113.7")
    assert place_of("2001:db8:1:2::1") == place_of("2001:db8:1:ffff::9") == "2001:db8:1::/48"
    assert place_of("::ffff:203.0.113.9") == "203.0.113.0/24"
    assert place_of("testclient") == "testclient"


def test_codes_are_six_digits_and_compared_by_hmac() -> None:
    codes = {new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes) and len(codes) > 150
    digest = code_digest("salt", "123456")
    assert code_matches("salt", digest, "123456")
    assert not code_matches("salt", digest, "123457")
    assert not code_matches("other", digest, "123456")
    assert recovery_code_hash("1F3A-9C0B 77de") == recovery_code_hash("1f3a9c0b77de")


def test_totp_step_matching_allows_one_step_of_drift() -> None:
    secret = pyotp.random_base32()
    now = time.time()
    step = int(now) // 30
    generator = pyotp.TOTP(secret)
    assert totp.matching_step(secret, generator.at(now), now) == step
    assert totp.matching_step(secret, generator.at(now - 30), now) == step - 1
    assert totp.matching_step(secret, generator.at(now + 30), now) == step + 1
    assert totp.matching_step(secret, generator.at(now + 90), now) is None
    assert totp.matching_step(secret, "12345", now) is None
    assert totp.matching_step(secret, "abcdef", now) is None


def test_smtp_urls() -> None:
    plain = SmtpServer.from_url("smtp://mail.example.com")
    assert (plain.hostname, plain.port, plain.use_tls, plain.start_tls) == (
        "mail.example.com",
        25,
        False,
        False,
    )
    upgraded = SmtpServer.from_url("smtp://me%40x.com:p%3Ass@mail.example.com:587?starttls=true")
    assert (upgraded.username, upgraded.password, upgraded.port, upgraded.start_tls) == (
        "me@x.com",
        "p:ss",
        587,
        True,
    )
    tls = SmtpServer.from_url("smtps://mail.example.com")
    assert (tls.port, tls.use_tls) == (465, True)


# A test server on loopback: AUTH without TLS is what is being tested.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_the_mailer_signs_in_to_the_smtp_server() -> None:
    seen: list[tuple[bytes, bytes]] = []

    def authenticator(
        server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        seen.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret:pw")

    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    try:
        mailer = Mailer(
            SmtpServer.from_url(f"smtp://ops%40corp:s3cret%3Apw@127.0.0.1:{port}"),
            "Tidings <t@corp>",
        )
        await mailer.send("ann@example.com", "Code", "Your Tidings code is 424242.")
        assert seen == [(b"ops@corp", b"s3cret:pw")]
        assert await inbox.code_for("ann@example.com") == "424242"
    finally:
        controller.stop()
