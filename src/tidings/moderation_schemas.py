"""Request shapes of content moderation (K7, decision 0056): users' reports (REST and the
``reports.create`` op) and the console's word list and review queue."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from tidings.domain.moderation import MAX_NOTE_CHARS
from tidings.schemas import Id, Input

ReportTargetName = Literal["message", "user", "group"]
ReportReasonName = Literal["spam", "abuse", "fraud", "illegal", "other"]
Note = Annotated[str, StringConstraints(max_length=MAX_NOTE_CHARS)]


class ReportInput(Input):
    """A message is named by ``conversation_id`` and ``seq``, a person by ``user_id``, a group
    by ``conversation_id``."""

    target_type: ReportTargetName
    reason: ReportReasonName
    note: Note = ""
    conversation_id: Id | None = None
    seq: Id | None = None
    user_id: Id | None = None


class WordsInput(Input):
    """Add words or set their action: ``{"word", "action"}`` entries, or bare words that take
    ``action``. Up to 100,000 entries; bad ones are reported by index."""

    # Entries are checked one by one by the action (a bad one does not refuse the rest); the
    # count too, so that more than MAX_WORDS get ``too_many_words`` (the body is bounded).
    words: list[Any]
    action: Literal["block", "replace", "flag"] | None = None


class WordsRemoveInput(Input):
    words: list[Any]


class ResolveInput(Input):
    action: Literal["dismiss", "recall", "mute", "freeze"]
    note: Note = ""
    # For ``mute``: how long the sender stays muted in the group.
    mute_seconds: Annotated[int, Field(gt=0, le=10 * 365 * 24 * 3600)] | None = None
