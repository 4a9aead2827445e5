"""TLS by configuration (issue 11): the real server with TIDINGS_TLS_CERTFILE/KEYFILE and a
self-signed certificate made by openssl, spoken to over https:// and wss://.

The network edge does not touch storage: this runs on SQLite only.
"""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake

from tests.support.raw import RawConnection, raw_connection
from tests.support.server import ServerProcess
from tests.support.users import PASSWORD


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, valid for a day."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    directory = tmp_path_factory.mktemp("server")
    cert, key = make_certificate(directory)
    trust = ssl.create_default_context(cafile=str(cert))
    env = {"TIDINGS_TLS_CERTFILE": str(cert), "TIDINGS_TLS_KEYFILE": str(key)}
    process = ServerProcess(directory, env=env, tls=trust)
    process.start()
    yield process
    process.stop()


@pytest.fixture
async def https(server: ServerProcess) -> AsyncIterator[httpx.AsyncClient]:
    assert server.tls is not None
    async with httpx.AsyncClient(base_url=server.base_url, verify=server.tls, timeout=30) as http:
        yield http


async def _register(https: httpx.AsyncClient, name: str) -> tuple[int, str]:
    account = f"{name}{uuid.uuid4().hex[:8]}"
    response = await https.post(
        "/api/v1/auth/register", json={"account": account, "password": PASSWORD, "nickname": name}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return int(body["user"]["id"]), str(body["token"])


async def test_https_serves_rest_with_hsts(server: ServerProcess, https: httpx.AsyncClient) -> None:
    assert server.base_url.startswith("https://")
    health = await https.get("/healthz")
    assert health.status_code == 200
    assert health.headers["strict-transport-security"] == "max-age=31536000"
    _, token = await _register(https, "secure")
    me = await https.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    assert me.headers["strict-transport-security"] == "max-age=31536000"
    # Errors carry it too.
    missing = await https.get("/api/v1/me")
    assert missing.status_code == 401
    assert "strict-transport-security" in missing.headers


async def test_plain_http_is_not_served_on_the_tls_port(server: ServerProcess) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        with pytest.raises(httpx.HTTPError):
            await http.get(f"http://127.0.0.1:{server.port}/healthz")


async def test_an_untrusted_certificate_is_refused_by_clients(server: ServerProcess) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"{server.base_url}/healthz")


async def test_wss_authenticates_sends_and_receives(
    server: ServerProcess, https: httpx.AsyncClient
) -> None:
    alice_id, alice_token = await _register(https, "alice")
    bob_id, bob_token = await _register(https, "bob")
    url = server.base_url.replace("https://", "wss://", 1) + "/ws"
    async with (
        connect(url, ssl=server.tls) as alice_ws,
        connect(url, ssl=server.tls) as bob_ws,
    ):
        alice, bob = RawConnection(alice_ws), RawConnection(bob_ws)
        assert (await alice.ok("auth", {"token": alice_token}))["user"]["id"] == alice_id
        assert (await bob.ok("auth", {"token": bob_token}))["user"]["id"] == bob_id
        conversation = await alice.ok("conversation.open_direct", {"peer_id": bob_id})
        sent = await alice.ok(
            "send",
            {
                "conversation_id": conversation["id"],
                "client_msg_id": "over-tls-1",
                "type": "text",
                "body": {"text": "sealed 🔒"},
            },
        )
        async with asyncio.timeout(10):
            while not any(
                push["push"] == "entry" and push["data"]["id"] == sent["id"] for push in bob.pushes
            ):
                bob.pushes.append(await bob.next_frame())
        entry = next(push["data"] for push in bob.pushes if push["push"] == "entry")
        assert entry["body"] == {"text": "sealed 🔒"} and entry["sender_id"] == alice_id


async def test_plain_ws_is_not_served_on_the_tls_port(server: ServerProcess) -> None:
    with pytest.raises(InvalidHandshake):
        async with raw_connection(f"http://127.0.0.1:{server.port}", open_timeout=5):
            pass
