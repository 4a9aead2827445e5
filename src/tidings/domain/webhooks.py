"""Webhooks (issue 14, J2; decision 0068): an app subscribes a URL to event types and
receives each event as a signed POST, after the Standard Webhooks specification
(https://www.standardwebhooks.com/).

What happens is first written to the outbox (``webhook_events``) in the transaction of the
change itself; a dispatcher turns each event into one delivery per subscription that wants
it; a delivery is posted until the receiver answers 2xx, on a schedule of retries. This
module holds the rules without I/O: event types and who may have them, the signature, the
body, the retry schedule, the pause rule and what a URL may be.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import orjson

from tidings.domain.apps import AppScope
from tidings.domain.entries import Entry, EntryKind
from tidings.domain.errors import ErrorCode, TidingsError


class EventType(StrEnum):
    # Of conversations: those the app's bot is a member of, or all with ``events:all``.
    MESSAGE_SENT = "message.sent"
    MESSAGE_RECALLED = "message.recalled"
    MEMBER_JOINED = "member.joined"
    MEMBER_LEFT = "member.left"
    GROUP_CREATED = "group.created"
    # Of people.
    FRIEND_ADDED = "friend.added"
    USER_CREATED = "user.created"
    USER_DISABLED = "user.disabled"
    USER_ONLINE = "user.online"
    USER_OFFLINE = "user.offline"


# Events that belong to a conversation: a subscription gets those of the conversations its
# app's bot is in, or every conversation's with ``events:all``.
CONVERSATION_EVENTS = frozenset(
    {
        EventType.MESSAGE_SENT,
        EventType.MESSAGE_RECALLED,
        EventType.MEMBER_JOINED,
        EventType.MEMBER_LEFT,
        EventType.GROUP_CREATED,
    }
)
# What else an event type needs besides ``webhooks``: the same scope as reading the thing
# through the app API. A friendship is between two people: only the bot's own, unless the
# app sees every conversation's events.
SCOPE_NEEDED: dict[EventType, AppScope] = {
    EventType.USER_CREATED: AppScope.USERS_READ,
    EventType.USER_DISABLED: AppScope.USERS_READ,
    EventType.USER_ONLINE: AppScope.PRESENCE_READ,
    EventType.USER_OFFLINE: AppScope.PRESENCE_READ,
}

# The entry kinds that become events, and which.
_ENTRY_EVENTS: dict[EntryKind, EventType] = {
    EntryKind.MESSAGE: EventType.MESSAGE_SENT,
    EntryKind.RECALL: EventType.MESSAGE_RECALLED,
    EntryKind.MEMBER_JOINED: EventType.MEMBER_JOINED,
    EntryKind.MEMBER_LEFT: EventType.MEMBER_LEFT,
    EntryKind.MEMBER_REMOVED: EventType.MEMBER_LEFT,
    EntryKind.GROUP_CREATED: EventType.GROUP_CREATED,
}


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    # Failing for long: its deliveries wait (new ones are still recorded) until resumed.
    PAUSED = "paused"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # every attempt of the schedule failed; a replay tries again


SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix Standard Webhooks' libraries expect)
SECRET_BYTES = 24
MSG_ID_PREFIX = "msg_"
MAX_URL = 2000
MAX_DESCRIPTION = 500
MAX_SUBSCRIPTIONS_PER_APP = 20
# A receiver's answer is read up to this much (it is kept for the delivery's record).
MAX_ERROR_TEXT = 300
JITTER = 0.2


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """An event as written to the outbox in the transaction of its change."""

    type: EventType
    # Set for the events of a conversation (who may have it depends on its members).
    conversation_id: int | None
    data: dict[str, Any]
    created_at: int


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    app_id: int
    url: str
    event_types: frozenset[EventType]
    description: str
    status: SubscriptionStatus
    created_at: int
    updated_at: int
    paused_at: int | None
    failing_since: int | None
    consecutive_failures: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "event_types": sorted(t.value for t in self.event_types),
            "description": self.description,
            "status": self.status.value,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "paused_at": self.paused_at,
            "failing_since": self.failing_since,
            "consecutive_failures": self.consecutive_failures,
        }


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    subscription_id: int
    event_id: int
    event_type: EventType
    msg_id: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: int | None
    last_attempt_at: int | None
    last_status_code: int | None
    last_error: str
    created_at: int
    succeeded_at: int | None

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "webhook_id": self.msg_id,
            "event_id": self.event_id,
            "event_type": self.event_type.value,
            "status": self.status.value,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at,
            "last_attempt_at": self.last_attempt_at,
            "last_status_code": self.last_status_code,
            "last_error": self.last_error,
            "created_at": self.created_at,
            "succeeded_at": self.succeeded_at,
        }


# ---- events ---------------------------------------------------------------------------------


def event_type_of_entry(kind: EntryKind, sender_id: int | None) -> EventType | None:
    """The event a log entry of ``kind`` is, if any. The system's notices (no sender) are
    not "message sent": a broadcast to every user would be as many events."""
    found = _ENTRY_EVENTS.get(kind)
    if found is EventType.MESSAGE_SENT and sender_id is None:
        return None
    return found


def events_of_entries(entries: Iterable[Entry], wanted: frozenset[EventType]) -> list[OutboxEvent]:
    """The events of freshly stored log entries, of the types some subscription wants."""
    out: list[OutboxEvent] = []
    for entry in entries:
        event_type = event_type_of_entry(entry.kind, entry.sender_id)
        if event_type is None or event_type not in wanted:
            continue
        out.append(
            OutboxEvent(
                event_type, entry.conversation_id, _entry_data(event_type, entry), entry.created_at
            )
        )
    return out


def _entry_data(event_type: EventType, entry: Entry) -> dict[str, Any]:
    base: dict[str, Any] = {"conversation_id": entry.conversation_id, "seq": entry.seq}
    body = entry.body
    if event_type is EventType.MESSAGE_SENT:
        return entry.to_wire()
    if event_type is EventType.MESSAGE_RECALLED:
        return {**base, "target_seq": body.get("target_seq"), "recalled_by": entry.sender_id}
    if event_type is EventType.MEMBER_JOINED:
        return {**base, "user_ids": body.get("user_ids", []), "inviter_id": body.get("inviter_id")}
    if event_type is EventType.MEMBER_LEFT:
        removed = entry.kind is EntryKind.MEMBER_REMOVED
        return {
            **base,
            "user_id": body.get("user_id"),
            "removed_by": entry.sender_id if removed else None,
        }
    return {
        **base,
        "name": body.get("name", ""),
        "owner_id": entry.sender_id,
        "member_ids": body.get("member_ids", []),
    }


def user_created(
    user_id: int, account: str, nickname: str, kind: str, external_id: str | None, now: int
) -> OutboxEvent:
    data = {
        "user_id": user_id,
        "account": account,
        "nickname": nickname,
        "kind": kind,
        "external_id": external_id,
    }
    return OutboxEvent(EventType.USER_CREATED, None, data, now)


def user_disabled(user_id: int, now: int) -> OutboxEvent:
    return OutboxEvent(EventType.USER_DISABLED, None, {"user_id": user_id}, now)


def friend_added(user_id: int, friend_id: int, now: int) -> OutboxEvent:
    """``user_id`` and ``friend_id`` became friends (the first asked or added the other)."""
    return OutboxEvent(
        EventType.FRIEND_ADDED, None, {"user_id": user_id, "friend_id": friend_id}, now
    )


def presence_changed(user_id: int, online: bool, now: int) -> OutboxEvent:
    event_type = EventType.USER_ONLINE if online else EventType.USER_OFFLINE
    return OutboxEvent(event_type, None, {"user_id": user_id}, now)


def body_of(event_id: int, event_type: EventType, created_at: int, data_json: str) -> bytes:
    """What a delivery posts: Standard Webhooks' ``{type, timestamp, data}``. The same bytes
    on every attempt (the event id makes it unique)."""
    timestamp = datetime.fromtimestamp(created_at / 1000, UTC).isoformat().replace("+00:00", "Z")
    return orjson.dumps(
        {
            "type": event_type.value,
            "timestamp": timestamp,
            "event_id": event_id,
            "data": orjson.Fragment(data_json),
        }
    )


# ---- the signature ----------------------------------------------------------------------


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_msg_id() -> str:
    return MSG_ID_PREFIX + secrets.token_urlsafe(18)


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` keyed with the secret's
    bytes (the base64 after ``whsec_``)."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = b"%s.%d.%s" % (msg_id.encode(), timestamp, body)
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, msg_id, timestamp, body),
    }


# ---- retries and pausing ----------------------------------------------------------------


def next_attempt_delay(
    attempts: int, schedule: Sequence[float], rng: random.Random | None = None
) -> float | None:
    """Seconds until the next attempt after ``attempts`` failed ones, with -+20 % jitter (so
    deliveries failed together do not all come back together); None once the schedule is
    spent."""
    if attempts < 1 or attempts > len(schedule):
        return None
    delay = schedule[attempts - 1]
    return max(0.0, delay * (1 + (rng or random).uniform(-JITTER, JITTER)))


def should_pause(
    *, failing_since: int | None, failures: int, now: int, after_ms: int, after_failures: int
) -> bool:
    """A subscription is paused once every delivery has failed for ``after_ms`` and at least
    ``after_failures`` attempts in a row failed (a quiet subscription with one failure a
    day is not paused for it)."""
    return (
        failing_since is not None and now - failing_since >= after_ms and failures >= after_failures
    )


# ---- subscriptions ------------------------------------------------------------------------


def parse_event_types(values: Iterable[str]) -> frozenset[EventType]:
    words = list(values)
    known = {t.value for t in EventType}
    unknown = sorted({w for w in words if w not in known})
    if unknown:
        raise TidingsError(
            ErrorCode.INVALID_INPUT,
            f"unknown event type {unknown[0]!r}; known: {' '.join(sorted(known))}",
            details={"field": "event_types"},
        )
    if not words:
        raise TidingsError(
            ErrorCode.INVALID_INPUT,
            "choose at least one event type",
            details={"field": "event_types"},
        )
    return frozenset(EventType(w) for w in words)


def check_scopes(event_types: Iterable[EventType], scopes: frozenset[AppScope]) -> None:
    """``insufficient_scope`` for an event type the app may not have."""
    for event_type in sorted(event_types):
        needed = SCOPE_NEEDED.get(event_type)
        if needed is not None and needed not in scopes:
            raise TidingsError(
                ErrorCode.INSUFFICIENT_SCOPE,
                f"{event_type.value!r} events need the scope {needed.value!r}",
                details={"scope": needed.value},
            )


def may_receive(
    event_type: EventType,
    scopes: frozenset[AppScope],
    *,
    bot_in_conversation: bool,
    bot_is_party: bool,
) -> bool:
    """Whether an app holding ``scopes`` gets an event (its scopes may have narrowed since it
    subscribed)."""
    if AppScope.WEBHOOKS not in scopes:
        return False
    needed = SCOPE_NEEDED.get(event_type)
    if needed is not None:
        return needed in scopes
    if AppScope.EVENTS_ALL in scopes:
        return True
    if event_type in CONVERSATION_EVENTS:
        return bot_in_conversation
    return bot_is_party  # friend.added: the bot's own friendships


def check_url_shape(url: str) -> str:
    """A receiver's URL: http or https with a host, no credentials in it
    (``webhook_url_refused``). Where it points is checked with the network's rules."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        raise _refused("the URL does not parse") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _refused("a webhook URL is http:// or https:// with a host")
    if parts.username or parts.password:
        raise _refused("a webhook URL carries no user name or password")
    if len(url) > MAX_URL:
        raise _refused(f"a webhook URL is at most {MAX_URL} characters")
    return url


def _refused(message: str) -> TidingsError:
    return TidingsError(ErrorCode.WEBHOOK_URL_REFUSED, message)
