"""The organization and the directory (C1-C4, B1): browsing and searching the tree and
people, profiles, and who may open a direct chat with whom — all under the visibility rules
of domain/organization.py. Admins change the tree here too.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from tidings.actions.admin_gate import AdminGate
from tidings.actions.context import Actor
from tidings.actions.governance import Policies
from tidings.actions.privacy import PrivacySettings
from tidings.actions.publisher import Publisher
from tidings.actions.rosters import RosterCache
from tidings.domain.admin import AdminPower
from tidings.domain.clock import now_ms
from tidings.domain.contacts import card
from tidings.domain.conversations import ConversationType
from tidings.domain.directory import SearchIndex, merge_unique, normalize_query
from tidings.domain.entries import PrivateEntry
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.events import PushEvent, frame
from tidings.domain.organization import (
    OrgTree,
    Visibility,
    user_visible,
    visibility_for,
)
from tidings.limits import Limits
from tidings.store.accounts import AccountStore
from tidings.store.contacts import ContactStore
from tidings.store.conversations import ConversationStore
from tidings.store.organization import OrgStore, Placement, TreeEditRefused

logger = logging.getLogger(__name__)

# Another node may change the tree: its version is checked at most this often.
TREE_RECHECK_SECONDS = 1.0
SEARCH_PAGE_MAX = 100
# Renames and disabled accounts reach the search index within this time.


class OrgCache:
    """The whole tree in memory, and each viewer's visibility computed once per version."""

    def __init__(self, store: OrgStore) -> None:
        self._store = store
        self._tree: OrgTree | None = None
        self._checked = 0.0
        # Bumped by every invalidate(): a tree read before a change and loaded after it is not
        # kept (it would hide the change until the next recheck).
        self._generation = 0
        self._visibility: dict[tuple[int, bool], Visibility] = {}
        self._admins: dict[int, tuple[bool, float]] = {}

    async def tree(self) -> OrgTree:
        now = time.monotonic()
        if self._tree is not None and now - self._checked < TREE_RECHECK_SECONDS:
            return self._tree
        generation = self._generation
        if self._tree is None or await self._store.version() != self._tree.version:
            tree = await self._store.tree()
            if generation != self._generation:
                return tree  # changed meanwhile: served once, not kept
            self._tree = tree
            self._visibility.clear()
        elif generation != self._generation:
            return await self.tree()
        self._checked = now
        return self._tree

    async def visibility(self, user_id: int, is_admin: bool) -> tuple[OrgTree, Visibility]:
        tree = await self.tree()
        key = (user_id, is_admin)
        found = self._visibility.get(key) if tree is self._tree else None
        if found is None:
            found = visibility_for(tree, user_id, is_admin=is_admin)
            if tree is self._tree:  # not for a tree served once (see tree())
                if len(self._visibility) > 50_000:
                    self._visibility.clear()
                self._visibility[key] = found
        return tree, found

    async def is_admin(self, user_id: int) -> bool:
        """The admin flag for what a user may *see*, read again at most once a second
        (like the tree): granting or revoking (`tidings user admin`) shows within that.
        Changing anything checks the flag afresh (``Directory.check_admin``)."""
        now = time.monotonic()
        found = self._admins.get(user_id)
        if found is not None and now - found[1] < TREE_RECHECK_SECONDS:
            return found[0]
        if len(self._admins) > 50_000:
            self._admins.clear()
        flag = await self._store.is_admin(user_id)
        self._admins[user_id] = (flag, now)
        return flag

    def invalidate(self) -> None:
        self._generation += 1
        self._tree = None
        self._visibility.clear()


class DirectoryIndex:
    """The search index of all users, kept fresh enough: new accounts are picked up at once
    (a max(id) lookup per search), renames and the like within ``reload_seconds`` (a reload
    in the background); results are checked on fresh rows before they are shown."""

    def __init__(self, store: OrgStore, *, reload_seconds: float) -> None:
        self._store = store
        self._reload_seconds = reload_seconds
        self._index: SearchIndex | None = None
        self._loaded = 0.0
        self._reload: asyncio.Task[None] | None = None
        self._dirty = False

    async def current(self) -> SearchIndex:
        now = time.monotonic()
        if self._index is None or self._dirty:
            self._dirty = False
            self._index = SearchIndex(await self._store.listings())
            self._loaded = now
            return self._index
        if now - self._loaded > self._reload_seconds and self._reload is None:
            self._reload = asyncio.create_task(self._reload_all(now))
        # One indexed lookup per search: someone who just signed up is found at once, also
        # while a reload is under way (the old index serves until the new one is ready).
        if await self._store.max_user_id() > self._index.max_id:
            self._index.add(await self._store.listings(after_id=self._index.max_id))
        return self._index

    def refresh(self) -> None:
        """Users changed here (an import): the next search reloads the index first."""
        self._dirty = True

    async def _reload_all(self, started: float) -> None:
        try:
            listings = await self._store.listings()
            # Building 50,000 records takes tens of milliseconds: off the event loop, so
            # searches and sends go on meanwhile (the old index serves until it is ready).
            self._index = await asyncio.to_thread(SearchIndex, listings)
            self._loaded = started
        except Exception:
            # The old index keeps serving; the next search tries again.
            logger.exception("reloading the people search index failed")
        finally:
            self._reload = None


class ViewerIndexes:
    """Search indexes of only what a restricted viewer may see, so a member's search scans
    the few hundred people visible to them at C speed instead of checking every one of the
    thousands of hits in the whole company ("wang" matches 1 in 20 people).

    Two kinds: the people in a set of visible departments, cached per set (viewers in the
    same departments share one; least recently used dropped past ``capacity``), and the
    people outside the tree, whom everyone sees (kept up to date as people sign up). Both are
    cut from the full index and rebuilt when it or the tree changes.
    """

    def __init__(self, *, capacity: int = 256) -> None:
        self._capacity = capacity
        self._index: SearchIndex | None = None
        self._tree_version = -1
        self._unplaced: SearchIndex | None = None
        self._unplaced_upto = 0
        self._placed: OrderedDict[frozenset[int], SearchIndex] = OrderedDict()

    def for_viewer(
        self, index: SearchIndex, tree: OrgTree, visibility: Visibility
    ) -> tuple[SearchIndex, SearchIndex] | None:
        """(people in the viewer's visible departments, people in no department); None when
        the viewer sees over a quarter of the company: filtering the full index's hits is
        as quick then, and the copy would cost memory."""
        if index is not self._index or tree.version != self._tree_version:
            self._index, self._tree_version = index, tree.version
            self._unplaced, self._unplaced_upto = SearchIndex(), 0
            self._placed.clear()
        unplaced = self._unplaced
        assert unplaced is not None
        if index.max_id > self._unplaced_upto:
            fresh = index.ids_after(self._unplaced_upto)
            unplaced.extend_from(index, [u for u in fresh if u not in tree.memberships])
            self._unplaced_upto = index.max_id
        placed = self._placed.get(visibility.departments)
        if placed is None:
            people: set[int] = set()
            for dept_id in visibility.departments:
                people.update(tree.members.get(dept_id, ()))
            if len(people) > len(index) // 4:
                return None
            placed = self._placed[visibility.departments] = index.subset(people)
            if len(self._placed) > self._capacity:
                self._placed.popitem(last=False)
        else:
            self._placed.move_to_end(visibility.departments)
        return placed, unplaced


# What a profile shows of a chat partner the tree hides, instead of their work details.
WORK_FIELDS_BLANK: dict[str, str] = {"work_email": "", "office_phone": "", "desk": ""}


class Directory:
    def __init__(
        self,
        *,
        org: OrgStore,
        cache: OrgCache,
        index: DirectoryIndex,
        contacts: ContactStore,
        conversations: ConversationStore,
        accounts: AccountStore,
        rosters: RosterCache,
        policies: Policies,
        publisher: Publisher,
        limits: Limits,
        privacy: PrivacySettings,
        gate: AdminGate,
    ) -> None:
        self._gate = gate
        self._limits = limits
        self._privacy = privacy
        self._org = org
        self._cache = cache
        self._index = index
        self._contacts = contacts
        self._conversations = conversations
        self._accounts = accounts
        self._rosters = rosters
        self._policies = policies
        self._publisher = publisher
        self._viewer_indexes = ViewerIndexes()

    # Visibility

    async def view(self, actor: Actor) -> tuple[OrgTree, Visibility]:
        return await self._cache.visibility(
            actor.user_id, await self._cache.is_admin(actor.user_id)
        )

    async def may_see(self, actor: Actor, user_id: int) -> bool:
        tree, visibility = await self.view(actor)
        if user_visible(tree, visibility, user_id, actor.user_id):
            return True
        return user_id in await self._contacts.friend_ids(actor.user_id)

    async def hidden_among(self, actor: Actor, user_ids: list[int]) -> set[int]:
        """Those of ``user_ids`` the actor may not see (one tree look-up for them all; the
        friends list is read only if the tree hides someone)."""
        tree, visibility = await self.view(actor)
        hidden = {u for u in user_ids if not user_visible(tree, visibility, u, actor.user_id)}
        if hidden:
            hidden -= await self._contacts.friend_ids(actor.user_id)
        return hidden

    async def visible_user(self, actor: Actor, user_id: int) -> Any:
        """The user if the actor may see them; ``not_found`` for hidden and missing alike."""
        user = await self._accounts.user(user_id)
        if user is None or user.disabled or not await self.may_see(actor, user_id):
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
        return user

    async def shown_among(self, actor: Actor, user_ids: list[int]) -> set[int]:
        """Those of ``user_ids`` whose card (name, avatar, public profile) the actor may
        read: people the tree lets them see, friends, and anyone they share a conversation
        with — a direct chat's partner, a fellow member of a group, a former member its
        history shows. The tree hides the rest of the company, never one's own chat
        partners (decision 0011). Ids of nobody are left in: callers drop them."""
        hidden = await self.hidden_among(actor, user_ids)
        if hidden:
            hidden -= await self._conversations.met_among(actor.user_id, sorted(hidden))
        return set(user_ids) - hidden

    async def shown_user(self, actor: Actor, user_id: int) -> Any:
        """The user if the actor may read their card; ``not_found`` for anyone else, the
        hidden like the missing."""
        user = await self._accounts.user(user_id)
        if user is None or user.disabled or user_id not in await self.shown_among(actor, [user_id]):
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
        return user

    async def known_among(self, actor: Actor, user_ids: list[int]) -> set[int]:
        """Those of ``user_ids`` the actor may know exist: people they may see, and people
        they have met — in a conversation they are in (its member list or history shows
        them anyway) or by a friend request waiting for their answer (it shows its sender).
        Anyone else, like an id of nobody, is unknown: an op naming them answers as for a
        missing user, so that no op tells a hidden person from no one (decision 0011)."""
        wanted = list(dict.fromkeys(user_ids))
        existing = list(await self._accounts.users(wanted))
        hidden = await self.hidden_among(actor, existing)
        if hidden:
            hidden -= await self._conversations.met_among(actor.user_id, sorted(hidden))
        if hidden:
            hidden -= {r.from_user_id for r in await self._contacts.incoming(actor.user_id)}
        return set(existing) - hidden

    async def check_known(self, actor: Actor, user_id: int) -> None:
        """``not_found`` for a user the actor may not know of, as for one who does not exist."""
        if user_id not in await self.known_among(actor, [user_id]):
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")

    async def check_may_open_direct(
        self, actor: Actor, peer_id: int, via_group_id: int | None
    ) -> None:
        """Opening a direct chat reveals the peer: they must be visible to the actor, or
        met in a group the actor names — unless that group forbids private chat between
        members who are not friends (E7)."""
        if via_group_id is None:
            await self.visible_user(actor, peer_id)
            return
        roster = await self._rosters.access(via_group_id, actor.user_id)
        if roster.type is not ConversationType.GROUP or peer_id not in roster.members:
            # The words of a missing peer's: a hidden one is not told apart by the message.
            raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
        policy = await self._policies.get(roster)
        if (
            policy.settings is not None
            and policy.settings.forbid_private_chat
            and peer_id not in await self._contacts.friend_ids(actor.user_id)
        ):
            raise TidingsError(
                ErrorCode.PRIVATE_CHAT_FORBIDDEN,
                "this group forbids private chats between members who are not friends",
            )

    # Reading

    async def search(self, actor: Actor, query: str, *, limit: int, offset: int) -> dict[str, Any]:
        """People whose account or nickname contains ``query``, or whose phone is it, that
        the actor may see; in id order, paged."""
        await self._limits.hit("search", actor.user_id)
        return await self._search_people(actor, query, limit=limit, offset=offset)

    async def _search_people(
        self, actor: Actor, query: str, *, limit: int, offset: int
    ) -> dict[str, Any]:
        tree, visibility = await self.view(actor)
        index = await self._index.current()
        limit = max(1, min(limit, SEARCH_PAGE_MAX))
        wanted = offset + limit + 1
        found_ids, friends = await self._candidates(actor, tree, visibility, index, query)
        picked = list(itertools.islice(found_ids, wanted))
        page = picked[offset : offset + limit]
        # The index may be a few seconds behind: what it found is checked on fresh rows.
        users = await self._accounts.users(page)
        needle, phones = normalize_query(query), set(index.phone_matches(query))
        matched = {
            u: (
                needle in users[u].nickname.casefold(),
                needle in users[u].account.casefold(),
                u in phones,
            )
            for u in page
            if u in users and not users[u].disabled
        }
        # Privacy: found by account or phone only as their owner allows (h/me).
        findable = await self._privacy.findable(actor, {u: m for u, m in matched.items() if any(m)})
        found = [users[u] for u in page if u in findable]
        # Notes exist only for friends: when the friends are known, ask only about those.
        noted = [u.id for u in found if friends is None or u.id in friends]
        notes = await self._contacts.contacts_among(actor.user_id, noted)
        people = []
        for user in found:
            entry = card(user)
            entry["is_friend"] = user.id in notes
            entry["remark"] = notes[user.id].remark if user.id in notes else ""
            entry["departments"] = self._departments_of(tree, visibility, user.id)
            people.append(entry)
        return {"users": people, "has_more": len(picked) > offset + limit}

    async def _candidates(
        self,
        actor: Actor,
        tree: OrgTree,
        visibility: Visibility,
        index: SearchIndex,
        query: str,
    ) -> tuple[Iterator[int], set[int] | None]:
        """Ids of the people matching ``query`` whom the actor may see, ascending; and the
        actor's friends, when they had to be read."""
        if visibility.everything:
            return index.find(query), None
        friends = await self._contacts.friend_ids(actor.user_id)
        # Friends and the people one's conversations show are found whatever the tree says.
        shown = friends | await self._conversations.met_people(actor.user_id)

        def visible(user_id: int) -> bool:
            return user_visible(tree, visibility, user_id, actor.user_id) or user_id in shown

        narrow = self._viewer_indexes.for_viewer(index, tree, visibility)
        if narrow is None:
            # They see much of the company: visible hits come soon enough in the full index.
            return (u for u in index.find(query) if visible(u)), friends
        # Only what they may see, at C speed; then the friends and chat partners the tree
        # hides and exact phone matches (a handful), checked one by one.
        placed, unplaced = narrow
        hidden_shown = sorted(
            u
            for u in shown
            if not user_visible(tree, visibility, u, actor.user_id) and index.matches(u, query)
        )
        phone_hits = sorted(u for u in set(index.phone_matches(query)) if visible(u))
        return (
            merge_unique(
                placed.find_text(query), unplaced.find_text(query), phone_hits, hidden_shown
            ),
            friends,
        )

    async def profile(self, actor: Actor, user_id: int) -> dict[str, Any]:
        user = await self.shown_user(actor, user_id)
        tree, visibility = await self.view(actor)
        out: dict[str, Any] = user.to_wire()
        if await self.hidden_among(actor, [user_id]):
            # A chat partner the tree hides: their card, not where they work (the desk,
            # office phone and work email stay with those who may see their department).
            out.update(WORK_FIELDS_BLANK)
        out["departments"] = self._departments_of(tree, visibility, user_id)
        out["blocked"] = False
        if user_id != actor.user_id:
            contact = await self._contacts.contact(actor.user_id, user_id)
            out["contact"] = contact.to_wire() if contact else None
            # Whether I blocked them (never whether they blocked me: that is not told).
            out["blocked"] = bool(await self._contacts.blockers_of(user_id, [actor.user_id]))
        return out

    async def lookup(self, actor: Actor, user_ids: list[int]) -> dict[str, Any]:
        """Cards of several users at once, as search shows them; those the actor may not
        see (or that do not exist) are left out, never marked."""
        wanted = list(dict.fromkeys(user_ids))
        tree, visibility = await self.view(actor)
        shown = await self.shown_among(actor, wanted)
        users = await self._accounts.users([u for u in wanted if u in shown])
        found = [users[u] for u in wanted if u in users and not users[u].disabled]
        notes = await self._contacts.contacts_among(actor.user_id, [u.id for u in found])
        people = []
        for user in found:
            entry = card(user)
            entry["is_friend"] = user.id in notes
            entry["remark"] = notes[user.id].remark if user.id in notes else ""
            entry["departments"] = self._departments_of(tree, visibility, user.id)
            people.append(entry)
        return {"users": people}

    async def tree(self, actor: Actor) -> dict[str, Any]:
        tree, visibility = await self.view(actor)
        return {
            "version": tree.version,
            "company": tree.company,
            "departments": [
                {
                    "id": d.id,
                    "parent_id": d.parent_id,
                    "name": d.name,
                    "hidden": d.hidden,
                    "member_count": len(tree.members.get(d.id, ())),
                }
                for d in sorted(tree.departments.values(), key=lambda d: (d.sort_order, d.id))
                if visibility.sees_department(d.id)
            ],
        }

    async def department(
        self, actor: Actor, department_id: int, *, after_user_id: int, limit: int
    ) -> dict[str, Any]:
        tree, visibility = await self.view(actor)
        dept = tree.departments.get(department_id)
        if dept is None or not visibility.sees_department(department_id):
            raise TidingsError(ErrorCode.NOT_FOUND, "no such department")
        limit = max(1, min(limit, 1000))
        people = sorted(u for u in tree.members.get(department_id, {}) if u > after_user_id)
        page = people[:limit]
        users = await self._accounts.users(page)
        return {
            "department": {"id": dept.id, "parent_id": dept.parent_id, "name": dept.name},
            "path": tree.path(department_id),
            "path_items": tree.path_items(department_id),
            "children": [
                {"id": c, "name": tree.departments[c].name}
                for c in tree.children.get(department_id, ())
                if visibility.sees_department(c)
            ],
            "members": [
                {**card(users[u]), "position": tree.members[department_id][u]}
                for u in page
                if u in users
            ],
            "next_after_user_id": page[-1] if len(people) > limit else None,
        }

    async def search_tree(self, actor: Actor, query: str, *, limit: int) -> dict[str, Any]:
        await self._limits.hit("search", actor.user_id)
        tree, visibility = await self.view(actor)
        needle = query.strip().casefold()
        departments = [
            {
                "id": d.id,
                "name": d.name,
                "path": tree.path(d.id),
                "path_items": tree.path_items(d.id),
            }
            for d in tree.departments.values()
            if visibility.sees_department(d.id) and needle in d.name.casefold()
        ][: max(1, min(limit, SEARCH_PAGE_MAX))]
        people = await self._search_people(actor, query, limit=limit, offset=0)
        return {"departments": departments, **people}

    def _departments_of(
        self, tree: OrgTree, visibility: Visibility, user_id: int
    ) -> list[dict[str, Any]]:
        return [
            {"id": d, "name": tree.departments[d].name, "position": tree.members[d][user_id]}
            for d in sorted(tree.memberships.get(user_id, ()))
            if visibility.sees_department(d)
        ]

    def users_changed(self) -> None:
        self._index.refresh()

    # The admin console's reads (power org)

    async def admin_tree(self, actor: Actor) -> dict[str, Any]:
        """The whole tree as the console edits it: hidden departments, order, collaborations."""
        await self._gate.require(actor, AdminPower.ORG)
        tree = await self._cache.tree()
        return {
            "version": tree.version,
            "company": tree.company,
            "departments": [
                {
                    "id": d.id,
                    "parent_id": d.parent_id,
                    "name": d.name,
                    "hidden": d.hidden,
                    "sort_order": d.sort_order,
                    "member_count": len(tree.members.get(d.id, ())),
                    "partners": sorted(tree.partners.get(d.id, ())),
                }
                for d in sorted(tree.departments.values(), key=lambda d: (d.sort_order, d.id))
            ],
        }

    async def admin_department(
        self, actor: Actor, department_id: int, *, after_user_id: int, limit: int
    ) -> dict[str, Any]:
        await self._gate.require(actor, AdminPower.ORG)
        found = await self.department(
            actor, department_id, after_user_id=after_user_id, limit=limit
        )
        tree = await self._cache.tree()
        for person in found["members"]:
            # Everyone's other departments too: people may sit in several.
            person["departments"] = self._departments_of(
                tree, Visibility(True, frozenset()), person["id"]
            )
        return found

    async def admin_people(self, actor: Actor, query: str, *, limit: int) -> dict[str, Any]:
        await self._gate.require(actor, AdminPower.ORG)
        return await self._search_people(actor, query, limit=limit, offset=0)

    # Changing the tree (power org; each change is one audit entry, written in the same
    # transaction as the change, and none when it is refused)

    async def check_admin(self, actor: Actor) -> None:
        if not await self._org.is_admin(actor.user_id):
            raise TidingsError(ErrorCode.FORBIDDEN, "only server admins change the organization")

    async def _change(self, **change: Any) -> tuple[int, list[int], dict[int, PrivateEntry]]:
        try:
            return await self._org.change(now=now_ms(), **change)
        except TreeEditRefused as refused:
            raise TidingsError(refused.code, refused.message) from None

    async def do_create_department(
        self, actor: Actor, *, name: str, parent_id: int | None, hidden: bool
    ) -> dict[str, Any]:
        async with self._gate.act(
            actor,
            AdminPower.ORG,
            "org.department_create",
            target_type="department",
            details={"name": name, "parent_id": parent_id, "hidden": hidden},
        ):
            tree = await self._cache.tree()
            _, created, _ = await self._change(create=[(name, parent_id, hidden)])
        await self.changed(tree, set())
        return {
            "id": created[0],
            "parent_id": parent_id,
            "name": name,
            "hidden": hidden,
            "sort_order": 0,
        }

    async def do_update_department(
        self, actor: Actor, department_id: int, changes: dict[str, Any]
    ) -> dict[str, Any]:
        if not changes:
            await self._gate.require(actor, AdminPower.ORG)
            raise TidingsError(ErrorCode.INVALID_INPUT, "nothing to change")
        action = (
            "org.department_move"
            if "parent_id" in changes
            else "org.department_rename"
            if set(changes) == {"name"}
            else "org.department_update"
        )
        async with self._gate.act(
            actor,
            AdminPower.ORG,
            action,
            target_type="department",
            target_id=department_id,
            details=dict(changes),
        ):
            tree = await self._cache.tree()
            # Existence, parents and cycles are checked inside the transaction (store).
            await self._change(update_departments={department_id: changes})
        await self.changed(tree, set())
        fresh = await self._cache.tree()
        dept = fresh.departments[department_id]
        return {
            "id": dept.id,
            "parent_id": dept.parent_id,
            "name": dept.name,
            "hidden": dept.hidden,
            "sort_order": dept.sort_order,
        }

    async def do_delete_department(self, actor: Actor, department_id: int) -> None:
        async with self._gate.act(
            actor,
            AdminPower.ORG,
            "org.department_delete",
            target_type="department",
            target_id=department_id,
        ) as note:
            tree = await self._cache.tree()
            if department_id in tree.departments:
                note.details["path"] = tree.path(department_id)
            await self._change(delete_departments=[department_id])
        await self.changed(tree, set())

    async def do_place(
        self, actor: Actor, *, department_id: int, user_id: int, position: str, remove: bool
    ) -> None:
        """Put a user in a department with a position (or change it), or take them out."""
        async with self._gate.act(
            actor,
            AdminPower.ORG,
            "org.member_remove" if remove else "org.member_set",
            target_type="user",
            target_id=user_id,
            details={"department_id": department_id} | ({} if remove else {"position": position}),
        ):
            tree = await self._cache.tree()
            if department_id not in tree.departments:
                # Perhaps made on another node a moment ago: read the tree afresh.
                self._cache.invalidate()
                tree = await self._cache.tree()
            if department_id not in tree.departments:
                raise TidingsError(ErrorCode.NOT_FOUND, "no such department")
            if await self._accounts.user(user_id) is None:
                raise TidingsError(ErrorCode.NOT_FOUND, "no such user")
            if remove and user_id not in tree.members.get(department_id, {}):
                raise TidingsError(ErrorCode.NOT_FOUND, "this user is not in the department")
            after = {d: tree.members[d][user_id] for d in tree.memberships.get(user_id, ())}
            if remove:
                after.pop(department_id)
            else:
                after[department_id] = position
            _, _, told = await self._change(
                place=[] if remove else [Placement(department_id, user_id, position)],
                unplace=[(department_id, user_id)] if remove else [],
                departments_of={user_id: self.departments_entry(tree, after)},
            )
        await self._publisher.private(told.values())
        await self.changed(tree, {user_id})

    async def do_collaborate(
        self, actor: Actor, department_id: int, partner_id: int, on: bool
    ) -> None:
        async with self._gate.act(
            actor,
            AdminPower.ORG,
            "org.collaborate",
            target_type="department",
            target_id=department_id,
            details={"partner_id": partner_id, "on": on},
        ):
            if department_id == partner_id:
                raise TidingsError(
                    ErrorCode.INVALID_INPUT, "a department works with itself already"
                )
            tree = await self._cache.tree()
            if department_id not in tree.departments or partner_id not in tree.departments:
                self._cache.invalidate()
                tree = await self._cache.tree()
            if department_id not in tree.departments or partner_id not in tree.departments:
                raise TidingsError(ErrorCode.NOT_FOUND, "no such department")
            await self._change(partners=[(department_id, partner_id, on)])
        await self.changed(tree, set())

    async def do_rename_company(self, actor: Actor, name: str) -> None:
        async with self._gate.act(
            actor, AdminPower.ORG, "org.company_rename", details={"name": name}
        ):
            tree = await self._cache.tree()
            await self._change(company=name)
        await self.changed(tree, set())

    @staticmethod
    def departments_entry(tree: OrgTree, positions: dict[int, str]) -> list[dict[str, Any]]:
        return [
            {"id": d, "name": tree.departments[d].name, "position": p}
            for d, p in sorted(positions.items())
            if d in tree.departments
        ]

    async def changed(self, before: OrgTree, extra_users: set[int]) -> None:
        """Reload the tree and tell everyone in it, and the admins, who see all of it
        wherever they sit (clients refetch what they show)."""
        self._cache.invalidate()
        tree = await self._cache.tree()
        people = set(before.memberships) | set(tree.memberships) | extra_users
        people.update(await self._org.admin_ids())
        await self._publisher.frame(
            sorted(people), frame(PushEvent.ORG_CHANGED, {"version": tree.version})
        )
