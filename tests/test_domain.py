"""Unit tests for the domain rules (src/tidings/domain): no I/O, no server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from tidings.domain.bodies import (
    CustomCardBody,
    LocationBody,
    MessageType,
    TextBody,
    body_to_wire,
    parse_body,
)
from tidings.domain.conversations import (
    ConversationType,
    Member,
    Role,
    Roster,
    direct_key,
    may_recall,
)
from tidings.domain.errors import HTTP_STATUS, ErrorCode, TidingsError

MAX_TEXT = 10_000
PROTOCOL_DOC = Path(__file__).resolve().parents[1] / "docs" / "protocol.md"


def parse(type_name: Any, body: Any, *, max_text_chars: int = MAX_TEXT) -> dict[str, Any]:
    _, parsed = parse_body(type_name, body, max_text_chars=max_text_chars)
    return body_to_wire(parsed)


def refusal(type_name: Any, body: Any, *, max_text_chars: int = MAX_TEXT) -> TidingsError:
    with pytest.raises(TidingsError) as refused:
        parse_body(type_name, body, max_text_chars=max_text_chars)
    return refused.value


# parse_body: valid bodies of every type

_ITEM: dict[str, Any] = {
    "sender_id": 2,
    "sender_name": "Bob",
    "sent_at": 1,
    "type": "text",
    "body": {"text": "hi"},
}
_RECORD: dict[str, Any] = {"title": "inner", "items": [_ITEM]}

VALID: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("text", {"text": "hi"}, {"text": "hi"}),
    (
        "text",
        {"text": "@bob @all", "mentions": [2], "mention_all": True},
        {"text": "@bob @all", "mentions": [2], "mention_all": True},
    ),
    ("text", {"text": "hi", "mentions": [], "mention_all": False}, {"text": "hi"}),
    (
        "image",
        {"file_id": "a-B_9", "width": 1, "height": 100_000, "size": 0, "name": "x.png"},
        {"file_id": "a-B_9", "width": 1, "height": 100_000, "size": 0, "name": "x.png"},
    ),
    (
        "file",
        {"file_id": "f" * 64, "name": "n" * 255, "size": 0, "mime": "text/plain"},
        {"file_id": "f" * 64, "name": "n" * 255, "size": 0, "mime": "text/plain"},
    ),
    ("voice", {"file_id": "v", "duration_ms": 600_000}, {"file_id": "v", "duration_ms": 600_000}),
    (
        "video",
        {"file_id": "v", "duration_ms": 1, "width": 2, "height": 3, "poster_file_id": "p"},
        {"file_id": "v", "duration_ms": 1, "width": 2, "height": 3, "poster_file_id": "p"},
    ),
    (
        "location",
        {"latitude": -90.0, "longitude": 180.0, "precision": "precise", "address": "a" * 500},
        {"latitude": -90.0, "longitude": 180.0, "address": "a" * 500},
    ),
    ("contact_card", {"user_id": 7}, {"user_id": 7}),
    (
        "custom_card",
        {"title": "T", "url": "http://x.example/a?b=1", "price": "0.5", "currency": "EUR"},
        {"title": "T", "url": "http://x.example/a?b=1", "price": "0.5", "currency": "EUR"},
    ),
    (
        "sticker",
        {"file_id": "s", "width": 4096, "height": 4096, "emoji": "👍"},
        {"file_id": "s", "width": 4096, "height": 4096, "emoji": "👍"},
    ),
    # The domain parses notices; the send action is what keeps users from posting them.
    ("notice", {"title": "Welcome", "text": "hello"}, {"title": "Welcome", "text": "hello"}),
    (
        "chat_record",
        {"title": "T", "items": [_ITEM, {**_ITEM, "type": "chat_record", "body": _RECORD}]},
        {"title": "T", "items": [_ITEM, {**_ITEM, "type": "chat_record", "body": _RECORD}]},
    ),
]


@pytest.mark.parametrize(("type_name", "body", "stored"), VALID)
def test_valid_bodies_parse_and_are_stored_without_defaults(
    type_name: str, body: dict[str, Any], stored: dict[str, Any]
) -> None:
    message_type, parsed = parse_body(type_name, body, max_text_chars=MAX_TEXT)
    assert message_type is MessageType(type_name)
    assert body_to_wire(parsed) == stored


def test_every_message_type_has_a_valid_case() -> None:
    assert {t for t, _, _ in VALID} == {t.value for t in MessageType}


# parse_body: refusals

INVALID: dict[str, list[dict[str, Any]]] = {
    "text": [
        {},
        {"text": ""},
        {"text": 1},
        {"text": None},
        {"text": "hi", "extra": 1},
        {"text": "hi", "mentions": [0]},
        {"text": "hi", "mentions": [-1]},
        {"text": "hi", "mentions": ["2"]},
        {"text": "hi", "mentions": [True]},
        {"text": "hi", "mentions": list(range(1, 102))},
        {"text": "hi", "mention_all": 1},
    ],
    "image": [
        {"file_id": "f", "width": 1},
        {"file_id": "f", "width": 0, "height": 1},
        {"file_id": "f", "width": 100_001, "height": 1},
        {"file_id": "f", "width": 1.0, "height": 1},
        {"file_id": "f", "width": "1", "height": 1},
        {"file_id": "f", "width": True, "height": 1},
        {"file_id": "f/../g", "width": 1, "height": 1},
        {"file_id": "f" * 65, "width": 1, "height": 1},
        {"file_id": "f", "width": 1, "height": 1, "name": "n" * 201},
    ],
    "file": [
        {"file_id": "f", "name": "n"},
        {"file_id": "f", "name": "", "size": 1},
        {"file_id": "f", "name": "n", "size": -1},
        {"file_id": "f", "name": "n" * 256, "size": 1},
    ],
    "voice": [
        {"file_id": "v", "duration_ms": 0},
        {"file_id": "v", "duration_ms": 600_001},
        {"duration_ms": 1},
    ],
    "video": [
        {"file_id": "v", "duration_ms": 1, "width": 1},
        {"file_id": "v", "duration_ms": 24 * 3600 * 1000 + 1, "width": 1, "height": 1},
        {"file_id": "v", "duration_ms": 1, "width": 1, "height": 1, "poster_file_id": "a b"},
    ],
    "location": [
        {"latitude": 90.01, "longitude": 0.0},
        {"latitude": 0.0, "longitude": -180.01},
        {"latitude": "1", "longitude": 0.0},
        {"latitude": True, "longitude": 0.0},
        {"latitude": 0.0},
        {"latitude": 0.0, "longitude": 0.0, "precision": "fuzzy"},
        {"latitude": 0.0, "longitude": 0.0, "name": "n" * 201},
    ],
    "contact_card": [{}, {"user_id": 0}, {"user_id": "1"}, {"user_id": 1.0}],
    "custom_card": [
        {"title": "T", "url": "javascript:alert(1)"},
        {"title": "T", "url": "JAVASCRIPT:alert(1)"},
        {"title": "T", "url": "data:text/html;base64,PHNjcmlwdD4="},
        {"title": "T", "url": "vbscript:msgbox(1)"},
        {"title": "T", "url": "file:///etc/passwd"},
        {"title": "T", "url": "https://x.example/", "image_url": "javascript:alert(1)"},
        {"title": "T", "url": "https://x.example/" + "a" * 2000},
        {"title": "T", "url": "no scheme"},
        {"title": "", "url": "https://x.example/"},
        {"title": "T" * 201, "url": "https://x.example/"},
        {"url": "https://x.example/"},
        {"title": "T", "url": "https://x.example/", "price": "1,000"},
        {"title": "T", "url": "https://x.example/", "price": "-1"},
        {"title": "T", "url": "https://x.example/", "price": 5},
        {"title": "T", "url": "https://x.example/", "currency": "eur"},
        {"title": "T", "url": "https://x.example/", "currency": "EURO"},
    ],
    "sticker": [
        {"file_id": "s", "width": 4097, "height": 1},
        {"file_id": "s", "width": 1, "height": 1, "emoji": "x" * 17},
    ],
    "chat_record": [
        {"title": "T", "items": []},
        {"title": "", "items": [_ITEM]},
        {"title": "T", "items": [_ITEM] * 101},
        {"title": "T", "items": [{**_ITEM, "type": "html"}]},
        {"title": "T", "items": [{**_ITEM, "type": "notice", "body": {"title": "N"}}]},
        {"title": "T", "items": [{**_ITEM, "body": {"text": ""}}]},
        # Four levels: a record in a record in a record in a record.
        {
            "title": "T",
            "items": [
                {
                    **_ITEM,
                    "type": "chat_record",
                    "body": {
                        "title": "2",
                        "items": [
                            {
                                **_ITEM,
                                "type": "chat_record",
                                "body": {
                                    "title": "3",
                                    "items": [{**_ITEM, "type": "chat_record", "body": _RECORD}],
                                },
                            }
                        ],
                    },
                }
            ],
        },
    ],
}


@pytest.mark.parametrize(
    ("type_name", "body"),
    [(type_name, body) for type_name, bodies in INVALID.items() for body in bodies],
)
def test_invalid_bodies_are_invalid_input_naming_the_problem(
    type_name: str, body: dict[str, Any]
) -> None:
    error = refusal(type_name, body)
    assert error.code is ErrorCode.INVALID_INPUT
    assert error.message == f"invalid {type_name} body"
    assert error.details and all({"loc", "msg"} <= set(d) for d in error.details)


@pytest.mark.parametrize("type_name", ["html", "", "TEXT", 5, None, ["text"]])
def test_unknown_message_types_are_refused(type_name: Any) -> None:
    assert refusal(type_name, {"text": "hi"}).code is ErrorCode.INVALID_INPUT


@pytest.mark.parametrize("body", [None, "hi", ["hi"], 5, True])
def test_a_body_must_be_an_object(body: Any) -> None:
    error = refusal("text", body)
    assert error.code is ErrorCode.INVALID_INPUT and error.message == "body must be an object"


def test_text_length_is_counted_in_characters_up_to_the_limit() -> None:
    assert parse("text", {"text": "字" * MAX_TEXT}) == {"text": "字" * MAX_TEXT}
    for text in ("x" * (MAX_TEXT + 1), "字" * (MAX_TEXT + 1)):
        assert refusal("text", {"text": text}).code is ErrorCode.PAYLOAD_TOO_LARGE
    assert parse("text", {"text": "12345"}, max_text_chars=5) == {"text": "12345"}
    assert refusal("text", {"text": "123456"}, max_text_chars=5).code is (
        ErrorCode.PAYLOAD_TOO_LARGE
    )


def test_a_blurred_location_is_rounded_to_about_a_kilometre() -> None:
    blurred = parse(
        "location", {"latitude": 31.230416, "longitude": -121.476, "precision": "blurred"}
    )
    assert blurred == {"latitude": 31.23, "longitude": -121.48, "precision": "blurred"}
    precise = parse("location", {"latitude": 31.230416, "longitude": -121.476})
    assert precise == {"latitude": 31.230416, "longitude": -121.476}


def test_integer_coordinates_are_accepted_as_floats() -> None:
    stored = parse("location", {"latitude": 30, "longitude": -120, "precision": "blurred"})
    assert stored == {"latitude": 30.0, "longitude": -120.0, "precision": "blurred"}
    assert all(isinstance(stored[k], float) for k in ("latitude", "longitude"))


def test_custom_card_links_are_web_links_only() -> None:
    card = parse("custom_card", {"title": "T", "url": "https://x.example/o/1", "image_url": None})
    assert card == {"title": "T", "url": "https://x.example/o/1"}
    with pytest.raises(ValidationError):
        CustomCardBody.model_validate({"title": "T", "url": "javascript:alert(1)"})


def test_bodies_are_frozen() -> None:
    _, body = parse_body("text", {"text": "hi"}, max_text_chars=MAX_TEXT)
    assert isinstance(body, TextBody)
    with pytest.raises(ValidationError):
        body.text = "changed"  # type: ignore[misc]
    location = LocationBody.model_validate({"latitude": 1.0, "longitude": 2.0})
    with pytest.raises(ValidationError):
        location.latitude = 3.0  # type: ignore[misc]


# may_recall

WINDOW = 120
ME, OTHER = 1, 2


@pytest.mark.parametrize(
    ("conversation", "role", "sender", "age", "expected"),
    [
        (ConversationType.DIRECT, Role.MEMBER, ME, 0.0, None),
        (ConversationType.DIRECT, Role.MEMBER, ME, WINDOW, None),
        (ConversationType.DIRECT, Role.MEMBER, ME, WINDOW + 0.001, "recall_window_passed"),
        (ConversationType.DIRECT, Role.MEMBER, OTHER, 0.0, "not_your_message"),
        # Roles mean nothing in a direct chat: no one recalls the peer's message.
        (ConversationType.DIRECT, Role.OWNER, OTHER, 0.0, "not_your_message"),
        (ConversationType.GROUP, Role.MEMBER, ME, 1.0, None),
        (ConversationType.GROUP, Role.MEMBER, ME, WINDOW + 1, "recall_window_passed"),
        (ConversationType.GROUP, Role.MEMBER, OTHER, 0.0, "not_your_message"),
        (ConversationType.GROUP, Role.OWNER, OTHER, 0.0, None),
        (ConversationType.GROUP, Role.ADMIN, OTHER, 0.0, None),
        (ConversationType.GROUP, Role.OWNER, OTHER, 365 * 86400.0, None),
        (ConversationType.GROUP, Role.ADMIN, ME, 365 * 86400.0, None),
        # A system notice has no sender.
        (ConversationType.SYSTEM, Role.MEMBER, None, 0.0, "not_your_message"),
        (ConversationType.SYSTEM, Role.OWNER, None, 0.0, "not_your_message"),
    ],
)
def test_may_recall(
    conversation: ConversationType,
    role: Role,
    sender: int | None,
    age: float,
    expected: str | None,
) -> None:
    refusal = may_recall(
        actor_id=ME,
        actor_role=role,
        conversation_type=conversation,
        sender_id=sender,
        age_seconds=age,
        window_seconds=WINDOW,
    )
    assert refusal == expected


@pytest.mark.parametrize(
    ("role", "sender_role", "expected"),
    [
        # Recalling someone else's message in a group needs a higher rank (decision 24).
        (Role.OWNER, Role.ADMIN, None),
        (Role.OWNER, Role.MEMBER, None),
        (Role.ADMIN, Role.MEMBER, None),
        (Role.ADMIN, None, None),  # a former member ranks as a member
        (Role.ADMIN, Role.ADMIN, "forbidden"),
        (Role.ADMIN, Role.OWNER, "forbidden"),
        # Without the recall power an admin acts as a member: their own messages only.
        (Role.MEMBER, Role.MEMBER, "not_your_message"),
        (Role.MEMBER, None, "not_your_message"),
    ],
)
def test_recalling_anothers_message_needs_a_higher_rank(
    role: Role, sender_role: Role | None, expected: str | None
) -> None:
    refusal = may_recall(
        actor_id=ME,
        actor_role=role,
        conversation_type=ConversationType.GROUP,
        sender_id=OTHER,
        sender_role=sender_role,
        age_seconds=1.0,
        window_seconds=WINDOW,
    )
    assert refusal == expected


def test_may_recall_refusals_are_error_codes() -> None:
    codes = {code.value for code in ErrorCode}
    assert {"not_your_message", "recall_window_passed", "forbidden"} <= codes


# direct_key and rosters


def test_direct_key_is_the_same_whoever_opens_the_chat() -> None:
    assert direct_key(3, 8) == direct_key(8, 3) == "3:8"
    # Ordered as numbers, not as text ("10" < "9" as text).
    assert direct_key(10, 9) == "9:10"
    assert direct_key(1, 12) != direct_key(11, 2)
    assert len({direct_key(a, b) for a in range(1, 30) for b in range(a + 1, 30)}) == 29 * 28 // 2


def test_a_roster_knows_its_members() -> None:
    roster = Roster(
        conversation_id=5,
        type=ConversationType.GROUP,
        members={1: Member(1, Role.OWNER, 1), 4: Member(4, Role.MEMBER, 7)},
    )
    assert roster.member(4) == Member(4, Role.MEMBER, 7)
    assert roster.member(2) is None
    assert roster.user_ids == (1, 4)


# Error codes


# The codes of issue 2; later issues add their own (documented with their features).
CORE_CODES = {
    "malformed_json", "invalid_utf8", "invalid_input", "unknown_op", "frame_too_large",
    "payload_too_large", "unauthenticated", "invalid_token", "invalid_credentials",
    "already_authenticated", "account_taken", "account_disabled", "rate_limited", "forbidden",
    "not_found", "not_member", "not_friends", "not_your_message", "recall_window_passed",
    "not_recallable", "group_full", "conflict", "internal_error",
}  # fmt: skip


def test_the_documented_error_codes_exist_with_their_http_status() -> None:
    documented = {
        code: int(status)
        for code, status in re.findall(
            r"^\| `([a-z0-9_]+)` \| (\d{3}) \|", PROTOCOL_DOC.read_text(), re.MULTILINE
        )
    }
    assert set(documented) >= CORE_CODES
    actual = {code.value: HTTP_STATUS.get(code, 400) for code in ErrorCode}
    assert {code: actual.get(code) for code in documented} == documented


def test_errors_travel_as_code_and_message() -> None:
    error = TidingsError(ErrorCode.NOT_MEMBER, "no", details=[1])
    assert error.to_wire() == {"code": "not_member", "message": "no", "details": [1]}
    assert TidingsError(ErrorCode.RATE_LIMITED, "wait").to_wire() == {
        "code": "rate_limited",
        "message": "wait",
    }
    assert TidingsError(ErrorCode.RATE_LIMITED, "wait").http_status == 429
    assert TidingsError(ErrorCode.INVALID_UTF8, "bad").http_status == 400
