"""Message bodies: one validated shape per message type (PRODUCT.md D2).

Media bodies reference an uploaded file by id; the files service resolves it. Unknown fields
are refused: a body is stored as sent, so whatever is accepted here is forever.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AnyUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from tidings.domain.errors import ErrorCode, TidingsError

FileId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
ShortText = Annotated[str, StringConstraints(max_length=200)]
# Ids are signed 64-bit in storage: a larger one would fail in the query, not as bad input.
UserId = Annotated[int, Field(gt=0, lt=2**63)]
# When the attached file expires (ms since the epoch): filled in by the server from the file,
# so clients show "expired" without asking; whatever a client sends here is replaced.
ExpiresAt = Annotated[int, Field(ge=0)] | None


class MessageType(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    FILE = "file"
    VOICE = "voice"
    VIDEO = "video"
    LOCATION = "location"
    CONTACT_CARD = "contact_card"
    CUSTOM_CARD = "custom_card"
    STICKER = "sticker"
    # Posted by the system into system-notice conversations; users cannot send it.
    NOTICE = "notice"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    # Burn after reading (D10, decision 0038): the recipient sees the message blurred until
    # they open it, and a countdown later it is wiped for both sides. Direct chats only, and
    # only the types in tidings.domain.burn.BURNABLE; left out of the stored body when false.
    burn: bool = False


class TextBody(_Body):
    text: Annotated[str, StringConstraints(min_length=1)]
    mentions: Annotated[list[UserId], Field(max_length=100)] = []
    mention_all: bool = False


class ImageBody(_Body):
    file_id: FileId
    width: Annotated[int, Field(gt=0, le=100_000)]
    height: Annotated[int, Field(gt=0, le=100_000)]
    size: Annotated[int, Field(ge=0)] | None = None
    name: ShortText | None = None
    expires_at: ExpiresAt = None


class FileBody(_Body):
    file_id: FileId
    name: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    size: Annotated[int, Field(ge=0)]
    mime: ShortText | None = None
    expires_at: ExpiresAt = None


class VoiceBody(_Body):
    file_id: FileId
    duration_ms: Annotated[int, Field(gt=0, le=10 * 60 * 1000)]
    size: Annotated[int, Field(ge=0)] | None = None
    expires_at: ExpiresAt = None


class VideoBody(_Body):
    file_id: FileId
    duration_ms: Annotated[int, Field(gt=0, le=24 * 3600 * 1000)]
    width: Annotated[int, Field(gt=0, le=100_000)]
    height: Annotated[int, Field(gt=0, le=100_000)]
    size: Annotated[int, Field(ge=0)] | None = None
    poster_file_id: FileId | None = None
    expires_at: ExpiresAt = None


class LocationBody(_Body):
    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    # "blurred" shares an area, not a point: the server rounds to about a kilometre.
    precision: Literal["precise", "blurred"] = "precise"
    name: ShortText | None = None
    address: Annotated[str, StringConstraints(max_length=500)] | None = None

    @field_validator("latitude", "longitude", mode="before")
    @classmethod
    def _int_is_a_coordinate(cls, value: Any) -> Any:
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


class ContactCardBody(_Body):
    user_id: UserId


class CustomCardBody(_Body):
    """A card from a host system, e.g. an order link from a web shop."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    url: AnyUrl
    description: Annotated[str, StringConstraints(max_length=1000)] | None = None
    price: Annotated[str, StringConstraints(pattern=r"^\d{1,12}(\.\d{1,4})?$")] | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    image_url: AnyUrl | None = None
    source: ShortText | None = None

    @field_validator("url", "image_url")
    @classmethod
    def _web_only(cls, value: AnyUrl | None) -> AnyUrl | None:
        # javascript: and data: links in a card would run in every recipient's client.
        if value is not None and value.scheme not in ("http", "https"):
            raise ValueError("only http and https links are allowed")
        return value

    @field_validator("url", "image_url", mode="before")
    @classmethod
    def _length(cls, value: Any) -> Any:
        if isinstance(value, str) and len(value) > 2000:
            raise ValueError("link longer than 2000 characters")
        return value


class StickerBody(_Body):
    file_id: FileId
    width: Annotated[int, Field(gt=0, le=4096)]
    height: Annotated[int, Field(gt=0, le=4096)]
    emoji: Annotated[str, StringConstraints(max_length=16)] | None = None
    expires_at: ExpiresAt = None


class NoticeBody(_Body):
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    text: Annotated[str, StringConstraints(max_length=5000)] = ""
    url: AnyUrl | None = None


# Any validated message body (what parse_body returns).
MessageBody = _Body

BODY_MODELS: dict[MessageType, type[_Body]] = {
    MessageType.TEXT: TextBody,
    MessageType.IMAGE: ImageBody,
    MessageType.FILE: FileBody,
    MessageType.VOICE: VoiceBody,
    MessageType.VIDEO: VideoBody,
    MessageType.LOCATION: LocationBody,
    MessageType.CONTACT_CARD: ContactCardBody,
    MessageType.CUSTOM_CARD: CustomCardBody,
    MessageType.STICKER: StickerBody,
    MessageType.NOTICE: NoticeBody,
}

_type_adapter: TypeAdapter[MessageType] = TypeAdapter(MessageType)

# One kilometre is about 0.01 degree of latitude.
_BLUR_DECIMALS = 2


def parse_body(type_name: str, raw: Any, *, max_text_chars: int) -> tuple[MessageType, _Body]:
    """Validate a message body; raise ``invalid_input`` naming the first problem."""
    try:
        message_type = _type_adapter.validate_python(type_name)
    except ValidationError:
        raise TidingsError(
            ErrorCode.INVALID_INPUT, f"unknown message type {str(type_name)[:40]!r}"
        ) from None
    if not isinstance(raw, dict):
        raise TidingsError(ErrorCode.INVALID_INPUT, "body must be an object")
    try:
        body = BODY_MODELS[message_type].model_validate(raw)
    except ValidationError as exc:
        raise TidingsError(
            ErrorCode.INVALID_INPUT, f"invalid {message_type.value} body", details=_details(exc)
        ) from None
    if isinstance(body, TextBody) and len(body.text) > max_text_chars:
        raise TidingsError(
            ErrorCode.PAYLOAD_TOO_LARGE, f"text longer than {max_text_chars} characters"
        )
    if isinstance(body, LocationBody) and body.precision == "blurred":
        body = body.model_copy(
            update={
                "latitude": round(body.latitude, _BLUR_DECIMALS),
                "longitude": round(body.longitude, _BLUR_DECIMALS),
            }
        )
    return message_type, body


def body_to_wire(body: _Body) -> dict[str, Any]:
    return body.model_dump(mode="json", exclude_defaults=True)


def _details(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": [str(part) for part in err["loc"]], "msg": err["msg"]}
        for err in exc.errors(include_url=False, include_input=False)[:5]
    ]
