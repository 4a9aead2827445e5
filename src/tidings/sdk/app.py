"""``TidingsApp``: the app API from Python (issue 14, J3; docs/protocol.md "The app API").

    async with TidingsApp("https://chat.example.com", client_id, client_secret) as app:
        await app.sync(departments, users, mode="sync")
        await app.send_as_user({"external_id": "E-1"}, to={"external_id": "E-2"},
                               text="hello", client_msg_id="order-42")
        ticket = await app.sso_ticket({"external_id": "E-1"}, next="/")

It gets its token with the OAuth 2.0 client-credentials grant and gets a new one shortly
before it expires (a minute, or a tenth of a short lifetime), and once more when the server
answers 401 (the token was revoked, or outlived on a machine that slept). A 429 is waited
out (its Retry-After) and retried, up to ``max_retries`` times. A user is named by id
(``42``) or by external id (``{"external_id": "E-1"}``); every send carries a
client_msg_id, so a retry never sends twice.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from typing import Any

import httpx

from tidings.sdk.errors import ServerError

UserRef = int | dict[str, str]
# Ask for a new token this long before the old one ends (at most a tenth of its lifetime).
REFRESH_MARGIN_SECONDS = 60
# Users per sync request in merge mode (a request body stays well under the server's limit).
SYNC_BATCH = 2000


def ext(external_id: str) -> dict[str, str]:
    """A user reference by the host's external id."""
    return {"external_id": external_id}


def _path_ref(user: UserRef) -> str:
    return f"ext:{user['external_id']}" if isinstance(user, dict) else str(user)


def _oauth_failure(reply: httpx.Response) -> ServerError:
    """RFC 6749's ``{error, error_description}`` as a ServerError."""
    try:
        error = reply.json()
        return ServerError(error["error"], error.get("error_description", ""), reply.status_code)
    except (ValueError, KeyError, TypeError):
        return ServerError("http_error", reply.text, reply.status_code)


class TidingsApp:
    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        timeout: float = 60,
        max_retries: int = 5,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client_id = client_id
        self._secret = client_secret
        self._scope = scope
        self._max_retries = max_retries
        self._http = http or httpx.AsyncClient(base_url=self.base_url, timeout=timeout)
        self._token: str | None = None
        self._expires_at = 0.0
        self._token_lock = asyncio.Lock()
        # How many 429s were waited out (for callers measuring their rate).
        self.throttled = 0

    async def __aenter__(self) -> TidingsApp:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    # ---- tokens ---------------------------------------------------------------------------

    async def token(self, *, fresh: bool = False) -> str:
        """A live access token: the one held, or a new one near its end (or when asked)."""
        async with self._token_lock:
            if fresh or self._token is None or time.monotonic() >= self._expires_at:
                await self._fetch_token()
            assert self._token is not None
            return self._token

    async def _fetch_token(self) -> None:
        form = {"grant_type": "client_credentials"}
        if self._scope:
            form["scope"] = self._scope
        for _ in range(self._max_retries + 1):
            reply = await self._http.post(
                "/api/v1/oauth/token", data=form, auth=(self._client_id, self._secret)
            )
            if reply.status_code == 429:
                await self._wait_out(reply)
                continue
            break
        if reply.status_code != 200:
            raise _oauth_failure(reply)
        grant = reply.json()
        self._token = grant["access_token"]
        lifetime = float(grant.get("expires_in", 0))
        margin = min(REFRESH_MARGIN_SECONDS, lifetime / 10)
        self._expires_at = time.monotonic() + max(0.0, lifetime - margin)

    async def revoke_token(self, token: str | None = None) -> None:
        """Revoke an access token of this app (RFC 7009): ``token`` (one that leaked, or
        another process's), or the one held, which is then forgotten (the next call gets a
        new one). Revoking a token unknown or already dead is no error."""
        async with self._token_lock:
            if token is None:
                token, self._token, self._expires_at = self._token, None, 0.0
            if token is None:
                return
            reply = await self._http.post(
                "/api/v1/oauth/revoke", data={"token": token}, auth=(self._client_id, self._secret)
            )
        if reply.status_code != 200:
            raise _oauth_failure(reply)

    async def _wait_out(self, reply: httpx.Response) -> None:
        self.throttled += 1
        try:
            delay = float(reply.headers.get("retry-after", "1"))
        except ValueError:
            delay = 1.0
        await asyncio.sleep(min(max(delay, 0.05), 60.0))

    # ---- calls ----------------------------------------------------------------------------

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        """One app API call (``path`` under /api/v1/app/); ServerError on a refusal."""
        url = f"/api/v1/app/{path.lstrip('/')}"
        renewed = False
        attempt = 0
        while True:
            token = await self.token()
            reply = await self._http.request(
                method, url, json=body, headers={"Authorization": f"Bearer {token}"}
            )
            if reply.status_code == 401 and not renewed:
                # Revoked, outlived (a machine that slept keeps its monotonic clock still),
                # or the secret was rotated: one new token, one more try.
                renewed = True
                await self.token(fresh=True)
                continue
            if reply.status_code == 429 and attempt < self._max_retries:
                attempt += 1
                await self._wait_out(reply)
                continue
            break
        if reply.status_code >= 400:
            try:
                error = reply.json()["error"]
                raise ServerError(
                    error["code"], error["message"], reply.status_code, error.get("details")
                )
            except (ValueError, KeyError, TypeError):
                raise ServerError("http_error", reply.text, reply.status_code) from None
        return reply.json() if reply.content else None

    # ---- the app API ----------------------------------------------------------------------

    async def me(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.call("GET", "me")
        return result

    async def get_user(self, user: UserRef) -> dict[str, Any]:
        return dict((await self.call("GET", f"users/{_path_ref(user)}"))["user"])

    async def create_user(
        self, external_id: str, nickname: str, *, account: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        body = {"external_id": external_id, "nickname": nickname, **fields}
        if account is not None:
            body["account"] = account
        return dict((await self.call("POST", "users", body))["user"])

    async def update_user(self, user: UserRef, **changes: Any) -> dict[str, Any]:
        return dict((await self.call("PATCH", f"users/{_path_ref(user)}", changes))["user"])

    async def disable_user(self, user: UserRef) -> dict[str, Any]:
        return dict((await self.call("POST", f"users/{_path_ref(user)}/disable"))["user"])

    async def enable_user(self, user: UserRef) -> dict[str, Any]:
        return dict((await self.call("POST", f"users/{_path_ref(user)}/enable"))["user"])

    async def sync(
        self,
        departments: Sequence[dict[str, Any]],
        users: Sequence[dict[str, Any]],
        *,
        mode: str = "merge",
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Upsert the tree and the people. Sync mode (and a dry run) sends everything in one
        request (the server applies it in batches); merge mode sends the people in
        batches of ``SYNC_BATCH``, the tree with the first. The reports are combined."""
        if mode == "sync" or dry_run or len(users) <= SYNC_BATCH:
            result: dict[str, Any] = await self.call(
                "POST",
                "sync",
                {
                    "mode": mode,
                    "dry_run": dry_run,
                    "departments": list(departments),
                    "users": list(users),
                },
            )
            return result
        combined: dict[str, Any] = {}
        for start in range(0, len(users), SYNC_BATCH):
            part = await self.call(
                "POST",
                "sync",
                {
                    "mode": mode,
                    "departments": list(departments) if start == 0 else [],
                    "users": list(users[start : start + SYNC_BATCH]),
                },
            )
            if not combined:
                combined = part
                continue
            for key in ("created", "updated", "disabled"):
                combined["report"]["users"][key] += part["report"]["users"][key]
            combined["report"]["rejected"] += part["report"]["rejected"]
        return combined

    async def send_as_user(
        self,
        user: UserRef,
        *,
        conversation_id: int | None = None,
        to: UserRef | None = None,
        text: str | None = None,
        type: str = "text",
        body: dict[str, Any] | None = None,
        client_msg_id: str | None = None,
    ) -> dict[str, Any]:
        return await self._send("user", user, conversation_id, to, text, type, body, client_msg_id)

    async def send_as_bot(
        self,
        *,
        conversation_id: int | None = None,
        to: UserRef | None = None,
        text: str | None = None,
        type: str = "text",
        body: dict[str, Any] | None = None,
        client_msg_id: str | None = None,
    ) -> dict[str, Any]:
        return await self._send("bot", None, conversation_id, to, text, type, body, client_msg_id)

    async def _send(
        self,
        sender: str,
        user: UserRef | None,
        conversation_id: int | None,
        to: UserRef | None,
        text: str | None,
        type: str,
        body: dict[str, Any] | None,
        client_msg_id: str | None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "as": sender,
            # Chosen once: every retry of this call (429, 401) carries the same id.
            "client_msg_id": client_msg_id or uuid.uuid4().hex,
            "type": type,
            "body": body if body is not None else {"text": text or ""},
        }
        if user is not None:
            payload["user"] = user
        if conversation_id is not None:
            payload["conversation_id"] = conversation_id
        if to is not None:
            payload["to"] = to
        return dict((await self.call("POST", "messages", payload))["entry"])

    async def send_notice(
        self,
        user: UserRef,
        title: str,
        *,
        text: str = "",
        url: str | None = None,
        client_msg_id: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "user": user,
            "title": title,
            "text": text,
            "client_msg_id": client_msg_id or uuid.uuid4().hex,
        }
        if url is not None:
            body["url"] = url
        return dict(await self.call("POST", "notices", body))

    async def open_direct(self, user: UserRef, peer: UserRef | None = None) -> int:
        """The direct chat of two users, or (no peer) of the app's bot and ``user``."""
        body: dict[str, Any] = {"user": user}
        if peer is not None:
            body["peer"] = peer
        return int((await self.call("POST", "conversations/direct", body))["conversation_id"])

    async def create_group(
        self, owner: UserRef, name: str, members: Sequence[UserRef], *, bot: bool = False
    ) -> int:
        body = {"owner": owner, "name": name, "members": list(members), "bot": bot}
        return int((await self.call("POST", "groups", body))["conversation_id"])

    async def add_members(
        self, conversation_id: int, members: Sequence[UserRef], *, bot: bool = False
    ) -> dict[str, Any]:
        body = {"members": list(members), "bot": bot}
        return dict(await self.call("POST", f"groups/{conversation_id}/members", body))

    async def remove_member(self, conversation_id: int, member: UserRef | None) -> dict[str, Any]:
        """Take a user (None: the app's bot) out of a group."""
        ref = "bot" if member is None else _path_ref(member)
        return dict(await self.call("DELETE", f"groups/{conversation_id}/members/{ref}"))

    async def presence(self, users: Sequence[UserRef]) -> list[dict[str, Any]]:
        return list((await self.call("POST", "presence", {"users": list(users)}))["users"])

    async def sso_ticket(self, user: UserRef, *, next: str | None = None) -> dict[str, Any]:
        """A one-time ticket: send the user's browser to ``base_url + result["url"]``."""
        body: dict[str, Any] = {"user": user}
        if next is not None:
            body["next"] = next
        return dict(await self.call("POST", "sso-tickets", body))
