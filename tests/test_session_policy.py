"""The session policy setting: "allow all" keeps older sessions on the same platform."""

from __future__ import annotations

from pathlib import Path

from tests.support.server import ServerProcess
from tests.support.users import PASSWORD, register
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
