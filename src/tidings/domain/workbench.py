"""Workbench apps (工作台, PRODUCT.md J6, issue 14, decision 0069): the company's own H5 pages
(an approval form, a leave request, a report) that open inside the client.

An administrator registers an app with a name, a URL, an icon and an audience (everyone,
departments with everything below them, listed people). A user sees the apps whose audience
includes them, in a "Workbench" tab; an app opens in a sandboxed frame and talks to the
client over postMessage (the bridge, /workbench/bridge.js). Asked by the app, the client
gets a one-time ticket (valid ``TICKET_TTL_SECONDS``) that the app's backend exchanges, with
the credentials of the registered app (J1) the workbench app is tied to, for who the user is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tidings.domain.errors import ErrorCode, TidingsError

# A ticket is for the app's page to hand to its backend at once; a minute covers a slow
# network and is short enough that a leaked one is of little use (as WeChat Work's codes).
TICKET_TTL_SECONDS = 60
TICKET_PREFIX = "wbt_"
MAX_NAME = 64
MAX_URL = 2000
MAX_AUDIENCE = 1000  # departments plus people named in one audience
MAX_APPS = 200  # registered workbench apps: the tab is a page of icons, not a catalogue


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an http(s) URL, as browsers compare origins."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets in an origin
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = parts.port
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def check_url(url: str, *, field: str = "url") -> str:
    """An absolute http(s) URL with a host, no credentials and no fragment; the CSP allows
    its origin as a frame source, so nothing else may slip into it."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        parts, port_ok = None, False
    if (
        parts is None
        or not port_ok
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or len(url) > MAX_URL
        or any(ch in url for ch in " \t\r\n;,'\"")
    ):
        raise TidingsError(
            ErrorCode.INVALID_INPUT,
            f"{field}: an http or https URL with a host, no user name or password, no spaces,"
            f" at most {MAX_URL} characters",
            details=[{"loc": [field], "msg": "not an http(s) URL"}],
        )
    return url


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise TidingsError(
            ErrorCode.INVALID_INPUT, f"a workbench app's name is 1 to {MAX_NAME} characters"
        )
    return name


@dataclass(frozen=True, slots=True)
class Audience:
    """Who sees an app: everyone, or members of the departments (and of every department
    below them), or the people listed."""

    everyone: bool = False
    department_ids: frozenset[int] = frozenset()
    user_ids: frozenset[int] = frozenset()

    def includes(self, user_id: int, departments_with_parents: Iterable[int]) -> bool:
        """``departments_with_parents``: the user's departments and all above them."""
        if self.everyone or user_id in self.user_ids:
            return True
        return not self.department_ids.isdisjoint(departments_with_parents)

    def check(self) -> Audience:
        if not self.everyone and not self.department_ids and not self.user_ids:
            raise TidingsError(
                ErrorCode.EMPTY_AUDIENCE,
                "say who sees the app: everyone, departments or people",
            )
        if len(self.department_ids) + len(self.user_ids) > MAX_AUDIENCE:
            raise TidingsError(
                ErrorCode.INVALID_INPUT, f"at most {MAX_AUDIENCE} departments and people"
            )
        return self

    def to_wire(self) -> dict[str, Any]:
        return {
            "everyone": self.everyone,
            "department_ids": sorted(self.department_ids),
            "user_ids": sorted(self.user_ids),
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Audience:
        return cls(
            everyone=bool(data.get("everyone", False)),
            department_ids=frozenset(int(i) for i in data.get("department_ids", ())),
            user_ids=frozenset(int(i) for i in data.get("user_ids", ())),
        )


@dataclass(frozen=True, slots=True)
class WorkbenchApp:
    id: int
    name: str
    url: str
    icon_url: str | None
    description: str
    # The registered app (J1) whose backend may exchange this app's tickets, if any.
    app_id: int | None
    client_id: str | None
    audience: Audience
    sort_order: int
    created_at: int
    updated_at: int

    @property
    def origin(self) -> str:
        return origin_of(self.url)

    def for_user(self) -> dict[str, Any]:
        """What a user's client is told: enough to show and open it."""
        return {
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "origin": self.origin,
            "icon_url": self.icon_url,
            "description": self.description,
        }

    def to_wire(self) -> dict[str, Any]:
        return {
            **self.for_user(),
            "app_id": self.app_id,
            "client_id": self.client_id,
            "audience": self.audience.to_wire(),
            "sort_order": self.sort_order,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
