"""What the tray shows and when a message pops up a notification.

The tray flashes while there are unread messages the user has not looked at since they came,
and its tooltip counts them. A message notifies unless something silences it, the same rules
as the web client's alerts and Web Push (docs/protocol.md "Settings kept on the server"): a
muted chat, a group in do-not-disturb view mode, the chat's own ``popup: false``,
notifications off, or a do-not-disturb schedule — an @-mention of me comes through mute and
view mode (and do-not-disturb when ``exceptions.mentions``), a starred contact through
do-not-disturb when ``exceptions.starred``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from tidings.desktop.viewmodels.conversations import describe, title_of, unread_of
from tidings.desktop.viewmodels.session import Session
from tidings.domain.user_settings import UserSettings, dnd_silences
from tidings.sdk import EntryReceived, SignedOut


@dataclass(frozen=True)
class Notification:
    conversation_id: int
    title: str
    text: str
    sound: bool


class AlertsViewModel:
    def __init__(self, session: Session, now_ms: Callable[[], int] | None = None) -> None:
        self.session = session
        self.unread = 0
        self.flashing = False
        # Chats in front of the user: their messages neither notify nor flash.
        self.visible_chats: set[int] = set()
        self.notifications: list[Notification] = []
        self.signed_out: str | None = None
        self._waiting_for_names: list[dict[str, Any]] = []
        self._now_ms = now_ms or (lambda: int(time.time() * 1000))
        self._listeners: list[Callable[[Notification | None], None]] = []
        self._stop = session.on(self._on_session)
        self._count()

    def on_change(self, listener: Callable[[Notification | None], None]) -> None:
        """Called with a notification to show, or None when only the counts changed."""
        self._listeners.append(listener)

    def dispose(self) -> None:
        self._stop()

    def seen(self) -> None:
        """The user opened the main panel or a chat: stop flashing."""
        self.flashing = False
        self._tell(None)

    def _on_session(self, what: Any) -> None:
        notification = None
        if isinstance(what, EntryReceived):
            sender = what.entry.get("sender_id")
            if sender is not None and sender not in self.session.people:
                # Shown once the sender's name is known (a moment later).
                self._waiting_for_names.append(what.entry)
                self.session.want_people([sender])
            else:
                notification = self.notification_for(what.entry)
        elif what == ("people",) and self._waiting_for_names:
            entries, self._waiting_for_names = self._waiting_for_names, []
            for entry in entries:
                self._on_session(EntryReceived(entry))
            return
        elif isinstance(what, SignedOut):
            self.signed_out = what.reason
        if notification is not None:
            self.notifications.append(notification)
        self._count()
        if notification is not None:
            self.flashing = True
        if self.unread == 0:
            self.flashing = False
        self._tell(notification)

    def _count(self) -> None:
        self.unread = sum(
            unread_of(self.session, conv)
            for conv in self.session.state.conversations.values()
            if not conv.muted
        )

    def _tell(self, notification: Notification | None) -> None:
        for listener in list(self._listeners):
            listener(notification)

    def notification_for(self, entry: dict[str, Any]) -> Notification | None:
        if entry["kind"] != "message" or entry.get("sender_id") == self.session.user_id:
            return None
        conv_id = int(entry["conversation_id"])
        conv = self.session.state.conversations.get(conv_id)
        if conv is None or conv_id in self.visible_chats:
            return None
        try:
            settings = UserSettings.model_validate(self.session.state.social.settings)
        except ValidationError:
            settings = UserSettings()
        if not settings.notifications.enabled:
            return None
        body = entry.get("body") or {}
        mentions_me = self.session.user_id in (body.get("mentions") or []) or bool(
            body.get("mention_all")
        )
        choice = settings.choice(conv_id)
        view_mode = self.session.state.social.view_modes.get(conv_id, "all")
        if not mentions_me and (conv.muted or not choice.popup or view_mode != "all"):
            return None
        if dnd_silences(
            settings, self._now_ms(), sender_id=entry.get("sender_id"), mentions_me=mentions_me
        ):
            return None
        title = title_of(self.session, conv)
        text = describe(self.session, entry) if settings.notifications.preview else ""
        if conv.type == "group" and text:
            text = f"{self.session.name_of(entry.get('sender_id'))}: {text}"
        return Notification(
            conv_id, title, text, sound=settings.notifications.sound and choice.sound
        )
