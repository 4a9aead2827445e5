"""Calls over REST (decision 0074): only the ICE servers; calls themselves are WebSocket ops
(gateway/call_ops.py), as their signalling must reach a device at once."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tidings.api.deps import C, Me

router = APIRouter(prefix="/api/v1", tags=["calls"])


@router.get(
    "/calls/ice-servers",
    summary="STUN and TURN servers for calls, with short-lived TURN credentials",
    description=(
        "`ice_servers` is what RTCPeerConnection's `iceServers` takes; TURN credentials "
        'expire after `ttl` seconds. See docs/protocol.md, "Calls".'
    ),
)
async def ice_servers(c: C, me: Me) -> dict[str, Any]:
    return c.calls.ice_servers(me)
