"""Codes expire, and sends are limited per address: a server of its own with a short code
life and a small per-address allowance (clients use addresses of their own in 127/8)."""

from __future__ import annotations

import asyncio
import uuid

import pyotp

from tests.support.security import call, error_code, sms_code_for
from tests.support.server import DEV_SMS_ENV, ServerProcess, free_port
from tests.support.users import Person

SERVER_ENV = {
    **DEV_SMS_ENV,
    # Nothing listens there.
    "TIDINGS_SMTP_URL": f"smtp://127.0.0.1:{free_port()}",
    "TIDINGS_CODE_TTL_SECONDS": "2",
    "TIDINGS_RATE_CODE_SEND_ADDRESS": "3/1h",
    "TIDINGS_RATE_SIGN_IN_SECOND_STEP": "3/1h",
    "TIDINGS_SIGN_IN_CHALLENGE_TTL_SECONDS": "2",
}


def new_phone() -> str:
    return "+1555" + str(uuid.uuid4().int)[:7]


async def test_an_expired_code_is_refused(server: ServerProcess, alice: Person) -> None:
    phone = new_phone()
    status, _ = await call(
        server.base_url,
        "POST",
        "/me/phone",
        {"phone": phone},
        token=alice.token,
        local_address="127.0.3.1",
    )
    assert status == 202
    code = await sms_code_for(server.data_dir, phone)
    await asyncio.sleep(2.5)
    status, body = await call(
        server.base_url, "POST", "/me/phone/verify", {"code": code}, token=alice.token
    )
    assert (status, error_code(body)) == (401, "invalid_code")


async def test_sends_per_address_are_limited(server: ServerProcess) -> None:
    address = f"127.0.{4 + (uuid.uuid4().int % 200)}.7"
    for _ in range(3):
        status, _ = await call(
            server.base_url,
            "POST",
            "/auth/codes",
            {"purpose": "login", "channel": "sms", "destination": new_phone()},
            local_address=address,
        )
        assert status == 202
    status, body = await call(
        server.base_url,
        "POST",
        "/auth/codes",
        {"purpose": "login", "channel": "sms", "destination": new_phone()},
        local_address=address,
    )
    assert (status, error_code(body)) == (429, "rate_limited")
    assert body["error"]["details"]["retry_after"] > 0
    # Another address is not affected.
    status, _ = await call(
        server.base_url,
        "POST",
        "/auth/codes",
        {"purpose": "login", "channel": "sms", "destination": new_phone()},
        local_address="127.0.250.7",
    )
    assert status == 202


async def test_an_expired_challenge_is_refused(server: ServerProcess, alice: Person) -> None:
    phone = new_phone()
    await call(server.base_url, "POST", "/me/phone", {"phone": phone}, token=alice.token)
    code = await sms_code_for(server.data_dir, phone)
    status, _ = await call(
        server.base_url, "POST", "/me/phone/verify", {"code": code}, token=alice.token
    )
    assert status == 200
    status, body = await call(
        server.base_url,
        "POST",
        "/auth/login",
        {"account": alice.account, "password": "correct horse battery"},
    )
    assert (status, error_code(body)) == (401, "device_confirmation_required")
    assert body["error"]["details"]["methods"] == ["sms"]
    code = await sms_code_for(server.data_dir, phone, count=2)
    await asyncio.sleep(2.5)
    status, body = await call(
        server.base_url,
        "POST",
        "/auth/login/verify",
        {"challenge": body["error"]["details"]["challenge"], "code": code},
    )
    assert (status, error_code(body)) == (401, "challenge_expired")


async def test_wrong_second_step_codes_are_limited_per_user_across_challenges(
    server: ServerProcess, alice: Person
) -> None:
    base_url = server.base_url
    status, body = await call(base_url, "POST", "/me/totp", token=alice.token)
    totp = pyotp.TOTP(body["secret"])
    status, body = await call(
        base_url, "POST", "/me/totp/confirm", {"code": totp.now()}, token=alice.token
    )
    assert status == 200, body
    recovery = body["recovery_codes"]

    async def challenge() -> str:
        status, body = await call(
            base_url,
            "POST",
            "/auth/login",
            {"account": alice.account, "password": "correct horse battery"},
        )
        assert (status, error_code(body)) == (401, "second_factor_required")
        return str(body["error"]["details"]["challenge"])

    # Each challenge allows five tries, but the user's allowance (3 here) spans challenges.
    for _ in range(3):
        status, body = await call(
            base_url,
            "POST",
            "/auth/login/verify",
            {"challenge": await challenge(), "code": "000000"},
        )
        assert (status, error_code(body)) == (401, "invalid_code")
    verify = {"challenge": await challenge(), "code": recovery[0], "method": "recovery_code"}
    status, body = await call(base_url, "POST", "/auth/login/verify", verify)
    assert (status, error_code(body)) == (429, "rate_limited")
    assert body["error"]["details"]["retry_after"] > 0


async def test_a_mail_server_that_is_down_answers_channel_unavailable(
    server: ServerProcess, alice: Person
) -> None:
    # SMTP_URL points at a closed port: the channel is on, the mail server is not.
    status, body = await call(
        server.base_url, "POST", "/me/email", {"email": "ann@example.com"}, token=alice.token
    )
    assert (status, error_code(body)) == (503, "channel_unavailable")
    # Asking for a sign-in code still answers as always (no enumeration), and the server is up.
    status, _ = await call(
        server.base_url,
        "POST",
        "/auth/codes",
        {"purpose": "login", "channel": "email", "destination": "ann@example.com"},
        local_address="127.0.251.1",
    )
    assert status == 202
    status, _ = await call(server.base_url, "GET", "/me/security", token=alice.token)
    assert status == 200
