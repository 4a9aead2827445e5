"""Content moderation (PRODUCT.md K7): the server-wide word list and users' reports.

The word list holds words, each with an action: ``block`` refuses the text, ``replace`` masks
the matched text with ``***``, ``flag`` lets it through and queues it for review. One
``WordFilter`` is compiled per change of the list (Aho-Corasick, decision 0056) and shared by
every send; it is immutable, so a new list is swapped in whole.

Matching (docs/protocol.md "Content moderation"):
- Text and words are folded alike: full-width ASCII becomes half-width, letters lower case.
  Folding keeps every character in place, so a match's span is the original text's span.
- A word whose edge is a Latin letter or digit matches only at a word boundary on that edge
  ("ass" is not found in "class"); CJK words match anywhere inside a run of text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import ahocorasick_rs

from tidings.domain.errors import ErrorCode, TidingsError

# The largest list the matcher is built for (the bar), and the most entries one
# request may add or remove.
MAX_WORDS = 100_000
MAX_WORD_CHARS = 50
# What a replaced match becomes: a fixed mask, so the mask tells nothing of the word's length.
MASK = "***"


class WordAction(StrEnum):
    BLOCK = "block"
    REPLACE = "replace"
    FLAG = "flag"


class ReportReason(StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    FRAUD = "fraud"
    ILLEGAL = "illegal"
    OTHER = "other"
    # Not chosen by users: set on what the word list flagged for review.
    FLAGGED_WORDS = "flagged_words"


USER_REASONS = frozenset(r for r in ReportReason if r is not ReportReason.FLAGGED_WORDS)


class ReportTarget(StrEnum):
    MESSAGE = "message"
    USER = "user"
    GROUP = "group"


class ReportStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Resolution(StrEnum):
    DISMISS = "dismiss"
    RECALL = "recall"  # the reported message, as an admin recall
    MUTE = "mute"  # the message's sender, in its group, for a while
    FREEZE = "freeze"  # the reported person's (or the message sender's) account


# Which resolutions fit which target.
RESOLUTIONS: dict[ReportTarget, frozenset[Resolution]] = {
    ReportTarget.MESSAGE: frozenset(Resolution),
    ReportTarget.USER: frozenset({Resolution.DISMISS, Resolution.FREEZE}),
    ReportTarget.GROUP: frozenset({Resolution.DISMISS}),
}

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space, as their half-width forms.
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E)} | {0x3000: 0x20}
# Most text has none: looking for one is far cheaper than translating every character.
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


def fold(text: str) -> str:
    """``text`` as the matcher compares it, every character in its place (same length)."""
    if text.isascii():
        return text.lower()
    if _FULL_WIDTH.search(text) is not None:
        text = text.translate(_HALF_WIDTH)
    folded = text.lower()
    if len(folded) == len(text):
        return folded
    # A few letters lower-case into two characters (U+0130 "İ"): keep those as they are.
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)


def _is_latin(c: str) -> bool:
    """A character that makes up Latin words: matched words stop at a boundary of these."""
    return (c.isascii() and c.isalnum()) or ("\u00c0" <= c <= "\u024f" and c.isalpha())


def check_word(raw: object) -> str:
    """The word as stored (folded, trimmed), or TidingsError(invalid_input) saying why not."""
    if not isinstance(raw, str):
        raise TidingsError(ErrorCode.INVALID_INPUT, "a word is a string")
    word = fold(raw.strip())
    if not word:
        raise TidingsError(ErrorCode.INVALID_INPUT, "the word is empty")
    if len(word) > MAX_WORD_CHARS:
        raise TidingsError(
            ErrorCode.INVALID_INPUT, f"a word has at most {MAX_WORD_CHARS} characters"
        )
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in word):
        raise TidingsError(ErrorCode.INVALID_INPUT, "the word holds a control character")
    return word


def check_action(raw: object) -> WordAction:
    try:
        return WordAction(str(raw).strip().lower())
    except ValueError:
        raise TidingsError(
            ErrorCode.INVALID_INPUT, "the action is block, replace or flag"
        ) from None


@dataclass(frozen=True, slots=True)
class Screening:
    """What the word list made of one text."""

    text: str
    blocked: bool = False
    # The flag words found, for the reviewer (never told to the sender).
    flagged: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.blocked or bool(self.flagged)


@dataclass(frozen=True, slots=True)
class ScreenedFields:
    """What the word list made of several named texts (a message body's text fields): the
    texts it masked, and the flag words found. Read-only (NOTHING is shared)."""

    replaced: Mapping[str, str]
    flagged: tuple[str, ...] = ()


NOTHING = ScreenedFields({})


class WordFilter:
    """An immutable matcher over one version of the word list."""

    __slots__ = ("_actions", "_automaton", "_words", "version")

    def __init__(self, words: Iterable[tuple[str, WordAction]] = (), *, version: int = 0) -> None:
        pairs = list(words)
        self.version = version
        self._words = [w for w, _ in pairs]
        self._actions = [a for _, a in pairs]
        self._automaton = (
            ahocorasick_rs.AhoCorasick(
                self._words,
                matchkind=ahocorasick_rs.MatchKind.Standard,
                implementation=ahocorasick_rs.Implementation.ContiguousNFA,
            )
            if pairs
            else None
        )

    def __len__(self) -> int:
        return len(self._words)

    def screen(self, text: str) -> Screening:
        """Block, mask or flag ``text``; the same ``text`` when nothing matches."""
        found = self._scan(text)
        if found is None:
            return Screening(text)
        blocked, masked, flagged = found
        return Screening(masked, blocked=blocked, flagged=flagged)

    def screen_fields(self, texts: Mapping[str, str]) -> ScreenedFields:
        """Screen each named text; raises ``content_blocked`` naming the field (not the word)."""
        replaced: dict[str, str] = {}
        flagged: list[str] = []
        for name, text in texts.items():
            found = self._scan(text)
            if found is None:
                continue  # the common case: nothing to build
            blocked, masked, words = found
            if blocked:
                raise content_blocked(name)
            if masked != text:
                replaced[name] = masked
            flagged.extend(w for w in words if w not in flagged)
        if not replaced and not flagged:
            return NOTHING
        return ScreenedFields(replaced, tuple(flagged))

    def _scan(self, text: str) -> tuple[bool, str, tuple[str, ...]] | None:
        """(blocked, the masked text, the flag words), or None when no word is in ``text``
        (the hot path's answer, so it allocates nothing)."""
        automaton = self._automaton
        if automaton is None or not text:
            return None
        folded = fold(text)
        matches = automaton.find_matches_as_indexes(folded, overlapping=True)
        if not matches:
            return None
        spans: list[tuple[int, int]] = []
        flagged: list[str] = []
        size = len(folded)
        for index, start, end in matches:
            word = self._words[index]
            if _is_latin(word[0]) and start > 0 and _is_latin(folded[start - 1]):
                continue
            if _is_latin(word[-1]) and end < size and _is_latin(folded[end]):
                continue
            action = self._actions[index]
            if action is WordAction.BLOCK:
                return True, text, ()
            if action is WordAction.REPLACE:
                spans.append((start, end))
            elif word not in flagged:
                flagged.append(word)
        if not spans and not flagged:
            return None
        return False, _mask(text, spans) if spans else text, tuple(flagged)


def content_blocked(field_name: str) -> TidingsError:
    # Which word matched is not said: the list is the server's, and naming its words would
    # let anyone read it out by trial.
    return TidingsError(
        ErrorCode.CONTENT_BLOCKED,
        f"the {field_name.replace('_', ' ')} contains words this server does not allow",
        details={"field": field_name},
    )


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each run of overlapping spans replaced by one MASK."""
    spans.sort()
    out: list[str] = []
    position = 0
    run_start, run_end = spans[0]
    for start, end in spans[1:]:
        if start < run_end:
            run_end = max(run_end, end)
            continue
        out += [text[position:run_start], MASK]
        position = run_end
        run_start, run_end = start, end
    out += [text[position:run_start], MASK, text[run_end:]]
    return "".join(out)


# The longest note a reporter may write, and the longest excerpt kept of what they reported.
MAX_NOTE_CHARS = 500
MAX_EXCERPT_CHARS = 500


@dataclass(frozen=True, slots=True)
class Report:
    """One item of the review queue: a user's report, or what the word list flagged."""

    id: int
    reporter_id: int | None  # None: flagged by the word list
    target_type: ReportTarget
    target_user_id: int | None
    conversation_id: int | None
    seq: int | None
    reason: ReportReason
    note: str
    excerpt: str
    status: ReportStatus
    resolution: Resolution | None
    resolution_note: str
    resolved_by: int | None
    resolved_at: int | None
    created_at: int

    def to_wire(self) -> dict[str, object]:
        return {
            "id": self.id,
            "reporter_id": self.reporter_id,
            "target_type": self.target_type.value,
            "target_user_id": self.target_user_id,
            "conversation_id": self.conversation_id,
            "seq": self.seq,
            "reason": self.reason.value,
            "note": self.note,
            "excerpt": self.excerpt,
            "status": self.status.value,
            "resolution": self.resolution.value if self.resolution is not None else None,
            "resolution_note": self.resolution_note,
            "resolved_by": self.resolved_by,
            "resolved_at": self.resolved_at,
            "created_at": self.created_at,
        }

    def to_reporter(self) -> dict[str, object]:
        """What the reporter is told: their report, not the reviewer's notes."""
        return {
            "id": self.id,
            "target_type": self.target_type.value,
            "reason": self.reason.value,
            "status": self.status.value,
            "created_at": self.created_at,
        }


def target_key(
    target_type: ReportTarget, *, conversation_id: int | None, seq: int | None, user_id: int | None
) -> str:
    if target_type is ReportTarget.MESSAGE:
        return f"message:{conversation_id}:{seq}"
    if target_type is ReportTarget.GROUP:
        return f"group:{conversation_id}"
    return f"user:{user_id}"


def excerpt(text: str) -> str:
    return text if len(text) <= MAX_EXCERPT_CHARS else text[: MAX_EXCERPT_CHARS - 1] + "…"
