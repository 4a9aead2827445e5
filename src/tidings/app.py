"""The ASGI application: REST under /api/v1, health, metrics, the client.

The WebSocket gateway at /ws is not ASGI: uvicorn hands upgraded sockets straight to
``tidings.gateway.websocket.GatewayConnection``, which finds its ``Gateway`` in
``app.state.gateway`` (decision 0018).
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings import __version__
from tidings.api import (
    admin,
    admin_broadcasts,
    admin_dashboard,
    admin_groups,
    admin_moderation,
    admin_org,
    admin_settings,
    admin_users,
    api_docs,
    app_api,
    apps,
    auth,
    calls,
    contacts,
    conversations,
    errors,
    favorites,
    files,
    groups,
    metrics,
    organization,
    public_settings,
    reports,
    search,
    security,
    service,
    single_sign_on,
    uploads,
    webhooks,
    workbench,
)
from tidings.client import ClientAssets, client_file
from tidings.config import Settings
from tidings.container import Container
from tidings.cors import CrossOrigin
from tidings.demo import seed_demo
from tidings.domain.app_sync import MAX_SYNC_BYTES
from tidings.domain.org_import import MAX_IMPORT_BYTES
from tidings.gateway.websocket import Gateway
from tidings.logs import RequestIds

# Requests bodies larger than this are refused before they are read in full.
MAX_BODY_BYTES = 1024 * 1024
# The word list takes up to 100,000 words in one request (K7): ~4 MB as JSON entries.
WORD_LIST_PATH = "/api/v1/admin/moderation/words"
WORD_LIST_BODY_BYTES = 16 * 1024 * 1024

# The shape of an invite code in a link (what `invites.create` makes: URL-safe base64).
INVITE_CODE = re.compile(r"[A-Za-z0-9_-]{8,64}")

# Messages are untrusted: the client renders them as text, and the policy forbids any script
# or connection the app did not ship.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def content_security_policy(settings: Settings) -> str:
    """The policy, with the map tile server (a setting) allowed as an image source."""
    origins = settings.map_tile_origins
    if not origins:
        return CSP
    images = "img-src 'self' data: blob:"
    return CSP.replace(images, f"{images} {' '.join(origins)}")


def with_workbench_origins(csp: str, origins: tuple[str, ...]) -> str:
    """The policy with the workbench apps' origins (decision 0069) allowed as frames (their
    pages) and images (their icons, which live on the same origins)."""
    if not origins:
        return csp
    listed = " ".join(origins)
    images = "img-src 'self' data: blob:"
    return csp.replace(images, f"{images} {listed}").replace(
        "object-src", f"frame-src 'self' {listed}; object-src"
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    container = Container(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await container.start(serving=True)
        if settings.demo:
            for line in await seed_demo(container):
                logging.getLogger("tidings").info(line)
        try:
            yield
        finally:
            await container.stop()

    app = FastAPI(
        title="Tidings",
        version=__version__,
        lifespan=lifespan,
        # Ours (api_docs): FastAPI's loads Swagger UI from a CDN, which the CSP forbids.
        docs_url=None,
        redoc_url=None,
    )
    app.state.container = container
    app.state.gateway = Gateway(container)
    errors.install(app)
    app.include_router(auth.router)
    app.include_router(single_sign_on.router)
    app.include_router(security.router)
    app.include_router(conversations.router)
    app.include_router(contacts.router)
    app.include_router(groups.router)
    app.include_router(organization.router)
    app.include_router(files.router)
    app.include_router(favorites.router)
    app.include_router(search.router)
    app.include_router(calls.router)
    app.include_router(admin.router)
    app.include_router(admin_users.router)
    app.include_router(admin_groups.router)
    app.include_router(admin_dashboard.router)
    app.include_router(admin_settings.router)
    app.include_router(public_settings.router)
    app.include_router(admin_broadcasts.router)
    app.include_router(admin_org.router)
    app.include_router(admin_moderation.router)
    app.include_router(reports.router)
    app.include_router(service.router)
    app.include_router(apps.oauth)
    app.include_router(apps.admin)
    app.include_router(apps.app_api)
    app.include_router(webhooks.router)
    app.include_router(workbench.admin)
    app.include_router(workbench.user_api)
    app.include_router(workbench.app_api)
    app.include_router(workbench.bridge)
    app.include_router(app_api.router)
    app.include_router(app_api.sso_router)
    app.include_router(metrics.router)
    uploads.install(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    static = settings.static_dir or Path(__file__).parent / "static"
    api_docs.install(app, static)
    _mount_client(app, static)
    app.add_middleware(
        _Limits,
        hsts_max_age=settings.hsts_max_age_seconds,
        csp=content_security_policy(settings),
        frame_origins=container.workbench.frame_origins,
    )
    # Outside the limits: their refusals (413) reach allowed pages readable (decision 0063).
    app.add_middleware(CrossOrigin, allowed=lambda: container.site_settings.allowed_origins)
    # Outermost: refusals of the middleware above get an id and an access line too.
    app.add_middleware(RequestIds)
    return app


def _mount_client(app: FastAPI, directory: Path) -> None:
    # Precompressed text and the caching rules of hashed files: tidings.client (0031).
    index = directory / "index.html"
    if (directory / "assets").is_dir():
        app.mount("/assets", ClientAssets(directory=directory / "assets"), name="assets")
    # The TypeScript SDK as one ES module (docs/sdk.md): host pages import it from here; not
    # hashed, so revalidated (client_file), and served to any origin (tidings.cors).
    if (directory / "sdk").is_dir():
        app.mount("/sdk", ClientAssets(directory=directory / "sdk"), name="sdk")

    def app_page(request: Request) -> Response:
        if index.is_file():
            return client_file(index, request.headers)
        return HTMLResponse("<!doctype html><title>Tidings</title><h1>Tidings</h1>")

    # HEAD too, as /assets answers it (uptime checks, link previews).
    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False, response_model=None)
    async def root(request: Request) -> Response:
        return app_page(request)

    # The admin console (issue 13): a page of its own; its pages are chosen by the URL's hash.
    @app.api_route("/admin", methods=["GET", "HEAD"], include_in_schema=False, response_model=None)
    async def admin_console(request: Request) -> Response:
        page = directory / "admin.html"
        if not page.is_file():
            raise HTTPException(404, "no admin console in this build")
        return client_file(page, request.headers)

    # The service worker (decision 0042): at the root, so its scope is the whole app; not
    # hashed, so `no-cache` (client_file), and browsers find a new build by comparing it.
    @app.api_route("/sw.js", methods=["GET", "HEAD"], include_in_schema=False, response_model=None)
    async def service_worker(request: Request) -> Response:
        worker = directory / "sw.js"
        if not worker.is_file():
            raise HTTPException(404, "no service worker in this build")
        return client_file(worker, request.headers)

    # The customer-service widget (J4, decision 0066): one script other sites load at a
    # stable address; not hashed, so `no-cache` and revalidated (an update reaches them).
    @app.api_route(
        "/widget.js", methods=["GET", "HEAD"], include_in_schema=False, response_model=None
    )
    async def widget(request: Request) -> Response:
        script = directory / "widget.js"
        if not script.is_file():
            raise HTTPException(404, "no widget in this build")
        return client_file(script, request.headers)

    # Single sign-on (decision 0067): the web client spends the ticket of ?ticket= by a POST.
    @app.api_route("/sso", methods=["GET", "HEAD"], include_in_schema=False, response_model=None)
    async def sso_page(request: Request) -> Response:
        return app_page(request)

    # The link inside invite QR codes (B5, E12): the app opens it and offers to accept the
    # invite after sign-in. The code is only checked for shape here; the app looks it up.
    @app.api_route(
        "/invite/{code}", methods=["GET", "HEAD"], include_in_schema=False, response_model=None
    )
    async def invite_page(request: Request, code: str) -> Response:
        if not INVITE_CODE.fullmatch(code):
            raise HTTPException(404, "no such page")
        return app_page(request)


class _Limits:
    """Refuse oversized request bodies and add security headers to every response."""

    def __init__(
        self,
        app: ASGIApp,
        hsts_max_age: int,
        csp: str = CSP,
        frame_origins: Callable[[], Awaitable[tuple[str, ...]]] | None = None,
    ) -> None:
        self.app = app
        self.base_csp = csp
        self.csp = csp.encode()
        self.frame_origins = frame_origins
        self.csp_origins: tuple[str, ...] = ()
        # Only over HTTPS (RFC 6797 8.1): TLS here, or a trusted proxy's X-Forwarded-Proto.
        self.hsts = f"max-age={hsts_max_age}".encode() if hsts_max_age else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # tus uploads stream up to Tus-Max-Size; their route checks Upload-Length itself.
        # "/files" too: tus clients create uploads there, with their first bytes.
        path = scope["path"]
        limit = (
            sys.maxsize
            if path == "/files" or path.startswith("/files/")
            else WORD_LIST_BODY_BYTES
            if path.startswith(WORD_LIST_PATH)
            # A whole company's tree (20,000 rows with long paths) is over 1 MiB.
            else MAX_IMPORT_BYTES
            if path == "/api/v1/admin/org/import"
            # An app's sync in sync mode states every person at once (100,000: ~13 MiB).
            else MAX_SYNC_BYTES
            if path == "/api/v1/app/sync"
            else MAX_BODY_BYTES
        )
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge()
            return message

        async def secured_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", await self.policy()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                if self.hsts is not None and scope["scheme"] == "https":
                    headers.append((b"strict-transport-security", self.hsts))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, limited_receive, secured_send)

    async def policy(self) -> bytes:
        if self.frame_origins is not None:
            origins = await self.frame_origins()
            if origins != self.csp_origins:
                self.csp = with_workbench_origins(self.base_csp, origins).encode()
                self.csp_origins = origins
        return self.csp


class _BodyTooLarge(HTTPException):
    """Raised while the body streams in; the REST error handler answers 413."""

    def __init__(self) -> None:
        super().__init__(413, "request body too large")


async def _too_large(send: Send) -> None:
    body = b'{"error":{"code":"payload_too_large","message":"request body too large"}}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
