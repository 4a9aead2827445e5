"""Opening direct chats, groups and their members, and the conversation list (D1, D8)."""

from __future__ import annotations

from typing import Any

from tidings.actions.context import Actor
from tidings.actions.groups import Groups
from tidings.actions.moderation import ContentScreen
from tidings.actions.organization import Directory
from tidings.actions.privacy import PrivacySettings
from tidings.actions.publisher import Publisher
from tidings.actions.rosters import RosterCache
from tidings.actions.site_settings import SiteSettingsActions
from tidings.config import Settings
from tidings.domain.clock import now_ms
from tidings.domain.conversations import ConversationType, Role, Roster, direct_key
from tidings.domain.entries import Entry
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.moderation import ReportTarget
from tidings.limits import Limits
from tidings.store.accounts import AccountStore
from tidings.store.conversations import SETTINGS_FIELDS, ConversationStore, MemberView


class Conversations:
    def __init__(
        self,
        *,
        settings: Settings,
        store: ConversationStore,
        accounts: AccountStore,
        rosters: RosterCache,
        publisher: Publisher,
        groups: Groups,
        directory: Directory,
        limits: Limits,
        privacy: PrivacySettings,
        site: SiteSettingsActions,
        screen: ContentScreen,
    ) -> None:
        self._screen = screen
        self._settings = settings
        self._site = site
        self._limits = limits
        self._privacy = privacy
        self._store = store
        self._accounts = accounts
        self._rosters = rosters
        self._publisher = publisher
        self._groups = groups
        self._directory = directory

    async def do_open_direct(
        self, actor: Actor, peer_id: int, via_group_id: int | None = None
    ) -> dict[str, Any]:
        """The direct chat with ``peer_id``, created on first use (when the peer is visible
        to the actor, or met in ``via_group_id`` and that group allows it)."""
        if peer_id == actor.user_id:
            raise TidingsError(ErrorCode.INVALID_INPUT, "a direct chat needs another user")
        peer = await self._accounts.user(peer_id)
        if peer is None or peer.disabled:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
        key = direct_key(actor.user_id, peer_id)
        conversation_id = await self._store.direct_between(key)
        if conversation_id is None:
            await self._directory.check_may_open_direct(actor, peer_id, via_group_id)
            if self._settings.direct_chat_requires_friendship and not (
                await self._store.are_friends(actor.user_id, peer_id)
            ):
                raise TidingsError(ErrorCode.NOT_FRIENDS, "add this user as a friend first")
            conversation_id, joined = await self._store.create_direct(
                key=key, user_ids=(actor.user_id, peer_id), now=now_ms()
            )
            await self._publisher.private(joined.values())
        return await self.summary(actor, conversation_id)

    async def do_open_direct_for_app(self, user_id: int, peer_id: int) -> int:
        """The direct chat of two users an app names (or of its bot and a user), created on
        first use. An administrator registered the app and gave it the scope: the tree's
        visibility and the friendship rule, which guard people from each other, do not
        stand between an app and the company's users (decision 0067)."""
        if peer_id == user_id:
            raise TidingsError(ErrorCode.INVALID_INPUT, "a direct chat needs two users")
        key = direct_key(user_id, peer_id)
        conversation_id = await self._store.direct_between(key)
        if conversation_id is None:
            conversation_id, joined = await self._store.create_direct(
                key=key, user_ids=(user_id, peer_id), now=now_ms()
            )
            await self._publisher.private(joined.values())
        return conversation_id

    async def do_create_group_for_app(self, owner: Actor, name: str, member_ids: list[int]) -> int:
        """A group an app creates for ``owner`` with these members (visibility aside, as
        for direct chats; the size limit and the word list hold)."""
        invited = sorted(set(member_ids) - {owner.user_id})
        if 1 + len(invited) > self._site.group_size_limit:
            raise TidingsError(
                ErrorCode.GROUP_FULL, f"a group holds at most {self._site.group_size_limit} members"
            )
        name, flagged = self._screen.text("name", name)
        conversation_id, entry, joined = await self._store.create_group(
            owner_id=owner.user_id, name=name, member_ids=invited, now=now_ms()
        )
        await self._publisher.private(joined.values())
        await self._publisher.entry(entry, joined)
        await self._screen.flag(
            ReportTarget.GROUP,
            words=flagged,
            text=name,
            conversation_id=conversation_id,
            user_id=owner.user_id,
            where="group name",
        )
        return conversation_id

    async def do_add_for_app(self, conversation_id: int, user_ids: list[int]) -> dict[str, Any]:
        """Add people (or the app's bot) to a group on its owner's behalf."""
        roster = await self._rosters.get(conversation_id)
        if roster is None or roster.type is not ConversationType.GROUP:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such group")
        owner = next((m.user_id for m in roster.members.values() if m.role is Role.OWNER), None)
        if owner is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such group")
        fresh = sorted(set(user_ids) - set(roster.members))
        if not fresh:
            raise TidingsError(ErrorCode.CONFLICT, "everyone named is already a member")
        entry = await self._groups.admit(
            roster, fresh, inviter_id=owner, already="everyone named is already a member"
        )
        return entry.to_wire()

    async def group_owner(self, conversation_id: int) -> Actor:
        """The owner of a group, as the actor of what an app does in it."""
        roster = await self._rosters.get(conversation_id)
        if roster is not None and roster.type is ConversationType.GROUP:
            for member in roster.members.values():
                if member.role is Role.OWNER:
                    return Actor(member.user_id, session_id=0)
        raise TidingsError(ErrorCode.NOT_FOUND, "no such group")

    async def do_create_group(
        self, actor: Actor, name: str, member_ids: list[int]
    ) -> dict[str, Any]:
        await self._limits.hit("group_create", actor.user_id)
        await self._site.require_unless_admin(actor, "group_creation_by_members")
        invited = await self._check_invitees(
            actor, sorted(set(member_ids) - {actor.user_id}), current_size=1
        )
        name, flagged = self._screen.text("name", name)
        await self._limits.hit("members_add", actor.user_id, cost=len(invited))
        conversation_id, entry, joined = await self._store.create_group(
            owner_id=actor.user_id, name=name, member_ids=invited, now=now_ms()
        )
        await self._publisher.private(joined.values())
        await self._publisher.entry(entry, joined)
        await self._screen.flag(
            ReportTarget.GROUP,
            words=flagged,
            text=name,
            conversation_id=conversation_id,
            user_id=actor.user_id,
            where="group name",
        )
        return await self.summary(actor, conversation_id)

    async def do_invite(
        self, actor: Actor, conversation_id: int, user_ids: list[int]
    ) -> dict[str, Any]:
        """Add people to a group: the ``member_joined`` entry; in an approval group, from a
        member without the approve-joins power, ``{"status": "pending", "requests"}``."""
        roster = await self._access_group(actor, conversation_id)
        fresh = sorted(set(user_ids) - set(roster.members))
        if not fresh:
            raise TidingsError(ErrorCode.CONFLICT, "everyone invited is already a member")
        # Who exists and is visible first: a hidden person is refused exactly like a missing
        # one, whatever else the group would say about them.
        invited = await self._check_invitees(actor, fresh, current_size=len(roster.members))
        if not await self._groups.check_invite(actor, roster, invited):
            return await self._groups.do_request_invitees(actor, roster, invited)
        await self._limits.hit("members_add", actor.user_id, cost=len(invited))
        # Judged again under the group's lock: concurrent invites and joins may have
        # filled it, or brought some of these people in, since the roster was read.
        entry = await self._groups.admit(
            roster,
            invited,
            inviter_id=actor.user_id,
            already="everyone invited is already a member",
        )
        return entry.to_wire()

    async def do_leave(self, actor: Actor, conversation_id: int) -> dict[str, Any]:
        roster = await self._access_group(actor, conversation_id)
        member = roster.members[actor.user_id]
        if (
            member.role is Role.OWNER
            and len(roster.members) > 1
            and not await self._groups.disbanded(roster)
        ):
            raise TidingsError(
                ErrorCode.FORBIDDEN, "the owner must transfer ownership before leaving"
            )
        entry, left = await self._store.remove_member(
            conversation_id=conversation_id, user_id=actor.user_id, now=now_ms()
        )
        self._rosters.invalidate(conversation_id)
        await self._publisher.roster_changed(conversation_id)
        await self._publisher.entry(entry, roster.members)
        await self._publisher.private([left])
        return entry.to_wire()

    async def do_update_settings(
        self, actor: Actor, conversation_id: int, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Pin, mute, draft: the user's own, synced to their other devices."""
        await self._rosters.access(conversation_id, actor.user_id)
        unknown = set(changes) - set(SETTINGS_FIELDS)
        if unknown or not changes:
            raise TidingsError(ErrorCode.INVALID_INPUT, "settings are pinned, muted and draft")
        entry = await self._store.update_settings(
            conversation_id=conversation_id,
            user_id=actor.user_id,
            changes=changes,
            now=now_ms(),
        )
        await self._publisher.private([entry])
        return entry.data

    async def list_all(self, actor: Actor) -> list[dict[str, Any]]:
        """The conversation list: pinned first, then by last activity (D8)."""
        views = await self._store.member_views(actor.user_id)
        summaries = await self._summaries(actor.user_id, views)
        summaries.sort(key=lambda s: (not s["pinned"], -s["last_activity_at"], -s["id"]))
        return summaries

    async def summary(self, actor: Actor, conversation_id: int) -> dict[str, Any]:
        """The list's summary of one conversation; of a group one has left too, as it was
        when one left (``left_seq``; decision 0075)."""
        view = await self._store.member_view(conversation_id, actor.user_id, former=True)
        if view is None:
            raise TidingsError(ErrorCode.NOT_MEMBER, "you are not a member of this conversation")
        (summary,) = await self._summaries(actor.user_id, [view])
        return summary

    async def members(self, actor: Actor, conversation_id: int) -> list[dict[str, Any]]:
        roster = await self._rosters.access(conversation_id, actor.user_id)
        if roster.type is ConversationType.GROUP:
            # A group's member list reads up to 10,000 users.
            await self._limits.hit("member_list", actor.user_id)
        users = await self._accounts.users(list(roster.members))
        return [
            {
                "user_id": m.user_id,
                "role": m.role.value,
                "nickname": users[m.user_id].nickname if m.user_id in users else "",
                "avatar": users[m.user_id].avatar if m.user_id in users else "",
            }
            for m in roster.members.values()
        ]

    async def _summaries(self, user_id: int, views: list[MemberView]) -> list[dict[str, Any]]:
        shown = [
            (v.conversation.id, v.readable.top(v.conversation.last_seq), v.history_floor)
            for v in views
            if v.readable.top(v.conversation.last_seq) > v.history_floor
        ]
        last: dict[int, Entry | None] = dict(
            await self._store.last_entries([(cid, seq) for cid, seq, _ in shown])
        )
        # The preview is the newest entry the user still sees: not one deleted for them.
        last.update(await self._store.newest_visible(user_id, shown))
        unread = await self._store.unread_counts(
            user_id, [v.conversation.id for v in views] if len(views) == 1 else None
        )
        directs = [
            v.conversation.id for v in views if v.conversation.type is ConversationType.DIRECT
        ]
        positions = await self._store.positions_of(directs)
        peers = {
            cid: next((p for p in found if p.user_id != user_id), None)
            for cid, found in positions.items()
        }
        peer_users = await self._accounts.users([p.user_id for p in peers.values() if p])
        # Peers who do not send read receipts show delivered, never read (privacy).
        silent = await self._privacy.receipts_hidden_among(list(peer_users))
        avatars = await self._groups.avatars(
            [v.conversation.id for v in views if v.conversation.type is ConversationType.GROUP]
        )
        out: list[dict[str, Any]] = []
        for view in views:
            conv = view.conversation
            preview = last.get(conv.id)
            summary: dict[str, Any] = {
                "id": conv.id,
                "type": conv.type.value,
                "name": conv.name,
                "last_seq": conv.last_seq,
                "last_activity_at": conv.last_activity_at,
                "role": view.role.value,
                "visible_from_seq": view.visible_from_seq,
                "read_seq": view.read_seq,
                "delivered_seq": view.delivered_seq,
                "cleared_seq": view.cleared_seq,
                "pinned": view.pinned,
                "muted": view.muted,
                "draft": view.draft,
                "unread": unread.get(conv.id, 0),
                "preview": preview.to_wire() if preview else None,
            }
            if view.left_seq is not None:
                # Left: the conversation as it was then, read-only.
                summary["left_seq"] = view.left_seq
                summary["last_seq"] = view.readable.top(conv.last_seq)
            if conv.type is ConversationType.GROUP:
                summary["avatar"] = avatars.get(conv.id, "")
            peer = peers.get(conv.id)
            if peer is not None:
                peer_user = peer_users.get(peer.user_id)
                summary["name"] = peer_user.nickname if peer_user else ""
                summary["peer"] = {
                    "user_id": peer.user_id,
                    "read_seq": 0 if peer.user_id in silent else peer.read_seq,
                    "delivered_seq": peer.delivered_seq,
                    "avatar": peer_user.avatar if peer_user else "",
                }
            out.append(summary)
        return out

    async def _access_group(self, actor: Actor, conversation_id: int) -> Roster:
        roster = await self._rosters.access(conversation_id, actor.user_id)
        if roster.type is not ConversationType.GROUP:
            raise TidingsError(ErrorCode.INVALID_INPUT, "this is not a group")
        return roster

    async def _check_invitees(
        self, actor: Actor, user_ids: list[int], *, current_size: int
    ) -> list[int]:
        """People one may add to a group: existing, enabled, and visible to the actor
        (decision 0011); anyone else is ``not_found``, the hidden like the missing."""
        if current_size + len(user_ids) > self._site.group_size_limit:
            raise TidingsError(
                ErrorCode.GROUP_FULL,
                f"a group holds at most {self._site.group_size_limit} members",
            )
        found = await self._accounts.users(user_ids)
        hidden = await self._directory.hidden_among(actor, user_ids)
        missing = [u for u in user_ids if u not in found or found[u].disabled or u in hidden]
        if missing:
            raise TidingsError(
                ErrorCode.NOT_FOUND, "some invited users do not exist", details=missing[:20]
            )
        return user_ids
