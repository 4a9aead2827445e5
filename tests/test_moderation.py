"""Content moderation (K7, decision 0056) against a real server on SQLite and PostgreSQL: the
server-wide word list on messages, nicknames, group names and announcements (zh and en),
bulk changes and their limits, users' reports and the reviewers' decisions, each audited."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.admin import Staff, audit_since, last_audit_id, staff
from tests.support.server import ServerProcess
from tests.support.social import http_refused, new_group, online, refused
from tests.support.users import PASSWORD, Person, register
from tidings.sdk import ServerError, TidingsHttp

WORDS = "/api/v1/admin/moderation/words"
REPORTS = "/api/v1/admin/moderation/reports"


@pytest.fixture(scope="module")
async def people(server: ServerProcess) -> AsyncIterator[Staff]:
    found = await staff(server)
    # The module's list: English and Chinese words of each action, one typed full-width.
    await found.super_admin.http.call(
        "POST",
        WORDS,
        {
            "words": [
                {"word": "Badword", "action": "block"},
                {"word": "违禁", "action": "block"},
                {"word": "darn", "action": "replace"},
                {"word": "敏感", "action": "replace"},
                {"word": "ｓｐａｍｍｙ", "action": "flag"},
                {"word": "可疑", "action": "flag"},
            ]
        },
    )
    yield found
    await found.close()


async def _queue(admin: Person, **filters: Any) -> list[dict[str, Any]]:
    found = await admin.http.call("GET", REPORTS, None, limit=200, **filters)
    reports: list[dict[str, Any]] = found["reports"]
    return reports


async def _send_refused(client: Any, conversation_id: int, text: str) -> str:
    return await refused(
        client,
        "send",
        {
            "conversation_id": conversation_id,
            "client_msg_id": f"c{abs(hash(text))}",
            "type": "text",
            "body": {"text": text},
        },
    )


async def test_messages_are_blocked_masked_or_flagged_in_english_and_chinese(
    base_url: str, people: Staff, alice: Person, bob: Person
) -> None:
    async with online(base_url, alice, bob) as (a, b):
        group = await new_group(a, bob)
        # Blocked: case and width do not matter; the error names no word.
        for text in ("what a BADWORD.", "这是违禁内容", "ＢＡＤＷＯＲＤ!"):
            try:
                await a.request(
                    "send",
                    {
                        "conversation_id": group,
                        "client_msg_id": f"b{abs(hash(text))}",
                        "type": "text",
                        "body": {"text": text},
                    },
                )
                raise AssertionError(f"{text!r} was sent")
            except ServerError as error:
                assert error.code == "content_blocked"
                assert "badword" not in error.message.lower() and "违禁" not in error.message
        # Latin words match whole words only; CJK inside a run.
        sent = await a.send(group, "text", {"text": "badwords and darning are fine"})
        assert sent["body"]["text"] == "badwords and darning are fine"
        masked = await a.send(group, "text", {"text": "Darn it, 这很敏感啊"})
        assert masked["body"]["text"] == "*** it, 这很***啊"
        history = await b.history(group)
        assert history[-1]["body"]["text"] == "*** it, 这很***啊"
        # Other bodies' shown text: a location's name.
        place = await a.send(
            group, "location", {"latitude": 1.0, "longitude": 2.0, "name": "darn place"}
        )
        assert place["body"]["name"] == "*** place"
        # Flagged: delivered as is, and queued for review.
        flagged = await a.send(
            group, "text", {"text": "spammy 可疑 offer"}, client_msg_id="flag-once"
        )
        assert flagged["body"]["text"] == "spammy 可疑 offer"
        # A resend (the sender got no ack) flags it once.
        again = await a.request(
            "send",
            {
                "conversation_id": group,
                "client_msg_id": "flag-once",
                "type": "text",
                "body": {"text": "spammy 可疑 offer"},
            },
        )
        assert again["seq"] == flagged["seq"]
        # Stored but not flagged (as when its node died between the two): the sender, who had
        # no ack, resends, and the flag is written then.
        word = f"zz{uuid.uuid4().hex[:6]}"
        unflagged = await a.send(group, "text", {"text": f"{word} deal"}, client_msg_id=word)
        await people.super_admin.http.call(
            "POST", WORDS, {"words": [{"word": word, "action": "flag"}]}
        )
        resent = await a.request(
            "send",
            {
                "conversation_id": group,
                "client_msg_id": word,
                "type": "text",
                "body": {"text": f"{word} deal"},
            },
        )
        assert resent["seq"] == unflagged["seq"]
    queue = await _queue(people.super_admin, source="words", target_type="message")
    mine = [r for r in queue if r["conversation_id"] == group and r["seq"] == flagged["seq"]]
    assert len(mine) == 1
    assert mine[0]["reason"] == "flagged_words" and mine[0]["reporter_id"] is None
    assert "spammy" in mine[0]["note"] and "可疑" in mine[0]["note"]
    assert mine[0]["target_user_id"] == alice.id
    late = [r for r in queue if r["conversation_id"] == group and r["seq"] == unflagged["seq"]]
    assert len(late) == 1 and word in late[0]["note"]


async def test_nicknames_group_names_and_announcements_are_screened(
    base_url: str, people: Staff, alice: Person, bob: Person
) -> None:
    async with online(base_url, alice, bob) as (a, _):
        assert await refused(a, "profile.update", {"nickname": "违禁者"}) == "content_blocked"
        profile = await a.request("profile.update", {"nickname": "Mr Darn"})
        assert profile["nickname"] == "Mr ***"
        assert (
            await refused(
                a, "conversation.create_group", {"name": "badword club", "member_ids": []}
            )
            == "content_blocked"
        )
        group = await new_group(a, bob, name="敏感小组")
        info = await a.request("group.info", {"conversation_id": group})
        assert info["name"] == "***小组"
        await a.request("group.update", {"conversation_id": group, "name": "可疑 group"})
        assert (
            await refused(
                a,
                "group.announcement.post",
                {"conversation_id": group, "text": "no BadWord here", "pinned": False},
            )
            == "content_blocked"
        )
        posted = await a.request(
            "group.announcement.post",
            {"conversation_id": group, "text": "darn rules", "pinned": False},
        )
        assert posted["text"] == "*** rules"
    # Registering under a blocked nickname is refused too.
    http = TidingsHttp(base_url)
    with pytest.raises(ServerError) as caught:
        await http.register(f"nick{uuid.uuid4().hex[:8]}", PASSWORD, "违禁")
    assert caught.value.code == "content_blocked"
    await http.close()
    flagged = await _queue(people.super_admin, source="words", target_type="group")
    assert any(r["conversation_id"] == group and "可疑" in r["note"] for r in flagged)


async def test_word_changes_are_audited_once_and_bad_entries_reported(
    people: Staff,
) -> None:
    admin = people.super_admin
    before = await last_audit_id(admin)
    result = await admin.http.call(
        "POST",
        WORDS,
        {
            "words": [
                {"word": "temporary1", "action": "flag"},
                {"word": "  ", "action": "block"},
                {"word": "x" * 51, "action": "block"},
                {"word": "ok2", "action": "shout"},
                {"word": "tab\tword", "action": "block"},
                {"word": 7, "action": "block"},
                "temporary2",
                {"word": "temporary3", "action": "block", "extra": 1},
            ],
            "action": "replace",
        },
    )
    assert (result["added"], result["updated"]) == (2, 0)
    assert [e["index"] for e in result["errors"]] == [1, 2, 3, 4, 5, 7]
    assert {e["code"] for e in result["errors"]} == {"invalid_input"}
    # Setting an action is a change too; nothing new to apply is none.
    changed = await admin.http.call(
        "POST", WORDS, {"words": [{"word": "TEMPORARY1", "action": "block"}]}
    )
    assert (changed["added"], changed["updated"]) == (0, 1)
    entries = await audit_since(admin, before, action="words.update")
    assert len(entries) == 2
    assert entries[0]["details"]["words"] == 2 and entries[0]["details"]["rejected"] == 6
    # Only bad entries: refused whole, no audit entry.
    mark = await last_audit_id(admin)
    assert await http_refused(admin, "POST", WORDS, {"words": ["", "   "]}) == "invalid_input"
    assert await audit_since(admin, mark) == []
    listed = await admin.http.call("GET", WORDS, None, q="temporary")
    assert {(w["word"], w["action"]) for w in listed["words"]} == {
        ("temporary1", "block"),
        ("temporary2", "replace"),
    }
    removed = await admin.http.call(
        "POST", f"{WORDS}/remove", {"words": ["temporary1", "temporary2", "never", ""]}
    )
    assert (removed["removed"], removed["missing"], len(removed["errors"])) == (2, 1, 1)
    assert len(await audit_since(admin, mark, action="words.remove")) == 1


async def test_import_a_text_or_csv_list(base_url: str, people: Staff) -> None:
    admin = people.super_admin
    before = await last_audit_id(admin)
    data = "word,action\nimported1,flag\n导入词\nimported2,replace\n,block\nbad,line,here\n"
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post(
            f"{WORDS}/import?action=block",
            content=data.encode(),
            headers={"Authorization": f"Bearer {admin.token}", "Content-Type": "text/csv"},
        )
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["added"] == 3
        assert [e["line"] for e in result["errors"]] == [4, 5]
        not_utf8 = await http.post(
            f"{WORDS}/import",
            content=b"\xff\xfe\x00bad",
            headers={"Authorization": f"Bearer {admin.token}"},
        )
        assert not_utf8.json()["error"]["code"] == "bad_file"
    listed = await admin.http.call("GET", WORDS, None, q="导入")
    assert listed["words"][0]["action"] == "block"
    assert len(await audit_since(admin, before, action="words.import")) == 1
    await admin.http.call(
        "POST", f"{WORDS}/remove", {"words": ["imported1", "导入词", "imported2"]}
    )


async def test_reports_need_sight_of_the_target_and_are_idempotent(
    base_url: str, people: Staff, alice: Person, bob: Person, carol: Person
) -> None:
    async with online(base_url, alice, bob, carol) as (a, b, c):
        group = await new_group(a, bob)
        message = await b.send(group, "text", {"text": "buy my coins"})
        report = {
            "target_type": "message",
            "conversation_id": group,
            "seq": message["seq"],
            "reason": "fraud",
            "note": "a scam",
        }
        # Carol is not in the group: the message does not exist for her.
        assert await refused(c, "reports.create", report) == "not_found"
        assert await refused(c, "reports.create", {**report, "seq": 10_000}) == "not_found"
        assert await refused(a, "reports.create", {**report, "reason": "boring"}) == "invalid_input"
        assert (
            await refused(a, "reports.create", {"target_type": "message", "reason": "spam"})
            == "invalid_input"
        )
        # The same report many times at once: one report.
        replies = await asyncio.gather(*(a.request("reports.create", report) for _ in range(8)))
        assert len({r["id"] for r in replies}) == 1
        assert sum(r["created"] for r in replies) == 1
        # Over REST too, the same report.
        again = await alice.http.call("POST", "/api/v1/reports", report)
        assert again["id"] == replies[0]["id"] and again["created"] is False
        # A person and a group.
        assert (
            await refused(
                a, "reports.create", {"target_type": "user", "user_id": alice.id, "reason": "spam"}
            )
            == "invalid_input"
        )
        person = await a.request(
            "reports.create", {"target_type": "user", "user_id": bob.id, "reason": "abuse"}
        )
        assert person["created"]
        assert (
            await refused(
                c,
                "reports.create",
                {"target_type": "group", "conversation_id": group, "reason": "spam"},
            )
            == "not_found"
        )
        await b.request(
            "reports.create", {"target_type": "group", "conversation_id": group, "reason": "other"}
        )
    queue = await _queue(people.auditor, status="open", source="users")
    ours = [r for r in queue if r["id"] == replies[0]["id"]]
    assert ours and ours[0]["excerpt"] == "buy my coins"
    assert ours[0]["reporter_name"] and ours[0]["target_user_id"] == bob.id


async def _report_message(client: Any, sender: Any, group: int, text: str) -> tuple[int, int]:
    message = await sender.send(group, "text", {"text": text})
    report = await client.request(
        "reports.create",
        {
            "target_type": "message",
            "conversation_id": group,
            "seq": message["seq"],
            "reason": "abuse",
        },
    )
    return int(report["id"]), int(message["seq"])


async def test_resolving_recalls_mutes_freezes_or_dismisses_each_audited_once(
    base_url: str, people: Staff, alice: Person, bob: Person
) -> None:
    admin = people.super_admin
    async with online(base_url, alice, bob) as (a, b):
        group = await new_group(a, bob)
        recall_id, seq = await _report_message(a, b, group, "rude words")
        # Another reporter on the same message: resolved with it.
        other = await b.request(
            "reports.create",
            {"target_type": "message", "conversation_id": group, "seq": seq, "reason": "spam"},
        )
        before = await last_audit_id(admin)
        # Refused: the auditor may read but not act; a mute without its length; a wrong fit.
        assert (
            await http_refused(
                people.auditor, "POST", f"{REPORTS}/{recall_id}/resolve", {"action": "dismiss"}
            )
            == "forbidden"
        )
        assert (
            await http_refused(admin, "POST", f"{REPORTS}/{recall_id}/resolve", {"action": "mute"})
            == "invalid_input"
        )
        assert (
            await http_refused(admin, "POST", f"{REPORTS}/{2**60}/resolve", {"action": "dismiss"})
            == "not_found"
        )
        assert await audit_since(admin, before) == []
        done = await admin.http.call(
            "POST", f"{REPORTS}/{recall_id}/resolve", {"action": "recall", "note": "rude"}
        )
        assert sorted(done["resolved"]) == sorted([recall_id, other["id"]])
        assert done["entry"]["kind"] == "recall" and done["entry"]["body"]["target_seq"] == seq
        history = await a.history(group)
        assert any(e["kind"] == "recall" and e["body"]["target_seq"] == seq for e in history)
        assert next(e for e in history if e["seq"] == seq)["recalled"]
        entries = await audit_since(admin, before)
        assert [e["action"] for e in entries] == ["report.resolve"]
        # Twice: a conflict, and no second entry.
        mark = await last_audit_id(admin)
        assert (
            await http_refused(
                admin, "POST", f"{REPORTS}/{recall_id}/resolve", {"action": "dismiss"}
            )
            == "conflict"
        )
        assert await audit_since(admin, mark) == []
        # Mute the sender in the group for a while.
        mute_id, _ = await _report_message(a, b, group, "more rude words")
        await admin.http.call(
            "POST", f"{REPORTS}/{mute_id}/resolve", {"action": "mute", "mute_seconds": 600}
        )
        assert await _send_refused(b, group, "can I talk?") == "muted"
        # Dismiss.
        dismiss_id, _ = await _report_message(b, a, group, "a fine message")
        await admin.http.call("POST", f"{REPORTS}/{dismiss_id}/resolve", {"action": "dismiss"})
        entries = await audit_since(admin, mark)
        assert [e["action"] for e in entries] == ["report.resolve", "report.resolve"]
        resolved = await _queue(admin, status="resolved")
        found = next(r for r in resolved if r["id"] == dismiss_id)
        assert found["resolution"] == "dismiss" and found["resolved_by"] == admin.id
    # Freeze the reported person: their sign-in is refused.
    villain = await register(base_url, "villain")
    async with online(base_url, alice) as (a,):
        report = await a.request(
            "reports.create", {"target_type": "user", "user_id": villain.id, "reason": "fraud"}
        )
    mark = await last_audit_id(admin)
    await admin.http.call("POST", f"{REPORTS}/{report['id']}/resolve", {"action": "freeze"})
    assert [e["action"] for e in await audit_since(admin, mark)] == [
        "user.freeze",
        "report.resolve",
    ]
    with pytest.raises(ServerError) as caught:
        await villain.http.call("GET", "/api/v1/me")
    assert caught.value.code in ("invalid_token", "account_disabled")
    await villain.http.close()


async def test_a_list_of_100000_words_is_taken_and_one_more_is_refused(
    base_url: str, people: Staff
) -> None:
    admin = people.super_admin
    listed = (await admin.http.call("GET", WORDS, None))["total"]
    words = [f"w{i:06d}" for i in range(100_000 - listed)]
    added = await admin.http.call("POST", WORDS, {"words": words, "action": "flag"})
    assert added["added"] == len(words) and added["errors"] == []
    assert await http_refused(admin, "POST", WORDS, {"words": ["onemore"], "action": "flag"}) == (
        "too_many_words"
    )
    assert (
        await http_refused(admin, "POST", WORDS, {"words": ["x"] * 100_001, "action": "flag"})
        == "too_many_words"
    )
    # The compiled list works at that size.
    async with online(base_url, admin) as (a,):
        me = await a.request("profile.update", {"nickname": "w012345 darn"})
        assert me["nickname"] == "w012345 ***"
    removed = await admin.http.call("POST", f"{WORDS}/remove", {"words": words})
    assert removed["removed"] == len(words)
