"""The client's folded copy of the user's conversations.

Entries arrive from pushes, send replies and history pulls, in any order and possibly twice;
the state keeps each seq once. ``covered_seq`` is how far a conversation's log is known to be
complete on this client: a pushed entry beyond ``covered_seq + 1`` reveals a gap to pull.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ConversationState:
    id: int
    type: str = ""
    name: str = ""
    last_seq: int = 0
    covered_seq: int = 0
    visible_from_seq: int = 1
    cleared_seq: int = 0
    read_seq: int = 0
    pinned: bool = False
    muted: bool = False
    draft: str = ""
    peer: dict[str, int] | None = None
    entries: dict[int, dict[str, Any]] = field(default_factory=dict)
    hidden: set[int] = field(default_factory=set)
    # Seqs of entries added or changed since a local cache last saved them (tidings.sdk.cache).
    dirty: set[int] = field(default_factory=set, compare=False, repr=False)

    def add_entry(self, entry: dict[str, Any]) -> bool:
        """Fold one entry in; False when it was already known."""
        seq = int(entry["seq"])
        self.last_seq = max(self.last_seq, seq)
        if seq in self.entries:
            return False
        self.entries[seq] = entry
        self.dirty.add(seq)
        if entry["kind"] == "recall":
            target = self.entries.get(int(entry["body"]["target_seq"]))
            if target is not None:
                target["recalled"] = True
                target["body"] = {}
                self.dirty.add(int(target["seq"]))
        elif entry["kind"] == "burned":  # burn after reading: wiped for both sides
            target = self.entries.get(int(entry["body"]["target_seq"]))
            if target is not None:
                target["recalled"] = True
                target["body"] = {"burned": True}
                self.dirty.add(int(target["seq"]))
        if seq == self.covered_seq + 1:
            self.covered_seq = seq
            while self.covered_seq + 1 in self.entries:
                self.covered_seq += 1
        return True

    def visible(self) -> list[dict[str, Any]]:
        """Entries as the user sees them, in seq order."""
        floor = max(self.cleared_seq, self.visible_from_seq - 1)
        return [
            self.entries[seq]
            for seq in sorted(self.entries)
            if seq > floor and seq not in self.hidden
        ]

    def messages(self) -> list[dict[str, Any]]:
        return [e for e in self.visible() if e["kind"] == "message"]

    def apply_summary(self, summary: dict[str, Any]) -> None:
        self.type = summary["type"]
        self.name = summary["name"]
        self.last_seq = max(self.last_seq, int(summary["last_seq"]))
        self.visible_from_seq = int(summary["visible_from_seq"])
        self.cleared_seq = max(self.cleared_seq, int(summary["cleared_seq"]))
        self.read_seq = max(self.read_seq, int(summary["read_seq"]))
        self.pinned = bool(summary["pinned"])
        self.muted = bool(summary["muted"])
        self.draft = str(summary["draft"])
        self.covered_seq = max(self.covered_seq, self.visible_from_seq - 1, self.cleared_seq)
        peer = summary.get("peer")
        if peer is not None:
            self.peer = {
                "user_id": int(peer["user_id"]),
                "read_seq": max(int(peer["read_seq"]), (self.peer or {}).get("read_seq", 0)),
                "delivered_seq": max(
                    int(peer["delivered_seq"]), (self.peer or {}).get("delivered_seq", 0)
                ),
            }


@dataclass
class ClientState:
    user_id: int = 0
    private_seq: int = 0
    conversations: dict[int, ConversationState] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)
    # Contacts, the organization and group governance, folded from the private log.
    social: SocialState = field(default_factory=lambda: SocialState())

    def conversation(self, conversation_id: int) -> ConversationState:
        found = self.conversations.get(conversation_id)
        if found is None:
            found = self.conversations[conversation_id] = ConversationState(conversation_id)
        return found

    def apply_private(self, entry: dict[str, Any]) -> bool:
        """Fold one private-log entry; False when already applied or out of order."""
        seq = int(entry["seq"])
        if seq != self.private_seq + 1:
            return False
        self.private_seq = seq
        data = entry["data"]
        kind = entry["kind"]
        conversation_id = data.get("conversation_id")
        if kind == "conversation_joined":
            self.conversation(int(conversation_id))
        elif kind == "conversation_left":
            self.conversations.pop(int(conversation_id), None)
        elif kind == "conversation_settings" and conversation_id in self.conversations:
            conv = self.conversations[conversation_id]
            conv.pinned, conv.muted, conv.draft = data["pinned"], data["muted"], data["draft"]
        elif kind == "messages_deleted" and conversation_id in self.conversations:
            self.conversations[conversation_id].hidden.update(int(s) for s in data["seqs"])
        elif kind == "history_cleared" and conversation_id in self.conversations:
            conv = self.conversations[conversation_id]
            conv.cleared_seq = max(conv.cleared_seq, int(data["cleared_seq"]))
            conv.covered_seq = max(conv.covered_seq, conv.cleared_seq)
        elif kind == "read" and conversation_id in self.conversations:
            conv = self.conversations[conversation_id]
            conv.read_seq = max(conv.read_seq, int(data["read_seq"]))
        elif kind == "profile_updated":
            self.profile = dict(data)
        else:
            self.social.apply(kind, data)
        return True

    def apply_receipt(self, data: dict[str, Any]) -> None:
        conv = self.conversations.get(int(data["conversation_id"]))
        if conv is None or conv.peer is None or conv.peer["user_id"] != data["user_id"]:
            return
        for key in ("read_seq", "delivered_seq"):
            if data.get(key) is not None:
                conv.peer[key] = max(conv.peer[key], int(data[key]))

    def snapshot(self) -> dict[str, Any]:
        """What the user sees, comparable between clients: the verify_action contract."""
        conversations = {
            cid: {
                "type": conv.type,
                "pinned": conv.pinned,
                "muted": conv.muted,
                "draft": conv.draft,
                "read_seq": conv.read_seq,
                "peer": dict(conv.peer) if conv.peer else None,
                "entries": [
                    (e["seq"], e["kind"], e["type"], e["sender_id"], e["recalled"], e["body"])
                    for e in conv.visible()
                ],
            }
            for cid, conv in sorted(self.conversations.items())
        }
        return {
            "profile": self.profile,
            "conversations": conversations,
            "social": self.social.snapshot(),
        }


@dataclass
class SocialState:
    """Friends, requests, contact groups, the blacklist, departments, group view modes and
    the moderation and join queues an admin sees — each a fold of private-log entries."""

    friends: dict[int, dict[str, Any]] = field(default_factory=dict)
    incoming_requests: dict[int, dict[str, Any]] = field(default_factory=dict)
    outgoing_requests: dict[int, dict[str, Any]] = field(default_factory=dict)
    contact_groups: list[dict[str, Any]] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    departments: list[dict[str, Any]] = field(default_factory=list)
    view_modes: dict[int, str] = field(default_factory=dict)
    announcements_read: set[int] = field(default_factory=set)
    join_requests: dict[int, dict[str, Any]] = field(default_factory=dict)
    moderation_pending: dict[int, dict[str, Any]] = field(default_factory=dict)
    rejected_messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Settings kept on the server (issue 12): the newest document and its version.
    settings: dict[str, Any] = field(default_factory=dict)
    settings_version: int = 0

    @property
    def pending_count(self) -> int:
        """The "new friends" badge."""
        return len(self.incoming_requests)

    def apply(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "friend_request":
            self.incoming_requests[int(data["request_id"])] = data
        elif kind == "friend_request_sent":
            self.outgoing_requests[int(data["request_id"])] = data
        elif kind == "friend_request_decided":
            self.incoming_requests.pop(int(data["request_id"]), None)
            self.outgoing_requests.pop(int(data["request_id"]), None)
        elif kind == "friend_added":
            self.friends[int(data["user"]["id"])] = {
                "remark": data["remark"],
                "tags": list(data["tags"]),
                "contact_group_id": data["contact_group_id"],
            }
        elif kind == "friend_removed":
            self.friends.pop(int(data["user_id"]), None)
        elif kind == "contact_updated":
            self.friends[int(data["user_id"])] = {
                "remark": data["remark"],
                "tags": list(data["tags"]),
                "contact_group_id": data["contact_group_id"],
            }
        elif kind == "contact_groups":
            self.contact_groups = list(data["groups"])
            moved = data.get("moved")
            if moved:
                for friend in self.friends.values():
                    if friend["contact_group_id"] == moved["from"]:
                        friend["contact_group_id"] = moved["to"]
        elif kind == "user_blocked":
            self.blocked.add(int(data["user_id"]))
        elif kind == "user_unblocked":
            self.blocked.discard(int(data["user_id"]))
        elif kind == "departments_changed":
            self.departments = list(data["departments"])
        elif kind == "group_view_mode":
            self.view_modes[int(data["conversation_id"])] = str(data["view_mode"])
        elif kind == "announcement_read":
            self.announcements_read.add(int(data["announcement_id"]))
        elif kind == "join_request":
            self.join_requests[int(data["id"])] = data
        elif kind == "join_request_decided":
            self.join_requests.pop(int(data["request_id"]), None)
        elif kind == "moderation_pending":
            self.moderation_pending[int(data["pending_id"])] = data
        elif kind == "moderation_decided":
            self.moderation_pending.pop(int(data["pending_id"]), None)
        elif kind == "message_rejected":
            self.rejected_messages[int(data["pending_id"])] = data
        elif kind == "settings_changed" and int(data["version"]) > self.settings_version:
            self.settings = dict(data["settings"])
            self.settings_version = int(data["version"])

    def snapshot(self) -> dict[str, Any]:
        return {
            "friends": dict(sorted(self.friends.items())),
            "incoming_requests": sorted(self.incoming_requests),
            "outgoing_requests": sorted(self.outgoing_requests),
            "pending_count": self.pending_count,
            "contact_groups": sorted(self.contact_groups, key=lambda g: int(g["id"])),
            "blocked": sorted(self.blocked),
            "settings": self.settings,
            "settings_version": self.settings_version,
            "departments": self.departments,
            "view_modes": dict(sorted(self.view_modes.items())),
            "announcements_read": sorted(self.announcements_read),
            "join_requests": sorted(self.join_requests),
            "moderation_pending": sorted(self.moderation_pending),
            "rejected_messages": sorted(self.rejected_messages),
        }
