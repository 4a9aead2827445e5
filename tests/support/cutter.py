"""A TCP proxy in front of the server that cuts connections at random points.

What a flaky network does to a long upload or download: the connection dies after some
number of bytes, with a reset, mid-request. The proxy cuts the first ``cuts`` connections
that carry more than their random budget, then passes everything through. It records the
``Upload-Offset`` of every PATCH it forwards, so a test can see where clients resumed.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re

_OFFSET = re.compile(rb"(?im)^upload-offset:\s*(\d+)\r?$")


class CuttingProxy:
    def __init__(
        self, target_port: int, *, cuts: int, low: int, high: int, seed: int | None = None
    ) -> None:
        self.target_port = target_port
        self.cuts_left = cuts
        self.low, self.high = low, high
        self.rng = random.Random(seed)
        self.cut_at: list[int] = []  # bytes through each cut connection
        self.patch_offsets: list[int] = []
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> CuttingProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self._stopping = True
        if self._server is not None:
            self._server.close()
        while self._tasks:
            for writer in list(self._writers):
                writer.transport.abort()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(client_w)
        try:
            if self._stopping:
                client_w.transport.abort()
                client_w.close()
                return
            await self._relay(client_r, client_w)
        finally:
            self._writers.discard(client_w)
            self._tasks.discard(task)

    async def _relay(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        budget: int | None = None
        if self.cuts_left > 0:
            budget = self.rng.randint(self.low, self.high)
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_w.transport.abort()
            client_w.close()
            return
        self._writers.add(server_w)
        moved = [0]
        cut = asyncio.Event()

        async def pump(
            src: asyncio.StreamReader, dst: asyncio.StreamWriter, *, sniff: bool
        ) -> None:
            first = sniff
            try:
                while not cut.is_set():
                    data = await src.read(256 * 1024)
                    if not data:
                        break
                    if first and data.startswith(b"PATCH "):
                        match = _OFFSET.search(data[:8192])
                        if match:
                            self.patch_offsets.append(int(match.group(1)))
                    first = False
                    moved[0] += len(data)
                    if budget is not None and moved[0] > budget and self.cuts_left > 0:
                        # Forward part of this read, then reset both sides mid-stream.
                        dst.write(data[: len(data) // 2])
                        self.cuts_left -= 1
                        self.cut_at.append(moved[0])
                        cut.set()
                        break
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                if cut.is_set():
                    client_w.transport.abort()
                    server_w.transport.abort()
                else:
                    with contextlib.suppress(Exception):
                        dst.write_eof()

        await asyncio.gather(
            pump(client_r, server_w, sniff=True), pump(server_r, client_w, sniff=False)
        )
        self._writers.discard(server_w)
        for writer in (client_w, server_w):
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
