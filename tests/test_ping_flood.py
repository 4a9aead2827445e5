"""A client that floods WebSocket pings and never reads the pongs (issue 11).

The server used to read such a client as fast as it could send and queue a pong for every
ping, past the 4 MiB cap replies and pushes have: its memory grew by about what the client
sent, without bound. Now every byte the gateway queues counts against the cap, the socket is
not read while the client does not read, an unauthenticated connection may send only a few
frames, and a connection stuck that way is closed by its heartbeat deadline.

The network edge does not touch storage: these tests run on SQLite only.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.attackers import RssWatch, ping_flood, rss_bytes
from tests.support.files import download_sha256, uploaded
from tests.support.server import ServerProcess
from tests.support.users import PASSWORD, register

# A connection that reads nothing (not even the pongs) sends no frame the server reads either:
# with a short heartbeat deadline, the test sees it closed while it still floods.
# (The first heartbeat check comes at the auth deadline: shortened too.)
SERVER_ENV = {"TIDINGS_HEARTBEAT_TIMEOUT_SECONDS": "3", "TIDINGS_AUTH_TIMEOUT_SECONDS": "2"}
FLOODERS = 4
FLOOD_SECONDS = 15.0
# What the flood may add to the server's resident memory. Fixed, it adds under 2 MiB (write
# buffers up to the high-water mark); unfixed, about the pongs of everything the server read:
# 40 to 100 MiB in 6 seconds on the shared 2-core VM (docs/benchmarks.md).
MAX_GROWTH_BYTES = 16 * 1024 * 1024
# Generous on purpose: sign-in and the download take well under a second; the bound only
# tells a server that still answers from one stalled by the flood.
SERVED_WITHIN_SECONDS = 5.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("server"), env=SERVER_ENV)
    process.start()
    yield process
    process.stop()


@pytest.mark.parametrize(
    ("authenticated", "with_requests"),
    [(False, False), (True, False), (True, True)],
    # With requests: one of them ends up waiting for the client to read its reply.
    ids=["anonymous", "signed_in", "signed_in_with_requests"],
)
async def test_ping_flood_keeps_memory_bounded_while_others_are_served(
    server: ServerProcess, authenticated: bool, with_requests: bool
) -> None:
    assert server.process is not None
    pid = server.process.pid
    owner = await register(server.base_url, "owner")
    await owner.http.close()
    data = os.urandom(2 * 1024 * 1024)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
        file_id = await uploaded(http, owner.token, data)
        tokens: list[str | None] = [None] * FLOODERS
        if authenticated:
            for index in range(FLOODERS):
                flooder = await register(server.base_url, "flooder")
                await flooder.http.close()
                tokens[index] = flooder.token
        await _sign_in_and_download(server.base_url, owner.account, file_id)  # warm up

        async with RssWatch(pid) as watch:
            floods = asyncio.gather(
                *(
                    ping_flood(server.port, FLOOD_SECONDS, token=token, with_requests=with_requests)
                    for token in tokens
                )
            )
            await asyncio.sleep(FLOOD_SECONDS / 3)
            # Meanwhile another user signs in and downloads a file.
            for seconds in await _sign_in_and_download(server.base_url, owner.account, file_id):
                assert seconds < SERVED_WITHIN_SECONDS
            results = await floods
        assert watch.peak_bytes - watch.start_bytes < MAX_GROWTH_BYTES, (
            f"RSS grew from {watch.start_bytes >> 20} MiB to {watch.peak_bytes >> 20} MiB"
        )
        assert rss_bytes(pid) - watch.start_bytes < MAX_GROWTH_BYTES
        # Closed while it still flooded and read nothing: anonymous at the 17th frame, signed
        # in by the heartbeat deadline (nothing it sends is read), each cut 5 s after the
        # close frame it does not read.
        assert all(flood.closed_while_flooding for flood in results), results
        assert sum(flood.sent_bytes for flood in results) > 0
        # The server is still up and serving.
        assert (await http.get("/healthz")).status_code == 200


async def _sign_in_and_download(base_url: str, account: str, file_id: str) -> list[float]:
    """Sign in and download the file, each on a new connection; how long each took."""
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        signed_in = await http.post(
            "/api/v1/auth/login", json={"account": account, "password": PASSWORD}
        )
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["token"]
    sign_in_seconds = time.monotonic() - started
    started = time.monotonic()
    status, _ = await download_sha256(base_url, f"/files/{file_id}", token)
    assert status == 200
    return [sign_in_seconds, time.monotonic() - started]
