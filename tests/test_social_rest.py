"""The REST twins of the contacts, organization and group ops: every endpoint of
api/contacts.py, api/organization.py and api/groups.py answers through the same actions as
its WebSocket op (the flows themselves are tested over WebSocket elsewhere)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.server import ServerProcess
from tests.support.social import make_admin
from tests.support.users import Person


@pytest.fixture(scope="module")
def server(shared_server: ServerProcess) -> ServerProcess:
    return shared_server


async def _call(person: Person, method: str, path: str, body: Any = None, **query: Any) -> Any:
    return await person.http.call(method, "/api/v1" + path, body, **query)


async def test_contacts_over_rest(alice: Person, bob: Person, carol: Person) -> None:
    found = await _call(alice, "GET", "/users", q=bob.account)
    assert [u["id"] for u in found["users"]] == [bob.id]
    sent = await _call(alice, "POST", "/friend-requests", {"user_id": bob.id, "message": "hi"})
    assert (await _call(bob, "GET", "/friend-requests"))["pending_count"] == 1
    await _call(bob, "POST", f"/friend-requests/{sent['request_id']}/accept")
    ignored = await _call(carol, "POST", "/friend-requests", {"user_id": alice.id})
    await _call(alice, "POST", f"/friend-requests/{ignored['request_id']}/ignore")

    top = await _call(alice, "POST", "/contact-groups", {"name": "Work"})
    sub = await _call(alice, "POST", "/contact-groups", {"name": "Ops"})
    await _call(alice, "PATCH", f"/contact-groups/{sub['id']}", {"name": "Operations"})
    await _call(alice, "POST", f"/contact-groups/{sub['id']}/move", {"parent_id": top["id"]})
    notes = await _call(
        alice, "PATCH", f"/friends/{bob.id}", {"remark": "B", "contact_group_id": sub["id"]}
    )
    assert notes["contact_group_id"] == sub["id"]
    deleted = await _call(alice, "DELETE", f"/contact-groups/{sub['id']}")
    assert deleted["moved"] == {"from": sub["id"], "to": top["id"]}
    friends = await _call(alice, "GET", "/friends")
    assert [(f["user_id"], f["contact_group_id"]) for f in friends["friends"]] == [
        (bob.id, top["id"])
    ]
    assert (await _call(alice, "GET", f"/users/{bob.id}"))["contact"]["remark"] == "B"

    assert (await _call(alice, "PUT", f"/blocks/{carol.id}"))["blocked"] is True
    assert [u["id"] for u in (await _call(alice, "GET", "/blocks"))["blocked"]] == [carol.id]
    await _call(alice, "DELETE", f"/blocks/{carol.id}")
    await _call(alice, "DELETE", f"/friends/{bob.id}")
    assert (await _call(alice, "GET", "/friends"))["friends"] == []

    invite = await _call(alice, "POST", "/invites", {"kind": "friend", "expires_in_seconds": 600})
    assert (await _call(carol, "GET", f"/invites/{invite['code']}"))["inviter"]["id"] == alice.id
    assert (await _call(carol, "POST", f"/invites/{invite['code']}/accept", {}))["kind"] == "friend"
    assert [i["code"] for i in (await _call(alice, "GET", "/invites"))["invites"]] == [
        invite["code"]
    ]
    await _call(alice, "DELETE", f"/invites/{invite['code']}")
    imported = await alice.http._http.post(
        "/api/v1/contacts/import",
        params={"format": "csv"},
        content=f"account,remark\n{bob.account},Bobby\n".encode(),
        headers={"Authorization": f"Bearer {alice.token}"},
    )
    assert imported.json()["rows"][0]["status"] == "requested"


async def test_organization_over_rest(server: ServerProcess, alice: Person, bob: Person) -> None:
    await make_admin(server, alice)
    await _call(alice, "PUT", "/org/company", {"name": "Rest Corp"})
    root = await _call(alice, "POST", "/org/departments", {"name": "Rest HQ"})
    child = await _call(
        alice, "POST", "/org/departments", {"name": "Rest team", "parent_id": root["id"]}
    )
    other = await _call(alice, "POST", "/org/departments", {"name": "Rest partners"})
    await _call(alice, "PATCH", f"/org/departments/{child['id']}", {"sort_order": 3})
    await _call(
        alice, "PUT", f"/org/departments/{child['id']}/members/{bob.id}", {"position": "Dev"}
    )
    await _call(
        alice,
        "POST",
        "/org/collaborations",
        {"department_id": child["id"], "partner_id": other["id"]},
    )
    tree = await _call(bob, "GET", "/org")
    assert tree["company"] == "Rest Corp"
    assert {"Rest HQ", "Rest team", "Rest partners"} <= {d["name"] for d in tree["departments"]}
    page = await _call(bob, "GET", f"/org/departments/{child['id']}")
    assert page["members"][0]["position"] == "Dev" and page["path"] == "Rest HQ/Rest team"
    assert (await _call(bob, "GET", "/org/search", q="Rest team"))["departments"][0]["id"] == child[
        "id"
    ]
    await _call(alice, "DELETE", f"/org/departments/{child['id']}/members/{bob.id}")
    await _call(alice, "DELETE", f"/org/departments/{other['id']}")


async def test_groups_over_rest(alice: Person, bob: Person, carol: Person) -> None:
    group = (
        await _call(
            alice, "POST", "/conversations", {"type": "group", "name": "R", "member_ids": [bob.id]}
        )
    )["id"]
    g = f"/groups/{group}"
    info = await _call(alice, "PATCH", g, {"intro": "Rest", "join_mode": "approval"})
    assert (await _call(carol, "GET", f"/groups/by-number/{info['number']}"))["id"] == group
    assert (await _call(bob, "GET", g))["intro"] == "Rest"
    assert len((await _call(alice, "GET", g + "/members", limit=1))["members"]) == 1
    await _call(alice, "PUT", f"{g}/admins/{bob.id}", {"powers": ["mute", "moderate"]})
    asked = await _call(carol, "POST", g + "/join", {"message": "hello"})
    assert (await _call(alice, "GET", g + "/join-requests"))["requests"][0]["user_id"] == carol.id
    await _call(alice, "POST", f"/join-requests/{asked['request']['id']}/approve")
    await _call(bob, "PUT", f"{g}/mutes/{carol.id}", {"seconds": 60})
    await _call(bob, "DELETE", f"{g}/mutes/{carol.id}")
    posted = await _call(alice, "POST", g + "/announcements", {"text": "Hi all"})
    await _call(alice, "PATCH", f"/announcements/{posted['id']}", {"pinned": True})
    await _call(carol, "POST", f"/announcements/{posted['id']}/read")
    assert (await _call(alice, "GET", f"/announcements/{posted['id']}/reads"))["read_by"] == [
        carol.id
    ]
    assert (await _call(carol, "GET", g + "/announcements"))["announcements"][0]["pinned"]
    said = await _call(
        carol,
        "POST",
        f"/conversations/{group}/messages",
        {"client_msg_id": "rest-1", "type": "text", "body": {"text": "mark me"}},
    )
    await _call(alice, "POST", f"{g}/messages/{said['seq']}/mark", {"important": True})
    assert (await _call(carol, "GET", g + "/board"))["items"][0]["entry"]["seq"] == said["seq"]
    await _call(carol, "PUT", g + "/view-mode", {"view_mode": "do_not_disturb"})

    await _call(alice, "PATCH", g, {"moderation": True})
    queued = await carol.http._http.post(
        f"/api/v1/conversations/{group}/messages",
        json={"client_msg_id": "rest-2", "type": "text", "body": {"text": "wait"}},
        headers={"Authorization": f"Bearer {carol.token}"},
    )
    assert queued.status_code == 409 and queued.json()["error"]["code"] == "pending_moderation"
    pending = (await _call(bob, "GET", g + "/moderation"))["pending"]
    await _call(bob, "POST", f"/moderation/{pending[0]['id']}/approve")

    await _call(alice, "POST", f"{g}/members/{carol.id}/remove", {"blacklist": True})
    assert [b["user_id"] for b in (await _call(alice, "GET", g + "/blacklist"))["blacklist"]] == [
        carol.id
    ]
    await _call(alice, "POST", g + "/blacklist/remove", {"user_ids": [carol.id]})
    await _call(alice, "POST", g + "/blacklist", {"user_ids": [carol.id]})
    await _call(alice, "POST", f"{g}/transfer/{bob.id}")
    await _call(bob, "POST", g + "/disband")
    assert (await _call(alice, "GET", g))["disbanded"] is True
