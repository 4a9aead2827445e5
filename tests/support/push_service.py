"""A Web Push service run by the test (RFC 8030's "push service"), and a browser's side of a
subscription: it takes the server's POSTs, checks their VAPID signature (RFC 8292) and TTL,
and decrypts them (RFC 8291) with keys the test made as a browser would.

The decryption is written out here from the RFCs, independently of the library the server
encrypts with, so that a misuse of that library shows.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.support.server import free_port


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


@dataclass
class Browser:
    """A browser's subscription keys: a P-256 key pair and a 16-byte auth secret."""

    private: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def keys(self) -> dict[str, str]:
        return {"p256dh": b64url(self.public_raw), "auth": b64url(self.auth)}

    def decrypt(self, body: bytes) -> dict[str, Any]:
        """RFC 8291 section 3.4 and RFC 8188 section 2 (one record)."""
        salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
        server_public = body[21 : 21 + idlen]
        ciphertext = body[21 + idlen :]
        assert idlen == 65 and rs >= 18 and len(ciphertext) <= rs
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), server_public)
        ecdh = self.private.exchange(ec.ECDH(), peer)
        prk_key = _hmac(self.auth, ecdh)
        ikm = _hmac(prk_key, b"WebPush: info\x00" + self.public_raw + server_public + b"\x01")
        prk = _hmac(salt, ikm)
        cek = _hmac(prk, b"Content-Encoding: aes128gcm\x00\x01")[:16]
        nonce = _hmac(prk, b"Content-Encoding: nonce\x00\x01")[:12]
        padded = AESGCM(cek).decrypt(nonce, ciphertext, None).rstrip(b"\x00")
        assert padded.endswith(b"\x02"), "the last record ends with the 0x02 delimiter"
        payload: dict[str, Any] = json.loads(padded[:-1])
        return payload


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class PushService:
    """An HTTP push service on 127.0.0.1: ``/gone/...`` answers 410, anything else 201."""

    def __init__(self) -> None:
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.received: asyncio.Queue[Received] = asyncio.Queue()
        self.posts_by_path: dict[str, int] = {}
        self._runner: web.AppRunner | None = None

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._post)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _post(self, request: web.Request) -> web.Response:
        body = await request.read()
        path = request.path
        self.posts_by_path[path] = self.posts_by_path.get(path, 0) + 1
        await self.received.put(Received(path, dict(request.headers), body))
        if "/gone/" in path:
            return web.Response(status=410)
        return web.Response(status=201, headers={"Location": f"{self.origin}/m/1"})

    async def next(self, within: float = 10.0) -> Received:
        return await asyncio.wait_for(self.received.get(), within)


def check_vapid(received: Received, *, origin: str, public_key: str) -> dict[str, Any]:
    """The ``Authorization: vapid t=<JWT>, k=<key>`` header: the key is the server's, the
    JWT is signed by it (ES256) for this push service's origin; returns the claims."""
    scheme, _, params = received.headers["Authorization"].partition(" ")
    assert scheme == "vapid"
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    assert parts["k"] == public_key
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    assert json.loads(unb64url(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    signature = unb64url(signature_b64)
    assert len(signature) == 64
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public_key))
    key.verify(
        encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        ),
        f"{header_b64}.{claims_b64}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    claims: dict[str, Any] = json.loads(unb64url(claims_b64))
    assert claims["aud"] == origin
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert claims["sub"].startswith("mailto:")
    return claims
