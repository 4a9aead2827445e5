"""One always sees the people one chats with, whatever the organization hides (issue 12).

The tree:  Open (viewer) ── Vault [hidden] (grouped, direct, former, stranger)

The viewer does not see Vault. ``grouped`` is in a group with the viewer, ``direct`` opened a
direct chat with the viewer (they see the viewer: a member of an ancestor), ``former`` was in
that group and left (its history shows them); ``stranger`` shares nothing with the viewer.
Profile, lookup and search show the first three by name, over REST and over the WebSocket;
the stranger stays exactly like an id of nobody.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from tests.support.raw import raw_connection
from tests.support.server import ServerProcess
from tests.support.social import make_admin
from tests.support.users import Person, register
from tidings.sdk import ServerError

MISSING = 2**62


@dataclass
class Scene:
    base_url: str
    viewer: Person
    partners: list[Person]  # grouped, direct, former
    stranger: Person
    tag: str


@pytest.fixture(scope="module")
async def scene(server: ServerProcess, base_url: str) -> AsyncIterator[Scene]:
    tag = uuid.uuid4().hex[:6]
    names = ["admin", "viewer", "grouped", "direct", "former", "stranger"]
    # Every nickname holds the tag, so one search finds them all (were they visible).
    people = {name: await register(base_url, f"{name}{tag}") for name in names}
    admin = people["admin"]
    await make_admin(server, admin)
    open_dept = await admin.http.call("POST", "/api/v1/org/departments", {"name": f"Open {tag}"})
    vault = await admin.http.call(
        "POST",
        "/api/v1/org/departments",
        {"name": f"Vault {tag}", "parent_id": open_dept["id"], "hidden": True},
    )
    placed = [("viewer", open_dept)] + [
        (name, vault) for name in ("grouped", "direct", "former", "stranger")
    ]
    for name, dept in placed:
        await admin.http.call(
            "PUT", f"/api/v1/org/departments/{dept['id']}/members/{people[name].id}", {}
        )
    viewer = people["viewer"]
    # The admin, who sees everyone, puts the viewer in a group with hidden people.
    group = await admin.http.call(
        "POST",
        "/api/v1/conversations",
        {
            "type": "group",
            "name": "Mixed",
            "member_ids": [viewer.id, people["grouped"].id, people["former"].id],
        },
    )
    await people["former"].http.call("DELETE", f"/api/v1/conversations/{group['id']}/members/me")
    await people["direct"].http.call(
        "POST", "/api/v1/conversations", {"type": "direct", "peer_id": viewer.id}
    )
    partners = [people["grouped"], people["direct"], people["former"]]
    for person in partners:
        await person.http.call(
            "PATCH",
            "/api/v1/me",
            {"work_email": "x@acme.test", "office_phone": "555-0100", "desk": "Vault 3"},
        )
    yield Scene(base_url, viewer, partners, people["stranger"], tag)
    for person in people.values():
        await person.http.close()


async def test_profile_shows_chat_partners(scene: Scene) -> None:
    for partner in scene.partners:
        profile = await scene.viewer.http.call("GET", f"/api/v1/users/{partner.id}")
        assert profile["id"] == partner.id
        assert profile["account"] == partner.account
        assert profile["nickname"]
        # Their hidden department stays hidden, and where they work with it.
        assert profile["departments"] == []
        assert (profile["work_email"], profile["office_phone"], profile["desk"]) == ("", "", "")
    async with raw_connection(scene.base_url, scene.viewer.token) as viewer:
        for partner in scene.partners:
            profile = await viewer.ok("profile.get", {"user_id": partner.id})
            assert profile["account"] == partner.account


async def test_a_stranger_stays_like_nobody(scene: Scene) -> None:
    answers = []
    for user_id in (scene.stranger.id, MISSING):
        with pytest.raises(ServerError) as raised:
            await scene.viewer.http.call("GET", f"/api/v1/users/{user_id}")
        answers.append((raised.value.code, raised.value.status, raised.value.message))
    assert answers[0] == answers[1]
    assert answers[0][0] == "not_found"
    async with raw_connection(scene.base_url, scene.viewer.token) as viewer:
        assert await viewer.error("profile.get", {"user_id": scene.stranger.id}) == "not_found"
        lookup = await viewer.ok("users.lookup", {"user_ids": [scene.stranger.id, MISSING]})
        assert lookup["users"] == []


async def test_lookup_shows_chat_partners_only(scene: Scene) -> None:
    ids = [p.id for p in scene.partners] + [scene.stranger.id, MISSING]
    found = await scene.viewer.http.call("POST", "/api/v1/users/lookup", {"user_ids": ids})
    assert [u["id"] for u in found["users"]] == [p.id for p in scene.partners]
    assert [u["account"] for u in found["users"]] == [p.account for p in scene.partners]
    async with raw_connection(scene.base_url, scene.viewer.token) as viewer:
        found = await viewer.ok("users.lookup", {"user_ids": ids})
        assert [u["id"] for u in found["users"]] == [p.id for p in scene.partners]


async def test_search_finds_chat_partners_by_name(scene: Scene) -> None:
    expected = sorted(p.id for p in scene.partners)
    found = await scene.viewer.http.call("GET", "/api/v1/users", q=scene.tag)
    ids = sorted(u["id"] for u in found["users"])
    # The viewer and the admin (both in sight) may be there too; never the stranger.
    assert scene.stranger.id not in ids
    assert set(expected) <= set(ids)
    for partner in scene.partners:
        by_name = await scene.viewer.http.call("GET", "/api/v1/users", q=partner.account)
        assert [u["id"] for u in by_name["users"]] == [partner.id]
    by_name = await scene.viewer.http.call("GET", "/api/v1/users", q=scene.stranger.account)
    assert by_name["users"] == []
    async with raw_connection(scene.base_url, scene.viewer.token) as viewer:
        found = await viewer.ok("contacts.search", {"query": scene.partners[0].account})
        assert [u["id"] for u in found["users"]] == [scene.partners[0].id]
