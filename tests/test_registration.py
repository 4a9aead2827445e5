"""Registration as a setting (issue 11): ``TIDINGS_REGISTRATION`` open, invite_only (the
default) or closed; admins' registration invites, their uses counted atomically on SQLite and
on two nodes sharing PostgreSQL; ``GET /auth/options``; the demo under the default."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import (
    TIDINGS,
    RedisProcess,
    ServerProcess,
    new_pg_database,
    remove_pg_database,
)
from tests.support.users import PASSWORD

ADMIN_PASSWORD = "steady admin lighthouse"


def _account(name: str) -> str:
    return f"{name}{uuid.uuid4().hex[:8]}"


def _server(data_dir: Path, registration: str | None, **env: str) -> ServerProcess:
    """A server with this registration setting; None leaves it unset (the default)."""
    process = ServerProcess(data_dir, env=env)
    process.env.pop("TIDINGS_REGISTRATION", None)
    if registration is not None:
        process.env["TIDINGS_REGISTRATION"] = registration
    return process


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def default_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """A server left at the default registration setting, on both storage engines."""
    env: dict[str, str] = {}
    database = None
    if request.param == "postgresql":
        database = new_pg_database()
        env["TIDINGS_DATABASE_URL"] = database
    process = _server(tmp_path_factory.mktemp("registration"), None, **env)
    process.start()
    yield process
    process.stop()
    if database is not None:
        remove_pg_database(database)


async def _cli(server: ServerProcess, *args: str) -> str:
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
    assert process.returncode == 0, output.decode()
    return output.decode()


async def _token(base_url: str, account: str, password: str) -> str:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post(
            "/api/v1/auth/login",
            json={"account": account, "password": password, "platform": "api"},
        )
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


async def _user(server: ServerProcess, *, admin: bool) -> str:
    """A user made as an operator makes one (the CLI); their token."""
    account = _account("admin" if admin else "plain")
    await _cli(
        server,
        "user",
        "create",
        account,
        "--password",
        ADMIN_PASSWORD,
        *(["--admin"] if admin else []),
    )
    return await _token(server.base_url, account, ADMIN_PASSWORD)


async def _call(
    base_url: str, method: str, path: str, token: str | None = None, body: Any = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        return await http.request(method, path, json=body, headers=headers)


async def _register(
    base_url: str, invite_code: str | None = None, *, password: str = PASSWORD
) -> httpx.Response:
    body: dict[str, Any] = {"account": _account("new"), "password": password, "nickname": "New"}
    if invite_code is not None:
        body["invite_code"] = invite_code
    return await _call(base_url, "POST", "/api/v1/auth/register", body=body)


async def _invite(base_url: str, admin: str, **body: Any) -> dict[str, Any]:
    response = await _call(base_url, "POST", "/api/v1/admin/registration-invites", admin, body)
    assert response.status_code == 201, response.text
    invite: dict[str, Any] = response.json()
    return invite


def _refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code, response.text


# The default: invite_only


async def test_the_default_is_invite_only_and_options_say_so(
    default_server: ServerProcess,
) -> None:
    base_url = default_server.base_url
    options = await _call(base_url, "GET", "/api/v1/auth/options")
    assert options.status_code == 200
    assert options.json() == {
        "registration": "invite_only",
        "sms_enabled": False,
        "email_enabled": False,
        "oidc": None,  # single sign-on is off until configured
    }
    _refused(await _register(base_url), 403, "invalid_invite")
    _refused(await _register(base_url, "NOSUCHCODE"), 403, "invalid_invite")


async def test_only_server_admins_manage_registration_invites(
    default_server: ServerProcess,
) -> None:
    base_url = default_server.base_url
    plain, admin = await _user(default_server, admin=False), await _user(default_server, admin=True)
    path = "/api/v1/admin/registration-invites"
    _refused(await _call(base_url, "POST", path, plain, {"max_uses": 5}), 403, "forbidden")
    _refused(await _call(base_url, "GET", path, plain), 403, "forbidden")
    invite = await _invite(base_url, admin)
    _refused(await _call(base_url, "DELETE", f"{path}/{invite['code']}", plain), 403, "forbidden")
    _refused(await _call(base_url, "POST", path, None, {}), 401, "unauthenticated")
    # The invite the plain user tried to delete still works.
    assert (await _register(base_url, invite["code"])).status_code == 201


async def test_an_invite_lets_max_uses_people_register_then_is_used_up(
    default_server: ServerProcess,
) -> None:
    base_url = default_server.base_url
    admin = await _user(default_server, admin=True)
    invite = await _invite(base_url, admin, max_uses=2)
    assert invite["max_uses"] == 2 and invite["uses"] == 0 and invite["expires_at"] is not None
    # A registration that fails (a weak password) gives its use back.
    _refused(await _register(base_url, invite["code"], password="password"), 422, "weak_password")
    first = await _register(base_url, invite["code"].lower())  # typed by hand, any case
    assert first.status_code == 201, first.text
    assert (await _register(base_url, invite["code"])).status_code == 201
    _refused(await _register(base_url, invite["code"]), 403, "invalid_invite")
    listing = await _call(base_url, "GET", "/api/v1/admin/registration-invites", admin)
    found = next(i for i in listing.json()["invites"] if i["code"] == invite["code"])
    assert found["uses"] == 2
    # The people who registered sign in as anyone does.
    assert await _token(base_url, first.json()["user"]["account"], PASSWORD)


async def test_an_expired_or_deleted_invite_is_refused(default_server: ServerProcess) -> None:
    base_url = default_server.base_url
    admin = await _user(default_server, admin=True)
    expiring = await _invite(base_url, admin, max_uses=5, expires_in_seconds=1)
    await asyncio.sleep(1.2)
    _refused(await _register(base_url, expiring["code"]), 403, "invalid_invite")

    deleted = await _invite(base_url, admin, max_uses=5, expires_in_seconds=None)
    assert deleted["expires_at"] is None
    path = f"/api/v1/admin/registration-invites/{deleted['code']}"
    assert (await _call(base_url, "DELETE", path, admin)).status_code == 204
    _refused(await _register(base_url, deleted["code"]), 403, "invalid_invite")
    _refused(await _call(base_url, "DELETE", path, admin), 404, "not_found")


async def test_bad_invite_input_is_invalid_input(default_server: ServerProcess) -> None:
    base_url = default_server.base_url
    admin = await _user(default_server, admin=True)
    path = "/api/v1/admin/registration-invites"
    for body in ({"max_uses": 0}, {"max_uses": "3"}, {"expires_in_seconds": -5}, {"x": 1}):
        _refused(await _call(base_url, "POST", path, admin, body), 422, "invalid_input")


async def test_cli_invite_create_prints_a_code_that_registers(
    default_server: ServerProcess,
) -> None:
    output = await _cli(
        default_server, "invite", "create", "--max-uses", "1", "--expires-in", "600"
    )
    code = next(x for x in output.splitlines() if x.startswith("invite code:")).split()[-1]
    assert (await _register(default_server.base_url, code)).status_code == 201
    _refused(await _register(default_server.base_url, code), 403, "invalid_invite")


async def _race(urls: list[str], code: str, count: int) -> Counter[str]:
    """``count`` registrations with one code at once, spread over ``urls``."""
    responses = await asyncio.gather(*(_register(urls[i % len(urls)], code) for i in range(count)))
    outcome: Counter[str] = Counter()
    for response in responses:
        outcome["201" if response.status_code == 201 else response.json()["error"]["code"]] += 1
    return outcome


async def test_concurrent_registrations_never_exceed_max_uses(
    default_server: ServerProcess,
) -> None:
    base_url = default_server.base_url
    admin = await _user(default_server, admin=True)
    invite = await _invite(base_url, admin, max_uses=3)
    assert await _race([base_url], invite["code"], 20) == {"201": 3, "invalid_invite": 17}
    listing = await _call(base_url, "GET", "/api/v1/admin/registration-invites", admin)
    assert next(i for i in listing.json()["invites"] if i["code"] == invite["code"])["uses"] == 3


@pytest.mark.postgres
async def test_concurrent_registrations_on_two_nodes_never_exceed_max_uses(
    tmp_path: Path,
) -> None:
    redis = RedisProcess()
    redis.start()
    database = new_pg_database()
    env = {"TIDINGS_DATABASE_URL": database, "TIDINGS_REDIS_URL": redis.url}
    nodes = [_server(tmp_path / f"node{i}", None, **env, TIDINGS_NODE_ID=f"n{i}") for i in (0, 1)]
    try:
        for node in nodes:
            node.start()
        admin = await _user(nodes[0], admin=True)
        for _ in range(3):
            invite = await _invite(nodes[1].base_url, admin, max_uses=3)
            outcome = await _race([n.base_url for n in nodes], invite["code"], 20)
            assert outcome == {"201": 3, "invalid_invite": 17}
    finally:
        for node in nodes:
            node.stop()
        remove_pg_database(database)
        redis.stop()


# open and closed


async def test_open_registration_needs_no_code(tmp_path: Path) -> None:
    server = _server(tmp_path / "data", "open")
    server.start()
    try:
        options = await _call(server.base_url, "GET", "/api/v1/auth/options")
        assert options.json()["registration"] == "open"
        assert (await _register(server.base_url)).status_code == 201
    finally:
        server.stop()


async def test_closed_registration_refuses_everyone_but_admins_still_create(
    tmp_path: Path,
) -> None:
    server = _server(tmp_path / "data", "closed")
    server.start()
    try:
        base_url = server.base_url
        options = await _call(base_url, "GET", "/api/v1/auth/options")
        assert options.json()["registration"] == "closed"
        _refused(await _register(base_url), 403, "registration_closed")
        # Not even with an invite: closed means accounts come from admins only.
        output = await _cli(server, "invite", "create")
        code = next(x for x in output.splitlines() if x.startswith("invite code:")).split()[-1]
        _refused(await _register(base_url, code), 403, "registration_closed")
        admin = await _user(server, admin=True)
        me = await _call(base_url, "GET", "/api/v1/me", admin)
        assert me.status_code == 200
    finally:
        server.stop()


async def test_the_demo_signs_in_under_the_default(tmp_path: Path) -> None:
    """``make run`` (``tidings serve --demo``) keeps working although nobody may register."""
    server = _server(tmp_path / "data", None, TIDINGS_DEMO="true")
    server.start()
    try:
        for account in ("alice", "bob", "carol"):
            assert await _token(server.base_url, account, "tidings-demo")
        _refused(await _register(server.base_url), 403, "invalid_invite")
    finally:
        server.stop()
