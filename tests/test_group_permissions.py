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
    base_url: str
    extra: list[Person]

    async def fresh(self, name: str) -> Person:
        """A newly registered outsider (closed with the world)."""
        person = await register(self.base_url, name)
        self.extra.append(person)
        return person

    async def state(self) -> dict[str, Any]:
        """What the denied request could have changed, read by the owner."""
        base = f"/api/v1/groups/{self.group}"
        http = self.owner.http
        return {
            "info": await http.call("GET", base),
            "members": await http.call("GET", base + "/members"),
            "blacklist": await http.call("GET", base + "/blacklist"),
            "announcements": await http.call("GET", base + "/announcements"),
            "join_requests": await http.call("GET", base + "/join-requests"),
            "moderation": await http.call("GET", base + "/moderation"),
            "board": await http.call("GET", base + "/board"),
            "history": await http.call(
                "GET", f"/api/v1/conversations/{self.group}/messages", after_seq=0, limit=500
            ),
        }


Act = Callable[[World, TidingsClient], Awaitable[Any]]
Step = Callable[[World], Awaitable[Any]]


async def _owner_does(world: World, op: str, **data: Any) -> Any:
    return await world.clients["owner"].request(op, {"conversation_id": world.group, **data})


def _simple(op: str, data: Callable[[World], dict[str, Any]]) -> Act:
    async def prepare(world: World, client: TidingsClient) -> Any:
        return lambda: client.request(op, {"conversation_id": world.group, **data(world)})

    return prepare


def _by_owner(op: str, **data: Any) -> Step:
    return lambda world: _owner_does(world, op, **data)


async def _recall(world: World, client: TidingsClient) -> Any:
    said = await world.clients["target"].send(world.group, "text", {"text": "recall me"})
    return lambda: client.request("recall", {"conversation_id": world.group, "seq": said["seq"]})


async def _decide_join(world: World, client: TidingsClient) -> Any:
    """A fresh outsider asks to join; the act approves the request."""
    await _owner_does(world, "group.update", join_mode="approval")
    asker = await world.fresh("asker")
    asked = await asker.http.call(
        "POST", f"/api/v1/groups/{world.group}/join", {"message": "let me in"}
    )
    assert asked["status"] == "pending", asked
    request_id = asked["request"]["id"]
    return lambda: client.request("group.decide_join", {"request_id": request_id, "approve": True})


async def _group_invite_link(world: World, client: TidingsClient) -> Any:
    """In approval mode, only approvers hand out links that let people in."""
    await _owner_does(world, "group.update", join_mode="approval")
    return lambda: client.request(
        "invites.create", {"kind": "group", "conversation_id": world.group}
    )


async def _unblacklist(world: World, client: TidingsClient) -> Any:
    await _owner_does(world, "group.blacklist.add", user_ids=[world.stranger.id])
    return lambda: client.request(
        "group.blacklist.remove", {"conversation_id": world.group, "user_ids": [world.stranger.id]}
    )


async def _unmute(world: World, client: TidingsClient) -> Any:
    await _owner_does(world, "group.mute", user_id=world.target.id, seconds=600)
    return lambda: client.request(
        "group.unmute", {"conversation_id": world.group, "user_id": world.target.id}
    )


async def _edit_announcement(world: World, client: TidingsClient) -> Any:
    posted = await _owner_does(world, "group.announcement.post", text="to be edited")
    return lambda: client.request(
        "group.announcement.edit",
        {"announcement_id": posted["id"], "text": "edited", "pinned": True},
    )


async def _mark_important(world: World, client: TidingsClient) -> Any:
    said = await world.clients["target"].send(world.group, "text", {"text": "important?"})
    return lambda: client.request(
        "group.mark", {"conversation_id": world.group, "seq": said["seq"], "important": True}
    )


async def _moderate(world: World, client: TidingsClient) -> Any:
    """The target's message waits in the queue; the act approves it."""
    await _owner_does(world, "group.update", moderation=True)
    try:
        result = await world.clients["target"].send(world.group, "text", {"text": "queued"})
    except ServerError as error:
        assert error.code == "pending_moderation", error
    else:
        raise AssertionError(f"a moderated group took a member's message at once: {result}")
    queue = await _owner_does(world, "group.moderation_queue")
    pending_id = max(q["id"] for q in queue["pending"])
    return lambda: client.request("group.moderate", {"pending_id": pending_id, "approve": True})


@dataclass
class PowerAct:
    """One request a power allows: tried by every role. ``undo`` runs (by the owner) after
    each allowed success, ``cleanup`` once every role has tried."""

    power: str
    name: str
    prepare: Act
    undo: Step | None = None
    cleanup: Step | None = None
    denial: str = "forbidden"


def _read(op: str) -> Act:
    return _simple(op, lambda w: {})


POWER_ACTS: list[PowerAct] = [
    PowerAct("edit_info", "intro", _simple("group.update", lambda w: {"intro": "changed"})),
    PowerAct("edit_info", "name", _simple("group.update", lambda w: {"name": "Renamed"})),
    PowerAct("edit_info", "avatar", _simple("group.update", lambda w: {"avatar": "avatar-2"})),
    PowerAct(
        "approve_joins", "join_mode", _simple("group.update", lambda w: {"join_mode": "approval"})
    ),
    PowerAct("approve_joins", "decide_join", _decide_join),
    PowerAct("approve_joins", "join_requests", _read("group.join_requests")),
    PowerAct("approve_joins", "invite_link", _group_invite_link),
    PowerAct(
        "remove_members",
        "remove",
        _simple("group.remove", lambda w: {"user_id": w.target.id}),
        undo=lambda w: _owner_does(w, "group.invite", user_ids=[w.target.id]),
    ),
    PowerAct(
        "remove_members",
        "blacklist_add",
        _simple("group.blacklist.add", lambda w: {"user_ids": [w.stranger.id]}),
        undo=lambda w: _owner_does(w, "group.blacklist.remove", user_ids=[w.stranger.id]),
    ),
    PowerAct("remove_members", "blacklist_remove", _unblacklist),
    PowerAct("remove_members", "blacklist_list", _read("group.blacklist")),
    PowerAct(
        "mute",
        "mute",
        _simple("group.mute", lambda w: {"user_id": w.target.id, "seconds": 600}),
        undo=lambda w: _owner_does(w, "group.unmute", user_id=w.target.id),
    ),
    PowerAct(
        "mute",
        "unmute",
        _unmute,
        cleanup=lambda w: _owner_does(w, "group.unmute", user_id=w.target.id),
    ),
    PowerAct(
        "mute",
        "mute_all",
        _simple("group.update", lambda w: {"mute_all": True}),
        undo=_by_owner("group.update", mute_all=False),
    ),
    PowerAct("recall", "recall", _recall, denial="not_your_message"),
    PowerAct(
        "announcements",
        "post",
        _simple("group.announcement.post", lambda w: {"text": "notice"}),
    ),
    PowerAct("announcements", "edit", _edit_announcement),
    PowerAct("announcements", "mark_important", _mark_important),
    PowerAct("moderate", "keywords", _simple("group.update", lambda w: {"keywords": ["spam"]})),
    PowerAct(
        "moderate",
        "moderation_mode",
        _simple("group.update", lambda w: {"moderation": True}),
        undo=_by_owner("group.update", moderation=False),
    ),
    PowerAct(
        "moderate",
        "approve_queued",
        _moderate,
        cleanup=_by_owner("group.update", moderation=False),
    ),
    PowerAct("moderate", "moderation_queue", _read("group.moderation_queue")),
]

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
    extra: list[Person] = []
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
            world = World(
                group,
                people["owner"],
                people["target"],
                people["stranger"],
                clients,
                people,
                base_url,
                extra,
            )
            yield world
    finally:
        for person in [*people.values(), *extra]:
            await person.http.close()


async def _grant(world: World, role: str, powers: list[str]) -> None:
    await world.clients["owner"].request(
        "group.set_admin",
        {"conversation_id": world.group, "user_id": world.people[role].id, "powers": powers},
    )


def _expected_denial(role: str, code: str) -> str:
    return "not_member" if role in ("non_member", "removed") else code


def test_the_matrix_covers_every_power() -> None:
    assert {act.power for act in POWER_ACTS} == set(ALL_POWERS)


@pytest.mark.parametrize("act", POWER_ACTS, ids=lambda a: f"{a.power}-{a.name}")
async def test_every_power_by_every_role(world: World, act: PowerAct) -> None:
    await _grant(world, "admin_with", [act.power])
    await _grant(world, "admin_without", [p for p in ALL_POWERS if p != act.power])
    for role in ROLES:
        attempt = await act.prepare(world, world.clients[role])
        if role in ("owner", "admin_with"):
            await attempt()
            if act.undo is not None:
                await act.undo(world)
            continue
        before = await world.state()
        try:
            result = await attempt()
        except ServerError as error:
            code = error.code
        else:
            raise AssertionError(f"{role} used {act.power} ({act.name}): {result}")
        assert code == _expected_denial(role, act.denial), (act.name, role, code)
        assert await world.state() == before, f"{role}'s refused {act.name} changed something"
    if act.cleanup is not None:
        await act.cleanup(world)


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
