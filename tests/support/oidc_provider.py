"""A real OpenID provider for the single sign-on tests: tests/support/oidc/provider.mjs, the
`oidc-provider` npm package (a certified implementation) in its own Node process on a free
port. Its npm packages are installed on first use (`npm ci`, once, under a file lock: two
test workers may ask at once).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from tests.support.server import free_port

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
# The provider's registered clients (provider.mjs).
CONFIDENTIAL_CLIENT = ("tidings", "tidings-secret")
PUBLIC_CLIENT = "tidings-public"


def ensure_installed() -> None:
    """`npm ci` in tests/support/oidc unless its packages are there (idempotent)."""
    if (OIDC_DIR / "node_modules" / "oidc-provider" / "package.json").is_file():
        return
    with (OIDC_DIR / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (OIDC_DIR / "node_modules" / "oidc-provider" / "package.json").is_file():
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=OIDC_DIR,
                check=True,
            )


@dataclass
class OidcProvider:
    issuer: str
    log: Path

    def tamper_next_token(self, mode: str = "signature") -> None:
        """The next token response carries an ID token changed after it was signed."""
        httpx.post(f"{self.issuer}/test/tamper", params={"mode": mode}).raise_for_status()

    async def sign_in(self, http: httpx.AsyncClient, authorization_url: str, login: str) -> str:
        """Go through the provider's login form as ``login`` (any password) in ``http``'s
        cookie jar, from the authorization request to the redirect back to the client:
        returns that redirect's URL (the client's callback with ``code`` and ``state``)."""
        url = authorization_url
        for _ in range(10):
            response = await http.get(url, follow_redirects=False)
            if response.status_code in (302, 303):
                url = urljoin(url, response.headers["location"])
                if not url.startswith(self.issuer):
                    return url
                continue
            response.raise_for_status()
            form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            assert form, response.text[:500]
            action = urljoin(url, unescape(form.group(1)))
            response = await http.post(
                action,
                data={"prompt": "login", "login": login, "password": "anything"},
                follow_redirects=False,
            )
            assert response.status_code in (302, 303), response.text[:500]
            url = urljoin(action, response.headers["location"])
            if not url.startswith(self.issuer):
                return url
        raise AssertionError(f"the provider never sent the browser back: {url}")


@contextlib.contextmanager
def running_provider(log_dir: Path, redirect_uris: list[str]) -> Iterator[OidcProvider]:
    ensure_installed()
    port = free_port()
    log = log_dir / "oidc-provider.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["node", str(OIDC_DIR / "provider.mjs")],
            cwd=OIDC_DIR,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={
                **os.environ,
                "OIDC_PORT": str(port),
                "OIDC_REDIRECT_URIS": ",".join(redirect_uris),
            },
        )
        issuer = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    discovery = f"{issuer}/.well-known/openid-configuration"
                    if httpx.get(discovery, timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log.read_text())
                time.sleep(0.1)
            yield OidcProvider(issuer, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def callback_params(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def landing(response: httpx.Response) -> dict[str, str]:
    """Where a start or callback sent the browser: the web client's fragment, as a dict
    (``{"oidc": handoff}`` or ``{"oidc_error": code}``)."""
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/#"), location
    return {key: values[0] for key, values in parse_qs(location[2:]).items()}
