"""Customer service on a web site (PRODUCT.md J4, decision 0066).

Visitors arrive through the widget (anonymous, or identified by a token the host's backend
got from the app API), write into their service conversation, which then waits in the
queue; agents take it (exactly one of several taking at once gets it), transfer it, close
it. Messages are ordinary log entries (Messages.do_send asks ``check_send`` first and tells
``on_sent`` after); the queue's changes are pushed to every agent as ``service_queue``.
"""

from __future__ import annotations

from typing import Any

from tidings.actions.admin_gate import AdminGate
from tidings.actions.context import Actor
from tidings.actions.publisher import Publisher
from tidings.actions.rosters import RosterCache
from tidings.auth.tokens import new_token, token_hash
from tidings.bus.presence import PresenceRegistry
from tidings.domain import events
from tidings.domain.accounts import User, UserKind
from tidings.domain.admin import AdminPower
from tidings.domain.bodies import MessageType
from tidings.domain.clock import now_ms
from tidings.domain.conversations import ConversationType, Roster
from tidings.domain.entries import Entry
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.service import (
    IDENTITY_TOKEN_SECONDS,
    SERVICE_MESSAGE_TYPES,
    VISITOR_SESSION_DAYS,
    IdentityExchange,
    NewVisitor,
    ServiceChat,
    ServiceState,
    VisitorIdentity,
    VisitorPage,
)
from tidings.limits import Limits
from tidings.store.accounts import AccountStore
from tidings.store.conversations import ConversationStore
from tidings.store.service import Identity, Moved, ServiceStore, VisitorOpened

DAY_MS = 86_400_000


class ServiceDesk:
    def __init__(
        self,
        *,
        store: ServiceStore,
        accounts: AccountStore,
        conversations: ConversationStore,
        rosters: RosterCache,
        publisher: Publisher,
        limits: Limits,
        gate: AdminGate,
        presence: PresenceRegistry,
    ) -> None:
        self._store = store
        self._presence = presence
        self._accounts = accounts
        self._conversations = conversations
        self._rosters = rosters
        self._publisher = publisher
        self._limits = limits
        self._gate = gate

    # Visitors

    async def do_open_visitor(self, new: NewVisitor, *, ip: str, user_agent: str) -> dict[str, Any]:
        """A new anonymous visitor and their session (the widget, before its first
        message): rate limited per address, as anyone may call it."""
        await self._limits.hit("service_visitor_address", ip)
        return await self._open(new.nickname, new.page, None, ip=ip, user_agent=user_agent)

    async def do_exchange_identity(
        self, exchange: IdentityExchange, *, ip: str, user_agent: str
    ) -> dict[str, Any]:
        """A session for the visitor a host's backend vouched for (a token used once)."""
        await self._limits.hit("service_visitor_address", ip)
        identity = await self._store.spend_identity_token(
            token_hash(exchange.identity_token), now_ms()
        )
        if identity is None:
            raise TidingsError(
                ErrorCode.INVALID_TOKEN, "the identity token is unknown, expired or used"
            )
        return await self._open(None, exchange.page, identity, ip=ip, user_agent=user_agent)

    async def do_issue_identity_token(
        self, app_id: int, identity: VisitorIdentity
    ) -> dict[str, Any]:
        """For the app API (scope ``service``): a short-lived token naming one of the host's
        users, which its page hands to the widget."""
        token = new_token()
        now = now_ms()
        await self._store.save_identity_token(
            token_hash=token_hash(token),
            identity=Identity(app_id, identity.external_id, identity.nickname, identity.avatar),
            now=now,
            expires_at=now + IDENTITY_TOKEN_SECONDS * 1000,
        )
        return {"token": token, "expires_in": IDENTITY_TOKEN_SECONDS}

    async def _open(
        self,
        nickname: str | None,
        page: VisitorPage | None,
        identity: Identity | None,
        *,
        ip: str,
        user_agent: str,
    ) -> dict[str, Any]:
        token = new_token()
        now = now_ms()
        opened: VisitorOpened = await self._store.open_visitor(
            nickname=nickname,
            page=page,
            identity=identity,
            token_hash=token_hash(token),
            ip=ip,
            device_name=user_agent[:100],
            now=now,
            expires_at=now + VISITOR_SESSION_DAYS * DAY_MS,
        )
        if opened.joined is not None:
            await self._publisher.private([opened.joined])
        elif page is not None:
            await self._tell_agents(opened.chat)
        return {
            "token": token,
            "expires_at": opened.session.expires_at,
            "user": opened.visitor.to_wire(),
            "conversation_id": opened.chat.conversation_id,
        }

    async def visitor_chat(self, actor: Actor) -> dict[str, Any]:
        """The visitor's own chat: where it stands and who serves it."""
        chat = await self._visitors_chat(actor)
        agent = await self._accounts.user(chat.agent_id) if chat.agent_id else None
        return {
            "conversation_id": chat.conversation_id,
            "state": chat.state.value,
            "agent": {"nickname": agent.nickname, "avatar": agent.avatar} if agent else None,
        }

    async def do_note_page(self, actor: Actor, page: VisitorPage) -> None:
        """The visitor is on another page of the host site (shown to agents)."""
        chat = await self._store.note_page(actor.user_id, page, now_ms())
        if chat is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "you have no customer-service chat")
        await self._tell_agents(chat)

    async def _visitors_chat(self, actor: Actor) -> ServiceChat:
        chat = await self._store.chat_of_visitor(actor.user_id)
        if chat is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "you have no customer-service chat")
        return chat

    # Messages (called by Messages for service conversations)

    async def check_send(self, actor: Actor, roster: Roster, message_type: MessageType) -> None:
        """Text and cards only; a visitor's messages are rate limited on their own rule."""
        if message_type not in SERVICE_MESSAGE_TYPES:
            raise TidingsError(
                ErrorCode.INVALID_INPUT, "a customer-service chat carries text and cards"
            )
        chat = await self._store.chat(roster.conversation_id)
        if chat is not None and chat.visitor_id == actor.user_id:
            await self._limits.hit("service_visitor_send", actor.user_id)

    async def on_sent(self, actor: Actor, entry: Entry) -> None:
        """A visitor's message puts a closed chat back in the queue."""
        chat = await self._store.chat(entry.conversation_id)
        if chat is None or chat.visitor_id != actor.user_id:
            return
        opened = await self._store.open_case(entry.conversation_id, entry.seq, entry.created_at)
        if opened is not None or chat.state is ServiceState.WAITING:
            # Agents see the queue's previews move on too.
            await self._tell_agents(opened or chat)

    # Agents

    async def queue(self, actor: Actor) -> dict[str, Any]:
        """Waiting visitors (the longest waiting first) and the agent's own chats."""
        await self._require_agent(actor)
        waiting = await self._store.chats(state=ServiceState.WAITING)
        mine = await self._store.chats(state=ServiceState.TAKEN, agent_id=actor.user_id)
        return {
            "waiting": await self._wire_chats(waiting),
            "mine": await self._wire_chats(mine),
        }

    async def details(self, actor: Actor, conversation_id: int) -> dict[str, Any]:
        """A chat for an agent: the visitor, their page, the earlier visits."""
        await self._require_agent_or_holder(actor, conversation_id)
        chat = await self._chat(conversation_id)
        (wired,) = await self._wire_chats([chat])
        cases = await self._store.cases(conversation_id)
        agents = await self._accounts.users([c.agent_id for c in cases if c.agent_id])
        wired["cases"] = [
            {
                **case.to_wire(),
                "agent_name": agents[case.agent_id].nickname
                if case.agent_id in agents and case.agent_id is not None
                else "",
            }
            for case in cases
        ]
        return wired

    async def agents(self, actor: Actor) -> list[dict[str, Any]]:
        """The agents one may transfer to."""
        if not await self._store.is_agent(actor.user_id) and not await self._store.chats(
            state=ServiceState.TAKEN, agent_id=actor.user_id, limit=1
        ):
            raise _not_an_agent()
        return await self._wire_agents(await self._store.agents())

    async def do_take(self, actor: Actor, conversation_id: int) -> dict[str, Any]:
        await self._require_agent(actor)
        chat = await self._chat(conversation_id)
        moved = await self._store.take(conversation_id, actor.user_id, now_ms())
        if moved is None:
            if chat.state is ServiceState.TAKEN or (
                (now := await self._store.chat(conversation_id)) is not None
                and now.state is ServiceState.TAKEN
            ):
                raise TidingsError(
                    ErrorCode.SERVICE_CHAT_TAKEN, "another agent took this chat first"
                )
            raise TidingsError(ErrorCode.CONFLICT, "this chat is not waiting")
        return await self._moved(moved)

    async def do_transfer(
        self, actor: Actor, conversation_id: int, agent_id: int
    ) -> dict[str, Any]:
        await self._require_agent_or_holder(actor, conversation_id)
        await self._chat(conversation_id)
        if agent_id == actor.user_id:
            raise TidingsError(ErrorCode.INVALID_INPUT, "transfer to another agent")
        if not await self._store.is_agent(agent_id):
            raise TidingsError(ErrorCode.NOT_AN_AGENT, "transfer only to an agent")
        moved = await self._store.transfer(conversation_id, actor.user_id, agent_id, now_ms())
        if moved is None:
            raise TidingsError(ErrorCode.CONFLICT, "you do not hold this chat")
        return await self._moved(moved)

    async def do_close(self, actor: Actor, conversation_id: int) -> dict[str, Any]:
        await self._require_agent_or_holder(actor, conversation_id)
        await self._chat(conversation_id)
        moved = await self._store.close(conversation_id, actor.user_id, now_ms())
        if moved is None:
            raise TidingsError(ErrorCode.CONFLICT, "you do not hold this chat")
        return await self._moved(moved)

    async def _moved(self, moved: Moved) -> dict[str, Any]:
        conversation_id = moved.chat.conversation_id
        self._rosters.invalidate(conversation_id)
        await self._publisher.roster_changed(conversation_id)
        roster = await self._rosters.get(conversation_id)
        audience = set(roster.members) if roster else set()
        for private in moved.private:
            await self._publisher.private([private])
            audience.add(private.user_id)
        for entry in moved.entries:
            await self._publisher.entry(entry, audience)
        await self._tell_agents(moved.chat)
        (wired,) = await self._wire_chats([moved.chat])
        return wired

    # The administrators' choice of agents

    async def admin_agents(self, actor: Actor) -> dict[str, Any]:
        """The agents as the console shows them: who is on duty (connected now) and how
        many chats each holds, and how many visitors wait."""
        await self._gate.require(actor, AdminPower.SERVICE)
        return await self._console_view(await self._store.agents())

    async def do_set_agents(self, actor: Actor, user_ids: list[int]) -> dict[str, Any]:
        """Make these people the agents (audited: who was added and removed)."""
        wanted = sorted(set(user_ids))
        async with self._gate.act(
            actor, AdminPower.SERVICE, "service.agents_update", target_type="service"
        ) as note:
            found = await self._accounts.users(wanted)
            refused = [
                u
                for u in wanted
                if u not in found or found[u].disabled or found[u].kind is not UserKind.PERSON
            ]
            if refused:
                raise TidingsError(
                    ErrorCode.INVALID_INPUT,
                    "agents are people with an enabled account",
                    details=refused[:20],
                )
            # The entry commits with the change (its first write): details are set before.
            current = set(await self._store.agents())
            note.details.update(
                {
                    "added": sorted(set(wanted) - current),
                    "removed": sorted(current - set(wanted)),
                }
            )
            await self._store.set_agents(wanted, now_ms())
        return await self._console_view(wanted)

    async def _console_view(self, user_ids: list[int]) -> dict[str, Any]:
        found = await self._accounts.users(user_ids)
        online = await self._presence.online(user_ids)
        held = await self._store.held_counts()
        return {
            "agents": [
                {
                    "user_id": u,
                    "account": found[u].account,
                    "nickname": found[u].nickname,
                    "avatar": found[u].avatar,
                    "disabled": found[u].disabled,
                    "online": online.get(u, False),
                    "open_chats": held.get(u, 0),
                }
                for u in user_ids
                if u in found
            ],
            "waiting": await self._store.waiting_count(),
        }

    # Shapes

    async def _require_agent(self, actor: Actor) -> None:
        if not await self._store.is_agent(actor.user_id):
            raise _not_an_agent()

    async def _require_agent_or_holder(self, actor: Actor, conversation_id: int) -> None:
        """Agents serve; someone no longer an agent may still see, hand on and close the
        chats they hold (choosing the agents leaves those with them)."""
        if await self._store.is_agent(actor.user_id):
            return
        chat = await self._store.chat(conversation_id)
        if chat is None or chat.state is not ServiceState.TAKEN or chat.agent_id != actor.user_id:
            raise _not_an_agent()

    async def _chat(self, conversation_id: int) -> ServiceChat:
        chat = await self._store.chat(conversation_id)
        if chat is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such customer-service chat")
        return chat

    async def _tell_agents(self, chat: ServiceChat) -> None:
        agents = await self._store.agents()
        if agents:
            await self._publisher.frame(
                agents,
                events.frame(
                    events.PushEvent.SERVICE_QUEUE,
                    {
                        "conversation_id": chat.conversation_id,
                        "state": chat.state.value,
                        "agent_id": chat.agent_id,
                    },
                ),
            )

    async def _wire_agents(self, user_ids: list[int]) -> list[dict[str, Any]]:
        found = await self._accounts.users(user_ids)
        return [
            {"user_id": u, "nickname": found[u].nickname, "avatar": found[u].avatar}
            for u in user_ids
            if u in found
        ]

    async def _wire_chats(self, chats: list[ServiceChat]) -> list[dict[str, Any]]:
        visitors: dict[int, User] = await self._accounts.users([c.visitor_id for c in chats])
        last_seqs = await self._store.last_seqs([c.conversation_id for c in chats])
        last = await self._conversations.last_entries(
            [(cid, seq) for cid, seq in last_seqs.items() if seq > 0]
        )
        out = []
        for chat in chats:
            visitor = visitors.get(chat.visitor_id)
            preview = last.get(chat.conversation_id)
            out.append(
                {
                    **chat.to_wire(),
                    "visitor": {
                        "id": chat.visitor_id,
                        "nickname": visitor.nickname if visitor else "",
                        "avatar": visitor.avatar if visitor else "",
                        "external_id": chat.external_id,
                    },
                    "preview": preview.to_wire() if preview else None,
                }
            )
        return out


def _not_an_agent() -> TidingsError:
    return TidingsError(ErrorCode.NOT_AN_AGENT, "only customer-service agents serve")


def is_service(roster: Roster) -> bool:
    return roster.type is ConversationType.SERVICE
