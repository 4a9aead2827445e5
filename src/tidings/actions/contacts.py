"""Contacts (B2-B4): friend requests, friends and the user's notes about them, nested
contact groups and the blacklist.

A request to someone who blocked the sender, or who may not be seen, behaves for the sender
exactly like any other: it is stored as pending and never delivered, so neither a block nor
a hidden person can be detected by sending requests.
"""

from __future__ import annotations

from typing import Any

from tidings.actions.context import Actor
from tidings.actions.governance import Policies
from tidings.actions.organization import Directory
from tidings.actions.privacy import PrivacySettings
from tidings.actions.publisher import Publisher
from tidings.actions.rosters import RosterCache
from tidings.actions.site_settings import SiteSettingsActions
from tidings.domain.clock import now_ms
from tidings.domain.contacts import (
    MAX_CONTACT_GROUPS,
    MAX_GROUP_DEPTH,
    FriendRequest,
    RequestStatus,
    card,
    depth_below,
    normalize_tags,
    would_cycle,
)
from tidings.domain.conversations import direct_key
from tidings.domain.entries import PrivateEntry
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.privacy import AddMe
from tidings.store.accounts import AccountStore
from tidings.store.contacts import ContactStore
from tidings.store.conversations import ConversationStore


class Contacts:
    def __init__(
        self,
        *,
        store: ContactStore,
        accounts: AccountStore,
        conversations: ConversationStore,
        directory: Directory,
        rosters: RosterCache,
        policies: Policies,
        publisher: Publisher,
        privacy: PrivacySettings,
        site: SiteSettingsActions,
    ) -> None:
        self._site = site
        self._store = store
        self._privacy = privacy
        self._accounts = accounts
        self._conversations = conversations
        self._directory = directory
        self._rosters = rosters
        self._policies = policies
        self._publisher = publisher

    # Friend requests

    async def do_request(self, actor: Actor, user_id: int, message: str) -> dict[str, Any]:
        self._site.require("friend_requests")
        if user_id == actor.user_id:
            raise TidingsError(ErrorCode.INVALID_INPUT, "you cannot befriend yourself")
        target = await self._accounts.user(user_id)
        visible = target is not None and not target.disabled
        if visible:
            visible = await self._directory.may_see(actor, user_id)
        if not visible:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
        if await self._store.contact(actor.user_id, user_id) is not None:
            raise TidingsError(ErrorCode.CONFLICT, "you are friends already")
        if await self._store.pending_between(actor.user_id, user_id) is not None:
            raise TidingsError(ErrorCode.CONFLICT, "your request is waiting already")
        blocked = bool(await self._store.blockers_of(actor.user_id, [user_id]))
        reverse = await self._store.pending_between(user_id, actor.user_id)
        if reverse is not None and not reverse.suppressed and not blocked:
            # They asked first: asking back is accepting.
            await self._decide(reverse, RequestStatus.ACCEPTED)
            return {"request_id": reverse.id, "status": "accepted"}
        # Privacy (h/me): "nobody" refuses every request (a block does not show through: the
        # answer is the same for everyone); "everyone" accepts at once, unless blocked.
        add_me = await self._privacy.add_me(user_id)
        if add_me is AddMe.NOBODY:
            raise TidingsError(
                ErrorCode.NOT_ACCEPTING_FRIENDS, "they do not accept friend requests"
            )
        me = await self._accounts.user(actor.user_id)
        assert me is not None
        request, told = await self._store.create_request(
            from_id=actor.user_id,
            to_id=user_id,
            message=message,
            suppressed=blocked,
            sender_card=card(me),
            now=now_ms(),
        )
        await self._publisher.private(told)
        if add_me is AddMe.EVERYONE and not blocked:
            await self._decide(request, RequestStatus.ACCEPTED)
            return {"request_id": request.id, "status": "accepted"}
        return {"request_id": request.id, "status": "pending"}

    async def do_decide(
        self, actor: Actor, request_id: int, decision: RequestStatus
    ) -> dict[str, Any]:
        request = await self._store.request(request_id)
        if request is None or request.to_user_id != actor.user_id or request.suppressed:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such friend request")
        if request.status is not RequestStatus.PENDING:
            raise TidingsError(ErrorCode.CONFLICT, f"this request was {request.status.value}")
        await self._decide(request, decision)
        return {"request_id": request_id, "status": decision.value}

    async def requests(self, actor: Actor) -> dict[str, Any]:
        incoming = await self._store.incoming(actor.user_id)
        outgoing = await self._store.outgoing(actor.user_id)
        users = await self._accounts.users(
            [r.from_user_id for r in incoming] + [r.to_user_id for r in outgoing]
        )
        return {
            "pending_count": len(incoming),
            "incoming": [
                {
                    "request_id": r.id,
                    "from_user": card(users[r.from_user_id]),
                    "message": r.message,
                    "created_at": r.created_at,
                }
                for r in incoming
                if r.from_user_id in users
            ],
            "outgoing": [
                {
                    "request_id": r.id,
                    "to_user": card(users[r.to_user_id]),
                    "message": r.message,
                    "created_at": r.created_at,
                }
                for r in outgoing
                if r.to_user_id in users
            ],
        }

    async def _decide(self, request: FriendRequest, decision: RequestStatus) -> None:
        users = await self._accounts.users([request.from_user_id, request.to_user_id])
        told = await self._store.decide(
            request=request,
            status=decision,
            cards={u: card(user) for u, user in users.items()},
            now=now_ms(),
        )
        if told is None:
            raise TidingsError(ErrorCode.CONFLICT, "this request was decided already")
        await self._publisher.private(told)

    async def befriend(self, user_id: int, other_id: int) -> list[PrivateEntry]:
        """Make two users friends at once (an accepted invite link): no request."""
        users = await self._accounts.users([user_id, other_id])
        told = await self._store.befriend(
            user_id, other_id, {u: card(user) for u, user in users.items()}, now_ms()
        )
        await self._publisher.private(told)
        return told

    # Friends

    async def friends(self, actor: Actor) -> dict[str, Any]:
        contacts = await self._store.contacts(actor.user_id)
        users = await self._accounts.users([c.user_id for c in contacts])
        return {
            "friends": [
                {**c.to_wire(), "user": card(users[c.user_id])}
                for c in contacts
                if c.user_id in users
            ],
            "contact_groups": [
                g.to_wire() for g in await self._store.contact_groups(actor.user_id)
            ],
        }

    async def do_remove_friend(self, actor: Actor, user_id: int) -> None:
        if await self._store.contact(actor.user_id, user_id) is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "this user is not your friend")
        await self._publisher.private(await self._store.unfriend(actor.user_id, user_id, now_ms()))

    async def do_update_contact(
        self, actor: Actor, user_id: int, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Remark, tags and contact group: the user's own notes, synced to their devices."""
        if await self._store.contact(actor.user_id, user_id) is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "this user is not your friend")
        if not changes:
            raise TidingsError(ErrorCode.INVALID_INPUT, "nothing to change")
        if "tags" in changes:
            changes["tags"] = normalize_tags(changes["tags"])
        group_id = changes.get("contact_group_id")
        if group_id is not None and group_id not in {
            g.id for g in await self._store.contact_groups(actor.user_id)
        }:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such contact group")
        contact, entry = await self._store.update_contact(actor.user_id, user_id, changes, now_ms())
        await self._publisher.private([entry])
        return contact.to_wire()

    # Contact groups

    async def do_create_group(
        self, actor: Actor, name: str, parent_id: int | None
    ) -> dict[str, Any]:
        parents = await self._parents(actor)
        if len(parents) >= MAX_CONTACT_GROUPS:
            raise TidingsError(ErrorCode.CONFLICT, f"at most {MAX_CONTACT_GROUPS} contact groups")
        self._check_parent(parents, parent_id)
        if depth_below(parents, parent_id) >= MAX_GROUP_DEPTH:
            raise TidingsError(ErrorCode.INVALID_INPUT, f"at most {MAX_GROUP_DEPTH} levels deep")
        created, entry = await self._store.change_contact_groups(
            actor.user_id, create=(name, parent_id), now=now_ms()
        )
        await self._publisher.private([entry])
        return {"id": created, "parent_id": parent_id, "name": name}

    async def do_rename_group(self, actor: Actor, group_id: int, name: str) -> dict[str, Any]:
        parents = await self._parents(actor)
        self._check_exists(parents, group_id)
        _, entry = await self._store.change_contact_groups(
            actor.user_id, rename=(group_id, name), now=now_ms()
        )
        await self._publisher.private([entry])
        return entry.data

    async def do_move_group(
        self, actor: Actor, group_id: int, parent_id: int | None
    ) -> dict[str, Any]:
        parents = await self._parents(actor)
        self._check_exists(parents, group_id)
        self._check_parent(parents, parent_id)
        if would_cycle(parents, group_id, parent_id):
            raise TidingsError(ErrorCode.CYCLE, "a contact group cannot move below itself")
        _, entry = await self._store.change_contact_groups(
            actor.user_id, move=(group_id, parent_id), now=now_ms()
        )
        await self._publisher.private([entry])
        return entry.data

    async def do_delete_group(self, actor: Actor, group_id: int) -> dict[str, Any]:
        """Delete a contact group; its contacts and subgroups move up, none is lost."""
        parents = await self._parents(actor)
        self._check_exists(parents, group_id)
        _, entry = await self._store.change_contact_groups(
            actor.user_id, delete_group=(group_id, parents[group_id]), now=now_ms()
        )
        await self._publisher.private([entry])
        return entry.data

    async def _parents(self, actor: Actor) -> dict[int, int | None]:
        return {g.id: g.parent_id for g in await self._store.contact_groups(actor.user_id)}

    @staticmethod
    def _check_exists(parents: dict[int, int | None], group_id: int) -> None:
        if group_id not in parents:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such contact group")

    @staticmethod
    def _check_parent(parents: dict[int, int | None], parent_id: int | None) -> None:
        if parent_id is not None and parent_id not in parents:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such parent contact group")

    # The blacklist

    async def do_block(self, actor: Actor, user_id: int, blocked: bool) -> dict[str, Any]:
        if user_id == actor.user_id:
            raise TidingsError(ErrorCode.INVALID_INPUT, "you cannot block yourself")
        # Whom one blocked stays on one's list; anyone else must be someone one may know
        # of: blocking (or unblocking) a hidden person answers as for a missing one.
        if user_id not in await self._store.blocked_ids(actor.user_id):
            await self._directory.check_known(actor, user_id)
        entry = await self._store.set_block(actor.user_id, user_id, blocked, now_ms())
        if entry is None:
            raise TidingsError(
                ErrorCode.CONFLICT, "already blocked" if blocked else "this user is not blocked"
            )
        # The direct chat between them (if any) caches who blocks whom for its sends.
        conversation_id = await self._conversations.direct_between(
            direct_key(actor.user_id, user_id)
        )
        if conversation_id is not None:
            self._policies.invalidate(conversation_id)
            await self._publisher.roster_changed(conversation_id)
        if blocked:
            # Subscriptions made before the block end now, on every node, both ways.
            await self._publisher.presence_cut(actor.user_id, user_id)
        await self._publisher.private([entry])
        return {"user_id": user_id, "blocked": blocked}

    async def blocked(self, actor: Actor) -> dict[str, Any]:
        ids = await self._store.blocked_ids(actor.user_id)
        users = await self._accounts.users(ids)
        return {"blocked": [card(users[u]) for u in ids if u in users]}

    async def presence_allowed(self, actor: Actor, user_ids: list[int]) -> set[int]:
        """Whose presence the actor may watch: people they may know of (a hidden person is
        offline and unwatched, like an id of nobody), and nobody on either side of a block
        (whoever blocked you is offline to you, and you do not watch whom you blocked)."""
        known = await self._directory.known_among(actor, user_ids)
        blockers = await self._store.blockers_of(actor.user_id, list(known))
        blocked = set(await self._store.blocked_ids(actor.user_id))
        return {u for u in known if u not in blockers and u not in blocked}
