"""The Viewer pane: the current document (rendered pages, an email, or text) with every search hit marked
and next/previous-hit buttons, and tabs for its extracted text, metadata, family and history.

Loading is two steps off the GUI thread: the document's details, text hits and history on the read lane,
then (for PDFs and images) page sizes, page hits and the pages in view on the pdf lane. A newer request
makes older results stale; they are dropped on arrival. `drawn` says when the current document is fully
on screen, which tests and the screenshot mode wait for.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.core import audit, browse
from reviewer.core.choices import SHOWN_HITS
from reviewer.core.search.fields import DEFAULT_PARTS
from reviewer.core.search.hits import Hit
from reviewer.ui.icons import icon
from reviewer.ui.searching import Searchers
from reviewer.ui.tasks import Lane, TaskRunner
from reviewer.ui.widgets.page_view import PageView, Rect
from reviewer.ui.widgets.text_view import HitTextView

ID_ROLE = Qt.ItemDataRole.UserRole + 1
TEXT_PART = DEFAULT_PARTS[0]


@dataclass(frozen=True)
class _Loaded:
    detail: browse.DocumentDetail
    text_hits: list[tuple[int, int]]
    history: list[audit.AuditEventInfo]


def _hits(searchers: Searchers, control: str, query: str) -> list[Hit]:
    # The first hits only: a common word in a huge document has too many to find or highlight at once.
    return searchers.get().hit_positions(control, query, SHOWN_HITS) if query else []


def _text_spans(hits: list[Hit]) -> list[tuple[int, int]]:
    """Hits in the document's own text (not in its subject or addresses), as character offsets."""
    return [(hit.start, hit.end) for hit in hits if hit.part == TEXT_PART]


def _page_rects(hits: list[Hit]) -> list[tuple[int, Rect]]:
    return [(hit.page - 1, rect) for hit in hits if hit.page is not None for rect in hit.rects]


def _load(searchers: Searchers, doc_id: int, query: str) -> _Loaded:
    case = searchers.case
    detail = browse.document_detail(case, doc_id)
    # A PDF's hits are placed on its pages with PyMuPDF, which only the pdf lane may use.
    text_hits = [] if detail.display == "page" else _text_spans(_hits(searchers, detail.control, query))
    return _Loaded(detail, text_hits, audit.history(case, doc_id))


class Viewer(QWidget):
    drawn = Signal(int)  # the document id now fully shown
    openRequested = Signal(int)  # a family member was chosen

    def __init__(self, searchers: Searchers, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("viewer")
        self._searchers = searchers
        self._case = searchers.case
        self._tasks = tasks
        self._doc_id: int | None = None
        self._query = ""
        self._generation = 0
        self._wanted_page: tuple[int, int] | None = None  # (document id, 0-based page) to open at
        self._hit = -1
        self._hit_count = 0
        self._display = "text"
        self._text = ""
        self._drawn_id: int | None = None

        self.title = QLabel("No document")
        self.title.setObjectName("documentTitle")
        # A long subject must not widen the pane; the full title is in the tooltip.
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setContentsMargins(8, 6, 8, 4)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hit_label = QLabel()
        self.hit_label.setObjectName("hitCount")
        self.previous_hit = self._tool("previous-hit", "Previous hit (Shift+F3)", self.show_previous_hit)
        self.next_hit = self._tool("next-hit", "Next hit (F3)", self.show_next_hit)
        self.zoom_out = self._tool("zoom-out", "Zoom out", lambda: self.pages.zoom_out())
        self.zoom_label = QLabel()
        self.zoom_in = self._tool("zoom-in", "Zoom in", lambda: self.pages.zoom_in())
        self.fit = self._tool("fit-width", "Fit width", lambda: self.pages.fit_width())
        self.open_native = QToolButton()
        self.open_native.setObjectName("openNative")
        self.open_native.setText("Open native")
        self.open_native.setToolTip("Open the native file the producing party sent with this document")
        self.open_native.setAutoRaise(True)
        self.open_native.clicked.connect(self._open_native)
        self.open_native.hide()
        self._produced_native: tuple[Path, str] | None = None
        controls = QWidget()
        bar = QHBoxLayout(controls)
        bar.setContentsMargins(0, 0, 4, 0)
        bar.setSpacing(2)
        for widget in (self.open_native, self.hit_label, self.previous_hit, self.next_hit, self.zoom_out,
                       self.zoom_label, self.zoom_in, self.fit):
            bar.addWidget(widget)

        self.pages: PageView = PageView(tasks)
        self.pages.drawn.connect(self._pages_drawn)
        self.pages.zoomChanged.connect(self._show_zoom)
        self.document_text = HitTextView()
        self.document_text.setObjectName("documentText")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.pages)
        self.stack.addWidget(self.document_text)
        self.text = HitTextView()
        self.text.setObjectName("extractedText")
        self.metadata = QTreeWidget()
        self.metadata.setObjectName("metadata")
        self.metadata.setHeaderLabels(["Field", "Value"])
        self.metadata.setRootIsDecorated(False)
        self.metadata.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.family = QTreeWidget()
        self.family.setObjectName("family")
        self.family.setHeaderLabels(["Control no.", "Name"])
        self.family.itemActivated.connect(self._family_chosen)
        self.family.itemClicked.connect(self._family_chosen)
        self.history = QTreeWidget()
        self.history.setObjectName("history")
        self.history.setHeaderLabels(["When", "Who", "What"])
        self.history.setRootIsDecorated(False)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.stack, "Document")
        self.tabs.addTab(self.text, "Text")
        self.tabs.addTab(self.metadata, "Metadata")
        self.tabs.addTab(self.family, icon("family"), "Family")
        self.tabs.addTab(self.history, icon("history"), "History")
        self.tabs.setCornerWidget(controls, Qt.Corner.TopRightCorner)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addWidget(self.tabs, 1)
        self._update_controls()

    def _tool(self, icon_name: str, tip: str, slot: object) -> QToolButton:
        button = QToolButton()
        button.setIcon(icon(icon_name))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    # --- what is shown ---------------------------------------------------------------------------------
    @property
    def document_id(self) -> int | None:
        return self._doc_id

    @property
    def query(self) -> str:
        return self._query

    @property
    def is_drawn(self) -> bool:
        return self._doc_id is not None and self._drawn_id == self._doc_id

    @property
    def hit_count(self) -> int:
        return self._hit_count

    @property
    def display(self) -> str:
        return self._display

    def show_document(self, doc_id: int | None, query: str = "") -> None:
        """Show a document with the hits of `query` marked (None clears the viewer)."""
        self._generation += 1
        self._doc_id, self._query, self._drawn_id = doc_id, query, None
        self._hit, self._hit_count = -1, 0
        if doc_id is None:
            self.title.setText("No document")
            self.pages.clear()
            for view in (self.document_text, self.text):
                view.show_text("", [])
            for tree in (self.metadata, self.family, self.history):
                tree.clear()
            self._update_controls()
            return
        self._tasks.run(partial(_load, self._searchers, doc_id, query),
                        partial(self._loaded, self._generation))

    def want_page(self, doc_id: int, page: int) -> None:
        """Open `doc_id` at `page` (0-based) when it is shown next, or scroll there now if it is shown."""
        if doc_id == self._doc_id and self._drawn_id == doc_id:
            self.pages.show_page(page)
        else:
            self._wanted_page = (doc_id, page)

    def reload_history(self) -> None:
        """After coding: the document's history changed."""
        if self._doc_id is not None:
            self._tasks.run(partial(audit.history, self._case, self._doc_id),
                            partial(self._history_loaded, self._generation))

    def _history_loaded(self, generation: int, events: list[audit.AuditEventInfo]) -> None:
        if generation == self._generation:
            self._fill_history(events)

    def _loaded(self, generation: int, loaded: _Loaded) -> None:
        if generation != self._generation:
            return
        detail = loaded.detail
        self._display = detail.display
        self._text = detail.text
        self.title.setText(f"{detail.control}  ·  {_name_of(detail)}")
        self.title.setToolTip(self.title.text())
        self.text.show_text(detail.text, loaded.text_hits)
        self._fill_metadata(detail)
        self._fill_family(detail)
        self._produced_native = (detail.produced_native, detail.produced_native_name) \
            if detail.produced_native is not None else None
        self.open_native.setVisible(self._produced_native is not None)
        self._fill_history(loaded.history)
        if detail.display == "page" and detail.native is not None:
            self.stack.setCurrentWidget(self.pages)
            self._tasks.run(partial(_hits, self._searchers, detail.control, self._query),
                            partial(self._page_hits_found, generation, detail.native), lane=Lane.PDF)
        else:
            self.pages.clear()
            header = detail.body_offset if detail.display == "email" else 0
            self.document_text.show_text(detail.text, loaded.text_hits, header_length=header)
            self.stack.setCurrentWidget(self.document_text)
            self._hit_count = len(loaded.text_hits)
            self._update_controls()
            self._mark_drawn()

    def _page_hits_found(self, generation: int, path: Path, hits: list[Hit]) -> None:
        if generation != self._generation:
            return
        rects = _page_rects(hits)
        self._hit_count = len(rects)
        self.text.show_text(self._text, _text_spans(hits))
        wanted, self._wanted_page = self._wanted_page, None
        self.pages.load(path, rects, wanted[1] if wanted and wanted[0] == self._doc_id else 0)
        self._update_controls()

    def _pages_drawn(self) -> None:
        if self._display == "page":
            self._mark_drawn()

    def _mark_drawn(self) -> None:
        if self._doc_id is not None and self._drawn_id != self._doc_id:
            self._drawn_id = self._doc_id
            self.drawn.emit(self._doc_id)

    def _open_native(self) -> None:
        if self._produced_native is not None:
            self._tasks.run(partial(_copy_for_opening, *self._produced_native),
                            lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))

    # --- hits ------------------------------------------------------------------------------------------
    def show_next_hit(self) -> None:
        self._go_to_hit(self._hit + 1)

    def show_previous_hit(self) -> None:
        self._go_to_hit(self._hit - 1)

    def _go_to_hit(self, number: int) -> None:
        if not self._hit_count:
            return
        self._hit = number % self._hit_count
        if self._display == "page":
            self.pages.show_hit(self._hit)
        else:
            self.document_text.show_hit(self._hit)
        self.tabs.setCurrentIndex(0)
        self._update_controls()

    def _update_controls(self) -> None:
        has_hits = self._hit_count > 0
        if not self._query or self._doc_id is None:
            self.hit_label.setText("")
        elif self._hit < 0:
            self.hit_label.setText(f"{self._hit_count:,} hits" if self._hit_count != 1 else "1 hit")
        else:
            self.hit_label.setText(f"hit {self._hit + 1:,} of {self._hit_count:,}")
        self.previous_hit.setEnabled(has_hits)
        self.next_hit.setEnabled(has_hits)
        paged = self._display == "page" and self._doc_id is not None
        for widget in (self.zoom_in, self.zoom_out, self.fit, self.zoom_label):
            widget.setVisible(paged)
        self._show_zoom(self.pages.zoom)

    def _show_zoom(self, zoom: float) -> None:
        self.zoom_label.setText(f"{zoom * 100:.0f} %")

    # --- tabs ------------------------------------------------------------------------------------------
    def _fill_metadata(self, detail: browse.DocumentDetail) -> None:
        self.metadata.clear()
        self.metadata.addTopLevelItems([QTreeWidgetItem([label, value]) for label, value in detail.metadata])

    def _fill_family(self, detail: browse.DocumentDetail) -> None:
        self.family.clear()
        parents: list[QTreeWidgetItem] = []
        for member in detail.family:
            item = QTreeWidgetItem([member.control, member.name])
            item.setData(0, ID_ROLE, member.id)
            if member.is_current:
                font = item.font(0)
                font.setBold(True)
                item.setFont(0, font)
                item.setFont(1, font)
            del parents[member.depth:]
            if parents:
                parents[-1].addChild(item)
            else:
                self.family.addTopLevelItem(item)
            parents.append(item)
        self.family.expandAll()
        self.tabs.setTabText(3, f"Family ({len(detail.family)})" if detail.family else "Family")

    def _fill_history(self, events: list[audit.AuditEventInfo]) -> None:
        self.history.clear()
        for event in reversed(events):
            what = _describe_event(event)
            item = QTreeWidgetItem([event.at.strftime("%Y-%m-%d %H:%M"), event.user, what])
            if event.undone:
                font = item.font(2)
                font.setStrikeOut(True)
                item.setFont(2, font)
            self.history.addTopLevelItem(item)

    def _family_chosen(self, item: QTreeWidgetItem) -> None:
        doc_id = item.data(0, ID_ROLE)
        if doc_id is not None and doc_id != self._doc_id:
            self.openRequested.emit(doc_id)


def _copy_for_opening(stored: Path, name: str) -> Path:
    """A copy under its own name (the stored original is read-only and named by its hash), for the
    system's application to open; the original is never handed out."""
    target = Path(tempfile.mkdtemp(prefix="reviewer-native-")) / (Path(name).name or stored.name)
    shutil.copyfile(stored, target)
    return target


def _name_of(detail: browse.DocumentDetail) -> str:
    fields = dict(detail.metadata)
    return fields.get("Subject") or fields.get("Title") or fields.get("File name") or ""


def _describe_event(event: audit.AuditEventInfo) -> str:
    undo = " (undo)" if event.undo else ""
    if event.action in ("tag", "untag"):
        verb = "Tagged" if event.action == "tag" else "Untagged"
        return f'{verb} "{event.after or event.before}"{undo}'
    if event.action == "note":
        return f"Note: {event.after}{undo}"
    if event.action == "delete note":
        return f"Note removed: {event.before}{undo}"
    if event.action == "privilege":
        return f"Privilege: {event.after or 'cleared'}{undo}"
    if event.action in ("add highlight", "delete highlight"):
        verb = "Highlighted" if event.action == "add highlight" else "Highlight removed:"
        return f"{verb} {event.after or event.before}{undo}"
    if event.action == "edit highlight":
        return f"Highlight's comment changed{undo}"
    return f"{event.action}: {event.before} → {event.after}{undo}"
