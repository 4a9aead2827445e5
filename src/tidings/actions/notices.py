"""System notices: the system posts into a user's system-notice conversation (PRODUCT.md D1)."""

from __future__ import annotations

from tidings.actions.publisher import Publisher
from tidings.domain.bodies import MessageType, NoticeBody, body_to_wire
from tidings.domain.clock import now_ms
from tidings.domain.entries import Entry, EntryKind, NewEntry
from tidings.store.log_writer import LogWriter


class Notices:
    def __init__(self, *, writer: LogWriter, publisher: Publisher) -> None:
        self._writer = writer
        self._publisher = publisher

    async def do_post_notice(
        self,
        system_conversation_id: int,
        user_id: int,
        *,
        title: str,
        text: str = "",
        url: str | None = None,
    ) -> Entry:
        body = NoticeBody.model_validate({"title": title, "text": text, "url": url}, strict=False)
        appended = await self._writer.append(
            NewEntry(
                conversation_id=system_conversation_id,
                sender_id=None,
                kind=EntryKind.MESSAGE,
                type=MessageType.NOTICE.value,
                body=body_to_wire(body),
                client_msg_id=None,
                created_at=now_ms(),
            )
        )
        await self._publisher.entry(appended.entry, (user_id,))
        return appended.entry

    async def do_post_sign_in_notice(
        self,
        system_conversation_id: int,
        user_id: int,
        *,
        device: str,
        ip: str,
        new_device: bool,
        new_place: bool,
    ) -> Entry:
        """A security notice (PRODUCT.md A5): the account was signed in to from a device or a
        network (/24, /48) it was not signed in from before."""
        what = " and ".join(
            w for w, on in (("a new device", new_device), ("a new place", new_place)) if on
        )
        return await self.do_post_notice(
            system_conversation_id,
            user_id,
            title="New sign-in to your account",
            text=(
                f"Your account was signed in to from {what}: {device}, address {ip or 'unknown'}. "
                "If this was not you, change your password now and sign out that session "
                "under Settings, Security."
            ),
        )
