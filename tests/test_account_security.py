"""Codes, bound e-mail and phone, sign-in by code, password reset, TOTP, the second step of a
sign-in and security notices (PRODUCT.md A2, A5), against a real server on SQLite and
PostgreSQL, a real SMTP server (aiosmtpd) and the development SMS log."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest

from tests.support.security import SmtpServer, call, error_code, sms_code_for
from tests.support.server import DEV_SMS_ENV, ServerProcess
from tests.support.users import PASSWORD, Person, register
from tidings.sdk.errors import ServerError

SMTP = SmtpServer()
SERVER_ENV = {
    **DEV_SMS_ENV,
    "TIDINGS_SMTP_URL": SMTP.url,
    "TIDINGS_MAIL_FROM": "Tidings <noreply@tidings.test>",
    "TIDINGS_SESSION_POLICY": "allow_all",
    # Every test signs in from 127.0.0.1: the per-address limit is tested in
    # test_codes_limits.py with addresses of their own.
    "TIDINGS_RATE_CODE_SEND_ADDRESS": "100000/1h",
}


@pytest.fixture(scope="module", autouse=True)
def smtp() -> Iterator[SmtpServer]:
    SMTP.start()
    yield SMTP
    SMTP.stop()


def new_email() -> str:
    return f"u{uuid.uuid4().hex[:10]}@Example.com"


def new_phone() -> str:
    return "+86139" + str(uuid.uuid4().int)[:8]


async def bind_email(base_url: str, person: Person, email: str, count: int = 1) -> None:
    status, _ = await call(base_url, "POST", "/me/email", {"email": email}, token=person.token)
    assert status == 202
    code = await SMTP.inbox.code_for(email.lower(), count=count)
    status, body = await call(
        base_url, "POST", "/me/email/verify", {"code": code}, token=person.token
    )
    assert status == 200, body
    assert body["id"] == person.id


async def bind_phone(server: ServerProcess, person: Person, phone: str) -> None:
    status, _ = await call(
        server.base_url, "POST", "/me/phone", {"phone": phone}, token=person.token
    )
    assert status == 202
    code = await sms_code_for(server.data_dir, phone)
    status, body = await call(
        server.base_url, "POST", "/me/phone/verify", {"code": code}, token=person.token
    )
    assert status == 200, body


async def enrol_totp(base_url: str, person: Person) -> tuple[pyotp.TOTP, list[str]]:
    status, body = await call(base_url, "POST", "/me/totp", token=person.token)
    assert status == 200, body
    assert body["qr_svg"].startswith("<svg")
    assert body["otpauth_uri"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(body["secret"])
    status, body = await call(
        base_url, "POST", "/me/totp/confirm", {"code": totp.now()}, token=person.token
    )
    assert status == 200, body
    codes = body["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    return totp, codes


def next_step_code(totp: pyotp.TOTP) -> str:
    """The code of the next 30-second step (accepted for clock drift; the current one was
    spent by the enrolment)."""
    return totp.at(time.time() + 30)


async def password_login(base_url: str, person: Person, **extra: Any) -> tuple[int, dict[str, Any]]:
    return await call(
        base_url, "POST", "/auth/login", {"account": person.account, "password": PASSWORD, **extra}
    )


async def notices(base_url: str, token: str) -> list[dict[str, Any]]:
    _, listed = await call(base_url, "GET", "/conversations", token=token)
    (system,) = [c["id"] for c in listed["conversations"] if c["type"] == "system"]
    _, history = await call(base_url, "GET", f"/conversations/{system}/messages", token=token)
    return [m for m in history["messages"] if m["type"] == "notice"]


def sign_in_notices(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in found if m["body"]["title"] == "New sign-in to your account"]


# Binding and codes by e-mail (real SMTP) and SMS (development log)


async def test_bind_email_by_a_code_sent_over_smtp(base_url: str, alice: Person) -> None:
    email = new_email()
    await bind_email(base_url, alice, email)
    (mail,) = SMTP.inbox.to(email.lower())
    assert mail["From"] == "Tidings <noreply@tidings.test>"
    assert "Tidings" in mail["Subject"]
    status, security = await call(base_url, "GET", "/me/security", token=alice.token)
    assert status == 200
    assert security["email"] == email.lower() and security["email_verified"] is True
    assert security["phone"] is None and security["totp_enabled"] is False


async def test_sign_in_by_email_code(base_url: str, alice: Person) -> None:
    email = new_email()
    await bind_email(base_url, alice, email)
    status, _ = await call(
        base_url,
        "POST",
        "/auth/codes",
        {"purpose": "login", "channel": "email", "destination": email},
    )
    assert status == 202
    code = await SMTP.inbox.code_for(email.lower(), count=2)
    status, body = await call(
        base_url,
        "POST",
        "/auth/login/code",
        {"channel": "email", "destination": email, "code": code, "device_name": "phone"},
    )
    assert status == 200, body
    assert body["user"]["id"] == alice.id and body["token"] and body["device_token"]
    # Single use.
    status, body = await call(
        base_url,
        "POST",
        "/auth/login/code",
        {"channel": "email", "destination": email, "code": code},
    )
    assert (status, error_code(body)) == (401, "invalid_code")


async def test_sign_in_by_sms_code_from_the_development_log(
    server: ServerProcess, alice: Person
) -> None:
    phone = new_phone()
    await bind_phone(server, alice, phone)
    status, _ = await call(
        server.base_url,
        "POST",
        "/auth/codes",
        {"purpose": "login", "channel": "sms", "destination": phone},
    )
    assert status == 202
    code = await sms_code_for(server.data_dir, phone, count=2)
    status, body = await call(
        server.base_url,
        "POST",
        "/auth/login/code",
        {"channel": "sms", "destination": phone, "code": code},
    )
    assert status == 200, body
    assert body["user"]["id"] == alice.id
    _, security = await call(server.base_url, "GET", "/me/security", token=alice.token)
    assert security["phone"] == phone and security["phone_verified"] is True


async def test_wrong_code_then_five_tries_kill_the_code(base_url: str, alice: Person) -> None:
    email = new_email()
    await bind_email(base_url, alice, email)
    await call(
        base_url,
        "POST",
        "/auth/codes",
        {"purpose": "login", "channel": "email", "destination": email},
    )
    code = await SMTP.inbox.code_for(email.lower(), count=2)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    attempt = {"channel": "email", "destination": email, "code": wrong}
    for _ in range(5):
        status, body = await call(base_url, "POST", "/auth/login/code", attempt)
        assert (status, error_code(body)) == (401, "invalid_code")
    # The right code is dead now: five wrong tries used it up.
    status, body = await call(base_url, "POST", "/auth/login/code", {**attempt, "code": code})
    assert (status, error_code(body)) == (429, "rate_limited")


async def test_sends_per_destination_are_limited(base_url: str) -> None:
    email = new_email()
    ask = {"purpose": "login", "channel": "email", "destination": email}
    for _ in range(5):
        status, _ = await call(base_url, "POST", "/auth/codes", ask)
        assert status == 202
    status, body = await call(base_url, "POST", "/auth/codes", ask)
    assert (status, error_code(body)) == (429, "rate_limited")
    assert body["error"]["details"]["retry_after"] > 0


async def test_no_enumeration_of_destinations(base_url: str, alice: Person) -> None:
    bound, unbound = new_email(), new_email()
    await bind_email(base_url, alice, bound)
    answers = []
    for destination in (bound, unbound):
        for purpose in ("login", "reset_password"):
            answers.append(
                await call(
                    base_url,
                    "POST",
                    "/auth/codes",
                    {"purpose": purpose, "channel": "email", "destination": destination},
                )
            )
    assert answers == [(202, None)] * 4
    await SMTP.inbox.code_for(bound.lower(), count=3)
    await asyncio.sleep(0.3)
    assert SMTP.inbox.to(unbound.lower()) == []
    # Signing in with any code for an unbound address answers as a wrong code does.
    status, body = await call(
        base_url,
        "POST",
        "/auth/login/code",
        {"channel": "email", "destination": unbound, "code": "123456"},
    )
    assert (status, error_code(body)) == (401, "invalid_code")


async def test_a_verified_email_belongs_to_one_user_even_when_two_verify_at_once(
    base_url: str, alice: Person, bob: Person
) -> None:
    email = new_email()
    for person in (alice, bob):
        status, _ = await call(base_url, "POST", "/me/email", {"email": email}, token=person.token)
        assert status == 202
    code_a = await SMTP.inbox.code_for(email.lower(), count=1)
    code_b = await SMTP.inbox.code_for(email.lower(), count=2)
    # Which mail went to whom is not known: each tries both codes at once.
    results = await asyncio.gather(
        *(
            call(base_url, "POST", "/me/email/verify", {"code": code}, token=person.token)
            for person in (alice, bob)
            for code in (code_a, code_b)
        )
    )
    statuses = sorted(status for status, _ in results)
    assert statuses.count(200) == 1, results
    taken = [body for status, body in results if status == 409]
    assert taken and all(error_code(body) == "destination_taken" for body in taken)


async def test_unbind_needs_the_password(base_url: str, alice: Person) -> None:
    await bind_email(base_url, alice, new_email())
    status, body = await call(
        base_url, "DELETE", "/me/email", {"password": "not the password"}, token=alice.token
    )
    assert (status, error_code(body)) == (401, "invalid_credentials")
    unbind = {"password": PASSWORD}
    status, _ = await call(base_url, "DELETE", "/me/email", unbind, token=alice.token)
    assert status == 204
    _, security = await call(base_url, "GET", "/me/security", token=alice.token)
    assert security["email"] is None and security["email_verified"] is False


async def test_security_endpoints_need_a_session(base_url: str) -> None:
    for method, path, body in (
        ("GET", "/me/security", None),
        ("POST", "/me/email", {"email": new_email()}),
        ("POST", "/me/phone", {"phone": new_phone()}),
        ("POST", "/me/totp", None),
        ("DELETE", "/me/totp", {"password": PASSWORD}),
    ):
        status, answer = await call(base_url, method, path, body)
        assert (status, error_code(answer)) == (401, "unauthenticated")


# Password reset


async def test_reset_password_by_code_signs_out_every_session(base_url: str, alice: Person) -> None:
    email = new_email()
    await bind_email(base_url, alice, email)
    await call(
        base_url,
        "POST",
        "/auth/codes",
        {"purpose": "reset_password", "channel": "email", "destination": email},
    )
    code = await SMTP.inbox.code_for(email.lower(), count=2)
    reset = {"channel": "email", "destination": email, "code": code, "new_password": "short"}
    status, body = await call(base_url, "POST", "/auth/password/reset", reset)
    # The password policy judges before the code is spent: the same code still works.
    assert (status, error_code(body)) == (422, "weak_password")
    reset["new_password"] = "a brand new passphrase"
    status, _ = await call(base_url, "POST", "/auth/password/reset", reset)
    assert status == 204
    status, body = await call(base_url, "GET", "/me", token=alice.token)
    assert (status, error_code(body)) == (401, "invalid_token")
    status, body = await call(
        base_url,
        "POST",
        "/auth/login",
        {"account": alice.account, "password": "a brand new passphrase"},
    )
    # The e-mail is bound: this new device confirms a code.
    assert (status, error_code(body)) == (401, "device_confirmation_required")
    challenge = body["error"]["details"]["challenge"]
    status, body = await call(base_url, "POST", "/auth/password/reset", reset)
    assert (status, error_code(body)) == (401, "invalid_code")
    code = await SMTP.inbox.code_for(email.lower(), count=3)
    status, body = await call(
        base_url, "POST", "/auth/login/verify", {"challenge": challenge, "code": code}
    )
    assert status == 200, body
    (notice,) = [
        m
        for m in await notices(base_url, body["token"])
        if m["body"]["title"] == "Your password was reset"
    ]
    assert "1 session(s) were signed out" in notice["body"]["text"]


# TOTP


async def test_totp_sign_in_replay_and_recovery_codes(base_url: str, alice: Person) -> None:
    totp, recovery = await enrol_totp(base_url, alice)
    status, body = await password_login(base_url, alice)
    assert (status, error_code(body)) == (401, "second_factor_required")
    details = body["error"]["details"]
    assert details["methods"] == ["totp", "recovery_code"]
    assert details["expires_in"] == 300
    challenge = details["challenge"]
    status, body = await call(
        base_url, "POST", "/auth/login/verify", {"challenge": challenge, "code": "000000"}
    )
    assert (status, error_code(body)) == (401, "invalid_code")
    code = next_step_code(totp)
    status, body = await call(
        base_url, "POST", "/auth/login/verify", {"challenge": challenge, "code": code}
    )
    assert status == 200, body
    assert body["user"]["id"] == alice.id
    # The challenge is spent.
    status, body = await call(
        base_url, "POST", "/auth/login/verify", {"challenge": challenge, "code": code}
    )
    assert (status, error_code(body)) == (401, "challenge_expired")
    # The same TOTP code on a new sign-in: replay, refused.
    _, body = await password_login(base_url, alice)
    challenge = body["error"]["details"]["challenge"]
    status, body = await call(
        base_url, "POST", "/auth/login/verify", {"challenge": challenge, "code": code}
    )
    assert (status, error_code(body)) == (401, "invalid_code")
    # A recovery code works once.
    verify = {"challenge": challenge, "code": recovery[0].upper(), "method": "recovery_code"}
    status, body = await call(base_url, "POST", "/auth/login/verify", verify)
    assert status == 200, body
    _, body = await password_login(base_url, alice)
    verify["challenge"] = body["error"]["details"]["challenge"]
    status, body = await call(base_url, "POST", "/auth/login/verify", verify)
    assert (status, error_code(body)) == (401, "invalid_code")
    _, security = await call(base_url, "GET", "/me/security", token=alice.token)
    assert security["totp_enabled"] is True and security["recovery_codes_left"] == 9


async def test_totp_code_sign_in_also_asks_for_the_second_factor(
    base_url: str, alice: Person
) -> None:
    email = new_email()
    await bind_email(base_url, alice, email)
    await enrol_totp(base_url, alice)
    await call(
        base_url,
        "POST",
        "/auth/codes",
        {"purpose": "login", "channel": "email", "destination": email},
    )
    code = await SMTP.inbox.code_for(email.lower(), count=2)
    status, body = await call(
        base_url,
        "POST",
        "/auth/login/code",
        {"channel": "email", "destination": email, "code": code},
    )
    assert (status, error_code(body)) == (401, "second_factor_required")


async def test_disable_totp_needs_the_password(base_url: str, alice: Person) -> None:
    await enrol_totp(base_url, alice)
    status, body = await call(
        base_url, "DELETE", "/me/totp", {"password": "wrong password"}, token=alice.token
    )
    assert (status, error_code(body)) == (401, "invalid_credentials")
    disable = {"password": PASSWORD}
    status, _ = await call(base_url, "DELETE", "/me/totp", disable, token=alice.token)
    assert status == 204
    status, body = await password_login(base_url, alice)
    assert status == 200, body


async def test_new_recovery_codes_void_the_old_ones(base_url: str, alice: Person) -> None:
    totp, old = await enrol_totp(base_url, alice)
    status, body = await call(
        base_url,
        "POST",
        "/me/totp/recovery-codes",
        {"code": next_step_code(totp)},
        token=alice.token,
    )
    assert status == 200, body
    new = body["recovery_codes"]
    _, body = await password_login(base_url, alice)
    challenge = body["error"]["details"]["challenge"]
    verify = {"challenge": challenge, "code": old[0], "method": "recovery_code"}
    status, body = await call(base_url, "POST", "/auth/login/verify", verify)
    assert (status, error_code(body)) == (401, "invalid_code")
    status, body = await call(base_url, "POST", "/auth/login/verify", {**verify, "code": new[0]})
    assert status == 200, body


# Concurrency


async def test_one_challenge_verified_eight_times_at_once_gives_one_session(
    base_url: str, alice: Person
) -> None:
    _, recovery = await enrol_totp(base_url, alice)
    _, body = await password_login(base_url, alice)
    challenge = body["error"]["details"]["challenge"]
    results = await asyncio.gather(
        *(
            call(
                base_url,
                "POST",
                "/auth/login/verify",
                {"challenge": challenge, "code": code, "method": "recovery_code"},
            )
            for code in recovery[:8]
        )
    )
    assert [status for status, _ in results].count(200) == 1, results
    _, sessions = await call(base_url, "GET", "/sessions", token=alice.token)
    # The registration's session and the one sign-in.
    assert len(sessions["sessions"]) == 2


async def test_one_recovery_code_used_by_eight_sign_ins_at_once_works_once(
    base_url: str, alice: Person
) -> None:
    _, recovery = await enrol_totp(base_url, alice)
    challenges = []
    for _ in range(8):
        _, body = await password_login(base_url, alice)
        challenges.append(body["error"]["details"]["challenge"])
    results = await asyncio.gather(
        *(
            call(
                base_url,
                "POST",
                "/auth/login/verify",
                {"challenge": challenge, "code": recovery[0], "method": "recovery_code"},
            )
            for challenge in challenges
        )
    )
    assert [status for status, _ in results].count(200) == 1, results
    assert (
        sorted(error_code(body) for status, body in results if status != 200)
        == ["invalid_code"] * 7
    )


async def test_one_totp_code_used_by_eight_sign_ins_at_once_works_once(
    base_url: str, alice: Person
) -> None:
    totp, _ = await enrol_totp(base_url, alice)
    challenges = []
    for _ in range(8):
        _, body = await password_login(base_url, alice)
        challenges.append(body["error"]["details"]["challenge"])
    code = next_step_code(totp)
    results = await asyncio.gather(
        *(
            call(base_url, "POST", "/auth/login/verify", {"challenge": c, "code": code})
            for c in challenges
        )
    )
    assert [status for status, _ in results].count(200) == 1, results


# A new device confirms a code; security notices


async def test_new_device_confirms_a_code_sent_to_the_verified_email(
    base_url: str, alice: Person
) -> None:
    email = new_email()
    await bind_email(base_url, alice, email)
    status, body = await password_login(base_url, alice, device_name="Laptop")
    assert (status, error_code(body)) == (401, "device_confirmation_required")
    details = body["error"]["details"]
    assert details["methods"] == ["email"]
    assert details["destination"] == f"{email[0].lower()}***@example.com"
    code = await SMTP.inbox.code_for(email.lower(), count=2)
    # A resend voids the first code.
    status, _ = await call(
        base_url, "POST", "/auth/login/resend", {"challenge": details["challenge"]}
    )
    assert status == 204
    second = await SMTP.inbox.code_for(email.lower(), count=3)
    if second != code:
        status, body = await call(
            base_url,
            "POST",
            "/auth/login/verify",
            {"challenge": details["challenge"], "code": code},
        )
        assert (status, error_code(body)) == (401, "invalid_code")
    status, body = await call(
        base_url, "POST", "/auth/login/verify", {"challenge": details["challenge"], "code": second}
    )
    assert status == 200, body
    assert body["user"]["id"] == alice.id
    # The new device posted a security notice.
    found = sign_in_notices(await notices(base_url, body["token"]))
    assert len(found) == 1 and "a new device" in found[0]["body"]["text"]
    assert "Laptop" in found[0]["body"]["text"]


async def test_a_known_device_skips_the_confirmation(base_url: str, alice: Person) -> None:
    email = new_email()
    await bind_email(base_url, alice, email)
    _, body = await password_login(base_url, alice)
    challenge = body["error"]["details"]["challenge"]
    code = await SMTP.inbox.code_for(email.lower(), count=2)
    status, body = await call(
        base_url, "POST", "/auth/login/verify", {"challenge": challenge, "code": code}
    )
    assert status == 200
    device_token = body["device_token"]
    status, body = await password_login(base_url, alice, device_token=device_token)
    assert status == 200, body
    assert body["device_token"] == device_token
    # The device was new once (one notice), and known the second time (none more).
    assert len(sign_in_notices(await notices(base_url, body["token"]))) == 1
    # Another device is asked again.
    status, body = await password_login(base_url, alice)
    assert (status, error_code(body)) == (401, "device_confirmation_required")


async def test_without_a_verified_address_a_new_device_is_not_asked(
    base_url: str, alice: Person
) -> None:
    status, body = await password_login(base_url, alice)
    assert status == 200, body


async def test_a_sign_in_from_a_new_place_posts_a_notice(base_url: str) -> None:
    # Registered from 127.0.0.1; signs in from 127.0.9.1, another /24.
    person = await register(base_url, "traveller")
    status, body = await call(
        base_url,
        "POST",
        "/auth/login",
        {"account": person.account, "password": PASSWORD},
        local_address="127.0.9.1",
    )
    assert status == 200, body
    found = sign_in_notices(await notices(base_url, person.token))
    assert len(found) == 1 and "a new place" in found[0]["body"]["text"]
    assert "127.0.9.1" in found[0]["body"]["text"]
    await person.http.close()


# The same actions over the WebSocket


async def test_bind_and_totp_over_the_websocket(server: ServerProcess, alice: Person) -> None:
    phone = new_phone()
    async with alice.client(server.base_url) as ws:
        assert await ws.request("me.phone.bind", {"phone": phone}) is None
        code = await sms_code_for(server.data_dir, phone)
        with pytest.raises(ServerError) as wrong:
            await ws.request("me.phone.verify", {"code": f"{(int(code) + 1) % 10**6:06d}"})
        assert wrong.value.code == "invalid_code"
        assert (await ws.request("me.phone.verify", {"code": code}))["id"] == alice.id
        started = await ws.request("me.totp.start")
        totp = pyotp.TOTP(started["secret"])
        confirmed = await ws.request("me.totp.confirm", {"code": totp.now()})
        assert len(confirmed["recovery_codes"]) == 10
        security = await ws.request("me.security")
        assert security["phone"] == phone and security["phone_verified"] is True
        assert security["totp_enabled"] is True and security["recovery_codes_left"] == 10
        with pytest.raises(ServerError) as denied:
            await ws.request("me.totp.disable", {"password": "not it"})
        assert denied.value.code == "invalid_credentials"
        assert await ws.request("me.totp.disable", {"password": PASSWORD}) is None
        assert await ws.request("me.phone.unbind", {"password": PASSWORD}) is None
        security = await ws.request("me.security")
        assert security["phone"] is None and security["totp_enabled"] is False


async def test_bad_input_gets_stable_codes(base_url: str, alice: Person) -> None:
    for body in (
        {"purpose": "bind", "channel": "email", "destination": new_email()},
        {"purpose": "device", "channel": "email", "destination": new_email()},
        {"purpose": "login", "channel": "pigeon", "destination": new_email()},
        {"purpose": "login", "channel": "email", "destination": "not an address"},
        {"purpose": "login", "channel": "sms", "destination": "call me"},
        {"purpose": "login", "channel": "email", "destination": new_email(), "extra": 1},
    ):
        status, answer = await call(base_url, "POST", "/auth/codes", body)
        assert (status, error_code(answer)) == (422, "invalid_input"), body
    status, answer = await call(
        base_url, "POST", "/auth/login/verify", {"challenge": "x" * 40, "code": "123456"}
    )
    assert (status, error_code(answer)) == (401, "challenge_expired")
    status, answer = await call(base_url, "POST", "/auth/login/resend", {"challenge": "nope"})
    assert (status, error_code(answer)) == (401, "challenge_expired")
    status, answer = await call(
        base_url, "POST", "/me/totp/confirm", {"code": "123456"}, token=alice.token
    )
    assert (status, error_code(answer)) == (409, "conflict")
    status, answer = await call(
        base_url, "POST", "/me/email/verify", {"code": "123456"}, token=alice.token
    )
    assert (status, error_code(answer)) == (401, "invalid_code")
    status, answer = await call(
        base_url, "DELETE", "/me/phone", {"password": PASSWORD}, token=alice.token
    )
    assert (status, error_code(answer)) == (404, "not_found")
