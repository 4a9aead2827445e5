"""Checking the log guarantees after a chaotic run: what was acknowledged is stored once,
in order, and every member's client holds exactly the stored log."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from dataclasses import dataclass, field

from tests.support.users import Person
from tidings.sdk import ConnectionLost, ServerError, TidingsClient

# A share of sends is tried once and abandoned on failure: it may exist, but only once.
ABANDON_RATE = 0.05


@dataclass
class Ledger:
    acknowledged: dict[tuple[int, str], dict[str, object]] = field(default_factory=dict)
    abandoned: set[tuple[int, str]] = field(default_factory=set)
    sent_order: dict[tuple[int, int], list[str]] = field(default_factory=lambda: defaultdict(list))

    @property
    def count(self) -> int:
        return len(self.acknowledged) + len(self.abandoned)


async def canonical_logs(
    by_user: dict[int, TidingsClient], conversations: dict[int, list[int]]
) -> dict[int, list[dict[str, object]]]:
    """Each conversation's whole log, read page by page by one of its members."""
    logs: dict[int, list[dict[str, object]]] = {}
    for conv_id, members in conversations.items():
        client = by_user[members[0]]
        entries: list[dict[str, object]] = []
        while True:
            page = await client.history(conv_id, after_seq=len(entries), limit=500)
            entries.extend(page)
            if len(page) < 500:
                break
        logs[conv_id] = entries
    return logs


def check_log(logs: dict[int, list[dict[str, object]]], ledger: Ledger) -> None:
    seen: dict[tuple[int, str], dict[str, object]] = {}
    for conv_id, entries in logs.items():
        assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1)), (
            f"conversation {conv_id}: seqs are not contiguous"
        )
        for entry in entries:
            if entry["kind"] != "message":
                continue
            key = (int(entry["sender_id"]), str(entry["client_msg_id"]))  # type: ignore[call-overload]
            assert key not in seen, f"{key} stored twice"
            seen[key] = entry
    for key, acked in ledger.acknowledged.items():
        stored = seen.get(key)
        assert stored is not None, f"acknowledged {key} is missing"
        assert (stored["id"], stored["seq"]) == (acked["id"], acked["seq"])
    unknown = set(seen) - set(ledger.acknowledged) - ledger.abandoned
    assert not unknown, f"entries nobody sent: {sorted(unknown)[:5]}"
    for (sender, conv_id), order in ledger.sent_order.items():
        stored_order = [
            str(e["client_msg_id"])
            for e in logs[conv_id]
            if e["sender_id"] == sender and (sender, str(e["client_msg_id"])) in ledger.acknowledged
        ]
        assert stored_order == order, f"sender {sender} in {conv_id}: order differs"


def check_clients(
    by_user: dict[int, TidingsClient],
    conversations: dict[int, list[int]],
    logs: dict[int, list[dict[str, object]]],
) -> None:
    """Every member's client holds the stored log of each of its conversations, exactly."""
    for conv_id, members in conversations.items():
        for user_id in members:
            held = by_user[user_id].state.conversations[conv_id].visible()
            assert [e["id"] for e in held] == [e["id"] for e in logs[conv_id]], (
                f"user {user_id} differs from the log of conversation {conv_id}"
            )


async def send_many(
    client: TidingsClient,
    person: Person,
    conversation_ids: list[int],
    count: int,
    ledger: Ledger,
    rng: random.Random,
) -> None:
    for index in range(count):
        conv_id = rng.choice(conversation_ids)
        client_msg_id = f"{person.id}-{index}"
        key = (person.id, client_msg_id)
        abandon = rng.random() < ABANDON_RATE
        try:
            entry = await client.send(
                conv_id,
                "text",
                {"text": client_msg_id},
                client_msg_id=client_msg_id,
                max_attempts=1 if abandon else None,
            )
        except (ConnectionLost, TimeoutError):
            ledger.abandoned.add(key)
            continue
        except ServerError as error:
            raise AssertionError(f"send refused: {error}") from error
        ledger.acknowledged[key] = entry
        ledger.sent_order[(person.id, conv_id)].append(client_msg_id)


async def cut_connections(clients: list[TidingsClient], rng: random.Random) -> None:
    while True:
        await asyncio.sleep(rng.uniform(0.02, 0.15))
        await rng.choice(clients).drop_connection()
