"""The tray icon: the unread count on the icon and in its tooltip, flashing while new
messages wait, native notifications (with a sound) for those that are not silenced.

Without a system tray (the offscreen platform of the tests, some Linux desktops) nothing is
shown, but the state is kept the same: ``icon_unread`` and ``lit`` tell what it would show.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from tidings.desktop.i18n import tr
from tidings.desktop.viewmodels.alerts import AlertsViewModel, Notification
from tidings.desktop.views.theme import app_icon

FLASH_MS = 500


class Tray(QObject):
    show_requested = Signal()
    open_chat = Signal(int)
    quit_requested = Signal()

    def __init__(self, alerts: AlertsViewModel) -> None:
        super().__init__()
        self.alerts = alerts
        self.icon_unread = 0
        self.lit = True
        self.shown: list[Notification] = []
        self._last: Notification | None = None
        self.tray = QSystemTrayIcon(app_icon())
        menu = QMenu()
        menu.addAction(tr("Show Tidings"), self.show_requested.emit)
        menu.addAction(tr("Quit"), self.quit_requested.emit)
        self.tray.setContextMenu(menu)
        self.tray.activated.connect(self._activated)
        self.tray.messageClicked.connect(self._message_clicked)
        self.timer = QTimer(self)
        self.timer.setInterval(FLASH_MS)
        self.timer.timeout.connect(self._blink)
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray.show()
        alerts.on_change(self._changed)
        self._changed(None)

    def _changed(self, notification: Notification | None) -> None:
        self.icon_unread = self.alerts.unread
        self.tray.setToolTip(
            tr("Tidings")
            + (f" — {tr('{n} unread', n=self.alerts.unread)}" if self.alerts.unread else "")
        )
        if self.alerts.flashing and not self.timer.isActive():
            self.timer.start()
        elif not self.alerts.flashing:
            self.timer.stop()
            self.lit = True
        self.tray.setIcon(app_icon(self.icon_unread, self.lit))
        if notification is not None:
            self.shown.append(notification)
            self._last = notification
            if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
                self.tray.showMessage(
                    notification.title,
                    notification.text,
                    QSystemTrayIcon.MessageIcon.Information,
                    5000,
                )
            if notification.sound:
                QApplication.beep()

    def _blink(self) -> None:
        self.lit = not self.lit
        self.tray.setIcon(app_icon(self.icon_unread, self.lit))

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.alerts.seen()
            self.show_requested.emit()

    def _message_clicked(self) -> None:
        if self._last is not None:
            self.open_chat.emit(self._last.conversation_id)

    def hide(self) -> None:
        self.timer.stop()
        self.tray.hide()
