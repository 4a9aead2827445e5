"""Customer service on a web site (PRODUCT.md J4, decision 0066): visitors, the queue, agents.

A visitor is a user of kind ``visitor`` (domain/accounts.py) with one service conversation:
a conversation of type ``service`` whose members are the visitor and the agent holding it
(none while it waits in the queue). Messages go through the ordinary log. A *case* is one
stint of the chat, from the visitor's first message after it was closed (or ever) to its
close: the earlier visits an agent sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AnyUrl, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from tidings.domain.bodies import MessageType
from tidings.domain.errors import ErrorCode, TidingsError


class ServiceState(StrEnum):
    # Waiting in the queue for an agent to take it.
    WAITING = "waiting"
    # An agent holds it (agent_id).
    TAKEN = "taken"
    # Closed by its agent; the visitor's next message puts it back in the queue.
    CLOSED = "closed"


# What a service conversation carries: the widget shows text and cards, nothing that needs a
# file download (a visitor's token reaches no file).
SERVICE_MESSAGE_TYPES = frozenset({MessageType.TEXT, MessageType.CUSTOM_CARD})

# All a visitor's token may do over the WebSocket: its own chat, nothing else (membership
# limits the conversation ops to that chat).
VISITOR_OPS = frozenset(
    {"send", "history", "sync", "ack", "read", "typing", "service.chat", "service.page"}
)

# A visitor's token lasts this long without use; the widget keeps it in the host page's
# localStorage, so a returning visitor finds their chat within that time.
VISITOR_SESSION_DAYS = 30
# How long the token a host's backend gets for an identified visitor may wait to be
# exchanged by the widget (the host renders it into its page).
IDENTITY_TOKEN_SECONDS = 300

VisitorName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class VisitorPage(BaseModel):
    """The host page the visitor is on: shown to the agent, never fetched by the server."""

    model_config = ConfigDict(extra="forbid", strict=True)

    url: AnyUrl
    title: Annotated[str, StringConstraints(max_length=200)] = ""

    @field_validator("url", mode="before")
    @classmethod
    def _length(cls, value: Any) -> Any:
        if isinstance(value, str) and len(value) > 2000:
            raise ValueError("page URL longer than 2000 characters")
        return value

    @field_validator("url")
    @classmethod
    def _web_only(cls, value: AnyUrl) -> AnyUrl:
        # Shown as a link in the agent's client: javascript: would run there.
        if value.scheme not in ("http", "https"):
            raise ValueError("only http and https pages")
        return value


class NewVisitor(BaseModel):
    """An anonymous visitor's first message is coming: who they say they are, where."""

    model_config = ConfigDict(extra="forbid", strict=True)

    nickname: VisitorName | None = None
    page: VisitorPage | None = None


class VisitorIdentity(BaseModel):
    """What a host's backend says about its signed-in user (the app API)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    external_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    nickname: VisitorName
    avatar: Annotated[str, StringConstraints(max_length=512)] = ""


class IdentityExchange(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    identity_token: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    page: VisitorPage | None = None


class Transfer(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    agent_id: Annotated[int, Field(gt=0, lt=2**63)]


class ServiceTransferOp(Transfer):
    conversation_id: Annotated[int, Field(gt=0, lt=2**63)]


class AgentList(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    user_ids: Annotated[list[Annotated[int, Field(gt=0, lt=2**63)]], Field(max_length=1000)]


@dataclass(frozen=True, slots=True)
class ServiceChat:
    conversation_id: int
    visitor_id: int
    state: ServiceState
    agent_id: int | None
    case_id: int | None
    waiting_since: int | None
    page_url: str
    page_title: str
    page_at: int
    app_id: int | None
    external_id: str | None
    created_at: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "visitor_id": self.visitor_id,
            "state": self.state.value,
            "agent_id": self.agent_id,
            "waiting_since": self.waiting_since,
            "page": {"url": self.page_url, "title": self.page_title, "at": self.page_at}
            if self.page_url
            else None,
            "identified": self.external_id is not None,
            "created_at": self.created_at,
        }


@dataclass(frozen=True, slots=True)
class ServiceCase:
    id: int
    conversation_id: int
    opened_at: int
    first_seq: int
    agent_id: int | None
    taken_at: int | None
    closed_at: int | None
    page_url: str
    page_title: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "opened_at": self.opened_at,
            "first_seq": self.first_seq,
            "agent_id": self.agent_id,
            "taken_at": self.taken_at,
            "closed_at": self.closed_at,
            "page": {"url": self.page_url, "title": self.page_title} if self.page_url else None,
        }


def anonymous_name(visitor_id: int) -> str:
    """What an agent calls a visitor who gave no name (translated by clients by prefix)."""
    return f"Visitor {visitor_id}"


def visitor_not_allowed() -> TidingsError:
    return TidingsError(
        ErrorCode.VISITOR_NOT_ALLOWED, "a visitor's token reaches only its customer-service chat"
    )
