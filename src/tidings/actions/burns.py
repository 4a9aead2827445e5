"""Burn after reading in direct chats (PRODUCT.md D10, decision 0038).

The recipient opens a burn message (``do_open``); when its countdown ends the sweep wipes it
for both sides: the stored body, the files it carried, and every device's copy (clients fold
the ``burned`` entry). The sweep runs on every node and reads the durable ``burn_at``, so a
restart or a reader who went away does not keep a message alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from tidings.actions.context import Actor
from tidings.actions.files import Files
from tidings.actions.publisher import Publisher
from tidings.actions.rosters import RosterCache
from tidings.config import Settings
from tidings.domain.bodies import MessageBody, MessageType
from tidings.domain.burn import BURNABLE, countdown_ms, is_burn
from tidings.domain.clock import now_ms
from tidings.domain.conversations import ConversationType, Roster
from tidings.domain.entries import Entry, EntryKind
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.store.burns import BurnStore
from tidings.store.conversations import ConversationStore
from tidings.store.files import FileStore

logger = logging.getLogger(__name__)
_SWEEP_BATCH = 200


def refuse_burn_message(entry: Entry, what: str) -> None:
    """Forwarding, quoting and saving a burn message are refused (``burn_after_reading``)."""
    if entry.kind is EntryKind.MESSAGE and is_burn(entry.body):
        raise TidingsError(
            ErrorCode.BURN_AFTER_READING,
            f"a burn-after-reading message cannot be {what}",
            details={"seq": entry.seq},
        )


class Burns:
    def __init__(
        self,
        *,
        settings: Settings,
        store: BurnStore,
        conversations: ConversationStore,
        rosters: RosterCache,
        publisher: Publisher,
        files: Files,
        file_store: FileStore,
    ) -> None:
        self._settings = settings
        self._store = store
        self._conversations = conversations
        self._rosters = rosters
        self._publisher = publisher
        self._files = files
        self._file_store = file_store
        # (conversation, user) -> (roster_version, mode on): a mode change moves the
        # conversation's roster_version on, so an entry read under another version is stale.
        self._modes: dict[tuple[int, int], tuple[int, bool]] = {}
        self._task: asyncio.Task[None] | None = None

    # Sending

    async def check_send(
        self, actor: Actor, roster: Roster, message_type: MessageType, body: MessageBody
    ) -> MessageBody:
        """The body as it is to be stored: marked to burn when the sender's burn mode is on
        in this direct chat; refused when it asks to burn where it cannot."""
        if roster.type is not ConversationType.DIRECT:
            if body.burn:
                raise TidingsError(
                    ErrorCode.BURN_DIRECT_ONLY, "burn after reading is for direct chats only"
                )
            return body
        if body.burn:
            if message_type not in BURNABLE:
                raise TidingsError(
                    ErrorCode.INVALID_INPUT,
                    "burn after reading is for text, images, voice, video and files",
                )
            return body
        if message_type in BURNABLE and await self._mode_on(roster, actor.user_id):
            return body.model_copy(update={"burn": True})
        return body

    async def _mode_on(self, roster: Roster, user_id: int) -> bool:
        key = (roster.conversation_id, user_id)
        cached = self._modes.get(key)
        if cached is not None and cached[0] == roster.version:
            return cached[1]
        enabled = user_id in await self._store.mode_users(roster.conversation_id)
        if len(self._modes) > 50_000:
            self._modes.clear()
        self._modes[key] = (roster.version, enabled)
        return enabled

    # Opening

    async def do_open(self, actor: Actor, *, conversation_id: int, seq: int) -> dict[str, Any]:
        """The recipient opened a burn message: its countdown starts (once; again returns
        the same times)."""
        roster = await self._direct(actor, conversation_id)
        member = roster.members[actor.user_id]
        entry = await self._conversations.entry(conversation_id, seq)
        if entry is None or seq < member.visible_from_seq or entry.kind is not EntryKind.MESSAGE:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such message")
        if entry.sender_id == actor.user_id:
            raise TidingsError(ErrorCode.FORBIDDEN, "only the recipient's opening burns a message")
        already = await self._store.opened(conversation_id, seq)
        if already is not None:
            return already.to_wire()
        if entry.recalled:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such message")
        if not is_burn(entry.body):
            raise TidingsError(ErrorCode.INVALID_INPUT, "this message does not burn after reading")
        result = await self._store.open(
            conversation_id=conversation_id,
            seq=seq,
            reader_id=actor.user_id,
            now=now_ms(),
            countdown_ms=countdown_ms(
                entry.type,
                entry.body,
                text_seconds=self._settings.burn_text_seconds,
                media_seconds=self._settings.burn_media_seconds,
            ),
        )
        if result is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such message")
        opened, appended = result
        if appended is not None:
            await self._publisher.entry_to_members(appended, roster)
        return opened.to_wire()

    # The per-chat mode

    async def do_set_mode(
        self, actor: Actor, *, conversation_id: int, enabled: bool
    ) -> dict[str, Any]:
        roster = await self._direct(actor, conversation_id)
        entry = await self._store.set_mode(
            conversation_id=conversation_id, user_id=actor.user_id, enabled=enabled, now=now_ms()
        )
        if entry is not None:
            self._rosters.invalidate(conversation_id)
            await self._publisher.roster_changed(conversation_id)
            await self._publisher.entry_to_members(entry, roster)
        return await self.mode(actor, conversation_id=conversation_id)

    async def mode(self, actor: Actor, *, conversation_id: int) -> dict[str, Any]:
        await self._direct(actor, conversation_id)
        return {
            "conversation_id": conversation_id,
            "enabled_by": await self._store.mode_users(conversation_id),
        }

    async def _direct(self, actor: Actor, conversation_id: int) -> Roster:
        roster = await self._rosters.access(conversation_id, actor.user_id)
        if roster.type is not ConversationType.DIRECT:
            raise TidingsError(
                ErrorCode.BURN_DIRECT_ONLY, "burn after reading is for direct chats only"
            )
        return roster

    # Wiping

    async def sweep_once(self) -> int:
        """Wipe every opened message whose time has come; how many were wiped."""
        wiped = 0
        for conversation_id, seq in await self._store.due(now_ms(), _SWEEP_BATCH):
            if await self._burn(conversation_id, seq):
                wiped += 1
        return wiped

    async def _burn(self, conversation_id: int, seq: int) -> bool:
        burned = await self._store.burn(conversation_id=conversation_id, seq=seq, now=now_ms())
        if burned is None or burned.entry is None:
            return False
        roster = await self._rosters.get(conversation_id)
        if roster is not None:
            await self._publisher.entry_to_members(burned.entry, roster)
        for file_id in burned.file_ids:
            if await self._store.file_still_used(file_id):
                continue
            file = await self._file_store.get(file_id)
            if file is not None:
                await self._files.purge(file)
        return True

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="burn-sweep")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep_once()
            except Exception:
                logger.exception("burn sweep failed; trying again")
            await asyncio.sleep(self._settings.burn_sweep_seconds)
