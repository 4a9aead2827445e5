"""Request shapes of the file endpoints, shared by the REST API and the WebSocket gateway."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from tidings.domain.files import FileKind
from tidings.schemas import FilesLimit, Id, Input, Seq

FileId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Ms = Annotated[int, Field(ge=0, lt=2**63)]


class FileRef(Input):
    file_id: FileId


class LinkInput(Input):
    variant: Literal["original", "thumbnail"] = "original"
    ttl_seconds: int | None = None


class LinkOp(LinkInput):
    file_id: FileId


class ConversationFilesOp(Input):
    conversation_id: Id
    # Enums arrive as JSON strings; strict mode would want the enum object itself.
    kind: Annotated[FileKind, Field(strict=False)] | None = None
    since: Ms | None = None
    until: Ms | None = None
    before_seq: Seq | None = None
    limit: FilesLimit = 50


class FavoritesOp(Input):
    before: Ms | None = None
    limit: FilesLimit = 50
