"""The back office's groups (PRODUCT.md K2): every group found by name, number or owner; its
members; changing its owner, disbanding it, assigning members and setting its size limit and
join mode, as a server admin who need not be a member. Each change is one audited admin
action and the same log entry a member's change writes (decision 0059).
"""

from __future__ import annotations

from typing import Any

from tidings.actions.admin_gate import AdminGate
from tidings.actions.context import Actor
from tidings.actions.groups import Groups
from tidings.actions.rosters import RosterCache
from tidings.actions.site_settings import SiteSettingsActions
from tidings.domain.admin import AdminPower
from tidings.domain.clock import now_ms
from tidings.domain.conversations import ConversationType, Role, Roster
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.groups import JoinMode, conversation_of_number, group_number
from tidings.store.admin_groups import AdminGroupStore, GroupQuery, ListedGroup
from tidings.store.groups import GroupStore


class AdminGroups:
    def __init__(
        self,
        *,
        site: SiteSettingsActions,
        gate: AdminGate,
        store: AdminGroupStore,
        groups_store: GroupStore,
        groups: Groups,
        rosters: RosterCache,
    ) -> None:
        self._site = site
        self._gate = gate
        self._store = store
        self._groups_store = groups_store
        self._groups = groups
        self._rosters = rosters

    # Reading

    async def list_groups(self, actor: Actor, query: GroupQuery) -> dict[str, Any]:
        """A page of groups, newest first; a query of digits also finds the group with that
        number."""
        await self._gate.require(actor, AdminPower.GROUPS)
        if query.text.isdigit() and len(query.text) < 19:
            number = conversation_of_number(int(query.text))
            query = GroupQuery(
                text=query.text,
                conversation_id=number if number is not None else 0,
                owner_id=query.owner_id,
                disbanded=query.disbanded,
                after_id=query.after_id,
                limit=query.limit,
            )
        found, more = await self._store.page(query)
        return {
            "groups": [self._wire(g) for g in found],
            "next_after_id": found[-1].id if more and found else None,
        }

    async def details(
        self, actor: Actor, conversation_id: int, *, after_user_id: int, limit: int
    ) -> dict[str, Any]:
        """The group as listed, its intro, and a page of its members (by user id)."""
        await self._gate.require(actor, AdminPower.GROUPS)
        listed = await self._listed(conversation_id)
        record = await self._groups_store.group(conversation_id)
        assert record is not None
        rows = await self._groups_store.members_page(
            conversation_id, after_user_id=after_user_id, limit=limit
        )
        return {
            **self._wire(listed),
            "intro": record.settings.intro,
            "server_size_limit": self._site.group_size_limit,
            "members": [r.to_wire() for r in rows],
            "next_after_user_id": rows[-1].user_id if len(rows) == limit else None,
        }

    # Changing

    async def do_change_owner(
        self, actor: Actor, conversation_id: int, user_id: int
    ) -> dict[str, Any]:
        """Make a member the owner; the owner before becomes a member (``owner_changed``)."""
        async with self._gate.act(
            actor,
            AdminPower.GROUPS,
            "group.change_owner",
            target_type="group",
            target_id=conversation_id,
        ) as note:
            roster = await self._live_group(conversation_id)
            if user_id not in roster.members:
                raise TidingsError(ErrorCode.NOT_FOUND, "this user is not a member")
            owner_id = next((u for u, m in roster.members.items() if m.role is Role.OWNER), None)
            if owner_id == user_id:
                raise TidingsError(ErrorCode.CONFLICT, "this member owns the group already")
            note.details.update({"from": owner_id, "to": user_id})
            # A group whose owner is gone (none stays ownerless today) gets one all the same:
            # the new owner stands in for the old one in the entry.
            entry = await self._groups_store.transfer(
                conversation_id=conversation_id,
                owner_id=owner_id if owner_id is not None else user_id,
                new_owner_id=user_id,
                now=now_ms(),
            )
        await self._groups.announce_change(conversation_id, roster, entry)
        return entry.to_wire()

    async def do_disband(self, actor: Actor, conversation_id: int) -> dict[str, Any]:
        """End the group as its owner would: members keep its history, read-only."""
        async with self._gate.act(
            actor,
            AdminPower.GROUPS,
            "group.disband",
            target_type="group",
            target_id=conversation_id,
        ):
            roster = await self._live_group(conversation_id)
            # The back office, not a member, disbanded it: the entry has no sender.
            entry = await self._groups_store.disband(
                conversation_id=conversation_id, actor_id=None, now=now_ms()
            )
        await self._groups.announce_change(conversation_id, roster, entry)
        return entry.to_wire()

    async def do_assign(
        self, actor: Actor, conversation_id: int, user_ids: list[int]
    ) -> dict[str, Any]:
        """Put people in the group whatever its join mode (group.assign's rules)."""
        async with self._gate.act(
            actor,
            AdminPower.GROUPS,
            "group.assign",
            target_type="group",
            target_id=conversation_id,
            details={"user_ids": sorted(set(user_ids))[:100]},
        ):
            await self._listed(conversation_id)
            return await self._groups.do_assign(actor, conversation_id, user_ids)

    async def do_update(
        self,
        actor: Actor,
        conversation_id: int,
        *,
        size_limit: int | None,
        clear_size_limit: bool,
        join_mode: JoinMode | None,
    ) -> dict[str, Any]:
        """Set the group's own size limit (between its member count and the server's limit;
        ``clear_size_limit``: the server's again) and its join mode."""
        changes: dict[str, Any] = {}
        if clear_size_limit:
            changes["size_limit"] = None
        elif size_limit is not None:
            changes["size_limit"] = size_limit
        if join_mode is not None:
            changes["join_mode"] = join_mode.value
        if not changes:
            raise TidingsError(ErrorCode.INVALID_INPUT, "nothing to change")
        async with self._gate.act(
            actor,
            AdminPower.GROUPS,
            "group.update",
            target_type="group",
            target_id=conversation_id,
            details=dict(changes),
        ):
            roster = await self._live_group(conversation_id)
            limit = changes.get("size_limit")
            server_limit = self._site.group_size_limit
            if limit is not None and not len(roster.members) <= limit <= server_limit:
                raise TidingsError(
                    ErrorCode.INVALID_INPUT,
                    f"the size limit must be between the member count ({len(roster.members)})"
                    f" and the server's limit ({server_limit})",
                    details={"member_count": len(roster.members), "server_limit": server_limit},
                )
            entry = await self._groups_store.update_settings(
                conversation_id=conversation_id,
                actor_id=None,
                name=None,
                changes=changes,
                visible=changes,
                now=now_ms(),
            )
        await self._groups.announce_change(conversation_id, roster, entry)
        return self._wire(await self._listed(conversation_id))

    # Helpers

    async def _listed(self, conversation_id: int) -> ListedGroup:
        found = await self._store.listed(conversation_id)
        if found is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such group")
        return found

    async def _live_group(self, conversation_id: int) -> Roster:
        """The group's roster; ``not_found`` if it is none, ``group_disbanded`` if ended."""
        roster = await self._rosters.get(conversation_id)
        if roster is None or roster.type is not ConversationType.GROUP:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such group")
        if await self._groups.disbanded(roster):
            raise TidingsError(ErrorCode.GROUP_DISBANDED, "this group was disbanded")
        return roster

    def _wire(self, group: ListedGroup) -> dict[str, Any]:
        return group.to_wire(
            number=group_number(group.id), server_limit=self._site.group_size_limit
        )
