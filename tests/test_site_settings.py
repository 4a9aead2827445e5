"""Site settings (K4, I10; decision 0057) against a real server, on SQLite and PostgreSQL:
the public endpoint and its ETag, validation, every module enforced with
``feature_disabled``, the limits that became settings, the brand's images, the live push to
connected clients, and one audit entry per change."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.admin import audit_since, last_audit_id
from tests.support.files import auth, create, error_code, jpeg, uploaded
from tests.support.server import ServerProcess
from tests.support.social import http_refused, make_admin, refused
from tests.support.users import Person, register
from tests.support.waiting import eventually
from tidings.sdk import ServerError, SiteSettingsChanged, TidingsClient

PATH = "/api/v1/admin/settings"
SECTIONS = ("modules", "buttons", "limits", "branding", "cors")
F = "f" * 22  # a well-formed file id: refused before anyone looks the file up


@pytest.fixture(scope="module")
async def admin(server: ServerProcess, base_url: str) -> AsyncIterator[Person]:
    person = await register(base_url, "admin")
    await make_admin(server, person)
    yield person
    await person.http.close()


@pytest.fixture(autouse=True)
async def defaults_after(admin: Person) -> AsyncIterator[None]:
    """The server is shared by the module: every test leaves the settings at their defaults."""
    yield
    current = await admin.http.call("GET", PATH)
    changes = {section: dict.fromkeys(keys) for section, keys in current["changed"].items()}
    if changes:
        await admin.http.call("PATCH", PATH, {"changes": changes})


async def change(admin: Person, **sections: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = await admin.http.call("PATCH", PATH, {"changes": sections})
    return result


@pytest.fixture
async def pair(base_url: str, alice: Person, bob: Person) -> AsyncIterator[tuple[Any, Any, int]]:
    async with alice.client(base_url) as a, bob.client(base_url) as b:
        summary = await a.request("conversation.open_direct", {"peer_id": bob.id})
        yield a, b, int(summary["id"])


async def send_refused(client: TidingsClient, conv: int, type: str, body: dict[str, Any]) -> str:
    try:
        sent = await client.send(conv, type, body)
    except ServerError as error:
        return error.code
    raise AssertionError(f"{type} was sent: {sent}")


# Reading


async def test_anyone_reads_the_public_settings_with_an_etag(base_url: str, admin: Person) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        first = await http.get("/api/v1/public/settings")
        assert first.status_code == 200
        body = first.json()
        assert set(body["settings"]) == set(SECTIONS)
        assert body["settings"]["modules"]["recall"] is True
        assert body["settings"]["branding"]["product_name"] == "Tidings"
        # The limits' defaults are the configured values.
        assert body["settings"]["limits"]["recall_window_seconds"] == 120
        etag = first.headers["etag"]
        again = await http.get("/api/v1/public/settings", headers={"If-None-Match": etag})
        assert again.status_code == 304
        await change(admin, branding={"product_name": "Acme Chat"})
        moved = await http.get("/api/v1/public/settings", headers={"If-None-Match": etag})
        assert moved.status_code == 200
        assert moved.headers["etag"] != etag
        assert moved.json()["settings"]["branding"]["product_name"] == "Acme Chat"


async def test_the_console_sees_what_changed_and_the_defaults(admin: Person) -> None:
    await change(admin, modules={"recall": False}, branding={"brand_colour": "#0A7D52"})
    seen = await admin.http.call("GET", PATH)
    assert seen["changed"] == {"branding": ["brand_colour"], "modules": ["recall"]}
    # Stored normalised (lower case).
    assert seen["settings"]["branding"]["brand_colour"] == "#0a7d52"
    assert seen["defaults"]["limits"]["group_size_limit"] == 10_000
    # null puts a key back to its default.
    back = await change(admin, modules={"recall": None})
    assert back["settings"]["modules"]["recall"] is True
    assert back["changed"] == ["modules.recall"]


async def test_a_plain_user_may_neither_read_nor_change_them(alice: Person) -> None:
    assert await http_refused(alice, "GET", PATH) == "forbidden"
    assert await http_refused(alice, "PATCH", PATH, {"changes": {"modules": {}}}) == "forbidden"
    # Refused before the body is looked at: a plain user learns nothing of its shape.
    assert await http_refused(alice, "PATCH", PATH, {"nonsense": 1}) == "forbidden"


# The audit log


async def test_each_change_writes_one_audit_entry_with_old_and_new_values(
    admin: Person,
) -> None:
    before = await last_audit_id(admin)
    await change(admin, modules={"recall": False}, branding={"product_name": "Acme"})
    entries = await audit_since(admin, before, action="settings.update")
    assert len(entries) == 1
    entry = entries[0]
    assert entry["actor_id"] == admin.id
    assert entry["target_type"] == "settings"
    assert entry["details"]["changes"] == {
        "modules.recall": {"old": True, "new": False},
        "branding.product_name": {"old": "Tidings", "new": "Acme"},
    }


async def test_a_refused_change_writes_no_audit_entry(admin: Person, alice: Person) -> None:
    before = await last_audit_id(admin)
    with pytest.raises(ServerError):
        await change(admin, branding={"brand_colour": "blue"})
    with pytest.raises(ServerError):
        await admin.http.call(
            "PATCH", PATH, {"changes": {"modules": {"recall": False}}, "version": 10**9}
        )
    assert await http_refused(alice, "PATCH", PATH, {"changes": {"modules": {}}}) == "forbidden"
    assert await audit_since(admin, before, action="settings.update") == []


# Bad input


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"branding": {"brand_colour": "red"}}, "branding.brand_colour"),
        ({"branding": {"brand_colour": "#12345g"}}, "branding.brand_colour"),
        ({"branding": {"product_name": ""}}, "branding.product_name"),
        ({"branding": {"product_name": "x" * 41}}, "branding.product_name"),
        ({"branding": {"logo": "https://evil.example/logo.png"}}, "branding.logo"),
        ({"modules": {"teleport": True}}, "modules.teleport"),
        ({"modules": {"recall": "no"}}, "modules.recall"),
        ({"modules": True}, "modules"),
        ({"themes": {"dark": True}}, "themes"),
        ({"limits": {"recall_window_seconds": -1}}, "limits.recall_window_seconds"),
        ({"limits": {"group_size_limit": 1}}, "limits.group_size_limit"),
        ({"limits": {"max_file_bytes": 30 * 1024**3}}, "limits.max_file_bytes"),
    ],
)
async def test_bad_values_are_refused_naming_the_field(
    admin: Person, changes: dict[str, Any], where: str
) -> None:
    with pytest.raises(ServerError) as refused_:
        await admin.http.call("PATCH", PATH, {"changes": changes})
    assert refused_.value.code == "invalid_input"
    assert where in str(refused_.value)
    assert refused_.value.details[0]["loc"] == ["changes", *where.split(".")]
    seen = await admin.http.call("GET", PATH)
    assert seen["changed"] == {}


async def test_a_stale_version_is_a_conflict(admin: Person) -> None:
    version = (await admin.http.call("GET", PATH))["version"]
    await admin.http.call("PATCH", PATH, {"changes": {"modules": {"stickers": False}}})
    with pytest.raises(ServerError) as stale:
        await admin.http.call(
            "PATCH", PATH, {"changes": {"modules": {"location": False}}, "version": version}
        )
    assert stale.value.code == "conflict"
    assert (await admin.http.call("GET", PATH))["changed"] == {"modules": ["stickers"]}


# Modules, enforced by the server


@pytest.mark.parametrize(
    ("module", "type", "body"),
    [
        ("file_sending", "file", {"file_id": F, "name": "a.pdf", "size": 3}),
        ("image_sending", "image", {"file_id": F, "width": 4, "height": 4}),
        ("voice_messages", "voice", {"file_id": F, "duration_ms": 900}),
        ("video_messages", "video", {"file_id": F, "duration_ms": 9, "width": 4, "height": 4}),
        ("location", "location", {"latitude": 52.5, "longitude": 13.4}),
        ("stickers", "sticker", {"file_id": F, "width": 4, "height": 4}),
        ("contact_cards", "contact_card", {"user_id": 1}),
        ("burn_after_reading", "text", {"text": "burn me", "burn": True}),
    ],
)
async def test_a_message_of_a_module_turned_off_is_refused(
    admin: Person, pair: tuple[Any, Any, int], module: str, type: str, body: dict[str, Any]
) -> None:
    a, _, conv = pair
    await change(admin, modules={module: False})
    assert await send_refused(a, conv, type, body) == "feature_disabled"
    # Text still goes.
    await a.send(conv, "text", {"text": "still here"})


async def test_with_file_sending_off_uploads_of_files_are_refused_and_images_go(
    base_url: str, admin: Person, alice: Person
) -> None:
    await change(admin, modules={"file_sending": False})
    async with httpx.AsyncClient(base_url=base_url) as http:
        refused_ = await create(http, alice.token, 10, filetype="application/pdf")
        assert refused_.status_code == 403
        assert error_code(refused_) == "feature_disabled"
        await uploaded(http, alice.token, jpeg(), filetype="image/jpeg", filename="a.jpg")
        # An admin still uploads the tables of user imports.
        assert (await create(http, admin.token, 10, filetype="text/csv")).status_code == 201
    await change(admin, modules={"file_sending": True})
    async with httpx.AsyncClient(base_url=base_url) as http:
        assert (await create(http, alice.token, 10, filetype="application/pdf")).status_code == 201


async def test_with_recall_off_nobody_recalls(admin: Person, pair: tuple[Any, Any, int]) -> None:
    a, _, conv = pair
    sent = await a.send(conv, "text", {"text": "oops"})
    await change(admin, modules={"recall": False})
    recall = {"conversation_id": conv, "seq": sent["seq"]}
    assert await refused(a, "recall", recall) == "feature_disabled"
    await change(admin, modules={"recall": True})
    await a.request("recall", recall)


async def test_with_group_creation_off_only_administrators_create_groups(
    base_url: str, admin: Person, alice: Person, bob: Person
) -> None:
    await change(admin, modules={"group_creation_by_members": False})
    group = {"name": "Team", "member_ids": [bob.id]}
    async with alice.client(base_url) as a, admin.client(base_url) as boss:
        assert await refused(a, "conversation.create_group", group) == "feature_disabled"
        await boss.request("conversation.create_group", group)


async def test_with_friend_requests_off_none_are_sent(
    base_url: str, admin: Person, alice: Person, bob: Person
) -> None:
    await change(admin, modules={"friend_requests": False})
    async with alice.client(base_url) as a:
        asked = {"user_id": bob.id, "message": "hi"}
        assert await refused(a, "friends.request", asked) == "feature_disabled"


async def test_with_favourites_off_none_are_saved(
    base_url: str, admin: Person, alice: Person, pair: tuple[Any, Any, int]
) -> None:
    a, _, conv = pair
    sent = await a.send(conv, "text", {"text": "keep this"})
    await change(admin, modules={"favorites": False})
    saved = {"conversation_id": conv, "seq": sent["seq"]}
    assert await refused(a, "favorites.add_message", saved) == "feature_disabled"
    async with httpx.AsyncClient(base_url=base_url) as http:
        mine = await uploaded(http, alice.token, jpeg(), filetype="image/jpeg", filename="a.jpg")
    assert await refused(a, "favorites.add", {"file_id": mine}) == "feature_disabled"


async def test_forwarding_a_message_of_a_module_turned_off_is_refused(
    admin: Person, pair: tuple[Any, Any, int]
) -> None:
    a, _, conv = pair
    sent = await a.send(conv, "location", {"latitude": 52.5, "longitude": 13.4})
    await change(admin, modules={"location": False})
    forward = {
        "conversation_id": conv,
        "seqs": [sent["seq"]],
        "target_ids": [conv],
        "client_msg_id": uuid.uuid4().hex,
    }
    assert await refused(a, "forward", forward) == "feature_disabled"


# Limits that became settings


async def test_the_recall_window_is_a_setting(admin: Person, pair: tuple[Any, Any, int]) -> None:
    a, _, conv = pair
    sent = await a.send(conv, "text", {"text": "too late"})
    await change(admin, limits={"recall_window_seconds": 0})
    recall = {"conversation_id": conv, "seq": sent["seq"]}
    assert await refused(a, "recall", recall) == "recall_window_passed"


async def test_the_group_size_limit_is_a_setting(
    base_url: str, admin: Person, alice: Person, bob: Person, carol: Person
) -> None:
    await change(admin, limits={"group_size_limit": 2})
    async with alice.client(base_url) as a:
        group = {"name": "Three", "member_ids": [bob.id, carol.id]}
        assert await refused(a, "conversation.create_group", group) == "group_full"
        await a.request("conversation.create_group", {"name": "Two", "member_ids": [bob.id]})


async def test_the_largest_file_is_a_setting(base_url: str, admin: Person, alice: Person) -> None:
    await change(admin, limits={"max_file_bytes": 4096})
    async with httpx.AsyncClient(base_url=base_url) as http:
        options = await http.options("/files/", headers=auth(alice.token))
        assert options.headers["tus-max-size"] == "4096"
        too_big = await create(http, alice.token, 5000, filetype="image/jpeg")
        assert error_code(too_big) == "file_too_large"
        assert (await create(http, alice.token, 4096, filetype="image/jpeg")).status_code == 201


# Branding


async def test_the_logo_is_an_uploaded_image_anyone_may_fetch(
    base_url: str, admin: Person, alice: Person
) -> None:
    picture = jpeg(120, 40)
    async with httpx.AsyncClient(base_url=base_url) as http:
        logo = await uploaded(http, admin.token, picture, filetype="image/jpeg", filename="l.jpg")
        someone_elses = await uploaded(
            http, alice.token, jpeg(), filetype="image/jpeg", filename="x.jpg"
        )
        not_an_image = await uploaded(
            http, admin.token, b"%PDF-1.4", filetype="application/pdf", filename="x.pdf"
        )
        for bad in (someone_elses, not_an_image, "nosuchfile"):
            with pytest.raises(ServerError) as refused_:
                await change(admin, branding={"logo": f"file:{bad}"})
            assert refused_.value.code == "invalid_input"
        # Not the logo yet: nobody may fetch it.
        assert (await http.get(f"/api/v1/public/branding/{logo}")).status_code == 404
        await change(admin, branding={"logo": f"file:{logo}"})
        fetched = await http.get(f"/api/v1/public/branding/{logo}")
        assert fetched.status_code == 200
        assert fetched.content == picture
        assert fetched.headers["content-type"] == "image/jpeg"
        assert "immutable" in fetched.headers["cache-control"]
        # Any other file stays private.
        assert (await http.get(f"/api/v1/public/branding/{someone_elses}")).status_code == 404


# Live


async def test_connected_clients_hear_a_change_at_once(
    base_url: str, admin: Person, alice: Person
) -> None:
    heard: list[SiteSettingsChanged] = []
    async with alice.client(base_url) as a:
        a.on(lambda e: heard.append(e) if isinstance(e, SiteSettingsChanged) else None)
        done = await change(
            admin, modules={"stickers": False}, branding={"brand_colour": "#aa3300"}
        )
        await eventually(lambda: heard)
    assert heard[-1].version == done["version"]
    assert heard[-1].settings["modules"]["stickers"] is False
    assert heard[-1].settings["branding"]["brand_colour"] == "#aa3300"
    # verify_action: what the push brings is what a fresh read returns.
    fresh = await alice.http.call("GET", "/api/v1/public/settings")
    assert {"version": heard[-1].version, "settings": heard[-1].settings} == fresh
