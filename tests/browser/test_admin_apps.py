"""The console's Apps screen (issue 14, J1; decision 0065): a super admin registers an app
with scopes, sees its secret once (which gets a token), rotates it (the old one stops) and
revokes the app; an org admin, without the power, has no Apps entry in the menu."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.browser.admin_pages import menu, open_console, open_page
from tests.browser.conftest import WebServer, unique


def _grant(server: WebServer, client_id: str, secret: str) -> int:
    return httpx.post(
        f"{server.base_url}/api/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    ).status_code


def test_register_see_the_secret_once_rotate_and_revoke(
    web_server: WebServer, new_context: Any
) -> None:
    admin = unique("admin")
    web_server.register(admin, "Admin")
    web_server.make_admin(admin)
    console: Page = new_context().new_page()
    open_console(console, web_server.base_url, admin)
    open_page(console, "apps")
    console.get_by_test_id("app-register").click()
    dialog = console.get_by_role("dialog", name="Register an app")
    name = unique("CRM")
    dialog.locator("input[name=name]").fill(name)
    dialog.locator("input[value='users:read']").check()
    dialog.locator("input[value='workbench']").check()
    dialog.get_by_test_id("app-save").click()

    secret_dialog = console.get_by_role("dialog", name="The app’s secret")
    expect(secret_dialog.get_by_role("alert")).to_contain_text("shown this once")
    client_id = secret_dialog.get_by_test_id("secret-client-id").input_value()
    first = secret_dialog.get_by_test_id("app-secret").input_value()
    assert client_id.startswith("app_") and first.startswith("tds_")
    assert _grant(web_server, client_id, first) == 200
    secret_dialog.get_by_test_id("secret-done").click()
    row = console.locator(".adm-table tr", has_text=name)
    expect(row).to_contain_text("users:read workbench")
    expect(row).to_contain_text("Active")

    row.click()
    app_dialog = console.get_by_role("dialog", name=name)
    app_dialog.get_by_role("button", name="Rotate secret").click()
    app_dialog.get_by_role("button", name="Rotate: the old secret stops now").click()
    secret_dialog = console.get_by_role("dialog", name="The app’s secret")
    second = secret_dialog.get_by_test_id("app-secret").input_value()
    assert second != first and second.startswith("tds_")
    assert _grant(web_server, client_id, first) == 401
    assert _grant(web_server, client_id, second) == 200
    secret_dialog.get_by_test_id("secret-done").click()

    row.click()
    app_dialog = console.get_by_role("dialog", name=name)
    app_dialog.get_by_role("button", name="Revoke").click()
    app_dialog.get_by_role("button", name="Revoke for good").click()
    expect(row).to_contain_text("Revoked")
    assert _grant(web_server, client_id, second) == 401

    org_admin = unique("orgadmin")
    web_server.register(org_admin, "Org Admin")
    web_server.make_admin(org_admin, "org_admin")
    other: Page = new_context().new_page()
    open_console(other, web_server.base_url, org_admin)
    assert "org" in menu(other)
    assert not {"apps", "workbench"} & set(menu(other))
