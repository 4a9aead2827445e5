"""Conversations, members and the rules about who may do what in them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ConversationType(StrEnum):
    DIRECT = "direct"
    GROUP = "group"
    # One per user: announcements, guides, notices with a link.
    SYSTEM = "system"
    # A web site's visitor and the agent holding their chat (decision 0066).
    SERVICE = "service"


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


def direct_key(user_a: int, user_b: int) -> str:
    """The unique key of the direct chat between two users, whoever opens it."""
    low, high = sorted((user_a, user_b))
    return f"{low}:{high}"


def history_floor(visible_from_seq: int, cleared_seq: int) -> int:
    """The seq a member's history starts after: they see entries from the one that added
    them (decision 0006) and after what they cleared (D5). History, sync and search use it."""
    return max(visible_from_seq - 1, cleared_seq)


@dataclass(frozen=True, slots=True)
class Readable:
    """The part of a conversation's log a user may read: the entries above ``floor``
    (``history_floor``) and, for a former member, up to ``ceiling``, the entry that took them
    out (what was said before stays theirs; what follows never is)."""

    floor: int
    ceiling: int | None = None

    def holds(self, seq: int) -> bool:
        return seq > self.floor and (self.ceiling is None or seq <= self.ceiling)

    def top(self, last_seq: int) -> int:
        """The newest readable seq of a log that has reached ``last_seq``."""
        return last_seq if self.ceiling is None else min(last_seq, self.ceiling)


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
    # against this roster is appended only while the version is unchanged (decision 12).
    version: int = 0

    def member(self, user_id: int) -> Member | None:
        return self.members.get(user_id)

    @property
    def user_ids(self) -> tuple[int, ...]:
        return tuple(self.members)


_RANK = {Role.OWNER: 2, Role.ADMIN: 1, Role.MEMBER: 0}


def outranks(actor: Role, target: Role) -> bool:
    """Whether ``actor`` may act on someone of ``target``'s role: owner > admin > member."""
    return _RANK[actor] > _RANK[target]


def may_recall(
    *,
    actor_id: int,
    actor_role: Role,
    conversation_type: ConversationType,
    sender_id: int | None,
    sender_role: Role | None = None,
    age_seconds: float,
    window_seconds: int,
) -> str | None:
    """Why the actor may not recall the message (an error code), or None when they may.

    The sender may recall within the window. In groups the owner, and admins holding the
    recall power (``actor_role`` is the role they act with), recall at any time their own
    messages and those of people they outrank (decision 24): the owner anyone's, an admin a
    plain member's; a fellow admin's or the owner's needs a higher rank (``forbidden``).
    ``sender_role`` is the sender's role now; None (no longer a member) ranks as a member.
    """
    if conversation_type is ConversationType.GROUP and actor_role in (Role.OWNER, Role.ADMIN):
        if sender_id == actor_id or outranks(actor_role, sender_role or Role.MEMBER):
            return None
        return "forbidden"
    if sender_id != actor_id:
        return "not_your_message"
    if age_seconds > window_seconds:
        return "recall_window_passed"
    return None
