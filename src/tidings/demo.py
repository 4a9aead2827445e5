"""Demo accounts and conversations, so a newcomer can sign in and chat at once."""

from __future__ import annotations

from tidings.actions.context import Actor
from tidings.container import Container
from tidings.domain.clock import now_ms
from tidings.domain.errors import ErrorCode, TidingsError
from tidings.store.organization import Placement

DEMO_PASSWORD = "tidings-demo"
DEMO_USERS = (
    ("alice", "Alice Zhang"),
    ("bob", "Bob Li"),
    ("carol", "Carol Wang"),
)
DEMO_COMPANY = "Tidings Demo Co."
# (department, parent, [(user index in DEMO_USERS, position)]). Engineering and Design are
# siblings that do not work together, so the tree hides Carol from Alice and Bob (and them
# from her): the organization tab shows each their own part, and their group chat shows
# that one always sees one's chat partners anyway (decision 0011).
DEMO_DEPARTMENTS: tuple[tuple[str, str | None, tuple[tuple[int, str], ...]], ...] = (
    ("Engineering", None, ((0, "Head of Engineering"),)),
    ("Platform", "Engineering", ((1, "Backend engineer"),)),
    ("Design", None, ((2, "Product designer"),)),
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
    # Placed after the group is made, as a company that brings in its tree later would be:
    # Alice could not invite Carol, whom the tree then hides from her.
    await _seed_organization(container, [a.user_id for a in actors])
    for index, (actor, conversation_id, text) in enumerate(script):
        await container.messages.do_send(
            actor,
            conversation_id=conversation_id,
            client_msg_id=f"demo-{index}",
            type="text",
            body={"text": text},
        )
    return [
        f"demo organization: {DEMO_COMPANY} ({', '.join(d for d, _, _ in DEMO_DEPARTMENTS)})",
        f"demo accounts: {', '.join(a for a, _ in DEMO_USERS)} (password: {DEMO_PASSWORD})",
    ]


async def _seed_organization(container: Container, user_ids: list[int]) -> None:
    """A small company: its departments, and the demo users placed in them with positions.
    Written as the store writes an admin's changes, then the directory reloads the tree."""
    org = container.org_store
    before = await container.org_cache.tree()
    ids: dict[str, int] = {}
    for name, parent, _ in DEMO_DEPARTMENTS:  # parents come first
        parent_id = ids[parent] if parent is not None else None
        first = not ids
        _, created, _ = await org.change(
            company=DEMO_COMPANY if first else None,
            create=[(name, parent_id, False)],
            now=now_ms(),
        )
        ids[name] = created[0]
    names = {ids[name]: name for name in ids}
    placements = [
        Placement(ids[name], user_ids[index], position)
        for name, _, people in DEMO_DEPARTMENTS
        for index, position in people
    ]
    departments_of = {
        p.user_id: [{"id": p.department_id, "name": names[p.department_id], "position": p.position}]
        for p in placements
    }
    await org.change(place=placements, departments_of=departments_of, now=now_ms())
    await container.directory.changed(before, set(user_ids))
