"""The password lock end to end (seed: 聊天记录加密), on SQLite and PostgreSQL: a code of its
own kept as a hash, checked and throttled like a sign-in; changes that lock less need the
code or the account password; synced to the user's other devices; concurrent changes and
guesses counted once each."""

from __future__ import annotations

import asyncio

from tests.support.social import new_group, online, refused
from tests.support.users import PASSWORD, Person
from tests.support.waiting import eventually
from tidings.sdk import PrivateReceived, ServerError

# The rule at its default (the suite turns most rules off): 10 wrong codes per 5 minutes.
SERVER_ENV = {"TIDINGS_RATE_LOCK_VERIFY": "10/5m"}

EMPTY = {"has_code": False, "idle_minutes": 0, "conversation_ids": [], "version": 0}


async def test_set_verify_sync_and_proofs(base_url: str, alice: Person, bob: Person) -> None:
    async with online(base_url, alice, alice, bob) as (a, other_device, b):
        seen: list[dict[str, object]] = []
        other_device.on(
            lambda e: (
                seen.append(e.entry["data"])
                if isinstance(e, PrivateReceived) and e.entry["kind"] == "lock_changed"
                else None
            )
        )
        chat = await a.request("conversation.open_direct", {"peer_id": bob.id})
        group = await new_group(a, bob)
        assert await a.request("me.lock.get", {}) == EMPTY
        # Nothing is locked without a code.
        assert await refused(a, "me.lock.set", {"idle_minutes": 5}) == "lock_not_set"
        assert await refused(a, "me.lock.verify", {"code": "1234"}) == "lock_not_set"
        for bad in ({"code": "123"}, {"code": "1" * 129}, {"idle_minutes": 1441}, {"x": 1}):
            assert await refused(a, "me.lock.set", bad) == "invalid_input", bad

        lock = await a.request(
            "me.lock.set", {"code": "2468", "idle_minutes": 5, "conversation_ids": [chat["id"]]}
        )
        assert lock == {
            "has_code": True,
            "idle_minutes": 5,
            "conversation_ids": [chat["id"]],
            "version": 1,
        }
        assert "2468" not in str(lock)
        await eventually(lambda: seen[-1:] == [lock])

        assert await a.request("me.lock.verify", {"code": "2468"}) == {"ok": True}
        assert await refused(a, "me.lock.verify", {"code": "1357"}) == "wrong_lock_code"
        # A forgotten code: the account password unlocks.
        assert await a.request("me.lock.verify", {"password": PASSWORD}) == {"ok": True}
        assert await refused(a, "me.lock.verify", {"password": "wrong"}) == "invalid_credentials"
        assert await refused(a, "me.lock.verify", {}) == "lock_code_required"

        # Locking more needs no proof: another chat, a shorter idle time.
        more = await a.request(
            "me.lock.set", {"conversation_ids": [chat["id"], group], "idle_minutes": 1}
        )
        assert more["conversation_ids"] == [chat["id"], group]
        # Locking less does: unlocking a chat, a longer idle time, a new code, removing it.
        for weaker in (
            {"conversation_ids": [group]},
            {"idle_minutes": 30},
            {"idle_minutes": 0},
            {"code": "9999"},
            {"remove": True},
        ):
            assert await refused(a, "me.lock.set", weaker) == "lock_code_required", weaker
            wrong = {**weaker, "current_code": "0000"}
            assert await refused(a, "me.lock.set", wrong) == "wrong_lock_code", weaker
        assert (await a.request("me.lock.get", {}))["version"] == 2, "nothing changed"

        # Another user's chat cannot be named.
        stranger = await b.request("conversation.create_group", {"name": "B", "member_ids": []})
        assert (
            await refused(
                a, "me.lock.set", {"conversation_ids": [chat["id"], group, stranger["id"]]}
            )
            == "not_member"
        )
        # The password sets a new code when the old one is forgotten.
        renewed = await a.request("me.lock.set", {"code": "86420", "password": PASSWORD})
        assert renewed["conversation_ids"] == [chat["id"], group]
        assert await refused(a, "me.lock.verify", {"code": "2468"}) == "wrong_lock_code"
        assert await a.request("me.lock.verify", {"code": "86420"}) == {"ok": True}
        removed = await a.request("me.lock.set", {"remove": True, "current_code": "86420"})
        assert removed == {**EMPTY, "version": 4}
        await eventually(lambda: seen[-1:] == [removed])
        # Bob's lock is his own.
        assert await b.request("me.lock.get", {}) == EMPTY


async def test_guesses_are_throttled_even_all_at_once(base_url: str, alice: Person) -> None:
    async with online(base_url, alice) as (a,):
        await a.request("me.lock.set", {"code": "correct code"})
        # A right code is given back: it never uses up the allowance.
        for _ in range(12):
            await a.request("me.lock.verify", {"code": "correct code"})

        async def guess(i: int) -> str:
            try:
                await a.request("me.lock.verify", {"code": f"guess {i}"})
            except ServerError as error:
                return error.code
            return "ok"

        outcomes = await asyncio.gather(*(guess(i) for i in range(25)))
        assert outcomes.count("wrong_lock_code") == 10, outcomes
        assert outcomes.count("rate_limited") == 15
        # Now even the right code (or the password, or a proof) waits.
        assert await refused(a, "me.lock.verify", {"code": "correct code"}) == "rate_limited"
        assert await refused(a, "me.lock.verify", {"password": PASSWORD}) == "rate_limited"
        assert (
            await refused(a, "me.lock.set", {"remove": True, "current_code": "correct code"})
            == "rate_limited"
        )


async def test_concurrent_changes_from_several_devices(base_url: str, alice: Person) -> None:
    async with online(base_url, alice, alice, alice) as devices:
        a = devices[0]
        groups = [await new_group(a, name=f"g{i}") for i in range(6)]
        await a.request("me.lock.set", {"code": "1111"})

        async def lock_one(device_index: int, group: int) -> str:
            device = devices[device_index % 3]
            current = await device.request("me.lock.get", {})
            try:
                await device.request(
                    "me.lock.set",
                    {
                        "conversation_ids": [*current["conversation_ids"], group],
                        "version": current["version"],
                    },
                )
            except ServerError as error:
                return error.code
            return "ok"

        outcomes = await asyncio.gather(*(lock_one(i, g) for i, g in enumerate(groups)))
        assert set(outcomes) <= {"ok", "conflict"}, outcomes
        final = await a.request("me.lock.get", {})
        # Each accepted change moved the version once and kept what came before: no change
        # made from a stale version overwrote another.
        assert final["version"] == 1 + outcomes.count("ok")
        assert len(final["conversation_ids"]) == outcomes.count("ok") >= 1
