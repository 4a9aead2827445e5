"""What the call browser tests share (decisions 0074, 0078): devices (browser contexts, signed
in) whose peer connections are kept for getStats(), new people, and media flowing."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page

from tests.browser.conftest import WebServer, unique
from tests.browser.pages import sign_in

# Every RTCPeerConnection the page makes is kept for getStats(); with __relayOnly set, it is
# made with iceTransportPolicy "relay" (only TURN candidates: the G2 test).
RECORD_PEERS = """
(() => {
  const Native = window.RTCPeerConnection;
  window.__peers = [];
  function Recorded(config) {
    const relay = { ...(config || {}), iceTransportPolicy: 'relay' };
    const pc = new Native(window.__relayOnly ? relay : config);
    window.__peers.push(pc);
    return pc;
  }
  Recorded.prototype = Native.prototype;
  window.RTCPeerConnection = Recorded;
})();
"""

# What the newest peer connection receives, and how it is connected.
MEDIA_STATS = """
async () => {
  const pc = window.__peers[window.__peers.length - 1];
  if (!pc) return null;
  const stats = await pc.getStats();
  const out = { audio: null, video: null, local: null, remote: null, relay: null };
  const byId = new Map();
  stats.forEach((r) => byId.set(r.id, r));
  stats.forEach((r) => {
    if (r.type === 'inbound-rtp') {
      out[r.kind] = { bytes: r.bytesReceived || 0, frames: r.framesDecoded ?? null };
    }
    if (r.type === 'transport' && r.selectedCandidatePairId) {
      const pair = byId.get(r.selectedCandidatePairId);
      if (pair) {
        const local = byId.get(pair.localCandidateId);
        out.local = local?.candidateType ?? null;
        out.relay = local ? `${local.address}:${local.port}` : null;
        out.remote = byId.get(pair.remoteCandidateId)?.candidateType ?? null;
      }
    }
  });
  return out;
}
"""


class Devices:
    """Signed-in browser contexts, each a device of its own, recording their peer connections;
    ``close`` closes them all."""

    def __init__(self, browser: Any, *, timeout_ms: int, permissions: list[str] | None = None):
        self._browser = browser
        self._timeout_ms = timeout_ms
        self._permissions = permissions or []
        self._contexts: list[Any] = []

    def open(self, server: WebServer, account: str, *scripts: str) -> Page:
        """A new device signed in as ``account``, with these init scripts after RECORD_PEERS."""
        context = self._browser.new_context(
            viewport={"width": 1280, "height": 800},
            locale="en-US",
            permissions=self._permissions,
        )
        context.set_default_timeout(self._timeout_ms)
        for script in (RECORD_PEERS, *scripts):
            context.add_init_script(script)
        self._contexts.append(context)
        page: Page = context.new_page()
        sign_in(page, server.base_url, account)
        return page

    def close(self) -> None:
        for context in self._contexts:
            context.close()


def people(server: WebServer, *names: str) -> list[dict[str, Any]]:
    """New users, each with its ``account`` name."""
    out = []
    for name in names:
        account = unique(name.lower())
        out.append({**server.register(account, name), "account": account})
    return out


def media_flowing(page: Page) -> dict[str, Any]:
    """Inbound audio and video with frames decoded, and their bytes growing."""
    deadline = time.monotonic() + 20
    first: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        stats = page.evaluate(MEDIA_STATS)
        ok = (
            stats is not None
            and stats["audio"] is not None
            and stats["video"] is not None
            and stats["audio"]["bytes"] > 0
            and (stats["video"]["frames"] or 0) > 0
        )
        if ok and first is None:
            first = stats
        elif (
            ok
            and first is not None
            and stats["audio"]["bytes"] > first["audio"]["bytes"]
            and stats["video"]["bytes"] > first["video"]["bytes"]
            and stats["video"]["frames"] > first["video"]["frames"]
        ):
            return dict(stats)
        page.wait_for_timeout(250)
    raise AssertionError(f"no media flowing: {page.evaluate(MEDIA_STATS)}")
