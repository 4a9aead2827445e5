"""Site settings (PRODUCT.md K4, I10): what a server administrator switches for everyone.

Feature modules on or off, the entries the client shows, limits that used to be start-up
configuration (the recall window, the group size limit, the largest file) and the brand
(product name, logo, colour, sign-in page), and the origins whose pages may use the server
cross-origin (decision 0063). Not to be confused with a user's own settings
(tidings.domain.user_settings), which follow one person across devices.

Stored as one sparse JSON document with a version (decision 0057): a key the administrator
never changed is absent and takes its default, and the defaults of the limits come from the
server's configuration (``TIDINGS_RECALL_WINDOW_SECONDS`` ...), so an existing deployment
keeps behaving as configured until someone changes a limit in the console; the allowed
origins' default is ``TIDINGS_ALLOWED_ORIGINS`` likewise. A change merges
section by section (``{"modules": {"recall": false}}`` leaves the other modules alone),
then the whole document is validated.

Nothing here is secret: every node and every client, even before sign-in, gets the whole
document (``GET /api/v1/public/settings``, the ``site_settings_changed`` push).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.origins import normalise_origins

# The sections a change merges into one level deep.
SECTIONS = ("modules", "buttons", "limits", "branding", "cors")
# The defaults of the keys that come from the server's configuration, by section.
Defaults = dict[str, dict[str, Any]]
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# ``file:<id>`` of an image an administrator uploaded (checked by the action), or empty.
ImageRef = Annotated[str, StringConstraints(pattern=r"^(|file:[A-Za-z0-9_-]{1,64})$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SiteModules(_Strict):
    """Feature modules. The server refuses what is off with ``feature_disabled``; the client
    hides its entry points."""

    file_sending: bool = True
    image_sending: bool = True
    voice_messages: bool = True
    video_messages: bool = True
    location: bool = True
    stickers: bool = True
    contact_cards: bool = True
    recall: bool = True
    burn_after_reading: bool = True
    favorites: bool = True
    # Members (not server administrators) may create groups.
    group_creation_by_members: bool = True
    friend_requests: bool = True
    # One-to-one calls (decision 0074): call.start refuses a call of a kind turned off.
    voice_calls: bool = True
    video_calls: bool = True


class SiteButtons(_Strict):
    """Entries the client shows. Hiding one does not forbid what it does (a module does)."""

    # The composer's "+" panel.
    plus_media: bool = True
    plus_file: bool = True
    plus_screenshot: bool = True
    plus_voice: bool = True
    plus_location: bool = True
    plus_contact: bool = True
    plus_sticker: bool = True
    # The Contacts tab: "Add friend" on a person's card, the button of a new contact group
    # (the folders friends are sorted in), the organization tree.
    contacts_add_friend: bool = True
    contacts_new_group: bool = True
    contacts_organization: bool = True
    # The Me tab's entries (in the wide layout the rail's): Favourites.
    me_favorites: bool = True


class SiteLimits(_Strict):
    """Limits once read from the configuration at start-up. ``None`` in a change means
    "back to the configured value"."""

    # How long a sender may recall a message (owners and admins with the power: any time).
    recall_window_seconds: Annotated[int, Field(ge=0, le=365 * 24 * 3600)]
    # The most members a group may have (a group's own limit may only be lower).
    group_size_limit: Annotated[int, Field(ge=2, le=1_000_000)]
    # The largest file one may upload, at most the configured TIDINGS_MAX_FILE_BYTES.
    max_file_bytes: Annotated[int, Field(ge=1024, le=2**53)]


class SiteBranding(_Strict):
    product_name: Annotated[str, StringConstraints(min_length=1, max_length=40)] = "Tidings"
    # ``file:<id>``: a PNG, JPEG or WebP an administrator uploaded, at most 2 MiB.
    logo: ImageRef = ""
    # ``#rrggbb``; the client derives its hover and tint shades from it.
    brand_colour: Annotated[str, StringConstraints(pattern=HEX_COLOUR.pattern)] = "#2f6fed"
    # Shown under the product name on the sign-in page (plain text, no markup).
    sign_in_text: Annotated[str, StringConstraints(max_length=500)] = ""
    # ``file:<id>``: a PNG, JPEG or WebP an administrator uploaded, at most 8 MiB.
    sign_in_background: ImageRef = ""


class SiteCors(_Strict):
    """Cross-origin use (N5, decision 0063). ``None`` in a change means "back to the
    configured ``TIDINGS_ALLOWED_ORIGINS``"."""

    # Pages of these origins (``https://shop.example.com``) may call the REST API and tus
    # uploads and open the WebSocket; others get no CORS headers and a refused handshake.
    # Normalised as browsers send them; no wildcards.
    allowed_origins: Annotated[list[str], AfterValidator(normalise_origins)]


class SiteSettings(_Strict):
    modules: SiteModules = SiteModules()
    buttons: SiteButtons = SiteButtons()
    limits: SiteLimits
    branding: SiteBranding = SiteBranding()
    cors: SiteCors


def configured_defaults(
    *,
    recall_window_seconds: int,
    group_size_limit: int,
    max_file_bytes: int,
    allowed_origins: list[str],
) -> Defaults:
    """The defaults of the keys that were configuration: the values the server was started
    with."""
    return {
        "limits": {
            "recall_window_seconds": recall_window_seconds,
            "group_size_limit": group_size_limit,
            "max_file_bytes": max_file_bytes,
        },
        "cors": {"allowed_origins": list(allowed_origins)},
    }


def effective(stored: dict[str, Any], defaults: Defaults) -> SiteSettings:
    """The settings in force: the stored (sparse) document over the defaults."""
    configured = {
        section: {**values, **stored.get(section, {})} for section, values in defaults.items()
    }
    return parse_settings({**stored, **configured})


def merge_changes(
    stored: dict[str, Any], changes: dict[str, Any], defaults: Defaults
) -> tuple[dict[str, Any], SiteSettings]:
    """``stored`` with ``changes`` applied section by section (``null`` resets a key to its
    default), validated: the new stored document and the settings in force.

    Raises ``invalid_input`` naming the first bad field (``changes.branding.brand_colour``).
    """
    merged: dict[str, Any] = {k: dict(v) for k, v in stored.items() if isinstance(v, dict)}
    for section, values in changes.items():
        if section not in SECTIONS:
            raise _invalid([section], "unknown section", f"one of {', '.join(SECTIONS)}")
        if not isinstance(values, dict):
            raise _invalid([section], "must be an object of keys to change", "")
        inner = merged.setdefault(section, {})
        for key, value in values.items():
            if value is None:
                inner.pop(key, None)
            else:
                inner[key] = value
        if not inner:
            del merged[section]
    settings = effective(merged, defaults)
    # Normalised (e.g. the colour in lower case), still sparse.
    dumped = settings.model_dump(mode="json")
    normalised = {s: {k: dumped[s][k] for k in keys} for s, keys in merged.items()}
    return normalised, settings


def changed_keys(before: SiteSettings, after: SiteSettings) -> dict[str, dict[str, Any]]:
    """``{"section.key": {"old": ..., "new": ...}}`` for every value that differs."""
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    return {
        f"{section}.{key}": {"old": old[section][key], "new": value}
        for section in SECTIONS
        for key, value in new[section].items()
        if old[section][key] != value
    }


def parse_settings(document: dict[str, Any]) -> SiteSettings:
    try:
        settings = SiteSettings.model_validate(document)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        for error in errors:  # a ValueError of ours: its message without pydantic's prefix
            error["msg"] = error["msg"].removeprefix("Value error, ")
        first = errors[0]
        raise TidingsError(
            ErrorCode.INVALID_INPUT,
            f"changes.{'.'.join(map(str, first['loc']))}: {first['msg']}",
            details=[
                {"loc": ["changes", *map(str, e["loc"])], "msg": e["msg"]} for e in errors[:5]
            ],
        ) from None
    branding = settings.branding
    if branding.brand_colour != branding.brand_colour.lower():
        settings = settings.model_copy(
            update={
                "branding": branding.model_copy(
                    update={"brand_colour": branding.brand_colour.lower()}
                )
            }
        )
    return settings


def _invalid(loc: list[str], message: str, hint: str) -> TidingsError:
    where = ".".join(loc)
    return TidingsError(
        ErrorCode.INVALID_INPUT,
        f"changes.{where}: {message}" + (f" ({hint})" if hint else ""),
        details=[{"loc": ["changes", *loc], "msg": message}],
    )
