"""The rules a message meets on its way into a conversation: disbanded groups, mutes, the
blacklist between two people, keyword and rate blocking, and moderation (E4, E6, E8, B4).

Sending is the hot path, so every rule reads a cached ``Policy``; a change to any of them
publishes RosterChanged, which drops the cached policy on every node.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

from tidings.actions.context import Actor
from tidings.actions.publisher import Publisher
from tidings.bus.messages import BusGap, BusMessage, RosterChanged
from tidings.bus.rate import RateWindow
from tidings.domain.bodies import body_to_wire
from tidings.domain.conversations import ConversationType, Member, Role, Roster
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.groups import Policy, Power, blocked_keyword, body_texts, is_muted
from tidings.store.group_queues import GroupQueueStore
from tidings.store.groups import GroupStore


class Policies:
    """Cached policies, one per conversation, like the roster cache."""

    def __init__(self, store: GroupStore, *, capacity: int = 20_000) -> None:
        self._store = store
        self._capacity = capacity
        self._cache: OrderedDict[int, Policy] = OrderedDict()
        # As in RosterCache: a policy loaded across an invalidation is not kept.
        self._generation = 0

    async def get(self, roster: Roster) -> Policy:
        """The policy, never older than ``roster`` (decision 12): a rule changed before the
        roster was read is in it, even if the bus has not told this node yet."""
        found = self._cache.get(roster.conversation_id)
        if found is not None and found.version >= roster.version:
            return found
        return await self._load(roster)

    async def _load(self, roster: Roster) -> Policy:
        conversation_id = roster.conversation_id
        generation = self._generation
        version, settings, powers, mutes = await self._store.policy_rows(conversation_id)
        if roster.type is ConversationType.DIRECT:
            pairs = await self._store.blocked_pairs(list(roster.members))
            policy = Policy.build(conversation_id, None, {}, {}, pairs, version=version)
        elif roster.type is ConversationType.GROUP:
            policy = Policy.build(conversation_id, settings, powers, mutes, version=version)
        else:
            policy = Policy.build(conversation_id, None, {}, {}, version=version)
        if generation == self._generation:
            self._cache[conversation_id] = policy
            if len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
        return policy

    def invalidate(self, conversation_id: int) -> None:
        self._generation += 1
        self._cache.pop(conversation_id, None)

    def on_bus(self, message: BusMessage) -> None:
        if isinstance(message, RosterChanged):
            self.invalidate(message.conversation_id)
        elif isinstance(message, BusGap):
            self._generation += 1
            self._cache.clear()


class Governance:
    """Checks for sends and forwards; queues members' messages in moderated groups."""

    def __init__(
        self,
        *,
        queues: GroupQueueStore,
        policies: Policies,
        publisher: Publisher,
        rate_window: RateWindow,
    ) -> None:
        self._queues = queues
        self._policies = policies
        self._publisher = publisher
        # Recent sends per (group, member) for the rate rule: this node's own, or shared by
        # every node through Redis when it is configured (bus/rate.py).
        self._rate_window = rate_window

    async def check_send(
        self,
        actor: Actor,
        roster: Roster,
        *,
        type: str,
        body: Any,
        client_msg_id: str,
        reply_to_seq: int | None,
        forwarded: bool = False,
    ) -> None:
        """Refuse the message with its reason, queue it for a moderator (raising
        ``pending_moderation``), or return to let it through."""
        policy = await self._policies.get(roster)
        if policy.open:
            return
        sender = actor.user_id
        if policy.blocked_pairs:
            if any(blocked == sender for _, blocked in policy.blocked_pairs):
                raise TidingsError(ErrorCode.BLOCKED, "the recipient does not accept your messages")
            return
        settings = policy.settings
        if settings is None:
            return
        if settings.disbanded_at is not None:
            raise TidingsError(ErrorCode.GROUP_DISBANDED, "this group was disbanded")
        role = roster.members[sender].role
        now = time.time()
        until = policy.muted_until.get(sender)
        if is_muted(until, int(now * 1000)):
            raise TidingsError(
                ErrorCode.MUTED, "you are muted in this group", details={"until": until}
            )
        if role is not Role.MEMBER:
            return
        if settings.mute_all:
            raise TidingsError(
                ErrorCode.MUTED, "everyone is muted in this group", details={"until": None}
            )
        wire: dict[str, Any] = body if isinstance(body, dict) else body_to_wire(body)
        keyword = blocked_keyword(settings.keywords, body_texts(wire))
        if keyword is not None:
            raise TidingsError(
                ErrorCode.BLOCKED,
                f"the message contains the blocked word {keyword!r}",
                details={"rule": "keyword", "keyword": keyword},
            )
        if settings.rate_count > 0 and settings.rate_seconds > 0:
            await self._check_rate(
                roster.conversation_id, sender, settings.rate_count, settings.rate_seconds
            )
        if settings.moderation:
            if forwarded:
                raise TidingsError(
                    ErrorCode.FORBIDDEN, "messages cannot be forwarded into a moderated group"
                )
            await self._queue(actor, roster, policy, type, wire, client_msg_id, reply_to_seq)

    async def recall_role(self, roster: Roster, member: Member) -> Role:
        """The role to judge a recall by: an admin without the recall power recalls only
        their own messages, like a member."""
        if member.role is not Role.ADMIN:
            return member.role
        policy = await self._policies.get(roster)
        return (
            member.role if policy.holds(member.user_id, member.role, Power.RECALL) else Role.MEMBER
        )

    async def _check_rate(
        self, conversation_id: int, sender: int, count: int, seconds: int
    ) -> None:
        if not await self._rate_window.allow(conversation_id, sender, count, seconds):
            raise TidingsError(
                ErrorCode.BLOCKED,
                f"sending too fast: at most {count} messages per {seconds} s in this group",
                details={"rule": "rate", "count": count, "seconds": seconds},
            )

    async def _queue(
        self,
        actor: Actor,
        roster: Roster,
        policy: Policy,
        type: str,
        body: dict[str, Any],
        client_msg_id: str,
        reply_to_seq: int | None,
    ) -> None:
        existing = await self._queues.queued(actor.user_id, client_msg_id)
        if existing is None:
            queued, told = await self._queues.queue_message(
                conversation_id=roster.conversation_id,
                sender_id=actor.user_id,
                client_msg_id=client_msg_id,
                type=type,
                body=body,
                reply_to_seq=reply_to_seq,
                moderators=holders(roster, policy, Power.MODERATE),
                now=int(time.time() * 1000),
            )
            await self._publisher.private(told.values())
            pending_id = queued.id
        elif existing.status == "approved":
            return  # the log writer finds the approved entry: a retry returns it
        elif existing.status == "rejected":
            raise TidingsError(
                ErrorCode.MESSAGE_REJECTED,
                f"a moderator rejected this message: {existing.reason}".rstrip(": "),
                details={"pending_id": existing.id, "reason": existing.reason},
            )
        else:
            pending_id = existing.id
        raise TidingsError(
            ErrorCode.PENDING_MODERATION,
            "the message waits for a moderator's approval",
            details={"pending_id": pending_id},
        )


def holders(roster: Roster, policy: Policy, power: Power) -> list[int]:
    return [m.user_id for m in roster.members.values() if policy.holds(m.user_id, m.role, power)]
