"""The rules of webhooks without I/O (tidings.domain.webhooks, decision 0068)."""

from __future__ import annotations

import random

import pytest

from tidings.config import Settings
from tidings.domain.apps import AppScope
from tidings.domain.entries import EntryKind
from tidings.domain.errors import TidingsError
from tidings.domain.webhooks import (
    EventType,
    check_scopes,
    check_url_shape,
    event_type_of_entry,
    may_receive,
    next_attempt_delay,
    should_pause,
    signature,
)


def test_the_signature_matches_the_standard_webhooks_test_vector() -> None:
    # The example of the Standard Webhooks specification and its libraries' tests.
    assert (
        signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            b'{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_the_default_schedule_retries_for_more_than_a_day_with_jitter() -> None:
    schedule = Settings().webhook_retry_seconds
    assert sum(schedule) >= 24 * 3600
    rng = random.Random(7)
    for attempts, base in enumerate(schedule, start=1):
        delay = next_attempt_delay(attempts, schedule, rng)
        assert delay is not None and 0.8 * base <= delay <= 1.2 * base
    assert next_attempt_delay(len(schedule) + 1, schedule, rng) is None
    assert next_attempt_delay(0, schedule, rng) is None


def test_a_subscription_pauses_only_after_long_and_many_failures() -> None:
    day = 24 * 3600 * 1000
    assert should_pause(failing_since=0, failures=10, now=day, after_ms=day, after_failures=10)
    assert not should_pause(failing_since=0, failures=9, now=day, after_ms=day, after_failures=10)
    assert not should_pause(failing_since=1, failures=99, now=day, after_ms=day, after_failures=1)
    assert not should_pause(failing_since=None, failures=99, now=day, after_ms=0, after_failures=1)


def test_who_receives_what() -> None:
    hooks = frozenset({AppScope.WEBHOOKS})
    everything = hooks | {AppScope.EVENTS_ALL}
    sent = EventType.MESSAGE_SENT
    assert may_receive(sent, hooks, bot_in_conversation=True, bot_is_party=False)
    assert not may_receive(sent, hooks, bot_in_conversation=False, bot_is_party=False)
    assert may_receive(sent, everything, bot_in_conversation=False, bot_is_party=False)
    # Scopes narrowed after subscribing: no more events.
    assert not may_receive(sent, frozenset(), bot_in_conversation=True, bot_is_party=True)
    online = EventType.USER_ONLINE
    assert not may_receive(online, everything, bot_in_conversation=False, bot_is_party=False)
    assert may_receive(
        online, hooks | {AppScope.PRESENCE_READ}, bot_in_conversation=False, bot_is_party=False
    )
    friends = EventType.FRIEND_ADDED
    assert may_receive(friends, hooks, bot_in_conversation=False, bot_is_party=True)
    assert not may_receive(friends, hooks, bot_in_conversation=False, bot_is_party=False)
    with pytest.raises(TidingsError) as refused:
        check_scopes([EventType.USER_CREATED], hooks)
    assert refused.value.code == "insufficient_scope"


def test_system_notices_are_not_message_sent_events() -> None:
    assert event_type_of_entry(EntryKind.MESSAGE, None) is None
    assert event_type_of_entry(EntryKind.MESSAGE, 7) is EventType.MESSAGE_SENT
    assert event_type_of_entry(EntryKind.MEMBER_REMOVED, 7) is EventType.MEMBER_LEFT
    assert event_type_of_entry(EntryKind.BURNED, 7) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "example.com/hook",
        "http:///nohost",
        "https://u:p@example.com/",
        "http://example.com:99999/",
        "https://example.com/" + "x" * 2000,
    ],
)
def test_url_shapes_refused(url: str) -> None:
    with pytest.raises(TidingsError) as refused:
        check_url_shape(url)
    assert refused.value.code == "webhook_url_refused"
