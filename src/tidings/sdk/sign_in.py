"""Signing in as a long-lived client does: the device stays known between runs, and a second
step (an authenticator code, or a code sent for a new device) is asked of the person.

A server that sees no ``device_token`` takes every sign-in for a new device: it posts a
security notice each time and, for users with a verified e-mail or phone, asks for a code.
``DeviceTokens`` keeps the token the server gave, per server and account, in a JSON file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tidings.sdk.errors import ServerError
from tidings.sdk.http import TidingsHttp

# Answers that a sign-in needs a code: the details carry the challenge (docs/protocol.md).
SECOND_STEPS = ("second_factor_required", "device_confirmation_required")

# Asked for the code of a second step: given the error code and its details.
AskCode = Callable[[str, dict[str, Any]], Awaitable[str]]


class DeviceTokens:
    """Known-device tokens in one JSON file: ``{"<server> <account>": "<token>"}``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def default(cls) -> DeviceTokens:
        """``$XDG_CONFIG_HOME/tidings/device-tokens.json`` (``~/.config`` by default)."""
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        return cls(Path(base) / "tidings" / "device-tokens.json")

    def get(self, server: str, account: str) -> str | None:
        token = self._load().get(_key(server, account))
        return token if isinstance(token, str) else None

    def put(self, server: str, account: str, token: str) -> None:
        tokens = self._load()
        tokens[_key(server, account)] = token
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        # Only its owner may read it: the token is what spares this device the second step.
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            json.dump(tokens, f, indent=1, sort_keys=True)
        partial.replace(self.path)

    def _load(self) -> dict[str, Any]:
        try:
            loaded = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return loaded if isinstance(loaded, dict) else {}


async def sign_in(
    http: TidingsHttp,
    account: str,
    password: str,
    *,
    tokens: DeviceTokens | None = None,
    ask_code: AskCode | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Sign in with a password, sending this device's token and finishing a second step
    with ``ask_code`` (without it, such a sign-in raises its ``ServerError``)."""
    account = account.lower()
    known = tokens.get(http.base_url, account) if tokens else None
    if known:
        extra["device_token"] = known
    try:
        result = await http.login(account, password, **extra)
    except ServerError as error:
        if error.code not in SECOND_STEPS or ask_code is None or not error.details:
            raise
        details = dict(error.details)
        code = await ask_code(error.code, details)
        result = await http.call(
            "POST", "/api/v1/auth/login/verify", {"challenge": details["challenge"], "code": code}
        )
        http.token = result["token"]
    if tokens is not None and isinstance(result.get("device_token"), str):
        tokens.put(http.base_url, account, result["device_token"])
    return dict(result)


def _key(server: str, account: str) -> str:
    return f"{server.rstrip('/')} {account}"
