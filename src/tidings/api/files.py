"""Files over REST: what a file is, signed links, a conversation's files, favorites, usage.

The bytes themselves travel through ``/files/`` (``api/uploads.py``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from tidings.api.deps import C, Me
from tidings.domain.clock import now_ms
from tidings.domain.files import FileKind, Variant
from tidings.file_schemas import LinkInput
from tidings.schemas import FILES_PAGE_MAX

router = APIRouter(prefix="/api/v1", tags=["files"])

Ms = Annotated[int | None, Query(ge=0, lt=2**63)]


@router.get("/files/{file_id}")
async def file_info(file_id: str, c: C, me: Me) -> dict[str, Any]:
    return (await c.files.info(me, file_id)).to_wire(now_ms())


@router.post("/files/{file_id}/links")
async def make_link(file_id: str, body: LinkInput, c: C, me: Me) -> dict[str, Any]:
    return await c.files.do_make_link(me, file_id, Variant(body.variant), body.ttl_seconds)


@router.get("/storage")
async def storage_usage(c: C, me: Me) -> dict[str, int]:
    return await c.files.usage(me)


@router.get("/conversations/{conversation_id}/files")
async def conversation_files(
    conversation_id: Annotated[int, Path(gt=0, lt=2**63)],
    c: C,
    me: Me,
    kind: FileKind | None = None,
    since: Ms = None,
    until: Ms = None,
    before_seq: Ms = None,
    limit: Annotated[int, Query(ge=1, le=FILES_PAGE_MAX)] = 50,
) -> dict[str, Any]:
    return await c.attachments.conversation_files(
        me,
        conversation_id,
        kind=kind,
        since=since,
        until=until,
        before_seq=before_seq,
        limit=limit,
    )


@router.get("/favorites/files")
async def favorite_files(
    c: C, me: Me, before: Ms = None, limit: Annotated[int, Query(ge=1, le=FILES_PAGE_MAX)] = 50
) -> dict[str, Any]:
    return await c.favorite_files.list(me, before=before, limit=limit)


@router.put("/favorites/files/{file_id}")
async def add_favorite(file_id: str, c: C, me: Me) -> dict[str, Any]:
    return await c.favorite_files.do_add(me, file_id)


@router.delete("/favorites/files/{file_id}", status_code=204)
async def remove_favorite(file_id: str, c: C, me: Me) -> None:
    await c.favorite_files.do_remove(me, file_id)
