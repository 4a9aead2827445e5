"""The REST side of the SDK: accounts and anything a script does without a connection."""

from __future__ import annotations

from typing import Any

import httpx

from tidings.sdk.errors import ServerError


class TidingsHttp:
    def __init__(self, base_url: str, *, token: str | None = None, timeout: float = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout)

    async def __aenter__(self) -> TidingsHttp:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    async def register(
        self, account: str, password: str, nickname: str, **extra: Any
    ) -> dict[str, Any]:
        result = await self.call(
            "POST",
            "/api/v1/auth/register",
            {"account": account, "password": password, "nickname": nickname, **extra},
        )
        self.token = result["token"]
        return dict(result)

    async def login(self, account: str, password: str, **extra: Any) -> dict[str, Any]:
        result = await self.call(
            "POST", "/api/v1/auth/login", {"account": account, "password": password, **extra}
        )
        self.token = result["token"]
        return dict(result)

    async def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """One API call; raise ServerError with the server's code on failure."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self._http.request(
            method, path, json=body, params=params or None, headers=headers
        )
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
                raise ServerError(
                    error["code"], error["message"], response.status_code, error.get("details")
                )
            except (ValueError, KeyError, TypeError):
                raise ServerError("http_error", response.text, response.status_code) from None
        if response.status_code == 204 or not response.content:
            return None
        return response.json()
