"""Unit tests for the gateway's sans-I/O protocol core (src/tidings/gateway/protocol.py):
frames in, requests and frames out, no sockets."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tidings.domain.errors import ErrorCode, TidingsError
from tidings.gateway.protocol import Phase, ProtocolCore, Request

LIMIT = 1024
OPS = frozenset({"auth", "ping", "send", "sync"})


def core(*, authenticated: bool = True, limit: int = LIMIT) -> ProtocolCore:
    protocol = ProtocolCore(max_frame_bytes=limit, ops=OPS)
    if authenticated:
        protocol.authenticated()
    return protocol


def out(protocol: ProtocolCore) -> list[dict[str, Any]]:
    return [orjson.loads(frame) for frame in protocol.data_to_send()]


def refused(protocol: ProtocolCore, frame: str | bytes) -> dict[str, Any]:
    """Feed a frame that must be refused; return its one error reply."""
    if isinstance(frame, bytes):
        assert protocol.receive_bytes(frame) is None
    else:
        assert protocol.receive_text(frame) is None
    (reply,) = out(protocol)
    assert reply["ok"] is False and set(reply) == {"id", "ok", "error"}
    return reply


def code_of(reply: dict[str, Any]) -> str:
    code: str = reply["error"]["code"]
    return code


# The envelope


def test_a_request_is_parsed_with_its_id_op_and_data() -> None:
    protocol = core()
    request = protocol.receive_text('{"id": 7, "op": "send", "data": {"a": [1, "二"]}}')
    assert request == Request(7, "send", {"a": [1, "二"]})
    assert protocol.data_to_send() == [], "nothing is said until the request is answered"


@pytest.mark.parametrize("data", ["", ', "data": null', ', "data": {}'])
def test_data_defaults_to_an_empty_object(data: str) -> None:
    request = core().receive_text('{"id": 1, "op": "sync"' + data + "}")
    assert request == Request(1, "sync", {})


@pytest.mark.parametrize(
    "frame", ["[]", '["ping"]', '"ping"', "42", "true", "null", '{"id": 1, "op": "ping"}{}']
)
def test_a_frame_that_is_not_one_object_is_refused(frame: str) -> None:
    reply = refused(core(), frame)
    assert code_of(reply) in ("invalid_input", "malformed_json") and reply["id"] is None


@pytest.mark.parametrize("frame", ["", "{", '{"id": 1, "op": "ping"', "{'op': 'ping'}", "NaN"])
def test_malformed_json_is_refused_without_an_id(frame: str) -> None:
    reply = refused(core(), frame)
    assert code_of(reply) == "malformed_json" and reply["id"] is None


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ('{"id": 2, "op": "ping", "extra": 1}', "invalid_input"),
        ('{"id": 2, "data": {}}', "invalid_input"),
        ('{"id": 2, "op": 5}', "invalid_input"),
        ('{"id": 2, "op": null}', "invalid_input"),
        ('{"id": 2, "op": "nope"}', "unknown_op"),
        ('{"id": 2, "op": "PING"}', "unknown_op"),
        ('{"id": 2, "op": "ping", "data": []}', "invalid_input"),
        ('{"id": 2, "op": "ping", "data": "x"}', "invalid_input"),
        ('{"id": 2, "op": "ping", "data": 0}', "invalid_input"),
    ],
)
def test_envelope_errors_carry_the_request_id(frame: str, code: str) -> None:
    reply = refused(core(), frame)
    assert code_of(reply) == code and reply["id"] == 2


def test_long_unknown_names_are_cut_in_messages() -> None:
    op = "x" * 10_000
    reply = refused(core(limit=64 * 1024), orjson.dumps({"id": 1, "op": op}).decode())
    assert code_of(reply) == "unknown_op" and len(reply["error"]["message"]) < 100
    reply = refused(core(limit=64 * 1024), orjson.dumps({"id": 1, "op": "ping", op: 1}).decode())
    assert code_of(reply) == "invalid_input" and len(reply["error"]["message"]) < 100


# Ids


@pytest.mark.parametrize(
    "request_id", [0, -1, 2**53 - 1, -(2**53) + 1, "", "a", "x" * 64, "字" * 64]
)
def test_valid_ids_are_echoed(request_id: int | str) -> None:
    protocol = core()
    request = protocol.receive_text(orjson.dumps({"id": request_id, "op": "ping"}).decode())
    assert request is not None and request.id == request_id
    protocol.reply(request, "pong")
    assert out(protocol) == [{"id": request_id, "ok": True, "data": "pong"}]


@pytest.mark.parametrize(
    "raw_id", ["true", "false", "1.0", "1.5", "1e3", "[1]", '{"a": 1}', f'"{"x" * 65}"', "2e53"]
)
def test_invalid_ids_are_refused_without_echoing_them(raw_id: str) -> None:
    reply = refused(core(), '{"id": ' + raw_id + ', "op": "ping"}')
    assert code_of(reply) == "invalid_input" and reply["id"] is None


@pytest.mark.parametrize("raw_id", [str(2**53), str(-(2**53)), str(2**64), str(10**30)])
def test_ids_beyond_what_javascript_holds_exactly_are_refused(raw_id: str) -> None:
    reply = refused(core(), '{"id": ' + raw_id + ', "op": "ping"}')
    assert code_of(reply) == "invalid_input" and reply["id"] is None


def test_without_an_id_success_is_silent_but_errors_still_come_back() -> None:
    protocol = core()
    request = protocol.receive_text('{"op": "ping"}')
    assert request == Request(None, "ping", {})
    protocol.reply(request, {"now": 1})
    assert protocol.data_to_send() == []
    protocol.fail(request, TidingsError(ErrorCode.NOT_MEMBER, "no"))
    assert out(protocol) == [
        {"id": None, "ok": False, "error": {"code": "not_member", "message": "no"}}
    ]


def test_null_id_is_fire_and_forget() -> None:
    assert core().receive_text('{"id": null, "op": "ping"}') == Request(None, "ping", {})


# Phases


def test_before_auth_only_auth_and_ping_are_accepted() -> None:
    protocol = core(authenticated=False)
    assert protocol.phase is Phase.AUTHENTICATING
    assert protocol.receive_text('{"id": 1, "op": "ping"}') == Request(1, "ping", {})
    assert protocol.receive_text('{"id": 2, "op": "auth", "data": {"token": "t"}}') == Request(
        2, "auth", {"token": "t"}
    )
    for op in ("send", "sync"):
        reply = refused(protocol, orjson.dumps({"id": op, "op": op}).decode())
        assert code_of(reply) == "unauthenticated" and reply["id"] == op
    # Unknown ops are unknown whatever the phase.
    assert code_of(refused(protocol, '{"id": 3, "op": "nope"}')) == "unknown_op"


def test_after_auth_every_op_but_auth_is_accepted() -> None:
    protocol = core(authenticated=False)
    protocol.authenticated()
    assert protocol.phase is Phase.OPEN
    assert protocol.receive_text('{"id": 1, "op": "sync"}') == Request(1, "sync", {})
    reply = refused(protocol, '{"id": 2, "op": "auth", "data": {"token": "t"}}')
    assert code_of(reply) == "already_authenticated" and reply["id"] == 2


def test_authenticated_is_idempotent_and_does_not_reopen_a_closing_connection() -> None:
    protocol = core()
    protocol.authenticated()
    phases = [protocol.phase]
    protocol.close(4002, "revoked")
    protocol.authenticated()
    phases.append(protocol.phase)
    assert phases == [Phase.OPEN, Phase.CLOSING]


def test_ops_before_auth_are_configurable() -> None:
    protocol = ProtocolCore(max_frame_bytes=LIMIT, ops=OPS, ops_before_auth=frozenset({"auth"}))
    assert code_of(refused(protocol, '{"id": 1, "op": "ping"}')) == "unauthenticated"


# Size limit


def _ping_padded(pad: str, count: int) -> str:
    """A valid ping frame padded with ``count`` times ``pad`` inside a string."""
    return '{"id": 1, "op": "ping", "data": {"p": "' + pad * count + '"}}'


def _largest_within(limit: int, pad: str) -> int:
    """How many ``pad`` characters fit in a frame of at most ``limit`` bytes."""
    overhead = len(_ping_padded(pad, 0).encode())
    return (limit - overhead) // len(pad.encode())


@pytest.mark.parametrize("pad", [" ", "é", "字", "😀"])
def test_the_limit_counts_utf8_bytes_not_characters(pad: str) -> None:
    count = _largest_within(LIMIT, pad)
    at_limit = _ping_padded(pad, count)
    assert len(at_limit.encode()) <= LIMIT
    assert core().receive_text(at_limit) is not None
    over = _ping_padded(pad, count + 1)
    assert len(over.encode()) > LIMIT
    reply = refused(core(), over)
    assert code_of(reply) == "frame_too_large" and reply["id"] is None
    assert code_of(refused(core(), over.encode())) == "frame_too_large"


def test_a_frame_of_exactly_the_limit_is_accepted_and_one_byte_more_is_not() -> None:
    protocol = core()
    exact = _ping_padded(" ", _largest_within(LIMIT, " "))
    assert len(exact.encode()) == LIMIT
    assert protocol.receive_text(exact) is not None
    assert code_of(refused(protocol, exact[:-3] + ' "}}')) == "frame_too_large"
    # Few characters, many bytes: 4-byte characters just past the limit.
    emoji = _ping_padded("😀", _largest_within(LIMIT, "😀") + 1)
    assert len(emoji) < LIMIT < len(emoji.encode())
    assert code_of(refused(protocol, emoji)) == "frame_too_large"
    # The connection goes on.
    assert protocol.receive_text('{"id": 9, "op": "ping"}') == Request(9, "ping", {})


def test_an_oversized_frame_is_refused_before_it_is_parsed() -> None:
    # Not even JSON: too large comes first.
    assert code_of(refused(core(), "{" * (LIMIT + 1))) == "frame_too_large"


# Bytes and UTF-8


def test_binary_frames_carry_the_same_json() -> None:
    request = core().receive_bytes('{"id": 1, "op": "send", "data": {"t": "字"}}'.encode())
    assert request == Request(1, "send", {"t": "字"})


@pytest.mark.parametrize(
    "data", [b"\xff", b'{"id": 1, "op": "ping", "data": {"t": "\xc3\x28"}}', b"\xed\xa0\x80"]
)
def test_binary_frames_that_are_not_utf8_are_invalid_utf8(data: bytes) -> None:
    reply = refused(core(), data)
    assert code_of(reply) == "invalid_utf8" and reply["id"] is None


def test_a_lone_surrogate_in_a_text_frame_is_not_json() -> None:
    assert code_of(refused(core(), '{"id": 1, "op": "ping", "data": {"t": "\ud800"}}')) == (
        "malformed_json"
    )


# Output order and closing


def test_replies_and_pushes_leave_in_the_order_they_were_queued() -> None:
    protocol = core()
    first = protocol.receive_text('{"id": 1, "op": "sync"}')
    assert first is not None
    protocol.push('{"push": "typing", "data": {}}')
    protocol.reply(first, {"n": 1})
    assert protocol.receive_text("nope") is None
    protocol.push('{"push": "entry", "data": {}}')
    second = protocol.receive_text('{"id": 2, "op": "send"}')
    assert second is not None
    protocol.fail(second, TidingsError(ErrorCode.NOT_MEMBER, "no"))
    frames = out(protocol)
    assert [f.get("push") or f["id"] for f in frames] == ["typing", 1, None, "entry", 2]
    assert frames[1] == {"id": 1, "ok": True, "data": {"n": 1}}
    assert protocol.data_to_send() == [], "data_to_send drains the queue"


def test_pushes_are_passed_through_as_serialized() -> None:
    protocol = core()
    frame = '{"push":"entry","data":{"seq":1}}'
    protocol.push(frame)
    assert protocol.data_to_send() == [frame]


def test_close_stops_all_output_and_input() -> None:
    protocol = core()
    request = protocol.receive_text('{"id": 1, "op": "sync"}')
    assert request is not None
    protocol.push('{"push": "before"}')
    protocol.close(4002, "session revoked")
    assert protocol.phase is Phase.CLOSING
    assert protocol.close_requested == (4002, "session revoked")
    protocol.reply(request, {"late": True})
    protocol.fail(request, TidingsError(ErrorCode.INTERNAL, "late"))
    protocol.push('{"push": "after"}')
    assert protocol.receive_text('{"id": 2, "op": "ping"}') is None
    assert protocol.receive_text("garbage") is None
    assert protocol.receive_bytes(b"\xff") is None
    # What was queued before the close still goes out, then nothing more.
    assert protocol.data_to_send() == ['{"push": "before"}']
    assert protocol.data_to_send() == []


def test_the_first_close_wins() -> None:
    protocol = core()
    protocol.close(4001, "signed in elsewhere")
    protocol.close(1000, "normal")
    assert protocol.close_requested == (4001, "signed in elsewhere")


def test_a_fresh_core_has_nothing_to_send_and_no_close() -> None:
    protocol = core(authenticated=False)
    assert protocol.data_to_send() == [] and protocol.close_requested is None


def test_error_replies_use_the_wire_shape_with_details() -> None:
    protocol = core()
    request = protocol.receive_text('{"id": "r", "op": "send"}')
    assert request is not None
    protocol.fail(request, TidingsError(ErrorCode.INVALID_INPUT, "bad", details=[{"loc": ["x"]}]))
    assert out(protocol) == [
        {
            "id": "r",
            "ok": False,
            "error": {"code": "invalid_input", "message": "bad", "details": [{"loc": ["x"]}]},
        }
    ]
