"""Slow and silent clients are timed out (issue 11, decision 0028).

Slowloris clients that send their request head or body a byte every second or so, and
connections that send nothing, used to be held forever. Now a request head (a WebSocket
handshake included) must arrive within the header deadline, a request body within the body
deadline (uploads excepted: they stream as long as bytes keep coming), and a WebSocket must
authenticate within an absolute deadline that pings and garbage frames do not extend.

The network edge does not touch storage: these tests run on SQLite only.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.attackers import slowloris
from tests.support.files import OFFSET_TYPE, auth, create
from tests.support.raw import ws_url
from tests.support.server import ServerProcess
from tests.support.users import PASSWORD, register
from tidings.domain.events import CloseCode
from tidings.gateway.websocket import MAX_FRAMES_BEFORE_AUTH

DEADLINE = 2
SERVER_ENV = {
    "TIDINGS_HEADER_TIMEOUT_SECONDS": str(DEADLINE),
    "TIDINGS_BODY_TIMEOUT_SECONDS": str(DEADLINE),
    "TIDINGS_AUTH_TIMEOUT_SECONDS": str(DEADLINE),
    "TIDINGS_KEEP_ALIVE_SECONDS": "7",
}
HTTPX_KEEP_ALIVE = 5  # httpx's keepalive_expiry: the SDK reuses connections idle this long
# How long a test waits for the server to hang up before calling it held forever: far past
# every deadline above, so a loaded machine does not make it fail.
HELD_FOREVER = 6 * DEADLINE
SLOWLORIS_CONNECTIONS = 50
FRAME_LIMIT = 64 * 1024  # TIDINGS_MAX_FRAME_BYTES

HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\nAccept: */*\r\n\r\n"
UPGRADE = (
    b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)
# An upload without credentials: refused before its body is read.
REFUSED_UPLOAD = (
    b"POST /files/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
    b"Upload-Length: 1000000\r\nContent-Type: application/offset+octet-stream\r\n"
    b"Content-Length: 1000000\r\n\r\n" + b"x" * 100
)
SIGN_IN_BODY = b'{"account": "nobody", "password": "' + b"x" * 100 + b'"}'
SLOW_BODY = (
    b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(SIGN_IN_BODY), SIGN_IN_BODY)
)


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


async def test_many_slowloris_heads_are_closed_while_others_are_served(
    server: ServerProcess, http: httpx.AsyncClient
) -> None:
    person = await register(server.base_url, "patient")
    await person.http.close()
    attacks = asyncio.gather(
        *(
            slowloris(server.port, HEAD, every=1.0, limit=HELD_FOREVER)
            for _ in range(SLOWLORIS_CONNECTIONS)
        )
    )
    await asyncio.sleep(DEADLINE / 2)
    # Meanwhile others are served, on new connections.
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as other:
        assert (await other.get("/healthz")).status_code == 200
        signed_in = await other.post(
            "/api/v1/auth/login", json={"account": person.account, "password": PASSWORD}
        )
        assert signed_in.status_code == 200, signed_in.text
    closed = await attacks
    assert all(closed), f"{closed.count(False)} slow connections were never closed"


@pytest.mark.parametrize(
    "request_bytes",
    [b"", HEAD, UPGRADE, SLOW_BODY, REFUSED_UPLOAD],
    ids=["silent", "slow_head", "slow_websocket_handshake", "slow_body", "refused_upload_body"],
)
async def test_a_slow_or_silent_client_is_closed(
    server: ServerProcess, request_bytes: bytes
) -> None:
    assert await slowloris(server.port, request_bytes, every=1.0, limit=HELD_FOREVER)


async def test_a_slow_head_gets_408_request_timeout(server: ServerProcess) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    async with asyncio.timeout(HELD_FOREVER):
        answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert b'"code":"request_timeout"' in answer


async def test_a_keep_alive_connection_gets_a_fresh_header_deadline(
    server: ServerProcess,
) -> None:
    """Requests one after another on one connection are each timed on their own."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    for _ in range(3):
        await asyncio.sleep(DEADLINE * 0.6)  # 1.8 deadlines in all, under the keep-alive
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = await asyncio.wait_for(reader.readuntil(b'{"status":"ok"}'), HELD_FOREVER)
        assert answer.startswith(b"HTTP/1.1 200 ")
    writer.close()


async def test_an_idle_keep_alive_connection_outlives_the_clients_own_idle_time(
    server: ServerProcess,
) -> None:
    """A client may reuse a connection it kept idle for its whole keep-alive time: the server
    keeps it longer (with both at 5 s, a request raced the server's close and got
    "disconnected without sending a response"); past the server's time it is closed."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    await asyncio.wait_for(reader.readuntil(b'{"status":"ok"}'), HELD_FOREVER)
    await asyncio.sleep(HTTPX_KEEP_ALIVE + 0.5)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = await asyncio.wait_for(reader.readuntil(b'{"status":"ok"}'), HELD_FOREVER)
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert await asyncio.wait_for(reader.read(), HELD_FOREVER) == b""  # closed at 7 s idle
    writer.close()


async def test_an_upload_slower_than_the_body_deadline_completes(
    server: ServerProcess, http: httpx.AsyncClient
) -> None:
    """Uploads stream for as long as bytes keep coming (many GB take hours)."""
    person = await register(server.base_url, "uploader")
    await person.http.close()
    pieces = [os.urandom(64 * 1024) for _ in range(4)]
    created = await create(http, person.token, sum(map(len, pieces)))
    assert created.status_code == 201, created.text

    async def slowly() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece
            await asyncio.sleep(DEADLINE * 0.75)  # 3 deadlines in all

    patched = await http.patch(
        created.headers["location"],
        content=slowly(),
        headers=auth(
            person.token,
            **OFFSET_TYPE,
            **{"Upload-Offset": "0", "Content-Length": str(sum(map(len, pieces)))},
        ),
    )
    assert patched.status_code == 204, patched.text
    assert patched.headers["upload-offset"] == str(sum(map(len, pieces)))


@pytest.mark.parametrize("frames", ["pings", "heartbeats", "garbage"])
async def test_an_unauthenticated_websocket_is_closed_at_the_absolute_deadline(
    server: ServerProcess, frames: str
) -> None:
    """Even while it keeps sending: a frame every fifth of the deadline, within the frame
    budget, would take 3 deadlines; the close comes while it still sends."""
    async with connect(ws_url(server.base_url), ping_interval=None) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(MAX_FRAMES_BEFORE_AUTH):
                if frames == "pings":
                    await ws.ping()
                elif frames == "heartbeats":
                    await ws.send('{"id": 1, "op": "ping"}')
                else:
                    await ws.send("garbage")
                await asyncio.sleep(DEADLINE / 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == CloseCode.AUTH_TIMEOUT


async def test_too_many_frames_before_auth_close_the_connection(server: ServerProcess) -> None:
    async with connect(ws_url(server.base_url), ping_interval=None) as ws:
        for _ in range(MAX_FRAMES_BEFORE_AUTH + 1):
            await ws.ping()
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(HELD_FOREVER):
                while True:
                    await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == CloseCode.POLICY


async def test_an_authenticated_websocket_lives_past_the_auth_deadline(
    server: ServerProcess,
) -> None:
    person = await register(server.base_url, "talker")
    await person.http.close()
    async with connect(ws_url(server.base_url), ping_interval=None) as ws:
        await ws.send(orjson.dumps({"id": 1, "op": "auth", "data": {"token": person.token}}))
        assert '"ok":true' in await ws.recv()
        await asyncio.sleep(DEADLINE * 1.5)
        await ws.send('{"id": 2, "op": "ping"}')
        assert '"ok":true' in await ws.recv()


async def test_before_auth_a_frame_over_the_frame_limit_closes_the_connection(
    server: ServerProcess,
) -> None:
    """An anonymous client may not make the server buffer more than one frame's limit
    (after auth such a frame gets a frame_too_large reply; test_bad_input.py)."""
    async with connect(ws_url(server.base_url), ping_interval=None, max_size=None) as ws:
        await ws.send(" " * (FRAME_LIMIT + 1))
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(HELD_FOREVER):
                await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009
