"""Settings kept on the server and synced to all of a user's devices (issue 12)."""

from __future__ import annotations

from typing import Any

from tidings.actions.context import Actor
from tidings.actions.publisher import Publisher
from tidings.config import Settings
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.user_settings import UserSettings, merge_changes, parse_settings
from tidings.limits import Limits
from tidings.store import codec
from tidings.store.user_settings import UserSettingsStore


class UserSettingsActions:
    def __init__(
        self,
        *,
        settings: Settings,
        store: UserSettingsStore,
        publisher: Publisher,
        limits: Limits,
    ) -> None:
        self._limits = limits
        self._max_bytes = settings.user_settings_max_bytes
        self._store = store
        self._publisher = publisher

    async def get(self, actor: Actor) -> dict[str, Any]:
        data, version = await self._store.get(actor.user_id)
        return {"settings": data, "version": version}

    async def do_update(
        self, actor: Actor, changes: dict[str, Any], version: int | None
    ) -> dict[str, Any]:
        """Merge ``changes`` (key by key) into the user's settings; every device hears
        ``settings_changed``. A ``version`` older than the stored one is ``conflict``."""
        await self._limits.hit("settings_update", actor.user_id)

        def change(current: dict[str, Any], stored_version: int) -> dict[str, Any]:
            if version is not None and version != stored_version:
                raise TidingsError(
                    ErrorCode.CONFLICT,
                    "the settings changed on another device; fetch them and try again",
                    details={"version": stored_version},
                )
            merged = merge_changes(current, changes)
            if len(codec.dumps(merged)) > self._max_bytes:
                raise TidingsError(
                    ErrorCode.PAYLOAD_TOO_LARGE,
                    f"settings may take at most {self._max_bytes} bytes",
                )
            return merged

        entry = await self._store.update(actor.user_id, change, now_ms())
        await self._publisher.private([entry])
        return entry.data

    async def of_users(self, user_ids: list[int]) -> dict[int, UserSettings]:
        """Several users' settings with the defaults filled in (for Web Push)."""
        stored = await self._store.many(user_ids)
        return {u: parse_settings(stored.get(u, {})) for u in user_ids}
