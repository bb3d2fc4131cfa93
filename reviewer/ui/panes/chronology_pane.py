"""The Chronology pane: the case's facts in date order, filtered by issue, person, status or key facts, and
edited in place (date, fact, status, key). Add a fact from the row above the table; the context menu
changes a fact's issues and people and cites the page open in the viewer; the selected fact's sources are
listed underneath, and activating one opens its page in the viewer with the highlight in view. Export…
writes the chronology as the attorney files it (Word, Excel or CSV). Every change is one undo step.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.audit import counted
from reviewer.core.case import Case
from reviewer.core.casebuild import exports, facts, issues
from reviewer.core.casebuild.facts import FactInfo, SourceInfo, SourceRef
from reviewer.core.casebuild.issues import IssueInfo
from reviewer.core.choices import FACT_STATUSES
from reviewer.ui.icons import color_swatch
from reviewer.ui.models.fact_table import COLUMNS, FactTableModel
from reviewer.ui.tasks import TaskRunner, describe_error
from reviewer.ui.widgets.issue_picker import IssueMenu

SOURCE_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_COLUMN = [c.key for c in COLUMNS].index("status")
COLUMN_WIDTHS = (100, 280, 130, 130, 90, 120, 40)  # Date, Fact, Source, Issues, People, Status, Key


class _StatusDelegate(QStyledItemDelegate):
    """Status is chosen from the four a fact can have."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        editor = QComboBox(parent)
        for name, label in FACT_STATUSES.items():
            editor.addItem(label, name)
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class ChronologyPane(QWidget):
    changed = Signal()  # facts were written
    openRequested = Signal(int, int, int)  # document id, 1-based page (0: none), highlight id (0: none)

    def __init__(self, case: Case, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chronologyPane")
        self._case, self._tasks = case, tasks
        self._issues: list[IssueInfo] = []
        self._generation = 0
        # Where the viewer is (document id, 1-based page), for "Cite the page open in the viewer".
        self.viewer_page: Callable[[], tuple[int, int | None] | None] = lambda: None

        self.issue_filter = QComboBox()
        self.issue_filter.setObjectName("factIssueFilter")
        self.person_filter = QComboBox()
        self.person_filter.setObjectName("factPersonFilter")
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("factStatusFilter")
        self.status_filter.addItem("Any status", None)
        for name, label in FACT_STATUSES.items():
            self.status_filter.addItem(label, name)
        self.key_only = QCheckBox("Key facts only")
        self.key_only.setObjectName("keyOnly")
        for combo in (self.issue_filter, self.person_filter, self.status_filter):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.key_only.toggled.connect(lambda _on: self.reload())
        filters = QHBoxLayout()
        for combo in (self.issue_filter, self.person_filter, self.status_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(3)
            filters.addWidget(combo, 1)
        filters.addWidget(self.key_only)

        self.new_date = QLineEdit()
        self.new_date.setObjectName("newFactDate")
        self.new_date.setPlaceholderText("Date (2019-04-02, 2019-04, ~2019…)")
        self.new_text = QLineEdit()
        self.new_text.setObjectName("newFactText")
        self.new_text.setPlaceholderText("New fact…")
        self.new_text.returnPressed.connect(lambda: self.add())
        self.new_date.setMinimumWidth(50)
        self.new_text.setMinimumWidth(60)
        adding = QHBoxLayout()
        adding.addWidget(self.new_date, 1)
        adding.addWidget(self.new_text, 3)
        tools = QToolBar()
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        tools.addAction("Add", lambda: self.add()).setToolTip("Add the fact typed above")
        tools.addAction("Delete", lambda: self.delete()).setToolTip("Delete the selected facts")
        tools.addAction("Export…", lambda: self.choose_export()).setToolTip(
            "The chronology shown, as Word, Excel or CSV")
        adding.addWidget(tools)

        self.model = FactTableModel(self)
        self.model.editRequested.connect(self._edit)
        self.table = QTableView()
        self.table.setObjectName("factTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # One line a fact (the whole of it in the tooltip): a chronology is long.
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(column, width)
        self.table.setItemDelegateForColumn(STATUS_COLUMN, _StatusDelegate(self.table))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.SelectedClicked)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._show_sources())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._menu)
        self.sources = QListWidget()
        self.sources.setObjectName("factSources")
        self.sources.itemActivated.connect(self._open_source)
        self.sources.itemClicked.connect(self._open_source)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.sources)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addLayout(adding)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete)
        self.reload_filters()

    # --- showing -------------------------------------------------------------------------------------------
    def reload_filters(self) -> None:
        """Issues and people change elsewhere: refill the filters, keeping the choices, then the facts."""
        def work() -> tuple[list[IssueInfo], list[tuple[int, str]]]:
            return issues.list_issues(self._case), facts.people_in_chronology(self._case)

        self._tasks.run(work, self._filters_loaded)

    def _filters_loaded(self, found: tuple[list[IssueInfo], list[tuple[int, str]]]) -> None:
        self._issues, people = found
        issue_id, person_id = self.issue_filter.currentData(), self.person_filter.currentData()
        for combo in (self.issue_filter, self.person_filter):
            combo.blockSignals(True)
            combo.clear()
        self.issue_filter.addItem("All issues", None)
        for issue in self._issues:
            self.issue_filter.addItem(color_swatch(issue.color), "    " * issue.depth + issue.label, issue.id)
        self.person_filter.addItem("Anyone", None)
        for person, name in people:
            self.person_filter.addItem(name, person)
        for combo, chosen in ((self.issue_filter, issue_id), (self.person_filter, person_id)):
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        issue_id = self.issue_filter.currentData()
        issue = next((i.number for i in self._issues if i.id == issue_id), None)
        work = partial(facts.list_facts, self._case, issue, self.person_filter.currentData(),
                       self.status_filter.currentData(), self.key_only.isChecked())
        self._tasks.run(work, partial(self._show, self._generation))

    def _show(self, generation: int, found: list[FactInfo]) -> None:
        if generation != self._generation:
            return
        current = self.current_fact()
        self.model.set_facts(found)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        row = self.model.row_of(current.id) if current is not None else None
        if row is not None:
            self.table.selectRow(row)
        self._show_sources()
        self.status.setText(f"{counted(len(found), 'fact')}.")

    def current_fact(self) -> FactInfo | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.facts):
            return None
        return self.model.fact(index.row())

    def _show_sources(self) -> None:
        self.sources.clear()
        fact = self.current_fact()
        for source in fact.sources if fact is not None else ():
            what = f"highlight {source.highlight_id}" if source.highlight_id else "document"
            item = QListWidgetItem(f"{source.cite}  ·  {source.control}  ·  {what}")
            item.setData(SOURCE_ROLE, source)
            self.sources.addItem(item)

    def _open_source(self, item: QListWidgetItem) -> None:
        source: SourceInfo = item.data(SOURCE_ROLE)
        self.openRequested.emit(source.document_id, source.page or 0, source.highlight_id or 0)

    # --- changing ------------------------------------------------------------------------------------------
    def add(self) -> None:
        text = self.new_text.text().strip()
        if not text:
            self.status.setText("Type the fact first.")
            return
        issue = self.issue_filter.currentData()
        work = partial(facts.add_fact, self._case, self.new_date.text(), text,
                       issues=[issue] if issue is not None else [])

        def said(fact: FactInfo) -> str:
            self.new_date.clear()
            self.new_text.clear()
            return f"Added fact {fact.id} ({fact.date or 'undated'})."

        self._write(work, said)

    def _edit(self, fact_id: int, key: str, value: object) -> None:
        if key == "date":
            work = partial(facts.edit_fact, self._case, fact_id, date=str(value))
        elif key == "text":
            work = partial(facts.edit_fact, self._case, fact_id, text=str(value))
        elif key == "status":
            work = partial(facts.edit_fact, self._case, fact_id, status=str(value))
        else:
            work = partial(facts.edit_fact, self._case, fact_id, key=bool(value))
        self._write(work, lambda fact: f"Fact {fact.id} saved.")

    def delete(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        chosen = sorted({self.model.fact(index.row()).id for index in rows})
        if chosen:
            self._write(partial(facts.delete_facts, self._case, chosen),
                        lambda count: f"Deleted {counted(count, 'fact')}.")

    def set_issues(self, fact_id: int, issue_ids: list[int]) -> None:
        self._write(partial(facts.edit_fact, self._case, fact_id, issues=issue_ids),
                    lambda fact: f"Fact {fact.id} is under {'; '.join(fact.issues) or 'no issue'}.")

    def set_people(self, fact_id: int, people: list[int]) -> None:
        self._write(partial(facts.edit_fact, self._case, fact_id, people=people),
                    lambda fact: f"Fact {fact.id} is about {'; '.join(fact.people_names) or 'no one'}.")

    def cite_viewer_page(self, fact: FactInfo) -> None:
        where = self.viewer_page()
        if where is None:
            self.status.setText("Open a document in the viewer first.")
            return
        doc_id, page = where
        kept = [source.ref() for source in fact.sources]
        self._write(partial(facts.edit_fact, self._case, fact.id,
                            sources=[*kept, SourceRef(document_id=doc_id, page=page)]),
                    lambda edited: f"Fact {edited.id} cites {edited.cites}.")

    def _menu(self, point: QPoint) -> None:
        index = self.table.indexAt(point)
        if not index.isValid():
            return
        fact = self.model.fact(index.row())
        menu = QMenu(self)
        choice = IssueMenu(menu)
        choice.setTitle("Issues")
        choice.set_issues(self._issues, fact.issue_ids)
        choice.toggledIssue.connect(lambda _id, _on: self.set_issues(fact.id, choice.checked_ids()))
        menu.addMenu(choice)
        menu.addAction("People (ids)…", lambda: self._ask_people(fact))
        menu.addAction("Cite the page open in the viewer", lambda: self.cite_viewer_page(fact))
        menu.addAction("Delete", self.delete)
        menu.popup(self.table.viewport().mapToGlobal(point))

    def _ask_people(self, fact: FactInfo) -> None:
        text, accepted = QInputDialog.getText(self, "People", "Ids of the people it is about, e.g. 3, 12:",
                                              text=", ".join(str(p) for p in fact.people))
        if accepted:
            try:
                people = [int(part) for part in text.replace(",", " ").split()]
            except ValueError:
                self.status.setText("People are given by their ids: whole numbers separated by commas.")
                return
            self.set_people(fact.id, people)

    def choose_export(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(self, "Export the chronology", "chronology.docx",
                                                    "Word (*.docx);;Excel (*.xlsx);;CSV (*.csv)")
        if name:
            self.export(Path(name))

    def export(self, out: Path) -> None:
        """Write the chronology as filtered now (issue, key facts) to `out`."""
        issue_id = self.issue_filter.currentData()
        issue = next((i.number for i in self._issues if i.id == issue_id), None)
        work = partial(exports.export_chronology, self._case, out, issue, self.key_only.isChecked(),
                       date.today())
        self._tasks.run(work, lambda done: self.status.setText(f"Wrote {done.facts:,} facts to {done.path}."),
                        lambda error: self.status.setText(describe_error(error)))

    def _write(self, work: Callable[[], Any], said: Callable[[Any], str]) -> None:
        # A refused edit changed nothing: the table still shows the case.
        self._tasks.write_and_say(work, said, self.status.setText, then=self.changed.emit)
