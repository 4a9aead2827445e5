"""Conversations, messages, receipts and sync."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from tidings.api.deps import C, Me, PathId
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.schemas import (
    HISTORY_PAGE_MAX,
    BurnModeInput,
    CreateConversationInput,
    ForwardInput,
    InviteInput,
    SendInput,
    SeqInput,
    SeqsInput,
    SettingsInput,
    SyncInput,
)

router = APIRouter(prefix="/api/v1", tags=["conversations"])

Seq = Annotated[int | None, Query(ge=0, lt=2**63)]


@router.get("/conversations")
async def list_conversations(c: C, me: Me) -> dict[str, Any]:
    return {"conversations": await c.conversations.list_all(me)}


@router.post("/conversations")
async def create_conversation(body: CreateConversationInput, c: C, me: Me) -> dict[str, Any]:
    if body.type == "direct":
        if body.peer_id is None:
            raise TidingsError(ErrorCode.INVALID_INPUT, "a direct chat needs peer_id")
        return await c.conversations.do_open_direct(me, body.peer_id, body.via_group_id)
    if body.name is None:
        raise TidingsError(ErrorCode.INVALID_INPUT, "a group needs a name")
    return await c.conversations.do_create_group(me, body.name, body.member_ids)


@router.get("/conversations/{conversation_id}")
async def conversation(conversation_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.conversations.summary(me, conversation_id)


@router.get("/conversations/{conversation_id}/members")
async def members(conversation_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return {"members": await c.conversations.members(me, conversation_id)}


@router.post("/conversations/{conversation_id}/members")
async def invite(conversation_id: PathId, body: InviteInput, c: C, me: Me) -> dict[str, Any]:
    return await c.conversations.do_invite(me, conversation_id, body.user_ids)


@router.delete("/conversations/{conversation_id}/members/me")
async def leave(conversation_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.conversations.do_leave(me, conversation_id)


@router.patch("/conversations/{conversation_id}/settings")
async def settings(conversation_id: PathId, body: SettingsInput, c: C, me: Me) -> dict[str, Any]:
    return await c.conversations.do_update_settings(me, conversation_id, body.changes())


@router.post("/conversations/{conversation_id}/messages")
async def send(conversation_id: PathId, body: SendInput, c: C, me: Me) -> dict[str, Any]:
    entry = await c.messages.do_send(
        me,
        conversation_id=conversation_id,
        client_msg_id=body.client_msg_id,
        type=body.type,
        body=body.body,
        reply_to_seq=body.reply_to_seq,
    )
    return entry.to_wire()


@router.get("/conversations/{conversation_id}/messages")
async def history(
    conversation_id: PathId,
    c: C,
    me: Me,
    after_seq: Seq = None,
    before_seq: Seq = None,
    around_seq: Seq = None,
    limit: Annotated[int, Query(ge=1, le=HISTORY_PAGE_MAX)] = 100,
) -> dict[str, Any]:
    entries = await c.messages.history(
        me,
        conversation_id=conversation_id,
        after_seq=after_seq,
        before_seq=before_seq,
        around_seq=around_seq,
        limit=limit,
    )
    return {"conversation_id": conversation_id, "messages": [e.to_wire() for e in entries]}


@router.post("/conversations/{conversation_id}/forward")
async def forward(conversation_id: PathId, body: ForwardInput, c: C, me: Me) -> dict[str, Any]:
    entries = await c.messages.do_forward(
        me,
        conversation_id=conversation_id,
        seqs=body.seqs,
        target_ids=body.target_ids,
        note=body.note,
        client_msg_id=body.client_msg_id,
        merged=body.merged,
        title=body.title,
    )
    return {"entries": [e.to_wire() for e in entries]}


@router.post("/conversations/{conversation_id}/messages/{seq}/recall")
async def recall(conversation_id: PathId, seq: PathId, c: C, me: Me) -> dict[str, Any]:
    return (await c.messages.do_recall(me, conversation_id=conversation_id, seq=seq)).to_wire()


@router.post("/conversations/{conversation_id}/delete")
async def delete_for_me(conversation_id: PathId, body: SeqsInput, c: C, me: Me) -> dict[str, Any]:
    return await c.messages.do_delete_for_me(me, conversation_id=conversation_id, seqs=body.seqs)


@router.post("/conversations/{conversation_id}/clear")
async def clear(conversation_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.messages.do_clear_history(me, conversation_id=conversation_id)


@router.post("/conversations/{conversation_id}/read")
async def read(conversation_id: PathId, body: SeqInput, c: C, me: Me) -> dict[str, Any]:
    read_seq = await c.receipts.do_mark_read(me, conversation_id=conversation_id, seq=body.seq)
    return {"conversation_id": conversation_id, "read_seq": read_seq}


@router.post("/conversations/{conversation_id}/delivered", status_code=204)
async def delivered(conversation_id: PathId, body: SeqInput, c: C, me: Me) -> None:
    await c.receipts.do_ack_delivered(me, conversation_id=conversation_id, seq=body.seq)


@router.get("/conversations/{conversation_id}/messages/{seq}/read-state")
async def read_state(conversation_id: PathId, seq: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.receipts.read_state(me, conversation_id=conversation_id, seq=seq)


@router.post("/sync")
async def sync(body: SyncInput, c: C, me: Me) -> dict[str, Any]:
    return await c.sync.sync(me, private_seq=body.private_seq, limit=body.limit)


# Burn after reading (direct chats; decision 0038)


@router.post("/conversations/{conversation_id}/messages/{seq}/burn-open")
async def burn_open(conversation_id: PathId, seq: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.burns.do_open(me, conversation_id=conversation_id, seq=seq)


@router.get("/conversations/{conversation_id}/burn-mode")
async def burn_mode(conversation_id: PathId, c: C, me: Me) -> dict[str, Any]:
    return await c.burns.mode(me, conversation_id=conversation_id)


@router.put("/conversations/{conversation_id}/burn-mode")
async def set_burn_mode(
    conversation_id: PathId, body: BurnModeInput, c: C, me: Me
) -> dict[str, Any]:
    return await c.burns.do_set_mode(me, conversation_id=conversation_id, enabled=body.enabled)
