"""Request shapes of the favourites of messages (decision 0036), shared by the REST API and
the WebSocket gateway."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from tidings.schemas import ClientMsgId, FilesLimit, Id, Input

# Keys of tidings.domain.favorites.FAVORITE_FILTERS.
FavoriteCategory = Literal["text", "image", "file", "voice", "location", "link", "chat_record"]


class FavoriteMessageInput(Input):
    conversation_id: Id
    seq: Id


class FavoriteRef(Input):
    id: Id


class FavoritesListInput(Input):
    before: Id | None = None
    limit: FilesLimit = 50
    category: FavoriteCategory | None = None
    query: Annotated[str, StringConstraints(max_length=100)] | None = None


class FavoriteSendInput(Input):
    target_ids: Annotated[list[Id], Field(min_length=1, max_length=100)]
    client_msg_id: ClientMsgId
    note: Annotated[str, StringConstraints(max_length=10_000)] | None = None


class FavoriteSendOp(FavoriteSendInput):
    id: Id
