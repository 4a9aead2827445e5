"""Chat records (合并转发, decision 0035): several messages merged into one card of copies.

The server builds the card from entries the forwarder may read; what a client says about
others' messages is never taken. Copies carry the sender's name and avatar as they were, so
recipients outside the source conversation can read the record.
"""

from __future__ import annotations

from typing import Any

import orjson

from tidings.domain.bodies import MessageType, body_to_wire, parse_body
from tidings.domain.entries import Entry, EntryKind
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.store.accounts import AccountStore

# A record is stored and pushed whole: nested records could otherwise multiply 100 items
# by 100 by 100. One megabyte is far above any readable record.
MAX_RECORD_BYTES = 1_000_000
DEFAULT_TITLE = "Chat history"


class ChatRecords:
    def __init__(self, *, accounts: AccountStore, max_text_chars: int) -> None:
        self._accounts = accounts
        self._max_text_chars = max_text_chars

    async def build(
        self, *, sender_id: int, originals: list[Entry], title: str | None, now: int
    ) -> Entry:
        """One unsent chat_record message holding copies of ``originals`` (in seq order)."""
        ordered = sorted(originals, key=lambda e: e.seq)
        people = await self._accounts.users(
            sorted({e.sender_id for e in ordered if e.sender_id is not None})
        )
        items: list[dict[str, Any]] = []
        for entry in ordered:
            person = people.get(entry.sender_id or 0)
            items.append(
                {
                    "sender_id": entry.sender_id,
                    "sender_name": (person.nickname or person.account)[:100] if person else "",
                    "sender_avatar": person.avatar if person else "",
                    "sent_at": entry.created_at,
                    "type": entry.type,
                    "body": entry.body,
                }
            )
        raw = {"title": (title or "").strip() or DEFAULT_TITLE, "items": items}
        if len(orjson.dumps(raw)) > MAX_RECORD_BYTES:
            raise TidingsError(
                ErrorCode.PAYLOAD_TOO_LARGE, "these messages are too large to merge into a record"
            )
        # The same strict validation as any body: depth, counts, every copy's own shape.
        _, body = parse_body(
            MessageType.CHAT_RECORD.value, raw, max_text_chars=self._max_text_chars
        )
        return Entry(
            id=0,
            conversation_id=0,
            seq=0,
            sender_id=sender_id,
            kind=EntryKind.MESSAGE,
            type=MessageType.CHAT_RECORD.value,
            body=body_to_wire(body),
            client_msg_id=None,
            created_at=now,
            reply_to_seq=None,
            recalled=False,
        )
