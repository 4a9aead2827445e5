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
    ValidationInfo,
    field_validator,
    model_validator,
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
    # A merged forward: copies of several messages in one card. Made by the server from
    # messages the forwarder may read (the forward op with "merged"); users cannot send it.
    CHAT_RECORD = "chat_record"


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


# A voice message's loudness over its length, for the bubble's waveform: up to this many bars,
# each 0 (silence) to 100 (loudest in the message). Optional: older clients send none.
WAVEFORM_BARS = 64


class VoiceBody(_Body):
    file_id: FileId
    duration_ms: Annotated[int, Field(gt=0, le=10 * 60 * 1000)]
    size: Annotated[int, Field(ge=0)] | None = None
    expires_at: ExpiresAt = None
    waveform: (
        Annotated[list[Annotated[int, Field(ge=0, le=100)]], Field(max_length=WAVEFORM_BARS)] | None
    ) = None


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


class CardField(BaseModel):
    """One labelled line of a card ("Amount: 1,200.00", "Status: approved")."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    label: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    value: Annotated[str, StringConstraints(max_length=500)]


class CustomCardBody(_Body):
    """A card from a host system: an order link from a web shop, an approval from a
    workbench app (decision 0069)."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    url: AnyUrl
    description: Annotated[str, StringConstraints(max_length=1000)] | None = None
    price: Annotated[str, StringConstraints(pattern=r"^\d{1,12}(\.\d{1,4})?$")] | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    image_url: AnyUrl | None = None
    source: ShortText | None = None
    # Label and value lines (an order's items, an approval's amount), shown in order.
    fields: Annotated[list[CardField], Field(max_length=20)] = []

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


class NoticeImage(BaseModel):
    """A picture shown in a notice (a broadcast's, decision 0058): an uploaded image file."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    file_id: FileId
    width: Annotated[int, Field(gt=0, le=100_000)]
    height: Annotated[int, Field(gt=0, le=100_000)]


class NoticeBody(_Body):
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    text: Annotated[str, StringConstraints(max_length=5000)] = ""
    url: AnyUrl | None = None
    image: NoticeImage | None = None


# A chat record (合并转发, decision 0035) carries copies, not references: its recipients may not
# be members of the conversation the messages came from, as in WeChat.
RECORD_MAX_ITEMS = 100
# A record may hold records (forwarded again, merged again) this many levels deep in all.
RECORD_MAX_DEPTH = 3


class RecordItem(_Body):
    """One copied message: who sent it as they were named then, when, and what."""

    sender_id: UserId
    sender_name: Annotated[str, StringConstraints(max_length=100)]
    sender_avatar: Annotated[str, StringConstraints(max_length=512)] = ""
    sent_at: Annotated[int, Field(ge=0, lt=2**63)]
    type: Annotated[str, StringConstraints(max_length=32)]
    body: dict[str, Any]

    @model_validator(mode="after")
    def _body_of_its_type(self, info: ValidationInfo) -> RecordItem:
        depth = int((info.context or {}).get("record_depth", 1))
        try:
            kind = MessageType(self.type)
        except ValueError:
            raise ValueError(f"unknown message type {self.type[:40]!r}") from None
        if kind is MessageType.NOTICE:
            raise ValueError("notices are not copied into chat records")
        if kind is MessageType.CHAT_RECORD and depth >= RECORD_MAX_DEPTH:
            raise ValueError(f"chat records nest at most {RECORD_MAX_DEPTH} levels deep")
        BODY_MODELS[kind].model_validate(self.body, context={"record_depth": depth + 1})
        return self


class ChatRecordBody(_Body):
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    items: Annotated[list[RecordItem], Field(min_length=1, max_length=RECORD_MAX_ITEMS)]


def record_file_ids(body: dict[str, Any]) -> list[str]:
    """The files a chat record's copies carry, nested records included (a stored body)."""
    found: list[str] = []
    pending = [body]
    while pending:
        record = pending.pop()
        for item in record.get("items", []):
            inner = item.get("body", {})
            if item.get("type") == MessageType.CHAT_RECORD.value:
                pending.append(inner)
                continue
            for key in ("file_id", "poster_file_id"):
                if isinstance(inner.get(key), str):
                    found.append(inner[key])
    return list(dict.fromkeys(found))


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
    MessageType.CHAT_RECORD: ChatRecordBody,
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
