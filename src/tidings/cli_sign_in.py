"""How the command line signs in: as this machine's known device, asking the terminal for
the code of a second step (an authenticator app, or a code sent for a new device)."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from tidings.sdk import DeviceTokens, TidingsHttp, sign_in


async def sign_in_from_terminal(http: TidingsHttp, account: str, password: str) -> dict[str, Any]:
    async def ask_code(reason: str, details: dict[str, Any]) -> str:
        if not sys.stdin.isatty():
            raise SystemExit(f"error: {reason}: run this command in a terminal to enter the code")
        where = details.get("destination")
        prompt = f"code sent to {where}: " if where else "authenticator or recovery code: "
        return (await asyncio.to_thread(input, prompt)).strip()

    return await sign_in(
        http, account, password, tokens=DeviceTokens.default(), ask_code=ask_code, platform="api"
    )
