"""A chat's history as one QListView over a model: a delegate paints each message (bubble,
avatar, reply quote, image, file card, state), and sizes are measured once per width, so
10,000 messages scroll as smoothly as 10 — no widget per message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from tidings.desktop.i18n import tr
from tidings.desktop.viewmodels.chat import ChatViewModel, MessageItem, Splice
from tidings.desktop.views.theme import avatar, colors

ItemRole = Qt.ItemDataRole.UserRole + 1
AVATAR = 34
PAD = 10
BUBBLE_PAD = 9
IMAGE_MAX = 220
FILE_CARD = QSize(240, 64)

Index = QModelIndex | QPersistentModelIndex


class MessageListModel(QAbstractListModel):
    def __init__(self, chat: ChatViewModel) -> None:
        super().__init__()
        self.chat = chat
        self.images: dict[str, QPixmap] = {}
        # Asked for an image message's picture the first time it is painted.
        self.want_image: Callable[[MessageItem], None] | None = None
        chat.on_change(self._apply)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.chat.items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.chat.items):
            return None
        item = self.chat.items[index.row()]
        if role == ItemRole:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return item.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return datetime.fromtimestamp(item.created_at / 1000).strftime("%Y-%m-%d %H:%M")
        return None

    def item(self, row: int) -> MessageItem:
        return self.chat.items[row]

    def _apply(self, splice: Splice) -> None:
        start, removed, inserted, changed = splice
        # The view model has already moved on: tell the view in the same order.
        if removed:
            self.beginRemoveRows(QModelIndex(), start, start + removed - 1)
            self.endRemoveRows()
        if inserted:
            self.beginInsertRows(QModelIndex(), start, start + inserted - 1)
            self.endInsertRows()
        for row in changed:
            index = self.index(row)
            self.dataChanged.emit(index, index)

    def image_loaded(self, file_id: str, pixmap: QPixmap) -> None:
        self.images[file_id] = pixmap
        for row, item in enumerate(self.chat.items):
            if item.body.get("file_id") == file_id:
                self.dataChanged.emit(self.index(row), self.index(row))


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


class MessageDelegate(QStyledItemDelegate):
    """Paints one message; ``layout`` is shared by painting and measuring."""

    def __init__(self, model: MessageListModel) -> None:
        super().__init__()
        self.model = model
        self.font = QFont()
        self.font.setPixelSize(14)
        self.small = QFont()
        self.small.setPixelSize(11)
        self.metrics = QFontMetrics(self.font)
        self.small_metrics = QFontMetrics(self.small)
        self._sizes: dict[tuple[Any, ...], QSize] = {}
        self._avatars: dict[int | None, QPixmap] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        item: MessageItem = index.data(ItemRole)
        width = option.rect.width() or 600
        key = (
            item.key,
            item.text,
            item.recalled,
            item.type,
            bool(item.state),
            item.reply_to_seq,
            item.forwarded,
            width,
        )
        found = self._sizes.get(key)
        if found is None:
            found = QSize(width, self._layout(item, width)["height"])
            if len(self._sizes) > 50_000:
                self._sizes.clear()
            self._sizes[key] = found
        return found

    def _content_size(self, item: MessageItem, width: int) -> QSize:
        max_text = max(120, int(width * 0.62))
        if item.type == "image" and not item.recalled:
            w = int(item.body.get("width") or 200)
            h = int(item.body.get("height") or 150)
            scale = min(1.0, IMAGE_MAX / max(w, h, 1))
            return QSize(max(40, int(w * scale)), max(40, int(h * scale)))
        if item.type == "file" and not item.recalled:
            return FILE_CARD
        rect = self.metrics.boundingRect(
            QRect(0, 0, max_text, 100_000), Qt.TextFlag.TextWordWrap, item.text or " "
        )
        return QSize(rect.width() + 2, rect.height())

    def _layout(self, item: MessageItem, width: int) -> dict[str, Any]:
        if item.kind == "event":
            height = self.small_metrics.height() + 2 * PAD
            return {"height": height}
        show_name = self.model.chat.is_group and not item.mine
        name_h = self.small_metrics.height() + 2 if show_name else 0
        content = self._content_size(item, width)
        quote = self.model.chat.quote(item.reply_to_seq) if item.reply_to_seq else ""
        quote_h = self.small_metrics.height() + 6 if quote else 0
        forwarded_h = self.small_metrics.height() + 2 if item.forwarded else 0
        bubble_w = max(content.width(), 60 if quote else 0) + 2 * BUBBLE_PAD
        if quote:
            bubble_w = max(
                bubble_w,
                min(
                    self.small_metrics.horizontalAdvance(quote) + 2 * BUBBLE_PAD,
                    content.width() + 2 * BUBBLE_PAD + 120,
                ),
            )
        bubble_h = content.height() + 2 * BUBBLE_PAD + quote_h + forwarded_h
        if item.type == "image" and not item.recalled and not quote and not item.forwarded:
            bubble_w, bubble_h = content.width(), content.height()
        state_h = self.small_metrics.height() + 2 if item.mine and item.state else 0
        height = PAD + name_h + max(bubble_h, AVATAR) + state_h + PAD // 2
        return {
            "height": height,
            "name_h": name_h,
            "content": content,
            "quote": quote,
            "quote_h": quote_h,
            "forwarded_h": forwarded_h,
            "bubble": QSize(bubble_w, bubble_h),
        }

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        item: MessageItem = index.data(ItemRole)
        rect: QRect = option.rect
        c = colors()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, c.selection)
        if item.kind == "event":
            painter.setFont(self.small)
            painter.setPen(c.muted_text)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, item.text)
            painter.restore()
            return
        box = self._layout(item, rect.width())
        top = rect.top() + PAD
        avatar_x = rect.right() - PAD - AVATAR if item.mine else rect.left() + PAD
        painter.drawPixmap(avatar_x, top, self._avatar(item.sender_id))
        if box["name_h"]:
            painter.setFont(self.small)
            painter.setPen(c.muted_text)
            painter.drawText(
                avatar_x + AVATAR + 8,
                top + self.small_metrics.ascent(),
                self.model.chat.session.name_of(item.sender_id),
            )
            top += box["name_h"]
        bubble: QSize = box["bubble"]
        bx = avatar_x - 8 - bubble.width() if item.mine else avatar_x + AVATAR + 8
        bubble_rect = QRect(bx, top, bubble.width(), bubble.height())
        plain = (
            item.type == "image" and not item.recalled and not box["quote"] and not item.forwarded
        )
        if not plain:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(c.mine_bubble if item.mine else c.their_bubble)
            painter.drawRoundedRect(bubble_rect, 10, 10)
        text_color = c.mine_text if item.mine else c.text
        y = top + BUBBLE_PAD
        x = bx + BUBBLE_PAD
        painter.setFont(self.small)
        if box["forwarded_h"]:
            painter.setPen(text_color)
            painter.drawText(x, y + self.small_metrics.ascent(), "↪ " + tr("Forward"))
            y += box["forwarded_h"]
        if box["quote"]:
            painter.setPen(text_color)
            painter.setOpacity(0.75)
            painter.drawText(
                QRect(x, y, bubble.width() - 2 * BUBBLE_PAD, self.small_metrics.height()),
                Qt.AlignmentFlag.AlignLeft,
                self.small_metrics.elidedText(
                    "│ " + box["quote"],
                    Qt.TextElideMode.ElideRight,
                    bubble.width() - 2 * BUBBLE_PAD,
                ),
            )
            painter.setOpacity(1.0)
            y += box["quote_h"]
        content: QSize = box["content"]
        content_rect = QRect(x, y, content.width(), content.height())
        if item.type == "image" and not item.recalled:
            if plain:
                content_rect = QRect(bx, top, content.width(), content.height())
            pixmap = self.model.images.get(str(item.body.get("file_id") or item.key))
            if pixmap is not None and not pixmap.isNull():
                painter.drawPixmap(content_rect, pixmap)
            else:
                if pixmap is None and self.model.want_image is not None:
                    self.model.want_image(item)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(c.selection)
                painter.drawRoundedRect(content_rect, 8, 8)
                painter.setPen(c.muted_text)
                painter.setFont(self.small)
                painter.drawText(content_rect, Qt.AlignmentFlag.AlignCenter, tr("[Image]"))
        elif item.type == "file" and not item.recalled:
            self._paint_file(painter, item, content_rect, text_color)
        else:
            painter.setFont(self.font)
            painter.setPen(text_color)
            painter.drawText(
                content_rect, Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft, item.text
            )
        if item.mine and item.state:
            painter.setFont(self.small)
            painter.setPen(c.badge if item.state == "failed" else c.muted_text)
            label = self._state_label(item)
            w = self.small_metrics.horizontalAdvance(label)
            painter.drawText(
                bubble_rect.right() - w,
                bubble_rect.bottom() + 2 + self.small_metrics.ascent(),
                label,
            )
        painter.restore()

    def _state_label(self, item: MessageItem) -> str:
        if item.state == "failed":
            return tr("Failed: {code}", code=item.failed or "")
        if item.state == "paused":
            if item.progress is not None:
                return tr("Paused") + f" {int(item.progress * 100)}%"
            return tr("Paused")
        if item.state == "sending":
            if item.progress is not None and item.progress < 1:
                return tr("Uploading {percent}%", percent=int(item.progress * 100))
            return tr("Sending…")
        if item.read_count:
            return tr("{n} read", n=item.read_count)
        return {"read": tr("Read"), "delivered": tr("Delivered"), "sent": tr("Sent")}[item.state]

    def _paint_file(self, painter: QPainter, item: MessageItem, rect: QRect, color: Any) -> None:
        icon = QRect(rect.left(), rect.top() + 6, 40, 48)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colors().accent if not item.mine else colors().mine_text)
        painter.drawRoundedRect(icon, 6, 6)
        painter.setPen(colors().panel if not item.mine else colors().mine_bubble)
        painter.setFont(self.small)
        name = str(item.body.get("name") or "")
        extension = name.rsplit(".", 1)[-1][:4].upper() if "." in name else "FILE"
        painter.drawText(icon, Qt.AlignmentFlag.AlignCenter, extension)
        painter.setPen(color)
        painter.setFont(self.font)
        text_x = icon.right() + 10
        width = rect.right() - text_x
        painter.drawText(
            text_x,
            rect.top() + 6 + self.metrics.ascent(),
            self.metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, width),
        )
        painter.setFont(self.small)
        status = _human_size(int(item.body.get("size") or 0))
        file_id = item.body.get("file_id")
        if file_id:
            download = self.model.chat.download_state(str(file_id), name)
            if download.status == "running" and download.total:
                status += " · " + tr(
                    "Downloading {percent}%", percent=int(100 * download.done / download.total)
                )
            elif download.status == "done":
                status += " · " + tr("Downloaded")
            elif download.done:
                status += " · " + tr("Paused")
        elif item.progress is not None:
            status += " · " + tr("Uploading {percent}%", percent=int(item.progress * 100))
        painter.drawText(text_x, rect.top() + 40 + self.small_metrics.ascent(), status)

    def _avatar(self, user_id: int | None) -> QPixmap:
        found = self._avatars.get(user_id)
        if found is None:
            name = self.model.chat.session.name_of(user_id)
            found = self._avatars[user_id] = avatar(name, AVATAR, user_id)
        return found

    def forget_sizes(self) -> None:
        self._sizes.clear()
        self._avatars.clear()
