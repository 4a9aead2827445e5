"""Structured logs (issue 13, N3; decision 0055): with TIDINGS_LOG_FORMAT=json every line the
real server writes is one JSON object, every HTTP request and WebSocket op has an id, and the
lines logged inside a request or an op carry it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import DEV_SMS_ENV, ServerProcess
from tests.support.users import register
from tests.support.waiting import eventually
from tidings.config import Settings
from tidings.logs import configure_logging, request_id
from tidings.sdk import ServerError, TidingsClient


@pytest.fixture(scope="module")
def json_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(
        tmp_path_factory.mktemp("logs"), env={"TIDINGS_LOG_FORMAT": "json", **DEV_SMS_ENV}
    )
    server.start()
    yield server
    server.stop()


def lines(server: ServerProcess) -> list[dict[str, Any]]:
    """Every line of the server's output, each of which must be a JSON object."""
    parsed = []
    # The last piece may be a line still being written: whole lines only.
    for line in server.log().split("\n")[:-1]:
        record = json.loads(line)  # fails the test on any line that is not JSON
        assert isinstance(record, dict)
        assert {"time", "level", "logger", "message"} <= record.keys(), record
        parsed.append(record)
    return parsed


async def test_every_http_request_has_an_id_in_its_answer_and_its_lines(
    json_server: ServerProcess,
) -> None:
    person = await register(json_server.base_url)
    try:
        async with httpx.AsyncClient(base_url=json_server.base_url) as http:
            # A sane id from the client (or a proxy) is kept ...
            given = await http.get("/healthz", headers={"X-Request-ID": "lb-7f3a:42"})
            assert given.headers["x-request-id"] == "lb-7f3a:42"
            # ... one that could forge or flood log lines is replaced by a new one.
            for bad in ("two words", "x" * 129, "new\\nline"):
                answer = await http.get("/healthz", headers={"X-Request-ID": bad})
                assert answer.headers["x-request-id"] not in (bad, "")
            made = await http.get("/api/v1/me")
            assert made.status_code == 401
            made_id = made.headers["x-request-id"]
            # A line logged inside a request (the development SMS sender's) carries its id.
            bound = await http.post(
                "/api/v1/me/phone",
                json={"phone": "+8613800138000"},
                headers={"Authorization": f"Bearer {person.token}", "X-Request-ID": "bind-1"},
            )
            assert bound.status_code == 202, bound.text
    finally:
        await person.http.close()

    # The access line is written once the answer is sent: it may come a moment after it.
    records = await eventually(lambda: _having(lines(json_server), "bind-1"))
    access = {r["request_id"]: r for r in records if r["logger"] == "tidings.access"}
    assert access["lb-7f3a:42"]["status"] == 200
    assert access["lb-7f3a:42"]["path"] == "/healthz"
    assert access[made_id]["status"] == 401 and access[made_id]["method"] == "GET"
    assert access["bind-1"]["path"] == "/api/v1/me/phone"
    sms = [r for r in records if r["logger"] == "tidings.auth.delivery"]
    assert sms and all(r["request_id"] == "bind-1" for r in sms)
    assert sms[0]["level"] == "WARNING"
    # Uvicorn's own lines are JSON too.
    assert any(r["logger"].startswith("uvicorn") for r in records)


async def test_every_websocket_op_has_an_id_and_its_connection_id(
    json_server: ServerProcess,
) -> None:
    person = await register(json_server.base_url)
    try:
        async with TidingsClient(json_server.base_url, token=person.token) as client:
            await client.request("me.phone.bind", {"phone": "+8613800138001"})
            with pytest.raises(ServerError):
                await client.request("history", {"conversation_id": 999_999, "after_seq": 0})
    finally:
        await person.http.close()

    records = await eventually(lambda: _ops_done(lines(json_server), person.id))
    ops = [
        r
        for r in records
        if r["logger"] == "tidings.access" and "op" in r and r.get("user_id") == person.id
    ]
    by_op = {r["op"]: r for r in ops}
    assert {"auth", "me.phone.bind", "history"} <= by_op.keys()
    # One connection: every op carries its id, and an id of its own made from it.
    connection = by_op["me.phone.bind"]["connection_id"]
    assert all(r["connection_id"] == connection for r in ops)
    assert len({r["request_id"] for r in ops}) == len(ops)
    assert all(r["request_id"].startswith(connection + "-") for r in ops)
    assert by_op["history"]["outcome"] in ("not_found", "not_member")
    assert by_op["me.phone.bind"]["outcome"] == "ok"
    # The SMS line logged inside the op carries the op's id and the connection's.
    sms = [
        r
        for r in records
        if r["logger"] == "tidings.auth.delivery" and r.get("connection_id") == connection
    ]
    assert [r["request_id"] for r in sms] == [by_op["me.phone.bind"]["request_id"]]


def _having(records: list[dict[str, Any]], rid: str) -> list[dict[str, Any]] | None:
    found = any(r["logger"] == "tidings.access" and r.get("request_id") == rid for r in records)
    return records if found else None


def _ops_done(records: list[dict[str, Any]], user_id: int) -> list[dict[str, Any]] | None:
    ops = {r.get("op") for r in records if r.get("user_id") == user_id}
    return records if {"auth", "me.phone.bind", "history"} <= ops else None


def test_json_lines_carry_exceptions_and_extra_fields(tmp_path: Path) -> None:
    root = logging.getLogger()
    kept = (root.handlers[:], root.level, logging.getLogger("tidings.access").level)
    out = io.StringIO()
    try:
        configure_logging(Settings(data_dir=tmp_path, log_format="json"))  # type: ignore[arg-type]
        handler = root.handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(out)
        token = request_id.set("req-1")
        try:
            raise ValueError("broken")
        except ValueError:
            logging.getLogger("tidings.example").exception("it failed", extra={"widget": 7})
        finally:
            request_id.reset(token)
    finally:
        logging.captureWarnings(False)
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in kept[0]:
            root.addHandler(handler)
        root.setLevel(kept[1])
        logging.getLogger("tidings.access").setLevel(kept[2])
    record = json.loads(out.getvalue())
    assert record["level"] == "ERROR" and record["logger"] == "tidings.example"
    assert record["message"] == "it failed" and record["widget"] == 7
    assert record["request_id"] == "req-1"
    assert "ValueError: broken" in record["exception"]


def test_text_stays_the_default_without_an_access_log(tmp_path: Path) -> None:
    root = logging.getLogger()
    access = logging.getLogger("tidings.access")
    kept = (root.handlers[:], root.level, access.level)
    out = io.StringIO()
    try:
        configure_logging(Settings(data_dir=tmp_path))
        handler = root.handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(out)
        assert not access.isEnabledFor(logging.INFO)
        token = request_id.set("req-2")
        try:
            logging.getLogger("tidings.example").warning("plain %s", "words")
        finally:
            request_id.reset(token)
        # Asked for, the access log is on with text lines too.
        configure_logging(Settings(data_dir=tmp_path, access_log=True))
        assert access.isEnabledFor(logging.INFO)
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in kept[0]:
            root.addHandler(handler)
        root.setLevel(kept[1])
        access.setLevel(kept[2])
    assert out.getvalue().rstrip().endswith(" WARNING tidings.example plain words")
