"""Unit tests of the plain rules behind contacts, the organization and groups (no server):
visibility, the search index, cycles, mutes, keywords, spreadsheets."""

from __future__ import annotations

import io
import itertools
import random

import pytest
from openpyxl import Workbook

from tidings.actions.organization import ViewerIndexes
from tidings.domain.contacts import depth_below, normalize_tags, would_cycle
from tidings.domain.conversations import Role, outranks
from tidings.domain.directory import Listing, SearchIndex, merge_unique
from tidings.domain.errors import TidingsError
from tidings.domain.groups import (
    FOREVER,
    GroupSettings,
    Policy,
    Power,
    blocked_keyword,
    body_texts,
    is_muted,
    mute_deadline,
    parse_powers,
    store_powers,
)
from tidings.domain.organization import (
    Department,
    OrgTree,
    split_path,
    user_visible,
    visibility_for,
)
from tidings.domain.tables import TableFormat, read_table, write_table


def _tree() -> OrgTree:
    #  1 Acme ─┬─ 2 Eng ─┬─ 3 Backend
    #          │         └─ 4 Frontend   (works with 5)
    #          ├─ 5 Sales
    #          └─ 6 Secret [hidden] ── 7 Labs
    departments = {
        1: Department(1, None, "Acme", False),
        2: Department(2, 1, "Eng", False),
        3: Department(3, 2, "Backend", False),
        4: Department(4, 2, "Frontend", False),
        5: Department(5, 1, "Sales", False),
        6: Department(6, 1, "Secret", True),
        7: Department(7, 6, "Labs", False),
    }
    members = {
        1: {10: "CEO"},
        2: {20: ""},
        3: {30: ""},
        4: {40: ""},
        5: {50: ""},
        6: {60: ""},
        7: {70: ""},
    }
    return OrgTree(1, "Acme", departments, members, {5: {4}, 4: {5}})


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        (30, {1, 2, 3}),  # own, ancestors
        (20, {1, 2, 3, 4}),  # own subtree
        (50, {1, 5, 4}),  # a collaborating department
        (10, {1, 2, 3, 4, 5}),  # the top sees all but hidden branches
        (70, {1, 6, 7}),  # inside a hidden branch: one's own line
        (99, set()),  # in no department
    ],
)
def test_visibility(viewer: int, sees: set[int]) -> None:
    assert visibility_for(_tree(), viewer, is_admin=False).departments == sees


def test_people_visibility_and_admins() -> None:
    tree = _tree()
    seller = visibility_for(tree, 50, is_admin=False)
    assert user_visible(tree, seller, 40, 50) and not user_visible(tree, seller, 30, 50)
    assert not user_visible(tree, seller, 60, 50) and not user_visible(tree, seller, 70, 50)
    assert user_visible(tree, seller, 12345, 50), "outside the tree: visible to all"
    admin = visibility_for(tree, 1, is_admin=True)
    assert all(user_visible(tree, admin, u, 1) for u in (10, 60, 70))


def test_cycles_and_paths() -> None:
    tree = _tree()
    assert tree.would_cycle(2, 3) and tree.would_cycle(1, 1) and not tree.would_cycle(3, 5)
    assert tree.path(7) == "Acme/Secret/Labs"
    assert split_path(" Acme / Sales ") == ["Acme", "Sales"]
    for bad in ("", "Acme//Sales", "/", "x" * 101):
        with pytest.raises(TidingsError):
            split_path(bad)
    parents: dict[int, int | None] = {1: None, 2: 1, 3: 2}
    assert would_cycle(parents, 1, 3) and would_cycle(parents, 2, 2)
    assert not would_cycle(parents, 3, 1) and not would_cycle(parents, 1, None)
    assert depth_below(parents, 3) == 3


def test_search_index() -> None:
    index = SearchIndex(
        [
            Listing(3, "zhang3", "张三 Zhang", "13900000003", False),
            Listing(1, "wang1", "Wang Wei", "", False),
            Listing(2, "li2", "Li Na", "13900000002", True),
            Listing(4, "wangfang", "Fang", "13900000004", False),
        ]
    )
    assert list(index.find("WANG")) == [1, 4], "case-folded, each user once, id order"
    assert list(index.find("张")) == [3]
    assert list(index.find("li")) == [], "disabled users are not indexed"
    assert list(index.find("13900000004")) == [4] and list(index.find("1390000000")) == []
    assert list(index.find("a\nz")) == list(index.find("az")) == [], "no match across records"
    index.add([Listing(5, "wang5", "New", "", False)])
    assert list(index.find("wang")) == [1, 4, 5]
    big = SearchIndex(Listing(i, f"u{i}", f"name {i}", "", False) for i in range(1, 5001))
    assert list(itertools.islice(big.find("name 1"), 3)) == [1, 10, 11]


def test_group_rules() -> None:
    assert mute_deadline(1_000, None) == FOREVER
    assert mute_deadline(1_000, 60) == 61_000
    for seconds in (59, 366 * 24 * 3600 + 1):
        with pytest.raises(TidingsError):
            mute_deadline(0, seconds)
    assert is_muted(FOREVER, 10**15) and is_muted(2_000, 1_999) and not is_muted(2_000, 2_000)
    assert not is_muted(None, 0)
    assert outranks(Role.OWNER, Role.ADMIN) and not outranks(Role.ADMIN, Role.ADMIN)
    assert blocked_keyword(["Spam"], ["so much SPAM"]) == "Spam"
    assert blocked_keyword(["广告"], ["看广告"]) == "广告" and blocked_keyword(["x"], [""]) is None
    assert body_texts({"title": "T", "url": "https://x", "description": "D"}) == ["T", "D"]
    assert parse_powers(store_powers([Power.MUTE, Power.RECALL]) + ",bogus") == {
        Power.MUTE,
        Power.RECALL,
    }
    policy = Policy.build(1, GroupSettings(), {7: frozenset({Power.MUTE})}, {})
    assert policy.open and policy.holds(7, Role.ADMIN, Power.MUTE)
    assert not policy.holds(7, Role.MEMBER, Power.MUTE) and policy.holds(9, Role.OWNER, Power.MUTE)
    assert not Policy.build(1, GroupSettings(moderation=True), {}, {}).open
    assert normalize_tags([" a ", "a", "b"]) == ("a", "b")


def test_tables() -> None:
    rows = read_table(
        "\ufeffAccount,Nickname\n\nbob,Bob\n, \n".encode(),
        TableFormat.CSV,
        required=("account",),
        optional=("nickname",),
    )
    assert [(r.number, r.cells) for r in rows] == [(3, {"account": "bob", "nickname": "Bob"})]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["account", "phone"])
    sheet.append(["ann", 13800000000])
    data = io.BytesIO()
    book.save(data)
    rows = read_table(data.getvalue(), TableFormat.XLSX, required=("account", "phone"))
    assert rows[0].cells == {"account": "ann", "phone": "13800000000"}
    exported = write_table(["a", "b"], [["张三", "1"]], TableFormat.CSV)
    assert exported.decode("utf-8-sig") == "a,b\r\n张三,1\r\n"
    for bad in (b"", b"account\n" + b"x\n" * 20_001, b"nick\nx\n", b"account,account\nx,y\n"):
        with pytest.raises(TidingsError) as refused:
            read_table(bad, TableFormat.CSV, required=("account",))
        assert refused.value.code.value == "bad_file"


def test_viewer_indexes_find_what_filtering_the_full_index_finds() -> None:
    """A member's search runs on a copy of only what they may see (ViewerIndexes): it must
    find exactly the visible people that filtering every hit of the full index finds."""
    rng = random.Random(3)
    departments = {1: Department(1, None, "Top", False)}
    for dept_id in range(2, 60):
        parent = rng.randint(max(1, dept_id // 3), dept_id - 1)
        departments[dept_id] = Department(dept_id, parent, f"D{dept_id}", rng.random() < 0.1)
    members: dict[int, dict[int, str]] = {d: {} for d in departments}
    names = ["wang", "li", "zhang", "liu", "chen"]
    listings = []
    for user_id in range(1, 1501):
        listings.append(
            Listing(user_id, f"u{user_id}", f"{rng.choice(names)} {user_id}", "", user_id % 97 == 0)
        )
        if user_id % 10:  # one in ten stays outside the tree
            members[rng.randint(1, 59)][user_id] = ""
    tree = OrgTree(7, "Acme", departments, members, {4: {9}, 9: {4}})
    index = SearchIndex(listings)
    viewers = ViewerIndexes(capacity=8)
    for viewer in rng.sample(range(1, 1501), 40):
        visibility = visibility_for(tree, viewer, is_admin=False)
        narrow = viewers.for_viewer(index, tree, visibility)
        for query in ["wang", "LI", "u1", "3", "nobody"]:
            expected = [u for u in index.find(query) if user_visible(tree, visibility, u, viewer)]
            if narrow is None:
                continue
            placed, unplaced = narrow
            assert list(merge_unique(placed.find_text(query), unplaced.find_text(query))) == (
                expected
            ), (viewer, query)
    # New sign-ups (outside the tree) are found at once.
    index.add([Listing(2000, "newcomer", "wang newcomer", "", False)])
    visibility = visibility_for(tree, 5, is_admin=False)
    narrow = viewers.for_viewer(index, tree, visibility)
    assert narrow is not None and 2000 in set(narrow[1].find_text("newcomer"))
    assert index.matches(2000, "NEWCOMER") and not index.matches(2000, "zzz")
