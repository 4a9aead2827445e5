"""One-time codes: six digits for people to type, recovery codes to print, and their hashes.

A six-digit code is short by design, so it is kept only as an HMAC keyed by a random per-row
salt and guarded by its short life and five tries; comparing takes the same time whatever the
guess (``hmac.compare_digest``), so timing tells nothing of how many digits were right.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_DIGITS = 6
RECOVERY_CODES = 10


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def new_salt() -> str:
    return secrets.token_hex(16)


def code_digest(salt: str, code: str) -> str:
    return hmac.new(salt.encode(), code.encode(), hashlib.sha256).hexdigest()


def code_matches(salt: str, stored_digest: str, guess: str) -> bool:
    return hmac.compare_digest(code_digest(salt, guess), stored_digest)


def new_recovery_code() -> str:
    """48 random bits as three groups of four hex digits: 1f3a-9c0b-77de."""
    raw = secrets.token_hex(6)
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


def recovery_code_hash(code: str) -> str:
    """Recovery codes are random, so a plain sha256 of their canonical form is enough; the
    form forgives case, spaces and missing dashes."""
    canonical = "".join(ch for ch in code.lower() if ch in "0123456789abcdef")
    return hashlib.sha256(canonical.encode()).hexdigest()
