"""Request shapes of the settings kept on the server and of Web Push (issue 12)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from tidings.schemas import Input

Base64Url = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+=*$", max_length=128)]


class SettingsUpdateInput(Input):
    # Checked key by key by tidings.domain.user_settings (unknown keys and bad values are
    # ``invalid_input`` naming the field).
    changes: Annotated[dict[str, Any], Field(min_length=1, max_length=32)]
    # The version the client's change was made against; a newer one on the server is
    # ``conflict``. Leave it out to merge into whatever is there.
    version: Annotated[int, Field(ge=0, lt=2**63)] | None = None


class PushKeys(Input):
    # The browser's P-256 public key (65 bytes, uncompressed) and auth secret (16 bytes).
    p256dh: Base64Url
    auth: Base64Url


class PushSubscribeInput(Input):
    endpoint: Annotated[str, StringConstraints(min_length=8, max_length=2048)]
    keys: PushKeys


class PushUnsubscribeInput(Input):
    endpoint: Annotated[str, StringConstraints(min_length=8, max_length=2048)]


class SiteSettingsUpdateInput(Input):
    # Sections to change (modules, buttons, limits, branding), each an object of the keys to
    # change; checked by tidings.domain.site_settings (``invalid_input`` naming the field).
    # ``null`` for a key puts it back to its default.
    changes: Annotated[dict[str, Any], Field(min_length=1, max_length=4)]
    # The version the console loaded; a newer one on the server is ``conflict``. Leave it
    # out to change whatever is there.
    version: Annotated[int, Field(ge=0, lt=2**63)] | None = None
