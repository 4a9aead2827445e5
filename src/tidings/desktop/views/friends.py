"""The contacts tab's "new friends" (incoming friend requests, accepted or declined) and
"add friend" (by account) dialogs."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tidings.desktop.i18n import tr
from tidings.desktop.viewmodels.contacts import ContactsViewModel, FriendRequest
from tidings.desktop.views.tasks import spawn
from tidings.desktop.views.theme import avatar, colors
from tidings.sdk import PrivateReceived, ServerError


class FriendRequestRow(QWidget):
    def __init__(self, dialog: FriendRequestsDialog, request: FriendRequest) -> None:
        super().__init__()
        self.request = request
        self.setObjectName(f"friend-request-{request.request_id}")
        picture = QLabel()
        picture.setPixmap(avatar(request.name, 36, request.user_id))
        words = QLabel(f"<b>{_escape(request.name)}</b><br>{_escape(request.message)}")
        words.setWordWrap(True)
        self.accept_button = QPushButton(tr("Accept"))
        self.accept_button.setObjectName("primary")
        self.decline_button = QPushButton(tr("Decline"))
        self.outcome = QLabel()
        self.outcome.setStyleSheet(f"color: {colors().muted_text.name()};")
        self.outcome.hide()
        self.accept_button.clicked.connect(lambda: dialog.decide(self, accept=True))
        self.decline_button.clicked.connect(lambda: dialog.decide(self, accept=False))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(picture)
        layout.addWidget(words, 1)
        layout.addWidget(self.accept_button)
        layout.addWidget(self.decline_button)
        layout.addWidget(self.outcome)

    def decided(self, text: str) -> None:
        self.accept_button.hide()
        self.decline_button.hide()
        self.outcome.setText(text)
        self.outcome.show()


class FriendRequestsDialog(QDialog):
    """Incoming friend requests, each with accept and decline."""

    def __init__(self, contacts: ContactsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("friend-requests")
        self.setWindowTitle(tr("New friends"))
        self.contacts = contacts
        self.rows: dict[int, FriendRequestRow] = {}
        self.list = QVBoxLayout()
        self.empty = QLabel(tr("No new friend requests"))
        self.error = QLabel()
        self.error.setStyleSheet("color: #f5222d;")
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(self.list)
        layout.addWidget(self.empty)
        layout.addWidget(self.error)
        layout.addStretch()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(380, 320)
        self._stop = contacts.session.on(self._on_session)
        self.finished.connect(lambda _result: self._stop())
        self.show_requests()

    def show_requests(self) -> None:
        """Add the requests that came (decided ones stay, with their outcome)."""
        for request in self.contacts.requests():
            if request.request_id not in self.rows:
                row = FriendRequestRow(self, request)
                self.rows[request.request_id] = row
                self.list.addWidget(row)
        self.empty.setVisible(not self.rows)

    def decide(self, row: FriendRequestRow, *, accept: bool) -> None:
        row.accept_button.setEnabled(False)
        row.decline_button.setEnabled(False)

        async def run() -> None:
            if accept:
                await self.contacts.accept(row.request.request_id)
            else:
                await self.contacts.decline(row.request.request_id)
            row.decided(tr("Accepted") if accept else tr("Declined"))

        def refused(error: Exception) -> None:
            row.accept_button.setEnabled(True)
            row.decline_button.setEnabled(True)
            self.error.setText(error.message if isinstance(error, ServerError) else str(error))
            self.error.show()

        spawn(run(), refused)

    def _on_session(self, what: Any) -> None:
        if isinstance(what, PrivateReceived):
            self.show_requests()


class AddFriendDialog(QDialog):
    """Ask someone to be friends, by their account, with a few words."""

    def __init__(self, contacts: ContactsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("add-friend")
        self.setWindowTitle(tr("Add friend"))
        self.contacts = contacts
        self.account = QLineEdit()
        self.account.setPlaceholderText(tr("Account to add"))
        self.message = QLineEdit()
        self.message.setPlaceholderText(tr("A few words (optional)"))
        self.message.setMaxLength(200)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.send_button = QPushButton(tr("Send request"))
        self.send_button.setObjectName("primary")
        self.send_button.clicked.connect(self.send)
        self.account.returnPressed.connect(self.send)
        form = QFormLayout()
        form.addRow(tr("Account"), self.account)
        form.addRow("", self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)
        self.resize(340, 160)

    def send(self) -> None:
        if not self.account.text().strip():
            return
        self.send_button.setEnabled(False)
        self.outcome.setText("")

        async def run() -> None:
            status = await self.contacts.add_friend(self.account.text(), self.message.text())
            self.outcome.setText(tr("Now friends") if status == "accepted" else tr("Request sent"))
            self.send_button.setEnabled(True)

        def refused(error: Exception) -> None:
            self.send_button.setEnabled(True)
            if isinstance(error, ServerError) and error.code == "not_found":
                self.outcome.setText(tr("No one has this account"))
            elif isinstance(error, ServerError):
                self.outcome.setText(error.message)
            else:
                self.outcome.setText(str(error))

        spawn(run(), refused)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
