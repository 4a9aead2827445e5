"""Invite links and QR codes (B5, E12): add a friend or join a group by a code.

A code is 128 random bits, so it cannot be guessed; it may expire and its creator (or, for a
group, an approver) may revoke it. The QR code encodes the link, drawn by segno (see
docs/decisions/0009-qr-codes-with-segno.md).
"""

from __future__ import annotations

import io
import secrets
from typing import Any

import segno

from tidings.actions.contacts import Contacts
from tidings.actions.context import Actor
from tidings.actions.files import Files
from tidings.actions.governance import Policies
from tidings.actions.groups import Groups
from tidings.actions.rosters import RosterCache
from tidings.domain.clock import now_ms
from tidings.domain.contacts import InviteKind, card
from tidings.domain.conversations import ConversationType
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.groups import JoinMode, Power
from tidings.store.accounts import AccountStore
from tidings.store.contacts import ContactStore, Invite
from tidings.store.groups import GroupStore

# A link without expiry lives until revoked; with one, at most a year.
MAX_INVITE_SECONDS = 365 * 24 * 3600


def invite_link(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/invite/{code}"


class Invites:
    def __init__(
        self,
        *,
        store: ContactStore,
        groups_store: GroupStore,
        accounts: AccountStore,
        contacts: Contacts,
        groups: Groups,
        rosters: RosterCache,
        policies: Policies,
        files: Files,
    ) -> None:
        self._files = files
        self._store = store
        self._groups_store = groups_store
        self._accounts = accounts
        self._contacts = contacts
        self._groups = groups
        self._rosters = rosters
        self._policies = policies

    async def do_create(
        self,
        actor: Actor,
        kind: InviteKind,
        conversation_id: int | None,
        expires_in_seconds: int | None,
    ) -> dict[str, Any]:
        if kind is InviteKind.GROUP:
            if conversation_id is None:
                raise TidingsError(ErrorCode.INVALID_INPUT, "a group invite needs conversation_id")
            await self._check_group_inviter(actor, conversation_id)
        elif conversation_id is not None:
            raise TidingsError(ErrorCode.INVALID_INPUT, "a friend invite names no conversation")
        now = now_ms()
        expires_at = None
        if expires_in_seconds is not None:
            if not 1 <= expires_in_seconds <= MAX_INVITE_SECONDS:
                raise TidingsError(ErrorCode.INVALID_INPUT, "an invite expires within a year")
            expires_at = now + expires_in_seconds * 1000
        invite = await self._store.create_invite(
            code=secrets.token_urlsafe(16),
            kind=kind,
            user_id=actor.user_id,
            conversation_id=conversation_id,
            expires_at=expires_at,
            now=now,
        )
        return invite.to_wire()

    async def mine(self, actor: Actor) -> dict[str, Any]:
        return {"invites": [i.to_wire() for i in await self._store.invites_of(actor.user_id)]}

    async def do_revoke(self, actor: Actor, code: str) -> None:
        invite = await self._owned(actor, code)
        if not await self._store.revoke_invite(invite.code, now_ms()):
            raise TidingsError(ErrorCode.CONFLICT, "this invite was revoked already")

    async def preview(self, actor: Actor, code: str) -> dict[str, Any]:
        """What the link leads to, before accepting it."""
        invite = await self._live(code)
        out = invite.to_wire()
        inviter = await self._accounts.user(invite.user_id)
        out["inviter"] = card(inviter) if inviter else None
        if invite.conversation_id is not None:
            group = await self._groups_store.group(invite.conversation_id)
            out["group"] = (
                {
                    "id": group.id,
                    "name": group.name,
                    "avatar": group.settings.avatar,
                    "member_count": group.member_count,
                }
                if group
                else None
            )
        return out

    async def do_accept(self, actor: Actor, code: str, message: str) -> dict[str, Any]:
        invite = await self._live(code)
        if invite.kind is InviteKind.FRIEND:
            if invite.user_id == actor.user_id:
                raise TidingsError(ErrorCode.INVALID_INPUT, "this is your own invite")
            # The inviter consented by sharing the code; a block still wins, silently.
            if await self._store.blockers_of(actor.user_id, [invite.user_id]):
                raise TidingsError(ErrorCode.INVALID_INVITE, "this invite is not valid")
            await self._contacts.befriend(invite.user_id, actor.user_id)
            return {"kind": "friend", "user_id": invite.user_id}
        assert invite.conversation_id is not None
        group = await self._groups_store.group(invite.conversation_id)
        if group is None:
            raise TidingsError(ErrorCode.INVALID_INVITE, "this invite is not valid")
        mode = group.settings.join_mode
        if mode is JoinMode.BACK_OFFICE:
            raise TidingsError(ErrorCode.FORBIDDEN, "members of this group are assigned")
        result = await self._groups.admit_or_request(
            actor,
            invite.conversation_id,
            message,
            JoinMode.APPROVAL if mode is JoinMode.APPROVAL else JoinMode.OPEN,
        )
        return {"kind": "group", "conversation_id": invite.conversation_id, **result}

    async def qr(self, actor: Actor, code: str, base_url: str, fmt: str) -> bytes:
        invite = await self._owned(actor, code, allow_members=True)
        qr = segno.make(invite_link(base_url, invite.code), error="m")
        buffer = io.BytesIO()
        if fmt == "svg":
            qr.save(buffer, kind="svg", scale=8, border=4, xmldecl=True)
        else:
            qr.save(buffer, kind="png", scale=8, border=4)
        return buffer.getvalue()

    async def do_qr_file(
        self, actor: Actor, code: str, base_url: str, fmt: str
    ) -> dict[str, object]:
        """The QR code for a WebSocket client: the SVG as text, or the PNG as a file of the
        actor's own (kept a day) with a signed link, since a frame carries no binary."""
        image = await self.qr(actor, code, base_url, fmt)
        if fmt == "svg":
            return {"format": "svg", "svg": image.decode()}
        stored = await self._files.do_store_generated(
            actor, name=f"invite-{code[:8]}.png", mime="image/png", data=image
        )
        return {"format": "png", **await self._files.generated_reply(actor, stored)}

    async def _live(self, code: str) -> Invite:
        """A usable invite: known, not expired, not revoked, and (a group's) handed out by
        someone still in the group: a link dies with its creator's membership, so a member
        who left or was removed cannot keep letting people in."""
        invite = await self._store.invite(code)
        if invite is None or not invite.live(now_ms()):
            raise TidingsError(
                ErrorCode.INVALID_INVITE, "this invite is unknown, expired or revoked"
            )
        if invite.conversation_id is not None:
            roster = await self._rosters.get(invite.conversation_id)
            if roster is None or invite.user_id not in roster.members:
                raise TidingsError(
                    ErrorCode.INVALID_INVITE, "whoever shared this invite left the group"
                )
        return invite

    async def _owned(self, actor: Actor, code: str, *, allow_members: bool = False) -> Invite:
        """An invite the actor may manage: their own, or (groups) one an approver revokes."""
        invite = await self._store.invite(code)
        if invite is None:
            raise TidingsError(ErrorCode.NOT_FOUND, "no such invite")
        if invite.user_id == actor.user_id:
            return invite
        if invite.conversation_id is not None:
            roster = await self._rosters.get(invite.conversation_id)
            member = roster.members.get(actor.user_id) if roster else None
            if roster is not None and member is not None:
                policy = await self._policies.get(roster)
                if allow_members or policy.holds(actor.user_id, member.role, Power.APPROVE_JOINS):
                    return invite
        raise TidingsError(ErrorCode.NOT_FOUND, "no such invite")

    async def _check_group_inviter(self, actor: Actor, conversation_id: int) -> None:
        roster = await self._rosters.access(conversation_id, actor.user_id)
        if roster.type is not ConversationType.GROUP:
            raise TidingsError(ErrorCode.INVALID_INPUT, "this is not a group")
        policy = await self._policies.get(roster)
        settings = policy.settings
        if settings is not None and settings.disbanded_at is not None:
            raise TidingsError(ErrorCode.GROUP_DISBANDED, "this group was disbanded")
        if settings is not None and settings.join_mode is JoinMode.BACK_OFFICE:
            raise TidingsError(ErrorCode.FORBIDDEN, "members of this group are assigned")
        member = roster.members[actor.user_id]
        if (
            settings is not None
            and settings.join_mode is JoinMode.APPROVAL
            and not policy.holds(actor.user_id, member.role, Power.APPROVE_JOINS)
        ):
            raise TidingsError(ErrorCode.FORBIDDEN, "this needs the approve_joins power")
