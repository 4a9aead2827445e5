"""The back office's groups (PRODUCT.md K2, decision 0059): every group found by name,
number or owner in pages; its members; changing its owner, disbanding it, assigning members
and its size limit as a server admin who is not a member, each seen by the members as the
same log entry and written as one audit entry (none for a refused or failed one)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tests.support.admin import Staff, audit_since, last_audit_id, staff
from tests.support.server import ServerProcess
from tests.support.social import http_refused, new_group, online
from tests.support.users import Person, register

GROUPS = "/api/v1/admin/groups"


@pytest.fixture(scope="module")
def server(shared_server: ServerProcess) -> ServerProcess:
    return shared_server


@pytest.fixture(scope="module")
async def people(server: ServerProcess) -> AsyncIterator[Staff]:
    found = await staff(server)
    yield found
    await found.close()


@pytest.fixture
async def crowd(server: ServerProcess) -> AsyncIterator[Callable[[int], Awaitable[list[Person]]]]:
    """Registers people for one test and closes their connections after it."""
    made: list[Person] = []

    async def make(n: int) -> list[Person]:
        fresh = [await register(server.base_url, f"m{i}") for i in range(n)]
        made.extend(fresh)
        return fresh

    yield make
    for person in made:
        await person.http.close()


async def _group(base_url: str, owner: Person, members: list[Person], name: str) -> int:
    async with online(base_url, owner) as (client,):
        return await new_group(client, *members, name=name)


async def _list(admin: Person, **params: Any) -> dict[str, Any]:
    found: dict[str, Any] = await admin.http.call("GET", GROUPS, None, **params)
    return found


Crowd = Callable[[int], Awaitable[list[Person]]]


async def test_find_groups_by_name_number_and_owner(
    server: ServerProcess, people: Staff, crowd: Crowd
) -> None:
    admin = people.org_admin
    tag = uuid.uuid4().hex[:8]
    owner, other, *members = await crowd(4)
    first = await _group(server.base_url, owner, members, f"Sales {tag} East")
    second = await _group(server.base_url, owner, members[:1], f"Sales {tag} West")
    third = await _group(server.base_url, other, members, f"Ops {tag}")
    found = (await _list(admin, q=f"{tag} e".upper()))["groups"]
    assert [g["id"] for g in found] == [first]
    assert found[0]["owner"]["id"] == owner.id and found[0]["member_count"] == 3
    assert found[0]["number"] == first + 100_000 and found[0]["join_mode"] == "invite_code"
    assert [g["id"] for g in (await _list(admin, q=tag))["groups"]] == [third, second, first]
    assert [g["id"] for g in (await _list(admin, q=str(third + 100_000)))["groups"]] == [third]
    assert [g["id"] for g in (await _list(admin, owner_id=owner.id))["groups"]] == [second, first]
    assert [g["id"] for g in (await _list(admin, q=other.account))["groups"]] == [third]
    page = await _list(admin, q=tag, limit=2)
    assert [g["id"] for g in page["groups"]] == [third, second]
    rest = await _list(admin, q=tag, limit=2, after_id=page["next_after_id"])
    assert [g["id"] for g in rest["groups"]] == [first] and rest["next_after_id"] is None
    details = await admin.http.call("GET", f"{GROUPS}/{first}", None, limit=2)
    assert [m["user_id"] for m in details["members"]] == sorted(
        [owner.id, *(m.id for m in members)]
    )[:2]
    assert details["next_after_user_id"] is not None
    assert await http_refused(admin, "GET", f"{GROUPS}/{2**62}") == "not_found"
    # A direct chat is no group.
    assert await http_refused(admin, "GET", f"{GROUPS}?q=" + "x" * 65) == "invalid_input"
    assert await http_refused(admin, "GET", f"{GROUPS}?status=asleep") == "invalid_input"


async def test_change_owner_disband_assign_and_size_limit(
    server: ServerProcess, people: Staff, crowd: Crowd
) -> None:
    admin = people.org_admin
    tag = uuid.uuid4().hex[:8]
    owner, heir, outsider, late = await crowd(4)
    group = await _group(server.base_url, owner, [heir], f"Gov {tag}")
    start = await last_audit_id(people.super_admin)
    target = f"{GROUPS}/{group}"

    # Change the owner: the members see owner_changed.
    async with online(server.base_url, heir) as (client,):
        entry = await admin.http.call("POST", f"{target}/owner", {"user_id": heir.id})
        assert entry["kind"] == "owner_changed"
        assert entry["body"] == {"previous_owner_id": owner.id, "owner_id": heir.id}
        info = await client.request("group.info", {"conversation_id": group})
        assert info["role"] == "owner"
    assert await http_refused(admin, "POST", f"{target}/owner", {"user_id": heir.id}) == "conflict"
    assert (
        await http_refused(admin, "POST", f"{target}/owner", {"user_id": outsider.id})
        == "not_found"
    )

    # Assign members, whatever the join mode; then the size limit.
    entry = await admin.http.call("POST", f"{target}/assign", {"user_ids": [outsider.id]})
    assert entry["kind"] == "member_joined" and entry["body"]["user_ids"] == [outsider.id]
    assert (
        await http_refused(admin, "POST", f"{target}/assign", {"user_ids": [outsider.id]})
        == "conflict"
    )
    changed = await admin.http.call("PATCH", target, {"size_limit": 3, "join_mode": "back_office"})
    assert changed["size_limit"] == 3 and changed["own_size_limit"] == 3
    assert changed["join_mode"] == "back_office"
    assert (
        await http_refused(admin, "POST", f"{target}/assign", {"user_ids": [late.id]})
        == "group_full"
    )
    for body in ({"size_limit": 2}, {"size_limit": 10**6}, {}, {"join_mode": "lottery"}):
        assert await http_refused(admin, "PATCH", target, body) == "invalid_input", body
    cleared = await admin.http.call("PATCH", target, {"size_limit": None})
    assert cleared["own_size_limit"] is None and cleared["size_limit"] > 3

    # Disband: members keep the history; nothing more changes it.
    async with online(server.base_url, outsider) as (client,):
        entry = await admin.http.call("POST", f"{target}/disband")
        assert entry["kind"] == "group_disbanded" and entry["sender_id"] is None
    assert (await admin.http.call("GET", target))["disbanded_at"] is not None
    assert await http_refused(admin, "POST", f"{target}/disband") == "group_disbanded"
    assert (
        await http_refused(admin, "POST", f"{target}/owner", {"user_id": owner.id})
        == "group_disbanded"
    )
    assert await http_refused(admin, "PATCH", target, {"size_limit": 5}) == "group_disbanded"
    assert [
        g["id"] for g in (await _list(admin, q=f"Gov {tag}", status="disbanded"))["groups"]
    ] == [group]
    assert (await _list(admin, q=f"Gov {tag}", status="live"))["groups"] == []
    for who in (people.plain, people.auditor):
        assert await http_refused(who, "POST", f"{target}/disband") == "forbidden"

    entries = await audit_since(people.super_admin, start, target_type="group")
    assert [(e["action"], e["target_id"]) for e in entries] == [
        ("group.change_owner", str(group)),
        ("group.assign", str(group)),
        ("group.update", str(group)),
        ("group.update", str(group)),
        ("group.disband", str(group)),
    ]
    assert entries[0]["details"] == {"from": owner.id, "to": heir.id}
    assert all(e["actor_id"] == admin.id for e in entries)
