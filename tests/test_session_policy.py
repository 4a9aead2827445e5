"""Session settings: "allow all" keeps older sessions on the same platform; a session's
last-seen time follows its use (written in batches)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.support.server import ServerProcess
from tests.support.users import PASSWORD, register
from tests.support.waiting import eventually
from tidings.sdk import TidingsClient


async def test_allow_all_keeps_every_session(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", env={"TIDINGS_SESSION_POLICY": "allow_all"})
    server.start()
    try:
        user = await register(server.base_url, "multi", platform="web")
        second = await user.http.login(user.account, PASSWORD, platform="web")
        async with (
            TidingsClient(server.base_url, token=user.token) as first,
            TidingsClient(server.base_url, token=second["token"]) as other,
        ):
            sessions = (await first.request("sessions.list"))["sessions"]
            assert [s["platform"] for s in sessions] == ["web", "web"]
            assert first.signed_out_reason is None and other.signed_out_reason is None
        await user.http.close()
    finally:
        server.stop()


async def test_a_sessions_last_seen_time_follows_its_use(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", env={"TIDINGS_SESSION_TOUCH_SECONDS": "0"})
    server.start()
    try:
        user = await register(server.base_url, "seen", platform="web")
        async with TidingsClient(server.base_url, token=user.token) as client:
            (before,) = (await client.request("sessions.list"))["sessions"]
        await asyncio.sleep(0.05)
        async with TidingsClient(server.base_url, token=user.token) as again:

            async def seen_later() -> bool:
                (now,) = (await again.request("sessions.list"))["sessions"]
                return bool(now["last_seen_at"] > before["last_seen_at"])

            await eventually(seen_later, within=5)
        await user.http.close()
    finally:
        server.stop()
