"""A host system (a CRM, an ERP) in its own process, using the Python SDK's TidingsApp
(issue 14's integration test): it syncs a tree and 1,000 people, sends as one of them and as
its bot, then calls until it is rate limited. It prints one JSON line per step.

    python -m tests.support.host_app BASE_URL CLIENT_ID CLIENT_SECRET KEY
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import httpx

from tidings.sdk import TidingsApp
from tidings.sdk.app import ext

PEOPLE = 1000


def say(step: str, **data: Any) -> None:
    print(json.dumps({"step": step, **data}), flush=True)


async def main(base_url: str, client_id: str, secret: str, key: str) -> None:
    departments = [{"external_id": f"{key}-root", "name": f"Shop {key}"}] + [
        {"external_id": f"{key}-d{i}", "name": f"Team {i}", "parent": f"{key}-root"}
        for i in range(10)
    ]
    people = [
        {
            "external_id": f"{key}-u{i}",
            "account": f"h{key}u{i}",
            "nickname": f"Person {i}",
            "departments": [{"department": f"{key}-d{i % 10}", "position": "Staff"}],
        }
        for i in range(PEOPLE)
    ]
    async with TidingsApp(base_url, client_id, secret) as app:
        result = await app.sync(departments, people, mode="sync")
        say("synced", created=len(result["report"]["users"]["created"]))
        user = await app.get_user(ext(f"{key}-u1"))
        say("resolved", user_id=user["id"])
        sent = await app.send_as_user(
            ext(f"{key}-u0"), to=ext(f"{key}-u1"), text="as a user", client_msg_id="host-1"
        )
        say("sent_as_user", conversation_id=sent["conversation_id"])
        bot = await app.send_as_bot(to=ext(f"{key}-u1"), text="as the bot", client_msg_id="host-2")
        say("sent_as_bot", conversation_id=bot["conversation_id"])
        # Past the app's rate: the raw 429 and its Retry-After.
        token = await app.token()
        async with httpx.AsyncClient(base_url=base_url) as http:
            for _ in range(200):
                reply = await http.get(
                    "/api/v1/app/me", headers={"Authorization": f"Bearer {token}"}
                )
                if reply.status_code == 429:
                    say("rate_limited", retry_after=reply.headers.get("retry-after"))
                    break
            else:
                say("never_limited")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
