"""A screenshot being annotated (PRODUCT.md I6): the shapes drawn on it, in order, with undo.

Coordinates are the screenshot's pixels. The view draws the shapes over the image (and the
same code renders the image that is sent), so what the user saw is what goes out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

TOOLS = ("rectangle", "ellipse", "arrow", "pen", "text", "mosaic")
Point = tuple[int, int]


@dataclass
class Shape:
    tool: str
    points: list[Point]
    color: str = "#e53935"
    width: int = 3
    text: str = ""

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        """x, y, width, height of the box the first and last points span (or the pen's)."""
        xs = [p[0] for p in self.points]
        ys = [p[1] for p in self.points]
        return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


@dataclass
class AnnotationModel:
    width: int
    height: int
    tool: str = "rectangle"
    color: str = "#e53935"
    shapes: list[Shape] = field(default_factory=list)
    # The region of the capture kept (x, y, w, h); the whole of it by default.
    crop: tuple[int, int, int, int] | None = None
    _listeners: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def choose(self, tool: str) -> None:
        if tool not in TOOLS:
            raise ValueError(f"unknown tool {tool}")
        self.tool = tool
        self._changed()

    def begin(self, point: Point, text: str = "") -> Shape:
        shape = Shape(self.tool, [self._clamp(point)], self.color, text=text)
        self.shapes.append(shape)
        self._changed()
        return shape

    def extend(self, point: Point) -> None:
        """Drag on: the pen adds a point, the other tools move their second corner."""
        if not self.shapes:
            return
        shape = self.shapes[-1]
        point = self._clamp(point)
        if shape.tool == "pen" or len(shape.points) == 1:
            shape.points.append(point)
        else:
            shape.points[-1] = point
        self._changed()

    def add(self, tool: str, points: list[Point], text: str = "") -> Shape:
        """A whole shape at once (keyboard, tests)."""
        self.choose(tool)
        shape = self.begin(points[0], text)
        for point in points[1:]:
            self.extend(point)
        return shape

    def undo(self) -> None:
        if self.shapes:
            self.shapes.pop()
            self._changed()

    def set_crop(self, x: int, y: int, w: int, h: int) -> None:
        x, y = self._clamp((x, y))
        self.crop = (x, y, max(1, min(w, self.width - x)), max(1, min(h, self.height - y)))
        self._changed()

    def _clamp(self, point: Point) -> Point:
        return max(0, min(point[0], self.width - 1)), max(0, min(point[1], self.height - 1))

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()
