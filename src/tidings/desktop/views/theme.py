"""Light and dark, following the system (or ``--theme``), and the pictures the app draws
itself — avatars with initials, the app and tray icon with its unread badge — so that it
ships no image files and stays sharp at any device pixel ratio."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Colors:
    dark: bool
    window: QColor
    panel: QColor
    text: QColor
    muted_text: QColor
    accent: QColor
    mine_bubble: QColor
    mine_text: QColor
    their_bubble: QColor
    selection: QColor
    badge: QColor


LIGHT = Colors(
    dark=False,
    window=QColor("#f5f6f8"),
    panel=QColor("#ffffff"),
    text=QColor("#1f2329"),
    muted_text=QColor("#8a9099"),
    accent=QColor("#1677ff"),
    mine_bubble=QColor("#1677ff"),
    mine_text=QColor("#ffffff"),
    their_bubble=QColor("#ffffff"),
    selection=QColor("#e6f0ff"),
    badge=QColor("#f5222d"),
)
DARK = Colors(
    dark=True,
    window=QColor("#17181a"),
    panel=QColor("#222326"),
    text=QColor("#e8eaed"),
    muted_text=QColor("#8d929a"),
    accent=QColor("#4c8dff"),
    mine_bubble=QColor("#2f6fe0"),
    mine_text=QColor("#ffffff"),
    their_bubble=QColor("#2c2e33"),
    selection=QColor("#26344d"),
    badge=QColor("#ff4d4f"),
)

_current = LIGHT


def colors() -> Colors:
    return _current


def system_is_dark() -> bool:
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def apply_theme(app: QApplication, theme: str = "system") -> Colors:
    """``light``, ``dark`` or ``system``; sets the palette the widgets draw with."""
    global _current
    dark = system_is_dark() if theme == "system" else theme == "dark"
    _current = DARK if dark else LIGHT
    app.setStyle("Fusion")
    c = _current
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, c.window)
    palette.setColor(QPalette.ColorRole.Base, c.panel)
    palette.setColor(QPalette.ColorRole.AlternateBase, c.window)
    palette.setColor(QPalette.ColorRole.Text, c.text)
    palette.setColor(QPalette.ColorRole.WindowText, c.text)
    palette.setColor(QPalette.ColorRole.Button, c.panel)
    palette.setColor(QPalette.ColorRole.ButtonText, c.text)
    palette.setColor(QPalette.ColorRole.Highlight, c.accent)
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, c.muted_text)
    palette.setColor(QPalette.ColorRole.ToolTipBase, c.panel)
    palette.setColor(QPalette.ColorRole.ToolTipText, c.text)
    app.setPalette(palette)
    m = c.muted_text
    border = f"rgba({m.red()}, {m.green()}, {m.blue()}, 90)"
    app.setStyleSheet(
        f"""
        QTabBar::tab {{ padding: 6px 14px; border: none; color: {c.muted_text.name()}; }}
        QTabBar::tab:selected {{ color: {c.accent.name()}; border-bottom: 2px solid
            {c.accent.name()}; }}
        QLineEdit, QTextEdit, QPlainTextEdit {{ border: 1px solid {border};
            border-radius: 6px; padding: 4px 6px; }}
        QPushButton#primary {{ background: {c.accent.name()}; color: white; border: none;
            border-radius: 6px; padding: 6px 18px; }}
        QToolButton {{ border: none; padding: 4px; }}
        QListView, QTreeWidget, QListWidget {{ border: none; }}
        QScrollBar:vertical {{ width: 8px; background: transparent; margin: 0; }}
        QScrollBar::handle:vertical {{ background: {border}; border-radius: 4px;
            min-height: 30px; }}
        QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; }}
        QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical {{ background: none; }}
        """
    )
    return _current


def hue_of(seed: str) -> int:
    return int(hashlib.md5(seed.encode(), usedforsecurity=False).hexdigest()[:4], 16) % 360


def avatar(name: str, size: int, seed: str | int | None = None, ratio: float = 2.0) -> QPixmap:
    """A round avatar with the name's first character on a colour chosen by ``seed``."""
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor.fromHsl(hue_of(str(seed if seed is not None else name)), 150, 120))
    painter.drawEllipse(QRectF(0, 0, size, size))
    font = QFont()
    font.setPixelSize(int(size * 0.45))
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    initial = (name.strip()[:1] or "?").upper()
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, initial)
    painter.end()
    return pixmap


def with_presence(pixmap: QPixmap, online: bool | None) -> QPixmap:
    """An avatar with its presence dot (bottom right): green online, grey offline; none
    when unknown (not watched)."""
    if online is None:
        return pixmap
    marked = QPixmap(pixmap)
    size = marked.width() / marked.devicePixelRatio()
    dot = max(8.0, size * 0.28)
    painter = QPainter(marked)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(colors().panel, max(1.5, dot * 0.18)))
    painter.setBrush(QColor("#52c41a") if online else QColor("#b8bcc2"))
    painter.drawEllipse(QRectF(size - dot, size - dot, dot - 1, dot - 1))
    painter.end()
    return marked


def app_icon(unread: int = 0, lit: bool = True) -> QIcon:
    """The Tidings icon: a speech bubble; with a red count while there is unread; dimmed
    (``lit=False``) for the off beat of the tray's flashing."""
    size = 64
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    bubble = QPainterPath()
    bubble.addRoundedRect(QRectF(4, 6, 50, 40), 14, 14)
    bubble.moveTo(16, 44)
    bubble.lineTo(12, 58)
    bubble.lineTo(28, 45)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#1677ff") if lit else QColor("#9aa7b8"))
    painter.drawPath(bubble.simplified())
    painter.setBrush(QColor("#ffffff"))
    for x in (17, 29, 41):
        painter.drawEllipse(QRectF(x - 4, 22, 8, 8))
    if unread:
        painter.setBrush(QColor("#f5222d"))
        painter.drawEllipse(QRectF(36, 0, 28, 28))
        font = QFont()
        font.setPixelSize(16 if unread < 100 else 12)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(
            QRectF(36, 0, 28, 28),
            Qt.AlignmentFlag.AlignCenter,
            str(unread) if unread < 100 else "99+",
        )
    painter.end()
    return QIcon(pixmap)
