"""The organization page of the admin console (K3; decision 0060) in Chromium: the tree
edited by drag and drop (a mouse drags a row; on a tablet a finger drags the row's handle),
checked through the API; a department renamed and hidden; an import previewed as a diff and
then applied."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.admin_pages import open_console, open_page
from tests.browser.conftest import WebServer, unique


def _departments(web_server: WebServer, token: str) -> dict[str, dict[str, Any]]:
    tree = web_server.api(token, "GET", "/admin/org")
    return {d["name"]: d for d in tree["departments"]}


def _row(page: Page, name: str) -> Any:
    return page.locator(f".org-row[data-dept-name='{name}']")


def test_the_tree_is_edited_by_drag_and_drop(web_server: WebServer, new_context: Any) -> None:
    admin = unique("orgadmin")
    token = web_server.register(admin, "Org Admin")["token"]
    web_server.make_admin(admin, "org_admin")
    alpha, beta, gamma = unique("Alpha"), unique("Beta"), unique("Gamma")
    a = web_server.api(token, "POST", "/admin/org/departments", json={"name": alpha})
    b = web_server.api(token, "POST", "/admin/org/departments", json={"name": beta})
    web_server.api(
        token, "POST", "/admin/org/departments", json={"name": gamma, "parent_id": b["id"]}
    )
    page = new_context().new_page()
    open_console(page, web_server.base_url, admin)
    open_page(page, "org")
    expect(_row(page, gamma)).to_have_attribute("aria-level", "2")

    # Beta (with Gamma below it) dragged onto Alpha: it moves there, Gamma with it.
    _row(page, beta).drag_to(_row(page, alpha))
    expect(_row(page, beta)).to_have_attribute("aria-level", "2")
    expect(_row(page, gamma)).to_have_attribute("aria-level", "3")
    assert _departments(web_server, token)[beta]["parent_id"] == a["id"]
    # Alpha cannot go below its own Gamma: the drop is not offered, nothing changes.
    _row(page, alpha).drag_to(_row(page, gamma))
    assert _departments(web_server, token)[alpha]["parent_id"] is None
    # Onto the strip at the top: Beta is a top-level department again.
    _row(page, beta).drag_to(page.locator(".org-top-drop"))
    expect(_row(page, beta)).to_have_attribute("aria-level", "1")
    assert _departments(web_server, token)[beta]["parent_id"] is None

    # Rename and hide in the department's panel.
    _row(page, gamma).click()
    renamed = unique("Delta")
    page.fill("input[name=rename]", renamed)
    page.get_by_role("button", name="Rename").click()
    expect(_row(page, renamed)).to_be_visible()
    page.click("input[name=hidden]")
    expect(_row(page, renamed).locator(".adm-badge")).to_have_text("hidden")
    found = _departments(web_server, token)[renamed]
    assert found["hidden"] is True and found["parent_id"] == b["id"]
    # Beta is not empty: deleting it is refused with words, not a code.
    _row(page, beta).click()
    page.get_by_role("button", name="Delete department").click()
    page.get_by_role("button", name="Delete it").click()
    expect(page.locator(".adm-toast.bad")).to_contain_text("Only an empty department")
    assert beta in _departments(web_server, token)


def test_a_finger_drags_a_department_by_its_handle_on_a_tablet(
    web_server: WebServer, new_context: Any
) -> None:
    admin = unique("tablet")
    token = web_server.register(admin, "Tablet Admin")["token"]
    web_server.make_admin(admin, "org_admin")
    left, right = unique("Left"), unique("Right")
    target = web_server.api(token, "POST", "/admin/org/departments", json={"name": left})
    web_server.api(token, "POST", "/admin/org/departments", json={"name": right})
    page = new_context(viewport={"width": 768, "height": 1024}, has_touch=True).new_page()
    open_console(page, web_server.base_url, admin)
    page.goto(f"{web_server.base_url}/admin#/org")
    handle = _row(page, right).locator(".org-handle")
    _row(page, left).scroll_into_view_if_needed()
    box = _row(page, left).bounding_box()
    start = handle.bounding_box()
    assert box is not None and start is not None
    touch = {"pointerType": "touch", "pointerId": 7, "isPrimary": True, "bubbles": True}
    x, y = start["x"] + 4, start["y"] + 4
    handle.dispatch_event("pointerdown", {**touch, "clientX": x, "clientY": y})
    tx, ty = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    handle.dispatch_event("pointermove", {**touch, "clientX": tx, "clientY": ty})
    expect(_row(page, left)).to_have_class("org-row over")
    handle.dispatch_event("pointerup", {**touch, "clientX": tx, "clientY": ty})
    expect(_row(page, right)).to_have_attribute("aria-level", "2")
    assert _departments(web_server, token)[right]["parent_id"] == target["id"]


def test_an_import_is_previewed_as_a_diff_then_applied(
    web_server: WebServer, new_context: Any
) -> None:
    admin = unique("importer")
    token = web_server.register(admin, "Importer")["token"]
    web_server.make_admin(admin, "org_admin")
    person = unique("staff")
    web_server.register(person, "Staff Member")
    top = unique("Imported")
    csv = f"department,account,position\n{top}/Team,{person},Engineer\n{top}/Bad//Path,,\n"
    page = new_context().new_page()
    open_console(page, web_server.base_url, admin)
    open_page(page, "org")
    page.get_by_role("button", name="Import…").click()
    page.set_input_files(
        "input[name=org-file]",
        files=[{"name": "org.csv", "mimeType": "text/csv", "buffer": csv.encode()}],
    )
    page.get_by_role("button", name="Preview").click()
    plan = page.locator(".org-plan")
    expect(plan).to_contain_text(f"+ {top}/Team")
    expect(plan).to_contain_text(
        f"↷ Staff Member ({person}): (no department) → {top}/Team (Engineer)"
    )
    expect(plan).to_contain_text("Row 3")
    # Previewing changed nothing.
    assert top not in _departments(web_server, token)
    page.get_by_role("button", name="Apply 3 changes").click()
    expect(page.get_by_role("dialog")).to_contain_text("Applied: 3 changes.")
    departments = _departments(web_server, token)
    team = next(
        d
        for d in departments.values()
        if d["name"] == "Team" and d["parent_id"] == departments[top]["id"]
    )
    assert team["member_count"] == 1
    page.get_by_role("button", name="Done").click()
    expect(_row(page, top)).to_be_visible()
