"""The two pieces of cryptography a push needs, done by well-kept libraries.

- The body: RFC 8291 "aes128gcm" message encryption, by ``http_ece`` (Mozilla's reference
  implementation of RFC 8188 that RFC 8291 builds on), with a new ephemeral key per push.
- The ``Authorization: vapid t=<JWT>, k=<public key>`` header (RFC 8292), by ``py_vapid``
  (Mozilla's): an ES256 JWT whose ``aud`` is the push service's origin.
"""

from __future__ import annotations

import base64
import os
import time
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

# How long a VAPID token is good for; RFC 8292 allows at most 24 hours.
TOKEN_SECONDS = 12 * 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class VapidKey:
    """The server's VAPID key pair (P-256)."""

    def __init__(self, private_raw: bytes) -> None:
        self._private = ec.derive_private_key(int.from_bytes(private_raw, "big"), ec.SECP256R1())
        self._vapid = Vapid02(self._private)
        self.public_key = b64url(
            self._private.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )
        # Tokens by audience, reused until an hour before they expire.
        self._tokens: dict[str, tuple[float, str]] = {}

    @staticmethod
    def generate() -> bytes:
        """A new private key, 32 raw bytes."""
        return (
            ec.generate_private_key(ec.SECP256R1())
            .private_numbers()
            .private_value.to_bytes(32, "big")
        )

    def authorization(self, endpoint: str, contact: str) -> str:
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        now = time.time()
        cached = self._tokens.get(audience)
        if cached is not None and cached[0] - now > 3600:
            return cached[1]
        expires = int(now) + TOKEN_SECONDS
        header: str = self._vapid.sign({"aud": audience, "sub": contact, "exp": expires})[
            "Authorization"
        ]
        if len(self._tokens) > 1000:
            self._tokens.clear()
        self._tokens[audience] = (expires, header)
        return header


def encrypt(payload: bytes, p256dh: str, auth: str) -> bytes:
    """The body of one push: ``payload`` for the browser holding ``p256dh``/``auth``."""
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    body: bytes = http_ece.encrypt(
        payload,
        salt=os.urandom(16),
        private_key=ephemeral,
        dh=b64url_decode(p256dh),
        auth_secret=b64url_decode(auth),
        version="aes128gcm",
    )
    return body


def valid_subscription_keys(p256dh: str, auth: str) -> bool:
    """A P-256 point the browser could have made, and a 16-byte auth secret."""
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(p256dh))
        return len(b64url_decode(auth)) == 16
    except ValueError:
        return False
