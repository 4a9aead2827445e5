"""Group governance (E1, E3-E9, E11): settings, admins and their powers, ownership,
disbanding, mutes, removal, the group blacklist, joining, moderation, announcements, the
board and members' view modes.

Every rule is checked here; the store writes the change and its log entry together; events
go out after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tidings.actions.context import Actor
from tidings.actions.governance import Policies, holders
from tidings.actions.organization import Directory
from tidings.actions.publisher import Publisher
from tidings.actions.rosters import RosterCache
from tidings.actions.site_settings import SiteSettingsActions
from tidings.config import Settings
from tidings.domain.clock import now_ms
from tidings.domain.conversations import ConversationType, Member, Role, Roster, outranks
from tidings.domain.entries import Entry, PrivateEntry
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.groups import (
    ALL_POWERS,
    Admission,
    AdmissionRule,
    GroupSettings,
    JoinMode,
    Policy,
    Power,
    ViewMode,
    blocked_keyword,
    conversation_of_number,
    group_number,
    mute_deadline,
    normalize_keywords,
)
from tidings.store.accounts import AccountStore
from tidings.store.batch import RosterMoved
from tidings.store.conversations import ConversationStore
from tidings.store.group_queues import GroupQueueStore
from tidings.store.groups import GroupStore
from tidings.store.organization import OrgStore

# How many times a moderator's approval is checked again when the group changed meanwhile
# (decision 12), as sends are.
RECHECKS = 5
# Which power each setting needs; fields not listed are the owner's alone.
SETTING_POWERS: dict[str, Power] = {
    "name": Power.EDIT_INFO,
    "avatar": Power.EDIT_INFO,
    "intro": Power.EDIT_INFO,
    "join_mode": Power.APPROVE_JOINS,
    "mute_all": Power.MUTE,
    "moderation": Power.MODERATE,
    "keywords": Power.MODERATE,
    "rate_count": Power.MODERATE,
    "rate_seconds": Power.MODERATE,
}
OWNER_SETTINGS = ("forbid_private_chat", "size_limit")
# Settings only moderators see: members are not told the blocked words.
PRIVATE_SETTINGS = ("keywords", "rate_count", "rate_seconds")


class Groups:
    def __init__(
        self,
        *,
        settings: Settings,
        store: GroupStore,
        queues: GroupQueueStore,
        conversations: ConversationStore,
        accounts: AccountStore,
        org: OrgStore,
        directory: Directory,
        rosters: RosterCache,
        policies: Policies,
        publisher: Publisher,
        site: SiteSettingsActions,
    ) -> None:
        self._settings = settings
        self._site = site
        self._store = store
        self._queues = queues
        self._conversations = conversations
        self._accounts = accounts
        self._org = org
        self._directory = directory
        self._rosters = rosters
        self._policies = policies
        self._publisher = publisher

    # Reading

    async def info(self, actor: Actor, conversation_id: int) -> dict[str, Any]:
        roster, policy = await self._access(actor, conversation_id)
        group = await self._store.group(conversation_id)
        assert group is not None
        me = roster.members[actor.user_id]
        out: dict[str, Any] = {
            "id": group.id,
            "number": group_number(group.id),
            "name": group.name,
            "member_count": group.member_count,
            "created_at": group.created_at,
            **group.settings.public(),
            "role": me.role.value,
            "powers": sorted(p.value for p in _powers_of(policy, me.user_id, me.role)),
            "muted_until": policy.muted_until.get(actor.user_id),
            "view_mode": (await self._store.view_mode(conversation_id, actor.user_id)).value,
        }
        # The effective limit, whether the group set its own or not.
        out["size_limit"] = group.settings.size_limit or self._site.group_size_limit
        if policy.holds(actor.user_id, me.role, Power.MODERATE):
            out["keywords"] = list(group.settings.keywords)
            out["rate_count"] = group.settings.rate_count
            out["rate_seconds"] = group.settings.rate_seconds
        return out

    async def avatars(self, conversation_ids: list[int]) -> dict[int, str]:
        """The avatars of these groups, for the conversation list of one of their members
        (the caller checked membership); groups without one are left out."""
        if not conversation_ids:
            return {}
        return await self._store.avatars(conversation_ids)

    async def find(self, actor: Actor, number: int) -> dict[str, Any]:
        """The public card of a group found by its number (E1: the short group ID)."""
        conversation_id = conversation_of_number(number)
        group = await self._store.group(conversation_id) if conversation_id else None
        if group is None or group.settings.disbanded_at is not None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no group has this number")
        return {
            "id": group.id,
            "number": number,
            "name": group.name,
            "avatar": group.settings.avatar,
            "intro": group.settings.intro,
            "member_count": group.member_count,
            "join_mode": group.settings.join_mode.value,
        }

    async def members_page(
        self, actor: Actor, conversation_id: int, *, after_user_id: int, limit: int
    ) -> dict[str, Any]:
        await self._access(actor, conversation_id)
        limit = max(1, min(limit, 1000))
        rows = await self._store.members_page(
            conversation_id, after_user_id=after_user_id, limit=limit
        )
        return {
            "members": [r.to_wire() for r in rows],
            "next_after_user_id": rows[-1].user_id if len(rows) == limit else None,
        }

    # Settings, admins, ownership

    async def do_update(
        self, actor: Actor, conversation_id: int, changes: dict[str, Any]
    ) -> dict[str, Any]:
        roster, policy = await self._access_live(actor, conversation_id)
        if not changes:
            raise TidingsError(ErrorCode.INVALID_INPUT, "nothing to change")
        me = roster.members[actor.user_id]
        for field in changes:
            power = SETTING_POWERS.get(field)
            allowed = (
                me.role is Role.OWNER
                if power is None
                else policy.holds(actor.user_id, me.role, power)
            )
            if not allowed:
                raise TidingsError(ErrorCode.FORBIDDEN, f"you may not change {field}")
        if "size_limit" in changes and changes["size_limit"] is not None:
            limit = changes["size_limit"]
            if not len(roster.members) <= limit <= self._site.group_size_limit:
                raise TidingsError(
                    ErrorCode.INVALID_INPUT,
                    f"the size limit must be between the member count ({len(roster.members)})"
                    f" and {self._site.group_size_limit}",
                )
        if "join_mode" in changes:
            changes["join_mode"] = JoinMode(changes["join_mode"]).value
        if "keywords" in changes:
            changes["keywords"] = normalize_keywords(changes["keywords"])
        name = changes.pop("name", None)
        visible = {k: v for k, v in changes.items() if k not in PRIVATE_SETTINGS}
        if name is not None:
            visible["name"] = name
        entry = await self._store.update_settings(
            conversation_id=conversation_id,
            actor_id=actor.user_id,
            name=name,
            changes=changes,
            visible=visible,
            now=now_ms(),
        )
        await self._changed(conversation_id, roster, entry)
        return await self.info(actor, conversation_id)

    async def do_set_admin(
        self, actor: Actor, conversation_id: int, user_id: int, powers: Sequence[str] | None
    ) -> dict[str, Any]:
        """Make a member an admin holding ``powers``, change their powers, or (None) make
        them a member again. The owner's alone."""
        roster, _ = await self._access_live(actor, conversation_id)
        self._require_owner(roster, actor)
        target = self._target(roster, user_id)
        if target.role is Role.OWNER:
            raise TidingsError(ErrorCode.INVALID_INPUT, "the owner holds every power")
        role = Role.MEMBER if powers is None else Role.ADMIN
        granted = frozenset(Power(p) for p in powers or ())
        entry = await self._store.set_role(
            conversation_id=conversation_id,
            actor_id=actor.user_id,
            user_id=user_id,
            role=role,
            powers=granted,
            now=now_ms(),
        )
        await self._changed(conversation_id, roster, entry)
        return entry.to_wire()

    async def do_transfer(self, actor: Actor, conversation_id: int, user_id: int) -> dict[str, Any]:
        roster, _ = await self._access_live(actor, conversation_id)
        self._require_owner(roster, actor)
        if user_id == actor.user_id:
            raise TidingsError(ErrorCode.INVALID_INPUT, "you already own this group")
        self._target(roster, user_id)
        entry = await self._store.transfer(
            conversation_id=conversation_id,
            owner_id=actor.user_id,
            new_owner_id=user_id,
            now=now_ms(),
        )
        await self._changed(conversation_id, roster, entry)
        return entry.to_wire()

    async def do_disband(self, actor: Actor, conversation_id: int) -> dict[str, Any]:
        """End the group: members keep its history, read-only, until they leave it."""
        roster, _ = await self._access_live(actor, conversation_id)
        self._require_owner(roster, actor)
        entry = await self._store.disband(
            conversation_id=conversation_id, actor_id=actor.user_id, now=now_ms()
        )
        await self._changed(conversation_id, roster, entry)
        return entry.to_wire()

    # Mutes, removal, the blacklist

    async def do_mute(
        self, actor: Actor, conversation_id: int, user_id: int, seconds: int | None
    ) -> dict[str, Any]:
        roster, policy = await self._access_live(actor, conversation_id)
        self._require(roster, policy, actor, Power.MUTE)
        self._check_outranks(roster, actor, self._target(roster, user_id).role)
        now = now_ms()
        entry = await self._store.mute(
            conversation_id=conversation_id,
            actor_id=actor.user_id,
            user_id=user_id,
            until=mute_deadline(now, seconds, shortest=self._settings.min_mute_seconds),
            now=now,
        )
        await self._changed(conversation_id, roster, entry)
        return entry.to_wire()

    async def do_unmute(self, actor: Actor, conversation_id: int, user_id: int) -> dict[str, Any]:
        roster, policy = await self._access_live(actor, conversation_id)
        self._require(roster, policy, actor, Power.MUTE)
        self._check_outranks(roster, actor, self._target(roster, user_id).role)
        if user_id not in policy.muted_until:
            raise TidingsError(ErrorCode.CONFLICT, "this member is not muted")
        entry = await self._store.mute(
            conversation_id=conversation_id,
            actor_id=actor.user_id,
            user_id=user_id,
            until=None,
            now=now_ms(),
        )
        await self._changed(conversation_id, roster, entry)
        return entry.to_wire()

    async def do_remove(
        self, actor: Actor, conversation_id: int, user_id: int, *, blacklist: bool
    ) -> dict[str, Any]:
        roster, policy = await self._access_live(actor, conversation_id)
        self._require(roster, policy, actor, Power.REMOVE_MEMBERS)
        if user_id == actor.user_id:
            raise TidingsError(ErrorCode.INVALID_INPUT, "leave the group instead")
        self._check_outranks(roster, actor, self._target(roster, user_id).role)
        entry, left = await self._store.remove(
            conversation_id=conversation_id,
            actor_id=actor.user_id,
            user_id=user_id,
            blacklist=blacklist,
            now=now_ms(),
        )
        await self._changed(conversation_id, roster, entry)
        await self._publisher.private([left])
        return entry.to_wire()

    async def do_blacklist(
        self, actor: Actor, conversation_id: int, user_ids: list[int], *, add: bool
    ) -> dict[str, Any]:
        """Add people who are not members to the blacklist, or take anyone off it.
        Members are blacklisted by removing them with ``blacklist``."""
        roster, policy = await self._access_live(actor, conversation_id)
        self._require(roster, policy, actor, Power.REMOVE_MEMBERS)
        wanted = sorted(set(user_ids))
        if add:
            inside = [u for u in wanted if u in roster.members]
            if inside:
                raise TidingsError(
                    ErrorCode.CONFLICT, "remove members to blacklist them", details=inside[:20]
                )
            # Only people one may know of: a hidden person is refused as a missing one.
            known = await self._directory.known_among(actor, wanted)
            missing = [u for u in wanted if u not in known]
            if missing:
                raise TidingsError(ErrorCode.NOT_FOUND, "no such user", details=missing[:20])
            await self._store.blacklist_add(conversation_id, wanted, actor.user_id, now_ms())
        else:
            await self._store.blacklist_remove(conversation_id, wanted)
        return {"blacklist": await self._store.blacklist(conversation_id)}

    async def blacklist(self, actor: Actor, conversation_id: int) -> dict[str, Any]:
        roster, policy = await self._access(actor, conversation_id)
        self._require(roster, policy, actor, Power.REMOVE_MEMBERS)
        return {"blacklist": await self._store.blacklist(conversation_id)}

    # Joining

    async def do_join(self, actor: Actor, conversation_id: int, message: str) -> dict[str, Any]:
        """Join by oneself: at once in open groups, as a request in approval groups."""
        group = await self._store.group(conversation_id)
        if group is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such group")
        if group.settings.disbanded_at is not None:
            # As for sends, invites and governance (decision 15).
            raise TidingsError(ErrorCode.GROUP_DISBANDED, "this group was disbanded")
        mode = group.settings.join_mode
        if mode is JoinMode.INVITE_CODE:
            raise TidingsError(ErrorCode.FORBIDDEN, "this group is joined with an invite code")
        if mode is JoinMode.BACK_OFFICE:
            raise TidingsError(ErrorCode.FORBIDDEN, "members of this group are assigned")
        return await self.admit_or_request(actor, conversation_id, message, mode)

    async def admit_or_request(
        self, actor: Actor, conversation_id: int, message: str, mode: JoinMode
    ) -> dict[str, Any]:
        roster = await self._rosters.get(conversation_id)
        if roster is None or roster.type is not ConversationType.GROUP:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such group")
        if actor.user_id in roster.members:
            raise TidingsError(ErrorCode.CONFLICT, "you are already a member")
        policy = await self._policies.get(roster)
        await self._check_admissible(roster, policy, [actor.user_id], message=message)
        if mode is JoinMode.APPROVAL:
            if await self._queues.pending_request(conversation_id, actor.user_id):
                raise TidingsError(ErrorCode.CONFLICT, "your request is waiting already")
            created = await self._queues.create_join_request(
                conversation_id=conversation_id,
                user_id=actor.user_id,
                message=message,
                approvers=holders(roster, policy, Power.APPROVE_JOINS),
                now=now_ms(),
            )
            if created is None:  # a concurrent request (or admission) of the same person
                raise TidingsError(
                    ErrorCode.CONFLICT, "your request is waiting already, or you are a member"
                )
            request, told = created
            await self._publisher.private(told.values())
            return {"status": "pending", "request": request.to_wire()}
        # Joining by oneself: the joiner is their own inviter.
        entry = await self.admit(
            roster, [actor.user_id], inviter_id=actor.user_id, already="you are already a member"
        )
        return {"status": "joined", "entry": entry.to_wire()}

    async def join_requests(self, actor: Actor, conversation_id: int) -> dict[str, Any]:
        roster, policy = await self._access(actor, conversation_id)
        self._require(roster, policy, actor, Power.APPROVE_JOINS)
        return {
            "requests": [r.to_wire() for r in await self._queues.join_requests(conversation_id)]
        }

    async def do_decide_join(self, actor: Actor, request_id: int, approve: bool) -> dict[str, Any]:
        request = await self._queues.join_request(request_id)
        if request is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such join request")
        roster, policy = await self._access_live(actor, request.conversation_id)
        self._require(roster, policy, actor, Power.APPROVE_JOINS)
        if request.status != "pending":
            raise TidingsError(ErrorCode.CONFLICT, f"this request was {request.status}")
        if approve and request.user_id not in roster.members:
            await self._check_admissible(roster, policy, [request.user_id])
        # An invite the approver let through names its inviter; a request, the approver.
        inviter = request.invited_by if request.invited_by is not None else actor.user_id
        decided = await self._queues.decide_join_request(
            request=request,
            approved=approve,
            actor_id=actor.user_id,
            tell=holders(roster, policy, Power.APPROVE_JOINS),
            now=now_ms(),
            # Admitted in the same transaction: a full group leaves the request pending; a
            # requester who got in meanwhile is simply not added twice.
            admit=(inviter, self.admission_rule([request.user_id], already=None)),
        )
        if decided is None:
            raise TidingsError(ErrorCode.CONFLICT, "this request was decided already")
        told, admitted = decided
        await self._publisher.private(told.values())
        out: dict[str, Any] = {"request_id": request.id, "approved": approve}
        if admitted is not None:
            entry, joined_ids, joined = admitted
            await self._admitted(roster, entry, joined_ids, joined)
            out["entry"] = entry.to_wire()
        return out

    async def do_assign(
        self, actor: Actor, conversation_id: int, user_ids: list[int]
    ) -> dict[str, Any]:
        """The back office (a server admin) puts people in a group, whatever its mode."""
        if not await self._org.is_admin(actor.user_id):
            raise TidingsError(ErrorCode.FORBIDDEN, "only server admins assign members")
        roster = await self._rosters.get(conversation_id)
        if roster is None or roster.type is not ConversationType.GROUP:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such group")
        fresh = sorted(set(user_ids) - set(roster.members))
        if not fresh:
            raise TidingsError(ErrorCode.CONFLICT, "everyone assigned is already a member")
        policy = await self._policies.get(roster)
        await self._check_admissible(roster, policy, fresh)
        entry = await self.admit(
            roster,
            fresh,
            inviter_id=actor.user_id,
            already="everyone assigned is already a member",
        )
        return entry.to_wire()

    async def check_invite(self, actor: Actor, roster: Roster, user_ids: list[int]) -> bool:
        """Whether a member may invite these people, given the join mode, the size limit
        and the blacklist (group.invite runs this before adding anyone). True: add them
        now; False: the group wants approval and the inviter cannot give it, so the invite
        becomes join requests (``do_request_invitees``)."""
        policy = await self._policies.get(roster)
        settings = policy.settings
        if settings is not None and settings.join_mode is JoinMode.BACK_OFFICE:
            raise TidingsError(ErrorCode.FORBIDDEN, "members of this group are assigned")
        await self._check_admissible(roster, policy, user_ids)
        me = roster.members[actor.user_id]
        return not (
            settings is not None
            and settings.join_mode is JoinMode.APPROVAL
            and not policy.holds(actor.user_id, me.role, Power.APPROVE_JOINS)
        )

    async def do_request_invitees(
        self, actor: Actor, roster: Roster, user_ids: list[int]
    ) -> dict[str, Any]:
        """A plain member's invite into an approval group: a join request per invitee,
        recording who invited, for the approvers to decide like any other request."""
        waiting = await self._queues.pending_among(roster.conversation_id, user_ids)
        fresh = [u for u in user_ids if u not in waiting]
        if not fresh:
            raise TidingsError(
                ErrorCode.CONFLICT, "everyone invited is waiting for approval already"
            )
        policy = await self._policies.get(roster)
        requests, told = await self._queues.create_invited_requests(
            conversation_id=roster.conversation_id,
            user_ids=fresh,
            invited_by=actor.user_id,
            approvers=holders(roster, policy, Power.APPROVE_JOINS),
            now=now_ms(),
        )
        if not requests:  # concurrent invites (or joins) of the same people came first
            raise TidingsError(
                ErrorCode.CONFLICT, "everyone invited is waiting for approval already"
            )
        await self._publisher.private(told)
        return {"status": "pending", "requests": [r.to_wire() for r in requests]}

    async def disbanded(self, roster: Roster) -> bool:
        """Whether the group was disbanded (then even its owner may leave it)."""
        policy = await self._policies.get(roster)
        return policy.settings is not None and policy.settings.disbanded_at is not None

    async def admit(
        self, roster: Roster, user_ids: list[int], *, inviter_id: int, already: str
    ) -> Entry:
        """Add those of ``user_ids`` who are not members yet, as the group stands under its
        lock: ``conflict`` (saying ``already``) when they all are, ``group_full`` past the
        size limit, ``group_disbanded`` — whatever else runs at the same time."""
        added = await self._conversations.add_members(
            conversation_id=roster.conversation_id,
            inviter_id=inviter_id,
            user_ids=user_ids,
            rule=self.admission_rule(user_ids, already=already),
            now=now_ms(),
        )
        assert added is not None  # the rule refuses rather than admit nobody
        entry, joined_ids, joined = added
        await self._admitted(roster, entry, joined_ids, joined)
        return entry

    def admission_rule(self, user_ids: list[int], *, already: str | None) -> AdmissionRule:
        """Whom of ``user_ids`` to admit into the group as it stands under its lock
        (decision 12): those not in it yet, unless it was disbanded or they would pass its
        size limit. When all are in already: ``conflict`` saying ``already``, or (None)
        nobody is admitted and nothing is refused."""

        def rule(group: Admission) -> list[int]:
            if group.settings.disbanded_at is not None:
                raise TidingsError(ErrorCode.GROUP_DISBANDED, "this group was disbanded")
            fresh = [u for u in user_ids if u not in group.already_in]
            if not fresh:
                if already is None:
                    return []
                raise TidingsError(ErrorCode.CONFLICT, already)
            limit = self._size_limit(group.settings)
            if group.member_count + len(fresh) > limit:
                raise TidingsError(
                    ErrorCode.GROUP_FULL, f"this group holds at most {limit} members"
                )
            return fresh

        return rule

    async def _admitted(
        self,
        roster: Roster,
        entry: Entry,
        user_ids: list[int],
        joined: dict[int, PrivateEntry],
    ) -> None:
        self._rosters.invalidate(roster.conversation_id)
        self._policies.invalidate(roster.conversation_id)
        await self._publisher.roster_changed(roster.conversation_id)
        await self._publisher.private(joined.values())
        await self._publisher.entry(entry, (*roster.members, *user_ids))

    def _size_limit(self, settings: GroupSettings | None) -> int:
        return min(
            (settings.size_limit if settings else None) or self._site.group_size_limit,
            self._site.group_size_limit,
        )

    # Moderation

    async def moderation_queue(self, actor: Actor, conversation_id: int) -> dict[str, Any]:
        roster, policy = await self._access(actor, conversation_id)
        self._require(roster, policy, actor, Power.MODERATE)
        queued = await self._queues.moderation_queue(conversation_id)
        return {"pending": [q.to_wire() for q in queued]}

    async def do_moderate(
        self, actor: Actor, pending_id: int, approve: bool, reason: str
    ) -> dict[str, Any]:
        for _ in range(RECHECKS - 1):
            try:
                return await self._moderate(actor, pending_id, approve, reason)
            except RosterMoved as moved:
                # The group changed after it was read (the sender may be gone): again.
                self._rosters.invalidate(moved.conversation_id)
        try:
            return await self._moderate(actor, pending_id, approve, reason)
        except RosterMoved:
            raise TidingsError(
                ErrorCode.CONFLICT, "the group's members kept changing; decide again"
            ) from None

    async def _moderate(
        self, actor: Actor, pending_id: int, approve: bool, reason: str
    ) -> dict[str, Any]:
        queued = await self._queues.queued_by_id(pending_id)
        if queued is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such queued message")
        roster, policy = await self._access_live(actor, queued.conversation_id)
        self._require(roster, policy, actor, Power.MODERATE)
        if queued.status != "pending":
            raise TidingsError(ErrorCode.CONFLICT, f"this message was {queued.status}")
        if approve and queued.sender_id not in roster.members:
            raise TidingsError(ErrorCode.CONFLICT, "the sender left the group")
        decided = await self._queues.decide_queued(
            queued=queued,
            approved=approve,
            reason=reason,
            actor_id=actor.user_id,
            moderators=holders(roster, policy, Power.MODERATE),
            now=now_ms(),
            roster_version=roster.version,
        )
        if decided is None:
            raise TidingsError(ErrorCode.CONFLICT, "this message was decided already")
        entry, told = decided
        await self._publisher.private(told)
        out: dict[str, Any] = {"pending_id": pending_id, "approved": approve}
        if entry is not None:
            await self._publisher.entry_to_members(entry, roster)
            out["entry"] = entry.to_wire()
        return out

    # A member's own view

    async def do_set_view_mode(
        self, actor: Actor, conversation_id: int, mode: ViewMode
    ) -> dict[str, Any]:
        await self._access(actor, conversation_id)
        entry = await self._store.set_view_mode(
            conversation_id=conversation_id, user_id=actor.user_id, mode=mode, now=now_ms()
        )
        await self._publisher.private([entry])
        return entry.data

    # Checks

    async def _access(self, actor: Actor, conversation_id: int) -> tuple[Roster, Policy]:
        return await access_group(self._rosters, self._policies, actor, conversation_id)

    async def _access_live(self, actor: Actor, conversation_id: int) -> tuple[Roster, Policy]:
        return await access_group(self._rosters, self._policies, actor, conversation_id, live=True)

    async def _check_admissible(
        self, roster: Roster, policy: Policy, user_ids: list[int], *, message: str = ""
    ) -> None:
        settings = policy.settings
        if settings is not None and settings.disbanded_at is not None:
            raise TidingsError(ErrorCode.GROUP_DISBANDED, "this group was disbanded")
        limit = self._size_limit(settings)
        if len(roster.members) + len(user_ids) > limit:
            raise TidingsError(ErrorCode.GROUP_FULL, f"this group holds at most {limit} members")
        if await self._store.blacklisted(roster.conversation_id, user_ids):
            raise TidingsError(ErrorCode.FORBIDDEN, "blacklisted people cannot join this group")
        if settings is not None and message:
            keyword = blocked_keyword(settings.keywords, [message])
            if keyword is not None:
                raise TidingsError(
                    ErrorCode.BLOCKED,
                    f"the request contains the blocked word {keyword!r}",
                    details={"rule": "keyword", "keyword": keyword},
                )
        found = await self._accounts.users(user_ids)
        missing = [u for u in user_ids if u not in found or found[u].disabled]
        if missing:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user", details=missing[:20])

    def _require(self, roster: Roster, policy: Policy, actor: Actor, power: Power) -> None:
        require_power(roster, policy, actor, power)

    def _require_owner(self, roster: Roster, actor: Actor) -> None:
        if roster.members[actor.user_id].role is not Role.OWNER:
            raise TidingsError(ErrorCode.FORBIDDEN, "only the owner may do this")

    def _target(self, roster: Roster, user_id: int) -> Member:
        target = roster.members.get(user_id)
        if target is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "this user is not a member")
        return target

    def _check_outranks(self, roster: Roster, actor: Actor, target_role: Role) -> None:
        if not outranks(roster.members[actor.user_id].role, target_role):
            raise TidingsError(ErrorCode.FORBIDDEN, "you may not act on an equal or a superior")

    async def _changed(self, conversation_id: int, roster: Roster, entry: Entry | None) -> None:
        """Drop cached rosters and policies everywhere, then tell the members."""
        self._rosters.invalidate(conversation_id)
        self._policies.invalidate(conversation_id)
        await self._publisher.roster_changed(conversation_id)
        if entry is not None:
            await self._publisher.entry(entry, roster.members)


def _powers_of(policy: Policy, user_id: int, role: Role) -> frozenset[Power]:
    if role is Role.OWNER:
        return ALL_POWERS
    if role is Role.ADMIN:
        return policy.powers.get(user_id, frozenset())
    return frozenset()


async def access_group(
    rosters: RosterCache,
    policies: Policies,
    actor: Actor,
    conversation_id: int,
    *,
    live: bool = False,
) -> tuple[Roster, Policy]:
    """The group's roster and policy for one of its members (``not_member`` otherwise);
    ``live``: refuse a disbanded group."""
    roster = await rosters.access(conversation_id, actor.user_id)
    if roster.type is not ConversationType.GROUP:
        raise TidingsError(ErrorCode.INVALID_INPUT, "this is not a group")
    policy = await policies.get(roster)
    if live and policy.settings is not None and policy.settings.disbanded_at is not None:
        raise TidingsError(ErrorCode.GROUP_DISBANDED, "this group was disbanded")
    return roster, policy


def require_power(roster: Roster, policy: Policy, actor: Actor, power: Power) -> None:
    me = roster.members[actor.user_id]
    if not policy.holds(actor.user_id, me.role, power):
        raise TidingsError(ErrorCode.FORBIDDEN, f"this needs the {power.value} power")
