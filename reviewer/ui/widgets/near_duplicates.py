"""The viewer's Near-duplicates tab: the current document's near-duplicate group (principal first, each
member's similarity) and, side by side, the principal and the chosen member with the words that differ
highlighted (similarity.compare, the same word-level comparison the similarity is measured with)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.analytics import groups
from reviewer.core.analytics.similarity import SIMILARITY_HELP, Comparison, compare
from reviewer.core.case import Case
from reviewer.ui.tasks import TaskRunner
from reviewer.ui.widgets.text_view import span_selection, wide_characters

if TYPE_CHECKING:
    from reviewer.ui.panes.viewer import Viewer

ID_ROLE = Qt.ItemDataRole.UserRole + 1
REMOVED = QColor("#f6c5c0")
ADDED = QColor("#c6ecc6")
# The side-by-side view compares this much of each text at most (the similarity itself uses all of it).
SHOWN_CHARACTERS = 200_000


@dataclass(frozen=True)
class _Loaded:
    members: list[groups.GroupMember]
    comparison: Comparison | None
    left: str  # control numbers of the two sides
    right: str


def _load(case: Case, doc_id: int, other: int | None) -> _Loaded:
    members = groups.near_dup_group(case, doc_id)
    if not members:
        return _Loaded([], None, "", "")
    principal = members[0]
    target = other if other is not None else doc_id
    if target == principal.document_id and len(members) > 1:
        target = members[1].document_id
    right = next(m for m in members if m.document_id == target)
    text = {
        m.document_id: case.texts.read(m.control, m.document_id)[:SHOWN_CHARACTERS]
        for m in (principal, right)
    }
    return _Loaded(
        members,
        compare(text[principal.document_id], text[right.document_id]),
        principal.control,
        right.control,
    )


def _marked(view: QPlainTextEdit, text: str, spans: list[tuple[int, int]], color: QColor) -> None:
    view.setPlainText(text)
    wide = wide_characters(text)
    view.setExtraSelections([span_selection(view, wide, start, end, color) for start, end in spans])


class NearDuplicatesTab(QWidget):
    loaded = Signal(int)
    openRequested = Signal(int)

    def __init__(self, case: Case, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nearDuplicates")
        self._case, self._tasks = case, tasks
        self._generation = 0
        self._doc_id: int | None = None
        self.members = QTreeWidget()
        self.members.setObjectName("nearDuplicateMembers")
        self.members.setHeaderLabels(["Control no.", "Similarity", "Title"])
        self.members.setRootIsDecorated(False)
        self.members.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.members.itemClicked.connect(self._compare_with)
        self.members.itemDoubleClicked.connect(self._open)
        self.caption = QLabel()
        self.caption.setObjectName("nearDuplicateCaption")
        self.caption.setWordWrap(True)
        self.caption.setToolTip(SIMILARITY_HELP)
        self.left = QPlainTextEdit()
        self.left.setObjectName("principalText")
        self.right = QPlainTextEdit()
        self.right.setObjectName("memberText")
        for view in (self.left, self.right):
            view.setReadOnly(True)
        sides = QSplitter(Qt.Orientation.Horizontal)
        sides.addWidget(self.left)
        sides.addWidget(self.right)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.members)
        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addWidget(self.caption)
        below_layout.addWidget(sides, 1)
        split.addWidget(below)
        split.setSizes([120, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.comparison: Comparison | None = None

    def show_document(self, doc_id: int | None, other: int | None = None) -> None:
        self._generation += 1
        self._doc_id = doc_id
        if doc_id is None:
            self._show(self._generation, 0, _Loaded([], None, "", ""))
            return
        self._tasks.run(
            partial(_load, self._case, doc_id, other), partial(self._show, self._generation, doc_id)
        )

    def _show(self, generation: int, doc_id: int, loaded: _Loaded) -> None:
        if generation != self._generation:
            return
        self.members.clear()
        self.comparison = loaded.comparison
        for member in loaded.members:
            label = f"{member.control} (principal)" if member.principal else member.control
            item = QTreeWidgetItem([label, f"{int(member.similarity)} %", member.title])
            item.setData(0, ID_ROLE, member.document_id)
            self.members.addTopLevelItem(item)
        if loaded.comparison is None:
            self.caption.setText("No near-duplicates." if doc_id else "")
            self.left.clear()
            self.right.clear()
        else:
            self.caption.setText(
                f"{loaded.left} (principal, left) against {loaded.right} (right): "
                f"{int(loaded.comparison.similarity)} % similar. Words only on the left are "
                "red, words only on the right green."
            )
            _marked(self.left, loaded.comparison.left, loaded.comparison.left_changes, REMOVED)
            _marked(self.right, loaded.comparison.right, loaded.comparison.right_changes, ADDED)
        if doc_id:
            self.loaded.emit(doc_id)

    def _compare_with(self, item: QTreeWidgetItem) -> None:
        if self._doc_id is not None:
            self.show_document(self._doc_id, item.data(0, ID_ROLE))

    def _open(self, item: QTreeWidgetItem) -> None:
        doc_id = item.data(0, ID_ROLE)
        if doc_id is not None and doc_id != self._doc_id:
            self.openRequested.emit(doc_id)


def attach(viewer: Viewer, case: Case, tasks: TaskRunner) -> NearDuplicatesTab:
    """Add a Near-duplicates tab to a Viewer; it follows the documents the viewer shows."""
    tab = NearDuplicatesTab(case, tasks)
    viewer.tabs.addTab(tab, "Near-duplicates")
    viewer.drawn.connect(tab.show_document)
    tab.openRequested.connect(viewer.openRequested)
    return tab
