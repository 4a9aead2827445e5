"""Posting pushes to push services, within the server's outbound rules.

A push endpoint comes from a browser, so from a user: without rules a user could make the
server call anything on its own network (SSRF). An endpoint must be ``https`` on a host whose
every address is public (``ipaddress.is_global``), unless its addresses lie in a network the
operator allowed (``TIDINGS_PUSH_ALLOWED_NETWORKS``, e.g. a test's push service on 127.0.0.1,
which may then use http too). Checked when a browser subscribes and again before each post;
a name that resolves elsewhere between the check and the connection is the remaining gap.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass
from enum import Enum
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from urllib.parse import urlsplit

import httpx

log = logging.getLogger(__name__)


class EndpointRefused(Exception):
    """The endpoint is not a push service this server may call."""


class Outcome(Enum):
    DELIVERED = "delivered"
    # 404/410: the subscription is gone for good; forget it.
    GONE = "gone"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class OutboundRules:
    allowed_networks: tuple[IPv4Network | IPv6Network, ...] = ()

    @classmethod
    def of(cls, networks: list[str]) -> OutboundRules:
        return cls(tuple(ip_network(n, strict=False) for n in networks))

    async def check(self, endpoint: str) -> None:
        parts = urlsplit(endpoint)
        host = parts.hostname
        if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
            raise EndpointRefused("a push endpoint is an https URL")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise EndpointRefused("the endpoint's port is not a number") from None
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError:
            raise EndpointRefused("the push service's name does not resolve") from None
        addresses = {ip_address(str(info[4][0]).split("%")[0]) for info in infos}
        if not addresses:
            raise EndpointRefused("the push service's name does not resolve")
        allowed = all(any(a in n for n in self.allowed_networks) for a in addresses)
        if allowed:
            return
        if parts.scheme != "https":
            raise EndpointRefused("a push endpoint is an https URL")
        if not all(a.is_global for a in addresses):
            raise EndpointRefused("the push service is not on a public address")


class PushSender:
    """Posts encrypted pushes, ``concurrency`` at a time, each given up after ``timeout``."""

    def __init__(self, rules: OutboundRules, *, concurrency: int, timeout: float) -> None:
        self._rules = rules
        self._slots = asyncio.Semaphore(concurrency)
        self._client = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=concurrency * 2),
            trust_env=False,
        )

    async def post(
        self, endpoint: str, body: bytes, *, authorization: str, ttl: int, topic: str, urgency: str
    ) -> Outcome:
        async with self._slots:
            try:
                await self._rules.check(endpoint)
                response = await self._client.post(
                    endpoint,
                    content=body,
                    headers={
                        "Authorization": authorization,
                        "Content-Encoding": "aes128gcm",
                        "Content-Type": "application/octet-stream",
                        "TTL": str(ttl),
                        # A newer push of the same topic replaces one still undelivered.
                        "Topic": topic,
                        "Urgency": urgency,
                    },
                )
            except EndpointRefused as exc:
                log.warning("push endpoint refused: %s", exc)
                return Outcome.GONE
            except httpx.HTTPError as exc:
                log.info("push to %s failed: %r", urlsplit(endpoint).hostname, exc)
                return Outcome.FAILED
        if response.status_code in (404, 410):
            return Outcome.GONE
        if response.is_success:
            return Outcome.DELIVERED
        log.info("push service %s answered %d", urlsplit(endpoint).hostname, response.status_code)
        return Outcome.FAILED

    async def close(self) -> None:
        await self._client.aclose()
