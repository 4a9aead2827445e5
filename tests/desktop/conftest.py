"""The desktop client's tests: real widgets under Qt's offscreen platform, asyncio on Qt's
loop (qasync, as the app runs it), against a real server process on SQLite.

They run in a pytest process of their own (the Makefile's pytest target): the other tests'
loop is pytest-asyncio's. Each test is a coroutine run on the qasync loop by ``qrun``, so Qt
events (paints, clicks) and the SDK's I/O interleave as in the app.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qasync
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from tests.support.server import DEV_SMS_ENV, ServerProcess, run_blocking
from tests.support.users import PASSWORD, Person, register
from tidings.desktop.app import DesktopApp
from tidings.desktop.i18n import set_language
from tidings.desktop.settings import DesktopSettings
from tidings.desktop.views.theme import apply_theme
from tidings.sdk import DeviceTokens

T = TypeVar("T")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    # SMS codes to <data_dir>/dev-sms.log: the second step of a sign-in on a new device.
    process = ServerProcess(tmp_path_factory.mktemp("server"), env=DEV_SMS_ENV)
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def base_url(server: ServerProcess) -> str:
    return server.base_url


@pytest.fixture(scope="session")
def loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    set_language("en")
    apply_theme(qapp, "light")
    event_loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(event_loop)
    yield event_loop
    event_loop.close()
    asyncio.set_event_loop(None)
    # Let Qt delete what is left while Python still runs: objects collected during the
    # interpreter's shutdown, after Qt's, crash it.
    for widget in qapp.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()
    gc.collect()


def qrun(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T], limit: float = 60) -> T:
    """Run a test's coroutine on the Qt loop (with a deadline, so a hang fails)."""

    async def run_and_settle() -> T:
        result = await asyncio.wait_for(coro, limit)
        # Streams left half-read (a paused download) are closed by their finalizers, which
        # need the loop running: collect them now, not when pytest-qt next processes Qt's
        # events between tests with the loop stopped.
        gc.collect()
        await asyncio.sleep(0.05)
        return result

    return loop.run_until_complete(run_and_settle())


def person(base_url: str, name: str) -> Person:
    async def make() -> Person:
        someone = await register(base_url, name)
        await someone.http.close()
        return someone

    return run_blocking(make())


@pytest.fixture
def alice(base_url: str) -> Person:
    return person(base_url, "alice")


@pytest.fixture
def bob(base_url: str) -> Person:
    return person(base_url, "bob")


def new_app(qapp: QApplication, home: Path) -> DesktopApp:
    settings = DesktopSettings.load(home / "desktop.json")
    return DesktopApp(
        qapp,
        settings,
        cache_directory=home / "cache",
        tokens=DeviceTokens(home / "device-tokens.json"),
    )


@pytest.fixture
def desktop(
    qapp: QApplication,
    loop: asyncio.AbstractEventLoop,
    base_url: str,
    bob: Person,
    tmp_path: Path,
) -> Iterator[DesktopApp]:
    """The desktop app signed in as Bob (with his password, as the sign-in window does)."""
    app = new_app(qapp, tmp_path / "bob-home")

    async def sign_in() -> None:
        await app.sign_in(base_url, bob.account, PASSWORD, True)
        assert app.session is not None
        app.session.client.backoff_max = 1.0
        await app.session.client.wait_ready(20)

    qrun(loop, sign_in())
    yield app
    qrun(loop, app.quit())
