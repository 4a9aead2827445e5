"""RFC 6238 time-based codes through pyotp (docs/decisions/0026): 30-second steps, six
digits, SHA-1, a step either side accepted for clock drift.

``matching_step`` returns which step a code belongs to, so the caller can refuse a step that
was used already (RFC 6238 section 5.2: "the verifier MUST NOT accept the second attempt of
the OTP after the successful validation has been issued for the first OTP").
"""

from __future__ import annotations

import hmac
import io

import pyotp
import segno

STEP_SECONDS = 30
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """A standalone SVG (with its namespace, so it shows as an image's data URL)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True, nl=False)
    return out.getvalue().decode()


def matching_step(secret: str, code: str, now_seconds: float) -> int | None:
    """The 30-second step (within one either side of now) whose code this is, or None."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now_seconds) // STEP_SECONDS
    found: int | None = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Every candidate is compared, in constant time each, whatever matched before.
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            found = step
    return found
