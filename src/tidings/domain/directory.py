"""Finding people by a fragment of their account or nickname, or by their phone number (B1).

The index is one string holding every user's account and nickname, case-folded, one record
per user in id order; ``str.find`` walks it at C speed, so a search over 50,000 people costs
about a millisecond whatever it matches. Phone numbers are matched exactly (a substring
search would let anyone enumerate them).
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Separates fields and records; never part of a query (queries are stripped of controls).
_FIELD = "\x00"
_RECORD = "\n"


@dataclass(frozen=True, slots=True)
class Listing:
    """What the index knows about one user."""

    id: int
    account: str
    nickname: str
    phone: str
    disabled: bool


def normalize_query(query: str) -> str:
    return "".join(ch for ch in query if ch.isprintable()).strip().casefold()


class SearchIndex:
    def __init__(self, listings: Iterable[Listing] = ()) -> None:
        self._ids: list[int] = []
        self._offsets: list[int] = []
        self._phones: dict[str, list[int]] = {}
        self._parts: list[str] = []
        # user id -> position in _ids and _parts
        self._position: dict[int, int] = {}
        self._length = 0
        self._text = ""
        self.max_id = 0
        self.add(sorted(listings, key=lambda listing: listing.id))

    def __len__(self) -> int:
        return len(self._ids)

    def ids_after(self, user_id: int) -> list[int]:
        """Indexed ids above ``user_id``, ascending."""
        return self._ids[bisect_right(self._ids, user_id) :]

    def subset(self, user_ids: Iterable[int]) -> SearchIndex:
        """An index of the text of these users only (those indexed here), for searching what
        one viewer may see at C speed instead of filtering every hit. Phones stay in the
        full index: they are matched exactly, a handful of hits at most."""
        sub = SearchIndex()
        sub.extend_from(self, user_ids)
        return sub

    def extend_from(self, full: SearchIndex, user_ids: Iterable[int]) -> None:
        """Append ``full``'s records of these users (all above this index's ids)."""
        for user_id in sorted(u for u in user_ids if u in full._position and u > self.max_id):
            record = full._parts[full._position[user_id]]
            self._position[user_id] = len(self._ids)
            self._ids.append(user_id)
            self._offsets.append(self._length)
            self._parts.append(record)
            self._length += len(record)
            self.max_id = user_id
        self._text = "".join(self._parts)

    def matches(self, user_id: int, query: str) -> bool:
        """Whether this user is one ``find(query)`` yields."""
        position = self._position.get(user_id)
        if position is None:
            return False
        needle = normalize_query(query)
        return (bool(needle) and needle in self._parts[position]) or user_id in self._phones.get(
            query.strip(), ()
        )

    def find_text(self, query: str) -> Iterator[int]:
        """Ids whose account or nickname contains the query, ascending (no phones)."""
        needle = normalize_query(query)
        return self._text_hits(needle) if needle else iter(())

    def add(self, listings: Iterable[Listing]) -> None:
        """Append users with ids above every indexed one (new registrations)."""
        for listing in listings:
            if listing.id <= self.max_id or listing.disabled:
                self.max_id = max(self.max_id, listing.id)
                continue
            record = listing.account.casefold() + _FIELD + listing.nickname.casefold() + _RECORD
            self._position[listing.id] = len(self._ids)
            self._ids.append(listing.id)
            self._offsets.append(self._length)
            self._parts.append(record)
            self._length += len(record)
            if listing.phone:
                self._phones.setdefault(listing.phone, []).append(listing.id)
            self.max_id = listing.id
        self._text = "".join(self._parts)

    def phone_matches(self, query: str) -> list[int]:
        return list(self._phones.get(query.strip(), ()))

    def find(self, query: str) -> Iterator[int]:
        """Ids of users matching the query, ascending, each once."""
        phone_hits = sorted(set(self._phones.get(query.strip(), ())))
        return merge_unique(self.find_text(query), phone_hits)

    def _text_hits(self, needle: str) -> Iterator[int]:
        if not self._ids:
            return
        text, offsets, ids = self._text, self._offsets, self._ids
        position = text.find(needle)
        while position != -1:
            index = bisect_right(offsets, position) - 1
            yield ids[index]
            # One hit per user is enough: go on from the next record.
            following = offsets[index + 1] if index + 1 < len(offsets) else len(text)
            position = text.find(needle, following)


def merge_unique(*ascending: Iterable[int]) -> Iterator[int]:
    """Merge ascending streams of ids, each id once."""
    last = 0
    for user_id in heapq.merge(*ascending):
        if user_id != last:
            last = user_id
            yield user_id
