"""The user's settings kept on the server, shared by all their devices (issue 12).

Stored sparse: a key the user never set is absent and the client uses its own default (the
browser's language, the system's theme). ``settings.update`` merges a partial change key by
key (one level deep for objects, so two devices changing different notification choices at
once both keep theirs), then validates the whole document against ``UserSettings``. The
wire shapes are documented in docs/protocol.md ("Settings kept on the server").

Do-not-disturb schedules (PRODUCT.md H2) are judged here, in the user's own time zone, for
the web client's alerts and for Web Push alike.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from tidings.domain.errors import ErrorCode, TidingsError

# Keys whose value is an object merged one level deep by ``settings.update``.
MERGED_OBJECTS = frozenset({"notifications", "dnd", "conversations", "shortcuts"})

# "HH:MM", 00:00-23:59.
Clock = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
# A key combination as the client records it: modifiers in this order, then one key name
# (KeyboardEvent.key, a letter upper-cased), e.g. "Alt+A", "Ctrl+K", "Alt+ArrowDown".
KEY_COMBO = re.compile(r"^(Ctrl\+)?(Alt\+)?(Shift\+)?(Meta\+)?([A-Za-z0-9]{1,16}|[!-~])$")
KeyCombo = Annotated[str, StringConstraints(pattern=KEY_COMBO.pattern, max_length=40)]
# The send shortcut is the composer's send key: Enter sends (Ctrl+Enter a new line) or the
# other way round.
SEND_KEYS: dict[str, str] = {"enter": "Enter", "ctrl_enter": "Ctrl+Enter"}
DEFAULT_SHORTCUTS: dict[str, str] = {
    "send": "Enter",
    "screenshot": "Alt+A",
    "search": "Ctrl+K",
    "next_unread": "Alt+ArrowDown",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class NotificationChoices(_Strict):
    enabled: bool = True
    sound: bool = True
    # Show the message text in notifications (system ones and Web Push).
    preview: bool = True
    calls_sound: bool = True


class DndSchedule(_Strict):
    """Quiet on ``days`` (ISO weekdays, 1 = Monday) from ``start`` to ``end`` local time; an
    ``end`` at or before ``start`` runs past midnight into the next day (equal: all day)."""

    kind: Literal["work", "night", "weekend", "custom"]
    enabled: bool = True
    days: Annotated[list[Annotated[int, Field(ge=1, le=7)]], Field(max_length=7)]
    start: Clock
    end: Clock


class DndExceptions(_Strict):
    # Someone @-mentions me (or @all) in a group.
    mentions: bool = True
    # A message from a starred contact (``starred``).
    starred: bool = True


class Dnd(_Strict):
    schedules: Annotated[list[DndSchedule], Field(max_length=8)] = []
    # An IANA zone ("Asia/Shanghai"); the schedules are in its local time.
    time_zone: Annotated[str, StringConstraints(max_length=64)] = "UTC"
    exceptions: DndExceptions = DndExceptions()

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA time zone") from None
        return value


class ConversationChoice(_Strict):
    """A conversation's own alerts (its details panel): a sound, and a pop-up (toast, system
    notification, Web Push). Muting silences both, as before."""

    sound: bool = True
    popup: bool = True


class Shortcuts(_Strict):
    send: Literal["Enter", "Ctrl+Enter"] = "Enter"
    screenshot: KeyCombo = DEFAULT_SHORTCUTS["screenshot"]
    search: KeyCombo = DEFAULT_SHORTCUTS["search"]
    next_unread: KeyCombo = DEFAULT_SHORTCUTS["next_unread"]


ConversationKey = Annotated[str, StringConstraints(pattern=r"^[1-9]\d{0,18}$")]


class UserSettings(_Strict):
    """Every key a user may keep on the server; absent keys take these defaults."""

    locale: Literal["zh-CN", "en"] | None = None
    theme: Literal["light", "dark"] | None = None
    font_size: Literal["small", "medium", "large", "xlarge"] = "medium"
    wallpaper: Literal["none", "dawn", "mint", "dots", "night"] = "none"
    send_key: Literal["enter", "ctrl_enter"] = "enter"
    notifications: NotificationChoices = NotificationChoices()
    dnd: Dnd = Dnd()
    conversations: dict[ConversationKey, ConversationChoice] = {}
    shortcuts: Shortcuts = Shortcuts()
    # Starred contacts (user ids): their messages come through do-not-disturb when
    # ``dnd.exceptions.starred`` is on. A list here rather than a flag on friendships: one
    # may star a colleague one is not a friend of (decision 0045).
    starred: Annotated[list[Annotated[int, Field(ge=1)]], Field(max_length=500)] = []

    def choice(self, conversation_id: int) -> ConversationChoice:
        return self.conversations.get(str(conversation_id)) or ConversationChoice()


def merge_changes(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``current`` with ``changes`` applied key by key (objects one level deep; ``null``
    resets a key, or a conversation's choices, to the default), validated and normalised.

    Raises ``invalid_input`` naming the first bad field.
    """
    merged = dict(current)
    for key, value in changes.items():
        old = merged.get(key)
        if value is None:
            merged.pop(key, None)
        elif key in MERGED_OBJECTS and isinstance(value, dict) and isinstance(old, dict):
            inner = {**old, **value}
            merged[key] = {k: v for k, v in inner.items() if v is not None}
        else:
            merged[key] = value
    # The send key and the send shortcut are one setting under two names (the contract
    # fixed both): the one changed now wins.
    shortcuts = merged.get("shortcuts")
    if "send_key" in changes and merged.get("send_key") in SEND_KEYS:
        send = SEND_KEYS[merged["send_key"]]
        merged["shortcuts"] = {**(shortcuts if isinstance(shortcuts, dict) else {}), "send": send}
    elif isinstance(shortcuts, dict) and isinstance(changes.get("shortcuts"), dict):
        send = changes["shortcuts"].get("send")
        for name, combo in SEND_KEYS.items():
            if send == combo:
                merged["send_key"] = name
    parsed = parse_settings(merged)
    check_shortcut_conflicts(parsed.shortcuts)
    stored: dict[str, Any] = parsed.model_dump(mode="json", exclude_unset=True)
    return stored


def parse_settings(document: dict[str, Any]) -> UserSettings:
    try:
        return UserSettings.model_validate(document)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        where = ".".join(str(p) for p in errors[0]["loc"]) or "settings"
        raise TidingsError(
            ErrorCode.INVALID_INPUT,
            f"changes.{where}: {errors[0]['msg']}",
            details=[
                {"loc": ["changes", *map(str, e["loc"])], "msg": e["msg"]} for e in errors[:5]
            ],
        ) from None


def check_shortcut_conflicts(shortcuts: Shortcuts) -> None:
    """Two actions on one key combination: the second would never run."""
    seen: dict[str, str] = {}
    for action, combo in shortcuts.model_dump().items():
        if combo in seen:
            raise TidingsError(
                ErrorCode.INVALID_INPUT,
                f"changes.shortcuts.{action}: {combo} is already the {seen[combo]} shortcut",
                details=[{"loc": ["changes", "shortcuts", action], "msg": "shortcut_conflict"}],
            )
        seen[combo] = action


def dnd_active(dnd: Dnd, now_ms: int) -> bool:
    """Whether one of the enabled schedules covers this moment in the user's time zone."""
    local = datetime.fromtimestamp(now_ms / 1000, ZoneInfo(dnd.time_zone))
    minute = local.hour * 60 + local.minute
    today = local.isoweekday()
    yesterday = (local - timedelta(days=1)).isoweekday()
    for schedule in dnd.schedules:
        if not schedule.enabled:
            continue
        start = _minutes(schedule.start)
        end = _minutes(schedule.end)
        if start < end:
            if today in schedule.days and start <= minute < end:
                return True
        elif (today in schedule.days and minute >= start) or (
            yesterday in schedule.days and minute < end
        ):
            return True
    return False


def dnd_silences(
    settings: UserSettings, now_ms: int, *, sender_id: int | None, mentions_me: bool
) -> bool:
    """Whether do-not-disturb keeps this message quiet (no pop-up, no sound, no push)."""
    dnd = settings.dnd
    if not dnd_active(dnd, now_ms):
        return False
    if dnd.exceptions.mentions and mentions_me:
        return False
    return not (dnd.exceptions.starred and sender_id is not None and sender_id in settings.starred)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)
