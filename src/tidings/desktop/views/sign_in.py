"""The sign-in window: server, account, password and "remember me" (the device credential,
so the next start signs in by itself). A second step (an authenticator code, or a code sent
for a new device) is asked in a dialog."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tidings.desktop.i18n import tr
from tidings.desktop.settings import DesktopSettings
from tidings.desktop.views.theme import app_icon


class SignInWindow(QWidget):
    submitted = Signal(str, str, str, bool)

    def __init__(self, settings: DesktopSettings) -> None:
        super().__init__()
        self.setObjectName("sign-in")
        self.setWindowTitle(tr("Sign in"))
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(64, 64))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        name = QLabel(tr("Tidings"))
        name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        name.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.server = QLineEdit(settings.server)
        self.account = QLineEdit(settings.account)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self._submit)
        self.remember = QCheckBox(tr("Remember me on this computer"))
        self.remember.setChecked(settings.remember)
        self.button = QPushButton(tr("Sign in"))
        self.button.setObjectName("primary")
        self.button.clicked.connect(self._submit)
        self.error = QLabel()
        self.error.setStyleSheet("color: #f5222d;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(tr("Server"), self.server)
        form.addRow(tr("Account"), self.account)
        form.addRow(tr("Password"), self.password)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.addWidget(logo)
        layout.addWidget(name)
        layout.addSpacing(12)
        layout.addLayout(form)
        layout.addWidget(self.remember)
        layout.addWidget(self.error)
        layout.addWidget(self.button)
        self.setFixedWidth(340)

    def _submit(self) -> None:
        self.error.clear()
        self.button.setEnabled(False)
        self.button.setText(tr("Signing in…"))
        self.submitted.emit(
            self.server.text().strip(),
            self.account.text().strip(),
            self.password.text(),
            self.remember.isChecked(),
        )

    def reset(self) -> None:
        """Ready for a sign-in again (after signing out, or being signed out)."""
        self.button.setEnabled(True)
        self.button.setText(tr("Sign in"))
        self.password.clear()
        self.error.clear()

    def failed(self, message: str) -> None:
        self.button.setEnabled(True)
        self.button.setText(tr("Sign in"))
        self.error.setText(message)

    async def ask_code(self) -> str:
        """The code of a second step, asked in a dialog that does not block the loop (a
        modal ``exec()`` inside a coroutine would run other tasks inside this one)."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle(tr("Sign in"))
        dialog.setLabelText(tr("Enter the code we sent"))
        answer: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        def finished(result: int) -> None:
            if not answer.done():
                answer.set_result(dialog.textValue().strip() if result else "")

        dialog.finished.connect(finished)
        dialog.open()
        return await answer
