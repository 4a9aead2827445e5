"""Web origins (``scheme://host[:port]``): which pages of other sites may use this server.

One allowlist (decision 0063) serves the REST API, tus uploads and the WebSocket. An
administrator writes origins as browsers send them (``https://app.example.com``); requests
are matched after both sides are put in one spelling (``same_form``), so
``HTTPS://App.Example.com:443/`` and ``https://app.example.com`` are the same origin.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# What the allowlist may hold: an admin's list, not a database of sites.
MAX_ALLOWED_ORIGINS = 100
MAX_ORIGIN_LENGTH = 200
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normalise_origin(text: str) -> str:
    """``text`` as a browser serialises an origin (lower case, no default port, no slash).

    Raises ``ValueError`` saying what is wrong: not http(s), a path, a wildcard, credentials.
    """
    raw = text.strip()
    if len(raw) > MAX_ORIGIN_LENGTH:
        raise ValueError(f"an origin is at most {MAX_ORIGIN_LENGTH} characters")
    if "*" in raw:
        raise ValueError(f"{raw!r}: list each origin, wildcards are not supported")
    try:
        parts = urlsplit(raw.rstrip("/"))
        port = parts.port
    except ValueError:
        raise ValueError(f"{raw!r}: not an origin (scheme://host[:port])") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{raw!r}: expected http(s)://host[:port]")
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{raw!r}: an origin has no path, query or credentials")
    scheme = parts.scheme.lower()
    host = parts.hostname  # lower case already
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def normalise_origins(texts: list[str]) -> list[str]:
    """Each origin normalised, duplicates dropped (first kept); ``ValueError`` as above."""
    if len(texts) > MAX_ALLOWED_ORIGINS:
        raise ValueError(f"at most {MAX_ALLOWED_ORIGINS} origins")
    return list(dict.fromkeys(normalise_origin(text) for text in texts))


def same_form(origin: str) -> str:
    """scheme://host:port in lower case, the default port named: one spelling per origin.

    Lenient (it spells whatever a request's ``Origin`` header holds); matching only."""
    scheme, separator, authority = origin.strip().lower().rstrip("/").partition("://")
    return f"{scheme}://{_with_port(scheme, authority)}" if separator else scheme


def allowed_set(origins: list[str]) -> frozenset[str]:
    """The allowlist as ``origin_allowed`` and ``is_listed`` take it."""
    return frozenset(same_form(origin) for origin in origins)


def is_listed(origin: str, allowed: frozenset[str]) -> bool:
    return same_form(origin) in allowed


def origin_allowed(origin: str, host: str | None, allowed: frozenset[str]) -> bool:
    """Whether a browser page of ``origin`` may open the WebSocket: the server's own origin
    (the Host the page asked for: host and port, whatever the scheme, as TLS may end at a
    proxy) or one of ``allowed`` (``allowed_set``)."""
    origin = same_form(origin)
    if origin in allowed:
        return True
    scheme, separator, authority = origin.partition("://")
    if not separator or host is None:
        return False  # "null" (a sandboxed or file: page) or garbage
    return authority == _with_port(scheme, host.strip().lower())


def _with_port(scheme: str, authority: str) -> str:
    """host:port, with the scheme's default port when none is named ([::1] included)."""
    if ":" in authority.rpartition("]")[2]:
        return authority
    return f"{authority}:{443 if scheme in ('https', 'wss') else 80}"
