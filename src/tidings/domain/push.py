"""Who gets a Web Push for a new message, and what it says (issue 12; docs/protocol.md
"Web Push"). Pure: the push worker gathers the facts, these rules decide."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidings.domain.burn import is_burn
from tidings.domain.entries import Entry, EntryKind
from tidings.domain.user_settings import UserSettings, dnd_silences

PREVIEW_CHARS = 140

# The one-line preview of a message that is not text, in the user's language.
_KINDS: dict[str, dict[str, str]] = {
    "en": {
        "image": "[Image]",
        "file": "[File]",
        "voice": "[Voice message]",
        "video": "[Video]",
        "location": "[Location]",
        "contact_card": "[Contact card]",
        "custom_card": "[Card]",
        "sticker": "[Sticker]",
        "chat_record": "[Chat history]",
        "burn": "[Burn after reading]",
        "locked": "[Locked chat]",
        "other": "[Message]",
        "mentioned": "[You were mentioned] ",
        "count": "[{n} messages] ",
        "notices": "System notices",
    },
    "zh-CN": {
        "image": "[图片]",
        "file": "[文件]",
        "voice": "[语音]",
        "video": "[视频]",
        "location": "[位置]",
        "contact_card": "[名片]",
        "custom_card": "[卡片]",
        "sticker": "[表情]",
        "chat_record": "[聊天记录]",
        "burn": "[阅后即焚]",
        "locked": "[已加锁的聊天]",
        "other": "[消息]",
        "mentioned": "[有人@我]",
        "count": "[{n}条]",
        "notices": "系统通知",
    },
}


def mentions(entry: Entry, user_id: int) -> bool:
    """Whether the message @-mentions the user (or everyone)."""
    if entry.type != "text":
        return False
    named = entry.body.get("mentions") or []
    return bool(entry.body.get("mention_all")) or user_id in named


@dataclass(frozen=True, slots=True)
class Recipient:
    """What decides one member's push: their settings and their state in the conversation."""

    user_id: int
    settings: UserSettings
    muted: bool
    view_mode: str


def wants_push(recipient: Recipient, entry: Entry, *, sender_is_admin: bool, now_ms: int) -> bool:
    """A message of someone else that the member's choices let through: notifications on;
    not muted, not a do-not-disturb group, not a plain member in an "admins only" group,
    not the conversation's pop-ups off, not within do-not-disturb hours (an @-mention comes
    through all of these, as in the web client; a starred contact through DND)."""
    if entry.kind is not EntryKind.MESSAGE or entry.sender_id == recipient.user_id:
        return False
    settings = recipient.settings
    if not settings.notifications.enabled:
        return False
    if not settings.choice(entry.conversation_id).popup:
        return False
    mentioned = mentions(entry, recipient.user_id)
    quiet = (
        recipient.muted
        or recipient.view_mode == "do_not_disturb"
        or (recipient.view_mode == "admins_only" and not sender_is_admin)
    )
    if quiet and not mentioned:
        return False
    return not dnd_silences(settings, now_ms, sender_id=entry.sender_id, mentions_me=mentioned)


def describe(entry: Entry, words: dict[str, str]) -> str:
    if is_burn(entry.body):
        return words["burn"]  # its text shows only when opened in the chat (decision 0038)
    if entry.type == "text":
        text = " ".join(str(entry.body.get("text", "")).split())
        return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
    if entry.type == "notice":
        return str(entry.body.get("text", "")) or words["other"]
    return words.get(entry.type or "other", words["other"])


def payload(
    *,
    settings: UserSettings,
    user_id: int,
    entries: list[Entry],
    conversation_type: str,
    conversation_name: str,
    sender_name: str,
    locked: bool = False,
) -> dict[str, Any]:
    """The push for one member about the newest of ``entries`` (one conversation, coalesced),
    worded in the member's language; no message text when they chose not to show it, and
    none of a chat they put behind the password lock (decision 0050)."""
    words = _KINDS["en" if settings.locale == "en" else "zh-CN"]
    last = entries[-1]
    conversation_id = last.conversation_id
    if conversation_type == "direct":
        title = sender_name
    elif conversation_type == "system":
        title = words["notices"]
    else:
        title = conversation_name
    body: str | None = None
    if locked:
        body = words["locked"]
    elif settings.notifications.preview:
        text = describe(last, words)
        if conversation_type == "group" and sender_name:
            text = f"{sender_name}: {text}"
        prefix = ""
        if any(mentions(e, user_id) for e in entries):
            prefix = words["mentioned"]
        elif len(entries) > 1:
            prefix = words["count"].format(n=len(entries))
        body = prefix + text
    silent = not (settings.notifications.sound and settings.choice(conversation_id).sound)
    return {
        "v": 1,
        "conversation_id": conversation_id,
        "seq": last.seq,
        "title": title,
        "body": body,
        "tag": f"conv-{conversation_id}",
        "url": f"/#/c/{conversation_id}",
        "silent": silent,
    }
