"""Helpers for the account-security tests: a real SMTP server, the dev SMS log, raw calls."""

from __future__ import annotations

import asyncio
import re
import time
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.support.server import free_port

CODE = re.compile(r"\b(\d{6})\b")


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(content)))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for rcpts, m in self.messages if address in rcpts]

    async def code_for(self, address: str, *, count: int = 1, within: float = 10) -> str:
        """The code in the ``count``-th message to ``address`` (waiting for it)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                body = found[count - 1].get_payload(decode=True)
                assert isinstance(body, bytes)
                match = CODE.search(body.decode())
                assert match, body
                return match.group(1)
            await asyncio.sleep(0.02)
        raise AssertionError(f"no mail #{count} to {address}")


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


async def sms_code_for(data_dir: Path, phone: str, *, count: int = 1, within: float = 10) -> str:
    """The code of the ``count``-th development SMS to ``phone`` (<data_dir>/dev-sms.log)."""
    path = data_dir / "dev-sms.log"
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if path.exists():
            codes = [
                line.split()[1]
                for line in path.read_text().splitlines()
                if line.split()[0] == phone
            ]
            if len(codes) >= count:
                return codes[count - 1]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no SMS #{count} to {phone}")


async def call(
    base_url: str,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = None,
    local_address: str | None = None,
) -> tuple[int, Any]:
    """One request; the status and the decoded body (None when empty)."""
    transport = httpx.AsyncHTTPTransport(local_address=local_address) if local_address else None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=base_url, transport=transport, timeout=30) as http:
        response = await http.request(method, f"/api/v1{path}", json=body, headers=headers)
    return response.status_code, (response.json() if response.content else None)


def error_code(body: Any) -> str:
    return str(body["error"]["code"])
