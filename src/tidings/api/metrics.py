"""``/metrics``: Prometheus text for allowed addresses or the metrics token.

The numbers say how busy the server is and how many people are online; they are for the
operator's scraper, not for everyone. A request is let in when its client address (the
socket's, or X-Forwarded-For when a trusted proxy sent it: uvicorn's ``proxy_headers``) is in
``metrics_allowed_networks``, or when it carries ``Authorization: Bearer <metrics_token>``.
Anyone else gets ``403 forbidden``: the endpoint's existence is no secret (the project is
open source), and a plain refusal tells an operator what is wrong with a scrape.
"""

from __future__ import annotations

import hmac
from ipaddress import IPv4Address, IPv6Address, ip_address

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from tidings.api.deps import container
from tidings.api.errors import error_response
from tidings.config import Settings
from tidings.domain.errors import ErrorCode, TidingsError

router = APIRouter()


@router.get("/metrics", include_in_schema=False, response_model=None)
async def metrics(request: Request) -> Response:
    if not may_read_metrics(container(request).settings, request):
        return error_response(
            TidingsError(
                ErrorCode.FORBIDDEN,
                "metrics are served to allowed addresses or with the metrics token",
            )
        )
    return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def may_read_metrics(settings: Settings, request: Request) -> bool:
    token = settings.metrics_token
    if token:
        scheme, _, sent = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(sent.encode(), token.encode()):
            return True
    address = _address(request.client.host if request.client else "")
    return address is not None and any(address in network for network in settings.metrics_networks)


def _address(host: str) -> IPv4Address | IPv6Address | None:
    try:
        address = ip_address(host)
    except ValueError:
        return None  # a Unix socket, or an X-Forwarded-For that is not an address
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:127.0.0.1 on a dual-stack socket
    return address
