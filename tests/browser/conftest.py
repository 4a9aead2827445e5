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

from tests.browser.server import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HEADLESS_SHELL,
    PASSWORD,
    WebServer,
    running_server,
)

__all__ = ["FAKE_MEDIA", "PASSWORD", "WebServer", "unique"]

sync_api = pytest.importorskip("playwright.sync_api")
sync_api.expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    with running_server(tmp_path_factory.mktemp("web-server")) as server:
        yield server


# Chromium's fake devices: a microphone that beeps and a camera that draws, no prompt.
FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    """The one Playwright of the session: its sync API cannot run twice in one thread
    (a second `sync_playwright()` sees the first one's event loop running)."""
    for binary in (CHROMIUM, HEADLESS_SHELL):
        if not Path(binary).exists():
            pytest.skip(f"{binary} is not installed (scripts/ensure-chromium.sh)")
    with sync_api.sync_playwright() as started:
        yield started


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    """Chromium's headless shell: most tests need no more than the page."""
    launched = playwright.chromium.launch(executable_path=HEADLESS_SHELL, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def whole_browser(playwright: Any) -> Iterator[Any]:
    """The whole Chromium, for what the shell lacks (system notifications)."""
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def media_browser(playwright: Any) -> Iterator[Any]:
    """A Chromium with fake media devices (microphone, camera, screen capture)."""
    launched = playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_MEDIA]
    )
    yield launched
    launched.close()


@pytest.fixture
def new_context(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Make browser contexts (each one a separate device); all closed after the test.
    ``whole=True`` opens it in the whole Chromium rather than the headless shell."""
    contexts: list[Any] = []

    def make(*, whole: bool = False, **options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 800})
        options.setdefault("locale", "en-US")
        chosen = request.getfixturevalue("whole_browser") if whole else browser
        context = chosen.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"
