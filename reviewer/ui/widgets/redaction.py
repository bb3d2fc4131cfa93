"""Redacting in the viewer: a Redact switch and a reason, then dragging a box on a PDF page stores a
redaction (redact.add_rectangle, in PDF points from the page's top left); stored boxes are drawn over the
pages as labelled boxes. Only PDFs: their pages in the viewer are the pages as produced, so a box drawn
here lands where it will be burned in.

The overlay is a transparent child of the page view's canvas (placed by its page_rect layout); it takes
the mouse only in Redact mode.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QBoxLayout, QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

from reviewer.core.case import Case
from reviewer.core.choices import DEFAULT_REDACTION_REASON
from reviewer.core.produce import redact
from reviewer.core.produce.facts import Mark, load_facts
from reviewer.ui.tasks import Lane, TaskRunner, describe_error
from reviewer.ui.widgets.page_view import PageView

if TYPE_CHECKING:
    from reviewer.ui.panes.viewer import Viewer

REASONS = ["Privileged – Attorney-Client", "Privileged – Work Product", "PII", "Confidential business",
           DEFAULT_REDACTION_REASON]
BOX_FILL = QColor(0, 0, 0, 170)
BOX_EDGE = QColor(200, 0, 0)
DRAG_EDGE = QColor(220, 0, 0)
PointRect = tuple[float, float, float, float]


def redactable_marks(case: Case, doc_id: int) -> tuple[bool, list[Mark]]:
    """Whether boxes can be drawn on the document (a PDF) and its stored redactions."""
    facts = load_facts(case, [doc_id]).get(doc_id)
    if facts is None:
        return False, []
    return facts.kind == "pdf", facts.marks


def to_points(page_rect: QRect, zoom: float, size: tuple[float, float], a: QPoint, b: QPoint) -> PointRect:
    """Two canvas points as a rectangle in PDF points on the page laid out at `page_rect`, kept on it."""
    width, height = size

    def convert(point: QPoint) -> tuple[float, float]:
        x = (point.x() - page_rect.left()) / zoom
        y = (point.y() - page_rect.top()) / zoom
        return min(max(x, 0.0), width), min(max(y, 0.0), height)

    (x0, y0), (x1, y1) = convert(a), convert(b)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


class RedactionOverlay(QWidget):
    """Draws stored boxes and the box being dragged; turns a drag into a redaction request."""

    drawnBox = Signal(int, tuple)  # 1-based page, rectangle in points

    def __init__(self, view: PageView) -> None:
        canvas = view.widget()
        assert canvas is not None
        super().__init__(canvas)
        self._view = view
        self.marks: list[Mark] = []
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

    def set_marks(self, marks: list[Mark]) -> None:
        self.marks = [m for m in marks if m.rect is not None and m.page is not None]
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        canvas = self._view.widget()
        if event.type() == QEvent.Type.Resize and canvas is not None and watched is canvas:
            self.resize(canvas.size())
        return False

    # --- geometry: the page view lays pages out; these read its layout ------------------------------------
    def _page_at(self, point: QPoint) -> int | None:
        for number in self._view.pages_in_view:
            if self._view.page_rect(number).contains(point):
                return number
        return None

    def box_rect(self, mark: Mark) -> QRect | None:
        """Where a stored box is on the canvas, or None when its page is not laid out."""
        assert mark.page is not None and mark.rect is not None
        number = mark.page - 1
        if not 0 <= number < self._view.page_count:
            return None
        origin = self._view.page_rect(number).topLeft()
        zoom = self._view.zoom
        x0, y0, x1, y1 = (value * zoom for value in mark.rect)
        return QRectF(x0, y0, x1 - x0, y1 - y0).toAlignedRect().translated(origin)

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
        visible = {n + 1 for n in self._view.pages_in_view}
        for mark in self.marks:
            if mark.page not in visible:
                continue
            box = self.box_rect(mark)
            if box is None or not box.intersects(event.rect()):
                continue
            painter.fillRect(box, BOX_FILL)
            painter.setPen(QPen(BOX_EDGE, 1))
            painter.drawRect(box.adjusted(0, 0, -1, -1))
            painter.setPen(Qt.GlobalColor.white)
            painter.drawText(box.adjusted(3, 1, -3, -1),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, mark.reason)
        if self._origin is not None and self._current is not None:
            painter.setPen(QPen(DRAG_EDGE, 1, Qt.PenStyle.DashLine))
            painter.setBrush(QColor(220, 0, 0, 40))
            painter.drawRect(QRect(self._origin, self._current).normalized())
        painter.end()


class RedactionTool(QWidget):
    """The Redact switch and reason over the viewer, and the overlay on its pages."""

    marksLoaded = Signal(int)  # document id whose boxes are drawn
    stored = Signal(object)  # the Mark just stored

    def __init__(self, viewer: Viewer, case: Case, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("redactionBar")
        self._viewer, self._case, self._tasks = viewer, case, tasks
        self._doc_id: int | None = None
        self._generation = 0
        self.redact_button = QToolButton()
        self.redact_button.setObjectName("redactMode")
        self.redact_button.setText("Redact")
        self.redact_button.setToolTip("Drag a box on a page to redact it")
        self.redact_button.setCheckable(True)
        self.redact_button.setEnabled(False)
        self.redact_button.toggled.connect(self._toggled)
        self.reason = QComboBox()
        self.reason.setObjectName("redactReason")
        self.reason.setEditable(True)
        self.reason.addItems(REASONS)
        self.status = QLabel()
        self.status.setObjectName("hint")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 0, 8, 2)
        row.addWidget(self.redact_button)
        row.addWidget(QLabel("Reason"))
        row.addWidget(self.reason)
        row.addWidget(self.status, 1)
        self.overlay = RedactionOverlay(viewer.pages)
        self.overlay.drawnBox.connect(self._store)
        viewer.drawn.connect(self._document_shown)

    @property
    def marks(self) -> list[Mark]:
        return list(self.overlay.marks)

    def _document_shown(self, doc_id: int) -> None:
        self._generation += 1
        self._doc_id = doc_id
        self.overlay.set_marks([])
        self.redact_button.setEnabled(False)
        self._tasks.run(partial(redactable_marks, self._case, doc_id),
                        partial(self._marks_loaded, self._generation, doc_id))

    def _marks_loaded(self, generation: int, doc_id: int, found: tuple[bool, list[Mark]]) -> None:
        if generation != self._generation:
            return
        pdf, marks = found
        paged = pdf and self._viewer.display == "page"
        self.redact_button.setEnabled(paged)
        if not paged:
            self.redact_button.setChecked(False)
        self.status.setText("" if paged else "Boxes can be drawn on PDF pages only.")
        self.overlay.set_marks(marks if paged else [])
        self.marksLoaded.emit(doc_id)

    def _toggled(self, on: bool) -> None:
        self.overlay.set_active(on)

    def _store(self, page: int, rect: PointRect) -> None:
        doc_id, generation = self._doc_id, self._generation
        if doc_id is None:
            return

        def done(mark: Mark) -> None:
            self.status.setText(f"Redaction added on page {page}.")
            if generation == self._generation:
                self.overlay.set_marks([*self.overlay.marks, mark])
            self.stored.emit(mark)

        def failed(error: BaseException) -> None:
            self.status.setText(describe_error(error))

        work = partial(redact.add_rectangle, self._case, doc_id, page, rect, self.reason.currentText())
        self._tasks.run(work, done, failed, lane=Lane.WRITE)


def attach(viewer: Viewer, case: Case, tasks: TaskRunner) -> RedactionTool:
    """Put the redaction bar under the viewer's title and the overlay on its pages."""
    tool = RedactionTool(viewer, case, tasks)
    layout = viewer.layout()
    assert isinstance(layout, QBoxLayout)
    layout.insertWidget(1, tool)
    return tool
