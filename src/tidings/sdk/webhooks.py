"""Verifying a webhook delivery by the Standard Webhooks specification
(https://www.standardwebhooks.com/, issue 14 J2).

    event = verify_webhook(secret, request.headers, body)  # raises WebhookInvalid

The sender signs ``"{webhook-id}.{webhook-timestamp}.{body}"`` with HMAC-SHA256 under the
base64 key that follows ``whsec_`` in the secret, and sends ``webhook-signature`` as
space-separated ``v1,<base64 signature>`` (several while a secret is being rotated). A
delivery whose timestamp is more than five minutes away from now is refused: a replayed
old delivery is not taken for a new one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix of every secret)
TOLERANCE_SECONDS = 5 * 60


class WebhookInvalid(Exception):
    """The delivery is not signed by this secret, or is too old or too new."""


def _key(secret: str) -> bytes:
    encoded = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise WebhookInvalid("the secret is not whsec_ and base64") from None


def sign_webhook(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``v1,<base64>`` signature of a delivery (what a sender puts in the header)."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify_webhook(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> Any:
    """The delivery's JSON payload, once its signature and timestamp are checked; raises
    ``WebhookInvalid`` otherwise. ``headers`` may be any mapping; names are matched
    without regard to case."""
    lowered = {k.lower(): v for k, v in headers.items()}
    webhook_id = lowered.get("webhook-id")
    stamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not webhook_id or not stamp or not signatures:
        raise WebhookInvalid("webhook-id, webhook-timestamp and webhook-signature are required")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookInvalid("webhook-timestamp is not a number of seconds") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookInvalid("webhook-timestamp is too far from now")
    raw = body.encode() if isinstance(body, str) else body
    expected = sign_webhook(secret, webhook_id, timestamp, raw).encode()
    for candidate in signatures.split():
        version, _, _ = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(candidate.encode(), expected):
            return json.loads(raw) if raw else None
    raise WebhookInvalid("no signature matches")
