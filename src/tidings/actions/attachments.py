"""Files in messages: checking a message's file before it is sent, remembering where files
were sent (that is what lets members read them), and a conversation's file list (E10)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from tidings.actions.context import Actor
from tidings.actions.files import Files
from tidings.actions.rosters import RosterCache
from tidings.domain.bodies import MessageType, record_file_ids
from tidings.domain.clock import now_ms
from tidings.domain.entries import Entry, EntryKind
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.files import ATTACHMENT_KINDS, FileKind, StoredFile
from tidings.store.files import FileRef, FileStore

_STICKER_MAX_PIXELS = 4096
Body = TypeVar("Body", bound=BaseModel)


class Attachments:
    def __init__(self, *, files: Files, store: FileStore, rosters: RosterCache) -> None:
        self._files = files
        self._store = store
        self._rosters = rosters

    async def check_attachments(self, actor: Actor, message_type: MessageType, body: Body) -> Body:
        """The body to store for a message carrying a file: the file must be complete, not
        expired, of a kind the message type takes, and readable by the sender (their own
        upload, or one they received and send on). What the server knows about the file
        (size, dimensions, duration, expiry) replaces what the client said."""
        kinds = ATTACHMENT_KINDS.get(message_type.value)
        if kinds is None:
            return body
        file_id: str = getattr(body, "file_id")  # noqa: B009 - every attachment body has one
        file = await self._attachable(actor, file_id, kinds, message_type)
        facts: dict[str, Any] = {"size": file.size, "expires_at": file.expires_at}
        if message_type is MessageType.FILE:
            facts.update(name=file.name, mime=file.mime or None)
        for name in ("width", "height", "duration_ms"):
            value = getattr(file, name)
            if value is not None:
                facts[name] = value
        if message_type is MessageType.STICKER and max(file.width or 0, file.height or 0) > (
            _STICKER_MAX_PIXELS
        ):
            raise TidingsError(ErrorCode.INVALID_INPUT, "stickers are at most 4096 pixels")
        poster_id = getattr(body, "poster_file_id", None)
        if poster_id is not None:
            await self._attachable(actor, poster_id, frozenset({FileKind.IMAGE}), "poster")
        fields = type(body).model_fields
        return body.model_copy(update={k: v for k, v in facts.items() if k in fields})

    async def do_record_attachments(self, entries: list[Entry]) -> None:
        """Remember the entries that carry files. Called after the append and before the
        acknowledgement: a sender retries until acknowledged, and a retry records again, so
        no acknowledged message is left without its record."""
        refs: list[FileRef] = []
        for entry in entries:
            if entry.kind is not EntryKind.MESSAGE or entry.sender_id is None:
                continue
            for key, is_poster in (("file_id", False), ("poster_file_id", True)):
                file_id = entry.body.get(key)
                if isinstance(file_id, str):
                    refs.append(
                        FileRef(
                            entry.conversation_id,
                            entry.seq,
                            file_id,
                            entry.sender_id,
                            is_poster,
                            entry.created_at,
                        )
                    )
            if entry.type == MessageType.CHAT_RECORD.value:
                # Files inside a chat record: readable by those who see the record (as a
                # poster is), not listed among the files sent in this conversation.
                refs.extend(
                    FileRef(
                        entry.conversation_id,
                        entry.seq,
                        file_id,
                        entry.sender_id,
                        True,
                        entry.created_at,
                    )
                    for file_id in record_file_ids(entry.body)
                )
        await self._store.record_refs(refs)

    async def conversation_files(
        self,
        actor: Actor,
        conversation_id: int,
        *,
        kind: FileKind | None,
        since: int | None,
        until: int | None,
        before_seq: int | None,
        limit: int,
    ) -> dict[str, Any]:
        """Files sent in a conversation that the member can see, newest first."""
        roster = await self._rosters.access(conversation_id, actor.user_id)
        sent = await self._store.conversation_files(
            conversation_id=conversation_id,
            visible_from_seq=roster.members[actor.user_id].visible_from_seq,
            kind=kind,
            since=since,
            until=until,
            before_seq=before_seq,
            limit=max(1, min(limit, 200)),
        )
        now = now_ms()
        return {
            "conversation_id": conversation_id,
            "files": [
                {
                    "seq": s.seq,
                    "sender_id": s.sender_id,
                    "sent_at": s.sent_at,
                    **s.file.to_wire(now),
                }
                for s in sent
            ],
        }

    async def _attachable(
        self, actor: Actor, file_id: str, kinds: frozenset[FileKind], what: str
    ) -> StoredFile:
        file = await self._files.access_file(actor.user_id, file_id)
        if file.kind not in kinds:
            raise TidingsError(
                ErrorCode.WRONG_FILE_KIND, f"file {file_id} is a {file.kind.value}, not a {what}"
            )
        return file
