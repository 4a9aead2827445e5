"""The main panel's search: beyond the chat list, people (friends, chat partners and the
organization, as ``contacts.search`` and ``org.search`` let this user see them), groups, and
messages (``messages.search``); a message found opens its chat at that message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tidings.desktop.viewmodels.conversations import title_of
from tidings.desktop.viewmodels.session import Session
from tidings.sdk import ServerError, highlighted

# Results asked of the server per kind: the panel is slim, a few of each is what fits.
LIMIT = 20


@dataclass(frozen=True)
class PersonFound:
    user_id: int
    name: str
    account: str
    friend: bool


@dataclass(frozen=True)
class GroupFound:
    conversation_id: int
    title: str


@dataclass(frozen=True)
class MessageFound:
    conversation_id: int
    seq: int
    chat_title: str
    sender_id: int
    snippet: str
    marked: list[str]
    created_at: int


class SearchViewModel:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.query = ""
        self.people: list[PersonFound] = []
        self.groups: list[GroupFound] = []
        self.messages: list[MessageFound] = []
        self.searching = False
        self.error = ""
        self._listeners: list[Callable[[], None]] = []
        # Each search counts: an answer to an older query than the newest is dropped.
        self._generation = 0

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _tell(self) -> None:
        for listener in list(self._listeners):
            listener()

    @property
    def empty(self) -> bool:
        return not (self.people or self.groups or self.messages)

    async def search(self, query: str) -> None:
        query = " ".join(query.split())
        self._generation += 1
        generation = self._generation
        self.query = query
        self.error = ""
        if not query:
            self.people, self.groups, self.messages = [], [], []
            self.searching = False
            self._tell()
            return
        self.groups = self._groups(query)
        self.searching = True
        self._tell()
        people = await self._people(query[:64])
        if generation != self._generation:
            return
        self.people = people
        self._tell()
        messages = await self._messages(query[:200])
        if generation != self._generation:
            return
        self.messages = messages
        self.searching = False
        self._tell()

    def _groups(self, query: str) -> list[GroupFound]:
        needle = query.lower()
        found = [
            GroupFound(conv.id, title_of(self.session, conv))
            for conv in self.session.state.conversations.values()
            if conv.type == "group"
        ]
        return sorted((g for g in found if needle in g.title.lower()), key=lambda g: g.title)

    async def _people(self, query: str) -> list[PersonFound]:
        cards: dict[int, dict[str, Any]] = {}
        for op in ("contacts.search", "org.search"):
            try:
                reply = await self.session.client.request(op, {"query": query, "limit": LIMIT})
            except ServerError as error:
                self.error = error.code
                continue
            for card in reply["users"]:
                cards.setdefault(int(card["id"]), card)
        friends = self.session.state.social.friends
        found: list[PersonFound] = []
        for user_id, card in cards.items():
            if user_id == self.session.user_id:
                continue
            self.session.people.setdefault(user_id, card)
            found.append(
                PersonFound(
                    user_id,
                    str(card.get("remark") or card.get("nickname") or card["account"]),
                    str(card["account"]),
                    bool(card.get("is_friend")) or user_id in friends,
                )
            )
        # Friends first, then by name.
        return sorted(found, key=lambda p: (not p.friend, p.name.lower()))

    async def _messages(self, query: str) -> list[MessageFound]:
        try:
            reply = await self.session.client.search_messages(query, limit=LIMIT)
        except ServerError as error:
            self.error = error.code
            return []
        found: list[MessageFound] = []
        for result in reply["results"]:
            conv = self.session.state.conversations.get(int(result["conversation_id"]))
            title = title_of(self.session, conv) if conv else f"#{result['conversation_id']}"
            found.append(
                MessageFound(
                    int(result["conversation_id"]),
                    int(result["seq"]),
                    title,
                    int(result["sender_id"]),
                    str(result["snippet"]),
                    highlighted(result),
                    int(result["created_at"]),
                )
            )
        return found

    async def open_person(self, user_id: int) -> int:
        """The direct chat with someone found (created on first use)."""
        summary = await self.session.client.request(
            "conversation.open_direct", {"peer_id": user_id}
        )
        self.session.state.conversation(int(summary["id"])).apply_summary(summary)
        self.session.touch()
        return int(summary["id"])
