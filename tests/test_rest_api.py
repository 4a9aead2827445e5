"""The REST API's fixed entry points (issue 2, deliver 5), against a real server process."""

from __future__ import annotations

import httpx
import pytest

from tests.support.users import PASSWORD, Person, register


async def test_register_login_and_the_fixed_entry_points(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        created = await http.post(
            "/api/v1/auth/register",
            json={"account": "rest_alice", "password": PASSWORD, "nickname": "Alice"},
        )
        assert created.status_code == 201, created.text
        alice = created.json()
        assert alice["token"] and alice["user"]["id"] > 0

        login = await http.post(
            "/api/v1/auth/login",
            json={"account": "rest_alice", "password": PASSWORD, "platform": "desktop"},
        )
        assert login.status_code == 200
        assert login.json()["user"]["id"] == alice["user"]["id"]
        assert login.json()["token"] != alice["token"]

        bob = (
            await http.post(
                "/api/v1/auth/register",
                json={"account": "rest_bob", "password": PASSWORD, "nickname": "Bob"},
            )
        ).json()
        auth = {"Authorization": f"Bearer {alice['token']}"}
        direct = await http.post(
            "/api/v1/conversations",
            json={"type": "direct", "peer_id": bob["user"]["id"]},
            headers=auth,
        )
        assert direct.status_code == 200, direct.text
        conversation_id = direct.json()["id"]
        again = await http.post(
            "/api/v1/conversations",
            json={"type": "direct", "peer_id": bob["user"]["id"]},
            headers=auth,
        )
        assert again.json()["id"] == conversation_id, "one direct chat per pair"

        group = await http.post(
            "/api/v1/conversations",
            json={"type": "group", "name": "Team", "member_ids": [bob["user"]["id"]]},
            headers=auth,
        )
        assert group.status_code == 200 and group.json()["type"] == "group"

        sent = []
        for index in range(3):
            response = await http.post(
                f"/api/v1/conversations/{conversation_id}/messages",
                json={
                    "client_msg_id": f"m{index}",
                    "type": "text",
                    "body": {"text": f"hi {index}"},
                },
                headers=auth,
            )
            assert response.status_code == 200, response.text
            sent.append(response.json())
        assert [m["seq"] for m in sent] == [1, 2, 3]

        retry = await http.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            json={"client_msg_id": "m1", "type": "text", "body": {"text": "hi 1"}},
            headers=auth,
        )
        assert (retry.json()["id"], retry.json()["seq"]) == (sent[1]["id"], sent[1]["seq"])

        history = await http.get(
            f"/api/v1/conversations/{conversation_id}/messages",
            params={"after_seq": 1, "limit": 10},
            headers={"Authorization": f"Bearer {bob['token']}"},
        )
        assert history.status_code == 200
        assert [m["seq"] for m in history.json()["messages"]] == [2, 3]
        assert [m["body"]["text"] for m in history.json()["messages"]] == ["hi 1", "hi 2"]


async def test_health_metrics_and_openapi(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        assert (await http.get("/healthz")).status_code == 200
        metrics = (await http.get("/metrics")).text
        for name in (
            "tidings_connections",
            "tidings_messages_sent_total",
            "tidings_messages_delivered_total",
            "tidings_send_latency_seconds_bucket",
        ):
            assert name in metrics
        spec = (await http.get("/openapi.json")).json()
        for path in (
            "/api/v1/auth/register",
            "/api/v1/auth/login",
            "/api/v1/conversations",
            "/api/v1/conversations/{conversation_id}/messages",
        ):
            assert path in spec["paths"]


async def test_errors_have_a_code(base_url: str, alice: Person) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        taken = await http.post(
            "/api/v1/auth/register",
            json={"account": alice.account, "password": PASSWORD, "nickname": "x"},
        )
        assert taken.status_code == 409
        assert taken.json()["error"]["code"] == "account_taken"
        wrong = await http.post(
            "/api/v1/auth/login", json={"account": alice.account, "password": "wrong password"}
        )
        assert wrong.status_code == 401
        assert wrong.json()["error"]["code"] == "invalid_credentials"
        nobody = await http.get("/api/v1/conversations")
        assert nobody.status_code == 401
        assert nobody.json()["error"]["code"] == "unauthenticated"
        forged = await http.get(
            "/api/v1/conversations", headers={"Authorization": "Bearer forged-token"}
        )
        assert forged.json()["error"]["code"] == "invalid_token"
        missing = await http.get("/api/v1/nowhere")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("platform", ["web", "desktop"])
async def test_profile_update(base_url: str, platform: str) -> None:
    user = await register(base_url, "profile", platform=platform)
    updated = await user.http.call(
        "PATCH",
        "/api/v1/me",
        {"signature": "Ship it", "desk": "B-204", "work_email": "p@example.com"},
    )
    assert updated["signature"] == "Ship it" and updated["desk"] == "B-204"
    assert (await user.http.call("GET", f"/api/v1/users/{user.id}"))["desk"] == "B-204"
    await user.http.close()
