"""The desktop app's windows and their life: sign in (or sign in by itself with the
remembered device credential), the main panel and the tray, chats in windows of their own or
as tabs of one window (a setting), their remembered positions and sizes, screenshots, being
signed out from elsewhere, quitting."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QByteArray, QObject, Qt
from PySide6.QtGui import QCloseEvent, QImage, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tidings.desktop.autostart import set_start_at_login
from tidings.desktop.i18n import tr
from tidings.desktop.settings import DesktopSettings
from tidings.desktop.viewmodels.alerts import AlertsViewModel
from tidings.desktop.viewmodels.chat import ChatViewModel
from tidings.desktop.viewmodels.contacts import ContactsViewModel
from tidings.desktop.viewmodels.conversations import ConversationListViewModel
from tidings.desktop.viewmodels.session import Session
from tidings.desktop.views.chat_view import ChatView
from tidings.desktop.views.main_panel import MainPanel
from tidings.desktop.views.screenshot import AnnotationEditor, capture
from tidings.desktop.views.sign_in import SignInWindow
from tidings.desktop.views.tasks import cancel_all, spawn
from tidings.desktop.views.theme import app_icon, colors
from tidings.desktop.views.tray import Tray
from tidings.sdk import DeviceTokens, Disconnected, ServerError, SignedOut

logger = logging.getLogger(__name__)


class ChatWindow(QWidget):
    """A chat in a window of its own."""

    def __init__(self, app: DesktopApp, view: ChatView) -> None:
        super().__init__()
        self.app = app
        self.view = view
        self.setObjectName(f"chat-window-{view.chat.conversation_id}")
        self.setWindowTitle(view.chat.title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(view)
        self.resize(560, 620)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        QShortcut(QKeySequence.StandardKey.Close, self, self.close)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.app.remember_geometry("chat", self)
        self.app.chat_closed(self.view.chat.conversation_id)
        super().closeEvent(event)


class ChatTabsWindow(QWidget):
    """All open chats as tabs of one window."""

    def __init__(self, app: DesktopApp) -> None:
        super().__init__()
        self.app = app
        self.setObjectName("chat-tabs")
        self.setWindowTitle(tr("Chats"))
        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.resize(640, 640)

    def _close_tab(self, index: int) -> None:
        view = self.tabs.widget(index)
        self.tabs.removeTab(index)
        if isinstance(view, ChatView):
            self.app.chat_closed(view.chat.conversation_id)
        if self.tabs.count() == 0:
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.app.remember_geometry("chats", self)
        while self.tabs.count():
            self._close_tab(0)
        super().closeEvent(event)


class DesktopApp(QObject):
    def __init__(
        self,
        qapp: QApplication,
        settings: DesktopSettings,
        *,
        cache_directory: Path | None = None,
        tokens: DeviceTokens | None = None,
    ) -> None:
        super().__init__()
        self.qapp = qapp
        self.settings = settings
        self.cache_directory = cache_directory
        self.tokens = tokens or DeviceTokens(settings.path.parent / "device-tokens.json")
        self.scratch = Path(tempfile.mkdtemp(prefix="tidings-desktop-"))
        self.session: Session | None = None
        self.sign_in_window: SignInWindow | None = None
        self.main_panel: MainPanel | None = None
        self.conversations: ConversationListViewModel | None = None
        self.contacts: ContactsViewModel | None = None
        self.alerts: AlertsViewModel | None = None
        self.tray: Tray | None = None
        self.chats: dict[int, ChatView] = {}
        self.chat_windows: dict[int, ChatWindow] = {}
        self.tabs_window: ChatTabsWindow | None = None
        self.editor: AnnotationEditor | None = None
        self.signed_out_reason: str | None = None
        self.quitting = asyncio.Event()
        self._stopping: list[asyncio.Future[Any]] = []
        qapp.setWindowIcon(app_icon())
        qapp.setQuitOnLastWindowClosed(False)

    # Signing in

    async def start(self) -> None:
        """Sign in with the remembered device credential; without a network, open the
        remembered session from the local cache (it connects when it can); else show the
        sign-in window."""
        settings = self.settings
        if settings.device_credential and settings.account:
            try:
                session = await Session.resume(
                    settings.server,
                    settings.account,
                    settings.device_credential,
                    tokens=self.tokens,
                    cache_directory=self.cache_directory,
                )
            except (httpx.TransportError, OSError) as error:
                if settings.token and settings.user:
                    logger.info("server unreachable (%s): opening offline", error)
                    offline = Session(
                        settings.server,
                        settings.token,
                        settings.user,
                        cache_directory=self.cache_directory,
                    )
                    await self.open_session(offline)
                    return
            except ServerError as error:
                logger.info("remembered sign-in refused: %s", error)
            else:
                self._remember(session)
                await self.open_session(session)
                return
        self.show_sign_in()

    def show_sign_in(self) -> None:
        if self.sign_in_window is None:
            self.sign_in_window = SignInWindow(self.settings)
            self.sign_in_window.submitted.connect(
                lambda server, account, password, remember: spawn(
                    self.sign_in(server, account, password, remember)
                )
            )
        self.sign_in_window.reset()
        self.sign_in_window.show()

    async def sign_in(self, server: str, account: str, password: str, remember: bool) -> None:
        async def ask_code(_code: str, _details: dict[str, Any]) -> str:
            assert self.sign_in_window is not None
            return await self.sign_in_window.ask_code()

        try:
            session = await Session.sign_in(
                server,
                account,
                password,
                tokens=self.tokens,
                ask_code=ask_code,
                remember=remember,
                cache_directory=self.cache_directory,
            )
        except ServerError as error:
            if self.sign_in_window is not None:
                message = (
                    tr("wrong account or password")
                    if error.code == "invalid_credentials"
                    else f"{error.code}: {error.message}"
                )
                self.sign_in_window.failed(message)
            return
        except (httpx.TransportError, OSError) as error:
            if self.sign_in_window is not None:
                self.sign_in_window.failed(str(error) or type(error).__name__)
            return
        self.settings.server, self.settings.account = server, account
        self.settings.remember = remember
        self._remember(session)
        if self.sign_in_window is not None:
            self.sign_in_window.hide()
        await self.open_session(session)

    def _remember(self, session: Session) -> None:
        remember = self.settings.remember
        self.settings.device_credential = session.device_credential if remember else ""
        self.settings.token = session.token if remember else ""
        self.settings.user = (
            {k: session.user.get(k) for k in ("id", "account", "nickname")} if remember else {}
        )
        self.settings.save()

    def _forget(self) -> None:
        self.settings.device_credential = self.settings.token = ""
        self.settings.user = {}
        self.settings.save()

    async def open_session(self, session: Session) -> None:
        self.session = session
        self.signed_out_reason = None
        self.conversations = ConversationListViewModel(session)
        self.contacts = ContactsViewModel(session)
        self.alerts = AlertsViewModel(session)
        self.main_panel = MainPanel(self.conversations, self.contacts)
        self.main_panel.open_chat.connect(self.open_chat)
        self.main_panel.open_message.connect(
            lambda conv_id, seq: spawn(self.open_message(conv_id, seq))
        )
        self.main_panel.sign_out_requested.connect(lambda: spawn(self.sign_out()))
        self.main_panel.quit_requested.connect(lambda: spawn(self.quit()))
        self.main_panel.settings_requested.connect(self.show_settings)
        self.restore_geometry("main", self.main_panel)
        self.main_panel.show()
        # The screenshot key works in every window of the app (QQ's Ctrl+Alt+A).
        shot = QShortcut(QKeySequence("Ctrl+Alt+A"), self.main_panel, lambda: self.screenshot(None))
        shot.setContext(Qt.ShortcutContext.ApplicationShortcut)
        QShortcut(QKeySequence.StandardKey.Find, self.main_panel, self.main_panel.search.setFocus)
        self.tray = Tray(self.alerts)
        self.tray.show_requested.connect(self._show_main)
        self.tray.open_chat.connect(self.open_chat)
        self.tray.quit_requested.connect(lambda: spawn(self.quit()))
        session.on(self._on_session)
        await session.start()

    def _on_session(self, what: Any) -> None:
        if isinstance(what, SignedOut):
            spawn(self.signed_out(what.reason))
        elif (
            isinstance(what, Disconnected)
            and self.session is not None
            and self.session.client.signed_out_reason == "invalid_token"
            and self.signed_out_reason is None
        ):
            # The remembered session ended while the app was away (opened offline).
            self.signed_out_reason = "invalid_token"
            spawn(self.signed_out("invalid_token"))

    async def signed_out(self, reason: str) -> None:
        """The server ended this session (signed in elsewhere, password changed...)."""
        self.signed_out_reason = reason
        self._forget()
        await self.close_session()
        self.show_sign_in()
        text = (
            tr("This account signed in on another device, so this one was signed out.")
            if reason == "signed_in_elsewhere"
            else tr("Your session ended: {reason}", reason=reason)
        )
        box = QMessageBox(
            QMessageBox.Icon.Warning, tr("Signed in elsewhere"), text, parent=self.sign_in_window
        )
        box.setObjectName("signed-out")
        box.open()

    async def sign_out(self) -> None:
        self._forget()
        if self.session is not None:
            session, self.session = self.session, None
            await self._close_windows()
            await session.sign_out()
        self.show_sign_in()

    async def close_session(self) -> None:
        if self.session is None:
            return
        session, self.session = self.session, None
        await self._close_windows()
        await session.close()

    async def _close_windows(self) -> None:
        for window in list(self.chat_windows.values()):
            window.close()
        if self.tabs_window is not None:
            self.tabs_window.close()
            self.tabs_window = None
        if self.main_panel is not None:
            self.remember_geometry("main", self.main_panel)
            self.main_panel.close()
            self.main_panel = None
        if self.tray is not None:
            self.tray.hide()
            self.tray = None
        for view_model in (self.conversations, self.alerts):
            if view_model is not None:
                view_model.dispose()
        self.settings.save()
        # Downloads and lookups stop here, their connections closed while the loop runs.
        stopping, self._stopping = self._stopping, []
        await cancel_all()
        if stopping:
            await asyncio.gather(*stopping, return_exceptions=True)

    async def quit(self) -> None:
        await self.close_session()
        if self.sign_in_window is not None:
            self.sign_in_window.close()
        self.quitting.set()

    def _show_main(self) -> None:
        if self.main_panel is not None:
            self.main_panel.show()
            self.main_panel.raise_()
            self.main_panel.activateWindow()

    # Chats

    def open_chat(self, conversation_id: int) -> ChatView:
        assert self.session is not None
        view = self.chats.get(conversation_id)
        if view is None:
            chat = ChatViewModel(self.session, conversation_id)
            view = ChatView(chat, self.conversations, self.scratch)
            view.screenshot_requested.connect(
                lambda hide, v=view: self.screenshot(v, hide_windows=hide)
            )
            self.chats[conversation_id] = view
            if self.settings.chat_mode == "tabs":
                if self.tabs_window is None:
                    self.tabs_window = ChatTabsWindow(self)
                    self.restore_geometry("chats", self.tabs_window)
                self.tabs_window.tabs.addTab(view, chat.title)
            else:
                window = ChatWindow(self, view)
                self.restore_geometry("chat", window)
                self.chat_windows[conversation_id] = window
        if self.settings.chat_mode == "tabs" and self.tabs_window is not None:
            self.tabs_window.tabs.setCurrentWidget(view)
            self.tabs_window.show()
            self.tabs_window.raise_()
        else:
            window = self.chat_windows[conversation_id]
            window.show()
            window.raise_()
            window.activateWindow()
        if self.alerts is not None:
            self.alerts.visible_chats.add(conversation_id)
            self.alerts.seen()
        return view

    async def open_message(self, conversation_id: int, seq: int) -> ChatView:
        """Open a chat at a message (a search result), selected."""
        view = self.open_chat(conversation_id)
        await view.show_message(seq)
        return view

    def chat_closed(self, conversation_id: int) -> None:
        view = self.chats.pop(conversation_id, None)
        self.chat_windows.pop(conversation_id, None)
        if self.alerts is not None:
            self.alerts.visible_chats.discard(conversation_id)
        if view is not None:
            self._stopping.extend(view.dispose())
            view.deleteLater()

    def remember_geometry(self, name: str, window: QWidget) -> None:
        self.settings.geometry[name] = bytes(window.saveGeometry().toBase64().data()).decode()
        self.settings.save()

    def restore_geometry(self, name: str, window: QWidget) -> None:
        saved = self.settings.geometry.get(name)
        if saved:
            window.restoreGeometry(QByteArray.fromBase64(saved.encode()))

    # Screenshots

    def screenshot(self, view: ChatView | None, hide_windows: bool = False) -> None:
        spawn(self.take_screenshot(view, hide_windows))

    async def take_screenshot(
        self, view: ChatView | None, hide_windows: bool = False
    ) -> AnnotationEditor:
        """Capture, then open the annotation editor; what it sends goes to ``view``'s chat
        (or the chat in front)."""
        hide: list[QWidget] = []
        if hide_windows:
            hide = [w for w in self.qapp.topLevelWidgets() if w.isVisible()]
        pixmap = await capture(hide)
        target = view or next(iter(self.chats.values()), None)
        self.editor = AnnotationEditor(pixmap)
        if target is not None:
            self.editor.sent.connect(lambda image, t=target: self._send_image(t, image))
        self.editor.show()
        return self.editor

    def _send_image(self, view: ChatView, image: QImage) -> None:
        path = self.scratch / f"screenshot-{len(list(self.scratch.iterdir()))}.png"
        image.save(str(path))
        view.chat.send_image(path)

    # Settings

    def show_settings(self) -> None:
        dialog = QDialog(self.main_panel)
        dialog.setWindowTitle(tr("Settings"))
        tabs = QCheckBox(tr("Open chats in tabs of one window"))
        tabs.setChecked(self.settings.chat_mode == "tabs")
        login = QCheckBox(tr("Start at login"))
        login.setChecked(self.settings.start_at_login)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(tabs)
        layout.addWidget(login)
        layout.addWidget(buttons)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.apply_settings(
                chat_mode="tabs" if tabs.isChecked() else "windows",
                start_at_login=login.isChecked(),
            )

    def apply_settings(self, *, chat_mode: str, start_at_login: bool) -> None:
        self.settings.chat_mode = chat_mode
        if start_at_login != self.settings.start_at_login:
            with contextlib.suppress(OSError):
                set_start_at_login(start_at_login)
        self.settings.start_at_login = start_at_login
        self.settings.save()

    # The picture for docs and checks (--screenshot)

    def picture(self) -> QImage:
        """The main panel and the open chat windows side by side, as on a desktop."""
        windows: list[QWidget] = [w for w in (self.main_panel,) if w is not None]
        windows += [w for w in self.chat_windows.values() if w.isVisible()]
        if self.tabs_window is not None and self.tabs_window.isVisible():
            windows.append(self.tabs_window)
        shots = [w.grab() for w in windows]
        gap = 24
        sizes = [s.deviceIndependentSize() for s in shots]
        width = int(sum(size.width() for size in sizes)) + gap * (len(shots) + 1)
        height = int(max((size.height() for size in sizes), default=0)) + 2 * gap
        ratio = max((s.devicePixelRatio() for s in shots), default=1.0)
        image = QImage(int(width * ratio), int(height * ratio), QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(ratio)
        image.fill(colors().window.darker(115 if not colors().dark else 80))
        painter = QPainter(image)
        x = gap
        for shot, size in zip(shots, sizes, strict=True):
            painter.drawPixmap(x, gap, shot)
            x += int(size.width()) + gap
        painter.end()
        return image
