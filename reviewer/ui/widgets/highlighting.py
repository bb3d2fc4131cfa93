"""Highlighting in the viewer: a bar under the document's title with the issues and comment new highlights
get, "Highlight selection" (H) for text selected in the document, email or text view, and "Highlight box"
for dragging a box over words on a PDF page. The document's highlights are drawn in their issue's colour:
over the rendered pages (an overlay like the redaction one) and under the text in the text views.

Placing a highlight reads the PDF (the pdf lane, where PyMuPDF lives); storing it is a write (the write
lane). `focus` brings a given highlight into view once its document is shown.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolBar,
    QToolButton,
    QWidget,
)

from reviewer.core.case import Case
from reviewer.core.casebuild import highlights, issues
from reviewer.core.casebuild.highlights import HighlightInfo, Placement
from reviewer.ui.tasks import Lane, TaskRunner, describe_error
from reviewer.ui.widgets.box_overlay import BoxOverlay
from reviewer.ui.widgets.issue_picker import IssueButton
from reviewer.ui.widgets.page_view import PageView

if TYPE_CHECKING:
    from reviewer.ui.panes.viewer import Viewer
    from reviewer.ui.widgets.text_view import HitTextView

FILL_ALPHA = 80


def fill_color(color: str) -> QColor:
    fill = QColor(color)
    fill.setAlpha(FILL_ALPHA)
    return fill


class HighlightOverlay(BoxOverlay):
    """Draws the document's highlights over its pages, and a box being dragged in Highlight box mode."""

    drag_edge = QColor(30, 110, 230)
    drag_fill = QColor(30, 110, 230, 40)

    def __init__(self, view: PageView) -> None:
        super().__init__(view)
        self.marks: list[HighlightInfo] = []
        self.focused: int | None = None

    def set_marks(self, marks: list[HighlightInfo]) -> None:
        self.marks = marks
        self.update()

    def paint_marks(self, painter: QPainter, area: QRect, visible: set[int]) -> None:
        for mark in self.marks:
            for page, x0, y0, x1, y1 in mark.rects:
                box = self.rect_on_canvas(page, (x0, y0, x1, y1)) if page in visible else None
                if box is None or not box.intersects(area):
                    continue
                painter.fillRect(box, fill_color(mark.color))
                if mark.id == self.focused:
                    painter.setPen(QPen(QColor(mark.color), 2))
                    painter.drawRect(box.adjusted(-1, -1, 0, 0))


class HighlightTool(QWidget):
    """The highlight bar over the viewer, the overlay on its pages and the marks in its text views."""

    stored = Signal(object)  # the HighlightInfo just stored
    marksLoaded = Signal(int)  # the document whose highlights are drawn

    def __init__(self, viewer: Viewer, case: Case, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("highlightBar")
        self._viewer, self._case, self._tasks = viewer, case, tasks
        self._doc_id: int | None = None
        self._generation = 0
        self._focus: int | None = None  # a highlight to bring into view once its document's marks arrive
        self.marks: list[HighlightInfo] = []
        self.issues = IssueButton()
        self.issues.setObjectName("highlightIssues")
        self.comment = QLineEdit()
        self.comment.setObjectName("highlightComment")
        self.comment.setPlaceholderText("Comment for the next highlight")
        self.comment.setClearButtonEnabled(True)
        self.highlight_button = QToolButton()
        self.highlight_button.setObjectName("highlightSelection")
        self.highlight_button.setText("Highlight selection")
        self.highlight_button.setToolTip("Save the text selected in the document as a highlight (H)")
        self.highlight_button.clicked.connect(lambda: self.highlight_selection())
        self.box_button = QToolButton()
        self.box_button.setObjectName("highlightBox")
        self.box_button.setText("Highlight box")
        self.box_button.setToolTip("Drag a box over words on a PDF page to highlight them")
        self.box_button.setCheckable(True)
        self.box_button.setEnabled(False)
        self.comment.setMinimumWidth(60)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        tools = QToolBar()  # folds into an overflow menu when the viewer is narrow
        for widget in (self.highlight_button, self.box_button, self.issues):
            tools.addWidget(widget)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 0, 8, 2)
        row.addWidget(tools)
        row.addWidget(self.comment, 1)
        row.addWidget(self.status, 1)
        self.overlay = HighlightOverlay(viewer.pages)
        self.overlay.drawnBox.connect(self._place_box)
        self.box_button.toggled.connect(self.overlay.set_active)
        shortcut = QShortcut(QKeySequence("H"), viewer)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.highlight_selection)
        viewer.drawn.connect(self._document_shown)
        self.reload_issues()

    # --- what is shown -------------------------------------------------------------------------------------
    def reload_issues(self) -> None:
        self._tasks.run(partial(issues.list_issues, self._case), self.issues.set_issues)

    def reload(self) -> None:
        """The document's highlights changed (added here, elsewhere, or undone)."""
        if self._doc_id is not None:
            self._document_shown(self._doc_id)

    def focus(self, highlight_id: int | None) -> None:
        """Bring this highlight into view when its document is shown (now, if it already is)."""
        self._focus = highlight_id
        if any(mark.id == highlight_id for mark in self.marks):
            self._show_focus()

    def _document_shown(self, doc_id: int) -> None:
        self._generation += 1
        if doc_id != self._doc_id:
            self.marks = []
            self.overlay.set_marks([])
        self._doc_id = doc_id
        paged = self._viewer.display == "page"
        self.box_button.setEnabled(paged)
        if not paged:
            self.box_button.setChecked(False)
        self._tasks.run(partial(highlights.list_highlights, self._case, doc_id),
                        partial(self._marks_loaded, self._generation, doc_id))

    def _marks_loaded(self, generation: int, doc_id: int, marks: list[HighlightInfo]) -> None:
        if generation != self._generation:
            return
        self.marks = marks
        self.overlay.focused = self._focus
        self.overlay.set_marks(marks if self._viewer.display == "page" else [])
        spans = [(m.start, m.end, fill_color(m.color)) for m in marks if m.end > m.start]
        self._viewer.text.set_marks(spans)
        if self._viewer.display != "page":
            self._viewer.document_text.set_marks(spans)
        if any(mark.id == self._focus for mark in marks):
            self._show_focus()
        self.marksLoaded.emit(doc_id)

    def _show_focus(self) -> None:
        mark = next(m for m in self.marks if m.id == self._focus)
        self.overlay.focused = mark.id
        self.overlay.update()
        if self._viewer.display == "page":
            if mark.rects:
                page, _x0, y0, _x1, y1 = mark.rects[0]
                box = self.overlay.rect_on_canvas(page, (0, y0, 1, y1))
                if box is not None:
                    self._viewer.pages.ensureVisible(box.center().x(), box.center().y(), 0,
                                                     self._viewer.pages.viewport().height() // 3)
        else:
            self._viewer.tabs.setCurrentIndex(0)
            self._viewer.document_text.show_span(mark.start)

    # --- making highlights ---------------------------------------------------------------------------------
    def _selected_view(self) -> HitTextView | None:
        viewer = self._viewer
        if viewer.tabs.currentWidget() is viewer.text:
            return viewer.text
        if viewer.tabs.currentIndex() == 0 and viewer.display != "page":
            return viewer.document_text
        return None

    def highlight_selection(self) -> None:
        """Highlight the text selected in the document, email or text view."""
        view = self._selected_view()
        span = view.selected_span() if view is not None else None
        if self._doc_id is None or span is None:
            self.status.setText("Select some text first (on PDF pages, use Highlight box)."
                                if self._viewer.display == "page" else "Select some text first.")
            return
        work = partial(highlights.place_span, self._case, self._doc_id, *span)
        self._tasks.run(work, partial(self._store, self._doc_id), self._failed, lane=Lane.PDF)

    def _place_box(self, page: int, rect: tuple[float, float, float, float]) -> None:
        if self._doc_id is None:
            return
        work = partial(highlights.place_rect, self._case, self._doc_id, page, rect)
        self._tasks.run(work, partial(self._store, self._doc_id), self._failed, lane=Lane.PDF)

    def _store(self, doc_id: int, placement: Placement) -> None:
        def done(highlight: HighlightInfo) -> None:
            self.comment.clear()
            where = f" on page {highlight.page}" if highlight.page else ""
            self.status.setText(f"Highlight {highlight.id} saved{where}.")
            self.stored.emit(highlight)
            if doc_id == self._doc_id:
                self.reload()

        work = partial(highlights.add_highlight, self._case, placement, self.issues.checked_ids(),
                       self.comment.text())
        self._tasks.run(work, done, self._failed, lane=Lane.WRITE)

    def _failed(self, error: BaseException) -> None:
        self.status.setText(describe_error(error))


def attach(viewer: Viewer, case: Case, tasks: TaskRunner) -> HighlightTool:
    """Put the highlight bar under the viewer's title and the overlay on its pages."""
    tool = HighlightTool(viewer, case, tasks)
    layout = viewer.layout()
    assert isinstance(layout, QBoxLayout)
    layout.insertWidget(1, tool)
    return tool
