"""Favorite files: a user's own list of saved files, independent of chat history (F5);
and favourites of any message (issue 12, below).

Saving needs the right to read the file at that moment; afterwards the favorite itself is
that right, so leaving the conversation or clearing history does not lose a saved file.
"""

from __future__ import annotations

from typing import Any

from tidings.actions.burns import refuse_burn_message
from tidings.actions.context import Actor
from tidings.actions.files import Files
from tidings.actions.messages import Messages
from tidings.actions.publisher import Publisher
from tidings.actions.rosters import RosterCache
from tidings.actions.site_settings import SiteSettingsActions
from tidings.config import Settings
from tidings.domain.bodies import MessageType, record_file_ids
from tidings.domain.clock import now_ms
from tidings.domain.entries import Entry, EntryKind
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.favorites import FAVORITE_FILTERS, FavoriteMessage, search_text
from tidings.store.accounts import AccountStore
from tidings.store.burns import BurnStore
from tidings.store.conversations import ConversationStore
from tidings.store.favorites import FavoritesFull, FavoriteStore
from tidings.store.files import FileStore


class FavoriteFiles:
    def __init__(
        self, *, files: Files, store: FileStore, burns: BurnStore, site: SiteSettingsActions
    ) -> None:
        self._site = site
        self._files = files
        self._store = store
        self._burns = burns

    async def do_add(self, actor: Actor, file_id: str) -> dict[str, Any]:
        self._site.require("favorites")
        file = await self._files.access_file(actor.user_id, file_id)
        if await self._burns.carried_by_burn_message(file.id):
            # Saving would keep what burns after reading (decision 0038).
            raise TidingsError(
                ErrorCode.BURN_AFTER_READING, "a burn-after-reading message's file cannot be saved"
            )
        now = now_ms()
        await self._store.add_favorite(actor.user_id, file.id, now)
        return {"saved_at": now, **file.to_wire(now)}

    async def do_remove(self, actor: Actor, file_id: str) -> None:
        if not await self._store.remove_favorite(actor.user_id, file_id):
            raise TidingsError(ErrorCode.NOT_FOUND, "this file is not among your favorites")

    async def list(self, actor: Actor, *, before: int | None, limit: int) -> dict[str, Any]:
        saved = await self._store.favorites(
            actor.user_id, before=before, limit=max(1, min(limit, 200))
        )
        now = now_ms()
        return {"files": [{"saved_at": at, **file.to_wire(now)} for at, file in saved]}


class FavoriteMessages:
    """Favourites of any message (decision 0036): the user's own copy of it, kept when the
    source is deleted for them, cleared or recalled; the files it carries stay readable to
    them. Every device hears of each change through the private log."""

    def __init__(
        self,
        *,
        settings: Settings,
        store: FavoriteStore,
        conversations: ConversationStore,
        accounts: AccountStore,
        rosters: RosterCache,
        publisher: Publisher,
        messages: Messages,
        site: SiteSettingsActions,
    ) -> None:
        self._site = site
        self._settings = settings
        self._store = store
        self._conversations = conversations
        self._accounts = accounts
        self._rosters = rosters
        self._publisher = publisher
        self._messages = messages

    async def do_add(self, actor: Actor, *, conversation_id: int, seq: int) -> dict[str, Any]:
        """Save a message the actor can see; saving it again returns the first favourite."""
        self._site.require("favorites")
        roster = await self._rosters.access(conversation_id, actor.user_id)
        view = await self._conversations.member_view(conversation_id, actor.user_id)
        entry = await self._conversations.entry(conversation_id, seq)
        if (
            view is None
            or entry is None
            or seq < roster.members[actor.user_id].visible_from_seq
            or seq <= view.cleared_seq
            or entry.kind is not EntryKind.MESSAGE
            or entry.recalled
        ):
            raise TidingsError(ErrorCode.NOT_FOUND, "no such message to save")
        refuse_burn_message(entry, "saved")
        sender = await self._accounts.user(entry.sender_id) if entry.sender_id else None
        copy = FavoriteMessage(
            id=0,
            user_id=actor.user_id,
            conversation_id=conversation_id,
            seq=seq,
            sender_id=entry.sender_id,
            sender_name=(sender.nickname or sender.account)[:100] if sender else "",
            sent_at=entry.created_at,
            type=entry.type or "",
            body=entry.body,
            created_at=0,
        )
        files = [
            value
            for key in ("file_id", "poster_file_id")
            if isinstance(value := entry.body.get(key), str)
        ]
        if entry.type == MessageType.CHAT_RECORD.value:
            files += record_file_ids(entry.body)
        try:
            saved, private = await self._store.add(
                favorite=copy,
                search_text=search_text(copy.type, copy.body),
                file_ids=list(dict.fromkeys(files)),
                max_count=self._settings.max_favorites,
                now=now_ms(),
            )
        except FavoritesFull:
            raise TidingsError(
                ErrorCode.FAVORITES_FULL,
                f"you keep {self._settings.max_favorites} favourites already; remove some first",
            ) from None
        if private is not None:
            # To this connection too: a favourites page open here follows the same way.
            await self._publisher.private([private])
        return saved.to_wire()

    async def do_remove(self, actor: Actor, favorite_id: int) -> None:
        private = await self._store.remove(actor.user_id, favorite_id, now_ms())
        if private is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "this is not among your favourites")
        await self._publisher.private([private])

    async def page(
        self,
        actor: Actor,
        *,
        before_id: int | None,
        limit: int,
        category: str | None,
        query: str | None,
    ) -> dict[str, Any]:
        """The newest first; ``category`` a key of FAVORITE_FILTERS, ``query`` words that
        must all appear (in the text, file name, place, card or record lines)."""
        types = None
        if category is not None:
            types = FAVORITE_FILTERS.get(category)
            if types is None:
                raise TidingsError(ErrorCode.INVALID_INPUT, f"unknown category {category[:40]!r}")
        words = (query or "").lower().split()[:10]
        saved = await self._store.page(
            actor.user_id,
            before_id=before_id,
            limit=max(1, min(limit, 200)),
            types=types,
            words=words,
        )
        return {"favorites": [f.to_wire() for f in saved]}

    async def do_send(
        self,
        actor: Actor,
        *,
        favorite_id: int,
        target_ids: list[int],
        client_msg_id: str,
        note: str | None = None,
    ) -> list[Entry]:
        """Send a favourite's copy into conversations, as a forward of it."""
        favorite = await self._store.get(actor.user_id, favorite_id)
        if favorite is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "this is not among your favourites")
        if favorite.type == MessageType.NOTICE.value:
            raise TidingsError(ErrorCode.FORBIDDEN, "only the system posts notices")
        original = Entry(
            id=0,
            conversation_id=favorite.conversation_id,
            seq=favorite.seq,
            sender_id=actor.user_id,
            kind=EntryKind.MESSAGE,
            type=favorite.type,
            body=favorite.body,
            client_msg_id=None,
            created_at=now_ms(),
            reply_to_seq=None,
            recalled=False,
        )
        return await self._messages.do_forward_entries(
            actor,
            originals=[original],
            target_ids=target_ids,
            note=note,
            client_msg_id=client_msg_id,
        )
