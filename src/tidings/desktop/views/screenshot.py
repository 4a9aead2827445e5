"""Screenshots (PRODUCT.md I6): capture the screen (optionally hiding the app's windows
first), drag to keep a region, annotate — rectangle, ellipse, arrow, pen, text, mosaic,
undo — and send the result into the chat as an image.

The canvas and the image that is sent are painted by the same function, ``paint_shapes``.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tidings.desktop.i18n import tr
from tidings.desktop.viewmodels.annotation import AnnotationModel, Shape

TOOL_LABELS = {
    "rectangle": ("▭", "Rectangle"),
    "ellipse": ("◯", "Ellipse"),
    "arrow": ("↗", "Arrow"),
    "pen": ("✎", "Pen"),
    "text": ("T", "Text"),
    "mosaic": ("▦", "Mosaic"),
}
MOSAIC_BLOCK = 10


async def capture(hide: Sequence[QWidget] = (), settle: float = 0.25) -> QPixmap:
    """The whole primary screen; ``hide`` windows are hidden while it is taken."""
    hidden = [w for w in hide if w.isVisible()]
    for window in hidden:
        window.hide()
    if hidden:
        await asyncio.sleep(settle)  # let the compositor repaint without them
    try:
        screen = QGuiApplication.primaryScreen()
        return screen.grabWindow(0)
    finally:
        for window in hidden:
            window.show()


def paint_shapes(painter: QPainter, image: QImage, shapes: Sequence[Shape]) -> None:
    """Draw ``shapes`` (in ``image``'s pixels) with ``painter`` set to image coordinates."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for shape in shapes:
        color = QColor(shape.color)
        pen = QPen(color, shape.width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        x, y, w, h = shape.bounds
        if shape.tool == "rectangle":
            painter.drawRect(QRect(x, y, w, h))
        elif shape.tool == "ellipse":
            painter.drawEllipse(QRect(x, y, w, h))
        elif shape.tool == "pen" and len(shape.points) > 1:
            painter.drawPolyline(QPolygonF([QPointF(px, py) for px, py in shape.points]))
        elif shape.tool == "arrow" and len(shape.points) > 1:
            (x1, y1), (x2, y2) = shape.points[0], shape.points[-1]
            painter.drawLine(x1, y1, x2, y2)
            angle = math.atan2(y2 - y1, x2 - x1)
            head = 14
            left = QPointF(x2 - head * math.cos(angle - 0.45), y2 - head * math.sin(angle - 0.45))
            right = QPointF(x2 - head * math.cos(angle + 0.45), y2 - head * math.sin(angle + 0.45))
            painter.setBrush(color)
            painter.drawPolygon(QPolygonF([QPointF(x2, y2), left, right]))
        elif shape.tool == "text" and shape.text:
            font = QFont()
            font.setPixelSize(20)
            painter.setFont(font)
            painter.drawText(QPoint(x, y + 20), shape.text)
        elif shape.tool == "mosaic" and w > 1 and h > 1:
            region = image.copy(QRect(x, y, w, h))
            small = region.scaled(
                max(1, w // MOSAIC_BLOCK),
                max(1, h // MOSAIC_BLOCK),
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.FastTransformation,
            )
            painter.drawImage(
                QRect(x, y, w, h),
                small.scaled(
                    w,
                    h,
                    Qt.AspectRatioMode.IgnoreAspectRatio,
                    Qt.TransformationMode.FastTransformation,
                ),
            )


def render(capture_image: QImage, model: AnnotationModel) -> QImage:
    """The image to send: the capture with the shapes, cut to the region kept."""
    result = capture_image.convertToFormat(QImage.Format.Format_RGB32)
    painter = QPainter(result)
    paint_shapes(painter, capture_image, model.shapes)
    painter.end()
    if model.crop is not None:
        result = result.copy(QRect(*model.crop))
    return result


class Canvas(QWidget):
    """The capture, scaled to fit, with the shapes over it; drags draw with the model's tool
    (the first drag, before any region is kept, chooses the region)."""

    def __init__(self, image: QImage, model: AnnotationModel) -> None:
        super().__init__()
        self.image = image
        self.model = model
        self.choosing_region = True
        self._region_start: tuple[int, int] | None = None
        self._region_end: tuple[int, int] | None = None
        model.on_change(self.update)
        self.setMouseTracking(False)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def scale(self) -> float:
        if self.image.width() == 0 or self.image.height() == 0:
            return 1.0
        return min(self.width() / self.image.width(), self.height() / self.image.height(), 1.0)

    def to_image(self, point: QPointF) -> tuple[int, int]:
        s = self.scale()
        return int(point.x() / s), int(point.y() / s)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        s = self.scale()
        painter.scale(s, s)
        painter.drawImage(0, 0, self.image)
        paint_shapes(painter, self.image, self.model.shapes)
        region = self.model.crop
        if region is None and self._region_start and self._region_end:
            (x1, y1), (x2, y2) = self._region_start, self._region_end
            region = (min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1))
        if region is not None:
            shade = QColor(0, 0, 0, 110)
            x, y, w, h = region
            full = QRectF(0, 0, self.image.width(), self.image.height())
            painter.fillRect(QRectF(0, 0, full.width(), y), shade)
            painter.fillRect(QRectF(0, y + h, full.width(), full.height() - y - h), shade)
            painter.fillRect(QRectF(0, y, x, h), shade)
            painter.fillRect(QRectF(x + w, y, full.width() - x - w, h), shade)
            painter.setPen(QPen(QColor("#1677ff"), 2 / s))
            painter.drawRect(QRect(x, y, w, h))
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        point = self.to_image(event.position())
        if self.choosing_region:
            self._region_start = self._region_end = point
            return
        if self.model.tool == "text":
            text, ok = QInputDialog.getText(self, tr("Text"), tr("Text"))
            if ok and text:
                self.model.begin(point, text)
            return
        self.model.begin(point)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = self.to_image(event.position())
        if self.choosing_region:
            self._region_end = point
            self.update()
        elif self.model.tool != "text":
            self.model.extend(point)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.choosing_region and self._region_start is not None:
            (x1, y1), (x2, y2) = self._region_start, self.to_image(event.position())
            if abs(x2 - x1) > 4 and abs(y2 - y1) > 4:
                self.model.set_crop(min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1))
            self.choosing_region = False


class AnnotationEditor(QDialog):
    """The editor around a capture; ``sent`` carries the rendered image."""

    sent = Signal(QImage)

    def __init__(self, pixmap: QPixmap, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screenshot-editor")
        self.setWindowTitle(tr("Screenshot"))
        self.image = pixmap.toImage()
        self.model = AnnotationModel(self.image.width(), self.image.height())
        self.canvas = Canvas(self.image, self.model)
        hint = QLabel(tr("Select a region, or press Enter for the whole screen"))
        tools = QHBoxLayout()
        self.tool_buttons: dict[str, QToolButton] = {}
        for tool, (symbol, word) in TOOL_LABELS.items():
            button = QToolButton()
            button.setText(symbol)
            button.setToolTip(tr(word))
            button.setCheckable(True)
            button.setStyleSheet("font-size: 17px;")
            button.clicked.connect(lambda _=False, t=tool: self.choose(t))
            self.tool_buttons[tool] = button
            tools.addWidget(button)
        undo = QToolButton()
        undo.setText("↶")
        undo.setToolTip(tr("Undo"))
        undo.clicked.connect(self.model.undo)
        tools.addWidget(undo)
        tools.addStretch()
        cancel = QPushButton(tr("Cancel"))
        cancel.clicked.connect(self.reject)
        send = QPushButton(tr("Send screenshot"))
        send.setObjectName("primary")
        send.clicked.connect(self.send)
        tools.addWidget(cancel)
        tools.addWidget(send)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.model.undo)
        QShortcut(QKeySequence(Qt.Key.Key_Return), self, self.send)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(tools)
        self.model.choose("rectangle")
        self.tool_buttons["rectangle"].setChecked(True)
        self.resize(min(1000, self.image.width() + 40), min(760, self.image.height() + 120))

    def choose(self, tool: str) -> None:
        """Pick a tool; drawing starts, on the whole capture if no region was kept."""
        self.model.choose(tool)
        self.canvas.choosing_region = False
        for name, button in self.tool_buttons.items():
            button.setChecked(name == tool)

    def result_image(self) -> QImage:
        return render(self.image, self.model)

    def send(self) -> None:
        self.sent.emit(self.result_image())
        self.accept()
