"""Sign in with OpenID Connect: the rules that need no network (decision 0064).

The provider's discovery document, the authorization request, PKCE (RFC 7636, S256), where
a sign-in may land (``next``: a path on this server, never another site) and which claim
names the Tidings user. Checking an ID token's signature and claims is auth/openid.py's.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from tidings.domain.accounts import ACCOUNT_PATTERN
from tidings.domain.errors import ErrorCode, TidingsError

# The web client's address for a sign-in that came back from the provider: the handoff (or
# the error code) rides in the fragment, which browsers never send to a server or a log.
LANDING_PATH = "/"
# Signature algorithms an ID token may use: asymmetric ones only (a provider's HS256 would
# sign with our client secret; "none" signs nothing).
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
_ACCOUNT = re.compile(ACCOUNT_PATTERN)
_NEXT_MAX = 2048


def unreachable(what: str) -> TidingsError:
    return TidingsError(
        ErrorCode.OIDC_PROVIDER_UNREACHABLE, f"the sign-in provider could not be used: {what}"
    )


def state_invalid() -> TidingsError:
    return TidingsError(
        ErrorCode.OIDC_STATE_INVALID,
        "this single sign-on is unknown, expired, finished or from another browser; start again",
    )


def next_path(value: str | None) -> str:
    """Where the browser goes once signed in: a path on this server (``/``, ``/admin``,
    ``/?x=1``); anything that could leave the site is refused (no open redirect)."""
    if value is None or value == "":
        return LANDING_PATH
    parts = urlsplit(value)
    if (
        len(value) > _NEXT_MAX
        or not value.startswith("/")
        or value.startswith("//")
        or parts.scheme
        or parts.netloc
        or "\\" in value
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value)
    ):
        raise TidingsError(ErrorCode.INVALID_INPUT, "next: a path on this server, such as /")
    return value


def pkce_challenge(verifier: str) -> str:
    """RFC 7636's S256: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    """What the provider's ``.well-known/openid-configuration`` says, as far as we use it."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    id_token_algorithms: frozenset[str]
    token_auth_methods: frozenset[str]
    # RFC 9207: the provider names itself in its redirect (a defence against mix-ups).
    iss_parameter: bool

    @classmethod
    def from_discovery(cls, document: Any, issuer: str) -> ProviderMetadata:
        """The metadata, or ``oidc_provider_unreachable`` if the document is not one for
        ``issuer`` (OpenID Connect Discovery 1.0, section 4.3: the issuer must match)."""
        if not isinstance(document, dict):
            raise unreachable("its discovery document is not a JSON object")
        if document.get("issuer") != issuer:
            raise unreachable(
                f"its discovery document names the issuer {document.get('issuer')!r}, "
                f"not {issuer!r}"
            )
        urls = {}
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            url = document.get(name)
            if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
                raise unreachable(f"its discovery document has no {name}")
            urls[name] = url
        userinfo = document.get("userinfo_endpoint")
        algorithms = document.get("id_token_signing_alg_values_supported") or ["RS256"]
        methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        return cls(
            issuer=issuer,
            authorization_endpoint=urls["authorization_endpoint"],
            token_endpoint=urls["token_endpoint"],
            jwks_uri=urls["jwks_uri"],
            userinfo_endpoint=userinfo if isinstance(userinfo, str) and userinfo else None,
            id_token_algorithms=frozenset(a for a in algorithms if isinstance(a, str)),
            token_auth_methods=frozenset(m for m in methods if isinstance(m, str)),
            iss_parameter=document.get("authorization_response_iss_parameter_supported") is True,
        )

    def authorization_url(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        scopes: str,
        state: str,
        nonce: str,
        code_verifier: str,
    ) -> str:
        """The authorization code request with PKCE (OpenID Connect Core 3.1.2.1)."""
        query = urlencode(
            {
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "scope": scopes,
                "state": state,
                "nonce": nonce,
                "code_challenge": pkce_challenge(code_verifier),
                "code_challenge_method": "S256",
            }
        )
        separator = "&" if urlsplit(self.authorization_endpoint).query else "?"
        return f"{self.authorization_endpoint}{separator}{query}"

    def signature_algorithms(self) -> list[str]:
        return sorted(self.id_token_algorithms & ASYMMETRIC_ALGORITHMS) or ["RS256"]


def user_name(claims: dict[str, Any], claim: str) -> str:
    """The Tidings account (or e-mail address) the provider's claims name, lowercased.

    An ``email`` claim counts only when the provider says it verified the address
    (``email_verified``): otherwise whoever typed someone else's address at the provider
    would sign in as them."""
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip():
        raise TidingsError(
            ErrorCode.OIDC_CLAIM_MISSING,
            f"the provider did not say who you are (claim {claim!r})",
            details={"claim": claim},
        )
    if claim == "email" and claims.get("email_verified") is not True:
        raise TidingsError(
            ErrorCode.OIDC_CLAIM_MISSING,
            "the provider has not verified this e-mail address",
            details={"claim": "email_verified"},
        )
    return value.strip().lower()


def account_for(name: str, claim: str) -> str:
    """The account a new user gets: the claim's value if it is a valid account name."""
    if not _ACCOUNT.match(name):
        raise TidingsError(
            ErrorCode.OIDC_CLAIM_MISSING,
            f"claim {claim!r} is not usable as an account name here",
            details={"claim": claim},
        )
    return name


def nickname_of(claims: dict[str, Any], fallback: str) -> str:
    """A new user's nickname: the ``name`` claim, else the account."""
    for claim in ("name", "nickname", "given_name"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()[:64]
    return fallback[:64]
