"""Entries of a conversation's log and of a user's private log.

A conversation log holds every change its members can see, each with a contiguous ``seq``.
Clients fold the log: a ``recall`` entry tombstones its target, ``member_joined`` adds members,
and so on. The kinds and their ``body`` shapes are documented in docs/protocol.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class EntryKind(StrEnum):
    MESSAGE = "message"
    RECALL = "recall"
    GROUP_CREATED = "group_created"
    MEMBER_JOINED = "member_joined"
    MEMBER_LEFT = "member_left"
    # Group governance (docs/protocol.md lists each body)
    GROUP_UPDATED = "group_updated"
    MEMBER_REMOVED = "member_removed"
    ROLE_CHANGED = "role_changed"
    OWNER_CHANGED = "owner_changed"
    MEMBER_MUTED = "member_muted"
    MEMBER_UNMUTED = "member_unmuted"
    GROUP_DISBANDED = "group_disbanded"
    ANNOUNCEMENT_POSTED = "announcement_posted"
    ANNOUNCEMENT_EDITED = "announcement_edited"
    MESSAGE_MARKED = "message_marked"
    # Burn after reading (direct chats; decision 0038)
    BURN_MODE = "burn_mode"
    BURN_OPENED = "burn_opened"
    BURNED = "burned"
    # How a call ended (decision 0074): ``type`` is the outcome (missed, declined, cancelled,
    # busy, ended), the body has the call's id, media and (answered) duration.
    CALL = "call"


class PrivateKind(StrEnum):
    """Entries of a user's private log, replayed to all of the user's devices."""

    CONVERSATION_JOINED = "conversation_joined"
    CONVERSATION_LEFT = "conversation_left"
    CONVERSATION_SETTINGS = "conversation_settings"
    MESSAGES_DELETED = "messages_deleted"
    HISTORY_CLEARED = "history_cleared"
    READ = "read"
    PROFILE_UPDATED = "profile_updated"
    SESSION_REVOKED = "session_revoked"
    # Contacts
    FRIEND_REQUEST = "friend_request"
    FRIEND_REQUEST_SENT = "friend_request_sent"
    FRIEND_REQUEST_DECIDED = "friend_request_decided"
    FRIEND_ADDED = "friend_added"
    FRIEND_REMOVED = "friend_removed"
    CONTACT_UPDATED = "contact_updated"
    CONTACT_GROUPS = "contact_groups"
    USER_BLOCKED = "user_blocked"
    USER_UNBLOCKED = "user_unblocked"
    # Organization
    DEPARTMENTS_CHANGED = "departments_changed"
    # Group governance
    JOIN_REQUEST = "join_request"
    JOIN_REQUEST_DECIDED = "join_request_decided"
    MODERATION_PENDING = "moderation_pending"
    MODERATION_DECIDED = "moderation_decided"
    MESSAGE_REJECTED = "message_rejected"
    GROUP_VIEW_MODE = "group_view_mode"
    ANNOUNCEMENT_READ = "announcement_read"
    # Favourites of messages (issue 12, h/select): every device keeps the same list
    FAVORITE_ADDED = "favorite_added"
    FAVORITE_REMOVED = "favorite_removed"
    # Settings kept on the server (issue 12)
    SETTINGS_CHANGED = "settings_changed"
    # Privacy and the password lock (h/me)
    PRIVACY_CHANGED = "privacy_changed"
    LOCK_CHANGED = "lock_changed"


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    conversation_id: int
    seq: int
    sender_id: int | None
    kind: EntryKind
    type: str | None
    body: dict[str, Any]
    client_msg_id: str | None
    created_at: int  # milliseconds since the epoch
    reply_to_seq: int | None
    recalled: bool

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "seq": self.seq,
            "sender_id": self.sender_id,
            "kind": self.kind.value,
            "type": self.type,
            "body": self.body,
            "client_msg_id": self.client_msg_id,
            "created_at": self.created_at,
            "reply_to_seq": self.reply_to_seq,
            "recalled": self.recalled,
        }


@dataclass(frozen=True, slots=True)
class PrivateEntry:
    user_id: int
    seq: int
    kind: PrivateKind
    data: dict[str, Any]
    created_at: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind.value,
            "data": self.data,
            "created_at": self.created_at,
        }


@dataclass(frozen=True, slots=True)
class NewEntry:
    """An entry about to be appended; the log writer gives it its id and seq."""

    conversation_id: int
    sender_id: int | None
    kind: EntryKind
    type: str | None
    body: dict[str, Any]
    client_msg_id: str | None
    created_at: int
    reply_to_seq: int | None = None
    # The roster version the sender's right to post was checked against: the append takes
    # place only while the conversation still has it (decision 12). None: no check (the
    # system's notices).
    roster_version: int | None = None

    def stored(self, entry_id: int, seq: int) -> Entry:
        """The entry as appended under this id and seq."""
        return Entry(
            id=entry_id,
            conversation_id=self.conversation_id,
            seq=seq,
            sender_id=self.sender_id,
            kind=self.kind,
            type=self.type,
            body=self.body,
            client_msg_id=self.client_msg_id,
            created_at=self.created_at,
            reply_to_seq=self.reply_to_seq,
            recalled=False,
        )
