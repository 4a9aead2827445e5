"""Single sign-on's rules without a provider process: where a sign-in may land, PKCE, which
claim names the user, discovery documents, and the ID token checks (tokens signed here with
joserfc, the provider's key set served by an httpx transport in this process). A provider
that cannot be reached is a closed port. The real provider's tests: test_single_sign_on.py."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.support.server import free_port
from tidings.auth.openid import OpenIdProvider
from tidings.config import Settings
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.oidc import ProviderMetadata, next_path, pkce_challenge, user_name

ISSUER = "https://sso.example.com/realms/acme"
DISCOVERY = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/auth",
    "token_endpoint": f"{ISSUER}/token",
    "jwks_uri": f"{ISSUER}/certs",
    "id_token_signing_alg_values_supported": ["RS256", "HS256", "none"],
}


@pytest.mark.parametrize("value", [None, "", "/", "/admin", "/?chat=12", "/a/b?x=1#y"])
def test_next_may_be_any_path_here(value: str | None) -> None:
    assert next_path(value) == (value or "/")


@pytest.mark.parametrize(
    "value",
    ["https://evil.example", "//evil.example", "/\\evil.example", "admin", "javascript:x",
     "/\nSet-Cookie:x", "/" + "a" * 3000],
)  # fmt: skip
def test_next_never_leaves_the_site(value: str) -> None:
    with pytest.raises(TidingsError) as refused:
        next_path(value)
    assert refused.value.code is ErrorCode.INVALID_INPUT


def test_pkce_s256_is_rfc_7636s() -> None:
    # RFC 7636, appendix B.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_the_user_claim_and_unverified_email() -> None:
    assert user_name({"preferred_username": " Alice "}, "preferred_username") == "alice"
    assert user_name({"email": "A@x.io", "email_verified": True}, "email") == "a@x.io"
    for claims in ({}, {"preferred_username": ""}, {"preferred_username": 3}):
        with pytest.raises(TidingsError) as missing:
            user_name(claims, "preferred_username")
        assert missing.value.code is ErrorCode.OIDC_CLAIM_MISSING
    with pytest.raises(TidingsError) as unverified:
        user_name({"email": "a@x.io", "email_verified": "true"}, "email")
    assert unverified.value.details == {"claim": "email_verified"}


def test_discovery_must_be_the_issuers() -> None:
    metadata = ProviderMetadata.from_discovery(DISCOVERY, ISSUER)
    assert metadata.signature_algorithms() == ["RS256"]  # no HS256, no none
    for document in ({**DISCOVERY, "issuer": "https://evil.example"}, [], {"issuer": ISSUER}):
        with pytest.raises(TidingsError) as refused:
            ProviderMetadata.from_discovery(document, ISSUER)
        assert refused.value.code is ErrorCode.OIDC_PROVIDER_UNREACHABLE


KEYS = KeySet.generate_key_set("RSA", 2048, count=1)


def _provider() -> OpenIdProvider:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/certs"):
            return httpx.Response(200, json=KEYS.as_dict(private=False))
        return httpx.Response(200, json=DISCOVERY)

    settings = Settings(oidc_issuer=ISSUER, oidc_client_id="tidings")
    return OpenIdProvider(settings, httpx.AsyncClient(transport=httpx.MockTransport(answer)))


def _token(header: dict[str, Any] | None = None, key: Any = None, **changes: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "tidings", "sub": "u1", "iat": now, "exp": now + 300}
    claims.update({"nonce": "n1", **changes})
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(header or {"alg": "RS256", "kid": KEYS.keys[0].kid}, claims, key or KEYS)


async def _check(token: str) -> TidingsError | dict[str, Any]:
    provider = _provider()
    try:
        return await provider.id_token_claims(await provider.metadata(), token, nonce="n1")
    except TidingsError as error:
        return error
    finally:
        await provider.close()


async def test_a_good_id_token_gives_its_claims() -> None:
    claims = await _check(_token(name="Alice"))
    assert isinstance(claims, dict) and claims["name"] == "Alice"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://evil.example"}, "issuer"),
        ({"aud": "someone-else"}, "audience"),
        ({"aud": ["tidings", "other"]}, "audience"),  # several, and no azp naming us
        ({"exp": int(time.time()) - 120}, "expired"),
        ({"sub": None}, "sub"),  # left out
    ],
)
async def test_an_id_token_with_wrong_claims_is_refused(
    changes: dict[str, Any], reason: str
) -> None:
    token = _token(**changes)
    refused = await _check(token)
    assert isinstance(refused, TidingsError)
    assert refused.code is ErrorCode.OIDC_ID_TOKEN_INVALID
    assert refused.details == {"reason": reason}


async def test_a_wrong_nonce_a_foreign_key_and_unsigned_tokens_are_refused() -> None:
    wrong_nonce = await _check(_token(nonce="n2"))
    assert isinstance(wrong_nonce, TidingsError)
    assert wrong_nonce.code is ErrorCode.OIDC_NONCE_MISMATCH
    other = KeySet.generate_key_set("RSA", 2048, count=1)
    foreign = await _check(_token({"alg": "RS256", "kid": other.keys[0].kid}, other))
    assert isinstance(foreign, TidingsError) and foreign.details == {"reason": "signature"}
    payload = _token().split(".")[1]
    refused = await _check(f"eyJhbGciOiJub25lIn0.{payload}.")  # {"alg":"none"}
    assert isinstance(refused, TidingsError)
    assert refused.code is ErrorCode.OIDC_ID_TOKEN_INVALID


async def test_a_provider_that_cannot_be_reached_is_said_so() -> None:
    settings = Settings(oidc_issuer=f"http://127.0.0.1:{free_port()}", oidc_client_id="x")
    provider = OpenIdProvider(settings)
    try:
        with pytest.raises(TidingsError) as refused:
            await provider.metadata()
        assert refused.value.code is ErrorCode.OIDC_PROVIDER_UNREACHABLE
    finally:
        await provider.close()
