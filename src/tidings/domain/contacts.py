"""Contacts: friend requests, remarks, tags, nested contact groups (PRODUCT.md B2, B3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tidings.domain.accounts import User
from tidings.domain.errors import ErrorCode, TidingsError

MAX_TAGS = 20
MAX_TAG_CHARS = 32
MAX_CONTACT_GROUPS = 500
MAX_GROUP_DEPTH = 32


class RequestStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IGNORED = "ignored"


class InviteKind(StrEnum):
    FRIEND = "friend"
    GROUP = "group"


@dataclass(frozen=True, slots=True)
class FriendRequest:
    id: int
    from_user_id: int
    to_user_id: int
    message: str
    status: RequestStatus
    suppressed: bool
    created_at: int


@dataclass(frozen=True, slots=True)
class Contact:
    user_id: int
    remark: str
    tags: tuple[str, ...]
    contact_group_id: int | None

    def to_wire(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "remark": self.remark,
            "tags": list(self.tags),
            "contact_group_id": self.contact_group_id,
        }


@dataclass(frozen=True, slots=True)
class ContactGroup:
    id: int
    parent_id: int | None
    name: str

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "parent_id": self.parent_id, "name": self.name}


def card(user: User) -> dict[str, Any]:
    """What anyone allowed to see a user is shown (search results, requests)."""
    return {
        "id": user.id,
        "account": user.account,
        "nickname": user.nickname,
        "avatar": user.avatar,
        "signature": user.signature,
    }


def normalize_tags(tags: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for tag in tags:
        cleaned = tag.strip()
        if not cleaned or len(cleaned) > MAX_TAG_CHARS:
            raise TidingsError(ErrorCode.INVALID_INPUT, f"tags are 1 to {MAX_TAG_CHARS} characters")
        if cleaned not in out:
            out.append(cleaned)
    if len(out) > MAX_TAGS:
        raise TidingsError(ErrorCode.INVALID_INPUT, f"at most {MAX_TAGS} tags per contact")
    return tuple(out)


def would_cycle(parents: Mapping[int, int | None], node: int, new_parent: int | None) -> bool:
    """Whether putting ``node`` under ``new_parent`` makes a loop in the parent links."""
    current = new_parent
    steps = 0
    while current is not None and steps <= len(parents):
        if current == node:
            return True
        current = parents.get(current)
        steps += 1
    return False


def depth_below(parents: Mapping[int, int | None], node: int | None) -> int:
    depth = 0
    while node is not None and depth <= len(parents):
        node = parents.get(node)
        depth += 1
    return depth
