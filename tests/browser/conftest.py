"""Browser tests: the built web client in real Chromium against a real server process.

All browser tests share one server (`web_server`) on a free port with a fresh data directory,
and one Chromium; each test registers its own users (unique accounts) through the REST API.
Playwright's sync API runs in plain test functions (no asyncio loop is running there).
Chromium comes from apt (scripts/ensure-chromium.sh); Playwright never downloads a browser.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, PASSWORD, WebServer, running_server

__all__ = ["PASSWORD", "WebServer", "unique"]

sync_api = pytest.importorskip("playwright.sync_api")
sync_api.expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    with running_server(tmp_path_factory.mktemp("web-server")) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (scripts/ensure-chromium.sh)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_context(browser: Any) -> Iterator[Any]:
    """Make browser contexts (each one a separate device); all closed after the test."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 800})
        options.setdefault("locale", "en-US")
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"
