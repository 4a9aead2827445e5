"""Broadcasts (PRODUCT.md K5, D1; decision 0058) against a real server on SQLite and
PostgreSQL: whom an audience reaches (department subtrees, groups, listed people, overlaps
collapsed), exactly one notice per recipient in their system-notices conversation, the push,
read counts, scheduling and cancelling, an image only recipients may read, and bad input."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.support.admin import audit_since, last_audit_id
from tests.support.files import jpeg, uploaded
from tests.support.server import ServerProcess
from tests.support.social import http_refused, make_admin, new_group, online
from tests.support.users import Person, register
from tests.support.waiting import eventually
from tidings.sdk import EntryReceived


async def system_notices(person: Person, title: str | None = None) -> list[dict[str, Any]]:
    listed = await person.http.call("GET", "/api/v1/conversations")
    (system,) = [c["id"] for c in listed["conversations"] if c["type"] == "system"]
    history = await person.http.call("GET", f"/api/v1/conversations/{system}/messages")
    return [
        m
        for m in history["messages"]
        if m["type"] == "notice" and (title is None or m["body"]["title"] == title)
    ]


async def sent(admin: Person, broadcast_id: int, *, within: float = 15) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        found: dict[str, Any] = await admin.http.call(
            "GET", f"/api/v1/admin/broadcasts/{broadcast_id}"
        )
        return found if found["state"] == "sent" else None

    return await eventually(check, within=within)


async def department(admin: Person, name: str, parent_id: int | None = None) -> int:
    made = await admin.http.call(
        "POST", "/api/v1/org/departments", {"name": name, "parent_id": parent_id}
    )
    return int(made["id"])


async def place(admin: Person, department_id: int, *people: Person) -> None:
    for person in people:
        await admin.http.call(
            "PUT", f"/api/v1/org/departments/{department_id}/members/{person.id}", {}
        )


People = Callable[[str], Awaitable[Person]]


@pytest.fixture
async def people(server: ServerProcess) -> AsyncIterator[People]:
    """Registers people on the module's server; their HTTP clients close after the test."""
    made: list[Person] = []

    async def person(name: str) -> Person:
        made.append(await register(server.base_url, name))
        return made[-1]

    yield person
    for person_made in made:
        await person_made.http.close()


@pytest.fixture
async def admin(server: ServerProcess, people: People) -> Person:
    found = await people("admin")
    await make_admin(server, found)
    return found


async def test_an_audience_reaches_subtrees_groups_and_people_each_once(
    server: ServerProcess, admin: Person, people: People
) -> None:
    base_url = server.base_url
    ann, ben, cat, dan, eve, fay = [await people(n) for n in "abcdef"]
    sales = await department(admin, "Sales")
    north = await department(admin, "North", sales)
    hidden = await admin.http.call(
        "POST", "/api/v1/org/departments", {"name": "Secret", "parent_id": north, "hidden": True}
    )
    other = await department(admin, "Support")
    await place(admin, sales, ann)
    await place(admin, north, ben)
    await place(admin, int(hidden["id"]), cat)
    await place(admin, other, fay)
    async with online(base_url, dan, fay) as (dan_client, fay_client):
        group = await new_group(dan_client, eve, name="Readers")
        heard: dict[int, list[dict[str, Any]]] = {dan.id: [], fay.id: []}
        for person, client in ((dan, dan_client), (fay, fay_client)):
            client.on(
                lambda e, got=heard[person.id]: (
                    got.append(e.entry)
                    if isinstance(e, EntryReceived) and e.entry.get("type") == "notice"
                    else None
                )
            )
        audience = {
            "department_ids": [sales],
            "group_ids": [group],
            # Ann and Ben are in the subtree too, Eve in the group: each gets it once. Cat
            # is in a hidden department of the subtree: the back office reaches it too.
            "user_ids": [eve.id, ann.id, ben.id],
        }
        counted = await admin.http.call("POST", "/api/v1/admin/broadcasts/audience", audience)
        assert counted == {"recipient_count": 5}
        created = await admin.http.call(
            "POST",
            "/api/v1/admin/broadcasts",
            {
                "title": "Quarter results",
                "text": "Numbers are in.",
                "url": "https://intranet.example/q3",
                "audience": audience,
            },
        )
        assert created["state"] in ("sending", "sent")
        assert created["recipient_count"] == 5
        done = await sent(admin, created["id"])
        assert done["delivered_count"] == 5
        assert done["read_count"] == 0
        # Dan is online: the notice is pushed; Fay is not in the audience and hears nothing.
        await eventually(lambda: heard[dan.id])
        assert heard[dan.id][0]["body"]["title"] == "Quarter results"
    for person in (ann, ben, cat, dan, eve):
        (notice,) = await system_notices(person, "Quarter results")
        assert notice["sender_id"] is None
        assert notice["body"] == {
            "title": "Quarter results",
            "text": "Numbers are in.",
            "url": "https://intranet.example/q3",
        }
    assert await system_notices(fay, "Quarter results") == []
    assert heard[fay.id] == []
    assert await system_notices(admin, "Quarter results") == []

    # Read counts come from the recipients' read positions.
    (notice,) = await system_notices(ann, "Quarter results")
    await ann.http.call(
        "POST",
        f"/api/v1/conversations/{notice['conversation_id']}/read",
        {"seq": notice["seq"]},
    )
    found = await admin.http.call("GET", f"/api/v1/admin/broadcasts/{created['id']}")
    assert found["read_count"] == 1
    page = await admin.http.call("GET", "/api/v1/admin/broadcasts", limit=100)
    (listed,) = [b for b in page["broadcasts"] if b["id"] == created["id"]]
    assert listed["read_count"] == 1 and listed["delivered_count"] == 5


async def test_everyone_reaches_live_accounts(
    server: ServerProcess, admin: Person, people: People
) -> None:
    newcomer = await people("newcomer")
    created = await admin.http.call(
        "POST",
        "/api/v1/admin/broadcasts",
        {"title": "Welcome all", "audience": {"everyone": True}},
    )
    done = await sent(admin, created["id"])
    assert done["delivered_count"] == done["recipient_count"] >= 2
    assert len(await system_notices(newcomer, "Welcome all")) == 1
    assert len(await system_notices(admin, "Welcome all")) == 1


async def test_an_empty_audience_is_refused(
    server: ServerProcess, admin: Person, people: People
) -> None:
    empty = await department(admin, "Empty team")
    for audience in ({}, {"department_ids": [empty]}, {"everyone": False, "user_ids": []}):
        for path in ("/api/v1/admin/broadcasts", "/api/v1/admin/broadcasts/audience"):
            body = {"title": "Nobody", "audience": audience} if path.endswith("casts") else audience
            assert await http_refused(admin, "POST", path, body) == "empty_audience"
    before = await admin.http.call("GET", "/api/v1/admin/broadcasts", limit=100)
    assert all(b["title"] != "Nobody" for b in before["broadcasts"])


async def test_unknown_ids_and_bad_notices_are_refused(
    server: ServerProcess, admin: Person, people: People
) -> None:
    someone = await people("someone")
    ok = {"user_ids": [someone.id]}

    async def code(body: dict[str, Any]) -> str:
        return await http_refused(admin, "POST", "/api/v1/admin/broadcasts", body)

    assert await code({"title": "x", "audience": {"department_ids": [987654321]}}) == "not_found"
    assert await code({"title": "x", "audience": {"group_ids": [987654321]}}) == "not_found"
    # A direct chat is no group.
    async with online(server.base_url, someone) as (client,):
        direct = await client.request("conversation.open_direct", {"peer_id": admin.id})
    assert await code({"title": "x", "audience": {"group_ids": [direct["id"]]}}) == "not_found"
    assert await code({"title": "x", "audience": {"user_ids": [987654321]}}) == "not_found"
    assert await code({"title": "", "audience": ok}) == "invalid_input"
    assert await code({"title": "x" * 201, "audience": ok}) == "invalid_input"
    assert await code({"title": "x", "url": "javascript:alert(1)", "audience": ok}) == (
        "invalid_input"
    )
    assert await code({"title": "x", "audience": ok, "colour": "red"}) == "invalid_input"
    assert await code({"title": "x", "audience": {"user_ids": list(range(1, 10_002))}}) == (
        "invalid_input"
    )
    assert await code({"title": "x", "audience": ok, "send_at": -1}) == "invalid_input"
    far = int(time.time() * 1000) + 400 * 24 * 3600 * 1000
    assert await code({"title": "x", "audience": ok, "send_at": far}) == "invalid_input"
    assert await code({"title": "x", "audience": ok, "image_file_id": "nosuchfile"}) == "not_found"
    assert await http_refused(admin, "GET", "/api/v1/admin/broadcasts/987654321") == "not_found"
    assert await http_refused(admin, "DELETE", "/api/v1/admin/broadcasts/987654321") == (
        "not_found"
    )
    assert await system_notices(someone, "x") == []


async def test_scheduled_broadcasts_wait_and_can_be_cancelled(
    server: ServerProcess, admin: Person, people: People
) -> None:
    reader = await people("reader")
    now = int(time.time() * 1000)
    audience = {"user_ids": [reader.id]}
    later = await admin.http.call(
        "POST",
        "/api/v1/admin/broadcasts",
        {"title": "Next week", "audience": audience, "send_at": now + 3600_000},
    )
    assert later["state"] == "scheduled" and later["recipient_count"] == 0
    soon = await admin.http.call(
        "POST",
        "/api/v1/admin/broadcasts",
        {"title": "In a moment", "audience": audience, "send_at": now + 1500},
    )
    assert soon["state"] == "scheduled"
    cancelled = await admin.http.call("DELETE", f"/api/v1/admin/broadcasts/{later['id']}")
    assert cancelled["state"] == "cancelled" and cancelled["cancelled_at"] is not None
    again = await http_refused(admin, "DELETE", f"/api/v1/admin/broadcasts/{later['id']}")
    assert again == "conflict"
    done = await sent(admin, soon["id"])
    assert done["started_at"] >= now + 1500
    assert done["delivered_count"] == 1
    assert await http_refused(admin, "DELETE", f"/api/v1/admin/broadcasts/{soon['id']}") == (
        "conflict"
    )
    assert len(await system_notices(reader, "In a moment")) == 1
    assert await system_notices(reader, "Next week") == []
    scheduled = await admin.http.call("GET", "/api/v1/admin/broadcasts", state="cancelled")
    assert later["id"] in [b["id"] for b in scheduled["broadcasts"]]
    assert all(b["state"] == "cancelled" for b in scheduled["broadcasts"])


async def test_the_image_is_readable_by_recipients_only(
    server: ServerProcess, admin: Person, people: People
) -> None:
    reader, outsider = await people("reader"), await people("outsider")
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        picture = await uploaded(
            http, admin.token, jpeg(80, 40), filename="poster.jpg", filetype="image/jpeg"
        )
        document = await uploaded(http, admin.token, b"%PDF-1.4 not an image", filename="a.pdf")
        # Someone else's upload is not the admin's to send.
        theirs = await uploaded(
            http, outsider.token, jpeg(), filename="mine.jpg", filetype="image/jpeg"
        )
    assert await http_refused(
        admin,
        "POST",
        "/api/v1/admin/broadcasts",
        {"title": "x", "image_file_id": document, "audience": {"user_ids": [reader.id]}},
    ) in ("wrong_file_kind",)
    assert await http_refused(
        admin,
        "POST",
        "/api/v1/admin/broadcasts",
        {"title": "x", "image_file_id": theirs, "audience": {"user_ids": [reader.id]}},
    ) == ("not_found")
    created = await admin.http.call(
        "POST",
        "/api/v1/admin/broadcasts",
        {"title": "Poster", "image_file_id": picture, "audience": {"user_ids": [reader.id]}},
    )
    assert created["image"] == {"file_id": picture, "width": 80, "height": 40}
    await sent(admin, created["id"])
    (notice,) = await system_notices(reader, "Poster")
    assert notice["body"]["image"] == {"file_id": picture, "width": 80, "height": 40}
    info = await reader.http.call("GET", f"/api/v1/files/{picture}")
    assert info["id"] == picture
    assert await http_refused(outsider, "GET", f"/api/v1/files/{picture}") == "not_found"


async def test_a_plain_user_may_not_broadcast(
    server: ServerProcess, admin: Person, people: People
) -> None:
    user = await people("plain")
    body = {"title": "x", "audience": {"everyone": True}}
    assert await http_refused(user, "POST", "/api/v1/admin/broadcasts", body) == "forbidden"
    assert await http_refused(user, "GET", "/api/v1/admin/broadcasts") == "forbidden"
    assert await http_refused(user, "GET", "/api/v1/admin/broadcasts/1") == "forbidden"
    assert await http_refused(user, "DELETE", "/api/v1/admin/broadcasts/1") == "forbidden"
    assert (
        await http_refused(user, "POST", "/api/v1/admin/broadcasts/audience", {"everyone": True})
        == "forbidden"
    )
    assert await system_notices(user, "x") == []


async def test_each_create_and_cancel_writes_one_audit_entry_and_failures_none(
    server: ServerProcess, admin: Person, people: People
) -> None:
    reader = await people("reader")
    plain = await people("plain")
    before = await last_audit_id(admin)
    audience = {"user_ids": [reader.id]}
    # Refused and failed attempts leave nothing.
    assert await http_refused(
        plain, "POST", "/api/v1/admin/broadcasts", {"title": "x", "audience": audience}
    ) == ("forbidden")
    assert await http_refused(
        admin, "POST", "/api/v1/admin/broadcasts", {"title": "x", "audience": {}}
    ) == ("empty_audience")
    assert await http_refused(
        admin,
        "POST",
        "/api/v1/admin/broadcasts",
        {"title": "x", "url": "data:text/html,hi", "audience": audience},
    ) == ("invalid_input")
    assert await audit_since(admin, before) == []

    later = int(time.time() * 1000) + 3600_000
    created = await admin.http.call(
        "POST",
        "/api/v1/admin/broadcasts",
        {"title": "Audited", "audience": audience, "send_at": later},
    )
    (entry,) = await audit_since(admin, before)
    assert entry["action"] == "broadcast.create"
    assert entry["actor_id"] == admin.id
    assert (entry["target_type"], entry["target_id"]) == ("broadcast", str(created["id"]))
    assert entry["details"]["title"] == "Audited" and entry["details"]["reach"] == 1
    assert entry["details"]["send_at"] == later

    mark = entry["id"]
    await admin.http.call("DELETE", f"/api/v1/admin/broadcasts/{created['id']}")
    assert await http_refused(admin, "DELETE", f"/api/v1/admin/broadcasts/{created['id']}") == (
        "conflict"
    )
    assert await http_refused(plain, "DELETE", f"/api/v1/admin/broadcasts/{created['id']}") == (
        "forbidden"
    )
    (cancelled,) = await audit_since(admin, mark)
    assert cancelled["action"] == "broadcast.cancel"
    assert cancelled["target_id"] == str(created["id"])
    # Reading is not an action.
    await admin.http.call("GET", "/api/v1/admin/broadcasts")
    await admin.http.call("POST", "/api/v1/admin/broadcasts/audience", audience)
    assert len(await audit_since(admin, before)) == 2
