"""Group governance: powers, join modes, mutes, automatic blocking (PRODUCT.md E1, E3-E9, E11).

The owner holds every power; each admin holds the powers the owner granted them; members hold
none. Whoever acts on another member must outrank them (owner > admin > member).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tidings.domain.conversations import Role
from tidings.domain.errors import ErrorCode, TidingsError


class Power(StrEnum):
    APPROVE_JOINS = "approve_joins"  # decide join requests, invite in approval mode, join mode
    REMOVE_MEMBERS = "remove_members"  # remove members, the group blacklist
    MUTE = "mute"  # mute members, mute everyone
    RECALL = "recall"  # recall others' messages
    EDIT_INFO = "edit_info"  # name, avatar, intro
    ANNOUNCEMENTS = "announcements"  # post, edit, pin; mark messages important
    MODERATE = "moderate"  # the moderation queue, moderation mode, keywords, rate rule


ALL_POWERS = frozenset(Power)


class JoinMode(StrEnum):
    OPEN = "open"  # anyone may join; members may invite
    APPROVAL = "approval"  # join requests wait for an approver; only approvers invite
    INVITE_CODE = "invite_code"  # members invite, others join with an invite code (default)
    BACK_OFFICE = "back_office"  # only server admins assign members


class ViewMode(StrEnum):
    ALL = "all"
    DO_NOT_DISTURB = "do_not_disturb"
    ADMINS_ONLY = "admins_only"


# muted_until for a mute without end.
FOREVER = -1
MIN_MUTE_SECONDS = 60
# "Forever" is the way to say longer than this.
MAX_MUTE_SECONDS = 366 * 24 * 3600
MAX_KEYWORDS = 200
# The short numeric group ID: what people type to find a group.
GROUP_NUMBER_OFFSET = 100_000


def group_number(conversation_id: int) -> int:
    return conversation_id + GROUP_NUMBER_OFFSET


def conversation_of_number(number: int) -> int | None:
    found = number - GROUP_NUMBER_OFFSET
    return found if found > 0 else None


@dataclass(frozen=True, slots=True)
class GroupSettings:
    avatar: str = ""
    intro: str = ""
    size_limit: int | None = None
    join_mode: JoinMode = JoinMode.INVITE_CODE
    mute_all: bool = False
    moderation: bool = False
    forbid_private_chat: bool = False
    keywords: tuple[str, ...] = ()
    rate_count: int = 0
    rate_seconds: int = 0
    disbanded_at: int | None = None

    def public(self) -> dict[str, Any]:
        """What every member sees (keywords and the rate rule are for moderators)."""
        return {
            "avatar": self.avatar,
            "intro": self.intro,
            "size_limit": self.size_limit,
            "join_mode": self.join_mode.value,
            "mute_all": self.mute_all,
            "moderation": self.moderation,
            "forbid_private_chat": self.forbid_private_chat,
            "disbanded": self.disbanded_at is not None,
        }


@dataclass(frozen=True, slots=True)
class Policy:
    """What the send path needs about one conversation, cached and dropped on change.

    ``open`` is precomputed: most conversations have no rule at all, and a send into them
    costs one attribute read.
    """

    conversation_id: int
    settings: GroupSettings | None
    powers: Mapping[int, frozenset[Power]] = field(default_factory=dict)
    muted_until: Mapping[int, int] = field(default_factory=dict)
    # (blocker, blocked) between the two members of a direct chat.
    blocked_pairs: frozenset[tuple[int, int]] = frozenset()
    open: bool = True
    # The conversation's roster_version when this was read: a policy older than the roster
    # it is used with is read again (decision 12).
    version: int = 0

    @classmethod
    def build(
        cls,
        conversation_id: int,
        settings: GroupSettings | None,
        powers: Mapping[int, frozenset[Power]],
        muted_until: Mapping[int, int],
        blocked_pairs: frozenset[tuple[int, int]] = frozenset(),
        *,
        version: int = 0,
    ) -> Policy:
        restricted = bool(muted_until) or bool(blocked_pairs)
        if settings is not None:
            restricted = restricted or (
                settings.mute_all
                or settings.moderation
                or bool(settings.keywords)
                or settings.rate_count > 0
                or settings.disbanded_at is not None
            )
        return cls(
            conversation_id,
            settings,
            powers,
            muted_until,
            blocked_pairs,
            open=not restricted,
            version=version,
        )

    def holds(self, user_id: int, role: Role, power: Power) -> bool:
        if role is Role.OWNER:
            return True
        return role is Role.ADMIN and power in self.powers.get(user_id, frozenset())


@dataclass(frozen=True, slots=True)
class Admission:
    """A group as it stands while its row is locked for an admission (decision 12): the
    rule deciding whom to admit sees this, not a cached roster."""

    member_count: int
    # Those of the people asked for who are active members already.
    already_in: frozenset[int]
    settings: GroupSettings


# Whom of the people asked for to admit (raising a TidingsError to refuse them all).
AdmissionRule = Callable[[Admission], list[int]]


def mute_deadline(now_ms: int, seconds: int | None, *, shortest: int = MIN_MUTE_SECONDS) -> int:
    """When a mute of ``seconds`` (None: forever) ends, in ms; refuse durations out of range."""
    if seconds is None:
        return FOREVER
    if not shortest <= seconds <= MAX_MUTE_SECONDS:
        raise TidingsError(
            ErrorCode.INVALID_INPUT,
            f"mute for {shortest} s to {MAX_MUTE_SECONDS} s, or forever (null)",
        )
    return now_ms + seconds * 1000


def is_muted(until: int | None, now_ms: int) -> bool:
    return until is not None and (until == FOREVER or until > now_ms)


def blocked_keyword(keywords: Iterable[str], texts: Iterable[str]) -> str | None:
    """The first keyword found in any of the texts (case-insensitive), or None."""
    lowered = [t.casefold() for t in texts if t]
    for keyword in keywords:
        needle = keyword.casefold()
        if any(needle in text for text in lowered):
            return keyword
    return None


def body_texts(body: Mapping[str, Any]) -> list[str]:
    """The human-written strings of a message body, for keyword checks."""
    return [
        value
        for key in ("text", "title", "description", "name", "address")
        if isinstance(value := body.get(key), str)
    ]


def normalize_keywords(raw: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for keyword in raw:
        cleaned = keyword.strip()
        if cleaned and cleaned.casefold() not in {k.casefold() for k in out}:
            out.append(cleaned)
    if len(out) > MAX_KEYWORDS:
        raise TidingsError(ErrorCode.INVALID_INPUT, f"at most {MAX_KEYWORDS} keywords")
    return tuple(out)


def parse_powers(stored: str) -> frozenset[Power]:
    return frozenset(Power(p) for p in stored.split(",") if p in Power._value2member_map_)


def store_powers(powers: Iterable[Power]) -> str:
    return ",".join(sorted(p.value for p in powers))
