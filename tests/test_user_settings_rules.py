"""Do-not-disturb schedules and the send key, as pure rules (tidings.domain.user_settings)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tidings.domain.errors import TidingsError
from tidings.domain.user_settings import (
    Dnd,
    DndSchedule,
    UserSettings,
    dnd_active,
    dnd_silences,
    merge_changes,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str, zone: ZoneInfo = SHANGHAI) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=zone).timestamp() * 1000)


def nights() -> Dnd:
    # Monday to Thursday nights, 22:00 to 07:00 the next morning, Shanghai time.
    return Dnd(
        schedules=[DndSchedule(kind="night", days=[1, 2, 3, 4], start="22:00", end="07:00")],
        time_zone="Asia/Shanghai",
    )


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        ("2026-12-07 21:59", False),  # Monday evening
        ("2026-12-07 22:00", True),
        ("2026-12-08 06:59", True),  # Tuesday morning: Monday's night goes on
        ("2026-12-08 07:00", False),
        ("2026-12-11 06:30", True),  # Friday morning: Thursday's night
        ("2026-12-11 22:30", False),  # Friday night is not in the schedule
        ("2026-12-07 06:30", False),  # Monday morning: Sunday's night is not either
    ],
)
def test_a_night_runs_past_midnight_in_the_users_zone(moment: str, quiet: bool) -> None:
    assert dnd_active(nights(), at(moment)) is quiet


def test_the_zone_decides_not_the_server() -> None:
    # 23:00 in Shanghai is 15:00 UTC: quiet for a Shanghai user only.
    moment = at("2026-12-07 23:00")
    assert dnd_active(nights(), moment)
    in_utc = nights().model_copy(update={"time_zone": "UTC"})
    assert not dnd_active(in_utc, moment)


def test_work_hours_and_all_day() -> None:
    work = Dnd(
        schedules=[DndSchedule(kind="work", days=[1, 2, 3, 4, 5], start="09:00", end="18:00")]
    )
    assert dnd_active(work, at("2026-12-09 10:00", ZoneInfo("UTC")))
    assert not dnd_active(work, at("2026-12-12 10:00", ZoneInfo("UTC")))  # Saturday
    weekend = Dnd(schedules=[DndSchedule(kind="weekend", days=[6, 7], start="00:00", end="00:00")])
    assert dnd_active(weekend, at("2026-12-13 23:59", ZoneInfo("UTC")))
    assert not dnd_active(weekend, at("2026-12-14 00:00", ZoneInfo("UTC")))
    off = Dnd(
        schedules=[DndSchedule(kind="weekend", enabled=False, days=[6], start="00:00", end="00:00")]
    )
    assert not dnd_active(off, at("2026-12-12 12:00", ZoneInfo("UTC")))


def test_exceptions_for_mentions_and_starred_contacts() -> None:
    settings = UserSettings(dnd=nights(), starred=[7])
    night = at("2026-12-07 23:00")
    assert dnd_silences(settings, night, sender_id=5, mentions_me=False)
    assert not dnd_silences(settings, night, sender_id=5, mentions_me=True)
    assert not dnd_silences(settings, night, sender_id=7, mentions_me=False)
    strict = UserSettings.model_validate(
        {
            "dnd": {**nights().model_dump(), "exceptions": {"mentions": False, "starred": False}},
            "starred": [7],
        }
    )
    assert dnd_silences(strict, night, sender_id=7, mentions_me=True)


def test_merge_keeps_the_send_key_and_shortcut_together() -> None:
    merged = merge_changes({}, {"send_key": "ctrl_enter"})
    assert merged == {"send_key": "ctrl_enter", "shortcuts": {"send": "Ctrl+Enter"}}
    merged = merge_changes(merged, {"shortcuts": {"send": "Enter", "search": "Ctrl+F"}})
    assert merged["send_key"] == "enter"
    assert merged["shortcuts"] == {"send": "Enter", "search": "Ctrl+F"}
    with pytest.raises(TidingsError):
        merge_changes(merged, {"shortcuts": {"next_unread": "Ctrl+F"}})
