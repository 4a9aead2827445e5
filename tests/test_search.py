"""Message search (issue 15, decision 0072) against a real server, on SQLite and PostgreSQL:
what is found for Chinese, English and mixed queries (recall and precision over a seeded
corpus), what is never found (each exclusion, with a control showing the message was
findable or indexed), bad input, paging and jumping to a result."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.files import jpeg, uploaded
from tests.support.raw import RawConnection, raw_connection
from tests.support.users import Person, register
from tests.support.waiting import eventually
from tidings.sdk import highlighted

SERVER_ENV = {"TIDINGS_SEARCH_POLL_SECONDS": "0.1"}
# The indexer makes a message searchable within 2 s; tests wait longer on a loaded machine.
INDEXED_WITHIN = 20.0


def bearer(person: Person) -> dict[str, str]:
    return {"Authorization": f"Bearer {person.token}"}


async def search(conn: RawConnection, q: str, **filters: Any) -> dict[str, Any]:
    reply: dict[str, Any] = await conn.ok("messages.search", {"q": q, **filters})
    return reply


async def seqs_found(conn: RawConnection, q: str, **filters: Any) -> set[tuple[int, int]]:
    """(conversation_id, seq) of every result, following the cursor to the end."""
    found: list[tuple[int, int]] = []
    cursor: str | None = None
    while True:
        page = await search(conn, q, limit=50, **filters, **({"cursor": cursor} if cursor else {}))
        found.extend((r["conversation_id"], r["seq"]) for r in page["results"])
        cursor = page["next"]
        if cursor is None:
            break
    assert len(found) == len(set(found)), f"a result came twice: {found}"
    return set(found)


async def send(conn: RawConnection, conversation_id: int, type_: str, body: Any) -> int:
    entry = await conn.ok(
        "send",
        {
            "conversation_id": conversation_id,
            "client_msg_id": uuid.uuid4().hex,
            "type": type_,
            "body": body,
        },
    )
    return int(entry["seq"])


async def text(conn: RawConnection, conversation_id: int, words: str) -> int:
    return await send(conn, conversation_id, "text", {"text": words})


async def indexed(conn: RawConnection, conversation_id: int) -> None:
    """Wait until everything sent so far is searchable: a fresh marker is sent to the
    conversation and found (the indexer goes through the log in order)."""
    marker = f"marker{uuid.uuid4().hex[:12]}"
    seq = await text(conn, conversation_id, marker)

    async def found() -> bool:
        return (conversation_id, seq) in await seqs_found(conn, marker)

    await eventually(found, within=INDEXED_WITHIN, every=0.1)


async def group(conn: RawConnection, name: str, members: list[Person]) -> int:
    created = await conn.ok(
        "conversation.create_group", {"name": name, "member_ids": [m.id for m in members]}
    )
    return int(created["id"])


# ---- What is found -------------------------------------------------------------------------


@dataclass
class Corpus:
    conversation_id: int
    seqs: dict[str, int]  # name -> seq


CORPUS_TEXTS = {
    "meeting": "我们明天下午三点在会议室开会讨论项目进度",
    "report": "请把季度报告发给张伟，他负责审批",
    "deploy_zh": "服务器部署完成了，上线时间定在周五",
    "member": "会员活动的促销价格还没确定",
    "review": "Please review the deployment plan before Friday",
    "script": "The deploy script failed on staging",
    "order": "Order SO-2024-0117 has shipped 🚀",
    "order_zh": "订单SO-2024-0118已经付款",
    "minutes": "Q3会议纪要已上传",
    "redeploy": "Redeploying the hotfix now",
    "weather": "今天天气不错",
    "cafe": "CAFÉ au lait for everyone",
    "wide": "ＡＢＣ全角测试",
    "link": "设计稿在 https://design.example.com/board/42 请看",
}

# query -> the corpus messages it must find, and nothing else of the corpus.
QUERIES: dict[str, set[str]] = {
    # Chinese: two-character words inside long runs, single characters, names, phrases
    "会议": {"meeting", "minutes", "file_minutes"},
    "会": {"meeting", "member", "minutes", "file_minutes"},
    "开会": {"meeting"},
    "会议室": {"meeting"},
    "项目进度": {"meeting"},
    "目进": {"meeting"},
    "天": {"meeting", "weather"},
    "张伟": {"report"},
    "审批": {"report", "card"},
    "部署": {"deploy_zh"},
    "纪要": {"minutes", "file_minutes"},
    "明天 会议室": {"meeting"},
    "报销": {"card"},
    "不存在的词": set(),
    # English: case-insensitive, word prefixes (not inside words)
    "deploy": {"review", "script"},
    "DEPLOY": {"review", "script"},
    "Deploym": {"review"},
    "review": {"review"},
    "the": {"review", "script", "redeploy"},
    "hotfix now": {"redeploy"},
    "cafe": {"cafe"},
    "café": {"cafe"},
    "abc": {"wide"},
    "whiteboard": {"image"},
    # numbers and codes, mixed, emoji
    "SO-2024-0117": {"order"},
    "SO-2024": {"order", "order_zh"},
    "0118": {"order_zh"},
    "Q3会议": {"minutes"},
    "🚀": {"order"},
    "design.example.com": {"link"},
}


@pytest.fixture
async def corpus(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> AsyncIterator[tuple[RawConnection, Corpus]]:
    async with raw_connection(base_url, alice.token) as a:
        conv = await group(a, "Corpus", [bob])
        seqs = {name: await text(a, conv, words) for name, words in CORPUS_TEXTS.items()}
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            file_id = await uploaded(
                http, alice.token, b"%PDF-1.4 minutes", filename="会议纪要-第三季度.pdf"
            )
            image_id = await uploaded(
                http, alice.token, jpeg(), filename="x.jpg", filetype="image/jpeg"
            )
        # The server names a file as it was uploaded, whatever the message says.
        seqs["file_minutes"] = await send(
            a, conv, "file", {"file_id": file_id, "name": "x.pdf", "size": 16}
        )
        seqs["image"] = await send(
            a,
            conv,
            "image",
            {"file_id": image_id, "width": 64, "height": 32, "name": "whiteboard-设计图.jpg"},
        )
        seqs["card"] = await send(
            a,
            conv,
            "custom_card",
            {"title": "审批：报销申请 ¥1,200", "url": "https://erp.example.com/claims/7"},
        )
        seqs["contact"] = await send(a, conv, "contact_card", {"user_id": carol.id})
        await indexed(a, conv)
        yield a, Corpus(conv, seqs)


async def test_chinese_english_and_mixed_queries_find_exactly_what_they_should(
    corpus: tuple[RawConnection, Corpus],
) -> None:
    a, c = corpus
    names = {seq: name for name, seq in c.seqs.items()}
    failures = []
    for query, expected in QUERIES.items():
        expected = {e for e in expected if e in c.seqs}
        found = {
            names.get(seq, f"seq {seq}")
            for conv, seq in await seqs_found(a, query)
            if conv == c.conversation_id
        }
        if found != expected:
            failures.append(f"{query!r}: found {sorted(found)}, expected {sorted(expected)}")
    assert not failures, "\n".join(failures)


async def test_a_contact_card_is_found_by_the_name_of_the_person_it_shares(
    corpus: tuple[RawConnection, Corpus], carol: Person
) -> None:
    a, c = corpus
    found = await seqs_found(a, "Carol", conversation_id=c.conversation_id)  # her nickname
    assert (c.conversation_id, c.seqs["contact"]) in found


async def test_results_carry_a_plain_text_snippet_with_highlight_ranges(
    corpus: tuple[RawConnection, Corpus],
) -> None:
    a, c = corpus
    page = await search(a, "会议室", conversation_id=c.conversation_id)
    (result,) = page["results"]
    assert result["conversation_id"] == c.conversation_id
    assert result["seq"] == c.seqs["meeting"]
    assert result["type"] == "text"
    assert result["created_at"] > 0 and result["sender_id"] > 0
    snippet, ranges = result["snippet"], result["highlights"]
    assert snippet == CORPUS_TEXTS["meeting"]
    assert [snippet[s:e] for s, e in ranges] == ["会议室"]
    # Offsets count UTF-16 code units (as JavaScript does): the emoji takes two.
    page = await search(a, "shipped", conversation_id=c.conversation_id)
    (result,) = page["results"]
    ((start, end),) = result["highlights"]
    utf16 = result["snippet"].encode("utf-16-le")
    assert utf16[start * 2 : end * 2].decode("utf-16-le") == "shipped"


async def test_the_python_sdk_searches_and_reads_highlights(
    base_url: str, corpus: tuple[RawConnection, Corpus], alice: Person
) -> None:
    _, c = corpus
    async with alice.client(base_url) as client:
        page = await client.search_messages("SO-2024", conversation_id=c.conversation_id, limit=1)
        assert len(page["results"]) == 1 and page["next"]
        rest = await client.search_messages(
            "SO-2024", conversation_id=c.conversation_id, cursor=page["next"]
        )
        both = [r["seq"] for r in page["results"] + rest["results"]]
        assert sorted(both) == sorted([c.seqs["order"], c.seqs["order_zh"]])
        by_seq = {r["seq"]: r for r in page["results"] + rest["results"]}
        assert highlighted(by_seq[c.seqs["order"]]) == ["SO-2024"]
        newest = await client.search_messages(
            "SO-2024", conversation_id=c.conversation_id, order="newest"
        )
        assert [r["seq"] for r in newest["results"]] == sorted(both, reverse=True)
        around = await client.history_around(c.conversation_id, c.seqs["order"], limit=3)
        order = c.seqs["order"]
        assert [e["seq"] for e in around] == [order - 1, order, order + 1]


async def test_markup_in_a_message_comes_back_as_text(base_url: str, alice: Person) -> None:
    async with raw_connection(base_url, alice.token) as a:
        conv = await group(a, "Markup", [])
        attack = '<img src=x onerror="alert(1)"> <mark>xsscheck</mark>'
        seq = await text(a, conv, attack)
        await indexed(a, conv)
        (result,) = (await search(a, "xsscheck", conversation_id=conv))["results"]
        assert result["seq"] == seq
        # Plain text: the client renders it as text and marks the ranges itself.
        assert result["snippet"] == attack
        assert [result["snippet"][s:e] for s, e in result["highlights"]] == ["xsscheck"]


async def test_filters_by_sender_type_and_time(base_url: str, alice: Person, bob: Person) -> None:
    async with raw_connection(base_url, alice.token) as a, raw_connection(base_url, bob.token) as b:
        conv = await group(a, "Filters", [bob])
        mine = await text(a, conv, "budget numbers are in")
        # Times are milliseconds: two messages a loopback round trip apart may share one.
        await asyncio.sleep(0.005)
        theirs = await text(b, conv, "budget approved, see https://erp.example.com/b/1")
        await indexed(a, conv)
        every = await seqs_found(a, "budget", conversation_id=conv)
        assert every == {(conv, mine), (conv, theirs)}
        assert await seqs_found(a, "budget", sender_id=bob.id) == {(conv, theirs)}
        assert await seqs_found(a, "budget", conversation_id=conv, types=["link"]) == {
            (conv, theirs)
        }
        assert await seqs_found(a, "budget", conversation_id=conv, types=["file", "image"]) == set()
        results = (await search(a, "budget", conversation_id=conv))["results"]
        times = {r["seq"]: r["created_at"] for r in results}
        assert times[mine] < times[theirs]
        assert await seqs_found(a, "budget", conversation_id=conv, since=times[theirs]) == {
            (conv, theirs)
        }
        assert await seqs_found(a, "budget", conversation_id=conv, until=times[theirs]) == {
            (conv, mine)
        }


async def test_relevance_first_then_newest_and_paging_through_everything(
    base_url: str, alice: Person
) -> None:
    async with raw_connection(base_url, alice.token) as a:
        conv = await group(a, "Paging", [])
        filler = " ".join(["word"] * 40)
        long_old = await text(a, conv, f"invoice {filler}")
        sent = [await text(a, conv, f"invoice number {i}") for i in range(25)]
        await indexed(a, conv)
        first = await search(a, "invoice", conversation_id=conv, limit=10)
        seqs = [r["seq"] for r in first["results"]]
        # Short messages match better than the long one; among equals the newest first.
        assert seqs == sorted(seqs, reverse=True)
        assert long_old not in seqs
        everything = await seqs_found(a, "invoice", conversation_id=conv)
        assert everything == {(conv, s) for s in [long_old, *sent]}
        pages = []
        cursor = None
        while True:
            page = await search(
                a,
                "invoice",
                conversation_id=conv,
                limit=7,
                **({"cursor": cursor} if cursor else {}),
            )
            pages.append([r["seq"] for r in page["results"]])
            cursor = page["next"]
            if cursor is None:
                break
        assert [len(p) for p in pages] == [7, 7, 7, 5]
        assert pages[-1][-1] == long_old


async def test_newest_first_pages_in_one_order_whatever_the_relevance(
    base_url: str, alice: Person
) -> None:
    """In-chat search steps through its hits as the chat reads (decision 0073): with
    ``order: newest`` every page follows the one before, newest first, though the most
    relevant message is the oldest; REST answers the same."""
    async with raw_connection(base_url, alice.token) as a:
        conv = await group(a, "Newest first", [])
        filler = " ".join(["word"] * 40)
        sent = [await text(a, conv, "invoice invoice invoice")]
        sent += [await text(a, conv, f"invoice number {i}") for i in range(10)]
        sent += [await text(a, conv, f"invoice {filler}") for _ in range(3)]
        await indexed(a, conv)
        relevant = await search(a, "invoice", conversation_id=conv, limit=50)
        assert [r["seq"] for r in relevant["results"]] != sorted(sent, reverse=True)
        seqs: list[int] = []
        cursor = None
        while True:
            page = await search(
                a,
                "invoice",
                conversation_id=conv,
                limit=4,
                order="newest",
                **({"cursor": cursor} if cursor else {}),
            )
            seqs.extend(r["seq"] for r in page["results"])
            cursor = page["next"]
            if cursor is None:
                break
        assert seqs == sorted(sent, reverse=True)
        assert await a.error("messages.search", {"q": "x", "order": "oldest"}) == "invalid_input"
    http = alice.http._http
    reply = await http.get(
        "/api/v1/search/messages",
        params={"q": "invoice", "conversation_id": conv, "order": "newest", "limit": 50},
        headers=bearer(alice),
    )
    assert reply.status_code == 200
    assert [r["seq"] for r in reply.json()["results"]] == sorted(sent, reverse=True)
    refused = await http.get(
        "/api/v1/search/messages",
        params={"q": "invoice", "order": "random"},
        headers=bearer(alice),
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "invalid_input"


async def test_history_around_a_seq_opens_a_conversation_at_a_result(
    base_url: str, alice: Person
) -> None:
    async with raw_connection(base_url, alice.token) as a:
        conv = await group(a, "Jump", [])
        seqs = [await text(a, conv, f"line {i}") for i in range(30)]
        target = seqs[15]
        reply = await a.ok("history", {"conversation_id": conv, "around_seq": target, "limit": 10})
        got = [e["seq"] for e in reply["messages"]]
        assert target in got and len(got) == 10 and got == sorted(got)
        assert got[0] < target < got[-1]
        # Scrolling both ways from there: before the first and after the last.
        older = await a.ok("history", {"conversation_id": conv, "before_seq": got[0], "limit": 5})
        newer = await a.ok("history", {"conversation_id": conv, "after_seq": got[-1], "limit": 5})
        assert [e["seq"] for e in older["messages"]] == list(range(got[0] - 5, got[0]))
        assert [e["seq"] for e in newer["messages"]] == list(range(got[-1] + 1, got[-1] + 6))
        assert (
            await a.error(
                "history", {"conversation_id": conv, "around_seq": target, "after_seq": 1}
            )
            == "invalid_input"
        )
    response = await alice.http._http.get(
        f"/api/v1/conversations/{conv}/messages",
        params={"around_seq": target, "limit": 4},
        headers=bearer(alice),
    )
    assert response.status_code == 200, response.text
    assert target in [e["seq"] for e in response.json()["messages"]]


# ---- What is never found -------------------------------------------------------------------


async def test_another_users_direct_chat_is_never_found(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with raw_connection(base_url, bob.token) as b, raw_connection(base_url, alice.token) as a:
        chat = (await b.ok("conversation.open_direct", {"peer_id": carol.id}))["id"]
        seq = await text(b, chat, "机密 vaultcode 7741")
        await indexed(b, chat)
        assert await seqs_found(b, "vaultcode") == {(chat, seq)}  # indexed and findable
        assert await seqs_found(a, "vaultcode") == set()
        assert await seqs_found(a, "机密") == set()
        assert await a.error("messages.search", {"q": "vaultcode", "conversation_id": chat}) == (
            "not_member"
        )
    response = await alice.http._http.get(
        "/api/v1/search/messages",
        params={"q": "vaultcode", "conversation_id": chat},
        headers=bearer(alice),
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_member"


async def test_a_group_joined_later_shows_only_what_was_said_after_joining(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    async with (
        raw_connection(base_url, alice.token) as a,
        raw_connection(base_url, carol.token) as c,
    ):
        conv = await group(a, "Later", [bob])
        before = await text(a, conv, "earlybird 入群前的话")
        await a.ok("group.invite", {"conversation_id": conv, "user_ids": [carol.id]})
        after = await text(a, conv, "earlybird 入群后的话")
        await indexed(a, conv)
        assert await seqs_found(a, "earlybird") == {(conv, before), (conv, after)}
        assert await seqs_found(c, "earlybird") == {(conv, after)}
        assert await seqs_found(c, "入群前") == set()


async def test_a_recalled_message_leaves_the_results_at_once(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with raw_connection(base_url, alice.token) as a, raw_connection(base_url, bob.token) as b:
        conv = await group(a, "Recall", [bob])
        seq = await text(a, conv, "oopsie 发错了")
        await indexed(a, conv)
        assert await seqs_found(b, "oopsie") == {(conv, seq)}
        await a.ok("recall", {"conversation_id": conv, "seq": seq})
        # No waiting: results are checked against the log itself.
        assert await seqs_found(b, "oopsie") == set()
        assert await seqs_found(a, "发错") == set()


async def test_deleted_for_me_is_gone_for_me_only(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with raw_connection(base_url, alice.token) as a, raw_connection(base_url, bob.token) as b:
        conv = await group(a, "Delete", [bob])
        seq = await text(a, conv, "tidyup 删除测试")
        await indexed(a, conv)
        assert await seqs_found(b, "tidyup") == {(conv, seq)}
        await b.ok("delete", {"conversation_id": conv, "seqs": [seq]})
        assert await seqs_found(b, "tidyup") == set()
        assert await seqs_found(a, "tidyup") == {(conv, seq)}


async def test_cleared_history_is_never_found_again(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with raw_connection(base_url, alice.token) as a, raw_connection(base_url, bob.token) as b:
        conv = await group(a, "Clear", [bob])
        old = await text(a, conv, "sweepme 清空之前")
        await indexed(a, conv)
        assert await seqs_found(b, "sweepme") == {(conv, old)}
        await b.ok("clear", {"conversation_id": conv})
        assert await seqs_found(b, "sweepme") == set()
        new = await text(a, conv, "sweepme 清空之后")
        await indexed(a, conv)
        assert await seqs_found(b, "sweepme") == {(conv, new)}
        assert await seqs_found(a, "sweepme") == {(conv, old), (conv, new)}


async def test_a_group_left_is_searched_up_to_the_leaving(
    base_url: str, alice: Person, bob: Person
) -> None:
    """What was said before one left (or was taken out) stays findable, what follows never
    is; coming back starts a new readable part (decisions 0006, 0075)."""
    async with raw_connection(base_url, alice.token) as a, raw_connection(base_url, bob.token) as b:
        conv = await group(a, "Leave", [bob])
        before = await text(a, conv, "farewell 离开之前")
        await indexed(a, conv)
        assert await seqs_found(b, "farewell") == {(conv, before)}
        await b.ok("group.leave", {"conversation_id": conv})
        after = await text(a, conv, "farewell 离开之后")
        await indexed(a, conv)
        assert await seqs_found(a, "farewell") == {(conv, before), (conv, after)}
        assert await seqs_found(b, "farewell") == {(conv, before)}
        within = await b.ok("messages.search", {"q": "farewell", "conversation_id": conv})
        assert [r["seq"] for r in within["results"]] == [before]
        # Back in the group: from the new join on, as any newcomer (decision 0006).
        await a.ok("group.invite", {"conversation_id": conv, "user_ids": [bob.id]})
        again = await text(a, conv, "farewell 回来之后")
        await indexed(a, conv)
        assert await seqs_found(b, "farewell") == {(conv, again)}
        # Taken out by the owner: the same as leaving.
        await a.ok("group.remove", {"conversation_id": conv, "user_id": bob.id})
        gone = await text(a, conv, "farewell 移出之后")
        await indexed(a, conv)
        assert await seqs_found(b, "farewell") == {(conv, again)}
        assert (conv, gone) in await seqs_found(a, "farewell")


async def test_the_systems_own_entries_are_never_found(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with raw_connection(base_url, alice.token) as a:
        name = f"Zebra{uuid.uuid4().hex[:6]}"
        conv = await group(a, name, [bob])
        await a.ok("group.update", {"conversation_id": conv, "name": f"{name}renamed"})
        await indexed(a, conv)
        # group_created and group_updated carry the name; only messages are found.
        assert await seqs_found(a, name) == set()
        assert await seqs_found(a, f"{name}renamed") == set()


async def test_a_burn_after_reading_message_is_never_found(
    base_url: str, alice: Person, bob: Person
) -> None:
    async with raw_connection(base_url, alice.token) as a, raw_connection(base_url, bob.token) as b:
        chat = (await a.ok("conversation.open_direct", {"peer_id": bob.id}))["id"]
        await send(a, chat, "text", {"text": "flashnote 阅后即焚", "burn": True})
        plain = await text(a, chat, "flashnote 普通消息")
        await indexed(a, chat)
        # Its snippet would show what the recipient has not opened.
        assert await seqs_found(b, "flashnote") == {(chat, plain)}
        assert await seqs_found(a, "阅后即焚") == set()


# ---- Bad input -----------------------------------------------------------------------------


async def test_bad_queries_get_a_clear_error_or_nothing_never_a_failure(
    base_url: str, alice: Person
) -> None:
    async with raw_connection(base_url, alice.token) as a:
        conv = await group(a, "Syntax", [])
        seq = await text(a, conv, 'near and or not deploy (phase one) -dash "quoted" star*')
        await indexed(a, conv)
        for q in ["", "   ", "\t\n", "x" * 10_000, "会" * 10_000, "x" * 201]:
            assert await a.error("messages.search", {"q": q}) == "invalid_input", q[:10]
        for q in [
            '"',
            "*",
            "(",
            ")",
            "-",
            "NEAR",
            "AND",
            "OR",
            "NOT",
            '" * ( ) NEAR AND OR -',
            "NEAR(a b)",
            "a OR b",
            "-deploy",
            "deploy*",
            '"unterminated',
            "words:deploy",
            "{words}:x",
            "^deploy",
            "deploy AND",
            "(((",
            "a:*",
            "'; DROP TABLE entries; --",
            "\\",
            "\\'",
            "&|!<->",
            "😀😀😀",
            "\u200b",
            "\x00",
        ]:
            reply = await a.ok("messages.search", {"q": q})
            assert isinstance(reply["results"], list), q
        # The syntax characters are text: the message is found by its words.
        assert (conv, seq) in await seqs_found(a, "NEAR AND OR")
        assert (conv, seq) in await seqs_found(a, '"quoted"')
        assert (conv, seq) in await seqs_found(a, "(phase one)")
        for data in [
            {"q": "x", "limit": 0},
            {"q": "x", "limit": 51},
            {"q": "x", "limit": -1},
            {"q": "x", "limit": "10"},
            {"q": 5},
            {"q": "x", "types": ["video"]},
            {"q": "x", "cursor": "not-a-cursor"},
            {"q": "x", "cursor": "Mi4xLjIuMw"},
            {"q": "x", "since": 10, "until": 5},
            {"q": "x", "conversation_id": 0},
            {"q": "x", "unknown": 1},
        ]:
            assert await a.error("messages.search", data) == "invalid_input", data


async def test_a_lone_surrogate_is_no_failure(base_url: str, alice: Person) -> None:
    async with raw_connection(base_url, alice.token) as a:
        await a.send_frame('{"id": 1, "op": "messages.search", "data": {"q": "abc\\ud800"}}')
        reply = await a.reply()
        assert reply["ok"] or reply["error"]["code"] in ("invalid_input", "malformed_json"), reply
        await a.assert_alive()
    response = await alice.http._http.get(
        "/api/v1/search/messages?q=%ED%A0%80abc", headers=bearer(alice)
    )
    assert response.status_code in (200, 422), response.text


async def test_rest_answers_as_the_op_does(base_url: str, alice: Person) -> None:
    async with raw_connection(base_url, alice.token) as a:
        conv = await group(a, "Rest", [])
        seq = await text(a, conv, "restful 接口 search")
        await indexed(a, conv)
    http = alice.http._http
    response = await http.get(
        "/api/v1/search/messages", params={"q": "restful", "limit": 5}, headers=bearer(alice)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(r["conversation_id"], r["seq"]) for r in body["results"]] == [(conv, seq)]
    assert body["next"] is None
    response = await http.get(
        "/api/v1/search/messages",
        params={"q": "接口", "conversation_id": conv, "types": "text,link"},
        headers=bearer(alice),
    )
    assert [r["seq"] for r in response.json()["results"]] == [seq]
    for params, status in [
        ({"q": ""}, 422),
        ({"q": "x" * 10_000}, 422),
        ({"q": "x", "limit": 0}, 422),
        ({"q": "x", "limit": 51}, 422),
        ({"q": "x", "types": "text,sound"}, 422),
        ({"q": "x", "cursor": "%%%"}, 422),
        ({}, 422),
    ]:
        response = await http.get("/api/v1/search/messages", params=params, headers=bearer(alice))
        assert response.status_code == status, (params, response.text)
        assert response.json()["error"]["code"] == "invalid_input"
    response = await http.get("/api/v1/search/messages", params={"q": "x"})
    assert response.status_code == 401


async def test_a_new_user_with_nothing_finds_nothing(base_url: str) -> None:
    loner = await register(base_url, "loner")
    try:
        async with raw_connection(base_url, loner.token) as conn:
            assert await search(conn, "会议") == {"results": [], "next": None}
    finally:
        await loner.http.close()
