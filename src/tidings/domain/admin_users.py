"""The back office's lists of users and groups (PRODUCT.md K1, K2): what a search asks for,
how a page ends and where the next one starts.

Pages are keyset pages: a cursor holds the sort key and the id of the last row shown, so the
next page starts right after it however many users are created meanwhile (no row is shown
twice or skipped, unlike an offset).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from enum import StrEnum

import orjson

from tidings.domain.errors import ErrorCode, TidingsError

# A page of the console's lists; a script walks further with the cursor.
DEFAULT_PAGE = 50
MAX_PAGE = 200
MAX_QUERY_CHARS = 64


class UserSort(StrEnum):
    CREATED = "created"  # by id: the order accounts were made in
    ACCOUNT = "account"
    NICKNAME = "nickname"
    LAST_SIGN_IN = "last_sign_in"  # never signed in counts as 0, the oldest


class UserStatus(StrEnum):
    ACTIVE = "active"
    FROZEN = "frozen"


# The role filter: one admin role, "admin" for any of them, "none" for plain users.
ANY_ADMIN_ROLE = "admin"
NO_ADMIN_ROLE = "none"


@dataclass(frozen=True, slots=True)
class UserQuery:
    """One page of the user list. ``text`` matches an account, phone or e-mail by prefix
    and a nickname anywhere in it; every other filter narrows further."""

    text: str = ""
    # The department and everything below it (the action expands the subtree).
    department_ids: frozenset[int] | None = None
    status: UserStatus | None = None
    role: str | None = None
    signed_in_after: int | None = None
    signed_in_before: int | None = None
    never_signed_in: bool = False
    sort: UserSort = UserSort.CREATED
    descending: bool = False
    after: tuple[str | int, int] | None = None
    limit: int = DEFAULT_PAGE


def encode_cursor(key: str | int, row_id: int) -> str:
    """The opaque cursor after a row whose sort key is ``key``."""
    return base64.urlsafe_b64encode(orjson.dumps([key, row_id])).decode().rstrip("=")


def decode_cursor(cursor: str, *, text_key: bool) -> tuple[str | int, int]:
    """The (key, id) a cursor holds; ``invalid_input`` for anything this list did not give
    out (a cursor of another sort has a key of the wrong type)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key, row_id = orjson.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise bad_cursor() from None
    key_ok = isinstance(key, str) if text_key else isinstance(key, int)
    if not key_ok or not isinstance(row_id, int) or isinstance(key, bool) or row_id < 0:
        raise bad_cursor()
    return key, row_id


def bad_cursor() -> TidingsError:
    return TidingsError(
        ErrorCode.INVALID_INPUT,
        "cursor: not a cursor of this list and sort; start again without one",
        details=[{"loc": ["query", "cursor"], "msg": "unknown cursor"}],
    )


def like_pattern(text: str) -> str:
    """``text`` as a LIKE pattern matching itself literally (escape character ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
