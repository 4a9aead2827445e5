"""Conversations, members and the rules about who may do what in them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ConversationType(StrEnum):
    DIRECT = "direct"
    GROUP = "group"
    # One per user: announcements, guides, notices with a link.
    SYSTEM = "system"


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


def direct_key(user_a: int, user_b: int) -> str:
    """The unique key of the direct chat between two users, whoever opens it."""
    low, high = sorted((user_a, user_b))
    return f"{low}:{high}"


@dataclass(frozen=True, slots=True)
class Member:
    user_id: int
    role: Role
    # The first seq this member may read (history before they joined stays private).
    visible_from_seq: int


@dataclass(frozen=True, slots=True)
class Roster:
    """Who is in a conversation right now; cached and used on every send and push."""

    conversation_id: int
    type: ConversationType
    members: dict[int, Member]
    # The conversation's roster_version when these members were read: a send checked
    # against this roster is appended only while the version is unchanged (decision 24).
    version: int = 0

    def member(self, user_id: int) -> Member | None:
        return self.members.get(user_id)

    @property
    def user_ids(self) -> tuple[int, ...]:
        return tuple(self.members)


def may_recall(
    *,
    actor_id: int,
    actor_role: Role,
    conversation_type: ConversationType,
    sender_id: int | None,
    age_seconds: float,
    window_seconds: int,
) -> str | None:
    """Why the actor may not recall the message, or None when they may.

    The sender may recall within the window; in groups the owner and admins may recall any
    message at any time.
    """
    if conversation_type is ConversationType.GROUP and actor_role in (Role.OWNER, Role.ADMIN):
        return None
    if sender_id != actor_id:
        return "not_your_message"
    if age_seconds > window_seconds:
        return "recall_window_passed"
    return None
