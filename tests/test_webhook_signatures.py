"""The SDK's Standard Webhooks verifier (issue 14, J2/J3), against the specification's own
example (standard-webhooks README) and its refusals."""

from __future__ import annotations

import pytest

from tidings.sdk import WebhookInvalid, verify_webhook
from tidings.sdk.webhooks import sign_webhook

# The example of the Standard Webhooks specification.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
STAMP = 1614265330
BODY = b'{"test": 2432232314}'
SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def _headers(signature: str = SIGNATURE, stamp: int = STAMP) -> dict[str, str]:
    return {"Webhook-Id": ID, "Webhook-Timestamp": str(stamp), "Webhook-Signature": signature}


def test_the_specifications_example_verifies() -> None:
    assert sign_webhook(SECRET, ID, STAMP, BODY) == SIGNATURE
    assert verify_webhook(SECRET, _headers(), BODY, now=STAMP + 10) == {"test": 2432232314}
    # Several signatures (a secret being rotated): any one matching is enough.
    assert verify_webhook(SECRET, _headers(f"v1,bm90IGl0 {SIGNATURE}"), BODY, now=STAMP)


@pytest.mark.parametrize(
    ("headers", "body", "now"),
    [
        (_headers(), BODY + b" ", STAMP),  # a changed body
        (_headers("v1,AAAA"), BODY, STAMP),  # a wrong signature
        (_headers(SIGNATURE.replace("v1", "v2")), BODY, STAMP),  # another scheme
        (_headers(), BODY, STAMP + 301),  # too old
        (_headers(), BODY, STAMP - 301),  # from the future
        ({"webhook-id": ID}, BODY, STAMP),  # headers missing
        (_headers(stamp=0) | {"Webhook-Timestamp": "soon"}, BODY, STAMP),
    ],
)
def test_a_delivery_not_signed_by_the_secret_or_out_of_time_is_refused(
    headers: dict[str, str], body: bytes, now: int
) -> None:
    with pytest.raises(WebhookInvalid):
        verify_webhook(SECRET, headers, body, now=now)
