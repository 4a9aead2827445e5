"""A real Janus (Debian's package, scripts/ensure-janus.sh) for the group call tests
(decision 0078): its configuration written by tidings.janus_local into a temp directory, its
WebSocket API on a free loopback port, with an API secret."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.server import free_port
from tidings.janus_local import command, write_config

SECRET = "the-janus-secret"


@dataclass(frozen=True)
class Janus:
    url: str
    secret: str
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def env(self) -> dict[str, str]:
        """What a Tidings server needs to use it."""
        return {"TIDINGS_JANUS_URL": self.url, "TIDINGS_JANUS_API_SECRET": self.secret}


@contextmanager
def running_janus(directory: Path, secret: str = SECRET) -> Iterator[Janus]:
    port = free_port()
    write_config(directory, port=port, api_secret=secret, debug_level=3)
    log = directory / "janus.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(command(directory), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"janus exited early:\n{log.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"janus did not start:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.05)
        yield Janus(f"ws://127.0.0.1:{port}", secret, log, process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
