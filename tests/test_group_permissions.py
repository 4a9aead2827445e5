"""The permission matrix (issue 3, "Must hold"): every group power, and the owner's own
acts, tried by the owner, an admin holding the power, an admin holding every other power, a
member, a non-member and a removed member, through the real server. Those allowed succeed;
every denial returns its code and changes nothing anyone can read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.server import ServerProcess
from tests.support.social import (
    http_refused,
    new_group,
    online,
)
from tests.support.users import Person, register
from tidings.sdk import ServerError, TidingsClient

ALL_POWERS = [
    "approve_joins",
    "remove_members",
    "mute",
    "recall",
    "edit_info",
    "announcements",
    "moderate",
]


@pytest.fixture(scope="module")
def server(shared_server: ServerProcess) -> ServerProcess:
    return shared_server


@dataclass
class World:
    group: int
    owner: Person
    target: Person
    stranger: Person
    clients: dict[str, TidingsClient]
    people: dict[str, Person]

    async def state(self) -> dict[str, Any]:
        """What the denied request could have changed, read by the owner."""
        base = f"/api/v1/groups/{self.group}"
        http = self.owner.http
        return {
            "info": await http.call("GET", base),
            "members": await http.call("GET", base + "/members"),
            "blacklist": await http.call("GET", base + "/blacklist"),
            "announcements": await http.call("GET", base + "/announcements"),
            "history": await http.call(
                "GET", f"/api/v1/conversations/{self.group}/messages", after_seq=0, limit=500
            ),
        }


Act = Callable[[World, TidingsClient], Awaitable[Any]]


async def _recall(world: World, client: TidingsClient) -> Any:
    said = await world.clients["target"].send(world.group, "text", {"text": "recall me"})
    return lambda: client.request("recall", {"conversation_id": world.group, "seq": said["seq"]})


def _simple(op: str, data: Callable[[World], dict[str, Any]]) -> Act:
    async def prepare(world: World, client: TidingsClient) -> Any:
        return lambda: client.request(op, {"conversation_id": world.group, **data(world)})

    return prepare


# power -> (prepare the act, undo by the owner, the code members and other admins get)
POWER_ACTS: dict[str, tuple[Act, Callable[[World], dict[str, Any]] | None, str]] = {
    "edit_info": (_simple("group.update", lambda w: {"intro": "changed"}), None, "forbidden"),
    "approve_joins": (
        _simple("group.update", lambda w: {"join_mode": "approval"}),
        None,
        "forbidden",
    ),
    "remove_members": (
        _simple("group.blacklist.add", lambda w: {"user_ids": [w.stranger.id]}),
        lambda w: {"op": "group.blacklist.remove", "user_ids": [w.stranger.id]},
        "forbidden",
    ),
    "mute": (
        _simple("group.mute", lambda w: {"user_id": w.target.id, "seconds": 600}),
        lambda w: {"op": "group.unmute", "user_id": w.target.id},
        "forbidden",
    ),
    "recall": (_recall, None, "not_your_message"),
    "announcements": (
        _simple("group.announcement.post", lambda w: {"text": "notice"}),
        None,
        "forbidden",
    ),
    "moderate": (_simple("group.update", lambda w: {"keywords": ["spam"]}), None, "forbidden"),
}

# The owner's alone: admins holding every power are refused too.
OWNER_ACTS: dict[str, Act] = {
    "set_admin": _simple("group.set_admin", lambda w: {"user_id": w.target.id, "powers": []}),
    "forbid_private_chat": _simple("group.update", lambda w: {"forbid_private_chat": True}),
    "size_limit": _simple("group.update", lambda w: {"size_limit": 500}),
    "transfer": _simple("group.transfer", lambda w: {"user_id": w.target.id}),
    "disband": _simple("group.disband", lambda w: {}),
}
DESTRUCTIVE = {"transfer", "disband"}

ROLES = ["owner", "admin_with", "admin_without", "member", "non_member", "removed"]


@pytest.fixture
async def world(base_url: str) -> Any:
    names = [*ROLES, "target", "stranger"]
    people = {name: await register(base_url, name.replace("_", "")) for name in names}
    try:
        async with online(base_url, *people.values()) as clients_list:
            clients = dict(zip(names, clients_list, strict=True))
            owner = clients["owner"]
            group = await new_group(
                owner,
                *(
                    people[n]
                    for n in ("admin_with", "admin_without", "member", "removed", "target")
                ),
            )
            await owner.request(
                "group.remove", {"conversation_id": group, "user_id": people["removed"].id}
            )
            yield World(
                group, people["owner"], people["target"], people["stranger"], clients, people
            )
    finally:
        for person in people.values():
            await person.http.close()


async def _grant(world: World, role: str, powers: list[str]) -> None:
    await world.clients["owner"].request(
        "group.set_admin",
        {"conversation_id": world.group, "user_id": world.people[role].id, "powers": powers},
    )


def _expected_denial(role: str, code: str) -> str:
    return "not_member" if role in ("non_member", "removed") else code


async def test_every_power_by_every_role(world: World) -> None:
    for power, (prepare, undo, denial) in POWER_ACTS.items():
        await _grant(world, "admin_with", [power])
        await _grant(world, "admin_without", [p for p in ALL_POWERS if p != power])
        for role in ROLES:
            act = await prepare(world, world.clients[role])
            if role in ("owner", "admin_with"):
                await act()
                if undo is not None:
                    spec = undo(world)
                    await world.clients["owner"].request(
                        spec.pop("op"), {"conversation_id": world.group, **spec}
                    )
                continue
            before = await world.state()
            try:
                result = await act()
            except ServerError as error:
                code = error.code
            else:
                raise AssertionError(f"{role} used {power}: {result}")
            assert code == _expected_denial(role, denial), (power, role, code)
            assert await world.state() == before, f"{role}'s refused {power} changed something"


async def test_the_owners_own_acts(world: World) -> None:
    await _grant(world, "admin_with", ALL_POWERS)
    for name, prepare in OWNER_ACTS.items():
        for role in ROLES[1:]:
            before = await world.state()
            act = await prepare(world, world.clients[role])
            try:
                result = await act()
            except ServerError as error:
                code = error.code
            else:
                raise AssertionError(f"{role} did the owner's {name}: {result}")
            assert code == _expected_denial(role, "forbidden"), (name, role, code)
            assert await world.state() == before, f"{role}'s refused {name} changed something"
        if name not in DESTRUCTIVE:
            await (await prepare(world, world.clients["owner"]))()


async def test_denials_over_rest_carry_the_same_codes(world: World) -> None:
    group = world.group
    member, outsider = world.people["member"], world.people["non_member"]
    before = await world.state()
    assert (
        await http_refused(member, "PATCH", f"/api/v1/groups/{group}", {"intro": "x"})
        == "forbidden"
    )
    assert (
        await http_refused(outsider, "PATCH", f"/api/v1/groups/{group}", {"intro": "x"})
        == "not_member"
    )
    assert (
        await http_refused(
            member, "PUT", f"/api/v1/groups/{group}/mutes/{world.target.id}", {"seconds": 60}
        )
        == "forbidden"
    )
    assert await http_refused(member, "POST", f"/api/v1/groups/{group}/disband") == "forbidden"
    assert (
        await http_refused(
            world.people["removed"], "POST", f"/api/v1/groups/{group}/announcements", {"text": "x"}
        )
        == "not_member"
    )
    assert await world.state() == before
