"""A real coturn (Debian's `turnserver`, scripts/ensure-coturn.sh) for the call tests: TURN
over UDP on a free port, checking the TURN REST API credentials the server hands out
(`use-auth-secret`, decision 0074)."""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


def machine_address() -> str:
    """This machine's address on its default route (no packet is sent), else loopback:
    Chromium gathers candidates on real interfaces, not on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("0.0.0.0", 0))
        return int(s.getsockname()[1])


class _Coturn:
    """One turnserver on a fixed address and port, which a test may stop and start again
    (a TURN relay that goes away and comes back: the ICE restart test)."""

    def __init__(self, directory: Path, secret: str, address: str, port: int) -> None:
        turnserver = shutil.which("turnserver")
        if turnserver is None:
            raise RuntimeError("coturn is not installed: run scripts/ensure-coturn.sh")
        self.log = directory / "turnserver.log"
        self.address, self.port = address, port
        self._args = [
            turnserver,
            "--listening-ip", address,
            "--relay-ip", address,
            "--listening-port", str(port),
            "--min-port", "49160",
            "--max-port", "49460",
            "--use-auth-secret",
            "--static-auth-secret", secret,
            "--realm", "tidings.test",
            "--no-tls",
            "--no-dtls",
            "--no-tcp",
            "--no-cli",
            "--allow-loopback-peers",
            "--verbose",
            "--log-file", "stdout",
            "--pidfile", str(directory / "turnserver.pid"),
            "--userdb", str(directory / "turndb"),
        ]  # fmt: skip
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if self._process is not None:
            return
        with self.log.open("ab") as output:
            process = subprocess.Popen(self._args, stdout=output, stderr=subprocess.STDOUT)
        self._process = process
        deadline = time.monotonic() + 15
        while not _answers_stun(self.address, self.port):
            if process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                text = self.log.read_text(errors="replace") if self.log.exists() else ""
                raise RuntimeError(f"turnserver did not start: {text[-2000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class Turn:
    address: str
    port: int
    secret: str
    log: Path
    server: _Coturn = field(repr=False, compare=False)

    @property
    def url(self) -> str:
        return f"turn:{self.address}:{self.port}?transport=udp"

    def stop(self) -> None:
        """The relay goes away: every allocation on it is lost."""
        self.server.stop()

    def start(self) -> None:
        """The relay comes back, on the same address and port (with no allocations)."""
        self.server.start()


@contextmanager
def running_coturn(directory: Path, secret: str) -> Iterator[Turn]:
    server = _Coturn(directory, secret, machine_address(), free_udp_port())
    server.start()
    try:
        yield Turn(server.address, server.port, secret, server.log, server)
    finally:
        server.stop()


def _answers_stun(address: str, port: int) -> bool:
    """Whether a STUN binding request (RFC 5389) gets its success response."""
    request = struct.pack("!HHI12s", 0x0001, 0, 0x2112A442, os.urandom(12))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(0.3)
        try:
            probe.sendto(request, (address, port))
            reply, _ = probe.recvfrom(2048)
        except OSError:
            return False
    return len(reply) >= 20 and struct.unpack("!H", reply[:2])[0] == 0x0101
