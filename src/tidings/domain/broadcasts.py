"""Broadcasts (PRODUCT.md K5, D1): a notice from the back office to many people at once.

A broadcast is composed once and lands as one ``notice`` entry in each recipient's
system-notices conversation (decision 0058). Its audience is resolved when sending starts
(``send_at``), frozen into one recipient row per person, and fanned out in batches; each
batch's entries and the recipients' progress commit together, so a crash mid-way resumes
where it stopped and nobody gets the notice twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tidings.domain.organization import OrgTree

# How much of an audience may be listed by hand; departments and "everyone" reach the rest.
MAX_LISTED_USERS = 10_000
MAX_LISTED_DEPARTMENTS = 1_000
MAX_LISTED_GROUPS = 1_000
# How far ahead a broadcast may be scheduled.
MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3600 * 1000


class BroadcastState(StrEnum):
    SCHEDULED = "scheduled"  # waits for send_at; may be cancelled
    SENDING = "sending"  # recipients fixed, being written in batches
    SENT = "sent"  # every recipient has it
    CANCELLED = "cancelled"  # cancelled before it was sent


@dataclass(frozen=True, slots=True)
class Audience:
    """Who a broadcast reaches: the union of these, each person once. Departments reach
    their whole subtree (hidden sub-departments too: the back office sees everything)."""

    everyone: bool = False
    department_ids: tuple[int, ...] = ()
    group_ids: tuple[int, ...] = ()
    user_ids: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.everyone or self.department_ids or self.group_ids or self.user_ids)

    def to_wire(self) -> dict[str, Any]:
        return {
            "everyone": self.everyone,
            "department_ids": list(self.department_ids),
            "group_ids": list(self.group_ids),
            "user_ids": list(self.user_ids),
        }

    @staticmethod
    def from_wire(data: dict[str, Any]) -> Audience:
        return Audience(
            everyone=bool(data.get("everyone", False)),
            department_ids=tuple(sorted(set(data.get("department_ids", ())))),
            group_ids=tuple(sorted(set(data.get("group_ids", ())))),
            user_ids=tuple(sorted(set(data.get("user_ids", ())))),
        )


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    created_by: int | None
    # The notice body as stored in every recipient's entry (domain.bodies.NoticeBody).
    body: dict[str, Any]
    audience: Audience
    state: BroadcastState
    send_at: int
    created_at: int
    started_at: int | None
    finished_at: int | None
    cancelled_at: int | None
    # How many people the audience came to when sending started (0 before).
    recipient_count: int
    # How many of them have the entry stored.
    delivered_count: int

    def to_wire(self, *, read_count: int | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_by": self.created_by,
            "title": self.body.get("title", ""),
            "text": self.body.get("text", ""),
            "url": self.body.get("url"),
            "image": self.body.get("image"),
            "audience": self.audience.to_wire(),
            "state": self.state.value,
            "send_at": self.send_at,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "cancelled_at": self.cancelled_at,
            "recipient_count": self.recipient_count,
            "delivered_count": self.delivered_count,
            "read_count": read_count,
        }


@dataclass(frozen=True, slots=True)
class Reach:
    """An audience resolved against the tree: departments with their whole subtrees."""

    everyone: bool
    department_ids: tuple[int, ...]
    group_ids: tuple[int, ...]
    user_ids: tuple[int, ...]


def reach_of(audience: Audience, tree: OrgTree) -> Reach:
    """Departments reach their subtrees, as the tree is now (a scheduled broadcast reaches
    the departments' members at its time, not when it was composed)."""
    departments: set[int] = set()
    for department_id in audience.department_ids:
        departments.update(tree.subtree(department_id, skip_hidden=False))
    return Reach(
        everyone=audience.everyone,
        department_ids=tuple(sorted(departments)),
        group_ids=audience.group_ids,
        user_ids=audience.user_ids,
    )
