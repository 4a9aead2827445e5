"""A chat: its history, the reply bar, the toolbar (emoji, image, file, screenshot) and the
input, where Enter sends, a pasted or dropped image is sent as an image and a dropped file
as a file, and ``@`` offers the group's members."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QImage, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tidings.desktop.i18n import tr
from tidings.desktop.viewmodels.chat import ChatViewModel, MessageItem, Splice
from tidings.desktop.viewmodels.conversations import ConversationListViewModel
from tidings.desktop.views.message_list import ItemRole, MessageDelegate, MessageListModel
from tidings.desktop.views.tasks import spawn
from tidings.desktop.views.theme import colors
from tidings.sdk import PresenceChanged, Typing

EMOJI = [
    "😀",
    "😁",
    "😂",
    "🤣",
    "😊",
    "😍",
    "😘",
    "😎",
    "🤔",
    "😅",
    "😭",
    "😡",
    "👍",
    "👎",
    "👏",
    "🙏",
    "💪",
    "🎉",
    "❤️",
    "🔥",
    "✅",
    "❌",
    "⭐",
    "🌹",
    "☕",
    "🍺",
    "🎂",
    "🚀",
    "👀",
    "🤝",
    "💯",
    "😴",
]


class MessageInput(QTextEdit):
    """The text box: Enter sends and Shift+Enter is a new line (or Ctrl+Enter sends and Enter
    is a new line, as the user chose); images and files pasted or dropped go to the handlers
    instead of into the text."""

    submitted = Signal()
    image_pasted = Signal(QImage)
    files_dropped = Signal(list)
    mention_started = Signal()

    def __init__(self, send_key: Callable[[], str] = lambda: "enter") -> None:
        super().__init__()
        # The user's choice kept on the server (settings `send_key`): "enter" or "ctrl_enter".
        self.send_key = send_key
        self.setAcceptRichText(False)
        self.setPlaceholderText(tr("Type a message"))
        self.setAcceptDrops(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            modifiers = event.modifiers()
            control = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
            shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
            sends = control if self.send_key() == "ctrl_enter" else not (control or shift)
            if sends:
                self.submitted.emit()
            else:
                self.insertPlainText("\n")
            return
        super().keyPressEvent(event)
        if event.text() == "@":
            self.mention_started.emit()

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasImage() or source.hasUrls() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasImage():
            image = QImage(source.imageData())
            if not image.isNull():
                self.image_pasted.emit(image)
                return
        if source.hasUrls():
            paths = [u.toLocalFile() for u in source.urls() if u.isLocalFile()]
            if paths:
                self.files_dropped.emit(paths)
                return
        super().insertFromMimeData(source)


IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"}


class ChatView(QWidget):
    """One conversation; ``screenshot_requested(hide)`` asks the app for a capture."""

    screenshot_requested = Signal(bool)
    title_changed = Signal(str)

    def __init__(
        self,
        chat: ChatViewModel,
        conversations: ConversationListViewModel | None = None,
        scratch: Path | None = None,
    ) -> None:
        super().__init__()
        self.chat = chat
        self.conversations = conversations
        self.scratch = scratch or Path(tempfile.mkdtemp(prefix="tidings-"))
        self.mentions: dict[str, int] = {}
        self.setObjectName(f"chat-{chat.conversation_id}")
        self.setAcceptDrops(True)

        self.title = QLabel(chat.title)
        self.title.setStyleSheet("font-size: 16px; font-weight: 600;")
        info = QToolButton()
        info.setText("⋯")
        info.setToolTip(tr("Group info"))
        info.clicked.connect(self.show_info)
        info.setVisible(chat.is_group)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("chat-subtitle")
        self.subtitle.setStyleSheet(f"color: {colors().muted_text.name()}; font-size: 12px;")
        # While someone types, the header is looked at again twice a second: "typing" gives way
        # to the partner's presence once their last push is old (a timer set for that moment
        # could fire a little early, Qt's coarse timers do, and leave "typing" up for good).
        self._typing_check = QTimer(self)
        self._typing_check.setSingleShot(True)
        self._typing_check.setInterval(500)
        self._typing_check.timeout.connect(self.show_subtitle)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        header = QHBoxLayout()
        header.addLayout(titles)
        header.addStretch()
        header.addWidget(info)

        self.model = MessageListModel(chat)
        self.list = QListView()
        self.list.setModel(self.model)
        self.delegate = MessageDelegate(self.model)
        self.list.setItemDelegate(self.delegate)
        self.list.setUniformItemSizes(False)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setWordWrap(True)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.list.doubleClicked.connect(self._activated)
        self.list.setStyleSheet(f"background: {colors().window.name()};")
        self.model.rowsInserted.connect(self._rows_inserted)
        bar = self.list.verticalScrollBar()
        bar.valueChanged.connect(self._scrolled)
        bar.rangeChanged.connect(self._range_changed)
        # Set while a page of history is added: the row on top and where it was.
        self._anchor: tuple[str, int] | None = None
        self.model.want_image = self.want_image
        chat.on_change(self.on_splice)
        self._stop_people = chat.session.on(self._on_session)
        self._loading: set[str] = set()

        self.reply_bar = QWidget()
        reply_layout = QHBoxLayout(self.reply_bar)
        reply_layout.setContentsMargins(8, 2, 8, 2)
        self.reply_label = QLabel()
        self.reply_label.setStyleSheet(f"color: {colors().muted_text.name()};")
        cancel_reply = QToolButton()
        cancel_reply.setText("✕")
        cancel_reply.clicked.connect(lambda: self.set_reply(None))
        reply_layout.addWidget(self.reply_label, 1)
        reply_layout.addWidget(cancel_reply)
        self.reply_bar.hide()

        tools = QHBoxLayout()
        self.emoji_button = self._tool("😀", tr("Emoji"), self._emoji_menu)
        tools.addWidget(self.emoji_button)
        tools.addWidget(self._tool("🖼", tr("Image"), self.pick_image))
        tools.addWidget(self._tool("📎", tr("File"), self.pick_file))
        tools.addWidget(
            self._tool("✂", tr("Screenshot"), lambda: self.screenshot_requested.emit(False))
        )
        tools.addWidget(
            self._tool(
                "✂̶",
                tr("Screenshot (hide this window)"),
                lambda: self.screenshot_requested.emit(True),
            )
        )
        tools.addStretch()

        self.input = MessageInput(
            lambda: str(chat.session.state.social.settings.get("send_key") or "enter")
        )
        self.input.setFixedHeight(90)
        self.input.submitted.connect(self.send)
        self.input.textChanged.connect(self._typed)
        self.input.image_pasted.connect(self.send_pasted_image)
        self.input.files_dropped.connect(self.send_paths)
        self.input.mention_started.connect(self._offer_mentions)
        self.send_button = QPushButton(tr("Send"))
        self.send_button.setObjectName("primary")
        self.send_button.clicked.connect(self.send)
        bottom = QHBoxLayout()
        bottom.addStretch()
        bottom.addWidget(self.send_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 8)
        header.setContentsMargins(14, 0, 10, 4)
        layout.addLayout(header)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.reply_bar)
        tools.setContentsMargins(8, 0, 8, 0)
        layout.addLayout(tools)
        input_row = QVBoxLayout()
        input_row.setContentsMargins(10, 0, 10, 0)
        input_row.addWidget(self.input)
        input_row.addLayout(bottom)
        layout.addLayout(input_row)

        QTimer.singleShot(0, self.list, self.list.scrollToBottom)
        self.show_subtitle()
        if chat.is_group:
            spawn(self._load_members())

    def _tool(self, text: str, tip: str, action: Callable[[], Any]) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setStyleSheet("font-size: 17px;")
        button.clicked.connect(action)
        return button

    async def _load_members(self) -> None:
        await self.chat.load_members()
        self.chat.count_group_reads()

    # History

    def _rows_inserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        if self._anchor is not None or self.chat.has_newer:
            return  # a page of history came: its place is kept
        bar = self.list.verticalScrollBar()
        if bar.value() >= bar.maximum() - 80 or self.chat.items[-1].mine:
            QTimer.singleShot(0, self.list, self.list.scrollToBottom)

    def _scrolled(self, value: int) -> None:
        if self._anchor is not None:
            return
        bar = self.list.verticalScrollBar()
        if value <= 40 and self.chat.has_older:
            self.show_older()
        elif value >= bar.maximum() - 40 and self.chat.has_newer:
            self.show_newer()

    def show_older(self) -> int:
        """Add the page of history above what is shown, keeping what is on screen still."""
        return self._keeping_place(self.chat.load_older)

    def show_newer(self) -> int:
        return self._keeping_place(self.chat.load_newer)

    def _keeping_place(self, load: Callable[[], int]) -> int:
        top = self.list.indexAt(self.list.viewport().rect().topLeft())
        if top.isValid():
            self._anchor = (self.chat.items[top.row()].key, self.list.visualRect(top).top())
        added = load()
        self._restore_place()
        return added

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        if self._anchor is not None:
            self._restore_place()
        elif maximum == 0 and self.chat.has_older and self.isVisible():
            # The page fits without scrolling, so no scrolling up could ask for more.
            QTimer.singleShot(0, self, self.show_older)

    def _restore_place(self) -> None:
        """Scroll so that the row that was on top is where it was."""
        if self._anchor is None:
            return
        key, offset = self._anchor
        self._anchor = None
        row = next((i for i, item in enumerate(self.chat.items) if item.key == key), None)
        if row is None:
            return
        self.list.doItemsLayout()
        index = self.model.index(row)
        bar = self.list.verticalScrollBar()
        bar.setValue(bar.value() + self.list.visualRect(index).top() - offset)

    async def show_message(self, seq: int) -> bool:
        """Open at a message (a search result): its part of the history, it selected and
        in the middle of the view."""
        if not await self.chat.show_around(seq):
            return False
        self.select_message(seq)
        # Once laid out (a chat just opened scrolls to the bottom first), again.
        QTimer.singleShot(0, self, lambda: self.select_message(seq))
        return True

    def select_message(self, seq: int) -> None:
        row = self.chat.row_of(seq)
        if row is None:
            return
        index = self.model.index(row)
        self.list.doItemsLayout()
        self._anchor = ("", 0)  # no paging while it scrolls there
        self.list.setCurrentIndex(index)
        self.list.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self._anchor = None

    @property
    def selected_seqs(self) -> list[int]:
        rows = sorted(i.row() for i in self.list.selectionModel().selectedIndexes())
        return [s for s in (self.chat.items[r].seq for r in rows) if s is not None]

    def want_image(self, item: MessageItem) -> None:
        """Load an image message's picture (the delegate asks when it paints one)."""
        file_id = item.body.get("file_id")
        key = str(file_id or item.key)
        if key in self.model.images or key in self._loading:
            return
        self._loading.add(key)
        pending = [m for m in self.chat.session.pending(self.chat.conversation_id)]
        local = next((m.path for m in pending if f"m{m.client_msg_id}" == item.key), None)
        if local:
            self._show_image(key, Path(local))
            return
        if not file_id:
            return
        name = str(item.body.get("name") or f"{file_id}.png")
        target = self.chat.session.download_path(str(file_id), name)

        async def fetch() -> None:
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                await self.chat.session.files.download(str(file_id), target)
            self._show_image(key, target)

        spawn(fetch())

    def _show_image(self, key: str, path: Path) -> None:
        pixmap = QPixmap(str(path))
        if not pixmap.isNull():
            pixmap = pixmap.scaled(
                440,
                440,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.model.image_loaded(key, pixmap)

    def _activated(self, index: QModelIndex) -> None:
        item: MessageItem = index.data(ItemRole)
        if item.type == "file" and item.body.get("file_id") and item.seq is not None:
            self._toggle_download(item)
        elif item.state == "sending":
            self.chat.pause_upload(item)
        elif item.state == "paused":
            self.chat.resume_upload(item)

    def _toggle_download(self, item: MessageItem) -> None:
        file_id, name = str(item.body["file_id"]), str(item.body.get("name") or "")
        state = self.chat.download_state(file_id, name)
        if state.status == "running":
            self.chat.pause(file_id)
        elif state.status != "done":
            self.chat.download(file_id, name)

    def _context_menu(self, point: QPoint) -> None:
        index = self.list.indexAt(point)
        if not index.isValid():
            return
        item: MessageItem = index.data(ItemRole)
        if item.kind != "message":
            return
        menu = QMenu(self)
        if item.seq is not None:
            menu.addAction(tr("Reply"), lambda: self.set_reply(item))
            menu.addAction(tr("Forward"), lambda: self.forward([item]))
        if item.type == "text":
            menu.addAction(
                tr("Copy"), lambda: QGuiApplication.clipboard().setText(item.body.get("text", ""))
            )
        if item.type == "file" and item.body.get("file_id"):
            state = self.chat.download_state(str(item.body["file_id"]), str(item.body["name"]))
            label = {"running": tr("Pause"), "done": tr("Downloaded")}.get(
                state.status, tr("Continue") if state.done else tr("Save as…")
            )
            menu.addAction(label, lambda: self._toggle_download(item))
        if item.mine and item.seq is not None:
            menu.addAction(tr("Recall"), lambda: self.recall(item))
        if item.state == "failed":
            menu.addAction(tr("Send"), lambda: self.chat.retry(item))
        if item.state == "sending" and item.type in ("file", "image"):
            menu.addAction(tr("Pause"), lambda: self.chat.pause_upload(item))
        if item.state == "paused":
            menu.addAction(tr("Continue"), lambda: self.chat.resume_upload(item))
        menu.popup(self.list.viewport().mapToGlobal(point))

    # Actions

    def set_reply(self, item: MessageItem | None) -> None:
        self.chat.reply_to(item)
        if item is None:
            self.reply_bar.hide()
            return
        self.reply_label.setText(
            tr(
                "Replying to {name}: {text}",
                name=self.chat.session.name_of(item.sender_id),
                text=item.text[:60],
            )
        )
        self.reply_bar.show()
        self.input.setFocus()

    def send(self) -> None:
        text = self.input.toPlainText()
        mentions = [uid for name, uid in self.mentions.items() if f"@{name}" in text]
        if self.chat.send_text(text, mentions) is not None:
            self.input.clear()
            self.mentions.clear()
            self.reply_bar.hide()

    def send_pasted_image(self, image: QImage) -> None:
        path = self.scratch / f"pasted-{id(image)}-{len(list(self.scratch.iterdir()))}.png"
        image.save(str(path))
        self.chat.send_image(path)

    def send_paths(self, paths: list[str]) -> None:
        for path in paths:
            if Path(path).suffix.lower() in IMAGE_SUFFIXES:
                self.chat.send_image(path)
            elif Path(path).is_file():
                self.chat.send_file(path)

    def pick_image(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, tr("Image"), "", "Images (*.png *.jpg *.jpeg *.gif *.webp *.bmp)"
        )
        self.send_paths(paths)

    def pick_file(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, tr("File"))
        for path in paths:
            self.chat.send_file(path)

    def recall(self, item: MessageItem) -> None:
        def refused(error: Exception) -> None:
            QMessageBox.warning(self, tr("Recall"), str(error))

        spawn(self.chat.recall(item), refused)

    def forward(self, items: list[MessageItem]) -> None:
        if self.conversations is None:
            return
        dialog = ForwardDialog(self.conversations, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.targets():
            spawn(self.chat.forward(items, dialog.targets()))

    def _emoji_menu(self) -> None:
        menu = QMenu(self)
        grid = QWidget()
        layout = QGridLayout(grid)
        for n, emoji in enumerate(EMOJI):
            button = QToolButton()
            button.setText(emoji)
            button.setStyleSheet("font-size: 20px;")
            button.clicked.connect(lambda _=False, e=emoji: self._insert_emoji(e, menu))
            layout.addWidget(button, n // 8, n % 8)
        from PySide6.QtWidgets import QWidgetAction

        action = QWidgetAction(menu)
        action.setDefaultWidget(grid)
        menu.addAction(action)
        menu.popup(self.emoji_button.mapToGlobal(QPoint(0, -grid.sizeHint().height() - 10)))

    def _insert_emoji(self, emoji: str, menu: QMenu) -> None:
        self.input.insertPlainText(emoji)
        menu.close()

    def _offer_mentions(self) -> None:
        if not self.chat.is_group:
            return
        menu = QMenu(self)
        for user_id, name in self.chat.mention_candidates("")[:30]:
            action = QAction(name, menu)
            action.triggered.connect(lambda _=False, u=user_id, n=name: self.insert_mention(u, n))
            menu.addAction(action)
        if not menu.isEmpty():
            menu.popup(self.input.mapToGlobal(self.input.cursorRect().bottomRight()))

    def insert_mention(self, user_id: int, name: str) -> None:
        """Complete the ``@`` just typed with a member's name."""
        self.mentions[name] = user_id
        self.input.insertPlainText(f"{name} ")

    def show_info(self) -> None:
        GroupInfoDialog(self.chat, self).exec()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.chat.set_active(True)

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self.chat.set_active(False)

    def dropEvent(self, event: Any) -> None:
        self.input.insertFromMimeData(event.mimeData())

    def dragEnterEvent(self, event: Any) -> None:
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()

    def on_splice(self, _splice: Splice) -> None:
        self.title.setText(self.chat.title)

    def dispose(self) -> list[asyncio.Future[Any]]:
        self._stop_people()
        return self.chat.dispose()

    def show_subtitle(self) -> None:
        self.subtitle.setText(self.chat.subtitle)
        self.subtitle.setVisible(bool(self.subtitle.text()))
        if self.chat.typing and not self._typing_check.isActive():
            self._typing_check.start()

    def _typed(self) -> None:
        if self.input.toPlainText().strip():
            self.chat.typed()

    def _on_session(self, what: Any) -> None:
        typing_here = isinstance(what, Typing) and what.conversation_id == self.chat.conversation_id
        if typing_here or isinstance(what, PresenceChanged) or what == ("presence",):
            self.show_subtitle()
        if what == ("people",):
            # Names arrived: avatars and group sender names are drawn again.
            self.delegate.forget_sizes()
            self.list.viewport().update()
            self.title.setText(self.chat.title)


class ForwardDialog(QDialog):
    def __init__(self, conversations: ConversationListViewModel, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Forward to…"))
        self.list = QListWidget()
        for row in conversations.rows:
            entry = QListWidgetItem(row.title)
            entry.setData(Qt.ItemDataRole.UserRole, row.id)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(entry)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def targets(self) -> list[int]:
        return [
            int(self.list.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]


class GroupInfoDialog(QDialog):
    def __init__(self, chat: ChatViewModel, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Group info"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{chat.title}</b>"))
        layout.addWidget(QLabel(tr("Announcements")))
        announcements = QLabel(
            "\n\n".join(str(a.get("text", "")) for a in chat.announcements)
            or tr("No announcements")
        )
        announcements.setWordWrap(True)
        layout.addWidget(announcements)
        layout.addWidget(QLabel(tr("Members ({n})", n=len(chat.members))))
        members = QListWidget()
        for member in chat.members.values():
            members.addItem(f"{member.get('nickname')}  ·  {member.get('role')}")
        layout.addWidget(members)
        self.resize(320, 420)
