"""What travels on the bus.

Frames are serialized once by the publisher; every node and connection sends the same text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Push:
    """Send ``frame`` to every connection of these users (but the one that caused it)."""

    user_ids: tuple[int, ...]
    frame: str
    exclude_connection: str | None = None
    # Set when user_ids are exactly this conversation's members: across nodes a long list is
    # then replaced by the conversation's id (MembersPush).
    members_of: int | None = None


@dataclass(frozen=True, slots=True)
class MembersPush:
    """Send ``frame`` to every member of a conversation, as this node's roster has them: what
    a Push to a large conversation becomes on its way to other nodes."""

    conversation_id: int
    frame: str
    exclude_connection: str | None = None


@dataclass(frozen=True, slots=True)
class SessionsPush:
    """Send ``frame`` to the connections of these sessions only: a call's signalling goes
    to the one device of each party that is in the call (decision 0074)."""

    session_ids: tuple[int, ...]
    frame: str


@dataclass(frozen=True, slots=True)
class EndSessions:
    """Send ``frame`` to these sessions' connections, then close them."""

    session_ids: tuple[int, ...]
    frame: str
    close_code: int
    reason: str
    # The connection that asked (logout): it closes itself after its reply.
    spare_connection: str | None = None


@dataclass(frozen=True, slots=True)
class RosterChanged:
    """A conversation's members changed: cached rosters must be dropped everywhere."""

    conversation_id: int


@dataclass(frozen=True, slots=True)
class PresenceChanged:
    user_id: int
    online: bool


@dataclass(frozen=True, slots=True)
class PresenceCut:
    """``user_id`` blocked ``other_id``: presence subscriptions between them end at once."""

    user_id: int
    other_id: int


@dataclass(frozen=True, slots=True)
class PresenceHidden:
    """``user_id`` stopped showing their online status (privacy): every subscription to it
    by someone else ends at once, told "offline"."""

    user_id: int


@dataclass(frozen=True, slots=True)
class SiteSettingsChanged:
    """The site settings moved to ``version``: ``document`` is the stored (sparse) JSON
    document, applied by every node at once (decision 0057)."""

    version: int
    document: str


@dataclass(frozen=True, slots=True)
class WordsChanged:
    """The server's word list moved to ``version`` (K7): every node compiles it again."""

    version: int


@dataclass(frozen=True, slots=True)
class WebhooksChanged:
    """An app's webhook subscriptions changed: every node reads the event types wanted
    again (decision 0068)."""


@dataclass(frozen=True, slots=True)
class BusGap:
    """Bus messages may have been lost (Redis was away, or this node's subscription broke):
    whatever is kept fresh by them (cached rosters and policies) must be dropped."""


BusMessage = (
    Push
    | MembersPush
    | SessionsPush
    | EndSessions
    | RosterChanged
    | PresenceChanged
    | PresenceCut
    | PresenceHidden
    | SiteSettingsChanged
    | WordsChanged
    | WebhooksChanged
    | BusGap
)
