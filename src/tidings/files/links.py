"""Signed download links: a URL an ``<img>`` or ``<video>`` can load without a bearer token.

A link names the file, the variant, the session it was made for and when it expires, and
carries an HMAC-SHA256 of those under a secret every node shares (kept in the database).
Checking it needs no state, but the server still checks the session is live and its user may
read the file: signing out, or leaving the conversation, revokes the links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True, slots=True)
class LinkClaim:
    file_id: str
    variant: str
    session_id: int
    expires: int  # seconds since the epoch


class LinkSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def url(self, claim: LinkClaim) -> str:
        path = f"/files/{claim.file_id}"
        if claim.variant == "thumbnail":
            path += "/thumbnail"
        query = urlencode(
            {"sid": claim.session_id, "exp": claim.expires, "sig": self._signature(claim)}
        )
        return f"{path}?{query}"

    def verify(self, claim: LinkClaim, signature: str) -> bool:
        # compare_digest refuses non-ASCII text; such a signature is forged anyway.
        return signature.isascii() and hmac.compare_digest(self._signature(claim), signature)

    def _signature(self, claim: LinkClaim) -> str:
        message = f"{claim.file_id}\n{claim.variant}\n{claim.session_id}\n{claim.expires}"
        digest = hmac.new(self._secret, message.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
