"""The OpenID provider as this server talks to it (decision 0064): discovery, its signing
keys, the code exchange, the ID token's checks and the userinfo endpoint, over httpx.

The JOSE part (JWS signatures, JWK sets, the registered claims) is joserfc's. Discovery and
the key set are cached per node (an hour; the key set is fetched again at once when a token
names a key it does not hold: the provider rotated its keys). Nothing here knows users.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import httpx
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from tidings.config import Settings
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.oidc import ProviderMetadata, unreachable

# How long discovery and the key set are trusted before they are fetched again.
CACHE_SECONDS = 3600
# Clocks differ: an ID token a minute past its expiry (or issued a minute "in the future")
# is still taken.
LEEWAY_SECONDS = 60
# A provider's answer larger than this is not one we want.
MAX_RESPONSE_BYTES = 1 << 20
_REASONS = {"iss": "issuer", "aud": "audience", "exp": "expired", "iat": "issued_at"}


def id_token_invalid(reason: str, message: str) -> TidingsError:
    return TidingsError(
        ErrorCode.OIDC_ID_TOKEN_INVALID,
        f"the provider's ID token is not valid: {message}",
        details={"reason": reason},
    )


class OpenIdProvider:
    """The configured provider (``TIDINGS_OIDC_*``)."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None) -> None:
        self._settings = settings
        self._http = http or httpx.AsyncClient(
            timeout=settings.oidc_timeout_seconds, follow_redirects=False
        )
        self._metadata: tuple[float, ProviderMetadata] | None = None
        self._keys: tuple[float, KeySet] | None = None

    @property
    def configured(self) -> bool:
        return bool(self._settings.oidc_issuer and self._settings.oidc_client_id)

    async def close(self) -> None:
        await self._http.aclose()

    async def metadata(self) -> ProviderMetadata:
        """The provider's discovery document (``oidc_provider_unreachable`` if it cannot be
        had or is not the configured issuer's)."""
        if self._metadata and time.monotonic() - self._metadata[0] < CACHE_SECONDS:
            return self._metadata[1]
        issuer = self._settings.oidc_issuer
        document = await self._get_json(
            f"{issuer.rstrip('/')}/.well-known/openid-configuration", "discovery"
        )
        metadata = ProviderMetadata.from_discovery(document, issuer)
        self._metadata = (time.monotonic(), metadata)
        return metadata

    async def exchange_code(
        self, metadata: ProviderMetadata, *, code: str, redirect_uri: str, code_verifier: str
    ) -> dict[str, Any]:
        """The token response for an authorization code (with its PKCE verifier)."""
        settings = self._settings
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        auth: tuple[str, str] | None = None
        if not settings.oidc_client_secret:
            form["client_id"] = settings.oidc_client_id  # a public client
        elif "client_secret_basic" in metadata.token_auth_methods or (
            "client_secret_post" not in metadata.token_auth_methods
        ):
            # RFC 6749 2.3.1: each part form-encoded before the Basic encoding.
            auth = (quote(settings.oidc_client_id, safe=""), quote(settings.oidc_client_secret))
        else:
            form["client_id"] = settings.oidc_client_id
            form["client_secret"] = settings.oidc_client_secret
        try:
            response = await self._http.post(
                metadata.token_endpoint,
                data=form,
                auth=auth or httpx.USE_CLIENT_DEFAULT,
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as error:
            raise unreachable(f"token endpoint: {type(error).__name__}") from None
        body = _json(response)
        if response.status_code in (400, 401) and isinstance(body, dict) and "error" in body:
            raise TidingsError(
                ErrorCode.OIDC_PROVIDER_REFUSED,
                "the provider did not accept this sign-in's code",
                details={"error": str(body["error"])[:100]},
            )
        if response.status_code != 200 or not isinstance(body, dict):
            raise unreachable(f"token endpoint answered {response.status_code}")
        if not isinstance(body.get("id_token"), str):
            raise unreachable("token endpoint gave no ID token (is 'openid' in the scopes?)")
        return body

    async def id_token_claims(
        self, metadata: ProviderMetadata, id_token: str, *, nonce: str
    ) -> dict[str, Any]:
        """The claims of an ID token whose signature, issuer, audience, expiry and nonce are
        right (OpenID Connect Core 3.1.3.7); ``oidc_id_token_invalid`` (with
        ``details.reason``) or ``oidc_nonce_mismatch`` otherwise."""
        algorithms = metadata.signature_algorithms()
        try:
            token = jwt.decode(id_token, await self._key_set(metadata), algorithms=algorithms)
        except InvalidKeyIdError:
            # A key we do not hold yet: the provider may have rotated its keys.
            try:
                token = jwt.decode(
                    id_token, await self._key_set(metadata, fresh=True), algorithms=algorithms
                )
            except JoseError as error:
                raise _signature_error(error) from None
        except JoseError as error:
            raise _signature_error(error) from None
        except ValueError:
            raise id_token_invalid("malformed", "it is not a signed JWT") from None
        client_id = self._settings.oidc_client_id
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": metadata.issuer},
            aud={"essential": True, "value": client_id},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
        )
        claims = token.claims
        try:
            registry.validate(claims)
        except ExpiredTokenError:
            raise id_token_invalid("expired", "it has expired") from None
        except (InvalidClaimError, MissingClaimError) as error:
            reason = _REASONS.get(error.claim, error.claim)
            raise id_token_invalid(reason, f"claim {error.claim!r}") from None
        except JoseError as error:
            raise id_token_invalid("claims", error.error) from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != client_id:
            raise id_token_invalid("audience", "it was issued to another party (azp)")
        if claims.get("nonce") != nonce:
            raise TidingsError(
                ErrorCode.OIDC_NONCE_MISMATCH,
                "the provider's ID token is not for this sign-in (nonce)",
            )
        return dict(claims)

    async def userinfo(
        self, metadata: ProviderMetadata, access_token: str, subject: str
    ) -> dict[str, Any]:
        """The userinfo endpoint's claims (providers give scope claims there, not always in
        the ID token); its ``sub`` must be the ID token's (Core 5.3.2)."""
        if metadata.userinfo_endpoint is None:
            return {}
        body = await self._get_json(
            metadata.userinfo_endpoint,
            "userinfo",
            headers={"Authorization": f"Bearer {access_token}"},
        )
        if not isinstance(body, dict) or body.get("sub") != subject:
            raise id_token_invalid("userinfo", "userinfo names another subject")
        return body

    async def _key_set(self, metadata: ProviderMetadata, *, fresh: bool = False) -> KeySet:
        if not fresh and self._keys and time.monotonic() - self._keys[0] < CACHE_SECONDS:
            return self._keys[1]
        document = await self._get_json(metadata.jwks_uri, "keys")
        try:
            keys = KeySet.import_key_set(document)
        except (JoseError, ValueError, TypeError, KeyError):
            raise unreachable("its key set (jwks_uri) is not a JWK set") from None
        self._keys = (time.monotonic(), keys)
        return keys

    async def _get_json(self, url: str, what: str, headers: dict[str, str] | None = None) -> Any:
        try:
            response = await self._http.get(
                url, headers={"Accept": "application/json", **(headers or {})}
            )
        except httpx.HTTPError as error:
            raise unreachable(f"{what}: {type(error).__name__}") from None
        if response.status_code != 200:
            raise unreachable(f"{what} answered {response.status_code}")
        body = _json(response)
        if body is None:
            raise unreachable(f"{what} is not JSON")
        return body


def _json(response: httpx.Response) -> Any:
    if len(response.content) > MAX_RESPONSE_BYTES:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _signature_error(error: JoseError) -> TidingsError:
    if isinstance(error, BadSignatureError):
        return id_token_invalid("signature", "its signature does not match the provider's keys")
    if isinstance(error, InvalidKeyIdError):
        return id_token_invalid("signature", "it is signed with a key the provider does not list")
    return id_token_invalid("malformed", error.error)
