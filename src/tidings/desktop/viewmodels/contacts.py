"""The main panel's contacts and groups: the organization tree (departments as the server
lets this user see them, members loaded when a department is opened), friends, friend
requests ("new friends": accept or decline; adding someone by account), and the groups the
user is in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tidings.desktop.viewmodels.conversations import title_of
from tidings.desktop.viewmodels.session import Session
from tidings.sdk import ServerError


@dataclass(frozen=True)
class FriendRequest:
    request_id: int
    user_id: int
    name: str
    account: str
    message: str


@dataclass
class Department:
    id: int
    name: str
    parent_id: int | None
    member_count: int
    children: list[Department] = field(default_factory=list)
    members: list[dict[str, Any]] | None = None  # None until loaded


class ContactsViewModel:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.company = ""
        self.roots: list[Department] = []
        self.departments: dict[int, Department] = {}

    async def load_tree(self) -> None:
        reply = await self.session.client.request("org.tree")
        self.company = str(reply.get("company") or "")
        self.departments = {
            int(d["id"]): Department(
                int(d["id"]), str(d["name"]), d.get("parent_id"), int(d.get("member_count", 0))
            )
            for d in reply["departments"]
        }
        self.roots = []
        for department in self.departments.values():
            parent = self.departments.get(department.parent_id or 0)
            (parent.children if parent else self.roots).append(department)

    async def load_members(self, department_id: int) -> list[dict[str, Any]]:
        reply = await self.session.client.request(
            "org.department", {"department_id": department_id, "limit": 1000}
        )
        members: list[dict[str, Any]] = list(reply["members"])
        for member in members:
            self.session.people.setdefault(int(member["id"]), member)
        self.departments[department_id].members = members
        return members

    def friends(self) -> list[tuple[int, str]]:
        ids = list(self.session.state.social.friends)
        self.session.want_people(ids)
        return sorted(
            ((user_id, self.session.name_of(user_id)) for user_id in ids), key=lambda f: f[1]
        )

    # Friend requests (docs/protocol.md, "Contacts"): folded from the private log by the SDK.

    @property
    def pending_count(self) -> int:
        """The "new friends" badge."""
        return self.session.state.social.pending_count

    def requests(self) -> list[FriendRequest]:
        """Incoming requests waiting for an answer, newest first."""
        found: list[FriendRequest] = []
        for request_id, data in sorted(
            self.session.state.social.incoming_requests.items(), reverse=True
        ):
            card = data.get("from_user") or {}
            user_id = int(card["id"])
            self.session.people.setdefault(user_id, card)
            found.append(
                FriendRequest(
                    request_id,
                    user_id,
                    str(card.get("nickname") or card.get("account") or f"#{user_id}"),
                    str(card.get("account") or ""),
                    str(data.get("message") or ""),
                )
            )
        return found

    async def accept(self, request_id: int) -> str:
        reply = await self.session.client.request("friends.accept", {"request_id": request_id})
        return str(reply["status"])

    async def decline(self, request_id: int) -> str:
        reply = await self.session.client.request("friends.reject", {"request_id": request_id})
        return str(reply["status"])

    async def add_friend(self, account: str, message: str = "") -> str:
        """Ask someone, found by their account, to be friends: ``pending``, or ``accepted``
        (they had asked, or accept everyone). ``ServerError`` ``not_found`` when no one
        (visible) has that account; else as ``friends.request`` refuses."""
        account = account.strip()
        if not account:
            raise ServerError("invalid_input", "an account is needed")
        reply = await self.session.client.request(
            "contacts.search", {"query": account[:64], "limit": 100}
        )
        match = next(
            (u for u in reply["users"] if str(u["account"]).lower() == account.lower()), None
        )
        if match is None:
            raise ServerError("not_found", "no one has this account")
        data: dict[str, Any] = {"user_id": int(match["id"])}
        if message.strip():
            data["message"] = message.strip()[:200]
        answer = await self.session.client.request("friends.request", data)
        return str(answer["status"])

    def groups(self) -> list[tuple[int, str]]:
        return sorted(
            (
                (conv.id, title_of(self.session, conv))
                for conv in self.session.state.conversations.values()
                if conv.type == "group"
            ),
            key=lambda g: g[1],
        )

    async def open_direct(self, user_id: int) -> int:
        """The direct chat with someone (created on first use)."""
        summary = await self.session.client.request(
            "conversation.open_direct", {"peer_id": user_id}
        )
        self.session.state.conversation(int(summary["id"])).apply_summary(summary)
        self.session.touch()
        return int(summary["id"])
