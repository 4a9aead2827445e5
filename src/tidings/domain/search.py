"""Message search (PRODUCT.md D11, issue 15, decision 0072): what a message is found by, how
text becomes index terms, how a query becomes a match, and where a query's words are in a
snippet. No I/O: both engines' stores compile the same terms.

Chinese has no spaces between words, so words are not what is indexed. Every run of CJK
characters is indexed twice: as its overlapping two-character pieces in order (会议室 →
会议 议室), which a query of two or more characters matches as a phrase, and as single
characters, which a one-character query matches. Any character string of a run is found,
wherever it sits in the run: 会 and 会议 inside 我们明天下午开会议论一下. Other scripts are
split into words on everything that is not a letter or a digit (SO-2024-0117 → so 2024
0117, matched as a phrase); a query's words match as prefixes (deploy finds deployment).
Emoji are tokens of their own. Case, full-width letters, diacritics (é) and compatibility forms
are folded the same way on both sides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tidings.domain.bodies import MessageType
from tidings.domain.errors import ErrorCode, TidingsError

# Bumped whenever what is indexed or how text becomes terms changes: an index built by
# another version (or another Unicode database, whose folding may differ) is rebuilt.
TOKENIZER_VERSION = 1
INDEX_FORMAT = f"{TOKENIZER_VERSION}:{unicodedata.unidata_version}"

# A query longer than this is refused: nobody types it, and each word costs a lookup.
MAX_QUERY_CHARS = 200
# Terms past this many are not looked up (a query of 40 words finds what its first do).
MAX_QUERY_TERMS = 16
PAGE_MAX = 50
PAGE_DEFAULT = 20
# What is indexed of one message at most (a chat record of 100 copies can be long).
MAX_INDEXED_CHARS = 20_000
# A snippet shows about this many characters around the first hit.
SNIPPET_CHARS = 80


class SearchKind(StrEnum):
    """The message-type filter: text messages, files, images, links (a text carrying a
    web address, or a card that links somewhere)."""

    TEXT = "text"
    FILE = "file"
    IMAGE = "image"
    LINK = "link"


class SearchOrder(StrEnum):
    """The order of results: most relevant first (then newest), or newest first (search
    inside one chat, stepped through like the chat itself)."""

    RELEVANCE = "relevance"
    NEWEST = "newest"


# Tokens that are not words of a text (conversation, sender, kind) start with this, which
# no word token contains: words are letters and digits only.
SCOPE_MARK = "_"


def conversation_token(conversation_id: int) -> str:
    return f"{SCOPE_MARK}c{conversation_id}"


def sender_token(sender_id: int) -> str:
    return f"{SCOPE_MARK}s{sender_id}"


def kind_token(kind: SearchKind) -> str:
    return f"{SCOPE_MARK}k{kind.value}"


# ---- What a message is found by ------------------------------------------------------------

_LINK = re.compile(r"(?i)\b(?:https?://|www\.)\S")


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One message as the index holds it: its words (as the user sees them, for snippets)
    and the kinds it is found under."""

    text: str
    kinds: frozenset[SearchKind]


def document_of(
    type_name: str | None,
    body: dict[str, Any],
    *,
    person_name: Callable[[int], str | None] = lambda _: None,
) -> SearchDocument | None:
    """What a message is found by, or None when it is not indexed: no words (a voice
    message, a sticker), a burn-after-reading message (a snippet would show what the
    recipient has not opened; decision 0038), a recalled or burned one (its body is gone)."""
    if not type_name or body.get("burn") or body.get("burned") or not body:
        return None
    parts: list[str] = []
    kinds: set[SearchKind] = set()
    if type_name == MessageType.TEXT.value:
        text = _str(body.get("text"))
        parts.append(text)
        kinds.add(SearchKind.TEXT)
        if _LINK.search(text):
            kinds.add(SearchKind.LINK)
    elif type_name == MessageType.FILE.value:
        parts.append(_str(body.get("name")))
        kinds.add(SearchKind.FILE)
    elif type_name == MessageType.IMAGE.value:
        parts.append(_str(body.get("name")))
        kinds.add(SearchKind.IMAGE)
    elif type_name == MessageType.CUSTOM_CARD.value:
        parts.extend(_str(body.get(k)) for k in ("title", "description", "source"))
        kinds.add(SearchKind.LINK)
    elif type_name == MessageType.CONTACT_CARD.value:
        user_id = body.get("user_id")
        if isinstance(user_id, int):
            parts.append(person_name(user_id) or "")
    elif type_name == MessageType.LOCATION.value:
        parts.extend(_str(body.get(k)) for k in ("name", "address"))
    elif type_name == MessageType.NOTICE.value:
        parts.extend(_str(body.get(k)) for k in ("title", "text"))
    elif type_name == MessageType.CHAT_RECORD.value:
        _record_parts(body, parts, depth=0)
    text = "\n".join(p for p in parts if p.strip())[:MAX_INDEXED_CHARS]
    if not text.strip():
        return None
    return SearchDocument(text=text, kinds=frozenset(kinds))


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _record_parts(body: dict[str, Any], parts: list[str], *, depth: int) -> None:
    """A chat record (decision 0035) is found by its title and the copies it carries."""
    parts.append(_str(body.get("title")))
    if depth >= 3:
        return
    for item in body.get("items", []):
        if not isinstance(item, dict):
            continue
        inner = item.get("body")
        if not isinstance(inner, dict):
            continue
        if item.get("type") == MessageType.CHAT_RECORD.value:
            _record_parts(inner, parts, depth=depth + 1)
            continue
        found = document_of(_str(item.get("type")), inner)
        if found is not None:
            parts.append(found.text)


# ---- Folding and scanning ------------------------------------------------------------------

# Han (with extensions and compatibility ideographs), kana, Hangul, Bopomofo.
_CJK_RANGES = (
    "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3040-\u30ff\u3100-\u312f"
    "\u3130-\u318f\u31a0-\u31bf\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
# Pictographs and symbols that people search for as such (emoji, arrows, shapes).
_SYMBOL_RANGES = (
    "\u2190-\u21ff\u2300-\u23ff\u25a0-\u27bf\u2900-\u297f\u2b00-\u2bff\U0001f000-\U0001faff"
)
_SEGMENT = re.compile(
    rf"(?P<cjk>[{_CJK_RANGES}]+)|(?P<sym>[{_SYMBOL_RANGES}])|(?P<word>[^\W_{_CJK_RANGES}]+)"
)
_CJK_CHAR = re.compile(rf"[{_CJK_RANGES}]")

# Folding a character is a few dictionary look-ups after the first time.
_FOLDED: dict[str, str] = {}
_FOLDED_MAX = 200_000


def _fold_char(ch: str) -> str:
    folded = _FOLDED.get(ch)
    if folded is not None:
        return folded
    if 0xD800 <= ord(ch) <= 0xDFFF:
        folded = " "  # a lone surrogate is no character: it separates, never matches
    else:
        decomposed = unicodedata.normalize("NFKD", ch)
        kept = "".join(c for c in decomposed if unicodedata.category(c) not in ("Mn", "Me", "Cf"))
        # Recompose what decomposition split but is not a diacritic (Hangul syllables).
        folded = unicodedata.normalize("NFC", kept).lower()
    if len(_FOLDED) < _FOLDED_MAX:
        _FOLDED[ch] = folded
    return folded


def fold(text: str) -> str:
    """Text as the index sees it: lower case, compatibility forms and widths folded,
    diacritics and invisible format characters dropped."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(ch) for ch in text)


def _fold_with_origin(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, where it came from in ``text``."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        folded = _fold_char(ch)
        out.append(folded)
        origin.extend([index] * len(folded))
    return "".join(out), origin


@dataclass(frozen=True, slots=True)
class _Segment:
    kind: str  # "cjk", "sym" or "word"
    text: str
    start: int  # in the folded text
    end: int


def _segments(folded: str) -> Iterator[_Segment]:
    for match in _SEGMENT.finditer(folded):
        kind = match.lastgroup or "word"
        yield _Segment(kind, match.group(), match.start(), match.end())


# ---- Index terms ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexTerms:
    """What the index stores of a text, as space-separated tokens in order: ``words`` holds
    words, emoji and the two-character pieces of CJK runs (phrases match on their
    positions); ``chars`` holds every CJK character (one-character queries)."""

    words: str
    chars: str


def index_terms(text: str) -> IndexTerms:
    words: list[str] = []
    chars: list[str] = []
    for segment in _segments(fold(text)):
        if segment.kind == "cjk":
            run = segment.text
            chars.extend(run)
            words.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            words.append(segment.text)
    return IndexTerms(" ".join(words), " ".join(chars))


# ---- Queries -------------------------------------------------------------------------------


class TermKind(StrEnum):
    PHRASE = "phrase"  # tokens of the words column in a row; the last one a prefix if so
    CHAR = "char"  # one CJK character, in the chars column


@dataclass(frozen=True, slots=True)
class Term:
    kind: TermKind
    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """Terms that must all match (AND). ``needles`` are what a snippet highlights."""

    terms: tuple[Term, ...]
    words: tuple[tuple[str, ...], ...]  # word phrases, the last word a prefix
    strings: tuple[str, ...]  # CJK strings and emoji, matched exactly


# A one-letter prefix would match a good part of the dictionary; one letter is a word.
_MIN_PREFIX = 2


def parse_query(q: str) -> SearchQuery | None:
    """The terms of what the user typed, or None when it holds nothing to look for
    (punctuation only). Everything typed is text: quotes, stars, brackets, minus signs, AND,
    OR and NEAR are not operators here. An empty or overlong query is ``invalid_input``."""
    if not q.strip():
        raise TidingsError(ErrorCode.INVALID_INPUT, "q: type something to search for")
    if len(q) > MAX_QUERY_CHARS:
        raise TidingsError(ErrorCode.INVALID_INPUT, f"q: at most {MAX_QUERY_CHARS} characters")
    terms: list[Term] = []
    words: list[tuple[str, ...]] = []
    strings: list[str] = []
    for chunk in fold(q).split():
        phrase: list[str] = []
        for segment in _segments(chunk):
            if segment.kind == "word":
                phrase.append(segment.text)
                continue
            _close_phrase(phrase, terms, words)
            phrase = []
            if segment.kind == "sym":
                terms.append(Term(TermKind.PHRASE, (segment.text,)))
                strings.append(segment.text)
            elif len(segment.text) == 1:
                terms.append(Term(TermKind.CHAR, (segment.text,)))
                strings.append(segment.text)
            else:
                run = segment.text
                bigrams = tuple(run[i : i + 2] for i in range(len(run) - 1))
                terms.append(Term(TermKind.PHRASE, bigrams))
                strings.append(run)
        _close_phrase(phrase, terms, words)
    unique = tuple(dict.fromkeys(terms))[:MAX_QUERY_TERMS]
    if not unique:
        return None
    return SearchQuery(unique, tuple(dict.fromkeys(words)), tuple(dict.fromkeys(strings)))


def _close_phrase(phrase: list[str], terms: list[Term], words: list[tuple[str, ...]]) -> None:
    if not phrase:
        return
    terms.append(Term(TermKind.PHRASE, tuple(phrase), prefix=len(phrase[-1]) >= _MIN_PREFIX))
    words.append(tuple(phrase))


# ---- Snippets ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snippet:
    """Plain text (never markup) and the ranges of it that matched, as ``[start, end)``
    offsets in UTF-16 code units, which is how JavaScript strings count."""

    text: str
    highlights: tuple[tuple[int, int], ...]


def snippet(text: str, query: SearchQuery, *, width: int = SNIPPET_CHARS) -> Snippet:
    """Where the query's words are in ``text``, with about ``width`` characters around the
    first of them."""
    folded, origin = _fold_with_origin(text)
    found = _hits(folded, query)
    ranges: list[tuple[int, int]] = []
    for start, end in sorted(found):
        a, b = origin[start], origin[end - 1] + 1
        while b < len(text) and not _fold_char(text[b]):
            b += 1  # the accents of the last character go with it
        if ranges and a <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], b))
        else:
            ranges.append((a, b))
    cut_start, cut_end = _window(len(text), ranges[0][0] if ranges else 0, width)
    shown = text[cut_start:cut_end].translate(_FLAT)
    lead = "…" if cut_start > 0 else ""
    tail = "…" if cut_end < len(text) else ""
    out = lead + shown + tail
    highlights: list[tuple[int, int]] = []
    for a, b in ranges:
        a, b = max(a, cut_start), min(b, cut_end)
        if a >= b:
            continue
        before = lead + text[cut_start:a]
        highlights.append((_utf16_len(before), _utf16_len(before + text[a:b])))
    return Snippet(out, tuple(highlights))


# Line breaks and tabs show as spaces in a one-line snippet (one character for one).
_FLAT = str.maketrans({"\n": " ", "\r": " ", "\t": " "})


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _window(length: int, first_hit: int, width: int) -> tuple[int, int]:
    if length <= width:
        return 0, length
    start = max(0, first_hit - width // 4)
    end = min(length, start + width)
    return max(0, end - width), end


def _hits(folded: str, query: SearchQuery) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for needle in query.strings:
        at = folded.find(needle)
        while at >= 0:
            found.add((at, at + len(needle)))
            at = folded.find(needle, at + 1)
    if query.words:
        tokens = [s for s in _segments(folded) if s.kind == "word"]
        for phrase in query.words:
            n = len(phrase)
            for i in range(len(tokens) - n + 1):
                window = tokens[i : i + n]
                if all(t.text == w for t, w in zip(window[:-1], phrase[:-1], strict=True)) and (
                    window[-1].text.startswith(phrase[-1])
                    if len(phrase[-1]) >= _MIN_PREFIX
                    else window[-1].text == phrase[-1]
                ):
                    found.add((window[0].start, window[-1].end))
    return found


# How relevance weighs a match (BM25's term-frequency part): repeated hits count less and
# less, long messages less than short ones. Every result holds every term (AND), so BM25's
# inverse document frequency would weigh all candidates alike: it is left out, which spares
# counting every match of a common word in the whole index.
_K1 = 1.2
_B = 0.75
_AVERAGE_CHARS = 40.0


def relevance(text: str, query: SearchQuery) -> float:
    """How well ``text`` matches: higher is better; about 1 per term hit once in a message
    of average length."""
    folded = fold(text)
    norm = _K1 * (1 - _B + _B * len(folded) / _AVERAGE_CHARS)
    score = 0.0
    # Occurrences as substrings: a word counted inside a longer one now and then changes
    # an order among about equals, never what is found (the index decided that).
    for needle in (*query.strings, *(words[0] for words in query.words)):
        tf = folded.count(needle)
        if tf:
            score += tf * (_K1 + 1) / (tf + norm)
    return score


def has_cjk(text: str) -> bool:
    return _CJK_CHAR.search(text) is not None
