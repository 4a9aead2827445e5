"""Privacy choices (issue 12, A7 and B1): who may find me by phone or account, who may add
me, whether others see me online, whether my reading is told. One place per rule: people
search, friend requests, presence and receipts ask here (docs/decisions/0048).
"""

from __future__ import annotations

from typing import Any

from tidings.actions.context import Actor
from tidings.actions.publisher import Publisher
from tidings.domain.clock import now_ms
from tidings.domain.privacy import AddMe, Privacy, PrivacyUpdate, find_rule
from tidings.store.contacts import ContactStore
from tidings.store.privacy import PrivacyStore


class PrivacySettings:
    def __init__(
        self, *, store: PrivacyStore, contacts: ContactStore, publisher: Publisher
    ) -> None:
        self._store = store
        self._contacts = contacts
        self._publisher = publisher

    async def get(self, actor: Actor) -> dict[str, Any]:
        return (await self._store.privacy(actor.user_id)).to_wire()

    async def do_update(self, actor: Actor, update: PrivacyUpdate) -> dict[str, Any]:
        changes = update.model_dump(exclude_none=True)
        if not changes:
            return await self.get(actor)
        before, after, entry = await self._store.update_privacy(actor.user_id, changes, now_ms())
        await self._publisher.private([entry])
        if before.show_online and not after.show_online:
            # Everyone watching stops at once, on every node, told "offline" (PresenceHidden).
            await self._publisher.presence_hidden(actor.user_id)
        return after.to_wire()

    async def of(self, user_id: int) -> Privacy:
        return await self._store.privacy(user_id)

    async def online_shown(self, actor: Actor, user_ids: list[int] | set[int]) -> set[int]:
        """Those of ``user_ids`` whose online status the actor may see (one always sees one's
        own)."""
        choices = await self._store.privacy_among([u for u in user_ids if u != actor.user_id])
        return {
            u for u in user_ids if u == actor.user_id or u not in choices or choices[u].show_online
        }

    async def receipts_hidden_among(self, user_ids: list[int]) -> set[int]:
        """Those of ``user_ids`` who do not send read receipts."""
        choices = await self._store.privacy_among(user_ids)
        return {u for u, p in choices.items() if not p.send_read_receipts}

    async def sends_read_receipts(self, user_id: int) -> bool:
        return (await self._store.privacy(user_id)).send_read_receipts

    async def findable(self, actor: Actor, found: dict[int, tuple[bool, bool, bool]]) -> set[int]:
        """Of the people a search found — ``{user_id: (by_nickname, by_account, by_phone)}``
        — those it may show: a nickname match always; an account or phone match as their
        owner chose (everyone, friends, nobody). Oneself always."""
        restricted = [u for u, (nick, _, _) in found.items() if not nick and u != actor.user_id]
        choices = await self._store.privacy_among(restricted)
        if not choices:
            return set(found)
        friends = await self._contacts.friend_ids(actor.user_id)
        hidden = set()
        for user_id, privacy in choices.items():
            _, by_account, by_phone = found[user_id]
            rule = find_rule(privacy, by_phone=by_phone, by_account=by_account)
            if not privacy.findable(rule, friends=user_id in friends):
                hidden.add(user_id)
        return set(found) - hidden

    async def add_me(self, user_id: int) -> AddMe:
        return (await self._store.privacy(user_id)).add_me
