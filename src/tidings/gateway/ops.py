"""What each op does: parse its data, call the action, shape the reply.

The same actions serve the REST API; only the envelope differs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from tidings import schemas as s
from tidings.actions.context import Actor
from tidings.container import Container
from tidings.domain.accounts import ProfileUpdate
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.domain.events import CloseCode
from tidings.gateway.connections import Connection

Handler = Callable[["OpContext", Any], Awaitable[Any]]


class OpContext:
    """What an op runs with: the container, who is acting and on which connection."""

    __slots__ = (
        "actor",
        "c",
        "close_after_reply",
        "connection",
        "ip",
        "password_change_required",
        "visitor",
    )

    def __init__(
        self,
        container: Container,
        actor: Actor,
        connection: Connection,
        *,
        ip: str = "",
        password_change_required: bool = False,
        visitor: bool = False,
    ) -> None:
        self.c = container
        self.ip = ip  # the client's address, for the sign-in throttle
        self.actor = actor
        self.connection = connection
        # Set by an op that ends the session: the route closes after sending the reply.
        self.close_after_reply: tuple[int, str] | None = None
        # Signed in with an admin's one-time password: only these ops until it is changed.
        self.password_change_required = password_change_required
        # A customer-service visitor: only VISITOR_OPS (tidings.domain.service).
        self.visitor = visitor


OPS: dict[str, tuple[type[BaseModel], Handler]] = {}


def op(name: str, model: type[BaseModel]) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        OPS[name] = (model, handler)
        return handler

    return register


def parse(model: type[BaseModel], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "data"
        raise TidingsError(
            ErrorCode.INVALID_INPUT,
            f"{where}: {first['msg']}",
            details=[
                {"loc": [str(p) for p in e["loc"]], "msg": e["msg"]}
                for e in exc.errors(include_url=False, include_input=False)[:5]
            ],
        ) from None


# The names "auth" and "ping" are handled by the route itself (they exist before a session).
OP_NAMES = frozenset({"auth", "ping"})

# All a session may do while an admin's one-time password awaits its change (as over REST).
WHILE_PASSWORD_CHANGE_REQUIRED = frozenset({"me.change_password", "me.security", "logout"})


@op("send", s.SendOp)
async def _send(ctx: OpContext, a: s.SendOp) -> Any:
    entry = await ctx.c.messages.do_send(
        ctx.actor,
        conversation_id=a.conversation_id,
        client_msg_id=a.client_msg_id,
        type=a.type,
        body=a.body,
        reply_to_seq=a.reply_to_seq,
    )
    return entry.to_wire()


@op("forward", s.ForwardOp)
async def _forward(ctx: OpContext, a: s.ForwardOp) -> Any:
    entries = await ctx.c.messages.do_forward(
        ctx.actor,
        conversation_id=a.conversation_id,
        seqs=a.seqs,
        target_ids=a.target_ids,
        note=a.note,
        client_msg_id=a.client_msg_id,
        merged=a.merged,
        title=a.title,
    )
    return {"entries": [e.to_wire() for e in entries]}


@op("recall", s.SeqOp)
async def _recall(ctx: OpContext, a: s.SeqOp) -> Any:
    entry = await ctx.c.messages.do_recall(ctx.actor, conversation_id=a.conversation_id, seq=a.seq)
    return entry.to_wire()


@op("delete", s.SeqsOp)
async def _delete(ctx: OpContext, a: s.SeqsOp) -> Any:
    return await ctx.c.messages.do_delete_for_me(
        ctx.actor, conversation_id=a.conversation_id, seqs=a.seqs
    )


@op("clear", s.ConversationRef)
async def _clear(ctx: OpContext, a: s.ConversationRef) -> Any:
    return await ctx.c.messages.do_clear_history(ctx.actor, conversation_id=a.conversation_id)


@op("history", s.HistoryOp)
async def _history(ctx: OpContext, a: s.HistoryOp) -> Any:
    entries = await ctx.c.messages.history(
        ctx.actor,
        conversation_id=a.conversation_id,
        after_seq=a.after_seq,
        before_seq=a.before_seq,
        around_seq=a.around_seq,
        limit=a.limit,
    )
    return {"conversation_id": a.conversation_id, "messages": [e.to_wire() for e in entries]}


@op("sync", s.SyncInput)
async def _sync(ctx: OpContext, a: s.SyncInput) -> Any:
    return await ctx.c.sync.sync(ctx.actor, private_seq=a.private_seq, limit=a.limit)


@op("ack", s.SeqOp)
async def _ack(ctx: OpContext, a: s.SeqOp) -> Any:
    await ctx.c.receipts.do_ack_delivered(ctx.actor, conversation_id=a.conversation_id, seq=a.seq)
    return None


@op("read", s.SeqOp)
async def _read(ctx: OpContext, a: s.SeqOp) -> Any:
    read_seq = await ctx.c.receipts.do_mark_read(
        ctx.actor, conversation_id=a.conversation_id, seq=a.seq
    )
    return {"conversation_id": a.conversation_id, "read_seq": read_seq}


@op("read_state", s.SeqOp)
async def _read_state(ctx: OpContext, a: s.SeqOp) -> Any:
    return await ctx.c.receipts.read_state(ctx.actor, conversation_id=a.conversation_id, seq=a.seq)


@op("typing", s.ConversationRef)
async def _typing(ctx: OpContext, a: s.ConversationRef) -> Any:
    await ctx.c.presence.do_typing(ctx.actor, conversation_id=a.conversation_id)
    return None


@op("presence.subscribe", s.UserIdsInput)
async def _presence_subscribe(ctx: OpContext, a: s.UserIdsInput) -> Any:
    # Whoever blocked the subscriber stays offline to them (B4).
    allowed = await ctx.c.contacts.presence_allowed(ctx.actor, a.user_ids)
    # A later block ends the subscription at once (PresenceCut, ConnectionRegistry).
    ctx.c.connections.watch(ctx.connection, [u for u in a.user_ids if u in allowed])
    # Privacy (show_online off): checked after watching, so a change racing this op still
    # ends the subscription (PresenceHidden reaches the watcher, or this check sees it).
    shown = await ctx.c.privacy.online_shown(ctx.actor, allowed)
    ctx.c.connections.unwatch(ctx.connection, [u for u in allowed if u not in shown])
    allowed = shown
    online = await ctx.c.presence.query(ctx.actor, a.user_ids)
    return {"presence": {str(k): v and k in allowed for k, v in online.items()}}


@op("presence.unsubscribe", s.UserIdsInput)
async def _presence_unsubscribe(ctx: OpContext, a: s.UserIdsInput) -> Any:
    ctx.c.connections.unwatch(ctx.connection, a.user_ids)
    return None


@op("conversations.list", s.Empty)
async def _conversations(ctx: OpContext, _: s.Empty) -> Any:
    return {"conversations": await ctx.c.conversations.list_all(ctx.actor)}


@op("conversation.get", s.ConversationRef)
async def _conversation(ctx: OpContext, a: s.ConversationRef) -> Any:
    return await ctx.c.conversations.summary(ctx.actor, a.conversation_id)


@op("conversation.members", s.ConversationRef)
async def _members(ctx: OpContext, a: s.ConversationRef) -> Any:
    return {"members": await ctx.c.conversations.members(ctx.actor, a.conversation_id)}


@op("conversation.open_direct", s.PeerOp)
async def _open_direct(ctx: OpContext, a: s.PeerOp) -> Any:
    return await ctx.c.conversations.do_open_direct(ctx.actor, a.peer_id, a.via_group_id)


@op("conversation.create_group", s.CreateGroupOp)
async def _create_group(ctx: OpContext, a: s.CreateGroupOp) -> Any:
    return await ctx.c.conversations.do_create_group(ctx.actor, a.name, a.member_ids)


@op("conversation.settings", s.SettingsOp)
async def _settings(ctx: OpContext, a: s.SettingsOp) -> Any:
    changes = a.changes()
    changes.pop("conversation_id")
    return await ctx.c.conversations.do_update_settings(ctx.actor, a.conversation_id, changes)


@op("group.invite", s.InviteOp)
async def _invite(ctx: OpContext, a: s.InviteOp) -> Any:
    return await ctx.c.conversations.do_invite(ctx.actor, a.conversation_id, a.user_ids)


@op("group.leave", s.ConversationRef)
async def _leave(ctx: OpContext, a: s.ConversationRef) -> Any:
    return await ctx.c.conversations.do_leave(ctx.actor, a.conversation_id)


@op("sessions.list", s.Empty)
async def _sessions(ctx: OpContext, _: s.Empty) -> Any:
    return {"sessions": await ctx.c.accounts.sessions(ctx.actor)}


@op("sessions.sign_out", s.SessionRef)
async def _sign_out(ctx: OpContext, a: s.SessionRef) -> Any:
    await ctx.c.accounts.do_sign_out_session(ctx.actor, a.session_id)
    return None


@op("logout", s.Empty)
async def _logout(ctx: OpContext, _: s.Empty) -> Any:
    await ctx.c.accounts.do_logout(ctx.actor)
    ctx.close_after_reply = (CloseCode.SESSION_REVOKED, "logged out")
    return None


@op("me.change_password", s.ChangePasswordInput)
async def _change_password(ctx: OpContext, a: s.ChangePasswordInput) -> Any:
    signed_out = await ctx.c.accounts.do_change_password(
        ctx.actor,
        current_password=a.current_password,
        new_password=a.new_password,
        sign_out_others=a.sign_out_others,
        ip=ctx.ip,
    )
    return {"signed_out": signed_out}


@op("profile.get", s.UserRef)
async def _profile(ctx: OpContext, a: s.UserRef) -> Any:
    # Someone the organization hides from the actor is "not found", as a missing user is.
    return await ctx.c.directory.profile(ctx.actor, a.user_id or ctx.actor.user_id)


@op("profile.update", ProfileUpdate)
async def _profile_update(ctx: OpContext, a: ProfileUpdate) -> Any:
    return (await ctx.c.accounts.do_update_profile(ctx.actor, a)).to_wire()


# Contacts, the organization and groups register their ops in their own modules.
from tidings.gateway import (  # noqa: E402, F401
    burn_ops,
    call_ops,  # one-to-one calls (issue 16)
    compose_ops,  # the "+" panel: stickers, map settings (issue 12)
    contact_ops,
    favorite_ops,
    file_ops,
    group_ops,
    me_ops,
    org_ops,
    report_ops,  # users' reports (K7)
    search_ops,  # message search (issue 15)
    security_ops,
    service_ops,  # customer service: the visitor's own chat (J4)
    settings_ops,  # settings kept on the server, Web Push (issue 12)
)

OP_NAMES = OP_NAMES | frozenset(OPS)
