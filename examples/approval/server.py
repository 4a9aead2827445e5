"""An approval form as a Tidings workbench app (J6, decision 0069): a tiny HTTP server with
the standard library only.

    python examples/approval/server.py --tidings http://127.0.0.1:8080 \
        --client-id app_... --client-secret tds_... --host 127.0.0.2 --port 8765

It serves the H5 page (which includes Tidings' /workbench/bridge.js), and a backend that
exchanges the page's one-time ticket for the user's identity with the app's credentials
(OAuth 2.0 client credentials, then POST /api/v1/app/workbench/tickets/exchange). An
approval submitted here becomes a card the user shares into a chat (Tidings.shareCard).
Everything is kept in memory: it is an example.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PAGE = Path(__file__).with_name("page.html")
SCRIPT = Path(__file__).with_name("app.js")
MAX_BODY = 16 * 1024


class Tidings:
    """The app's side of the app API: a token, refreshed before it expires."""

    def __init__(self, base_url: str, client_id: str, client_secret: str) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise SystemExit("--tidings must be an http(s) URL")
        self.base_url = base_url.rstrip("/")
        self._basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self._token = ""
        self._expires = 0.0
        self._lock = threading.Lock()

    def _post(self, path: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
        # The URL is the configured Tidings server's (http or https, checked in __init__).
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                answer: dict[str, Any] = json.loads(response.read())
                return answer
        except urllib.error.HTTPError as error:
            raise ExchangeFailed(error.code, error.read().decode(errors="replace")) from None

    def token(self) -> str:
        with self._lock:
            if time.monotonic() < self._expires - 60:
                return self._token
            grant = self._post(
                "/api/v1/oauth/token",
                b"grant_type=client_credentials",
                {
                    "Authorization": f"Basic {self._basic}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            self._token = grant["access_token"]
            self._expires = time.monotonic() + float(grant["expires_in"])
            return self._token

    def exchange(self, ticket: str) -> dict[str, Any]:
        """Who the ticket was given to: {user: {id, external_id, account, nickname, ...}}."""
        return self._post(
            "/api/v1/app/workbench/tickets/exchange",
            json.dumps({"ticket": ticket}).encode(),
            {"Authorization": f"Bearer {self.token()}", "Content-Type": "application/json"},
        )


class ExchangeFailed(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status


class Approvals:
    """Sessions (a random key per signed-in page) and approvals, in memory."""

    def __init__(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.approvals: dict[int, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def add(self, user: dict[str, Any], kind: str, amount: str, reason: str) -> dict[str, Any]:
        with self.lock:
            number = len(self.approvals) + 1
            approval = {
                "id": number,
                "kind": kind,
                "amount": amount,
                "reason": reason,
                "applicant": user["nickname"],
                "status": "submitted",
            }
            self.approvals[number] = approval
        return approval


def make_handler(
    tidings: Tidings, store: Approvals, public_url: str
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data: Any) -> None:
            self._send(status, json.dumps(data).encode(), "application/json")

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise ValueError("too large")
            data = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return data

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path in ("/", "/approval/"):
                page = PAGE.read_text().replace("{{TIDINGS}}", html.escape(tidings.base_url))
                self._send(200, page.encode(), "text/html; charset=utf-8")
            elif path == "/app.js":
                self._send(200, SCRIPT.read_bytes(), "text/javascript; charset=utf-8")
            elif path.startswith("/approvals/") and path.removeprefix("/approvals/").isdigit():
                found = store.approvals.get(int(path.removeprefix("/approvals/")))
                if found is None:
                    self._send(404, b"no such approval", "text/plain")
                    return
                rows = "".join(
                    f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                    for k, v in found.items()
                )
                page = f"<!doctype html><meta charset=utf-8><title>Approval</title><table>{rows}"
                self._send(200, f"{page}</table>".encode(), "text/html; charset=utf-8")
            else:
                self._send(404, b"not found", "text/plain")

        def do_POST(self) -> None:
            try:
                body = self._body()
            except ValueError:
                self._json(400, {"error": "send a JSON object"})
                return
            if self.path == "/api/session":
                # The page's ticket, exchanged by this backend with the app's credentials.
                try:
                    identity = tidings.exchange(str(body.get("ticket", "")))
                except ExchangeFailed as failed:
                    self._json(401, {"error": f"the ticket was refused ({failed.status})"})
                    return
                key = secrets.token_urlsafe(24)
                store.sessions[key] = identity["user"]
                self._json(200, {"session": key, "user": identity["user"]})
            elif self.path == "/api/approvals":
                user = store.sessions.get(self.headers.get("X-Session", ""))
                if user is None:
                    self._json(401, {"error": "sign in through Tidings first"})
                    return
                kind = str(body.get("kind", "expense"))[:40]
                amount = str(body.get("amount", ""))[:20]
                reason = str(body.get("reason", ""))[:500]
                approval = store.add(user, kind, amount, reason)
                card = {
                    "title": f"Approval #{approval['id']}: {kind}",
                    "url": f"{public_url}/approvals/{approval['id']}",
                    "description": reason,
                    "fields": [
                        {"label": "Applicant", "value": user["nickname"]},
                        {"label": "Amount", "value": amount},
                        {"label": "Status", "value": "Submitted"},
                    ],
                }
                self._json(201, {"approval": approval, "card": card})
            else:
                self._json(404, {"error": "not found"})

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tidings", required=True, help="the Tidings server's URL")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--host", default="127.0.0.2")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    tidings = Tidings(args.tidings, args.client_id, args.client_secret)
    public_url = f"http://{args.host}:{args.port}"
    server = ThreadingHTTPServer(
        (args.host, args.port), make_handler(tidings, Approvals(), public_url)
    )
    print(f"approval app on {public_url}/approval/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
