"""Scale-out (issue 6): three server processes on one PostgreSQL database and one Redis.

Users on different nodes chat; concurrent sends through three nodes get contiguous seqs; a
node killed with SIGKILL or a Redis restart mid-load loses nothing: every acknowledged
message reaches every member exactly once, in order, once their clients reconnect.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from tests.support.chaos import (
    Ledger,
    canonical_logs,
    check_clients,
    check_log,
    cut_connections,
    send_many,
)
from tests.support.server import RedisProcess, ServerProcess, new_pg_database, remove_pg_database
from tests.support.users import Person, register
from tests.support.waiting import eventually
from tidings.sdk import EntryReceived, PresenceChanged, ServerError, TidingsClient, TidingsHttp


@dataclass
class Cluster:
    nodes: list[ServerProcess]
    redis: RedisProcess

    @property
    def urls(self) -> list[str]:
        return [n.base_url for n in self.nodes]

    def client(self, person: Person, first: int) -> TidingsClient:
        """A client that enters through node ``first`` and fails over to the others."""
        urls = self.urls[first:] + self.urls[:first]
        return TidingsClient(
            urls, token=person.token, backoff_initial=0.05, backoff_max=0.5, request_timeout=3
        )


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisProcess]:
    process = RedisProcess()
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def cluster(redis: RedisProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    database = new_pg_database()
    env = {
        "TIDINGS_DATABASE_URL": database,
        "TIDINGS_REDIS_URL": redis.url,
        # Every push to a conversation's members crosses nodes as the conversation's id
        # (MembersPush), as a large group's do: each node looks the members up itself.
        "TIDINGS_CLUSTER_PUSH_LIST_MAX": "1",
        # A dead node's users show offline within 3 s and a heartbeat (1 s), not 15 + 5.
        "TIDINGS_PRESENCE_TTL_SECONDS": "3",
    }
    nodes = [
        ServerProcess(tmp_path_factory.mktemp(f"node{i}"), env={**env, "TIDINGS_NODE_ID": f"n{i}"})
        for i in range(3)
    ]
    # All three start at once: migrations must be applied once, safely.
    for node in nodes:
        node.launch()
    for node in nodes:
        node.wait_ready()
    yield Cluster(nodes, redis)
    for node in nodes:
        node.stop()
    remove_pg_database(database)


@pytest.fixture
async def people(cluster: Cluster) -> AsyncIterator[list[Person]]:
    found = [await register(cluster.urls[i % 3], f"node{i}") for i in range(6)]
    yield found
    for person in found:
        await person.http.close()


async def test_users_on_different_nodes_chat_and_see_presence(
    cluster: Cluster, people: list[Person]
) -> None:
    alice, bob, carol = people[:3]
    async with (
        cluster.client(alice, 0) as a,
        cluster.client(bob, 1) as b,
        cluster.client(carol, 2) as c,
    ):
        direct = int((await a.request("conversation.open_direct", {"peer_id": bob.id}))["id"])
        await a.send(direct, "text", {"text": "node 0 to node 1"})
        await eventually(lambda: b.state.conversations[direct].messages())
        group = await b.request(
            "conversation.create_group", {"name": "x-node", "member_ids": [alice.id, carol.id]}
        )
        gid = int(group["id"])
        await eventually(lambda: gid in c.state.conversations)
        await c.send(gid, "text", {"text": "node 2 to all"})
        for client in (a, b):
            await eventually(lambda cl=client: cl.state.conversations[gid].messages())

        seen: list[PresenceChanged] = []
        a.on(lambda e: seen.append(e) if isinstance(e, PresenceChanged) else None)
        watched = await a.request("presence.subscribe", {"user_ids": [bob.id, people[3].id]})
        assert watched["presence"] == {str(bob.id): True, str(people[3].id): False}
        async with cluster.client(people[3], 2):
            await eventually(lambda: any(e.user_id == people[3].id and e.online for e in seen))
        await eventually(lambda: any(e.user_id == people[3].id and not e.online for e in seen))


async def test_pushes_naming_the_conversation_arrive_in_order_on_every_node(
    cluster: Cluster, people: list[Person]
) -> None:
    """Members on nodes that have never loaded the group's roster get every push, in order:
    the first pushes wait for the roster to load, later ones behind them."""
    owner, *members = people[:5]
    summary = await owner.http.call(
        "POST",
        "/api/v1/conversations",
        {"type": "group", "name": "by reference", "member_ids": [m.id for m in members]},
    )
    gid = int(summary["id"])
    async with AsyncExitStack() as stack:
        sender = await stack.enter_async_context(cluster.client(owner, 0))
        heard: dict[int, list[int]] = {m.id: [] for m in members}
        for index, member in enumerate(members):
            client = await stack.enter_async_context(cluster.client(member, index % 3))
            client.on(
                lambda e, got=heard[member.id]: (
                    got.append(int(e.entry["seq"]))
                    if isinstance(e, EntryReceived)
                    and e.entry["conversation_id"] == gid
                    and e.entry["kind"] == "message"
                    else None
                )
            )
        sent = [int((await sender.send(gid, "text", {"text": f"m{i}"}))["seq"]) for i in range(30)]
        for member in members:
            await eventually(lambda got=heard[member.id]: len(got) >= len(sent))
            assert heard[member.id] == sent


async def test_concurrent_sends_through_three_nodes_get_contiguous_seqs(
    cluster: Cluster, people: list[Person]
) -> None:
    owner, *others = people[:3]
    summary = await owner.http.call(
        "POST",
        "/api/v1/conversations",
        {"type": "group", "name": "race", "member_ids": [p.id for p in others]},
    )
    gid = int(summary["id"])
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(cluster.client(p, i))
            for i, p in enumerate((owner, *others))
        ]

        async def burst(client: TidingsClient, prefix: str) -> list[int]:
            sent = await asyncio.gather(
                *(client.send(gid, "text", {"text": f"{prefix}{n}"}) for n in range(150))
            )
            return [int(e["seq"]) for e in sent]

        seqs = await asyncio.gather(*(burst(c, str(i)) for i, c in enumerate(clients)))
        every = sorted(s for group_seqs in seqs for s in group_seqs)
        assert every == list(range(2, 2 + 450)), "seq 1 is group_created; then 450 in a row"
        history = await clients[0].history(gid, limit=500)
        assert [e["seq"] for e in history] == list(range(1, 452))


async def test_the_same_send_through_three_nodes_at_once_is_stored_once(
    cluster: Cluster, people: list[Person]
) -> None:
    """A retry reaching another node while the first attempt is still committing."""
    sender, peer = people[:2]
    summary = await sender.http.call(
        "POST", "/api/v1/conversations", {"type": "direct", "peer_id": peer.id}
    )
    conv = int(summary["id"])
    https = [TidingsHttp(url, token=sender.token) for url in cluster.urls]
    try:
        for n in range(40):
            body = {"client_msg_id": f"race-{n}", "type": "text", "body": {"text": str(n)}}
            replies = await asyncio.gather(
                *(h.call("POST", f"/api/v1/conversations/{conv}/messages", body) for h in https)
            )
            assert len({(r["id"], r["seq"]) for r in replies}) == 1, replies
        stored = await https[0].call("GET", f"/api/v1/conversations/{conv}/messages", limit=100)
        assert [m["body"]["text"] for m in stored["messages"]] == [str(n) for n in range(40)]
    finally:
        for h in https:
            await h.close()


async def test_the_rate_rule_holds_across_nodes(cluster: Cluster, people: list[Person]) -> None:
    """At most 3 messages per minute per member: counted in Redis, so a member whose
    messages go through two nodes still gets 3, not 3 per node."""
    owner, member = people[:2]
    summary = await owner.http.call(
        "POST",
        "/api/v1/conversations",
        {"type": "group", "name": "slow", "member_ids": [member.id]},
    )
    gid = int(summary["id"])
    await owner.http.call("PATCH", f"/api/v1/groups/{gid}", {"rate_count": 3, "rate_seconds": 60})
    via = [TidingsHttp(url, token=member.token) for url in cluster.urls[:2]]
    try:

        async def send(node: int, n: int) -> str:
            body = {"client_msg_id": f"rate-{n}", "type": "text", "body": {"text": str(n)}}
            try:
                await via[node].call("POST", f"/api/v1/conversations/{gid}/messages", body)
            except ServerError as error:
                return error.code
            return "sent"

        outcomes = [await send(node, n) for n, node in enumerate([0, 1, 0, 1, 0])]
        assert outcomes == ["sent", "sent", "sent", "blocked", "blocked"]
        # The owner is exempt, whatever node they use.
        await owner.http.call(
            "POST",
            f"/api/v1/conversations/{gid}/messages",
            {"client_msg_id": "owner", "type": "text", "body": {"text": "still here"}},
        )
    finally:
        for http in via:
            await http.close()


async def test_a_block_ends_presence_subscriptions_on_other_nodes(
    cluster: Cluster, people: list[Person]
) -> None:
    blocker, blocked, other = people[3:6]
    seen: list[tuple[int, bool]] = []
    async with cluster.client(blocked, 1) as b:
        b.on(
            lambda e: seen.append((e.user_id, e.online)) if isinstance(e, PresenceChanged) else None
        )
        await b.request("presence.subscribe", {"user_ids": [blocker.id, other.id]})
        async with cluster.client(blocker, 0) as a:
            await eventually(lambda: (blocker.id, True) in seen)
            await a.request("blocks.add", {"user_id": blocked.id})
            await eventually(lambda: seen[-1:] == [(blocker.id, False)])
            cut = len(seen)
        async with cluster.client(blocker, 2):
            pass
        async with cluster.client(other, 2):
            await eventually(lambda: (other.id, True) in seen[cut:])
        await eventually(lambda: (other.id, False) in seen[cut:])
        assert blocker.id not in [u for u, _ in seen[cut:]], seen


async def test_users_of_a_node_that_dies_go_offline_within_the_presence_ttl(
    cluster: Cluster, people: list[Person]
) -> None:
    watcher, stranded = people[0], people[2]
    seen: list[tuple[int, bool]] = []
    # A client that only knows node 2, so it cannot come back online elsewhere.
    only_node_2 = TidingsClient(
        [cluster.urls[2]], token=stranded.token, backoff_initial=0.05, backoff_max=0.5
    )
    async with cluster.client(watcher, 0) as w, only_node_2:
        w.on(
            lambda e: seen.append((e.user_id, e.online)) if isinstance(e, PresenceChanged) else None
        )
        watched = await w.request("presence.subscribe", {"user_ids": [stranded.id]})
        assert watched["presence"] == {str(stranded.id): True}
        cluster.nodes[2].kill()
        try:
            # TTL 3 s, heartbeat 1 s: offline well within 10 s, told by a surviving node.
            await eventually(lambda: (stranded.id, False) in seen, within=10)
            online = await w.request("presence.subscribe", {"user_ids": [stranded.id]})
            assert online["presence"] == {str(stranded.id): False}
        finally:
            cluster.nodes[2].start()
        # Node 2 back: the client reconnects there and shows online again.
        await eventually(lambda: seen[-1:] == [(stranded.id, True)], within=20)


@pytest.mark.parametrize("failure", ["node_killed", "redis_restarted"])
async def test_nothing_lost_when_a_node_dies_or_redis_restarts(
    cluster: Cluster, failure: str, tmp_path: Path
) -> None:
    rng = random.Random(failure)
    people = [await register(cluster.urls[i % 3], f"{failure}{i}") for i in range(9)]
    conversations: dict[int, list[int]] = {}
    for index, person in enumerate(people):
        peer = people[(index + 1) % len(people)]
        summary = await person.http.call(
            "POST", "/api/v1/conversations", {"type": "direct", "peer_id": peer.id}
        )
        conversations[int(summary["id"])] = [person.id, peer.id]
    summary = await people[0].http.call(
        "POST",
        "/api/v1/conversations",
        {"type": "group", "name": failure, "member_ids": [p.id for p in people[1:]]},
    )
    conversations[int(summary["id"])] = [p.id for p in people]
    member_of: dict[int, list[int]] = defaultdict(list)
    for conv_id, members in conversations.items():
        for user_id in members:
            member_of[user_id].append(conv_id)

    ledger = Ledger()
    total = 9 * 150
    async with AsyncExitStack() as stack:
        for person in people:
            stack.push_async_callback(person.http.close)
        clients = [
            await stack.enter_async_context(cluster.client(p, i % 3)) for i, p in enumerate(people)
        ]
        senders = [
            asyncio.create_task(send_many(c, p, member_of[p.id], 150, ledger, rng))
            for c, p in zip(clients, people, strict=True)
        ]
        chaos = asyncio.create_task(cut_connections(clients, rng))
        await eventually(lambda: ledger.count >= total * 0.4, within=120)
        if failure == "node_killed":
            cluster.nodes[0].kill()
        else:
            cluster.redis.kill()
            await asyncio.sleep(0.5)
            cluster.redis.start()
        try:
            await asyncio.gather(*senders)
        finally:
            chaos.cancel()
            if not cluster.nodes[0].alive():
                cluster.nodes[0].start()
        assert ledger.count == total

        for client in clients:
            await client.drop_connection()
        for client in clients:
            await client.wait_ready(limit=30)
        by_user = {p.id: c for p, c in zip(people, clients, strict=True)}
        logs = await canonical_logs(by_user, conversations)
        check_log(logs, ledger)
        check_clients(by_user, conversations, logs)


async def test_lost_bus_messages_leave_no_stale_roster_behind(
    cluster: Cluster, people: list[Person]
) -> None:
    """A member removed while the other nodes' subscriptions were down (they never heard
    RosterChanged) can no longer post through a node that had the old roster cached, once
    that node hears Redis again."""
    owner, removed, watcher = people[0], people[1], people[4]
    summary = await owner.http.call(
        "POST",
        "/api/v1/conversations",
        {"type": "group", "name": "stale", "member_ids": [removed.id, watcher.id]},
    )
    gid = int(summary["id"])
    admin = Redis.from_url(cluster.redis.url)
    async with (
        cluster.client(owner, 0) as o,
        cluster.client(removed, 1) as r,
        cluster.client(watcher, 1) as w,
    ):
        await r.send(gid, "text", {"text": "node 1 caches this roster"})
        gaps_before = await bus_gaps(cluster.nodes[1])
        # Subscriptions are cut and cannot come back (new connections must now log in);
        # connections already open, like node 0's publisher, go on working.
        await admin.config_set("requirepass", "for-a-moment")
        try:
            await admin.client_kill_filter(_type="pubsub")
            await owner.http.call(
                "POST", f"/api/v1/groups/{gid}/members/{removed.id}/remove", {"blacklist": False}
            )
        finally:
            await admin.config_set("requirepass", "")
            await admin.aclose()

        async def pushes_cross_again() -> bool:
            sent = await o.send(gid, "text", {"text": "are you there?"})
            await asyncio.sleep(0.3)
            return any(m["seq"] == sent["seq"] for m in w.state.conversations[gid].messages())

        await eventually(pushes_cross_again, within=30)
        with pytest.raises(ServerError) as refused:
            await r.send(gid, "text", {"text": "removed while node 1 heard nothing"})
        assert refused.value.code == "not_member"
        assert await bus_gaps(cluster.nodes[1]) > gaps_before  # what an operator sees


async def bus_gaps(node: ServerProcess) -> float:
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        text = (await http.get("/metrics")).text
    (line,) = [x for x in text.splitlines() if x.startswith("tidings_bus_gaps_total ")]
    return float(line.split()[1])
