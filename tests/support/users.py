"""Registering test users against a real server."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from tidings.sdk import TidingsClient, TidingsHttp

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


@dataclass
class Person:
    id: int
    account: str
    token: str
    http: TidingsHttp

    def client(self, base_url: str, **options: Any) -> TidingsClient:
        return TidingsClient(base_url, token=self.token, **options)


async def register(base_url: str, name: str | None = None, **extra: Any) -> Person:
    account = f"{name or 'user'}{next(_counter)}x{uuid.uuid4().hex[:6]}"
    http = TidingsHttp(base_url)
    result = await http.register(account, PASSWORD, (name or account).title(), **extra)
    return Person(int(result["user"]["id"]), account, result["token"], http)
