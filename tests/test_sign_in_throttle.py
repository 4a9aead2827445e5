"""The sign-in throttle (issue 11), on SQLite and PostgreSQL.

- 200 guesses at once, the right password among them: at most the limit are checked (each
  checked guess answers ``invalid_credentials`` or signs in; the rest ``rate_limited``), and
  once locked the right password is refused too.
- The lock-out cannot be aimed at the owner: guesses from one address lock that address out
  of the account, not the owner's; guesses from many addresses lock the account, but not for
  the owner's known device.
- A device credential sent 8 times at once signs in exactly once.

Addresses are told apart by X-Forwarded-For, which uvicorn takes from 127.0.0.1 (its default
trusted proxy), as it would from a reverse proxy in front of the server.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

import httpx

from tests.support.users import PASSWORD, Person, register

PER_ACCOUNT_AND_ADDRESS = 5
PER_ACCOUNT = 12
SERVER_ENV = {
    "TIDINGS_RATE_SIGN_IN_ACCOUNT_ADDRESS": f"{PER_ACCOUNT_AND_ADDRESS}/1h",
    "TIDINGS_RATE_SIGN_IN_ACCOUNT": f"{PER_ACCOUNT}/1h",
    "TIDINGS_RATE_SIGN_IN_ADDRESS": "1000/1h",
    # Eight new sessions of one user must all be able to live at once, as in the report.
    "TIDINGS_SESSION_POLICY": "allow_all",
}


async def sign_in(
    http: httpx.AsyncClient, account: str, password: str, address: str, **extra: Any
) -> httpx.Response:
    return await http.post(
        "/api/v1/auth/login",
        json={"account": account, "password": password, **extra},
        headers={"X-Forwarded-For": address},
    )


def outcome(response: httpx.Response) -> str:
    if response.status_code == 200:
        return "signed_in"
    code = str(response.json()["error"]["code"])
    if code == "rate_limited":
        assert int(response.headers["Retry-After"]) >= 1
        assert response.json()["error"]["details"]["retry_after"] >= 1
    return code


async def test_concurrent_guesses_check_at_most_the_limit(base_url: str, alice: Person) -> None:
    guesses = [f"wrong guess {i}" for i in range(199)] + [PASSWORD]
    random.shuffle(guesses)
    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as http:
        answers = await asyncio.gather(
            *(sign_in(http, alice.account, guess, "10.1.0.1") for guess in guesses)
        )
        seen = Counter(outcome(a) for a in answers)
        # Wrong guesses checked never pass the limit. The right one, if it was checked, gave
        # its attempt back, so a wrong guess racing it may have taken that place.
        assert seen["invalid_credentials"] <= PER_ACCOUNT_AND_ADDRESS, seen
        assert seen["signed_in"] <= 1, seen
        assert seen["rate_limited"] >= 200 - PER_ACCOUNT_AND_ADDRESS - 1, seen
        # Whatever places are left are filled by as many more wrong guesses, and no more.
        for _ in range(PER_ACCOUNT_AND_ADDRESS - seen["invalid_credentials"]):
            assert outcome(await sign_in(http, alice.account, "wrong", "10.1.0.1")) == (
                "invalid_credentials"
            )
        # Locked: the right password is not even checked.
        right = await sign_in(http, alice.account, PASSWORD, "10.1.0.1")
        assert outcome(right) == "rate_limited"


async def test_guesses_cannot_lock_the_owner_out(base_url: str, bob: Person) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        owner = await sign_in(http, bob.account, PASSWORD, "10.2.0.1")
        device_token = owner.json()["device_token"]

        # From one address: that address is locked out of the account, the owner is not.
        for _ in range(PER_ACCOUNT_AND_ADDRESS):
            assert outcome(await sign_in(http, bob.account, "nope", "10.2.9.9")) == (
                "invalid_credentials"
            )
        assert outcome(await sign_in(http, bob.account, PASSWORD, "10.2.9.9")) == "rate_limited"
        assert outcome(await sign_in(http, bob.account, PASSWORD, "10.2.0.2")) == "signed_in"

        # From many addresses: the account is locked for new devices...
        answers = await asyncio.gather(
            *(sign_in(http, bob.account, "nope", f"10.3.0.{i}") for i in range(PER_ACCOUNT * 2))
        )
        assert Counter(outcome(a) for a in answers)["rate_limited"] >= PER_ACCOUNT
        new_device = await sign_in(http, bob.account, PASSWORD, "10.2.0.3")
        assert outcome(new_device) == "rate_limited"
        # ...but not for the owner's known device, from any address.
        known = await sign_in(http, bob.account, PASSWORD, "10.2.0.3", device_token=device_token)
        assert outcome(known) == "signed_in"
        assert known.json()["device_token"] == device_token
        # Even from the address the guesses came from (an office behind one address).
        same_place = await sign_in(
            http, bob.account, PASSWORD, "10.2.9.9", device_token=device_token
        )
        assert outcome(same_place) == "signed_in"
        # A token the server never issued is no way around the lock.
        forged = await sign_in(http, bob.account, PASSWORD, "10.2.0.3", device_token="f" * 43)
        assert outcome(forged) == "rate_limited"


async def test_a_right_password_does_not_count(base_url: str, carol: Person) -> None:
    """Sign-ins that succeed are given back: an office behind one address is not locked."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        for _ in range(PER_ACCOUNT_AND_ADDRESS * 3):
            assert outcome(await sign_in(http, carol.account, PASSWORD, "10.4.0.1")) == (
                "signed_in"
            )


async def test_a_device_credential_signs_in_once(base_url: str) -> None:
    owner = await register(base_url, "dave")
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        signed_in = await sign_in(http, owner.account, PASSWORD, "10.5.0.1", remember=True)
        credential = signed_in.json()["device_credential"]
        answers = await asyncio.gather(
            *(
                http.post("/api/v1/auth/device-login", json={"device_credential": credential})
                for _ in range(8)
            )
        )
        seen = Counter(outcome(a) for a in answers)
        assert seen == {"signed_in": 1, "invalid_token": 7}, seen
        # The one new session is live; the credential is spent for good.
        token = next(a.json()["token"] for a in answers if a.status_code == 200)
        me = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        again = await http.post("/api/v1/auth/device-login", json={"device_credential": credential})
        assert outcome(again) == "invalid_token"
    await owner.http.close()
