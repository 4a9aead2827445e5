"""Who may open the WebSocket from a browser page, and who may read /metrics (issue 11).

Raw handshakes (no browser): a browser sends the page's Origin, which is all the server can
go by. /metrics is asked from loopback, as a trusted local proxy would for remote clients
(uvicorn takes X-Forwarded-For from 127.0.0.1 as the client address).

The network edge does not touch storage: these tests run on SQLite only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.support.attackers import open_websocket
from tests.support.server import ServerProcess
from tidings.domain.origins import origin_allowed, same_form

ALLOWED_ORIGIN = "https://app.example.com"
TOKEN = "scrape-3f9c2a1b7d"
SERVER_ENV = {
    "TIDINGS_WS_ALLOWED_ORIGINS": f"{ALLOWED_ORIGIN}, https://other.example.com:8443",
    "TIDINGS_METRICS_ALLOWED_NETWORKS": "127.0.0.0/8,::1,10.0.0.0/8",
    "TIDINGS_METRICS_TOKEN": TOKEN,
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("server"), env=SERVER_ENV)
    process.start()
    yield process
    process.stop()


@pytest.fixture
async def http(server: ServerProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        yield client


async def _handshake(server: ServerProcess, origin: str | None, host: str = "127.0.0.1") -> int:
    _, writer, answer = await open_websocket(server.port, origin=origin, host=host)
    writer.close()
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize(
    "origin",
    [
        None,  # an SDK or the CLI: not a browser
        "http://127.0.0.1:{port}",  # the server's own page
        "HTTP://127.0.0.1:{port}/",  # the same, spelled otherwise
        ALLOWED_ORIGIN,
        "https://app.example.com:443",  # its default port named
        "https://other.example.com:8443",
    ],
)
async def test_the_websocket_opens_for_its_own_and_allowed_origins(
    server: ServerProcess, origin: str | None
) -> None:
    sent = origin.format(port=server.port) if origin else None
    assert await _handshake(server, sent) == 101


async def test_the_own_origin_is_the_host_the_page_asked_for(server: ServerProcess) -> None:
    assert await _handshake(server, f"http://localhost:{server.port}", host="localhost") == 101


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "https://app.example.com.evil.example",
        "https://app.example.com:8443",  # an allowed host on another port
        "http://app.example.com",  # an allowed host over another scheme
        "http://127.0.0.1:1",  # the server's host on another port
        "null",  # a sandboxed frame or a file: page
        "",
    ],
)
async def test_a_foreign_origin_is_refused_at_the_handshake(
    server: ServerProcess, origin: str
) -> None:
    assert await _handshake(server, origin) == 403


async def test_a_refused_handshake_says_why(server: ServerProcess) -> None:
    reader, writer, answer = await open_websocket(server.port, origin="http://evil.example")
    body = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 403 ")
    assert b"origin" in body


async def test_metrics_are_served_to_allowed_networks(http: httpx.AsyncClient) -> None:
    for forwarded in (None, "10.20.30.40"):
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        response = await http.get("/metrics", headers=headers)
        assert response.status_code == 200, (forwarded, response.text)
        assert "tidings_connections" in response.text


@pytest.mark.parametrize("address", ["203.0.113.9", "192.168.1.5", "2001:db8::1", "not-an-ip"])
async def test_metrics_are_refused_to_other_addresses(
    http: httpx.AsyncClient, address: str
) -> None:
    response = await http.get("/metrics", headers={"X-Forwarded-For": address})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "tidings_" not in response.text


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (f"Bearer {TOKEN}", 200),
        (f"bearer {TOKEN}", 200),  # the scheme's case does not matter (RFC 9110 11.1)
        (f"Bearer {TOKEN.upper()}", 403),
        (f"Bearer {TOKEN}x", 403),
        ("Bearer", 403),
        ("Basic c2NyYXBlOg==", 403),
        (TOKEN, 403),
    ],
)
async def test_metrics_token_lets_other_addresses_in(
    http: httpx.AsyncClient, authorization: str, status: int
) -> None:
    response = await http.get(
        "/metrics", headers={"X-Forwarded-For": "203.0.113.9", "Authorization": authorization}
    )
    assert response.status_code == status


async def test_no_hsts_over_plain_http(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert "strict-transport-security" not in response.headers


async def test_hsts_when_a_trusted_proxy_ended_tls(http: httpx.AsyncClient) -> None:
    """nginx in front says X-Forwarded-Proto: https (tests/test_tls.py: TLS on the node)."""
    response = await http.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["strict-transport-security"] == "max-age=31536000"


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        ("http://[::1]:8080", "[::1]:8080", True),
        ("http://[::1]", "[::1]:80", True),
        ("http://[::1]:8080", "[::1]:8081", False),
        ("https://chat.example.com", "chat.example.com", True),
        ("https://chat.example.com", "chat.example.com:443", True),
        ("https://chat.example.com", "chat.example.com:8443", False),
        ("https://Chat.Example.com/", "chat.example.com", True),
        ("https://app.example.com", "chat.example.com", True),  # listed
        ("https://app.example.com:443", "chat.example.com", True),
        ("http://app.example.com", "chat.example.com", False),
        ("https://evil.example", None, False),
        ("null", "chat.example.com", False),
    ],
)
def test_origin_rules(origin: str, host: str | None, allowed: bool) -> None:
    listed = frozenset({same_form("https://app.example.com")})
    assert origin_allowed(origin, host, listed) is allowed
