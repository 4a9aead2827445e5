"""The app API's presence on two nodes sharing PostgreSQL and Redis (issue 14, J3): a user's
devices connected to different nodes are each seen online from either node, and each goes
offline on its own."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest

from tests.support.apps import create_app
from tests.support.server import ServerProcess, pg_cluster
from tests.support.waiting import eventually
from tidings.sdk import TidingsApp, TidingsClient
from tidings.sdk.app import ext

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ServerProcess]]:
    with pg_cluster(tmp_path_factory) as cluster:
        yield cluster.nodes


async def test_devices_on_two_nodes_are_seen_from_either(nodes: list[ServerProcess]) -> None:
    a, b = nodes
    credentials = await create_app(a, f"HR {secrets.token_hex(3)}", "users:write presence:read sso")
    key = secrets.token_hex(4)
    async with (
        TidingsApp(a.base_url, credentials.client_id, credentials.client_secret) as on_a,
        TidingsApp(b.base_url, credentials.client_id, credentials.client_secret) as on_b,
    ):
        await on_a.create_user(f"E-{key}", "Mei", account=f"mei{key}")

        async def session(node: ServerProcess, platform: str, name: str) -> str:
            ticket = await on_a.sso_ticket(ext(f"E-{key}"))
            async with httpx.AsyncClient(base_url=node.base_url) as http:
                reply = await http.post(
                    "/api/v1/auth/sso",
                    json={"ticket": ticket["ticket"], "platform": platform, "device_name": name},
                )
            assert reply.status_code == 200, reply.text
            token: str = reply.json()["token"]
            return token

        desktop = await session(a, "desktop", "Work PC")
        phone = await session(b, "android", "Pixel")

        async def devices(app: TidingsApp) -> tuple[str, list[tuple[str, bool]]]:
            (found,) = await app.presence([ext(f"E-{key}")])
            return found["status"], sorted((d["platform"], d["online"]) for d in found["devices"])

        async def seen_by_both(status: str, wanted: list[tuple[str, bool]]) -> bool:
            return all([await devices(app) == (status, wanted) for app in (on_a, on_b)])

        async with TidingsClient(a.base_url, token=desktop) as on_desktop:
            await on_desktop.request("conversations.list", {})
            async with TidingsClient(b.base_url, token=phone) as on_phone:
                await on_phone.request("conversations.list", {})
                both = [("android", True), ("desktop", True)]
                await eventually(lambda: seen_by_both("online", both))
            # The phone's node let it go; the desktop is still on the other.
            await eventually(
                lambda: seen_by_both("online", [("android", False), ("desktop", True)])
            )
        await eventually(lambda: seen_by_both("offline", [("android", False), ("desktop", False)]))
