"""Site settings (K4, I10; decision 0057): read, changed by administrators, applied live.

Every node keeps the settings in force in memory (``current``): enforcement (``require``,
``require_message_type``) and the limits read it, never the database. A change is written
with its audit entry in one transaction, applied on the node that made it, then published
on the bus (``SiteSettingsChanged``, carrying the stored document): every other node applies
it when the message arrives, and each node pushes ``site_settings_changed`` to every
connection it holds. After a bus gap a node reads the settings again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from tidings.actions.admin_gate import AdminGate
from tidings.actions.context import Actor
from tidings.bus.base import Bus
from tidings.bus.messages import BusGap, BusMessage, SiteSettingsChanged
from tidings.config import Settings
from tidings.domain import events
from tidings.domain.admin import AdminPower
from tidings.domain.bodies import MessageBody, MessageType
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.files import FileKind
from tidings.domain.origins import allowed_set
from tidings.domain.site_settings import (
    SiteSettings,
    changed_keys,
    configured_defaults,
    effective,
    merge_changes,
)
from tidings.store import codec
from tidings.store.files import FileStore
from tidings.store.organization import OrgStore
from tidings.store.site_settings import SiteSettingsStore

logger = logging.getLogger(__name__)

# The module a message type needs (types absent here need none).
MESSAGE_MODULES: dict[MessageType, str] = {
    MessageType.FILE: "file_sending",
    MessageType.IMAGE: "image_sending",
    MessageType.VOICE: "voice_messages",
    MessageType.VIDEO: "video_messages",
    MessageType.LOCATION: "location",
    MessageType.STICKER: "stickers",
    MessageType.CONTACT_CARD: "contact_cards",
}
BRANDING_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
# The logo is small wherever it shows; the sign-in background fills a screen.
BRANDING_IMAGE_MAX_BYTES = {"logo": 2 * 1024 * 1024, "sign_in_background": 8 * 1024 * 1024}


class SiteSettingsActions:
    def __init__(
        self,
        *,
        settings: Settings,
        store: SiteSettingsStore,
        files: FileStore,
        bus: Bus,
        gate: AdminGate,
        org: OrgStore,
    ) -> None:
        self._org = org
        self._store = store
        self._files = files
        self._bus = bus
        self._gate = gate
        self._max_file_bytes = settings.max_file_bytes
        self._defaults = configured_defaults(
            recall_window_seconds=settings.recall_window_seconds,
            group_size_limit=settings.group_size_limit,
            max_file_bytes=settings.max_file_bytes,
            allowed_origins=settings.configured_origins,
        )
        self._stored: dict[str, Any] = {}
        self.version = 0
        self.current: SiteSettings = effective({}, self._defaults)
        # Pages of these origins may use the server cross-origin (the CORS middleware and the
        # WebSocket handshake read it on every request: a set, made once per change).
        self.allowed_origins: frozenset[str] = allowed_set(self.current.cors.allowed_origins)
        # Told of every change this node applies (the container pushes it to every
        # connection the node holds); must not block.
        self.listeners: list[Callable[[str], None]] = []
        self._reloading: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.reload()

    async def reload(self) -> None:
        stored, version = await self._store.get()
        self._apply(stored, version)

    # Enforcement (hot paths: memory only)

    def require(self, module: str) -> None:
        """``feature_disabled`` unless the module is on."""
        if not getattr(self.current.modules, module):
            raise TidingsError(
                ErrorCode.FEATURE_DISABLED,
                f"{module.replace('_', ' ')} is turned off on this server",
                details={"module": module},
            )

    def require_message_type(self, message_type: MessageType, body: MessageBody) -> None:
        module = MESSAGE_MODULES.get(message_type)
        if module is not None:
            self.require(module)
        if body.burn:
            self.require("burn_after_reading")

    @property
    def recall_window_seconds(self) -> int:
        return self.current.limits.recall_window_seconds

    @property
    def group_size_limit(self) -> int:
        return self.current.limits.group_size_limit

    @property
    def max_file_bytes(self) -> int:
        # Never past the configured ceiling, even if the operator lowered it after an
        # administrator set the limit.
        return min(self.current.limits.max_file_bytes, self._max_file_bytes)

    async def require_unless_admin(self, actor: Actor, module: str) -> None:
        """``require``, but server admins (super and org admins) pass: the module is about
        members (creating groups), or the admins need it for their work (uploading the
        table of a user import). Asks the database only when the module is off."""
        if getattr(self.current.modules, module) or await self._org.is_admin(actor.user_id):
            return
        self.require(module)

    async def check_upload(self, actor: Actor, kind: FileKind) -> None:
        """Uploads of plain files need file sending (images, voice and video are also
        avatars, stickers and the like: their messages are checked when sent); admins may
        still upload the tables they import."""
        if kind is FileKind.FILE:
            await self.require_unless_admin(actor, "file_sending")

    # Reading

    def public(self) -> dict[str, Any]:
        """What anyone may read, before signing in too: the whole document (nothing in it is
        secret) and its version."""
        return {"version": self.version, "settings": self.current.model_dump(mode="json")}

    async def get(self, actor: Actor) -> dict[str, Any]:
        """The console's view: the settings in force, which keys were changed from their
        defaults, and the configured ceilings."""
        await self._gate.require(actor, AdminPower.SETTINGS)
        stored, version = await self._store.get()
        return {
            "version": version,
            "settings": effective(stored, self._defaults).model_dump(mode="json"),
            "changed": {section: sorted(keys) for section, keys in stored.items()},
            "defaults": self._defaults,
        }

    async def branding_image(self, file_id: str) -> tuple[str, int, str]:
        """The storage key, size and type of the logo or the sign-in background, served to
        anyone; ``not_found`` for any other file."""
        branding = self.current.branding
        if f"file:{file_id}" not in (branding.logo, branding.sign_in_background):
            raise TidingsError(ErrorCode.NOT_FOUND, "no such image")
        file = await self._files.get(file_id)
        if file is None or not file.complete:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such image")
        return file.id, file.size, file.mime

    # Changing

    async def do_update(
        self, actor: Actor, changes: dict[str, Any], version: int | None
    ) -> dict[str, Any]:
        """Merge ``changes`` (section by section) into the settings; a ``version`` other than
        the stored one is ``conflict``. One audit entry lists the changed keys with their old
        and new values. Applied on this node at once, on the others through the bus."""
        await self._gate.require(actor, AdminPower.SETTINGS)
        stored, stored_version = await self._store.get()
        if version is not None and version != stored_version:
            raise _conflict(stored_version)
        before = effective(stored, self._defaults)
        new_stored, after = merge_changes(stored, changes, self._defaults)
        if after.limits.max_file_bytes > self._max_file_bytes:
            raise TidingsError(
                ErrorCode.INVALID_INPUT,
                "changes.limits.max_file_bytes: at most the configured"
                f" TIDINGS_MAX_FILE_BYTES ({self._max_file_bytes})",
                details=[{"loc": ["changes", "limits", "max_file_bytes"], "msg": "too large"}],
            )
        for field in ("logo", "sign_in_background"):
            new = getattr(after.branding, field)
            if new and new != getattr(before.branding, field):
                await self._check_branding_image(actor, field, new)
        diff = changed_keys(before, after)

        def change(current: dict[str, Any], current_version: int) -> dict[str, Any]:
            if current_version != stored_version:
                raise _conflict(current_version)
            return new_stored

        async with self._gate.act(
            actor,
            AdminPower.SETTINGS,
            "settings.update",
            target_type="settings",
            details={"changes": diff},
        ):
            saved, new_version = await self._store.update(change, now_ms())
        self._apply(saved, new_version)
        await self._bus.publish(SiteSettingsChanged(new_version, codec.dumps(saved)))
        return {**self.public(), "changed": sorted(diff)}

    async def _check_branding_image(self, actor: Actor, field: str, ref: str) -> None:
        where = f"changes.branding.{field}"
        file = await self._files.get(ref.removeprefix("file:"))
        if file is None or file.uploader_id != actor.user_id:
            raise _bad_image(field, f"{where}: not a file you uploaded")
        if not file.complete:
            raise _bad_image(field, f"{where}: the upload is not finished")
        if file.kind is not FileKind.IMAGE or file.mime not in BRANDING_IMAGE_TYPES:
            raise _bad_image(field, f"{where}: a PNG, JPEG or WebP image")
        limit = BRANDING_IMAGE_MAX_BYTES[field]
        if file.size > limit:
            raise _bad_image(field, f"{where}: at most {limit // (1024 * 1024)} MiB")
        if file.expiry_days is not None:
            raise _bad_image(field, f"{where}: a file that never expires")

    # Live

    def on_bus(self, message: BusMessage) -> None:
        if isinstance(message, SiteSettingsChanged):
            if message.version > self.version:
                self._apply(codec.loads(message.document), message.version)
        elif isinstance(message, BusGap) and self._reloading is None:
            # A change may have been missed: read the settings again.
            self._reloading = asyncio.get_running_loop().create_task(self._reload_after_gap())

    async def _reload_after_gap(self) -> None:
        try:
            await self.reload()
        except Exception:
            logger.exception("could not read the site settings again after a bus gap")
        finally:
            self._reloading = None

    def _apply(self, stored: dict[str, Any], version: int) -> None:
        if version <= self.version and version != 0:
            return
        try:
            settings = effective(stored, self._defaults)
        except TidingsError:
            # Written by a newer node with keys this one does not know: keep what we have.
            logger.exception("site settings version %d not understood here", version)
            return
        self._stored, self.version, self.current = stored, version, settings
        self.allowed_origins = allowed_set(settings.cors.allowed_origins)
        frame = events.site_settings_frame(self.public())
        for listener in self.listeners:
            listener(frame)


def _conflict(version: int) -> TidingsError:
    return TidingsError(
        ErrorCode.CONFLICT,
        "the settings were changed meanwhile; load them again and retry",
        details={"version": version},
    )


def _bad_image(field: str, message: str) -> TidingsError:
    return TidingsError(
        ErrorCode.INVALID_INPUT,
        message,
        details=[{"loc": ["changes", "branding", field], "msg": message.split(": ", 1)[1]}],
    )
