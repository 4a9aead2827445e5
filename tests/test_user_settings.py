"""Settings kept on the server (issue 12): get and update, validation, the size limit, every
device hearing the change, and concurrent updates from several devices (SQLite and
PostgreSQL: the ``server`` fixture runs each test on both)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.support.social import online, refused
from tests.support.users import Person
from tests.test_verify_actions import verify
from tidings.sdk import ServerError, TidingsClient

# Lower than the default (60/1m) so that the rule's test stays short.
SERVER_ENV = {"TIDINGS_RATE_SETTINGS_UPDATE": "30/1m"}


async def test_update_merges_and_every_device_hears_it(base_url: str, alice: Person) -> None:
    async with online(base_url, alice, alice) as (phone, laptop):
        assert await phone.request("settings.get") == {"settings": {}, "version": 0}

        def update(changes: dict[str, Any]) -> Any:
            return lambda: phone.request("settings.update", {"changes": changes})

        await verify(
            base_url,
            [alice, alice],
            [phone, laptop],
            update({"theme": "dark", "notifications": {"preview": False}}),
        )
        await verify(
            base_url,
            [alice, alice],
            [phone, laptop],
            update({"notifications": {"sound": False}, "conversations": {"7": {"popup": False}}}),
        )
        got = await laptop.request("settings.get")
        assert got["version"] == 2
        # Objects merge one level deep: the earlier preview choice is still there.
        assert got["settings"]["notifications"] == {"preview": False, "sound": False}
        assert got["settings"]["theme"] == "dark"
        # null resets a key, or one conversation's choices, to the default.
        reply = await laptop.request(
            "settings.update", {"changes": {"theme": None, "conversations": {"7": None}}}
        )
        assert "theme" not in reply["settings"]
        assert reply["settings"]["conversations"] == {}
        assert laptop.state.social.settings == reply["settings"]


async def test_send_key_and_send_shortcut_are_one_setting(base_url: str, alice: Person) -> None:
    async with alice.client(base_url) as a:
        reply = await a.request("settings.update", {"changes": {"send_key": "ctrl_enter"}})
        assert reply["settings"]["shortcuts"]["send"] == "Ctrl+Enter"
        reply = await a.request("settings.update", {"changes": {"shortcuts": {"send": "Enter"}}})
        assert reply["settings"]["send_key"] == "enter"


def night(*, days: list[int] | None = None, start: str = "22:00") -> dict[str, Any]:
    return {"kind": "night", "days": days or [1], "start": start, "end": "07:00"}


async def test_bad_settings_are_refused_by_field(base_url: str, alice: Person) -> None:
    async with alice.client(base_url) as a:
        bad: list[dict[str, Any]] = [
            {"colour": "red"},  # unknown key
            {"theme": "sepia"},
            {"font_size": 3},
            {"notifications": {"preview": "yes"}},
            {"dnd": {"time_zone": "Mars/Olympus"}},
            {
                "dnd": {
                    "schedules": [{"kind": "night", "days": [8], "start": "22:00", "end": "07:00"}]
                }
            },
            {
                "dnd": {
                    "schedules": [{"kind": "night", "days": [1], "start": "25:00", "end": "07:00"}]
                }
            },
            {"shortcuts": {"screenshot": "Ctrl+Alt+Delete+Insert"}},
            {"shortcuts": {"send": "Alt+S"}},
            {"conversations": {"abc": {"sound": False}}},
            {"starred": ["bob"]},
        ]
        for changes in bad:
            assert await refused(a, "settings.update", {"changes": changes}) == "invalid_input"
        # Two actions on one key: the second would never run.
        try:
            await a.request("settings.update", {"changes": {"shortcuts": {"search": "Alt+A"}}})
            raise AssertionError("a conflicting shortcut was accepted")
        except ServerError as error:
            assert error.code == "invalid_input"
            assert "screenshot" in str(error)
        assert await refused(a, "settings.update", {"changes": {}}) == "invalid_input"
        # Nothing refused was stored.
        assert await a.request("settings.get") == {"settings": {}, "version": 0}


async def test_size_limit(base_url: str, alice: Person) -> None:
    async with alice.client(base_url) as a:
        # 32 KiB by default; a frame holds 64 KiB, so two updates get there.
        many = {str(i): {"sound": False, "popup": False} for i in range(1, 800)}
        await a.request("settings.update", {"changes": {"conversations": many}})
        more = {str(i): {"sound": False, "popup": False} for i in range(800, 1600)}
        code = await refused(a, "settings.update", {"changes": {"conversations": more}})
        assert code == "payload_too_large"
        assert (await a.request("settings.get"))["version"] == 1


async def test_stale_version_is_a_conflict(base_url: str, alice: Person) -> None:
    async with online(base_url, alice, alice) as (phone, laptop):
        await phone.request("settings.update", {"changes": {"theme": "dark"}, "version": 0})
        try:
            await laptop.request("settings.update", {"changes": {"theme": "light"}, "version": 0})
            raise AssertionError("a stale version was accepted")
        except ServerError as error:
            assert error.code == "conflict"
        assert (await laptop.request("settings.get"))["settings"]["theme"] == "dark"


async def test_concurrent_devices_keep_every_change(base_url: str, alice: Person) -> None:
    """Devices changing different keys at once all keep theirs; of devices racing with the
    same version exactly one wins and the others get ``conflict``."""
    devices = 4
    rounds = 5
    async with online(base_url, *[alice] * devices) as clients:

        async def device(client: TidingsClient, n: int) -> None:
            for r in range(rounds):
                await client.request(
                    "settings.update",
                    {"changes": {"conversations": {str(100 * (n + 1) + r): {"sound": False}}}},
                )

        await asyncio.gather(*(device(c, n) for n, c in enumerate(clients)))
        got = await clients[0].request("settings.get")
        assert got["version"] == devices * rounds
        assert len(got["settings"]["conversations"]) == devices * rounds

        version = got["version"]
        results = await asyncio.gather(
            *(
                c.request(
                    "settings.update",
                    {"changes": {"wallpaper": w}, "version": version},
                )
                for c, w in zip(clients, ["dawn", "mint", "dots", "night"], strict=True)
            ),
            return_exceptions=True,
        )
        won = [r for r in results if not isinstance(r, BaseException)]
        lost = [r for r in results if isinstance(r, ServerError)]
        assert len(won) == 1 and len(lost) == devices - 1
        assert all(e.code == "conflict" for e in lost)
        final = await clients[0].request("settings.get")
        assert final["version"] == version + 1
        assert final["settings"]["wallpaper"] == won[0]["settings"]["wallpaper"]


async def test_changes_are_rate_limited(base_url: str, alice: Person) -> None:
    """Each change is a private-log entry on every device: a client in a loop is stopped."""
    async with online(base_url, alice, alice) as clients:
        results = await asyncio.gather(
            *(
                clients[i % 2].request("settings.update", {"changes": {"starred": [i + 1]}})
                for i in range(31)
            ),
            return_exceptions=True,
        )
        refusals = [r for r in results if isinstance(r, ServerError)]
        assert [e.code for e in refusals] == ["rate_limited"]
        assert (await clients[0].request("settings.get"))["version"] == 30
