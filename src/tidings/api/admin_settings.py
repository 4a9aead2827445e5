"""The console's Settings page over REST (K4, I10; decision 0057): power ``settings``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from tidings.actions.context import Actor
from tidings.api.deps import C, admin_power
from tidings.domain.admin import AdminPower
from tidings.settings_schemas import SiteSettingsUpdateInput

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])

# Refused (403) before the body is looked at; the action checks the power again.
SettingsAdmin = Annotated[Actor, admin_power(AdminPower.SETTINGS)]

_SETTINGS = {
    "modules": {"file_sending": True, "recall": True, "...": "..."},
    "buttons": {"plus_file": True, "...": "..."},
    "limits": {
        "recall_window_seconds": 120,
        "group_size_limit": 10000,
        "max_file_bytes": 21474836480,
    },
    "branding": {
        "product_name": "Acme Chat",
        "logo": "",
        "brand_colour": "#0a7d52",
        "sign_in_text": "",
        "sign_in_background": "",
    },
}


@router.get(
    "/settings",
    summary="The site settings in force, the keys changed from their defaults, the defaults",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "version": 4,
                        "settings": _SETTINGS,
                        "changed": {"branding": ["brand_colour", "product_name"]},
                        "defaults": {"limits": _SETTINGS["limits"]},
                    }
                }
            }
        }
    },
)
async def get_settings(c: C, me: SettingsAdmin) -> dict[str, Any]:
    return await c.site_settings.get(me)


@router.patch(
    "/settings",
    summary="Change site settings: applied at once on every node and pushed to every client",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "version": 5,
                        "settings": _SETTINGS,
                        "changed": ["modules.recall"],
                    }
                }
            }
        }
    },
)
async def update_settings(body: SiteSettingsUpdateInput, c: C, me: SettingsAdmin) -> dict[str, Any]:
    return await c.site_settings.do_update(me, body.changes, body.version)
