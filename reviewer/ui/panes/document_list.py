"""The document list pane: the current result as a table, with a column chooser and keyboard paging.

The table never sizes columns to their contents (that would read every row); widths, order, hidden
columns and the sort indicator are kept with the window's settings.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.ui.icons import icon
from reviewer.ui.models.document_table import COLUMNS, DocumentTableModel

DEFAULT_WIDTHS = {"control": 110, "date": 90, "from": 160, "to": 150, "subject": 260, "custodian": 100,
                  "type": 60, "pages": 50, "tags": 180, "thread": 90, "inclusive": 70, "near_dup": 100,
                  "similarity": 80, "score": 50}
HIDDEN_BY_DEFAULT = {"to", "pages", "near_dup", "similarity"}


class DocumentListPane(QWidget):
    currentChanged = Signal(object)  # document id or None
    selectionChanged = Signal(int)  # how many rows are selected

    def __init__(self, model: DocumentTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentListPane")
        self.model = model
        self.table = QTableView()
        self.table.setObjectName("documentTable")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_column_menu)
        for number, column in enumerate(COLUMNS):
            header.resizeSection(number, DEFAULT_WIDTHS[column.key])
            header.setSectionHidden(number, column.key in HIDDEN_BY_DEFAULT)

        self.count_label = QLabel()
        self.count_label.setObjectName("hitCount")
        self.columns_button = QToolButton()
        self.columns_button.setIcon(icon("columns"))
        self.columns_button.setToolTip("Choose columns")
        self.columns_button.setAutoRaise(True)
        self.columns_button.clicked.connect(
            lambda: self._show_column_menu(QPoint(0, self.columns_button.height()), self.columns_button))
        top = QHBoxLayout()
        top.setContentsMargins(8, 4, 4, 0)
        top.addWidget(self.count_label, 1)
        top.addWidget(self.columns_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

        # J and K page through the list like a mail reader, only while the list has focus.
        for key, step in (("J", 1), ("K", -1)):
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda step=step: self.move(step))

        # The view keeps one selection model for its model's whole life, resets included.
        selection = self.table.selectionModel()
        selection.currentRowChanged.connect(self._current_row_changed)
        selection.selectionChanged.connect(self._selection_changed)

    # --- what is current and selected ------------------------------------------------------------------
    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def selected_ids(self) -> list[int]:
        """Selected documents in list order, read from the selection's row ranges (not row by row, so a
        selection of 100,000 rows costs no more than one slice)."""
        ids = self.model.ids
        chosen: dict[int, None] = {}
        for selected in self.table.selectionModel().selection():  # type: ignore[attr-defined]  # PySide6 stubs: QItemSelection is a list
            chosen.update(dict.fromkeys(ids[selected.top():selected.bottom() + 1]))
        return list(chosen)

    def select_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        index = self.model.index(row, max(0, self.table.horizontalHeader().logicalIndexAt(0)))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)

    def select_id(self, doc_id: int) -> bool:
        row = self.model.row_of(doc_id)
        if row is None:
            return False
        self.select_row(row)
        return True

    def move(self, step: int) -> None:  # type: ignore[override]  # hides QWidget.move(x, y): a step here
        """Make the next (step 1) or previous (-1) document current; the selection follows."""
        current = self.table.currentIndex()
        row = current.row() + step if current.isValid() else 0
        self.select_row(min(max(row, 0), self.model.rowCount() - 1))

    def set_count_text(self, text: str) -> None:
        self.count_label.setText(text)

    # --- reactions -------------------------------------------------------------------------------------
    def _current_row_changed(self) -> None:
        self.currentChanged.emit(self.current_id())

    def _selection_changed(self) -> None:
        self.selectionChanged.emit(sum(r.height() for r in self.table.selectionModel().selection()))  # type: ignore[attr-defined]  # PySide6 stubs: QItemSelection is a list

    def _show_column_menu(self, position: QPoint, source: QWidget | None = None) -> None:
        self.column_menu().popup((source or self.table.horizontalHeader()).mapToGlobal(position))

    def column_menu(self) -> QMenu:
        """The column chooser: a checkable entry per column."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        for number, column in enumerate(COLUMNS):
            action = QAction(column.title, menu)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(number))
            # The control number identifies a row; it cannot be hidden.
            action.setEnabled(column.key != "control")
            action.toggled.connect(lambda shown, n=number: header.setSectionHidden(n, not shown))
            menu.addAction(action)
        return menu
