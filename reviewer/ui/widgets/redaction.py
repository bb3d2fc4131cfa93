"""Redacting in the viewer: a Redact switch and a reason, then dragging a box on a PDF page stores a
redaction (redact.add_rectangle, in PDF points from the page's top left); stored boxes are drawn over the
pages as labelled boxes. Only PDFs: their pages in the viewer are the pages as produced, so a box drawn
here lands where it will be burned in.

The overlay (box_overlay.BoxOverlay) is a transparent child of the page view's canvas; it takes the mouse
only in Redact mode.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QBoxLayout, QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

from reviewer.core.case import Case
from reviewer.core.choices import DEFAULT_REDACTION_REASON
from reviewer.core.produce import redact
from reviewer.core.produce.facts import Mark, load_facts
from reviewer.ui.tasks import Lane, TaskRunner, describe_error
from reviewer.ui.widgets.box_overlay import BoxOverlay, PointRect
from reviewer.ui.widgets.page_view import PageView

if TYPE_CHECKING:
    from reviewer.ui.panes.viewer import Viewer

REASONS = ["Privileged – Attorney-Client", "Privileged – Work Product", "PII", "Confidential business",
           DEFAULT_REDACTION_REASON]
BOX_FILL = QColor(0, 0, 0, 170)
BOX_EDGE = QColor(200, 0, 0)


def redactable_marks(case: Case, doc_id: int) -> tuple[bool, list[Mark]]:
    """Whether boxes can be drawn on the document (a PDF) and its stored redactions."""
    facts = load_facts(case, [doc_id]).get(doc_id)
    if facts is None:
        return False, []
    return facts.kind == "pdf", facts.marks


class RedactionOverlay(BoxOverlay):
    """Draws stored boxes and the box being dragged; turns a drag into a redaction request."""

    def __init__(self, view: PageView) -> None:
        super().__init__(view)
        self.marks: list[Mark] = []

    def set_marks(self, marks: list[Mark]) -> None:
        self.marks = [m for m in marks if m.rect is not None and m.page is not None]
        self.update()

    def box_rect(self, mark: Mark) -> QRect | None:
        """Where a stored box is on the canvas, or None when its page is not laid out."""
        assert mark.page is not None and mark.rect is not None
        return self.rect_on_canvas(mark.page, mark.rect)

    def paint_marks(self, painter: QPainter, area: QRect, visible: set[int]) -> None:
        for mark in self.marks:
            if mark.page not in visible:
                continue
            box = self.box_rect(mark)
            if box is None or not box.intersects(area):
                continue
            painter.fillRect(box, BOX_FILL)
            painter.setPen(QPen(BOX_EDGE, 1))
            painter.drawRect(box.adjusted(0, 0, -1, -1))
            painter.setPen(Qt.GlobalColor.white)
            painter.drawText(box.adjusted(3, 1, -3, -1),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, mark.reason)


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
