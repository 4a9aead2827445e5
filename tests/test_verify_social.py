"""verify_action for the entries of contacts, the organization and group governance: after
each action, every live client's folded state equals what a fresh client syncs (see
tests/test_verify_actions.py; the SDK folds these kinds in sdk/state.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.server import ServerProcess
from tests.support.social import make_admin, new_group, online
from tests.support.users import Person
from tests.test_verify_actions import verify
from tidings.sdk import ServerError, TidingsClient


@pytest.fixture(scope="module")
def server(shared_server: ServerProcess) -> ServerProcess:
    return shared_server


async def test_group_governance_entries(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    people = [alice, bob, carol]
    async with online(base_url, *people) as clients:
        a, b, c = clients
        group = await new_group(a, bob, carol)
        said = await c.send(group, "text", {"text": "mark me"})

        def act(client: TidingsClient, op: str, **data: Any) -> Any:
            return lambda: client.request(op, {"conversation_id": group, **data})

        steps = [
            act(
                a, "group.update", name="Renamed", intro="About us", mute_all=True
            ),  # group_updated
            act(a, "group.set_admin", user_id=bob.id, powers=["mute", "announcements"]),
            act(b, "group.mute", user_id=carol.id, seconds=600),  # member_muted
            act(b, "group.unmute", user_id=carol.id),  # member_unmuted
            act(b, "group.announcement.post", text="Read me"),  # announcement_posted
            act(a, "group.mark", seq=said["seq"], important=True),  # message_marked
            act(c, "group.view_mode", view_mode="do_not_disturb"),  # private group_view_mode
        ]
        for step in steps:
            await verify(base_url, people, clients, step)
        posted = (await b.request("group.announcements", {"conversation_id": group}))[
            "announcements"
        ][0]
        await verify(
            base_url,
            people,
            clients,
            lambda: b.request(
                "group.announcement.edit", {"announcement_id": posted["id"], "pinned": True}
            ),
        )
        await verify(
            base_url,
            people,
            clients,
            lambda: c.request("group.announcement.read", {"announcement_id": posted["id"]}),
        )
        for step in [
            act(a, "group.transfer", user_id=bob.id),  # owner_changed
            act(b, "group.remove", user_id=carol.id),  # member_removed, conversation_left
            act(b, "group.disband"),  # group_disbanded
        ]:
            await verify(base_url, people, clients, step)


async def test_join_requests_and_moderation(
    base_url: str, alice: Person, bob: Person, carol: Person
) -> None:
    people = [alice, bob, carol]
    async with online(base_url, *people) as clients:
        a, b, c = clients
        group = await new_group(a, bob)
        await a.request("group.update", {"conversation_id": group, "join_mode": "approval"})
        asked: dict[str, Any] = {}

        async def ask() -> None:
            asked.update(await c.request("group.join", {"conversation_id": group}))

        await verify(base_url, people, clients, ask)  # join_request
        await verify(
            base_url,
            people,
            clients,
            lambda: a.request(
                "group.decide_join", {"request_id": asked["request"]["id"], "approve": True}
            ),
        )  # join_request_decided, member_joined
        await a.request("group.update", {"conversation_id": group, "moderation": True})

        async def queue(text: str) -> None:
            try:
                await b.request(
                    "send",
                    {
                        "conversation_id": group,
                        "client_msg_id": text,
                        "type": "text",
                        "body": {"text": text},
                    },
                )
            except ServerError as error:
                assert error.code == "pending_moderation"

        await verify(base_url, people, clients, lambda: queue("first"))  # moderation_pending
        await queue("second")
        pending = (await a.request("group.moderation_queue", {"conversation_id": group}))["pending"]
        await verify(
            base_url,
            people,
            clients,
            lambda: a.request("group.moderate", {"pending_id": pending[0]["id"], "approve": True}),
        )  # moderation_decided, the message
        await verify(
            base_url,
            people,
            clients,
            lambda: a.request(
                "group.moderate",
                {"pending_id": pending[1]["id"], "approve": False, "reason": "no"},
            ),
        )  # message_rejected


async def test_contact_entries(base_url: str, alice: Person, bob: Person) -> None:
    people = [alice, alice, bob]
    async with online(base_url, *people) as clients:
        a1, _, b = clients
        sent: dict[str, Any] = {}

        async def request() -> None:
            sent.update(await a1.request("friends.request", {"user_id": bob.id, "message": "hi"}))

        await verify(base_url, people, clients, request)  # friend_request(_sent)
        await verify(
            base_url,
            people,
            clients,
            lambda: b.request("friends.accept", {"request_id": sent["request_id"]}),
        )  # friend_request_decided, friend_added
        groups: dict[str, Any] = {}

        async def create_group() -> None:
            groups.update(await a1.request("contact_groups.create", {"name": "Work"}))

        await verify(base_url, people, clients, create_group)  # contact_groups
        for step in [
            lambda: a1.request(
                "contacts.update",
                {"user_id": bob.id, "remark": "B", "tags": ["x"], "contact_group_id": groups["id"]},
            ),  # contact_updated
            lambda: a1.request("contact_groups.delete", {"group_id": groups["id"]}),  # moved
            lambda: a1.request("blocks.add", {"user_id": bob.id}),  # user_blocked
            lambda: a1.request("blocks.remove", {"user_id": bob.id}),  # user_unblocked
            lambda: b.request("friends.remove", {"user_id": alice.id}),  # friend_removed
        ]:
            await verify(base_url, people, clients, step)


async def test_departments_changed(
    server: ServerProcess, base_url: str, alice: Person, bob: Person
) -> None:
    await make_admin(server, alice)
    async with online(base_url, alice, bob, bob) as clients:
        department = await clients[0].request("org.department.create", {"name": "Verify"})
        await verify(
            base_url,
            [alice, bob, bob],
            clients,
            lambda: clients[0].request(
                "org.member.set",
                {"department_id": department["id"], "user_id": bob.id, "position": "Tester"},
            ),
        )
        assert clients[2].state.social.departments == [
            {"id": department["id"], "name": "Verify", "position": "Tester"}
        ]
