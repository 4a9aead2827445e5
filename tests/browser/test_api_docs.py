"""/api/docs in Chromium under the server's own CSP (N5, decision 0063): Swagger UI comes
from the server (the npm package swagger-ui-dist, copied into the build), nothing from a CDN,
and the browser reports no policy violation."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import WebServer

# Added before any of the page's scripts, by the browser itself: the CSP does not apply.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_the_api_docs_render_under_the_csp(web_server: WebServer, new_context: Any) -> None:
    page: Page = new_context().new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))

    response = page.goto(f"{web_server.base_url}/api/docs")
    assert response is not None and response.ok
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Tidings")
    # The operations list, grouped by tag, with the sign-in among them.
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock-summary-path[data-path='/api/v1/auth/login']")).to_be_visible()
    assert page.locator(".opblock").count() > 5

    assert page.evaluate("window.__violations") == []
    assert [e for e in errors if "Content Security Policy" in e] == []
    assert all(url.startswith(web_server.base_url) for url in requested), requested
