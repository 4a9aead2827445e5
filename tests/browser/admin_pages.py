"""Driving the admin console (/admin) in the browser tests."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.server import PASSWORD


def open_console(page: Page, base_url: str, account: str, password: str = PASSWORD) -> None:
    """Sign in to the console at /admin and wait for its menu."""
    page.goto(f"{base_url}/admin")
    page.fill("input[name=account]", account)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator(".adm-nav")).to_be_visible()


def open_page(page: Page, page_id: str) -> None:
    """Open a console page by its menu entry (the page's id, as in pages.ts)."""
    page.locator(f".adm-nav a[href='#/{page_id}']").click()
    expect(page.locator(".adm-nav a.active")).to_have_attribute("href", f"#/{page_id}")


def menu(page: Page) -> list[str]:
    """The ids of the pages in the console's menu."""
    hrefs: list[Any] = page.locator(".adm-nav li a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [str(h).removeprefix("#/") for h in hrefs]
