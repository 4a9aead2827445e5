"""The allowlist of origins (N5, decision 0063) against a real server, on SQLite and
PostgreSQL: CORS answers of the REST API and tus uploads for listed and unlisted origins,
the old variable's name, a live change by an administrator reaching CORS and the WebSocket
handshake at once, and bad origins refused with a clear error. Browsers are played by
sending what they send (``Origin``, ``Access-Control-Request-*``); tests/browser/
test_cross_origin.py has Chromium itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.admin import audit_since, last_audit_id
from tests.support.attackers import open_websocket
from tests.support.files import auth, create, metadata
from tests.support.server import ServerProcess
from tests.support.social import http_refused, make_admin
from tests.support.users import Person, register
from tidings.domain.origins import normalise_origin, normalise_origins
from tidings.sdk import ServerError

SHOP = "https://shop.example.com"
OLD = "https://old.example.com:8443"  # listed under the variable's older name
EVIL = "https://evil.example"
SERVER_ENV = {"TIDINGS_ALLOWED_ORIGINS": SHOP, "TIDINGS_WS_ALLOWED_ORIGINS": OLD}
PATH = "/api/v1/admin/settings"


@pytest.fixture(scope="module")
async def admin(server: ServerProcess, base_url: str) -> AsyncIterator[Person]:
    person = await register(base_url, "admin")
    await make_admin(server, person)
    yield person
    await person.http.close()


@pytest.fixture
async def http(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        yield client


async def preflight(
    http: httpx.AsyncClient, path: str, origin: str, method: str, headers: str = ""
) -> httpx.Response:
    asked = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        asked["Access-Control-Request-Headers"] = headers
    return await http.options(path, headers=asked)


def allowed_headers(response: httpx.Response) -> set[str]:
    return {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}


def exposed(response: httpx.Response) -> set[str]:
    return {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}


def cors_headers(response: httpx.Response) -> list[str]:
    return [name for name in response.headers if name.lower().startswith("access-control-")]


# The REST API


async def test_a_listed_origin_gets_a_preflight_answer(http: httpx.AsyncClient) -> None:
    response = await preflight(
        http, "/api/v1/conversations", SHOP, "POST", "authorization,content-type"
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == SHOP
    methods = response.headers["access-control-allow-methods"]
    assert {"GET", "POST", "PATCH", "DELETE"} <= {m.strip() for m in methods.split(",")}
    assert {"authorization", "content-type"} <= allowed_headers(response)
    assert int(response.headers["access-control-max-age"]) > 0
    assert "origin" in response.headers["vary"].lower()
    # Bearer tokens, never cookies: no credentials mode.
    assert "access-control-allow-credentials" not in response.headers


async def test_a_listed_origin_reads_answers_and_their_headers(
    http: httpx.AsyncClient, alice: Person
) -> None:
    response = await http.get(
        "/api/v1/sessions",
        headers={"Origin": SHOP, "Authorization": f"Bearer {alice.token}"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SHOP
    assert {"location", "retry-after", "x-request-id", "etag"} <= exposed(response)
    assert "origin" in response.headers["vary"].lower()
    # Refusals are readable too (the page shows the error's code).
    refused = await http.get("/api/v1/sessions", headers={"Origin": SHOP})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == SHOP


async def test_the_origin_is_matched_in_any_spelling(http: httpx.AsyncClient) -> None:
    for spelling in ("HTTPS://Shop.Example.com", "https://shop.example.com:443"):
        response = await preflight(http, "/api/v1/auth/login", spelling, "POST")
        assert response.status_code == 204, spelling
        # The header says the origin as the browser sent it: browsers compare it verbatim.
        assert response.headers["access-control-allow-origin"] == spelling


@pytest.mark.parametrize(
    "origin",
    [
        EVIL,
        "https://shop.example.com.evil.example",
        "http://shop.example.com",  # a listed host over another scheme
        "https://shop.example.com:8443",  # ... on another port
        "null",  # a sandboxed frame or a file: page
    ],
)
async def test_an_unlisted_origin_gets_a_refused_preflight(
    http: httpx.AsyncClient, origin: str
) -> None:
    response = await preflight(http, "/api/v1/auth/login", origin, "POST", "content-type")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "allowed origins" in response.json()["error"]["message"]
    assert cors_headers(response) == []


async def test_an_unlisted_origins_requests_get_no_cors_headers(
    http: httpx.AsyncClient, alice: Person
) -> None:
    response = await http.get(
        "/api/v1/sessions", headers={"Origin": EVIL, "Authorization": f"Bearer {alice.token}"}
    )
    # The server answers (a form can post anyway); the browser keeps the answer from the page.
    assert response.status_code == 200
    assert cors_headers(response) == []
    assert "origin" in response.headers["vary"].lower()


async def test_only_the_api_and_uploads_speak_cors(http: httpx.AsyncClient) -> None:
    for path in ("/", "/healthz", "/admin"):
        response = await http.get(path, headers={"Origin": SHOP})
        assert cors_headers(response) == [], path
    # The site's own pages send an Origin on their POSTs too: same-origin needs nothing.
    response = await http.get("/api/v1/public/settings", headers={"Origin": SHOP})
    assert response.headers["access-control-allow-origin"] == SHOP


async def test_a_refusal_by_the_size_limit_is_readable(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/api/v1/auth/login",
        content=b"x" * (2 * 1024 * 1024),
        headers={"Origin": SHOP, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["access-control-allow-origin"] == SHOP


async def test_the_older_variables_origins_are_listed_too(http: httpx.AsyncClient) -> None:
    response = await preflight(http, "/api/v1/auth/login", OLD, "POST")
    assert response.status_code == 204


# tus uploads


async def test_tus_preflight_and_creation_from_a_listed_origin(
    http: httpx.AsyncClient, alice: Person
) -> None:
    tus = "authorization,tus-resumable,upload-length,upload-metadata,upload-offset,content-type"
    for path, method in (("/files/", "POST"), ("/files/abc", "PATCH"), ("/files/abc", "HEAD")):
        response = await preflight(http, path, SHOP, method, tus)
        assert response.status_code == 204, path
        assert set(tus.split(",")) <= allowed_headers(response)
    created = await http.post(
        "/files/",
        headers={
            "Origin": SHOP,
            **auth(alice.token),
            "Upload-Length": "3",
            "Upload-Metadata": metadata(filename="a.txt"),
        },
    )
    assert created.status_code == 201
    assert created.headers["access-control-allow-origin"] == SHOP
    assert {"location", "upload-offset", "tus-resumable"} <= exposed(created)
    sent = await http.patch(
        created.headers["location"],
        content=b"abc",
        headers={
            "Origin": SHOP,
            **auth(alice.token),
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert sent.status_code == 204
    assert sent.headers["upload-offset"] == "3"
    assert sent.headers["access-control-allow-origin"] == SHOP


async def test_tus_discovery_is_not_a_preflight(http: httpx.AsyncClient) -> None:
    """A tus client's own OPTIONS (no Access-Control-Request-Method) reaches tus."""
    response = await http.options("/files/", headers={"Origin": SHOP})
    assert response.status_code == 204
    assert "tus-version" in response.headers
    assert response.headers["access-control-allow-origin"] == SHOP


async def test_tus_refuses_an_unlisted_origins_preflight(
    http: httpx.AsyncClient, alice: Person
) -> None:
    response = await preflight(http, "/files/", EVIL, "POST", "tus-resumable,upload-length")
    assert response.status_code == 403
    created = await create(http, alice.token, 3)
    assert created.status_code == 201
    assert cors_headers(created) == []


# Live: an administrator changes the list


async def handshake(server: ServerProcess, origin: str) -> int:
    _, writer, answer = await open_websocket(server.port, origin=origin)
    writer.close()
    return int(answer.split(b" ", 2)[1])


async def set_origins(admin: Person, origins: list[str] | None) -> dict[str, Any]:
    result: dict[str, Any] = await admin.http.call(
        "PATCH", PATH, {"changes": {"cors": {"allowed_origins": origins}}}
    )
    return result


async def test_a_change_applies_at_once_to_cors_and_the_websocket(
    server: ServerProcess, http: httpx.AsyncClient, admin: Person
) -> None:
    new = "http://127.0.0.2:5173"
    assert (await preflight(http, "/api/v1/auth/login", new, "POST")).status_code == 403
    assert await handshake(server, new) == 403
    before = await last_audit_id(admin)
    changed = await set_origins(admin, [SHOP, "HTTP://127.0.0.2:5173/"])
    try:
        # Stored as browsers spell origins.
        assert changed["settings"]["cors"]["allowed_origins"] == [SHOP, new]
        assert (await preflight(http, "/api/v1/auth/login", new, "POST")).status_code == 204
        assert await handshake(server, new) == 101
        # The configured ones are no longer listed unless the administrator kept them.
        assert (await preflight(http, "/api/v1/auth/login", OLD, "POST")).status_code == 403
        public = (await http.get("/api/v1/public/settings")).json()
        assert public["settings"]["cors"]["allowed_origins"] == [SHOP, new]
        entries = await audit_since(admin, before, action="settings.update")
        assert [e["details"]["changes"] for e in entries] == [
            {"cors.allowed_origins": {"old": [SHOP, OLD], "new": [SHOP, new]}}
        ]
    finally:
        back = await set_origins(admin, None)
    # null: back to the configured list.
    assert back["settings"]["cors"]["allowed_origins"] == [SHOP, OLD]
    assert (await preflight(http, "/api/v1/auth/login", new, "POST")).status_code == 403
    assert await handshake(server, new) == 403
    assert await handshake(server, OLD) == 101


@pytest.mark.parametrize(
    ("origins", "says"),
    [
        (["*"], "wildcards"),
        (["https://*.example.com"], "wildcards"),
        (["https://shop.example.com/path"], "no path"),
        (["ftp://files.example.com"], "http(s)"),
        (["shop.example.com"], "http(s)"),
        (["https://user:pw@shop.example.com"], "credentials"),
        (["https://shop.example.com:99999"], "not an origin"),
        ("https://shop.example.com", "list"),
        ([f"https://s{i}.example.com" for i in range(101)], "at most 100"),
    ],
)
async def test_bad_origins_are_refused(admin: Person, origins: Any, says: str) -> None:
    with pytest.raises(ServerError) as refused:
        await set_origins(admin, origins)
    assert refused.value.code == "invalid_input"
    assert refused.value.message.startswith("changes.cors.allowed_origins")
    assert says in refused.value.message


async def test_a_plain_user_may_not_change_the_list(alice: Person) -> None:
    refused = await http_refused(
        alice, "PATCH", PATH, {"changes": {"cors": {"allowed_origins": [EVIL]}}}
    )
    assert refused == "forbidden"


# The rules (no server)


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("https://Shop.Example.COM/", "https://shop.example.com"),
        ("https://shop.example.com:443", "https://shop.example.com"),
        ("http://shop.example.com:80", "http://shop.example.com"),
        ("http://127.0.0.2:8080", "http://127.0.0.2:8080"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        (" https://shop.example.com ", "https://shop.example.com"),
    ],
)
def test_origins_are_spelled_as_browsers_send_them(text: str, origin: str) -> None:
    assert normalise_origin(text) == origin


def test_duplicates_are_dropped() -> None:
    assert normalise_origins([SHOP, "https://SHOP.example.com:443", OLD]) == [SHOP, OLD]


# What host pages and developers load: the SDK bundle and the API docs (the web build's)


async def test_the_sdk_bundle_is_served_to_any_page(http: httpx.AsyncClient) -> None:
    response = await http.get("/sdk/tidings-sdk.js", headers={"Origin": EVIL})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    # A module script is fetched in CORS mode; the file grants nothing, so anyone may.
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "no-cache"
    assert "export{" in response.text.replace(" ", "")
    types = await http.get("/sdk/tidings-sdk.d.ts")
    assert types.status_code == 200
    assert types.headers["content-type"] == "text/plain; charset=utf-8"
    assert "export declare class Client" in types.text


async def test_the_api_docs_load_nothing_from_elsewhere(http: httpx.AsyncClient) -> None:
    page = await http.get("/api/docs")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "//" not in page.text.replace("<!doctype html>", "")  # no URL of another host
    assert "<script>" not in page.text  # nothing inline: the CSP would refuse it
    for path in ("/api/docs/start.js", "/api/docs/assets/swagger-ui-bundle.js"):
        script = await http.get(path)
        assert script.status_code == 200, path
        assert script.headers["content-type"].startswith("text/javascript")
    start = await http.get("/api/docs/start.js")
    assert "'/openapi.json'" in start.text
