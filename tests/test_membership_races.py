"""Group membership under concurrent clients (issue 11, races): the size limit, one winner
among concurrent admissions of the same person, and no message after its sender's removal
or after the group's disbanding — on one node on SQLite and on two nodes on PostgreSQL +
Redis, where a node's cached roster can lag behind the other node's changes.

Every check is made by the database where the change is written (decision 12): these tests
fire many requests at once and read back what the log holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest

from tests.support.server import RedisProcess, ServerProcess, new_pg_database, remove_pg_database
from tests.support.users import Person, register
from tests.support.waiting import eventually
from tidings.sdk import ServerError, TidingsHttp


@dataclass
class Deployment:
    urls: list[str]
    opened: list[TidingsHttp] = field(default_factory=list)

    def http(self, person: Person, node: int) -> TidingsHttp:
        """The person's REST client entering through ``node`` (wrapping around)."""
        http = TidingsHttp(self.urls[node % len(self.urls)], token=person.token)
        self.opened.append(http)
        return http

    async def people(self, count: int, name: str) -> list[Person]:
        found = [await register(self.urls[i % len(self.urls)], name) for i in range(count)]
        self.opened.extend(p.http for p in found)
        return found


@pytest.fixture(scope="module", params=["sqlite", "postgresql-two-nodes"])
def urls(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[str]]:
    if request.param == "sqlite":
        server = ServerProcess(tmp_path_factory.mktemp("races"))
        server.start()
        yield [server.base_url]
        server.stop()
        return
    redis = RedisProcess()
    redis.start()
    database = new_pg_database()
    env = {"TIDINGS_DATABASE_URL": database, "TIDINGS_REDIS_URL": redis.url}
    nodes = [
        ServerProcess(tmp_path_factory.mktemp(f"races{i}"), env={**env, "TIDINGS_NODE_ID": f"r{i}"})
        for i in range(2)
    ]
    for node in nodes:
        node.launch()
    for node in nodes:
        node.wait_ready()
    yield [node.base_url for node in nodes]
    for node in nodes:
        node.stop()
    remove_pg_database(database)
    redis.stop()


@pytest.fixture
async def deployment(urls: list[str]) -> AsyncIterator[Deployment]:
    found = Deployment(urls)
    yield found
    for http in found.opened:
        await http.close()


async def outcome(call: Any) -> str:
    """``ok`` or the error code."""
    try:
        await call
    except ServerError as error:
        return error.code
    return "ok"


async def new_group(owner: Person, *members: Person, **settings: Any) -> int:
    summary = await owner.http.call(
        "POST",
        "/api/v1/conversations",
        {"type": "group", "name": "race", "member_ids": [m.id for m in members]},
    )
    gid = int(summary["id"])
    if settings:
        await owner.http.call("PATCH", f"/api/v1/groups/{gid}", settings)
    return gid


async def log_of(reader: Person, gid: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    while True:  # pages of the documented maximum, 500
        found = await reader.http.call(
            "GET",
            f"/api/v1/conversations/{gid}/messages",
            after_seq=entries[-1]["seq"] if entries else 0,
            limit=500,
        )
        entries += found["messages"]
        if len(found["messages"]) < 500:
            break
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    return entries


async def logged(reader: Person, gid: int, count: int) -> bool:
    return len(await log_of(reader, gid)) >= count


async def member_ids(owner: Person, gid: int) -> list[int]:
    page = await owner.http.call("GET", f"/api/v1/groups/{gid}/members", limit=1000)
    return sorted(m["user_id"] for m in page["members"])


async def joined_notices(person: Person, gid: int) -> int:
    """How many ``conversation_joined`` private entries the person has for the group."""
    synced = await person.http.call("POST", "/api/v1/sync", {"private_seq": 0})
    return sum(
        1
        for e in synced["private_entries"]
        if e["kind"] == "conversation_joined" and e["data"]["conversation_id"] == gid
    )


# The size limit


async def test_concurrent_open_joins_stop_at_the_size_limit(deployment: Deployment) -> None:
    owner, member = await deployment.people(2, "owner")
    gid = await new_group(owner, member, size_limit=3, join_mode="open")
    joiners = await deployment.people(8, "joiner")
    outcomes = await asyncio.gather(
        *(
            outcome(deployment.http(j, i).call("POST", f"/api/v1/groups/{gid}/join", {}))
            for i, j in enumerate(joiners)
        )
    )
    assert sorted(outcomes) == ["group_full"] * 7 + ["ok"], outcomes
    assert len(await member_ids(owner, gid)) == 3
    kinds = [e["kind"] for e in await log_of(owner, gid)]
    assert kinds.count("member_joined") == 1


async def test_concurrent_invite_code_joins_stop_at_the_size_limit(
    deployment: Deployment,
) -> None:
    owner, member = await deployment.people(2, "owner")
    gid = await new_group(owner, member, size_limit=3)
    link = await owner.http.call(
        "POST", "/api/v1/invites", {"kind": "group", "conversation_id": gid}
    )
    joiners = await deployment.people(8, "joiner")
    outcomes = await asyncio.gather(
        *(
            outcome(
                deployment.http(j, i).call("POST", f"/api/v1/invites/{link['code']}/accept", {})
            )
            for i, j in enumerate(joiners)
        )
    )
    assert sorted(outcomes) == ["group_full"] * 7 + ["ok"], outcomes
    assert len(await member_ids(owner, gid)) == 3


async def test_concurrent_invites_stop_at_the_size_limit(deployment: Deployment) -> None:
    owner, *members = await deployment.people(6, "inviter")
    gid = await new_group(owner, *members, size_limit=7)
    outsiders = await deployment.people(6, "outsider")
    outcomes = await asyncio.gather(
        *(
            outcome(
                deployment.http(inviter, i).call(
                    "POST", f"/api/v1/conversations/{gid}/members", {"user_ids": [outsider.id]}
                )
            )
            for i, (inviter, outsider) in enumerate(zip([owner, *members], outsiders, strict=True))
        )
    )
    assert sorted(outcomes) == ["group_full"] * 5 + ["ok"], outcomes
    assert len(await member_ids(owner, gid)) == 7


# One winner for the same person


async def test_concurrent_joins_of_the_same_person_admit_them_once(
    deployment: Deployment,
) -> None:
    (owner,) = await deployment.people(1, "owner")
    gid = await new_group(owner, join_mode="open")
    (joiner,) = await deployment.people(1, "joiner")
    outcomes = await asyncio.gather(
        *(
            outcome(deployment.http(joiner, i).call("POST", f"/api/v1/groups/{gid}/join", {}))
            for i in range(8)
        )
    )
    assert sorted(outcomes) == ["conflict"] * 7 + ["ok"], outcomes
    assert await member_ids(owner, gid) == sorted([owner.id, joiner.id])
    assert [e["kind"] for e in await log_of(owner, gid)].count("member_joined") == 1
    assert await joined_notices(joiner, gid) == 1


async def test_concurrent_requests_of_the_same_person_make_one_request(
    deployment: Deployment,
) -> None:
    (owner,) = await deployment.people(1, "owner")
    gid = await new_group(owner, join_mode="approval")
    (asker,) = await deployment.people(1, "asker")
    outcomes = await asyncio.gather(
        *(
            outcome(
                deployment.http(asker, i).call(
                    "POST", f"/api/v1/groups/{gid}/join", {"message": str(i)}
                )
            )
            for i in range(8)
        )
    )
    assert sorted(outcomes) == ["conflict"] * 7 + ["ok"], outcomes
    listed = await owner.http.call("GET", f"/api/v1/groups/{gid}/join-requests")
    assert [r["user_id"] for r in listed["requests"]] == [asker.id]


async def test_concurrent_invites_into_an_approval_group_make_one_request(
    deployment: Deployment,
) -> None:
    owner, *members = await deployment.people(6, "inviter")
    gid = await new_group(owner, *members, join_mode="approval")
    (outsider,) = await deployment.people(1, "outsider")
    outcomes = await asyncio.gather(
        *(
            outcome(
                deployment.http(inviter, i).call(
                    "POST", f"/api/v1/conversations/{gid}/members", {"user_ids": [outsider.id]}
                )
            )
            for i, inviter in enumerate(members)
        )
    )
    assert sorted(outcomes) == ["conflict"] * 4 + ["ok"], outcomes
    listed = await owner.http.call("GET", f"/api/v1/groups/{gid}/join-requests")
    assert [r["user_id"] for r in listed["requests"]] == [outsider.id]


async def test_concurrent_invites_of_the_same_person_admit_them_once(
    deployment: Deployment,
) -> None:
    owner, *members = await deployment.people(6, "inviter")
    gid = await new_group(owner, *members)
    (outsider,) = await deployment.people(1, "outsider")
    outcomes = await asyncio.gather(
        *(
            outcome(
                deployment.http(inviter, i).call(
                    "POST", f"/api/v1/conversations/{gid}/members", {"user_ids": [outsider.id]}
                )
            )
            for i, inviter in enumerate([owner, *members])
        )
    )
    assert sorted(outcomes) == ["conflict"] * 5 + ["ok"], outcomes
    assert [e["kind"] for e in await log_of(owner, gid)].count("member_joined") == 1
    assert await joined_notices(outsider, gid) == 1


# Sends racing the end of the right to post


async def keep_sending(http: TidingsHttp, gid: int, tag: str) -> tuple[list[int], str]:
    """Send until refused; the seqs acknowledged and the refusal's code."""
    acknowledged: list[int] = []
    for n in range(2000):
        body = {"client_msg_id": f"{tag}-{n}", "type": "text", "body": {"text": f"{tag} {n}"}}
        try:
            entry = await http.call("POST", f"/api/v1/conversations/{gid}/messages", body)
        except ServerError as error:
            return acknowledged, error.code
        acknowledged.append(int(entry["seq"]))
    raise AssertionError(f"{tag}: 2000 sends and none refused")


async def test_no_message_follows_its_senders_removal(deployment: Deployment) -> None:
    for round_ in range(3):
        owner, victim = await deployment.people(2, "removal")
        gid = await new_group(owner, victim)
        # The victim sends through the node the owner does not use: there, only the bus
        # tells of the removal.
        senders = [
            asyncio.create_task(keep_sending(deployment.http(victim, 1), gid, f"r{round_}s{k}"))
            for k in range(8)
        ]
        await eventually(partial(logged, owner, gid, 20), every=0.01)
        removal = await owner.http.call(
            "POST", f"/api/v1/groups/{gid}/members/{victim.id}/remove", {}
        )
        results = await asyncio.gather(*senders)
        assert {code for _, code in results} == {"not_member"}, results
        log = await log_of(owner, gid)
        mine = {e["seq"] for e in log if e["kind"] == "message" and e["sender_id"] == victim.id}
        assert all(seq < removal["seq"] for seq in mine), (removal["seq"], sorted(mine)[-5:])
        assert {seq for seqs, _ in results for seq in seqs} == mine, "every ack is in the log"


async def test_no_message_follows_the_groups_disbanding(deployment: Deployment) -> None:
    for round_ in range(3):
        owner, *members = await deployment.people(4, "disband")
        gid = await new_group(owner, *members)
        senders = [
            asyncio.create_task(
                keep_sending(deployment.http(member, 1 + k), gid, f"d{round_}m{member.id}k{k}")
            )
            for member in members
            for k in range(3)
        ]
        await eventually(partial(logged, owner, gid, 20), every=0.01)
        await owner.http.call("POST", f"/api/v1/groups/{gid}/disband", {})
        results = await asyncio.gather(*senders)
        assert {code for _, code in results} == {"group_disbanded"}, results
        log = await log_of(owner, gid)
        assert log[-1]["kind"] == "group_disbanded", [e["kind"] for e in log[-5:]]
        sent = {e["seq"] for e in log if e["kind"] == "message"}
        assert {seq for seqs, _ in results for seq in seqs} == sent, "every ack is in the log"


async def test_no_approved_message_follows_its_senders_removal(deployment: Deployment) -> None:
    """A moderator approving queued messages while the sender is removed."""
    for round_ in range(3):
        owner, moderator, victim = await deployment.people(3, "moderated")
        gid = await new_group(owner, moderator, victim, moderation=True)
        await owner.http.call(
            "PUT", f"/api/v1/groups/{gid}/admins/{moderator.id}", {"powers": ["moderate"]}
        )
        for n in range(30):
            body = {"client_msg_id": f"q{round_}-{n}", "type": "text", "body": {"text": str(n)}}
            code = await outcome(
                victim.http.call("POST", f"/api/v1/conversations/{gid}/messages", body)
            )
            assert code == "pending_moderation"
        queue = await moderator.http.call("GET", f"/api/v1/groups/{gid}/moderation")
        approving = deployment.http(moderator, 1)
        approvals = [
            asyncio.create_task(
                outcome(approving.call("POST", f"/api/v1/moderation/{q['id']}/approve", {}))
            )
            for q in queue["pending"]
        ]
        await eventually(partial(logged, owner, gid, 5), every=0.01)
        removal = await owner.http.call(
            "POST", f"/api/v1/groups/{gid}/members/{victim.id}/remove", {}
        )
        outcomes = await asyncio.gather(*approvals)
        assert set(outcomes) <= {"ok", "conflict"}, outcomes
        log = await log_of(owner, gid)
        approved = [e["seq"] for e in log if e["kind"] == "message"]
        assert len(approved) == outcomes.count("ok")
        assert all(seq < removal["seq"] for seq in approved), (removal["seq"], approved[-5:])
