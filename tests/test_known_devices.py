"""Known devices (issue 11): every sign-in returns a ``device_token``; presenting it again
keeps the device known (the same token comes back); a token of another user, or one the
server never issued, is not known and a new one is issued."""

from __future__ import annotations

import httpx

from tests.support.users import PASSWORD, Person


async def login(base_url: str, account: str, **extra: object) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post(
            "/api/v1/auth/login", json={"account": account, "password": PASSWORD, **extra}
        )
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


async def test_every_sign_in_returns_a_device_token_that_stays_known(
    base_url: str, alice: Person, bob: Person
) -> None:
    first = await login(base_url, alice.account)
    token = first["device_token"]
    assert isinstance(token, str) and len(token) >= 32
    again = await login(base_url, alice.account, device_token=token)
    assert again["device_token"] == token
    # Bob's sign-in with Alice's token: not Bob's device, so Bob gets a token of his own.
    bobs = await login(base_url, bob.account, device_token=token)
    assert bobs["device_token"] != token
    forged = await login(base_url, alice.account, device_token="x" * 43)
    assert forged["device_token"] not in (token, "x" * 43)


async def test_register_and_device_login_return_device_tokens(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        registered = (
            await http.post(
                "/api/v1/auth/register",
                json={
                    "account": "devices_owner",
                    "password": PASSWORD,
                    "nickname": "Owner",
                    "remember": True,
                },
            )
        ).json()
        token = registered["device_token"]
        resumed = await http.post(
            "/api/v1/auth/device-login",
            json={"device_credential": registered["device_credential"], "device_token": token},
        )
        assert resumed.status_code == 200, resumed.text
        assert resumed.json()["device_token"] == token
        too_long = await http.post(
            "/api/v1/auth/login",
            json={"account": "devices_owner", "password": PASSWORD, "device_token": "x" * 129},
        )
        assert too_long.status_code == 422
        assert too_long.json()["error"]["code"] == "invalid_input"
