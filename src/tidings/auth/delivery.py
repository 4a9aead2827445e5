"""Delivering codes: e-mail over SMTP (aiosmtplib), SMS through a provider.

``TIDINGS_SMTP_URL`` names the mail server: ``smtp://user:pass@host:587?starttls=true``
(plain, or upgraded with STARTTLS) or ``smtps://user:pass@host:465`` (TLS from the start).
Empty turns the e-mail channel off.

SMS providers implement ``SmsSender``. The one shipped, ``log``, is for development: it logs
the code at WARNING and appends ``<phone> <code>`` to ``<data_dir>/dev-sms.log``. A real
provider (an operator's HTTP API) is one class with ``send_code``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from tidings.config import Settings, SmsProvider
from tidings.domain.security import Channel

logger = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """The mail server or SMS provider could not be reached or refused the message."""


class SmsSender(Protocol):
    async def send_code(self, phone: str, code: str, text: str) -> None:
        """Send ``text`` (which contains ``code``) to ``phone``."""


class LogSmsSender:
    """Development only: nothing leaves the machine."""

    def __init__(self, path: Path) -> None:
        self._path = path

    async def send_code(self, phone: str, code: str, text: str) -> None:
        logger.warning("development SMS to %s: %s", phone, text)
        await asyncio.to_thread(self._append, f"{phone} {code}\n")

    def _append(self, line: str) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with self._path.open("a", encoding="utf-8") as file:
            file.write(line)


@dataclass(frozen=True, slots=True)
class SmtpServer:
    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("TIDINGS_SMTP_URL: expected smtp://host[:port] or smtps://host")
        query = parse_qs(parts.query)
        use_tls = parts.scheme == "smtps"
        return cls(
            hostname=parts.hostname,
            port=parts.port or (465 if use_tls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=use_tls,
            start_tls=query.get("starttls", ["false"])[0].lower() in ("1", "true", "yes"),
        )


class Mailer:
    def __init__(self, server: SmtpServer, sender: str) -> None:
        self._server = server
        self._sender = sender

    async def send(self, to: str, subject: str, text: str) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(text)
        s = self._server
        await aiosmtplib.send(
            message,
            hostname=s.hostname,
            port=s.port,
            username=s.username,
            password=s.password,
            use_tls=s.use_tls,
            start_tls=s.start_tls,
            timeout=30,
        )


_SUBJECTS = {
    "login": "Your Tidings sign-in code",
    "reset_password": "Your Tidings password reset code",
    "bind": "Confirm your address for Tidings",
    "device": "Confirm a sign-in to Tidings on a new device",
}


class CodeDelivery:
    """Sends a code by the channel asked for, with a text that says what it is for."""

    def __init__(self, settings: Settings) -> None:
        self._mailer = (
            Mailer(SmtpServer.from_url(settings.smtp_url), settings.mail_from)
            if settings.smtp_url
            else None
        )
        self._sms: SmsSender | None = (
            LogSmsSender(settings.data_dir / "dev-sms.log")
            if settings.sms_provider is SmsProvider.LOG
            else None
        )
        self._ttl_minutes = max(settings.code_ttl_seconds // 60, 1)

    def available(self, channel: Channel) -> bool:
        return (self._mailer if channel is Channel.EMAIL else self._sms) is not None

    async def send(self, channel: Channel, destination: str, code: str, purpose: str) -> None:
        text = (
            f"Your Tidings code is {code}. It expires in {self._ttl_minutes} minutes. "
            "If you did not ask for it, ignore this message and do not share the code."
        )
        try:
            if channel is Channel.EMAIL:
                if self._mailer is None:
                    raise DeliveryFailed("no mail server is configured")
                subject = _SUBJECTS.get(purpose, "Your Tidings code")
                await self._mailer.send(destination, subject, text)
            else:
                if self._sms is None:
                    raise DeliveryFailed("no SMS provider is configured")
                await self._sms.send_code(destination, code, text)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise DeliveryFailed(str(error) or type(error).__name__) from error
