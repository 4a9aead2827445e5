"""The slim main panel (QQ's shape): the user's avatar, name and status on top, a search box,
and tabs — chats, contacts (the organization tree and friends), groups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tidings.desktop.i18n import tr
from tidings.desktop.viewmodels.contacts import ContactsViewModel, Department
from tidings.desktop.viewmodels.conversations import ConversationListViewModel, ConversationRow
from tidings.desktop.viewmodels.search import SearchViewModel
from tidings.desktop.views.friends import AddFriendDialog, FriendRequestsDialog
from tidings.desktop.views.tasks import spawn
from tidings.desktop.views.theme import avatar, colors, with_presence
from tidings.sdk import PresenceChanged, PrivateReceived

RowRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
ROW_HEIGHT = 62


class ConversationListModel(QAbstractListModel):
    def __init__(self, view_model: ConversationListViewModel) -> None:
        super().__init__()
        self.view_model = view_model
        view_model.on_change(self._changed)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.view_model.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.view_model.rows):
            return None
        row = self.view_model.rows[index.row()]
        if role == RowRole:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title
        return None

    def _changed(self) -> None:
        self.beginResetModel()
        self.endResetModel()


class ConversationDelegate(QStyledItemDelegate):
    def __init__(self) -> None:
        super().__init__()
        self.title_font = QFont()
        self.title_font.setPixelSize(14)
        self.small = QFont()
        self.small.setPixelSize(12)
        self.small_metrics = QFontMetrics(self.small)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(200, ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        row: ConversationRow = index.data(RowRole)
        rect: QRect = option.rect
        c = colors()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, c.selection)
        elif row.pinned:
            painter.fillRect(rect, c.window)
        size = 42
        painter.drawPixmap(
            rect.left() + 12,
            rect.top() + (ROW_HEIGHT - size) // 2,
            with_presence(avatar(row.title, size, row.avatar_user_id or row.id), row.online),
        )
        left = rect.left() + 12 + size + 10
        right = rect.right() - 12
        when = _when(row.last_at)
        painter.setFont(self.small)
        painter.setPen(c.muted_text)
        when_w = self.small_metrics.horizontalAdvance(when)
        painter.drawText(QRect(right - when_w, rect.top() + 12, when_w, 18), 0, when)
        painter.setFont(self.title_font)
        painter.setPen(c.text)
        title_metrics = QFontMetrics(self.title_font)
        painter.drawText(
            QRect(left, rect.top() + 10, right - left - when_w - 8, 20),
            0,
            title_metrics.elidedText(
                row.title, Qt.TextElideMode.ElideRight, right - left - when_w - 8
            ),
        )
        painter.setFont(self.small)
        painter.setPen(c.muted_text)
        badge_w = 0
        if row.unread:
            text = str(row.unread) if row.unread < 100 else "99+"
            badge_w = max(18, self.small_metrics.horizontalAdvance(text) + 10)
            badge = QRect(right - badge_w, rect.top() + 34, badge_w, 18)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(c.muted_text if row.muted else c.badge)
            painter.drawRoundedRect(badge, 9, 9)
            painter.setPen(Qt.GlobalColor.white)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
            painter.setPen(c.muted_text)
        preview_w = right - left - badge_w - 6
        painter.drawText(
            QRect(left, rect.top() + 34, preview_w, 18),
            0,
            self.small_metrics.elidedText(row.preview, Qt.TextElideMode.ElideRight, preview_w),
        )
        painter.restore()


def _when(ms: int) -> str:
    if not ms:
        return ""
    moment = datetime.fromtimestamp(ms / 1000)
    if moment.date() == datetime.now().date():
        return moment.strftime("%H:%M")
    return moment.strftime("%m-%d")


class MainPanel(QWidget):
    open_chat = Signal(int)
    # A message found by the search: its conversation and seq.
    open_message = Signal(int, int)
    settings_requested = Signal()
    sign_out_requested = Signal()
    quit_requested = Signal()

    def __init__(
        self,
        conversations: ConversationListViewModel,
        contacts: ContactsViewModel,
        finder: SearchViewModel | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("main-panel")
        self.conversations = conversations
        self.contacts = contacts
        session = conversations.session
        self.finder = finder or SearchViewModel(session)
        self.setWindowTitle(tr("Tidings"))

        name = session.name_of(session.user_id)
        picture = QLabel()
        picture.setPixmap(avatar(name, 48, session.user_id))
        self.name = QLabel(name)
        self.name.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.status = QLabel()
        menu_button = QToolButton()
        menu_button.setText("☰")
        menu = QMenu(menu_button)
        menu.addAction(tr("Settings"), self.settings_requested.emit)
        menu.addAction(tr("Sign out"), self.sign_out_requested.emit)
        menu.addAction(tr("Quit"), self.quit_requested.emit)
        menu_button.setMenu(menu)
        menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        who = QVBoxLayout()
        who.addWidget(self.name)
        who.addWidget(self.status)
        header = QHBoxLayout()
        header.addWidget(picture)
        header.addLayout(who, 1)
        header.addWidget(menu_button, 0, Qt.AlignmentFlag.AlignTop)

        self.search = QLineEdit()
        self.search.setPlaceholderText("🔍 " + tr("Search"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(conversations.search)
        self.search.textChanged.connect(self._query_changed)
        # The server is asked once the user pauses typing.
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(300)
        self.search_timer.timeout.connect(lambda: spawn(self.finder.search(self.search.text())))
        self.results = QTreeWidget()
        self.results.setObjectName("search-results")
        self.results.setHeaderHidden(True)
        self.results.setRootIsDecorated(False)
        self.results.setIconSize(QSize(32, 32))
        self.results.itemActivated.connect(self._result_activated)
        self.results.itemDoubleClicked.connect(self._result_activated)
        self.finder.on_change(self.show_results)
        conversations.on_change(self._chats_changed)

        self.chat_list = QListView()
        self.chat_model = ConversationListModel(conversations)
        self.chat_list.setModel(self.chat_model)
        self.chat_list.setItemDelegate(ConversationDelegate())
        self.chat_list.setUniformItemSizes(True)
        self.chat_list.activated.connect(self._chat_activated)
        self.chat_list.doubleClicked.connect(self._chat_activated)

        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.itemExpanded.connect(self._department_expanded)
        self.tree.itemDoubleClicked.connect(self._person_activated)

        self.groups = QListWidget()
        self.groups.itemDoubleClicked.connect(
            lambda item: self.open_chat.emit(int(item.data(Qt.ItemDataRole.UserRole)))
        )

        self.tabs = QTabWidget()
        self.tabs.addTab(self.chat_list, tr("Chats"))
        # The contacts tab: "new friends" (with the count waiting) and "add friend" on top.
        self.new_friends = QPushButton()
        self.new_friends.setObjectName("new-friends")
        self.new_friends.setFlat(True)
        self.new_friends.setStyleSheet("text-align: left; padding: 6px 10px;")
        self.new_friends.clicked.connect(self.show_friend_requests)
        self.add_friend = QToolButton()
        self.add_friend.setObjectName("add-friend-button")
        self.add_friend.setText("+👤")
        self.add_friend.setToolTip(tr("Add friend"))
        self.add_friend.clicked.connect(self.show_add_friend)
        contacts_top = QHBoxLayout()
        contacts_top.setContentsMargins(4, 4, 8, 0)
        contacts_top.addWidget(self.new_friends, 1)
        contacts_top.addWidget(self.add_friend)
        contacts_page = QWidget()
        contacts_layout = QVBoxLayout(contacts_page)
        contacts_layout.setContentsMargins(0, 0, 0, 0)
        contacts_layout.setSpacing(0)
        contacts_layout.addLayout(contacts_top)
        contacts_layout.addWidget(self.tree, 1)
        self.friend_dialog: QDialog | None = None
        self.tabs.addTab(contacts_page, tr("Contacts"))
        self.tabs.addTab(self.groups, tr("Groups"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.tabs.setDocumentMode(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        header.setContentsMargins(14, 0, 10, 6)
        layout.addLayout(header)
        search_row = QHBoxLayout()
        search_row.setContentsMargins(12, 0, 12, 6)
        search_row.addWidget(self.search)
        layout.addLayout(search_row)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.tabs)
        self.pages.addWidget(self.results)
        layout.addWidget(self.pages, 1)
        self.setMinimumWidth(280)
        self.resize(300, 640)
        self.tree.setIconSize(QSize(28, 28))
        self._stop = session.on(self._on_session)
        self.show_status()
        self.show_new_friends()

    def _on_session(self, what: Any) -> None:
        self.show_status()
        if isinstance(what, PresenceChanged) or what == ("presence",):
            self._presence_changed()
        elif isinstance(what, PrivateReceived):
            self.show_new_friends()
            kind = what.entry.get("kind")
            if kind in ("friend_added", "friend_removed", "contact_updated"):
                self.show_friends()

    # Friends

    def show_new_friends(self) -> None:
        count = self.contacts.pending_count
        self.new_friends.setText(
            "👋 " + (tr("New friends ({count})", count=count) if count else tr("New friends"))
        )

    def show_friend_requests(self) -> FriendRequestsDialog:
        dialog = FriendRequestsDialog(self.contacts, self)
        self.friend_dialog = dialog
        dialog.open()
        return dialog

    def show_add_friend(self) -> AddFriendDialog:
        dialog = AddFriendDialog(self.contacts, self)
        self.friend_dialog = dialog
        dialog.open()
        return dialog

    def show_friends(self) -> None:
        """The friends section of the contacts tab, again (once the tab was opened)."""
        if self.tree.topLevelItemCount() == 0:
            return
        friends = self.tree.topLevelItem(0)
        assert friends is not None
        friends.takeChildren()
        for user_id, name in self.contacts.friends():
            friends.addChild(self._person_item(user_id, name))

    def show_status(self) -> None:
        session = self.conversations.session
        words = {"online": "Online", "connecting": "Connecting…", "offline": "Offline"}
        dot = {"online": "#52c41a", "connecting": "#faad14", "offline": "#8a9099"}
        status = session.status
        self.status.setText(f"<span style='color:{dot[status]}'>●</span> {tr(words[status])}")
        self.name.setText(session.name_of(session.user_id))

    # Search

    def _query_changed(self, text: str) -> None:
        searching = bool(text.strip())
        self.pages.setCurrentWidget(self.results if searching else self.tabs)
        if searching:
            self.search_timer.start()
        else:
            self.search_timer.stop()
            spawn(self.finder.search(""))
        self.show_results()

    def _chats_changed(self) -> None:
        if self.pages.currentWidget() is self.results:
            self.show_results()

    def show_results(self) -> None:
        """The chat list's matches, then people, groups and messages found."""
        self.results.clear()
        if not self.search.text().strip():
            return
        finder = self.finder
        chats = [r for r in self.conversations.rows if r.type != "group"]
        sections: list[tuple[str, list[QTreeWidgetItem]]] = [
            (
                tr("Chats"),
                [
                    self._result(r.title, r.preview, ("chat", r.id), r.avatar_user_id or r.id)
                    for r in chats
                ],
            ),
            (
                tr("People"),
                [
                    self._result(p.name, p.account, ("user", p.user_id), p.user_id)
                    for p in finder.people
                ],
            ),
            (
                tr("Groups"),
                [
                    self._result(g.title, "", ("chat", g.conversation_id), g.conversation_id)
                    for g in finder.groups
                ],
            ),
            (
                tr("Messages"),
                [
                    self._result(
                        m.chat_title,
                        f"{self.conversations.session.name_of(m.sender_id)}: {m.snippet}",
                        ("message", (m.conversation_id, m.seq)),
                        m.conversation_id,
                    )
                    for m in finder.messages
                ],
            ),
        ]
        for title, items in sections:
            if not items:
                continue
            section = QTreeWidgetItem([title])
            section.setFlags(Qt.ItemFlag.ItemIsEnabled)
            section.setForeground(0, colors().muted_text)
            self.results.addTopLevelItem(section)
            section.addChildren(items)
            section.setExpanded(True)
        if finder.searching:
            waiting = QTreeWidgetItem([tr("Searching…")])
            waiting.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addTopLevelItem(waiting)
        elif self.results.topLevelItemCount() == 0:
            nothing = QTreeWidgetItem([tr("No results")])
            nothing.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addTopLevelItem(nothing)

    def _result(self, title: str, detail: str, key: tuple[str, Any], seed: int) -> QTreeWidgetItem:
        item = QTreeWidgetItem([f"{title}\n{detail}" if detail else title])
        item.setIcon(0, avatar(title, 32, seed))
        item.setToolTip(0, detail or title)
        item.setData(0, Qt.ItemDataRole.UserRole, key)
        return item

    def result_items(self) -> dict[str, list[QTreeWidgetItem]]:
        """The results shown, by section title."""
        sections: dict[str, list[QTreeWidgetItem]] = {}
        for i in range(self.results.topLevelItemCount()):
            section = self.results.topLevelItem(i)
            assert section is not None
            children = (section.child(j) for j in range(section.childCount()))
            sections[section.text(0)] = [c for c in children if c is not None]
        return sections

    def _result_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        kind: str
        key: Any
        kind, key = item.data(0, Qt.ItemDataRole.UserRole) or ("", 0)
        if kind == "chat":
            self.open_chat.emit(int(key))
        elif kind == "message":
            self.open_message.emit(int(key[0]), int(key[1]))
        elif kind == "user":

            async def open_direct() -> None:
                self.open_chat.emit(await self.finder.open_person(int(key)))

            spawn(open_direct())

    def _chat_activated(self, index: QModelIndex) -> None:
        row: ConversationRow = index.data(RowRole)
        self.open_chat.emit(row.id)

    def _tab_changed(self, tab: int) -> None:
        if tab == 1 and self.tree.topLevelItemCount() == 0:
            spawn(self.load_contacts())
        elif tab == 2:
            self.groups.clear()
            for conv_id, title in self.contacts.groups():
                item = QListWidgetItem(avatar(title, 32, conv_id), title)
                item.setData(Qt.ItemDataRole.UserRole, conv_id)
                self.groups.addItem(item)

    async def load_contacts(self) -> None:
        self.tree.clear()
        friends = QTreeWidgetItem([tr("Friends")])
        for user_id, name in self.contacts.friends():
            friends.addChild(self._person_item(user_id, name))
        self.tree.addTopLevelItem(friends)
        friends.setExpanded(True)
        await self.contacts.load_tree()
        top = QTreeWidgetItem([self.contacts.company or tr("Organization")])
        self.tree.addTopLevelItem(top)
        for department in self.contacts.roots:
            top.addChild(self._department_item(department))
        top.setExpanded(True)

    def _person_item(self, user_id: int, name: str) -> QTreeWidgetItem:
        """Someone in the contacts tab: avatar with presence dot, and name."""
        person = QTreeWidgetItem([name])
        person.setData(0, Qt.ItemDataRole.UserRole, ("user", user_id))
        session = self.conversations.session
        session.watch_presence([user_id])
        person.setIcon(0, with_presence(avatar(name, 28, user_id), session.online(user_id)))
        return person

    def people_items(self) -> list[QTreeWidgetItem]:
        """Every person shown in the contacts tab."""
        found: list[QTreeWidgetItem] = []
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item is None:
                continue
            kind, _key = item.data(0, Qt.ItemDataRole.UserRole) or ("", 0)
            if kind == "user":
                found.append(item)
            stack.extend(item.child(i) for i in range(item.childCount()))
        return found

    def _presence_changed(self) -> None:
        session = self.conversations.session
        for item in self.people_items():
            _kind, user_id = item.data(0, Qt.ItemDataRole.UserRole)
            item.setIcon(
                0, with_presence(avatar(item.text(0), 28, user_id), session.online(user_id))
            )

    def _department_item(self, department: Department) -> QTreeWidgetItem:
        item = QTreeWidgetItem([f"{department.name} ({department.member_count})"])
        item.setData(0, Qt.ItemDataRole.UserRole, ("department", department.id))
        for child in department.children:
            item.addChild(self._department_item(child))
        if department.member_count:
            item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        return item

    def _department_expanded(self, item: QTreeWidgetItem) -> None:
        kind, key = item.data(0, Qt.ItemDataRole.UserRole) or ("", 0)
        if kind != "department" or self.contacts.departments[key].members is not None:
            return

        async def load() -> None:
            for member in await self.contacts.load_members(key):
                name = str(member.get("nickname") or member["account"])
                item.addChild(self._person_item(int(member["id"]), name))

        spawn(load())

    def _person_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        kind, key = item.data(0, Qt.ItemDataRole.UserRole) or ("", 0)
        if kind != "user" or key == self.conversations.session.user_id:
            return

        async def open_direct() -> None:
            self.open_chat.emit(await self.contacts.open_direct(key))

        spawn(open_direct())
