"""Passwords (PRODUCT.md A1, A9; issue 11): the policy wherever a password is set, changing
one's password, and an admin's reset with the forced change that follows, over REST and
WebSocket, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests.support.raw import RawConnection, raw_connection
from tests.support.server import TIDINGS, ServerProcess
from tests.support.social import make_admin
from tests.support.users import PASSWORD, Person, register
from tidings.sdk import ServerError, TidingsHttp

NEW_PASSWORD = "quiet lantern orchard 42"


def _account(name: str) -> str:
    return f"{name}{uuid.uuid4().hex[:8]}"


async def _post(base_url: str, path: str, body: Any, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=base_url) as http:
        return await http.post(path, json=body, headers=headers)


async def _get(base_url: str, path: str, token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url) as http:
        return await http.get(path, headers={"Authorization": f"Bearer {token}"})


async def _login(base_url: str, account: str, password: str, **extra: Any) -> httpx.Response:
    return await _post(
        base_url, "/api/v1/auth/login", {"account": account, "password": password, **extra}
    )


async def _closed_with_signed_out(ws: RawConnection) -> str:
    """The reason of the signed_out push the connection gets before it closes."""
    reason = ""
    with pytest.raises(ConnectionClosed):
        while True:
            frame = await ws.next_frame()
            if frame.get("push") == "signed_out":
                reason = frame["data"]["reason"]
    return reason


# The policy


async def _register_status(base_url: str, account: str, password: str) -> httpx.Response:
    return await _post(
        base_url,
        "/api/v1/auth/register",
        {"account": account, "password": password, "nickname": "Pat"},
    )


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Zq9!", "too_short"),  # under TIDINGS_PASSWORD_MIN_LENGTH (8)
        ("password1", "too_guessable"),  # a top common password
        ("qwertyuiop", "too_guessable"),  # a keyboard walk
        ("aaaaaaaaaaaa", "too_guessable"),  # a repeat
        ("{account}", "contains_account"),  # the account itself
        ("Blue-{account}-Harbor-7", "contains_account"),  # the account inside it
    ],
)
async def test_register_refuses_a_weak_password_with_its_reason(
    base_url: str, password: str, reason: str
) -> None:
    account = _account("weak")
    response = await _register_status(base_url, account, password.format(account=account))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "weak_password"
    assert reason in error["details"]["reasons"]
    assert error["details"]["min_length"] == 8 and error["details"]["min_score"] == 2
    # Nothing was created: the account is still free.
    assert (await _register_status(base_url, account, PASSWORD)).status_code == 201


async def test_the_test_and_demo_passwords_pass_the_policy(base_url: str) -> None:
    for password in (PASSWORD, "correct-horse-battery", "tidings-demo", "bench password 1"):
        response = await _register_status(base_url, _account("ok"), password)
        assert response.status_code == 201, (password, response.text)


async def test_changing_to_a_weak_password_is_refused_and_the_old_one_stays(
    base_url: str, alice: Person
) -> None:
    for weak, reason in (
        ("12345678", "too_guessable"),
        ("short", "too_short"),
        (f"x{alice.account}x", "contains_account"),
    ):
        response = await _post(
            base_url,
            "/api/v1/me/password",
            {"current_password": PASSWORD, "new_password": weak},
            alice.token,
        )
        assert response.status_code == 422, response.text
        assert reason in response.json()["error"]["details"]["reasons"]
    same = await _post(
        base_url,
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": PASSWORD},
        alice.token,
    )
    assert same.status_code == 422 and same.json()["error"]["details"]["reasons"] == ["unchanged"]
    assert (await _login(base_url, alice.account, PASSWORD)).status_code == 200


async def test_admin_import_and_cli_create_apply_the_policy(
    server: ServerProcess, base_url: str, alice: Person
) -> None:
    await make_admin(server, alice)
    weak, strong = _account("impweak"), _account("impok")
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post(
            "/api/v1/admin/users/import?format=csv",
            content=(
                f"account,nickname,password\n{weak},Weak,password123\n{strong},Ok,{NEW_PASSWORD}\n"
            ).encode(),
            headers={"Authorization": f"Bearer {alice.token}", "Content-Type": "text/csv"},
        )
    assert response.status_code == 200, response.text
    rows = {row["account"]: row for row in response.json()["rows"]}
    assert rows[weak]["status"] == "rejected" and "too_guessable" in rows[weak]["reason"]
    assert rows[strong]["status"] == "added"

    async def cli(*args: str) -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            TIDINGS,
            *args,
            "--data-dir",
            str(server.data_dir),
            env=server.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), 60)
        return process.returncode or 0, output.decode()

    account = _account("cli")
    code, output = await cli("user", "create", account, "--password", "letmein1")
    assert code == 1 and "weak_password" in output, output
    code, output = await cli("user", "create", account, "--password", NEW_PASSWORD)
    assert code == 0 and "created user" in output, output
    assert (await _login(base_url, account, NEW_PASSWORD)).status_code == 200


# Changing one's password


async def test_change_password_signs_out_the_other_sessions_and_keeps_this_one(
    base_url: str,
) -> None:
    me = await register(base_url, "changer", platform="web")
    other = (await _login(base_url, me.account, PASSWORD, platform="desktop")).json()
    async with (
        raw_connection(base_url, other["token"]) as other_ws,
        raw_connection(base_url, me.token) as my_ws,
    ):
        response = await _post(
            base_url,
            "/api/v1/me/password",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            me.token,
        )
        assert response.status_code == 200, response.text
        assert response.json() == {"signed_out": 1}
        # The other session's connection is told and closed; this one stays.
        assert await _closed_with_signed_out(other_ws) == "password_changed"
        await my_ws.ok("ping")
    assert (await _get(base_url, "/api/v1/me", other["token"])).status_code == 401
    assert (await _get(base_url, "/api/v1/me", me.token)).status_code == 200
    assert (await _login(base_url, me.account, PASSWORD)).status_code == 401
    assert (await _login(base_url, me.account, NEW_PASSWORD)).status_code == 200
    await me.http.close()


async def test_change_password_may_keep_the_other_sessions(base_url: str) -> None:
    me = await register(base_url, "keeper", platform="web")
    other = (await _login(base_url, me.account, PASSWORD, platform="desktop")).json()
    response = await _post(
        base_url,
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "sign_out_others": False},
        me.token,
    )
    assert response.json() == {"signed_out": 0}
    assert (await _get(base_url, "/api/v1/me", other["token"])).status_code == 200
    await me.http.close()


async def test_a_wrong_current_password_is_refused(base_url: str, alice: Person) -> None:
    response = await _post(
        base_url,
        "/api/v1/me/password",
        {"current_password": "not my password", "new_password": NEW_PASSWORD},
        alice.token,
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert (await _login(base_url, alice.account, PASSWORD)).status_code == 200
    unauthenticated = await _post(
        base_url,
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert unauthenticated.status_code == 401


async def test_change_password_over_websocket(base_url: str) -> None:
    me = await register(base_url, "wschanger", platform="web")
    other = (await _login(base_url, me.account, PASSWORD, platform="desktop")).json()
    async with raw_connection(base_url, me.token) as ws:
        wrong = await ws.request(
            "me.change_password", {"current_password": "nope", "new_password": NEW_PASSWORD}
        )
        assert wrong["error"]["code"] == "invalid_credentials"
        weak = await ws.request(
            "me.change_password", {"current_password": PASSWORD, "new_password": "iloveyou"}
        )
        assert weak["error"]["code"] == "weak_password"
        assert weak["error"]["details"]["reasons"] == ["too_guessable"]
        done = await ws.ok(
            "me.change_password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
        )
        assert done == {"signed_out": 1}
        await ws.ok("ping")
    assert (await _get(base_url, "/api/v1/me", other["token"])).status_code == 401
    assert (await _login(base_url, me.account, NEW_PASSWORD)).status_code == 200
    await me.http.close()


async def test_wrong_current_passwords_count_as_failed_sign_ins(tmp_path: Path) -> None:
    """A stolen session cannot guess its way to the password: the sign-in throttle counts
    each wrong current password, and then refuses even the right one, and sign-ins."""
    server = ServerProcess(tmp_path / "data", env={"TIDINGS_LOGIN_ATTEMPTS": "3"})
    server.start()
    try:
        me = await register(server.base_url, "guessed")
        for _ in range(3):
            response = await _post(
                server.base_url,
                "/api/v1/me/password",
                {"current_password": "a guess", "new_password": NEW_PASSWORD},
                me.token,
            )
            assert response.json()["error"]["code"] == "invalid_credentials"
        right = await _post(
            server.base_url,
            "/api/v1/me/password",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            me.token,
        )
        assert right.status_code == 429 and right.json()["error"]["code"] == "rate_limited"
        login = await _login(server.base_url, me.account, PASSWORD)
        assert login.json()["error"]["code"] == "rate_limited"
        await me.http.close()
    finally:
        server.stop()


# An admin's reset


async def test_only_server_admins_reset_passwords(
    server: ServerProcess, base_url: str, alice: Person, bob: Person
) -> None:
    denied = await _post(base_url, f"/api/v1/admin/users/{bob.id}/reset-password", None, bob.token)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    denied = await _post(
        base_url, f"/api/v1/admin/users/{alice.id}/reset-password", None, bob.token
    )
    assert denied.status_code == 403
    # Nothing changed for alice ("api" sessions displace no other).
    assert (await _login(base_url, alice.account, PASSWORD, platform="api")).status_code == 200
    await make_admin(server, alice)
    missing = await _post(
        base_url, f"/api/v1/admin/users/{2**62}/reset-password", None, alice.token
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


async def _reset(base_url: str, admin: Person, user: Person) -> str:
    response = await _post(
        base_url, f"/api/v1/admin/users/{user.id}/reset-password", None, admin.token
    )
    assert response.status_code == 200, response.text
    one_time: str = response.json()["one_time_password"]
    return one_time


async def test_an_admin_reset_ends_every_session_and_forces_a_change(
    server: ServerProcess, base_url: str, alice: Person, bob: Person
) -> None:
    await make_admin(server, alice)
    second = (await _login(base_url, bob.account, PASSWORD, platform="desktop")).json()
    async with raw_connection(base_url, bob.token) as bob_ws:
        one_time = await _reset(base_url, alice, bob)
        assert await _closed_with_signed_out(bob_ws) == "password_reset"
    for token in (bob.token, second["token"]):
        assert (await _get(base_url, "/api/v1/me", token)).status_code == 401
    assert (await _login(base_url, bob.account, PASSWORD)).status_code == 401

    signed_in = (await _login(base_url, bob.account, one_time)).json()
    assert signed_in["password_change_required"] is True
    token = signed_in["token"]
    # Reading oneself is allowed; anything else is 403 password_change_required.
    assert (await _get(base_url, "/api/v1/me", token)).status_code == 200
    for method, path, body in (
        ("GET", "/api/v1/conversations", None),
        ("GET", "/api/v1/sessions", None),
        ("GET", f"/api/v1/users/{alice.id}", None),
        ("PATCH", "/api/v1/me", {"nickname": "Hijacked"}),
        ("POST", "/api/v1/conversations", {"type": "direct", "peer_id": alice.id}),
        ("GET", "/api/v1/org", None),
        ("GET", "/api/v1/storage", None),
    ):
        async with httpx.AsyncClient(base_url=base_url) as http:
            response = await http.request(
                method, path, json=body, headers={"Authorization": f"Bearer {token}"}
            )
        assert response.status_code == 403, (path, response.text)
        assert response.json()["error"]["code"] == "password_change_required", path
    # Uploads authenticate on their own path: refused the same way.
    async with httpx.AsyncClient(base_url=base_url) as http:
        upload = await http.post(
            "/files/",
            headers={
                "Authorization": f"Bearer {token}",
                "Tus-Resumable": "1.0.0",
                "Upload-Length": "3",
            },
        )
    assert upload.status_code == 403, upload.text

    # The WebSocket: the session authenticates, learns it must change the password, and
    # every other op is refused until it does; then the same connection works.
    async with raw_connection(base_url) as ws:
        hello = await ws.ok("auth", {"token": token})
        assert hello["password_change_required"] is True
        for op, data in (
            ("sync", {"private_seq": 0}),
            ("conversations.list", None),
            ("profile.get", {"user_id": alice.id}),
            ("sessions.list", None),
        ):
            assert await ws.error(op, data) == "password_change_required", op
        done = await ws.ok(
            "me.change_password", {"current_password": one_time, "new_password": NEW_PASSWORD}
        )
        assert done == {"signed_out": 0}
        listing = await ws.ok("conversations.list")
        assert isinstance(listing["conversations"], list)
    # The password is spent: it no longer signs in; the new one does, unrestricted.
    assert (await _login(base_url, bob.account, one_time)).status_code == 401
    fresh = (await _login(base_url, bob.account, NEW_PASSWORD, platform="api")).json()
    assert fresh["password_change_required"] is False
    assert (await _get(base_url, "/api/v1/conversations", token)).status_code == 200


async def test_a_forced_change_over_rest_frees_the_session(
    server: ServerProcess, base_url: str, alice: Person, bob: Person
) -> None:
    await make_admin(server, alice)
    one_time = await _reset(base_url, alice, bob)
    token = (await _login(base_url, bob.account, one_time)).json()["token"]
    async with raw_connection(base_url, token) as ws:
        assert await ws.error("conversations.list") == "password_change_required"
        response = await _post(
            base_url,
            "/api/v1/me/password",
            {"current_password": one_time, "new_password": NEW_PASSWORD},
            token,
        )
        assert response.status_code == 200, response.text
        # The connection opened before the change works now too.
        await ws.ok("conversations.list")
    assert (await _get(base_url, "/api/v1/conversations", token)).status_code == 200


async def test_a_session_that_must_change_its_password_may_sign_out(
    server: ServerProcess, base_url: str, alice: Person, bob: Person
) -> None:
    await make_admin(server, alice)
    one_time = await _reset(base_url, alice, bob)
    token = (await _login(base_url, bob.account, one_time)).json()["token"]
    response = await _post(base_url, "/api/v1/auth/logout", None, token)
    assert response.status_code == 204
    assert (await _get(base_url, "/api/v1/me", token)).status_code == 401
    token = (await _login(base_url, bob.account, one_time)).json()["token"]
    async with raw_connection(base_url, token) as ws:
        await ws.ok("logout")
    assert (await _get(base_url, "/api/v1/me", token)).status_code == 401


async def test_cli_reset_password_prints_a_one_time_password(
    server: ServerProcess, base_url: str, carol: Person
) -> None:
    process = await asyncio.create_subprocess_exec(
        TIDINGS,
        "user",
        "reset-password",
        carol.account,
        "--data-dir",
        str(server.data_dir),
        env=server.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, output.decode()
    line = next(x for x in output.decode().splitlines() if x.startswith("one-time password"))
    one_time = line.rsplit(" ", 1)[1]
    assert (await _get(base_url, "/api/v1/me", carol.token)).status_code == 401
    signed_in = (await _login(base_url, carol.account, one_time)).json()
    assert signed_in["password_change_required"] is True

    process = await asyncio.create_subprocess_exec(
        TIDINGS,
        "user",
        "reset-password",
        "nobody-" + uuid.uuid4().hex[:8],
        "--data-dir",
        str(server.data_dir),
        env=server.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1 and "not_found" in output.decode()


async def test_the_sdk_sees_the_codes(base_url: str) -> None:
    async with TidingsHttp(base_url) as http:
        with pytest.raises(ServerError) as refused:
            await http.register(_account("sdk"), "password", "Sdk")
        assert refused.value.code == "weak_password"
