"""Sign in with OpenID Connect (decision 0064; docs/protocol.md "Single sign-on").

``start`` and ``callback`` are browser navigations, not API calls: they answer with redirects,
and a failure lands the browser on the web client's sign-in page with the error's code in the
address's fragment (``/#oidc_error=<code>``), where the page shows it in the user's language.
``finish`` is the web client's JSON call that turns the handoff into a session.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from tidings.api.deps import C, client_ip, user_agent
from tidings.domain.errors import TidingsError
from tidings.domain.oidc import LANDING_PATH
from tidings.domain.security import SignInAttempt
from tidings.schemas import OidcFinishInput

router = APIRouter(prefix="/api/v1/auth/oidc", tags=["accounts"])

# Binds a started sign-in to the browser that started it (RFC 6749 10.12, login CSRF): sent
# only to these endpoints, never readable by scripts; Lax, so the provider's redirect (a
# top-level navigation back to us) carries it.
BROWSER_COOKIE = "tidings_oidc"
COOKIE_PATH = "/api/v1/auth/oidc"
Text = Annotated[str | None, Query(max_length=4096)]


def _landing(fragment: str) -> RedirectResponse:
    response = RedirectResponse(f"{LANDING_PATH}#{fragment}", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _failed(error: TidingsError) -> RedirectResponse:
    return _landing(f"oidc_error={quote(error.code.value)}")


@router.get("/start", response_model=None)
async def start(
    c: C,
    request: Request,
    next: Text = None,
    remember: bool = False,
) -> RedirectResponse:
    """Send the browser to the provider (``next``: where to land once signed in)."""
    try:
        started = await c.single_sign_on.do_start(
            next_to=next,
            remember=remember,
            origin=str(request.base_url).rstrip("/"),
            ip=client_ip(request),
        )
    except TidingsError as error:
        return _failed(error)
    response = RedirectResponse(started.authorization_url, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie(
        BROWSER_COOKIE,
        started.browser_secret,
        max_age=c.settings.oidc_sign_in_ttl_seconds,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/callback", response_model=None)
async def callback(
    c: C,
    request: Request,
    state: Text = None,
    code: Text = None,
    error: Text = None,
    iss: Text = None,
) -> RedirectResponse:
    """The provider sends the browser back here; it goes on to the web client."""
    try:
        handoff = await c.single_sign_on.do_call_back(
            state=state,
            code=code,
            error=error,
            issuer=iss,
            browser_secret=request.cookies.get(BROWSER_COOKIE),
            ip=client_ip(request),
            user_agent=user_agent(request),
        )
    except TidingsError as failure:
        response = _failed(failure)
    else:
        response = _landing(f"oidc={handoff}")
    response.delete_cookie(BROWSER_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/finish")
async def finish(body: OidcFinishInput, c: C, request: Request) -> dict[str, Any]:
    """Spend a handoff for a session: the answer of a password sign-in, and ``next``."""
    signed_in, next_path = await c.single_sign_on.do_finish(
        body.handoff,
        SignInAttempt(
            platform=body.platform,
            device_name=body.device_name,
            ip=client_ip(request),
            remember=False,  # as the sign-in was started
            device_token=body.device_token,
            user_agent=user_agent(request),
        ),
    )
    return {**signed_in.to_wire(), "next": next_path}
