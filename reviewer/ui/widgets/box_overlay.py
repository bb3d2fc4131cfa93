"""A transparent layer over the page view's canvas for things drawn in PDF points (redaction boxes,
highlights): it follows the canvas's size and zoom, places page rectangles on it, and — only while a mode
that draws boxes is on — turns a drag on a page into `drawnBox(page, rectangle in points)`.

Subclasses paint what they keep in `paint_marks`; the layer takes the mouse only when active."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from reviewer.ui.widgets.page_view import PageView

PointRect = tuple[float, float, float, float]


def to_points(page_rect: QRect, zoom: float, size: tuple[float, float], a: QPoint, b: QPoint) -> PointRect:
    """Two canvas points as a rectangle in PDF points on the page laid out at `page_rect`, kept on it."""
    width, height = size

    def convert(point: QPoint) -> tuple[float, float]:
        x = (point.x() - page_rect.left()) / zoom
        y = (point.y() - page_rect.top()) / zoom
        return min(max(x, 0.0), width), min(max(y, 0.0), height)

    (x0, y0), (x1, y1) = convert(a), convert(b)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


class BoxOverlay(QWidget):
    drawnBox = Signal(int, tuple)  # 1-based page, rectangle in points
    drag_edge = QColor(220, 0, 0)
    drag_fill = QColor(220, 0, 0, 40)

    def __init__(self, view: PageView) -> None:
        canvas = view.widget()
        assert canvas is not None
        super().__init__(canvas)
        self._view = view
        self._origin: QPoint | None = None
        self._current: QPoint | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        canvas.installEventFilter(self)
        self.resize(canvas.size())
        view.zoomChanged.connect(lambda _z: self.update())

    def set_active(self, active: bool) -> None:
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, not active)
        self._origin = self._current = None
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        canvas = self._view.widget()
        if event.type() == QEvent.Type.Resize and canvas is not None and watched is canvas:
            self.resize(canvas.size())
        return False

    # --- geometry: the page view lays pages out; these read its layout ------------------------------------
    def rect_on_canvas(self, page: int, rect: PointRect) -> QRect | None:
        """Where a rectangle of a 1-based page (in points) is on the canvas; None when not laid out."""
        if not 1 <= page <= self._view.page_count:
            return None
        origin = self._view.page_rect(page - 1).topLeft()
        zoom = self._view.zoom
        x0, y0, x1, y1 = (value * zoom for value in rect)
        return QRectF(x0, y0, x1 - x0, y1 - y0).toAlignedRect().translated(origin)

    def _page_at(self, point: QPoint) -> int | None:
        return next((n for n in self._view.pages_in_view if self._view.page_rect(n).contains(point)), None)

    # --- mouse -------------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        if event.button() == Qt.MouseButton.LeftButton and self._page_at(point) is not None:
            self._origin = self._current = point
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._origin is not None:
            self._current = event.position().toPoint()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._origin is None:
            return
        origin, end = self._origin, event.position().toPoint()
        self._origin = self._current = None
        self.update()
        number = self._page_at(origin)
        if number is None:
            return
        view = self._view
        rect = to_points(view.page_rect(number), view.zoom, view.page_size(number), origin, end)
        if rect[2] - rect[0] >= 1 and rect[3] - rect[1] >= 1:
            self.drawnBox.emit(number + 1, rect)

    # --- painting ----------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.paint_marks(painter, event.rect(), {n + 1 for n in self._view.pages_in_view})
        if self._origin is not None and self._current is not None:
            painter.setPen(QPen(self.drag_edge, 1, Qt.PenStyle.DashLine))
            painter.setBrush(self.drag_fill)
            painter.drawRect(QRect(self._origin, self._current).normalized())
        painter.end()

    def paint_marks(self, painter: QPainter, area: QRect, visible: set[int]) -> None:
        """Draw what is kept on the 1-based pages in view, within `area` of the canvas."""
        raise NotImplementedError
