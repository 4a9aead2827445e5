"""No op tells a hidden person from no one (decision 0011, issue 11).

Every WebSocket op and REST endpoint that takes a user id is called by a member with the id
of someone the organization hides from them and with an id of nobody; the two answers must
be the same (success or error, code, message, details, status, shape), with the id itself
as the only difference. The tables below are checked against the op registry and the
OpenAPI document: an op or endpoint that is in neither the table nor the list of those that
take no user id fails the test until it is listed.

The tree:  Open (viewer, peer) ── Vault [hidden] (hidden, met)
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.raw import RawConnection, raw_connection
from tests.support.server import ServerProcess
from tests.support.social import make_admin
from tests.support.users import Person, register
from tidings.gateway.ops import OPS

# An id of nobody: far above any id the tests create, inside the range ids may take.
MISSING = 2**62


@dataclass
class Scene:
    base_url: str
    admin: Person
    viewer: Person
    peer: Person  # visible to the viewer, in their group and direct chat
    hidden: Person  # in a hidden department below the viewer's
    met: Person  # hidden by the tree too, but in a group with the viewer
    group_id: int
    chat_id: int
    department_id: int
    vault_id: int

    async def rest(self, person: Person, method: str, path: str, body: Any = None) -> Any:
        response = await person.http._http.request(
            method, path, json=body, headers={"Authorization": f"Bearer {person.token}"}
        )
        return response


@pytest.fixture(scope="module")
async def scene(server: ServerProcess, base_url: str) -> AsyncIterator[Scene]:
    names = ["admin", "viewer", "peer", "hidden", "met"]
    people = {name: await register(base_url, name) for name in names}
    admin = people["admin"]
    await make_admin(server, admin)
    tag = uuid.uuid4().hex[:6]
    open_dept = await admin.http.call("POST", "/api/v1/org/departments", {"name": f"Open {tag}"})
    vault = await admin.http.call(
        "POST",
        "/api/v1/org/departments",
        {"name": f"Vault {tag}", "parent_id": open_dept["id"], "hidden": True},
    )
    for name, dept in [
        ("viewer", open_dept),
        ("peer", open_dept),
        ("hidden", vault),
        ("met", vault),
    ]:
        await admin.http.call(
            "PUT", f"/api/v1/org/departments/{dept['id']}/members/{people[name].id}", {}
        )
    viewer = people["viewer"]
    group = await viewer.http.call(
        "POST",
        "/api/v1/conversations",
        {"type": "group", "name": "Team", "member_ids": [people["peer"].id]},
    )
    chat = await viewer.http.call(
        "POST", "/api/v1/conversations", {"type": "direct", "peer_id": people["peer"].id}
    )
    # The admin, who sees everyone, puts the viewer in a group with a hidden person.
    await admin.http.call(
        "POST",
        "/api/v1/conversations",
        {"type": "group", "name": "Mixed", "member_ids": [viewer.id, people["met"].id]},
    )
    yield Scene(
        base_url,
        admin,
        viewer,
        people["peer"],
        people["hidden"],
        people["met"],
        int(group["id"]),
        int(chat["id"]),
        int(open_dept["id"]),
        int(vault["id"]),
    )
    for person in people.values():
        await person.http.close()


Data = Callable[[Scene, int], dict[str, Any]]

# Every WebSocket op that takes a user id, with the data to send (one or more variants).
WS_TABLE: dict[str, list[Data]] = {
    "profile.get": [lambda s, u: {"user_id": u}],
    # Reporting a person one cannot see: "not found", as for nobody (K7).
    "reports.create": [lambda s, u: {"target_type": "user", "user_id": u, "reason": "spam"}],
    "users.lookup": [lambda s, u: {"user_ids": [u]}],
    # Message search by sender (issue 15): only the searcher's conversations are searched.
    "messages.search": [lambda s, u: {"q": "hello", "sender_id": u}],
    "friends.request": [lambda s, u: {"user_id": u, "message": "hi"}],
    "friends.remove": [lambda s, u: {"user_id": u}],
    "contacts.update": [lambda s, u: {"user_id": u, "remark": "r", "tags": ["t"]}],
    "blocks.add": [lambda s, u: {"user_id": u}],
    "blocks.remove": [lambda s, u: {"user_id": u}],
    "presence.subscribe": [lambda s, u: {"user_ids": [u]}],
    "presence.unsubscribe": [lambda s, u: {"user_ids": [u]}],
    "conversation.open_direct": [
        lambda s, u: {"peer_id": u},
        lambda s, u: {"peer_id": u, "via_group_id": s.group_id},
    ],
    "conversation.create_group": [lambda s, u: {"name": "Probe", "member_ids": [u]}],
    "group.invite": [lambda s, u: {"conversation_id": s.group_id, "user_ids": [u]}],
    "group.set_admin": [lambda s, u: {"conversation_id": s.group_id, "user_id": u, "powers": []}],
    "group.transfer": [lambda s, u: {"conversation_id": s.group_id, "user_id": u}],
    "group.mute": [lambda s, u: {"conversation_id": s.group_id, "user_id": u, "seconds": 60}],
    "group.unmute": [lambda s, u: {"conversation_id": s.group_id, "user_id": u}],
    # A host mutes a member of a group call (decision 0078): no such call here, whoever it is.
    "call.mute_member": [lambda s, u: {"call_id": s.group_id, "user_id": u}],
    "group.remove": [lambda s, u: {"conversation_id": s.group_id, "user_id": u, "blacklist": True}],
    "group.blacklist.add": [lambda s, u: {"conversation_id": s.group_id, "user_ids": [u]}],
    "group.blacklist.remove": [lambda s, u: {"conversation_id": s.group_id, "user_ids": [u]}],
    # Server admins only (and they see everyone): a member is refused alike.
    "group.assign": [lambda s, u: {"conversation_id": s.group_id, "user_ids": [u]}],
    "org.member.set": [lambda s, u: {"department_id": s.department_id, "user_id": u}],
    "org.member.remove": [lambda s, u: {"department_id": s.department_id, "user_id": u}],
    # Message bodies naming people: a contact card, mentions.
    "send": [
        lambda s, u: {
            "conversation_id": s.chat_id,
            "client_msg_id": f"card-{u}",
            "type": "contact_card",
            "body": {"user_id": u},
        },
        lambda s, u: {
            "conversation_id": s.group_id,
            "client_msg_id": f"mention-{u}",
            "type": "text",
            "body": {"text": "hello", "mentions": [u]},
        },
    ],
}

# Ops that take no user id (``after_user_id`` is a paging cursor, not a person).
WS_NO_USER_ID = set(
    [
        # Calls (decision 0074): a call is named by its id or its direct chat; who is called
        # is the chat's other member, and someone else's call is not_found (test_calls.py).
        "call.start",
        "call.accept",
        "call.decline",
        "call.hangup",
        "call.signal",
        "call.media",
        "call.get",
        "call.current",
        "call.ice_servers",
        # Group calls (decision 0078): named by the call or the group; members only.
        "call.join",
        "call.leave",
        "call.live",
        "call.publish",
        # Settings kept on the server and Web Push (issue 12): the caller's own. Starred
        # contacts are ids the server stores without looking them up (nothing to learn).
        "settings.get",
        "settings.update",
        "push.config",
        "push.subscribe",
        "push.unsubscribe",
        # The caller's own account security.
        "me.security",
        "me.change_password",
        "me.email.bind",
        "me.email.verify",
        "me.email.unbind",
        "me.phone.bind",
        "me.phone.verify",
        "me.phone.unbind",
        "me.totp.start",
        "me.totp.confirm",
        "me.totp.disable",
        "me.totp.recovery_codes",
        # A customer-service visitor's own chat (decision 0066).
        "service.chat",
        "service.page",
        # Agents (agent_id names an agent: whoever is no agent is refused either way).
        "service.queue",
        "service.agents",
        "service.details",
        "service.take",
        "service.transfer",
        "service.close",
        "forward",  # target_ids are conversations
        "recall",
        "delete",
        "clear",
        "history",
        "sync",
        "ack",
        "read",
        "read_state",
        "typing",
        "conversations.list",
        "conversation.get",
        "conversation.members",
        "conversation.settings",
        "group.leave",
        "sessions.list",
        "sessions.sign_out",
        "logout",
        "profile.update",
        "contacts.search",
        "friends.requests",
        "friends.accept",
        "friends.reject",
        "friends.ignore",
        "friends.list",
        "contact_groups.create",
        "contact_groups.rename",
        "contact_groups.move",
        "contact_groups.delete",
        "blocks.list",
        "invites.create",
        "invites.list",
        "invites.get",
        "invites.accept",
        "invites.revoke",
        "invites.qr",
        "contacts.import",
        "org.tree",
        "org.department",  # after_user_id: a cursor
        "org.search",
        "org.department.create",
        "org.department.update",
        "org.department.delete",
        "org.collaborate",
        "org.company",
        "org.import",
        "org.export",
        "users.import",
        "group.info",
        "group.find",
        "group.members",  # after_user_id: a cursor
        "group.update",
        "group.disband",
        "group.blacklist",
        "group.join",
        "group.join_requests",
        "group.decide_join",
        "group.moderation_queue",
        "group.moderate",
        "group.announcements",
        "group.announcement.post",
        "group.announcement.edit",
        "group.announcement.read",
        "group.announcement.reads",
        "group.mark",
        "group.board",
        "group.view_mode",
        "files.info",
        "files.link",
        "conversation.files",
        "favorites.files",
        "favorites.add",
        "favorites.remove",
        "storage.usage",
        # Issue 12: favourites of messages, stickers, burn after reading, the map's tiles,
        # the caller's own privacy and chat lock (target_ids of favorites.send: conversations).
        "favorites.add_message",
        "favorites.list",
        "favorites.remove_message",
        "favorites.send",
        "stickers.add",
        "stickers.list",
        "stickers.remove",
        "burn.mode",
        "burn.set_mode",
        "burn.open",
        "map.config",
        "me.privacy.get",
        "me.privacy.update",
        "me.lock.get",
        "me.lock.set",
        "me.lock.verify",
    ]
)

Call = Callable[[Scene, int], tuple[str, Any]]

# Every REST endpoint that takes a user id (by its OpenAPI path): (path, body) variants.
REST_TABLE: dict[str, list[Call]] = {
    # Only agents transfer, and only to agents: the viewer is refused either way.
    "POST /api/v1/service/chats/{conversation_id}/transfer": [
        lambda s, u: (f"/api/v1/service/chats/{s.chat_id}/transfer", {"agent_id": u})
    ],
    "GET /api/v1/users/{user_id}": [lambda s, u: (f"/api/v1/users/{u}", None)],
    "POST /api/v1/reports": [
        lambda s, u: ("/api/v1/reports", {"target_type": "user", "user_id": u, "reason": "spam"})
    ],
    "POST /api/v1/users/lookup": [lambda s, u: ("/api/v1/users/lookup", {"user_ids": [u]})],
    "GET /api/v1/search/messages": [
        lambda s, u: (f"/api/v1/search/messages?q=hello&sender_id={u}", None)
    ],
    "POST /api/v1/friend-requests": [
        lambda s, u: ("/api/v1/friend-requests", {"user_id": u, "message": "hi"})
    ],
    "PATCH /api/v1/friends/{user_id}": [lambda s, u: (f"/api/v1/friends/{u}", {"remark": "r"})],
    "DELETE /api/v1/friends/{user_id}": [lambda s, u: (f"/api/v1/friends/{u}", None)],
    "PUT /api/v1/blocks/{user_id}": [lambda s, u: (f"/api/v1/blocks/{u}", None)],
    "DELETE /api/v1/blocks/{user_id}": [lambda s, u: (f"/api/v1/blocks/{u}", None)],
    "POST /api/v1/conversations": [
        lambda s, u: ("/api/v1/conversations", {"type": "direct", "peer_id": u}),
        lambda s, u: (
            "/api/v1/conversations",
            {"type": "direct", "peer_id": u, "via_group_id": s.group_id},
        ),
        lambda s, u: ("/api/v1/conversations", {"type": "group", "name": "P", "member_ids": [u]}),
    ],
    "POST /api/v1/conversations/{conversation_id}/members": [
        lambda s, u: (f"/api/v1/conversations/{s.group_id}/members", {"user_ids": [u]})
    ],
    "POST /api/v1/conversations/{conversation_id}/messages": [
        lambda s, u: (
            f"/api/v1/conversations/{s.chat_id}/messages",
            {"client_msg_id": f"rcard-{u}", "type": "contact_card", "body": {"user_id": u}},
        ),
        lambda s, u: (
            f"/api/v1/conversations/{s.group_id}/messages",
            {
                "client_msg_id": f"rmention-{u}",
                "type": "text",
                "body": {"text": "hi", "mentions": [u]},
            },
        ),
    ],
    "PUT /api/v1/groups/{conversation_id}/admins/{user_id}": [
        lambda s, u: (f"/api/v1/groups/{s.group_id}/admins/{u}", {"powers": []})
    ],
    "POST /api/v1/groups/{conversation_id}/transfer/{user_id}": [
        lambda s, u: (f"/api/v1/groups/{s.group_id}/transfer/{u}", None)
    ],
    "PUT /api/v1/groups/{conversation_id}/mutes/{user_id}": [
        lambda s, u: (f"/api/v1/groups/{s.group_id}/mutes/{u}", {"seconds": 60})
    ],
    "DELETE /api/v1/groups/{conversation_id}/mutes/{user_id}": [
        lambda s, u: (f"/api/v1/groups/{s.group_id}/mutes/{u}", None)
    ],
    "POST /api/v1/groups/{conversation_id}/members/{user_id}/remove": [
        lambda s, u: (f"/api/v1/groups/{s.group_id}/members/{u}/remove", {"blacklist": True})
    ],
    "POST /api/v1/groups/{conversation_id}/blacklist": [
        lambda s, u: (f"/api/v1/groups/{s.group_id}/blacklist", {"user_ids": [u]})
    ],
    "POST /api/v1/groups/{conversation_id}/blacklist/remove": [
        lambda s, u: (f"/api/v1/groups/{s.group_id}/blacklist/remove", {"user_ids": [u]})
    ],
    "POST /api/v1/groups/{conversation_id}/assign": [
        lambda s, u: (f"/api/v1/groups/{s.group_id}/assign", {"user_ids": [u]})
    ],
    "PUT /api/v1/org/departments/{department_id}/members/{user_id}": [
        lambda s, u: (f"/api/v1/org/departments/{s.department_id}/members/{u}", {})
    ],
    "DELETE /api/v1/org/departments/{department_id}/members/{user_id}": [
        lambda s, u: (f"/api/v1/org/departments/{s.department_id}/members/{u}", None)
    ],
}

# Endpoints that take no user id (``after_user_id`` of group members: a paging cursor).
REST_NO_USER_ID = {
    # Calls (decision 0074): the caller's own STUN/TURN servers and credentials.
    "GET /api/v1/calls/ice-servers",
    # Workbench apps (J6): the caller's own list and tickets.
    "GET /api/v1/workbench/apps",
    "POST /api/v1/workbench/apps/{workbench_app_id}/tickets",
    # Issue 12: favourites of messages and burn after reading.
    "GET /api/v1/favorites",
    "POST /api/v1/favorites",
    "DELETE /api/v1/favorites/{favorite_id}",
    "POST /api/v1/favorites/{favorite_id}/send",
    "GET /api/v1/conversations/{conversation_id}/burn-mode",
    "PUT /api/v1/conversations/{conversation_id}/burn-mode",
    "POST /api/v1/conversations/{conversation_id}/messages/{seq}/burn-open",
    # Account security and registration (the caller's own account, or none yet).
    "GET /api/v1/auth/options",
    "POST /api/v1/auth/codes",
    "POST /api/v1/auth/login/code",
    "POST /api/v1/auth/login/verify",
    "POST /api/v1/auth/login/resend",
    "POST /api/v1/auth/password/reset",
    # Single sign-on with OpenID Connect (decision 0064): the provider names the person.
    "GET /api/v1/auth/oidc/start",
    "GET /api/v1/auth/oidc/callback",
    "POST /api/v1/auth/oidc/finish",
    "GET /api/v1/me/security",
    "POST /api/v1/me/password",
    "POST /api/v1/me/email",
    "POST /api/v1/me/email/verify",
    "DELETE /api/v1/me/email",
    "POST /api/v1/me/phone",
    "POST /api/v1/me/phone/verify",
    "DELETE /api/v1/me/phone",
    "POST /api/v1/me/totp",
    "POST /api/v1/me/totp/confirm",
    "POST /api/v1/me/totp/recovery-codes",
    "DELETE /api/v1/me/totp",
    # Customer service (decision 0066): visitors have no id yet; agents name chats.
    "POST /api/v1/service/visitors",
    "POST /api/v1/service/visitors/identified",
    "GET /api/v1/service/queue",
    "GET /api/v1/service/agents",
    "GET /api/v1/service/chats/{conversation_id}",
    "POST /api/v1/service/chats/{conversation_id}/take",
    "POST /api/v1/service/chats/{conversation_id}/close",
    # Site settings before sign-in (decision 0057): no person in them.
    "GET /api/v1/public/settings",
    "GET /api/v1/public/branding/{file_id}",
    "POST /api/v1/auth/register",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/device-login",
    "POST /api/v1/auth/sso",
    "POST /api/v1/auth/logout",
    "GET /api/v1/sessions",
    "DELETE /api/v1/sessions/{session_id}",
    "GET /api/v1/me",
    "PATCH /api/v1/me",
    "GET /api/v1/users",
    "GET /api/v1/friend-requests",
    "POST /api/v1/friend-requests/{request_id}/{decision}",
    "GET /api/v1/friends",
    "POST /api/v1/contact-groups",
    "PATCH /api/v1/contact-groups/{group_id}",
    "POST /api/v1/contact-groups/{group_id}/move",
    "DELETE /api/v1/contact-groups/{group_id}",
    "GET /api/v1/blocks",
    "POST /api/v1/contacts/import",
    "POST /api/v1/invites",
    "GET /api/v1/invites",
    "GET /api/v1/invites/{code}",
    "POST /api/v1/invites/{code}/accept",
    "DELETE /api/v1/invites/{code}",
    "GET /api/v1/invites/{code}/qr.{kind}",
    "GET /api/v1/conversations",
    "GET /api/v1/conversations/{conversation_id}",
    "GET /api/v1/conversations/{conversation_id}/members",
    "DELETE /api/v1/conversations/{conversation_id}/members/me",
    "PATCH /api/v1/conversations/{conversation_id}/settings",
    "GET /api/v1/conversations/{conversation_id}/messages",
    "POST /api/v1/conversations/{conversation_id}/forward",
    "POST /api/v1/conversations/{conversation_id}/messages/{seq}/recall",
    "POST /api/v1/conversations/{conversation_id}/delete",
    "POST /api/v1/conversations/{conversation_id}/clear",
    "POST /api/v1/conversations/{conversation_id}/read",
    "POST /api/v1/conversations/{conversation_id}/delivered",
    "GET /api/v1/conversations/{conversation_id}/messages/{seq}/read-state",
    "POST /api/v1/sync",
    "GET /api/v1/files/{file_id}",
    "POST /api/v1/files/{file_id}/links",
    "GET /api/v1/storage",
    "GET /api/v1/conversations/{conversation_id}/files",
    "GET /api/v1/favorites/files",
    "PUT /api/v1/favorites/files/{file_id}",
    "DELETE /api/v1/favorites/files/{file_id}",
    "GET /api/v1/groups/by-number/{number}",
    "GET /api/v1/groups/{conversation_id}",
    "PATCH /api/v1/groups/{conversation_id}",
    "GET /api/v1/groups/{conversation_id}/members",
    "POST /api/v1/groups/{conversation_id}/disband",
    "GET /api/v1/groups/{conversation_id}/blacklist",
    "POST /api/v1/groups/{conversation_id}/join",
    "GET /api/v1/groups/{conversation_id}/join-requests",
    "POST /api/v1/join-requests/{request_id}/approve",
    "POST /api/v1/join-requests/{request_id}/reject",
    "GET /api/v1/groups/{conversation_id}/moderation",
    "POST /api/v1/moderation/{pending_id}/approve",
    "POST /api/v1/moderation/{pending_id}/reject",
    "GET /api/v1/groups/{conversation_id}/announcements",
    "POST /api/v1/groups/{conversation_id}/announcements",
    "PATCH /api/v1/announcements/{announcement_id}",
    "POST /api/v1/announcements/{announcement_id}/read",
    "GET /api/v1/announcements/{announcement_id}/reads",
    "POST /api/v1/groups/{conversation_id}/messages/{seq}/mark",
    "GET /api/v1/groups/{conversation_id}/board",
    "PUT /api/v1/groups/{conversation_id}/view-mode",
    "GET /api/v1/org",
    "GET /api/v1/org/search",
    "GET /api/v1/org/departments/{department_id}",
    "POST /api/v1/org/departments",
    "PATCH /api/v1/org/departments/{department_id}",
    "DELETE /api/v1/org/departments/{department_id}",
    "POST /api/v1/org/collaborations",
    "PUT /api/v1/org/company",
    "POST /api/v1/org/import",
    "GET /api/v1/org/export",
}

# Field names that name people; a cursor (``after_user_id``) does not.
CURSORS = {"after_user_id"}


def _names_people(field: str) -> bool:
    return field not in CURSORS and (
        "user" in field or field in {"peer_id", "member_ids", "mentions"}
    )


def _same_up_to(value: Any, user_id: int) -> Any:
    """The answer with ``user_id`` (as a number, a key or inside a path) put as ``<user>``."""
    if isinstance(value, dict):
        return {_same_up_to(k, user_id): _same_up_to(v, user_id) for k, v in value.items()}
    if isinstance(value, list):
        return [_same_up_to(v, user_id) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value == user_id:
        return "<user>"
    if isinstance(value, str) and (value == str(user_id) or value.endswith(f"-{user_id}")):
        return value.replace(str(user_id), "<user>")
    return value


async def _ws_answer(raw: RawConnection, op: str, data: dict[str, Any], user_id: int) -> Any:
    reply = await raw.request(op, data)
    reply.pop("id")
    return _same_up_to(reply, user_id)


async def _rest_answer(scene: Scene, method: str, call: Call, user_id: int) -> Any:
    path, body = call(scene, user_id)
    response = await scene.rest(scene.viewer, method, path, body)
    content = response.json() if response.content else None
    return _same_up_to({"status": response.status_code, "body": content}, user_id)


def test_every_op_taking_a_user_id_is_in_the_table() -> None:
    """A new op must be listed: in the table if it takes a user id, else in the other list."""
    assert not set(WS_TABLE) & set(WS_NO_USER_ID)
    unlisted = set(OPS) - set(WS_TABLE) - set(WS_NO_USER_ID)
    assert not unlisted, f"list these ops in WS_TABLE or WS_NO_USER_ID: {sorted(unlisted)}"
    assert not (set(WS_TABLE) | set(WS_NO_USER_ID)) - set(OPS), "listed ops that do not exist"
    for op in WS_NO_USER_ID:
        model, _ = OPS[op]
        people = [f for f in model.model_fields if _names_people(f)]
        assert not people, f"{op} takes {people}: it belongs in WS_TABLE"


async def test_every_endpoint_taking_a_user_id_is_in_the_table(scene: Scene) -> None:
    async with httpx.AsyncClient(base_url=scene.base_url) as http:
        spec = (await http.get("/openapi.json")).json()
    schemas = spec.get("components", {}).get("schemas", {})
    endpoints: dict[str, dict[str, Any]] = {
        f"{method.upper()} {path}": operation
        for path, methods in spec["paths"].items()
        # Admin endpoints refuse whoever lacks their power before any id is looked at
        # (403 forbidden, whatever the id): tests/test_admin_permissions.py checks them all.
        # Apps act for the organization, not as a member who sees some of it: their
        # endpoints are guarded by scopes (tests/test_apps.py and the app API's tests).
        if path.startswith("/api/v1/")
        and not path.startswith(("/api/v1/admin/", "/api/v1/app/", "/api/v1/oauth/"))
        for method, operation in methods.items()
    }
    assert not set(REST_TABLE) & REST_NO_USER_ID
    unlisted = set(endpoints) - set(REST_TABLE) - REST_NO_USER_ID
    assert not unlisted, f"list these in REST_TABLE or REST_NO_USER_ID: {sorted(unlisted)}"
    assert not (set(REST_TABLE) | REST_NO_USER_ID) - set(endpoints), "listed unknown endpoints"
    for name in REST_NO_USER_ID:
        operation = endpoints[name]
        fields = [p["name"] for p in operation.get("parameters", [])]
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        ref = body.get("schema", {}).get("$ref", "")
        if ref:
            fields += list(schemas[ref.rsplit("/", 1)[1]].get("properties", {}))
        people = [f for f in fields if _names_people(f)]
        assert not people, f"{name} takes {people}: it belongs in REST_TABLE"


async def test_a_hidden_person_is_answered_as_a_missing_one(scene: Scene) -> None:
    """Over every op and endpoint of the tables: the same answer for a hidden id and an id
    of nobody, and nothing done for the hidden one that shows later."""
    hidden = scene.hidden.id
    mismatches: list[str] = []
    # The hidden person is online: a presence answer must not show it.
    async with (
        raw_connection(scene.base_url, scene.hidden.token),
        raw_connection(scene.base_url, scene.viewer.token) as viewer,
    ):
        for op, variants in WS_TABLE.items():
            for number, data in enumerate(variants):
                answers = [
                    await _ws_answer(viewer, op, data(scene, target), target)
                    for target in (hidden, MISSING)
                ]
                if answers[0] != answers[1]:
                    mismatches.append(f"{op} #{number}: hidden {answers[0]} missing {answers[1]}")
        for name, calls in REST_TABLE.items():
            method = name.split(" ", 1)[0]
            for number, call in enumerate(calls):
                answers = [
                    await _rest_answer(scene, method, call, target) for target in (hidden, MISSING)
                ]
                if answers[0] != answers[1]:
                    mismatches.append(f"{name} #{number}: hidden {answers[0]} missing {answers[1]}")
        # Nothing tried above left a trace that shows the hidden person: not even a block
        # that nothing took back.
        await viewer.request("blocks.add", {"user_id": hidden})
        assert (await viewer.ok("blocks.list"))["blocked"] == []
        blacklist = await viewer.ok("group.blacklist", {"conversation_id": scene.group_id})
        assert blacklist["blacklist"] == []
        # Were the hidden person watched, their coming online again would be pushed.
        async with raw_connection(scene.base_url, scene.hidden.token):
            await viewer.ok("ping")
            await asyncio.sleep(0.3)
            await viewer.ok("ping")
        presence = [p for p in viewer.pushes if p["push"] == "presence"]
        assert presence == [], presence
    assert not mismatches, "\n".join(mismatches)


async def test_people_met_in_a_conversation_stay_known(scene: Scene) -> None:
    """The tree hides ``met`` from the viewer, but they share a group: the viewer may watch
    their presence, block them and read their profile."""
    met = scene.met.id
    async with (
        raw_connection(scene.base_url, scene.met.token),
        raw_connection(scene.base_url, scene.viewer.token) as viewer,
    ):
        presence = await viewer.ok("presence.subscribe", {"user_ids": [met]})
        assert presence == {"presence": {str(met): True}}
        assert await viewer.ok("blocks.add", {"user_id": met}) == {"user_id": met, "blocked": True}
        assert [c["id"] for c in (await viewer.ok("blocks.list"))["blocked"]] == [met]
        assert await viewer.ok("blocks.remove", {"user_id": met}) == {
            "user_id": met,
            "blocked": False,
        }
        # Their card shows (one sees one's chat partners); the tree's departments do not.
        profile = await viewer.ok("profile.get", {"user_id": met})
        assert profile["id"] == met and profile["departments"] == []


async def test_a_hidden_person_who_asks_to_be_friends_is_known(scene: Scene) -> None:
    """Someone hidden who sends the viewer a friend request (they see the viewer: a member
    of an ancestor department) shows in the request; the viewer may block them."""
    asker = await register(scene.base_url, "asker")
    try:
        await scene.admin.http.call(
            "PUT", f"/api/v1/org/departments/{scene.vault_id}/members/{asker.id}", {}
        )
        async with raw_connection(scene.base_url, scene.viewer.token) as viewer:
            assert await viewer.error("blocks.add", {"user_id": asker.id}) == "not_found"
            await asker.http.call(
                "POST", "/api/v1/friend-requests", {"user_id": scene.viewer.id, "message": "hi"}
            )
            incoming = (await viewer.ok("friends.requests"))["incoming"]
            assert [r["from_user"]["id"] for r in incoming] == [asker.id]
            assert (await viewer.ok("blocks.add", {"user_id": asker.id}))["blocked"] is True
    finally:
        await asker.http.close()
