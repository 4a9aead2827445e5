"""Privacy choices and the password lock (issue 12, A3/A7; seed: 聊天记录加密): plain shapes
and their rules, no I/O.

Privacy is enforced by the server: who may find me by phone or account in people search, who
may add me as a friend, whether others see my online status, whether my reading is told to
others. The password lock is a screen against people at the user's own device: the server
keeps its code (as a slow hash) and which chats it covers, and checks the code; the client
hides what it covers until the code (or the account password) is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class FindBy(StrEnum):
    """Who may find me in people search by an identifier (my phone, my account)."""

    EVERYONE = "everyone"
    FRIENDS = "friends"
    NOBODY = "nobody"


class AddMe(StrEnum):
    """Who may add me as a friend: at once, after I accept (the default), or nobody."""

    EVERYONE = "everyone"
    VERIFY = "verify"
    NOBODY = "nobody"


@dataclass(frozen=True, slots=True)
class Privacy:
    """A user's choices; a user who never chose has the defaults (as before they existed)."""

    find_by_phone: FindBy = FindBy.EVERYONE
    find_by_account: FindBy = FindBy.EVERYONE
    add_me: AddMe = AddMe.VERIFY
    show_online: bool = True
    send_read_receipts: bool = True

    def to_wire(self) -> dict[str, Any]:
        return {
            "find_by_phone": self.find_by_phone.value,
            "find_by_account": self.find_by_account.value,
            "add_me": self.add_me.value,
            "show_online": self.show_online,
            "send_read_receipts": self.send_read_receipts,
        }

    def findable(self, by: FindBy | None, *, friends: bool) -> bool:
        """Whether a searcher may find me through ``by`` (None: a field privacy does not
        cover, the nickname)."""
        if by is None or by is FindBy.EVERYONE:
            return True
        return by is FindBy.FRIENDS and friends


DEFAULT_PRIVACY = Privacy()


class PrivacyUpdate(BaseModel):
    """``me.privacy.update``: any of the choices; the others stay."""

    model_config = ConfigDict(extra="forbid")

    find_by_phone: FindBy | None = None
    find_by_account: FindBy | None = None
    add_me: AddMe | None = None
    show_online: Annotated[bool, Field(strict=True)] | None = None
    send_read_receipts: Annotated[bool, Field(strict=True)] | None = None


def find_rule(privacy: Privacy, *, by_phone: bool, by_account: bool) -> FindBy | None:
    """The most permissive rule among the ways a search found someone: a nickname match
    (None) is never hidden; otherwise the phone's or the account's rule, whichever lets
    more people find them."""
    rules = []
    if by_phone:
        rules.append(privacy.find_by_phone)
    if by_account:
        rules.append(privacy.find_by_account)
    order = [FindBy.EVERYONE, FindBy.FRIENDS, FindBy.NOBODY]
    return min(rules, key=order.index) if rules else None


# The password lock

# "At least 4 digits or a passphrase": any 4 to 128 characters (digits only is a PIN).
LockCode = Annotated[str, StringConstraints(min_length=4, max_length=128)]
# The whole app locks after this many idle minutes (0: never); at most a day.
IDLE_MINUTES_MAX = 1440
# Chats one user may lock: a screen, not a second inbox.
LOCKED_CONVERSATIONS_MAX = 1000


@dataclass(frozen=True, slots=True)
class ChatLock:
    """A user's lock: ``code_hash`` None means no code is set (and nothing is locked)."""

    code_hash: str | None = None
    idle_minutes: int = 0
    conversation_ids: tuple[int, ...] = field(default_factory=tuple)
    version: int = 0

    def to_wire(self) -> dict[str, Any]:
        return {
            "has_code": self.code_hash is not None,
            "idle_minutes": self.idle_minutes,
            "conversation_ids": list(self.conversation_ids),
            "version": self.version,
        }

    def only_adds(self, idle_minutes: int | None, conversation_ids: list[int] | None) -> bool:
        """Whether a change only locks more: more chats, or a shorter idle time. Those need
        no proof; anything that locks less (or a new code) needs the code or the password."""
        if idle_minutes is not None and not (
            self.idle_minutes == idle_minutes or 0 < idle_minutes < (self.idle_minutes or 10**9)
        ):
            return False
        return conversation_ids is None or set(self.conversation_ids) <= set(conversation_ids)


class LockSet(BaseModel):
    """``me.lock.set``: a new ``code`` (``remove`` takes the lock and all it covers away), the
    idle minutes, the locked chats (the whole list); ``current_code`` or ``password`` proves
    the change when one locks less."""

    model_config = ConfigDict(extra="forbid")

    code: LockCode | None = None
    remove: Annotated[bool, Field(strict=True)] = False
    idle_minutes: Annotated[int, Field(strict=True, ge=0, le=IDLE_MINUTES_MAX)] | None = None
    conversation_ids: (
        Annotated[list[Annotated[int, Field(strict=True, ge=1)]], Field(max_length=1000)] | None
    ) = None
    current_code: Annotated[str, StringConstraints(max_length=128)] | None = None
    password: Annotated[str, StringConstraints(max_length=256)] | None = None
    # The version the change was made from (optimistic concurrency): ``conflict`` if stale.
    version: Annotated[int, Field(strict=True, ge=0)] | None = None


class LockVerify(BaseModel):
    """``me.lock.verify``: the code, or the account password (for a forgotten code)."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(max_length=128)] | None = None
    password: Annotated[str, StringConstraints(max_length=256)] | None = None
