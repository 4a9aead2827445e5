"""Demo accounts and conversations, so a newcomer can sign in and chat at once."""

from __future__ import annotations

from tidings.actions.context import Actor
from tidings.container import Container
from tidings.domain.errors import ErrorCode, TidingsError

DEMO_PASSWORD = "tidings-demo"
DEMO_USERS = (
    ("alice", "Alice Zhang"),
    ("bob", "Bob Li"),
    ("carol", "Carol Wang"),
)


async def seed_demo(container: Container) -> list[str]:
    """Create the demo users, a direct chat and a group; do nothing if they exist."""
    actors: list[Actor] = []
    for account, nickname in DEMO_USERS:
        # Made as an admin makes accounts, whatever TIDINGS_REGISTRATION says; the demo
        # password passes the password policy, so signing in works as for anyone.
        try:
            await container.accounts.do_create_user(
                account=account, password=DEMO_PASSWORD, nickname=nickname
            )
        except TidingsError as error:
            if error.code is ErrorCode.ACCOUNT_TAKEN:
                return [f"demo accounts exist: {', '.join(a for a, _ in DEMO_USERS)}"]
            raise
        signed_in = await container.accounts.do_login(account=account, password=DEMO_PASSWORD)
        actors.append(Actor(signed_in.user.id, signed_in.session.id))
        await container.accounts.do_logout(actors[-1])
    alice, bob, carol = actors
    direct = await container.conversations.do_open_direct(alice, bob.user_id)
    group = await container.conversations.do_create_group(
        alice, "Tidings team", [bob.user_id, carol.user_id]
    )
    script = [
        (alice, direct["id"], "Hi Bob! Welcome to Tidings."),
        (bob, direct["id"], "Thanks Alice, this looks great 👍"),
        (alice, group["id"], "Hello team, this is our group chat."),
        (carol, group["id"], "你好！中文也没问题。"),
    ]
    for index, (actor, conversation_id, text) in enumerate(script):
        await container.messages.do_send(
            actor,
            conversation_id=conversation_id,
            client_msg_id=f"demo-{index}",
            type="text",
            body={"text": text},
        )
    return [
        f"demo accounts: {', '.join(a for a, _ in DEMO_USERS)} (password: {DEMO_PASSWORD})",
    ]
