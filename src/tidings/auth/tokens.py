"""Opaque bearer tokens: 256 random bits for the client, a sha256 for the database.

A fast hash is right here: tokens are random, not guessable passwords, and every request
looks one up.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
