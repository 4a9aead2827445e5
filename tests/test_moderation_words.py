"""The word list's matcher (tidings.domain.moderation), without a server: folding, word
boundaries for Latin and none for CJK, masking, and which action wins."""

from __future__ import annotations

import pytest

from tidings.domain.errors import TidingsError
from tidings.domain.moderation import MASK, WordAction, WordFilter, check_word, fold

LIST = WordFilter(
    [
        ("bad", WordAction.BLOCK),
        ("违禁", WordAction.BLOCK),
        ("darn", WordAction.REPLACE),
        ("darn it", WordAction.REPLACE),
        ("敏感", WordAction.REPLACE),
        ("spam", WordAction.FLAG),
        ("可疑", WordAction.FLAG),
    ],
    version=1,
)


def test_folding_keeps_every_character_in_place() -> None:
    assert fold("ＨＥＬＬＯ　World") == "hello world"
    for text in ("ＢＡＤ", "İİ", "ǅ", "Straße", "混合 Text"):
        assert len(fold(text)) == len(text)


@pytest.mark.parametrize(
    "text",
    ["bad", "A BAD day", "(bad)", "ＢＡＤ!", "这是违禁品", "违禁", "x违禁y", "bad-ass", "bad_"],
)
def test_blocked(text: str) -> None:
    assert LIST.screen(text).blocked


@pytest.mark.parametrize("text", ["badge", "abad", "sinbad", "bads", "违 禁", ""])
def test_latin_words_match_whole_words_only(text: str) -> None:
    assert not LIST.screen(text).blocked


def test_replacing_masks_each_run_of_matches_once() -> None:
    assert LIST.screen("Darn it!").text == f"{MASK}!"  # "darn" and "darn it" overlap
    assert LIST.screen("darn, darn").text == f"{MASK}, {MASK}"
    assert LIST.screen("很敏感的话").text == f"很{MASK}的话"
    assert LIST.screen("darning").text == "darning"


def test_flags_are_collected_and_block_wins() -> None:
    result = LIST.screen("spam 可疑 darn")
    assert result.flagged == ("spam", "可疑") and result.text == f"spam 可疑 {MASK}"
    assert LIST.screen("spam darn bad").blocked


def test_fields_name_the_field_not_the_word() -> None:
    with pytest.raises(TidingsError) as caught:
        LIST.screen_fields({"title": "fine", "text": "bad"})
    assert caught.value.code.value == "content_blocked"
    assert caught.value.details == {"field": "text"} and "bad" not in caught.value.message


@pytest.mark.parametrize("raw", ["", "   ", "x" * 51, "tab\there", "zero\u200bwidth", 5, None])
def test_bad_words_are_refused(raw: object) -> None:
    with pytest.raises(TidingsError):
        check_word(raw)


def test_words_are_stored_folded() -> None:
    assert check_word("  ＢａｄＷｏｒｄ ") == "badword"
    assert check_word("敏感词") == "敏感词"


def test_an_empty_list_changes_nothing() -> None:
    assert WordFilter().screen("anything bad").text == "anything bad"
